#!/usr/bin/env bash
# The terminal is resized 150 times, down to 1x1 and back, while a flood over a thousand topics
# comes in: mqscope stays alive, answers keys, and draws the right screen at the final size. The
# raw output stays clean (only curses' own sequences) through it all.
. "$(dirname "$0")/../lib.sh"

FLOOD=${MQSCOPE_FLOOD:?set MQSCOPE_FLOOD to bench/flood}
TOPICS=1000

# max_queued_messages 0: the broker never drops QoS 0 messages to a client that reads slowly on
# a busy machine, so every message is counted, taken or dropped, by mqscope.
start_broker "max_queued_messages 0"
start_ui_raw -h 127.0.0.1 -p "$BROKER_PORT" -t 'sensors/#'
wait_for "connected"
pid=$(mqscope_pid) || fail "cannot find the mqscope process"

# About 20,000 messages/s round-robin over the topics, until the storm below is over (SIGTERM
# ends it with its report; -d only bounds it).
"$FLOOD" -h 127.0.0.1 -p "$BROKER_PORT" -T "$TOPICS" -n 0 -d 600 -r 20000 -s 48 \
	>"$T_DIR/flood.out" 2>&1 &
flood_pid=$!
bg_pid "$flood_pid"
wait_line "msgs [0-9,]+ +[0-9.,k]+/s"
# Everything expanded: a full tree pane and a payload pane to redraw at every size.
keys Home '*' Down Down Down Down Down

resize() { tmux -S "$T_SOCK" resize-window -t t -x "$1" -y "$2"; }

# Sizes from roomy to too small to nothing, side by side and stacked: 150 of them, with a key
# now and then, all while the flood runs (however long a busy machine makes them take).
sizes=("120 40" "80 24" "69 20" "70 20" "40 10" "20 6" "19 5" "12 4" "1 1" "2 2" "200 60"
	"100 30" "21 7" "60 15" "1 30" "100 1" "33 9")
for n in $(seq 1 150); do
	kill -0 "$flood_pid" 2>/dev/null || fail "the flood ended before resize $n: $(cat "$T_DIR/flood.out")"
	resize ${sizes[$((n % ${#sizes[@]}))]}
	[ $((n % 7)) = 0 ] && keys Down
	kill -0 "$pid" 2>/dev/null || fail "mqscope died after $n resizes"
	sleep 0.01 # pacing the storm, not waiting for the screen
done
kill -TERM "$flood_pid"
wait "$flood_pid" || fail "flood failed: $(cat "$T_DIR/flood.out")"
sent=$(grep -oE 'sent=[0-9]+' "$T_DIR/flood.out" | cut -d= -f2)
log "flood: $(cat "$T_DIR/flood.out")"

# The final size: 100x30, side by side (the tree takes 45 columns, then the separator).
resize 100 30
wait_line "^ .*● connected .*topics 1,000 "
# Every message arrived or is counted as dropped: nothing lost silently during the resizes.
total() {
	local s msgs drops
	s=$(screen | head -1)
	msgs=$(echo "$s" | grep -oE 'msgs [0-9,]+' | tr -dc 0-9)
	drops=$(echo "$s" | grep -oE 'drops [0-9,]+' | tr -dc 0-9)
	[ -n "$msgs" ] && [ $((msgs + ${drops:-0})) -eq "$sent" ]
}
poll_until 20 "msgs + drops = $sent" total
[ "$(screen | wc -l)" -eq 30 ] || fail "the screen is not 30 lines"
screen | python3 -c 'import sys; rows = sys.stdin.read().splitlines()[1:29]
sys.exit(0 if len(rows) == 28 and all(r[45:46] == "\u2502" for r in rows) else 1)' ||
	fail "the separator is not at column 46 on every body line"
screen | tail -1 | grep -q '^ q quit' || fail "the hint line is not the last line"
screen_lacks "too small" || fail "still says the terminal is too small"

# Responsive: a key opens the help, another closes it; a search finds a flooded topic.
keys '?'
wait_for "mqscope keys (Esc q ? F1 closes)"
keys Escape
wait_gone "mqscope keys"
search "sensors/b00/f00/r000/0"
wait_line "sensors/b00/f00/r000/0"
kill -0 "$pid" || fail "mqscope died"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
termscan --exited --drawn "mqscope"
pass
