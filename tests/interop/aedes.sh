#!/usr/bin/env bash
# The interop scenario (scenario.sh) on aedes (npm aedes-cli): MQTT 3.1.1 only, it answers an
# MQTT 5 CONNECT with a 3.1.1 CONNACK "unacceptable protocol version"; $SYS holds events only.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../screen/publib.sh"
. "$(dirname "$0")/brokers.sh"
. "$(dirname "$0")/scenario.sh"

restart_broker() {
	stop_aedes
	start_aedes
}

start_aedes
VERSION_WORDS="connected MQTT 3.1.1: the broker has no MQTT 5"
WAIT=20
run_scenario

# The dashboard names aedes and counts the events it publishes instead of statistics.
stop_ui
start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "$VERSION_WORDS"
wait_for "\$SYS ("
keys b
wait_for "(aedes \$SYS; Esc q b closes)"
wait_for "It publishes events, not statistics"
wait_line "subscribes +[1-9]"
keys Escape
wait_gone "\$SYS; Esc q b closes"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
