#!/usr/bin/env bash
# The message stream (S): under a flood from two publishers it shows the messages in the order the
# broker sent them (the same order mosquitto_sub -v saw), newest at the bottom; the tree's filter
# and pause apply to it; Enter shows a message in the payload pane, and D diffs it against the
# message before it on the same topic.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
# A small stream, so that a flood pushes the oldest messages out.
mkdir -p "$XDG_CONFIG_HOME/mqscope"
printf 'ui = { stream_memory = "256K"; };\n' >"$XDG_CONFIG_HOME/mqscope/config"
# The broker logs each SUBSCRIBE: both subscribers are known to be ready before the flood.
start_broker "user root
log_type subscribe"
N=300
start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t 'flood/#'
wait_for "connected"
keys S
wait_for "waiting for messages"

mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -i ref -t 'flood/#' -v -C $((2 * N)) -W 120 \
	>"$T_DIR/ref" 2>&1 &
bg_pid $!
poll_until 30 "both subscriptions" sh -c "[ \$(grep -c ' flood/#$' '$T_DIR/mosquitto.log') -ge 2 ]"

# Two publishers at once, each numbering its lines.
for p in a b; do
	seq 1 $N | sed "s/^/$p /" |
		mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "flood/$p" -l &
	bg_pid $!
	eval "pid_$p=$!"
done
wait "$pid_a" || fail "publisher a"
wait "$pid_b" || fail "publisher b"
poll_until 60 "mosquitto_sub to get every message" \
	sh -c "[ \$(wc -l <'$T_DIR/ref') -ge $((2 * N)) ]"
wait_line "^stream: $((2 * N)) messages"

# rows: the stream's rows on screen as "topic payload", top to bottom.
rows() { screen | sed -nE 's/^[0-9:.]+ +(flood\/[ab]) +([ab] [0-9]+).*/\1 \2/p'; }
# The newest message is the last row; the rows on screen are the tail of what mosquitto_sub saw.
rows >"$T_DIR/rows"
[ "$(wc -l <"$T_DIR/rows")" -ge 10 ] || fail "few stream rows on screen: $(screen)"
tail -n "$(wc -l <"$T_DIR/rows")" "$T_DIR/ref" | cmp -s - "$T_DIR/rows" ||
	fail "the stream's rows are not the arrival order:
$(diff <(tail -n "$(wc -l <"$T_DIR/rows")" "$T_DIR/ref") "$T_DIR/rows")"
# Further up too: the first page holds the first messages, in order.
keys Home
wait_line "^[0-9:.]+ +flood/[ab] +[ab] 1 "
rows >"$T_DIR/rows"
head -n "$(wc -l <"$T_DIR/rows")" "$T_DIR/ref" | cmp -s - "$T_DIR/rows" ||
	fail "the stream's first rows are not the arrival order:
$(diff <(head -n "$(wc -l <"$T_DIR/rows")" "$T_DIR/ref") "$T_DIR/rows")"
wait_for "(End follows)"
keys End
wait_gone "(End follows)"

# The filter applies: only flood/a, still in order.
keys f
wait_for "filter ("
keys -l "flood/a"
keys Enter
wait_line "^stream: $N of $((2 * N)) held match"
screen | grep -q "flood/b" && fail "the filter let flood/b through: $(screen)"
rows >"$T_DIR/rows"
grep '^flood/a ' "$T_DIR/ref" | tail -n "$(wc -l <"$T_DIR/rows")" | cmp -s - "$T_DIR/rows" ||
	fail "the filtered stream is not in order: $(cat "$T_DIR/rows")"

# Pause: a new message is taken in (the status bar counts it) but not shown until the pause ends.
keys z
wait_for "paused"
pub flood/a "a late"
wait_for "PAUSED +1"
screen_has "a late" && fail "a message reached the stream while paused"
keys z
wait_gone "PAUSED"
wait_line "^[0-9:.]+ +flood/a +a late"
wait_line "^stream: $((N + 1)) of $((2 * N + 1)) held match"

# Enter on a known message: Home is the first flood/a message; the payload pane shows it.
keys Home
wait_line "^[0-9:.]+ +flood/a +a 1 "
keys Down
wait_for "(End follows)"
keys Enter
wait_line "^flood/a"
wait_line "^a 2 *$"
# D: the diff against the message before it on the same topic.
keys D
wait_line "^- a 1$"
wait_line "^\\+ a 2$"
keys D
wait_line "^a 2 *$"
# w writes that message, not the topic's latest.
keys w
wait_for "write payload to file:"
keys C-u
keys -l "$T_DIR/a2.txt"
keys Enter
wait_for "Wrote 3 bytes to $T_DIR/a2.txt"
[ "$(cat "$T_DIR/a2.txt")" = "a 2" ] || fail "w wrote: $(cat "$T_DIR/a2.txt")"
# S goes back to the tree, where the filter still holds.
keys S
wait_gone "stream: "
wait_line "^ +a( silent)? = a late"

# Bounded: a flood of larger messages pushes the oldest out of the stream, and the header says how
# many fell out; the newest is still the last row.
keys f
wait_for "filter ("
keys C-u Enter
wait_gone "filter flood/a"
keys S
wait_line "^stream: [0-9,]+ messages"
# A payload filter (p:) applies too.
keys f
wait_for "filter ("
keys -l "p:late"
keys Enter
wait_line "^stream: 1 of $((2 * N + 1)) held match"
wait_line "^[0-9:.]+ +flood/a +a late"
keys f
wait_for "filter ("
keys C-u Enter
wait_line "^stream: $((2 * N + 1)) messages"
"$MQSCOPE_FLOOD" -p "$BROKER_PORT" -t flood/c -T 1 -n 5000 -s 200 -f text >/dev/null 2>&1 ||
	fail "the flood"
wait_line "^stream: [0-9,]+ messages +[0-9,]+ older fell out \\(memory_budget\\)"
screen | grep -E "^[0-9:.]+ +flood/" | tail -1 | grep -q "flood/c" ||
	fail "the newest message is not the last row: $(screen)"
pass
