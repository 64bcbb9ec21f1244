#!/usr/bin/env bash
# y and Y copy the topic and the payload with OSC 52 (tmux with set-clipboard on keeps what the
# terminal was sent in a paste buffer); without set-clipboard on, tmux drops it and mqscope says so
# instead of claiming a copy; w writes the payload to a file; z pauses the screen while
# messages are still taken in and counted.
T_TMUX_EXTRA='set -g set-clipboard on'
. "$(dirname "$0")/../lib.sh"

start_broker
printf 'caf\xc3\xa9 \x01bin\x00ary\xff' >"$T_DIR/blob"
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t dev/blob -f "$T_DIR/blob" -r || fail "pub blob"
pub "dev/é topic" 'hello' -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "dev (2 topics, 2 msgs)"

# buffer_is FILE: waits until the newest tmux paste buffer holds exactly FILE's bytes.
buffer_is() {
	local deadline=$(($(now_ms) + 20000))
	until tmux -S "$T_SOCK" show-buffer 2>/dev/null | cmp -s - "$1"; do
		[ "$(now_ms)" -ge "$deadline" ] && fail "clipboard holds '$(tmux -S "$T_SOCK" show-buffer 2>&1 | cat -v)'"
		sleep 0.05
	done
}

search "dev/blob"
wait_line "── hex"
keys y
wait_for "Copied the topic (8 bytes) to tmux's clipboard (set-clipboard on)"
printf 'dev/blob' >"$T_DIR/want"
buffer_is "$T_DIR/want"
keys Y
wait_for "Copied the payload (15 bytes) to tmux's clipboard (set-clipboard on)"
buffer_is "$T_DIR/blob"

search "topic"
wait_for "dev/é topic"
keys y
printf 'dev/\xc3\xa9 topic' >"$T_DIR/want"
buffer_is "$T_DIR/want"

# w: the payload as stored, byte for byte; an existing file is never overwritten.
search "dev/blob"
keys w
wait_for "write payload to file: blob.bin"
keys C-u
keys -l "$T_DIR/out.bin"
keys Enter
wait_for "Wrote 15 bytes to $T_DIR/out.bin"
cmp -s "$T_DIR/out.bin" "$T_DIR/blob" || fail "the written file differs from the payload"
keys w
keys C-u
keys -l "$T_DIR/out.bin"
keys Enter
wait_for "File exists (not overwritten)"

# z: the screen stands still, the count of what arrives meanwhile grows, z again applies it all.
keys z
wait_line "PAUSED \+0 "
pub dev/new 'fresh'
pub dev/new 'fresher'
pub dev/blob 'changed'
wait_line "PAUSED \+3 "
screen | grep -q "new = " && fail "a topic that arrived during the pause is shown"
screen | grep -q "changed" && fail "a value that arrived during the pause is shown"
keys z
wait_for "Resumed: 3 messages arrived during the pause"
wait_line "^ +new = fresher"
wait_line "^ +blob = changed"
wait_gone "PAUSED"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
stop_ui

# tmux as it comes (set-clipboard external): an application's OSC 52 goes nowhere. At 80x24 the
# reason is on the bottom lines, whole, and the paste buffers stay empty. (Run from T_DIR, so a
# relative file name below lands there.)
cd "$T_DIR" || fail "cd"
T_TMUX_EXTRA='' T_COLS=80 T_ROWS=24 start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "dev (2 topics"
search "dev/blob"
wait_line "│dev/blob *$"
keys y
wait_line "^Not copied: tmux drops OSC 52 with set-clipboard external: set -g set-clipboard$"
wait_line "^on in tmux.conf makes it copy$"
check_edges
tmux -S "$T_SOCK" list-buffers 2>/dev/null | grep -q . && fail "tmux holds a paste buffer"
screen | grep -q "Copied" && fail "a copy was claimed"

# w: typing replaces the suggested name (nothing appended to it); the notice names the file by
# its absolute path.
keys w
wait_for "write payload to file: blob.bin"
keys -l "typed.bin"
keys Enter
wait_for "Wrote 15 bytes to $T_DIR/typed.bin"
cmp -s "$T_DIR/typed.bin" "$T_DIR/blob" || fail "typed.bin differs from the payload"
check_edges

# With passthrough allowed, the sequence goes through tmux to the terminal: said as that.
tmux -S "$T_SOCK" set -g allow-passthrough on
keys y
wait_for "Copied the topic (8 bytes) through tmux to the terminal (allow-passthrough)"
check_edges
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
