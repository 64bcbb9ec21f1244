#!/usr/bin/env bash
# / finds and selects a topic, n goes to the next match, the payload panel shows its value.
. "$(dirname "$0")/../lib.sh"

start_broker
pub sensors/kitchen/temperature '{"value":21.5,"unit":"C"}' -r
pub sensors/living/temperature '22.0' -r
pub sensors/living/humidity '40' -r
pub zeta/other 'x' -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "sensors (3 topics, 3 msgs)"

keys /
wait_for "/"
keys -l "temperature"
wait_for "/temperature"
keys Enter
# The match is selected even though its branch was closed: the panel shows it.
wait_for "sensors/kitchen/temperature"
wait_for '"value": 21.5,'  # shown pretty-printed
wait_line "QoS 0 +retained +size 25 B +messages 1"
[[ "$(selected_line)" == *"kitchen"* ]] || [[ "$(selected_line)" == *"temperature"* ]] ||
	fail "selected row is not the match: '$(selected_line)'"

keys n
wait_for "sensors/living/temperature"
wait_for "22.0"

# Wraps around to the first match.
keys n
wait_for "sensors/kitchen/temperature"
wait_for "Search wrapped around"

# N goes back.
keys N
wait_for "sensors/living/temperature"

# Nothing found is said, not silently ignored.
search "no-such-topic"
wait_for 'No topic matches "no-such-topic"'

# Help lists the keys.
keys '?'
wait_for "Collapse the branch, or go to its parent"
keys G # the list is longer than the screen
wait_for "Close the dashboard"
keys Escape
wait_gone "Close the dashboard"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
