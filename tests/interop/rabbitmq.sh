#!/usr/bin/env bash
# The interop scenario (scenario.sh) on RabbitMQ 3.x with rabbitmq_mqtt (Debian's package), run as
# this test's own node: MQTT 3.1.1 only, it hangs up on an MQTT 5 CONNECT, publishes no $SYS, and
# sends retained messages only to subscriptions without wildcards. One node for the whole file:
# it takes seconds to start.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../screen/publib.sh"
. "$(dirname "$0")/brokers.sh"
. "$(dirname "$0")/scenario.sh"

restart_broker() {
	stop_rabbitmq
	start_rabbitmq
}

start_rabbitmq
VERSION_WORDS="connected MQTT 3.1.1: the broker has no MQTT 5"
WAIT=60
EXACT_RETAINED=1
run_scenario
pass
