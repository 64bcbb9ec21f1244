#!/usr/bin/env bash
# Passwords stay secret in the TUI, `mqscope pub` and `mqscope sim`: never in /proc/PID/cmdline
# (-P, -L user:password@, --proxy), /proc/PID/environ (MQSCOPE_PASSWORD) or an error message;
# the processes are not dumpable and make no core file; the -P - prompt keeps echo off after
# Ctrl-Z and fg.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
SECRET=hunter2-$$

# A listener that takes connections and never answers: every client stays connecting.
rm -f "$T_DIR/port"
python3 "$(dirname "$0")/../helpers/first_bytes.py" "$T_DIR/first" --hold --port-file "$T_DIR/port" &
bg_pid $!
poll_until 30 "the listener" test -s "$T_DIR/port"
PORT=$(cat "$T_DIR/port")

# Run as another user (when we are root) a process's /proc files belong to root exactly when it
# is not dumpable: a copy of the binary they can run, and a wrapper that becomes them.
AS=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	PUB_DIR=$(mktemp -d /tmp/mqs-secrets.XXXXXX)
	trap 'rc=$?; for f in "$PUB_DIR"/asan*; do [ -e "$f" ] && mv "$f" "$T_DIR/"; done; rm -rf "$PUB_DIR"; (exit $rc); cleanup' EXIT
	chmod 755 "$PUB_DIR"
	cp "$MQSCOPE" "$PUB_DIR/mqscope"
	chmod 755 "$PUB_DIR/mqscope"
	export ASAN_OPTIONS="${ASAN_OPTIONS/log_path=$T_DIR\/asan/log_path=$PUB_DIR/asan}"
	chmod 1777 "$PUB_DIR"
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	BIN=$PUB_DIR/mqscope
	printf '#!/bin/sh\nexec %s "$@"\n' "${AS[*]}" >"$PUB_DIR/as-nobody"
	chmod 755 "$PUB_DIR/as-nobody"
else
	BIN=$MQSCOPE
fi

# connected PID: the process itself holds a TCP connection to the listener. Its own, not any
# line in $T_DIR/first: sim's device process reconnects on its own and can still write one
# for the sim just stopped, while the next one has not yet started up.
connected() {
	local port inodes
	port=$(printf ':%04X' "$PORT")
	inodes=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n')
	[ -n "$inodes" ] &&
		awk -v p="$port" '$3 ~ p "$" && $4 == "01" { print $10 }' /proc/net/tcp | grep -qxF "$inodes"
}

# check_process WHO PID: the secret is nowhere in its command line or environment; no core file,
# and (run as another user) not dumpable.
check_process() {
	local who=$1 pid=$2 uid
	[ -n "$pid" ] || fail "cannot find the process of $who"
	poll_until 30 "$who to connect" connected "$pid"
	tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qF "$SECRET" && fail "$who: the password is in /proc/$pid/cmdline"
	tr '\0' '\n' <"/proc/$pid/environ" | grep -qF "$SECRET" && fail "$who: the password is in /proc/$pid/environ"
	grep -qE '^Max core file size +0 +0 ' "/proc/$pid/limits" || fail "$who: core files allowed: $(grep core "/proc/$pid/limits")"
	if [ ${#AS[@]} -gt 0 ]; then
		uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")
		[ "$uid" = 65534 ] || fail "$who does not run as nobody (uid $uid)"
		[ "$(stat -c %u "/proc/$pid/status")" = 0 ] || fail "$who is dumpable"
	fi
	log "$who: no password in cmdline or environ, core size 0$([ ${#AS[@]} -gt 0 ] && echo ', not dumpable')"
}

# run_bg ARGS: mqscope pub or sim in the background, its PID in BG (and its stderr in $T_DIR/bg.err).
run_bg() {
	"${AS[@]}" env MQSCOPE_PASSWORD="$SECRET" "$BIN" "$@" 2>>"$T_DIR/bg.err" &
	BG=$!
	bg_pid "$BG"
}
stop_bg() {
	kill "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
}

# tui ARGS: the TUI in the test's pane (as nobody when root), started or respawned.
tui() {
	local run=$MQSCOPE
	[ ${#AS[@]} -gt 0 ] && run=$PUB_DIR/as-nobody
	if [ -S "$T_SOCK" ]; then
		MQSCOPE=$run respawn_ui "$@"
	else
		MQSCOPE=$run start_ui "$@"
	fi
}

# The TUI: -P, and MQSCOPE_PASSWORD in its environment.
[ ${#AS[@]} -gt 0 ] && set -- "$BIN" || set --
tui "$@" -h 127.0.0.1 -p "$PORT" -u alice -P "$SECRET"
wait_for "connecting"
check_process "TUI -P" "$(pgrep -P "$UI_PID" | head -1)"
keys q
wait_exit >/dev/null
T_ENV="MQSCOPE_PASSWORD=$SECRET" tui "$@" -h 127.0.0.1 -p "$PORT" -u alice
wait_for "connecting"
check_process "TUI MQSCOPE_PASSWORD" "$(pgrep -P "$UI_PID" | head -1)"
keys q
wait_exit >/dev/null
screen | grep -qF "$SECRET" && fail "the password is on screen"

# pub and sim: -P, -L user:password@, --proxy user:password@, MQSCOPE_PASSWORD.
for cmd in pub sim; do
	extra=()
	[ $cmd = pub ] && extra=(-t x -m y)
	run_bg $cmd -h 127.0.0.1 -p "$PORT" -u alice -P "$SECRET" "${extra[@]}"
	check_process "$cmd -P" "$BG"
	stop_bg
	run_bg $cmd -L "mqtt://alice:$SECRET@127.0.0.1:$PORT/" "${extra[@]}"
	check_process "$cmd -L" "$BG"
	stop_bg
	run_bg $cmd -h 127.0.0.1 -p "$PORT" -u alice "${extra[@]}"
	check_process "$cmd MQSCOPE_PASSWORD" "$BG"
	stop_bg
done
grep -qF "$SECRET" "$T_DIR/bg.err" && fail "an error message shows the password: $(cat "$T_DIR/bg.err")"

# Error messages show a URL with *** for its password.
for cmd in "" pub sim; do
	for bad in "-L mqtts://alice:$SECRET@broker:88x3/" "--proxy socks5h://u:$SECRET@proxy:99x" \
		"--password=$SECRET"; do
		# shellcheck disable=SC2086
		"$MQSCOPE" $cmd $bad </dev/null >"$T_DIR/out" 2>&1
		grep -qF "$SECRET" "$T_DIR/out" && fail "mqscope $cmd $bad printed: $(cat "$T_DIR/out")"
		case "$bad" in
		-L*) grep -qF "'mqtts://alice:***@broker:88x3/' has a bad port" "$T_DIR/out" ;;
		--proxy*) grep -qF "'socks5h://u:***@proxy:99x' has a bad port" "$T_DIR/out" ;;
		*) grep -qF "unknown option '--password'" "$T_DIR/out" ;;
		esac || fail "mqscope $cmd: $(cat "$T_DIR/out")"
	done
done
log "bad URLs: the password shown as ***"

# -P -: echo stays off after Ctrl-Z and fg. A shell with job control in a fresh pane.
stop_ui
tmux -S "$T_SOCK" -f "$T_DIR/tmux.conf" new-session -d -s t -x 100 -y 30 \
	"env -i PATH='$PATH' HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' TERM=xterm-256color \
	LANG=C.UTF-8 LC_ALL=C.UTF-8 ASAN_OPTIONS='$ASAN_OPTIONS' UBSAN_OPTIONS='$UBSAN_OPTIONS' \
	MQSCOPE_TEST_MARK='$MQSCOPE_TEST_MARK' MQSCOPE_SUITE_MARK='${MQSCOPE_SUITE_MARK:-}' \
	PS1='sh\$ ' bash --norc --noprofile -i"
UI_PID=$(tmux -S "$T_SOCK" list-panes -t t -F '#{pane_pid}')
tty=$(tmux -S "$T_SOCK" display-message -p -t t '#{pane_tty}')
wait_for 'sh$'
echo_is() { stty -a -F "$tty" | tr ' ' '\n' | grep -qx -- "$1"; }
keys -l "$(printf '%q' "$MQSCOPE") -h 127.0.0.1 -p $PORT -u alice -P - 2>>$T_DIR/stderr"
keys Enter
wait_for "Password for alice at 127.0.0.1:$PORT:"
pid=$(pgrep -P "$UI_PID" | head -1)
[ -n "$pid" ] || fail "cannot find mqscope under the shell"
poll_until 30 "echo off at the prompt" echo_is -echo
keys -l "abc"
keys C-z
wait_for "Stopped"
keys -l "fg"
keys Enter
poll_until 30 "echo off again after fg" echo_is -echo
# What was typed before the stop was flushed: the prompt asks again.
poll_until 30 "the prompt again" test "$(screen | grep -c "Password for alice at")" -ge 2
keys -l "def"
keys Enter
wait_for "connecting"
keys q
wait_pid_gone "$pid" 30 || fail "mqscope did not quit"
wait_for 'sh$'
screen | grep -qE "abc|def" && fail "part of the password was echoed: $(screen)"
log "-P -: nothing echoed before or after Ctrl-Z and fg"
pass
