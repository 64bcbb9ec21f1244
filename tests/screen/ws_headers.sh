#!/usr/bin/env bash
# --ws-header: a WebSocket server that wants a header (as an ingress wants a token) refuses the
# upgrade without it, and mqscope says so in words; with it, mqscope connects and browses.
. "$(dirname "$0")/../lib.sh"

FAKE="$(dirname "$0")/../hostile/fake_broker.py"
python3 "$FAKE" --case good --ws --ws-need-header "Authorization: Bearer t0k3n" \
	--port-file "$T_DIR/port" --log "$T_DIR/log" &
FAKE_PID=$!
bg_pid $FAKE_PID
listening() {
	[ -s "$T_DIR/port" ] && return 0
	kill -0 "$FAKE_PID" 2>/dev/null || fail "the fake broker exited"
	return 1
}
poll_until 60 "the fake broker to listen" listening
PORT=$(cat "$T_DIR/port")

# Without the header: refused, in words, and retried.
start_ui -L "ws://127.0.0.1:$PORT/mqtt"
wait_for "WebSocket: the server refused us access (a header it needs?"
keys c
wait_for "HTTP 401 Unauthorized"
keys Escape
wait_gone "connection log, newest first"
grep -q "^unauthorized .* upgrade without Authorization" "$T_DIR/log" ||
	fail "the server did not refuse an upgrade"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"

# With it: the server lets the upgrade through and the tree fills.
respawn_ui -L "ws://127.0.0.1:$PORT/mqtt" --ws-header "Authorization: Bearer t0k3n"
wait_line "^ (mqscope  )?ws://.* connected"
wait_for "good (2 topics"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
grep -q "^sent .* good" "$T_DIR/log" || fail "the broker sent nothing"
pass
