#!/usr/bin/env bash
# f filters the tree: MQTT wildcards, # subtrees, payload text; new topics are filtered as they come;
# an empty filter shows everything again.
. "$(dirname "$0")/../lib.sh"

start_broker
pub sensors/kitchen/temperature 21 -r
pub sensors/kitchen/humidity 40 -r
pub sensors/living/temperature 22 -r
pub sensors/living/humidity 41 -r
pub sensors/kitchen/temperature/unit C -r
pub building/a/door OPEN -r
pub building/b/alarm 'ALARM: smoke' -r
pub other/x y -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "sensors (5 topics, 5 msgs)"

# tree: the left pane only, without the rate/age columns
tree() { screen | cut -c1-31; }

# filter TEXT: f, replace what the prompt holds, Enter.
filter() {
	keys f
	wait_for "filter (a/+/b"
	keys C-u
	[ -n "$1" ] && keys -l "$1"
	keys Enter
}

filter "sensors/+/temperature"
wait_for 'Filter: topics matching "sensors/+/temperature": 2 topics'
wait_for "sensors (2 of 5 topics"
wait_line "filter sensors/\+/temperature \(2\)"
# The matches are opened and shown; nothing else is.
wait_line "^ +temperature ® = 21"
wait_line "^ +temperature ® = 22"
tree | grep -q "humidity" && fail "a humidity topic is shown"
tree | grep -q "unit" && fail "a topic below the filter is shown"
tree | grep -qE "building|other|SYS" && fail "a topic outside the filter is shown"

# New topics are filtered as they arrive.
pub sensors/attic/temperature 19
pub sensors/attic/humidity 50
wait_for "sensors (3 of 7 topics"
wait_line "^ +▸ attic \(1 of 2 topics"
tree | grep -q "humidity" && fail "a new humidity topic is shown"

# A subtree with #.
filter "building/#"
wait_for 'Filter: topics matching "building/#": 2 topics'
keys Home
wait_selected "building ("
keys '*'
wait_line "^ +door ® = OPEN"
wait_line "^ +alarm ® = ALARM: smoke"
tree | grep -q "sensors" && fail "sensors shown under building/#"

# Payload text, any case; it follows values as they change.
filter "p:alarm"
wait_for 'Filter: payloads containing "alarm": 1 topic'
wait_line "^ +alarm ® = ALARM: smoke"
tree | grep -q "door" && fail "a payload without the text is shown"
pub building/a/door 'alarm: forced' -r
wait_line "^ +door ® = alarm: forced"

# Empty clears.
filter ""
wait_for "Filter cleared: every topic is shown"
wait_for "sensors (7 topics"
wait_for "other (1 topic, 1 msg)"
screen | grep -q "filter sensors" && fail "the status bar still shows a filter"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
