#!/usr/bin/env bash
# Files that hold payloads are private: --record, --stats and a payload written with w are created
# 0600 (an existing recording keeps its mode); none is written through a symbolic link planted at
# its name (or at --stats' temporary name); a FIFO as --record is refused without blocking the
# start; a saved-messages file that never ends is read with a bound.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
start_broker
pub sec/token 'token=abc123' -r
B=(-h 127.0.0.1 -p "$BROKER_PORT" -t 'sec/#')

mode() { stat -c %a "$1"; }
quit_ui() {
	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
}

# A FIFO nobody reads: the screen comes up, the recording is refused.
mkfifo "$T_DIR/rec.fifo"
start_ui --record "$T_DIR/rec.fifo" "${B[@]}"
wait_for "Not recording: cannot open $T_DIR/rec.fifo: not a regular file"
wait_for "sec (1 topic, 1 msg)"
quit_ui

# A link at the --record name: not followed, nothing made where it points.
ln -s "$T_DIR/elsewhere.jsonl" "$T_DIR/link.jsonl"
respawn_ui --record "$T_DIR/link.jsonl" "${B[@]}"
wait_for "Not recording: cannot open $T_DIR/link.jsonl: a symbolic link (not followed)"
quit_ui
[ -e "$T_DIR/elsewhere.jsonl" ] && fail "the recording followed the link"

# A new recording, --stats with a link planted at its old temporary name, and w: all 0600.
printf precious >"$T_DIR/victim"
chmod 644 "$T_DIR/victim"
ln -s "$T_DIR/victim" "$T_DIR/stats.tmp"
respawn_ui --record "$T_DIR/rec.jsonl" --stats "$T_DIR/stats" "${B[@]}"
wait_for "sec (1 topic, 1 msg)"
search "sec/token"
keys w
wait_for "write payload to file:"
keys C-u
keys -l "$T_DIR/payload.txt"
keys Enter
wait_for "Wrote 12 bytes to $T_DIR/payload.txt"
quit_ui
grep -q '"payload":"token=abc123"' "$T_DIR/rec.jsonl" || fail "not recorded"
for f in rec.jsonl stats payload.txt; do
	[ "$(mode "$T_DIR/$f")" = 600 ] || fail "$f was created $(mode "$T_DIR/$f"), not 600"
done
[ "$(cat "$T_DIR/victim")" = precious ] && [ "$(mode "$T_DIR/victim")" = 644 ] ||
	fail "--stats wrote through the link at stats.tmp"
grep -q '^ingested ' "$T_DIR/stats" || fail "no stats written"

# An existing recording keeps the mode its owner gave it.
chmod 640 "$T_DIR/rec.jsonl"
respawn_ui --record "$T_DIR/rec.jsonl" "${B[@]}"
wait_for "sec (1 topic, 1 msg)"
quit_ui
[ "$(mode "$T_DIR/rec.jsonl")" = 640 ] || fail "the recording's mode changed to $(mode "$T_DIR/rec.jsonl")"
[ "$(wc -l <"$T_DIR/rec.jsonl")" = 2 ] || fail "the second run did not append"

# The saved-messages file, read when m opens the picker: bounded, the UI goes on.
mkdir -p "$XDG_CONFIG_HOME/mqscope"
ln -s /dev/zero "$XDG_CONFIG_HOME/mqscope/messages"
respawn_ui "${B[@]}"
wait_for "sec (1 topic, 1 msg)"
keys m
wait_for "messages: larger than 16.0 MiB"
keys Escape
wait_gone "larger than 16.0 MiB"
quit_ui
pass
