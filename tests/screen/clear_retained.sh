#!/usr/bin/env bash
# Clearing retained messages: a branch of 10,000 retained topics after a confirmation that gives
# the count; keys are answered while it runs; a fresh subscriber then finds none left, while a
# topic outside the branch keeps its message; then one topic on its own.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/publib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
start_broker
"$MQSCOPE_RETAINED" fill "$BROKER_PORT" bulk 10000 || fail "cannot fill the broker"
pub keep/me kept -r
[ "$(retained_count 'bulk/#')" = 10000 ] || fail "the broker does not hold 10,000 retained topics"

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"
wait_for "bulk (10k topics" 60
select_topic bulk
wait_selected "bulk (10k topics"

keys d
wait_for "Clear the retained messages of 10,000 topics"
wait_for "under bulk?"

# Pause the broker so the clearing is certainly still running while keys are pressed.
kill -STOP "$BROKER_PID"
keys y
wait_line "Clearing retained messages under bulk: [0-9,]+ of 10,000"
keys Down
wait_selected "keep (1 topic"
keys '?'
wait_for "mqscope keys"
keys Escape
wait_gone "mqscope keys"
wait_line "Clearing retained messages under bulk: [0-9,]+ of 10,000"
screen | grep -qF "Cleared" && fail "the clearing finished while the broker was paused"
kill -CONT "$BROKER_PID"

wait_for "Cleared 10,000 of 10,000 retained topics under bulk" 60
wait_gone "bulk ("
[ "$(retained_count 'bulk/#')" = 0 ] || fail "retained topics remain under bulk"
[ "$(retained_count 'keep/#')" = 1 ] || fail "keep/me lost its retained message"

# One topic: cleared at once, no question asked.
select_topic keep/me
keys d
wait_for "Cleared the retained message of keep/me"
wait_gone "keep ("
[ "$(retained_count 'keep/#')" = 0 ] || fail "keep/me is still retained"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
