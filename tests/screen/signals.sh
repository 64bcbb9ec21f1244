#!/usr/bin/env bash
# SIGTERM and SIGHUP end mqscope the clean way: curses is left (alternate screen off, cursor
# visible, keypad off), the demo broker and simulator are stopped, the recording is complete, the
# exit status is 128 + the signal, and the shell it ran from works as before. Closing the terminal
# (tmux kill-pane) ends it too, promptly.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"

# start_shell: a plain sh (no line editor to repair the terminal for us) in a tmux pane whose raw
# output goes to $T_DIR/raw. A terminal left in raw mode would not even run the next command.
start_shell() {
	printf 'set -g remain-on-exit on\nset -g status off\n' >"$T_DIR/tmux.conf"
	tmux -S "$T_SOCK" -f "$T_DIR/tmux.conf" new-session -d -s t -x 100 -y 30 \
		"env -i PATH='$PATH' HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' TERM=xterm-256color \
		LANG=C.UTF-8 LC_ALL=C.UTF-8 ASAN_OPTIONS='$ASAN_OPTIONS' UBSAN_OPTIONS='$UBSAN_OPTIONS' \
		LSAN_OPTIONS='${LSAN_OPTIONS:-}' MQSCOPE_TEST_MARK='$MQSCOPE_TEST_MARK' \
		MQSCOPE_SUITE_MARK='${MQSCOPE_SUITE_MARK:-}' PS1='sh\$ ' /bin/sh"
	UI_PID=$(tmux -S "$T_SOCK" list-panes -t t -F '#{pane_pid}')
	tmux -S "$T_SOCK" pipe-pane -o -t t "cat >>'$T_DIR/raw'" || fail "tmux pipe-pane"
	wait_for 'sh$'
}

# run_in_shell ARGS: types the mqscope command line; its exit status is printed as "exit=N".
run_in_shell() {
	local cmd="" a
	for a in "$MQSCOPE" "$@"; do cmd="$cmd $(printf '%q' "$a")"; done
	keys -l "$cmd 2>>$T_DIR/stderr; echo exit=\$?"
	keys Enter
}

# shell_works: the terminal is back in a state where a typed command runs and echoes.
shell_works() {
	keys -l 'echo ok-$((1+1))'
	keys Enter
	wait_for "ok-2"
	keys -l 'stty -a | tr " " "\n" | grep -xE "icanon|echo|icrnl|opost|isig" | tr "\n" " "; echo'
	keys Enter
	wait_for "icrnl opost isig icanon echo"
}

# ended_by SIGNAL STATUS: sends SIGNAL to mqscope (not to the shell), then checks it left cleanly.
ended_by() {
	local pid children rec=$T_DIR/rec-$1.jsonl
	rm -f "$T_DIR/raw" "$rec"
	start_shell
	run_in_shell --record "$rec"
	wait_for "demo /" 30
	wait_for "house (9 topics" 30
	pid=$(mqscope_pid) || fail "cannot find the mqscope process"
	children=$(pgrep -P "$pid" | tr '\n' ' ')
	[ -n "$children" ] || fail "demo broker and simulator are not children of mqscope"
	kill -"$1" "$pid"
	wait_pid_gone "$pid" 30 || fail "mqscope still runs 30 s after SIG$1"
	for c in $children; do
		wait_pid_gone "$c" 30 || fail "demo child $c outlived mqscope after SIG$1"
	done
	wait_for "exit=$2"
	shell_works
	termscan --exited --drawn "house (9 topics"
	# Every message taken in went to the file, whole lines only.
	[ -s "$rec" ] || fail "nothing recorded"
	[ "$(tail -c 1 "$rec" | od -An -c | tr -d ' ')" = '\n' ] || fail "last recorded line is cut"
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$rec" ||
		fail "recording is not JSON lines"
	stop_ui
}

ended_by TERM 143
ended_by HUP 129

# The terminal goes away (a closed SSH session): tmux closes the pane, the kernel hangs up.
start_broker
start_ui --record "$T_DIR/rec-close.jsonl" -h 127.0.0.1 -p "$BROKER_PORT" -t 'rec/#'
wait_for "connected"
for i in 1 2 3; do pub rec/n "$i"; done
wait_for "rec (1 topic, 3 msgs)"
pid=$(mqscope_pid) || fail "cannot find the mqscope process"
# A second window keeps the tmux server (and the test's view of it) alive.
tmux -S "$T_SOCK" new-window -d -t t 'sleep 60'
tmux -S "$T_SOCK" kill-pane -t t:0 || fail "tmux kill-pane"
if ! wait_pid_gone "$pid" 30; then
	cpu=$(ps -o %cpu= -p "$pid")
	fail "mqscope still runs 30 s after its terminal closed (CPU ${cpu}%)"
fi
[ "$(wc -l <"$T_DIR/rec-close.jsonl")" -eq 3 ] || fail "the recording lost messages at hang-up"
pass
