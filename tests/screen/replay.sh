#!/usr/bin/env bash
# --record writes every message as a JSON line; --replay shows the same tree without a broker, all
# at once or at a multiple of the recorded pace. Fields absent from $SYS stay absent.
. "$(dirname "$0")/../lib.sh"

start_broker
start_ui --record "$T_DIR/rec.jsonl" -h 127.0.0.1 -p "$BROKER_PORT" -t 'dev/#' \
	-t '$SYS/broker/version'
wait_for "connected"
pub dev/text 'hello world' -r
pub dev/json '{"a":1,"b":[true,null]}'
printf '\x89PNG\r\n\x1a\n\x00\x01\xff' >"$T_DIR/blob"
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t dev/blob -f "$T_DIR/blob" -r || fail "pub"
pub dev/props 'p' -V 5 -D publish content-type text/plain -D publish user-property k v
for i in 1 2 3; do pub dev/counter "$i"; done
wait_for "dev (5 topics, 7 msgs)"
wait_for "\$SYS (1 topic, 1 msg)"
wait_line "^ .* rec "

# tree: the tree pane's rows without the ages and rates, which move.
tree() { screen | cut -c1-31 | sed -n '2,12p'; }
before=$(tree)
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"

# One line per message, binary as base64, MQTT 5 properties kept.
[ "$(wc -l <"$T_DIR/rec.jsonl")" -eq 8 ] || fail "expected 8 lines: $(cat "$T_DIR/rec.jsonl")"
grep -q '"topic":"dev/blob",.*"payload_base64":"iVBORw0KGgoAAf8="' "$T_DIR/rec.jsonl" ||
	fail "binary payload not in base64"
grep -q '"content_type":"text/plain"' "$T_DIR/rec.jsonl" || fail "content type not recorded"
grep -q '"user":\[{"key":"k","value":"v"}\]' "$T_DIR/rec.jsonl" || fail "user property not recorded"
stop_broker # the replay needs none

# restart_ui ARGS: a fresh mqscope in a fresh tmux server.
restart_ui() {
	stop_ui
	rm -f "$T_DIR/exit"
	start_ui "$@"
}

restart_ui --replay "$T_DIR/rec.jsonl" --replay-speed 0
wait_for "replay done"
wait_for "Replay done: 8 messages"
wait_for "dev (5 topics, 7 msgs)"
[ "$(tree)" = "$before" ] || fail "replayed tree differs:
$before
---
$(tree)"
search "dev/blob"
wait_for "00000000  89 50 4e 47 0d 0a 1a 0a  |.PNG....|"
wait_for "00000008  00 01 ff"
search "dev/props"
wait_for "content-type text/plain"
wait_for "user k=v"
search "dev/counter"
wait_line "messages 3"
keys H
wait_line "history: 3 of 32 values kept"
# The dashboard from a recording that holds only the version: the rest is absent, not zero.
keys b
wait_line "│ broker +mosquitto version"
wait_line "│ clients +connected — +disconnected — +maximum —"
keys q
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"

# At 10x, two messages recorded 40 s apart arrive 4 s apart. Seen on the screen, the first may
# show late on a busy machine, so the gap seen can be shorter: more than half of it is enough
# to tell pacing from all at once.
printf '%s\n' '{"time":1700000000000,"topic":"paced/first","qos":0,"retain":false,"payload":"1"}' \
	'{"time":1700000040000,"topic":"paced/second","qos":0,"retain":false,"payload":"2"}' \
	>"$T_DIR/paced.jsonl"
restart_ui --replay "$T_DIR/paced.jsonl" --replay-speed 10
wait_for "paced (1 topic, 1 msg)"
t0=$(now_ms)
wait_line "replay 10x"
wait_for "paced (2 topics, 2 msgs)"
elapsed=$(($(now_ms) - t0))
[ "$elapsed" -ge 2000 ] || fail "the second message came after ${elapsed} ms, not ~4000"
wait_for "replay done"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
