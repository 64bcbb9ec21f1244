#!/usr/bin/env bash
# `mqscope pub` against a real broker: -m, -f (binary), -s, -n with -r, -q; over ws:// and wss://
# (mosquitto's websockets listeners) as over TCP; the broker's refusal (an ACL) and an unreachable
# broker exit 1 with the reason; bad flags exit 2; the TUI rejects -m.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
# mqscope-test/# is where the counting helper puts its sentinel.
printf 'topic readwrite open/#\ntopic readwrite mqscope-test/#\ntopic read secret/#\n' >"$T_DIR/acl"
make_certs
start_ws_broker "acl_file $T_DIR/acl"

mq() { "$MQSCOPE" pub -h 127.0.0.1 -p "$BROKER_PORT" "$@"; }
later() { mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t "$1" -C 1 -W 20 -q 2 -F "${2:-%r %q %p}"; }

# -m, QoS 1, retained: a later subscriber gets it with both flags.
mq -t open/a -m 'hello world' -q 1 -r 2>"$T_DIR/err" || fail "pub -m failed: $(cat "$T_DIR/err")"
[ "$(later open/a)" = "1 1 hello world" ] || fail "open/a: '$(later open/a)'"

# -f: the file's bytes exactly, NULs and all.
printf 'bin\0\001\377end' >"$T_DIR/payload.bin"
mq -t open/bin -f "$T_DIR/payload.bin" -r -q 2 || fail "pub -f failed"
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t open/bin -C 1 -W 20 -N >"$T_DIR/got.bin"
cmp -s "$T_DIR/payload.bin" "$T_DIR/got.bin" || fail "pub -f sent other bytes"

# -s: all of standard input, newlines kept.
printf 'line 1\nline 2\n' | mq -t open/stdin -s -r || fail "pub -s failed"
[ "$(later open/stdin '%p')" = $'line 1\nline 2' ] || fail "open/stdin: '$(later open/stdin '%p')'"

# Over WebSocket, plain and TLS: the same message, the same flags, the same refusal.
"$MQSCOPE" pub -L "ws://127.0.0.1:$WS_PORT/mqtt" -t open/ws -m 'over ws' -q 1 -r 2>"$T_DIR/err" ||
	fail "pub over ws:// failed: $(cat "$T_DIR/err")"
[ "$(later open/ws)" = "1 1 over ws" ] || fail "open/ws: '$(later open/ws)'"
"$MQSCOPE" pub -L "wss://localhost:$WSS_PORT/mqtt" --cafile "$T_DIR/ca.crt" -t open/wss \
	-m 'over wss' -q 2 -r 2>"$T_DIR/err" || fail "pub over wss:// failed: $(cat "$T_DIR/err")"
[ "$(later open/wss)" = "1 2 over wss" ] || fail "open/wss: '$(later open/wss)'"
"$MQSCOPE" pub -L "ws://127.0.0.1:$WS_PORT/mqtt" -t secret/x -m no -q 1 2>"$T_DIR/err" &&
	fail "a refused message over ws:// exited 0"
grep -q "not authorized (reason code 135)" "$T_DIR/err" || fail "ws refusal: $(cat "$T_DIR/err")"

# -n -r clears the retained message.
mq -t open/a -n -r || fail "pub -n -r failed"
[ "$("$MQSCOPE_RETAINED" count "$BROKER_PORT" open/a)" = 0 ] || fail "open/a is still retained"

# The broker refuses (not authorized): exit 1 and the reason.
mq -t secret/x -m no -q 1 2>"$T_DIR/err" && fail "a refused message exited 0"
grep -q "the broker refused the message: not authorized (reason code 135)" "$T_DIR/err" ||
	fail "refusal message: $(cat "$T_DIR/err")"

# Bad flags and a missing message: exit 2 with what is wrong.
mq -t 'open/#' -m x 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "not a topic one can publish to" "$T_DIR/err" || fail "wildcard topic: $(cat "$T_DIR/err")"
mq -t open/a 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "give the message with one of" "$T_DIR/err" || fail "no message: $(cat "$T_DIR/err")"
mq -t open/a -m x -f /nonexistent 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "only once" "$T_DIR/err" || fail "two messages: $(cat "$T_DIR/err")"
mq -t open/a -f "$T_DIR/missing" 2>"$T_DIR/err"
[ $? = 1 ] && grep -q "cannot read $T_DIR/missing" "$T_DIR/err" || fail "missing file: $(cat "$T_DIR/err")"
mq -t open/a -m x -q 3 2>"$T_DIR/err"
[ $? = 2 ] || fail "-q 3 accepted"

# The TUI refuses the publishing flags.
"$MQSCOPE" -h 127.0.0.1 -p "$BROKER_PORT" -m x 2>"$T_DIR/err" </dev/null
[ $? = 2 ] && grep -q "is for publishing: mqscope pub" "$T_DIR/err" || fail "TUI with -m: $(cat "$T_DIR/err")"

# Unreachable: exit 1, the reason.
port=$BROKER_PORT
stop_broker
"$MQSCOPE" pub -h 127.0.0.1 -p "$port" -t open/a -m x 2>"$T_DIR/err" && fail "pub to no broker exited 0"
grep -q "cannot connect to 127.0.0.1:$port: connection refused" "$T_DIR/err" ||
	fail "unreachable: $(cat "$T_DIR/err")"
pass
