#!/usr/bin/env bash
# Payload views: JSON pretty-printed and foldable, binary as a hex dump, v switches the view, a
# payload cut for memory says so with its real size, MQTT 5 properties are listed.
. "$(dirname "$0")/../lib.sh"

# pub_file TOPIC FILE [options]: publishes a file's bytes, retained.
pub_file() {
	local t=$1 f=$2
	shift 2
	mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$t" -f "$f" -r "$@" || fail "mosquitto_pub $t"
}

start_broker
printf 'ui = { payload_cap = 16384; };\n' >"$T_DIR/config"
pub dev/json '{"name":"bulb","on":true,"level":42,"nested":{"list":[1,2]},"none":null}' -r
printf '\x00\x01\x02\x03ABC\xff\xfe\x80tail' >"$T_DIR/bin"
pub_file dev/bin "$T_DIR/bin"
python3 -c 'print("x" * 20000, end="")' >"$T_DIR/big"
pub_file dev/big "$T_DIR/big"
pub dev/props 'hello' -r -V 5 \
	-D publish content-type application/json -D publish user-property sensor kitchen \
	-D publish response-topic reply/here -D publish correlation-data abc123 \
	-D publish message-expiry-interval 300 -D publish payload-format-indicator 1
python3 -c 'import json; print(json.dumps([{"id": i, "v": 2 * i} for i in range(400)]), end="")' \
	>"$T_DIR/long"
pub_file dev/long "$T_DIR/long"

start_ui --config "$T_DIR/config" -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "dev (5 topics, 5 msgs)"

# JSON: pretty, one key per line, nested levels indented.
search "dev/json"
wait_line "── json ─"
wait_for '  "name": "bulb",'
wait_for '  "on": true,'
wait_for '  "level": 42,'
wait_for '    "list": ['
wait_for '      1,'
wait_for '  "none": null'

# v cycles auto -> text -> json -> hex -> auto.
keys v
wait_line "── text \(chosen with v\)"
wait_for '{"name":"bulb","on":true,"level":42'
keys v
wait_line "── json \(chosen with v\)"
keys v
wait_line "── hex \(chosen with v\)"
wait_for "00000000  7b 22 6e 61 6d 65 22 3a  |{\"name\":|"
keys v
wait_line "── json ─"

# Binary: a hex dump with an ASCII column.
search "dev/bin"
wait_line "── hex ─"
wait_for "00000000  00 01 02 03 41 42 43 ff  |....ABC.|"
wait_for "00000008  fe 80 74 61 69 6c        |..tail|"

# Cut for memory (payload_cap 16 KiB): the real size and what is shown.
search "dev/big"
wait_for "truncated: showing 16.0 KiB of 19.5 KiB"
wait_line "size 19.5 KiB"

# MQTT 5 properties.
search "dev/props"
wait_for "content-type application/json"
wait_for "payload-format utf-8"
wait_line "expiry ([12][0-9]{2}|300)s"
wait_for "response-topic reply/here"
wait_for "correlation-data abc123"
wait_for "user sensor=kitchen"

# A long document opens folded on its top level; Enter on a fold opens it.
search "dev/long"
wait_for "{…},  2 items"
keys Tab
keys Home j Enter
wait_for '    "id": 0,'
wait_for '    "v": 0'
# '-' folds everything below the top again; Left goes to the enclosing container.
keys -
wait_gone '    "id": 0,'
wait_for "{…},  2 items"
keys Tab
keys j
wait_for "dev/props"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
