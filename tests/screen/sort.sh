#!/usr/bin/env bash
# Rates and ages on rows; o sorts by rate: the topics of the whole tree, expanded or not, so a
# 100 msg/s topic goes above a 1 msg/s one; rows that just changed are highlighted, and the
# highlight goes once they stop changing.
. "$(dirname "$0")/../lib.sh"

start_broker
pub rates/idle 'still' -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "rates (1 topic"
pace 100 300 rates/z-fast
pace 1 300 rates/a-slow
wait_for "rates (3 topics"
search "rates"
keys l
wait_line "^ +a-slow = "
wait_line "^ +z-fast = "

# row LINE-PATTERN: the screen line number of the first row matching.
row() { screen | grep -nE "$1" | head -1 | cut -d: -f1; }

# By name first: a-slow above z-fast.
[ "$(row '^ +a-slow( silent)? = ')" -lt "$(row '^ +z-fast( silent)? = ')" ] || fail "not in name order"

# The fast topic's row shows its rate (tens to a hundred a second) and an age of "now".
wait_line "^ +z-fast = [0-9]+ +[0-9]{2,3}/s +now"

# Collapsed, so the sort must look beyond the rows of the tree; only these topics, so all are on
# screen (a filter and a sort at once).
keys h
wait_gone "a-slow = "
keys f
keys -l "rates/#"
keys Enter
wait_for "filter rates/# (3)"
keys o
wait_for "Sorted by rate, highest first: the topics of the whole tree"
wait_line "sort rate"
deadline=$(($(now_ms) + 20000))
until [ -n "$(row '^ +rates/z-fast( silent)? = ')" ] && [ -n "$(row '^ +rates/a-slow( silent)? = ')" ] &&
	[ "$(row '^ +rates/z-fast( silent)? = ')" -lt "$(row '^ +rates/a-slow( silent)? = ')" ]; do
	[ "$(now_ms)" -ge "$deadline" ] && fail "z-fast did not go above a-slow"
	sleep 0.1
done
# idle has no rate: it sorts last.
[ "$(row '^ +rates/idle ® = ')" -gt "$(row '^ +rates/a-slow( silent)? = ')" ] || fail "idle is not last"

# The cursor goes to the last row (idle), so the fast row is drawn in its own colours.
keys End
wait_line "│rates/idle *$"
# The fast row is highlighted while it changes (the "changed" colour: bold yellow)...
styled() { tmux -S "$T_SOCK" capture-pane -p -e -t t | grep -E "$1"; }
deadline=$(($(now_ms) + 20000))
until styled 'z-fast' | grep -qE $'\x1b\\[(1;)?33(;1)?m(\x1b\\[[0-9;]*m)*(rates/)?z-fast.* = '; do
	[ "$(now_ms)" -ge "$deadline" ] && fail "z-fast is not highlighted: $(styled z-fast | cat -v)"
	sleep 0.1
done
# ...and not once it stops: the fade needs a timer, which must fire without any new message.
stop_helpers
deadline=$(($(now_ms) + 20000))
while styled 'z-fast' | grep -qE $'\x1b\\[(1;)?33(;1)?m(\x1b\\[[0-9;]*m)*(rates/)?z-fast.* = '; do
	[ "$(now_ms)" -ge "$deadline" ] && fail "z-fast is still highlighted"
	sleep 0.1
done
# The age keeps counting on its own too (and a topic that stopped is said to be silent).
wait_line "^ +(rates/)?z-fast( silent)? = [0-9]+ .* ([2-9]|[1-5][0-9])s"

sort_through messages "last update" silence name
wait_gone "sort name"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
