#!/usr/bin/env bash
# At 80x24, in UTF-8 and in LANG=C, during a flood: rates and ages on rows; the status bar keeps
# the filter and the sort; a long bottom-line message is shown whole on two lines and again in the
# log; a pause holds the panes while the selection moves; a value opened from the history holds
# until Esc. No status or bottom line ends mid-word.
. "$(dirname "$0")/../lib.sh"

FLOOD=${MQSCOPE_FLOOD:?set MQSCOPE_FLOOD to bench/flood}
T_COLS=80 T_ROWS=24
start_broker
# 20 topics, about 100 msg/s each, until the test ends.
"$FLOOD" -h 127.0.0.1 -p "$BROKER_PORT" -T 20 -n 0 -d 600 -r 2000 -s 24 >"$T_DIR/flood.out" 2>&1 &
bg_pid $!

# The panes without the status and bottom lines; the tree side of them.
panes() { screen | sed -n '2,22p'; }
tree_side() { panes | sed -E 's/(│|\|).*//'; }
# The payload pane's topic line: the right of the second screen line.
shown_topic() { screen | sed -n 2p | sed -E 's/^.*(│|\|)//'; }
seq_line() { screen | grep -oE '"seq": [0-9]+' | head -1; }
# still: whether the panes are as at the last call (in held), for polling until they stand.
still() {
	local now
	now=$(panes)
	[ -n "$held" ] && [ "$now" = "$held" ] && return 0
	held=$now
	return 1
}

scenario() {
	start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t 'sensors/#'
	wait_for "sensors (20 topics"

	# 1. Every topic open: each row has its rate and age, in a 36-column tree pane.
	keys Home '*'
	wait_line "^ +[0-9] = .* [0-9]+/s +now"
	wait_line "^ +. r000 \(10\) +[0-9.]+k?/s +now"
	check_edges

	# 2. A filter and a sort at once: both stay in the status bar, whole.
	keys f
	wait_for "filter (a/+/b, a/#, text, p:payload text, is:silent; empty clears):"
	keys -l 'sensors/b01/#'
	keys Enter
	wait_for "filter sensors/b01/# (10)"
	keys o
	wait_line "filter sensors/b01/# \(10\) +sort rate"
	check_edges

	# 3. The sort's notice is longer than a line: two lines, cut at a space, nothing lost...
	wait_line "^Sorted by rate, highest first: the topics of the whole tree \(the first 2,000,$"
	wait_line "^sorted again every second\)$"
	check_edges
	# ...and whole again in the log.
	keys c
	wait_for "connection log"
	wait_for "Sorted by rate, highest first: the topics of the whole tree"
	wait_for "(the first 2,000, sorted again every second)"
	keys Escape
	wait_gone "connection log"

	# 4. The pause holds. Paused, the rows stand still; the selection goes to the fifth row (a
	# search for its topic), so that it can move two rows either way.
	keys z
	wait_for "PAUSED"
	wait_line "PAUSED \+[0-9,.k]+"
	local held= tree_held first mid
	poll_until 30 "the panes to stand still" still
	mid=$(tree_side | sed -n 5p | grep -oE 'r000/[0-9]' | head -1)
	[ -n "$mid" ] || fail "no topic on the fifth row"
	search "sensors/b01/f00/$mid"
	wait_line "(│|\\|)sensors/b01/f00/$mid *$"
	held=
	poll_until 30 "the panes to stand still" still
	tree_held=$(tree_side)
	first=$(shown_topic)
	[ "$first" = "sensors/b01/f00/$mid" ] || fail "the pause shows $first"
	# ...while the selection moves down (another topic in the payload pane) and back.
	keys Down Down
	poll_until 30 "the selection to move" eval '[ "$(shown_topic)" != "$first" ]'
	[ "$(tree_side)" = "$tree_held" ] || fail "the tree changed during the pause"
	keys Up Up
	poll_until 30 "the selection to come back" eval '[ "$(shown_topic)" = "$first" ]'
	[ "$(panes)" = "$held" ] || fail "the panes changed during the pause:
$(diff <(echo "$held") <(panes))"
	check_edges
	keys z
	wait_line "Resumed: [0-9,]+ messages arrived during the pause"
	wait_gone "PAUSED"

	# 5. A value opened from the history holds while the flood pushes it out of the history...
	keys '[' '['
	wait_for "left the history (Esc: live)"
	local opened
	opened=$(seq_line)
	[ -n "$opened" ] || fail "no value shown"
	local until_ms=$(($(now_ms) + 5000))
	while [ "$(now_ms)" -lt "$until_ms" ]; do
		[ "$(seq_line)" = "$opened" ] || fail "the opened value changed: $opened, then $(seq_line)"
		sleep 0.2
	done
	check_edges
	# ...and Esc goes back to the live value.
	keys Escape
	wait_gone "left the history"
	poll_until 30 "a live value" eval '[ "$(seq_line)" != "$opened" ]'

	keys q
	wait_exit >/dev/null
	stop_ui
}

scenario
T_LANG=C scenario
pass
