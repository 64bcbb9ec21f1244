#!/usr/bin/env bash
# At 80x24: what the screen shows is true. A topic's rate falls to 0 soon after its publisher
# stops; after the broker restarts without persistence, values from before the reconnect are
# dimmed and say so, and a retained topic the broker no longer has is marked gone.
. "$(dirname "$0")/../lib.sh"

T_COLS=80 T_ROWS=24
start_broker
pub house/bulb1 ON -r
pub house/bulb9 ON -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "house (2 topics"
pub plant/temp 21.5
wait_for "plant (1 topic"
search house/bulb9
wait_for "bulb9 ® = ON"
search plant/temp
wait_for "temp = 21.5"

# A publisher at 20 msg/s: its row shows the rate; once it stops, the rate goes from the row.
pace 20 300 plant/fast
wait_line "^ +fast = [0-9]+ +[0-9.]+/s +now"
check_edges
stop_helpers
wait_line "^ +fast( silent)? = [0-9]+ +[0-9]+s *│"
screen | grep -E "^ +fast( silent)? = " | grep -q "/s" && fail "a stopped topic still shows a rate"

# The broker restarts with nothing: bulb1 is published again, bulb9 and temp are not.
stop_broker
wait_line "(lost|retrying|connecting)"
start_broker
# Published at once, so it is there (retained) when mqscope subscribes again, whenever that is.
pub house/bulb1 ON -r
wait_line "● connected"
wait_for "retained topic the broker no longer has"
check_edges
wait_for "bulb9 (gone) = ON"
wait_for "bulb1 ® = ON"
# temp is dimmed (the "stale" slot: dim) and bulb1 is not; the cursor is on neither.
search house/bulb9
wait_line "│house/bulb9 *$"
# styled TEXT: the tree pane's side of the lines with TEXT, with their escape sequences.
styled() { tmux -S "$T_SOCK" capture-pane -p -e -t t | grep -E -- "$1" | sed 's/│.*//'; }
dim=$'\x1b\\[([0-9;]*;)?2[;m]'
esc=$'(\x1b\\[[0-9;]*m)*'
styled ' temp' | grep -qE "= $esc$dim${esc}21\\.5" ||
	fail "temp is not dimmed: $(styled ' temp' | cat -v)"
styled ' bulb1' | grep -qE "$dim${esc}ON" &&
	fail "bulb1 is dimmed: $(styled 'bulb1' | cat -v)"

# The payload pane says so, for the selection, in words.
search plant/temp
wait_line "│plant/temp *$"
wait_for "before reconnect"
search house/bulb9
wait_line "│house/bulb9 *$"
wait_for "gone from the broker"
# A message makes it current again.
pub house/bulb9 OFF -r
wait_for "bulb9 ® = OFF"
wait_gone "gone from the broker"
check_edges

keys q
wait_exit >/dev/null
