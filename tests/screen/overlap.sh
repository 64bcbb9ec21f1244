#!/usr/bin/env bash
# At 80x24: a subscription that overlaps another is said to, in the bottom line and in the
# subscriptions window; on MQTT 5 a message both deliver is counted once (subscription
# identifiers); on MQTT 3.1.1 the warning says the copies cannot be told apart.
. "$(dirname "$0")/../lib.sh"

T_COLS=80 T_ROWS=24
start_broker

# add FILTER: types FILTER at the subscriptions window's prompt.
add() {
	keys a
	wait_for "Subscribe to:"
	keys -l "$1"
	keys Enter
}

start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t '#'
wait_for "connected"
keys s
wait_for "Subscriptions"
wait_line "│ #  +QoS 0 +│"
add 'audit/#'
wait_for "audit/# overlaps #: a message both match counts once"
wait_line "│ audit/# +QoS 0  overlaps # +│"
wait_line "│ # +QoS 0  overlaps audit/# +│"
wait_for "Overlapping filters: each message counted once (0 copies left out)"
check_edges
keys Escape
wait_gone "Subscriptions"

# The first row (audit) is selected: the payload pane counts what is below it.
pub audit/login alice
wait_for "1 topic, 1 message below"
pub audit/login bob
wait_for "1 topic, 2 messages below"
keys s
wait_for "(2 copies left out)"
keys Escape
wait_gone "Subscriptions"
screen | grep -q "1 topic, [3-9] messages" && fail "copies were counted"

# Removing the overlap: one copy each, nothing left out any more.
keys s
wait_line "│ audit/# "
keys Home Down d
wait_for "Unsubscribed from audit/#"
wait_gone "Overlapping filters"
keys Escape
pub audit/login carol
wait_for "1 topic, 3 messages below"
keys q
wait_exit >/dev/null
stop_ui

# MQTT 3.1.1 has no subscription identifiers: the warning says what that means.
start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t '#' -V mqttv311
wait_for "connected"
keys s
wait_for "Subscriptions"
add 'audit/+'
wait_for "audit/+ overlaps #: MQTT 3.1.1 may count a message twice"
wait_for "Overlapping filters: a message may arrive and count once per filter"
check_edges
keys q
keys q
wait_exit >/dev/null
pass
