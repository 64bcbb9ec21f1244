#!/usr/bin/env bash
# MQTT over WebSocket, as a user works: browse, publish from the form, toggle a bulb, clear a
# retained message, over ws:// and wss:// on mosquitto (its websockets listeners) and over wss://
# on aedes (npm aedes-cli, --protos tcp ws wss). A real subscriber on the broker's TCP port
# checks what the broker got each time.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/publib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
make_certs
AEDES=$(cd "$(dirname "$0")/../node" && pwd)/node_modules/.bin/aedes
AEDES_PID=

# scenario URL [mqscope args...]: the user's steps against the broker on BROKER_PORT.
scenario() {
	local url=$1
	shift
	stop_subs
	pub house/bulbs/bulb1 OFF -r
	pub house/info hello -r
	bg_sub all -t 'house/#' -F '%t|%p'
	wait_sub all 2

	start_ui -L "$url" "$@"
	# The name and the address give way first when the state is long ("connected MQTT 3.1.1:
	# the broker has no MQTT 5"); the connection log below names the transport.
	wait_line "^ (mqscope  )?(wss?://[^ ]+  )?● connected" 20
	wait_for "house (2 topics" 20
	keys c
	wait_for "connected (connection 1) over "
	screen | grep -q "WebSocket; MQTT" || fail "the connection log does not say WebSocket"
	keys Escape
	wait_gone "connection log, newest first"

	# The publish form: a new value for house/info.
	select_topic house/info
	keys p
	wait_for "C-s send"
	keys -l "over a websocket"
	keys C-s
	wait_gone "C-s send"
	wait_sub all 3
	[ "$(sub_line all 3)" = "house/info|over a websocket" ] || fail "subscriber got '$(sub_line all 3)'"

	# A toggle: the bulb goes on, retained like the value it came in.
	select_topic house/bulbs/bulb1
	keys t
	wait_for "Toggled house/bulbs/bulb1: OFF -> ON"
	wait_sub all 4
	[ "$(sub_line all 4)" = "house/bulbs/bulb1|ON" ] || fail "subscriber got '$(sub_line all 4)'"
	# (MQTT 3.1.1 has no retain-as-published: the live copy comes without the retained flag.)
	wait_line "bulb1( ®)? = ON"

	# Clearing its retained message, as a new session sees it.
	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
	stop_ui
	start_ui -L "$url" "$@"
	wait_for "house (2 topics" 20
	select_topic house/bulbs/bulb1
	wait_for "bulb1 ® = ON"
	keys d
	wait_for "Cleared the retained message of house/bulbs/bulb1"
	# Once the broker acknowledged it, an exact count (retained_of would wait its 20 s for a
	# message that is not there).
	wait_for "acknowledged by the broker"
	[ "$(retained_count house/bulbs/bulb1)" = 0 ] || fail "house/bulbs/bulb1 is still retained"

	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
	stop_ui
	log "$url: browse, publish, toggle, clear retained: done"
}

# mosquitto: plain and TLS websockets listeners beside its TCP one.
start_ws_broker
scenario "ws://127.0.0.1:$WS_PORT/mqtt"
scenario "wss://localhost:$WSS_PORT/mqtt" --cafile "$T_DIR/ca.crt"
stop_broker

# aedes: MQTT 3.1.1, its own WebSocket stack (the ws npm package) over Node's TLS.
[ -x "$AEDES" ] || fail "aedes is not installed: run 'npm ci' in tests/node"
BROKER_PORT=$(free_port)
WS_PORT=$(free_port)
WSS_PORT=$(free_port)
"$AEDES" start --host 127.0.0.1 --port "$BROKER_PORT" --protos tcp ws wss --ws-port "$WS_PORT" \
	--wss-port "$WSS_PORT" --key "$T_DIR/server.key" --cert "$T_DIR/server.crt" \
	>"$T_DIR/aedes.log" 2>&1 &
AEDES_PID=$!
bg_pid "$AEDES_PID"
poll_until 30 "aedes's wss listener" port_open "$WSS_PORT"
poll_until 30 "aedes to take a publish" takes_publish "$BROKER_PORT"
# No -V: aedes has no MQTT 5, and mqscope finds 3.1.1 over the WebSocket as over TCP.
scenario "wss://localhost:$WSS_PORT/mqtt" --cafile "$T_DIR/ca.crt"
pass
