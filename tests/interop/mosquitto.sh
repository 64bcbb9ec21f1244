#!/usr/bin/env bash
# The interop scenario (scenario.sh) on mosquitto: MQTT 5 is offered and taken.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../screen/publib.sh"
. "$(dirname "$0")/brokers.sh"
. "$(dirname "$0")/scenario.sh"

restart_broker() {
	stop_broker
	start_broker
}

start_broker
VERSION_WORDS="connected  msgs"
run_scenario
pass
