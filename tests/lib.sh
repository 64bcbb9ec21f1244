# lib.sh: helpers for screen tests. Each test owns its broker, port, tmux server and temp dir.
# Every wait polls for a condition with a deadline; nothing sleeps a fixed time to "let things settle".
set -u

MQSCOPE=${MQSCOPE:?set MQSCOPE to the mqscope binary}
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mqscope-test.XXXXXX")
T_SOCK="$T_DIR/tmux.sock"
T_NAME=$(basename "$0" .sh)
BROKER_PID=
BROKER_PORT=
T_FAILED=0
T_PIDS=
# Everything this test starts (broker, tmux server, mqscope, publishers) inherits this mark, so
# cleanup can tell whether any of it outlived the test (tests/helpers/leftovers.py).
export MQSCOPE_TEST_MARK="$T_NAME.$$.$(date +%s%N)"
T_HELPERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/helpers"
export ASAN_OPTIONS="log_path=$T_DIR/asan:detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

log() { printf '[%s] %s\n' "$T_NAME" "$*"; }

fail() {
	log "FAIL: $*"
	if [ -S "$T_SOCK" ]; then
		log "screen was:"
		tmux -S "$T_SOCK" capture-pane -p -t t 2>/dev/null | sed 's/^/    |/'
	fi
	T_FAILED=1
	exit 1
}

# hurry: signals everything the test started to stop, without waiting for any of it.
hurry() {
	local spid
	spid=$(tmux -S "$T_SOCK" display-message -p '#{pid}' 2>/dev/null)
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	for p in $T_PIDS ${SUB_PIDS:-} $BROKER_PID; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
}

cleanup() {
	local rc=$?
	if [ -S "$T_SOCK" ]; then
		tmux -S "$T_SOCK" kill-server 2>/dev/null
	fi
	if [ -n "${UI_PID:-}" ]; then
		wait_pid_gone "$UI_PID" 5 || kill -KILL "$UI_PID" 2>/dev/null
	fi
	for p in $T_PIDS; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if declare -F stop_subs >/dev/null; then stop_subs; fi # publib.sh's subscribers
	stop_broker
	# Whatever the test started must be gone: mqscope (which may take a while to exit under a
	# sanitizer, and must have written its report first), the demo broker it ran, any helper.
	if ! python3 "$T_HELPERS/leftovers.py" "MQSCOPE_TEST_MARK=$MQSCOPE_TEST_MARK" --wait 30 --stop \
		>"$T_DIR/leftovers" 2>&1; then
		log "processes the test started were still running 30 s after it ended (now stopped):"
		sed 's/^/    /' "$T_DIR/leftovers"
		rc=1
	fi
	for f in "$T_DIR"/asan*; do
		[ -e "$f" ] || continue
		log "sanitizer report in $f:"
		sed 's/^/    /' "$f"
		rc=1
	done
	# mqscope's stderr: sanitizer reports land here (UBSan ignores log_path under ASan).
	if [ -s "$T_DIR/stderr" ]; then
		if grep -qE "runtime error|Sanitizer|==ERROR" "$T_DIR/stderr"; then
			log "sanitizer report on stderr:"
			rc=1
		else
			log "mqscope wrote to stderr:"
		fi
		sed 's/^/    /' "$T_DIR/stderr"
	fi
	rm -rf "$T_DIR"
	exit $rc
}
trap cleanup EXIT
# Stopped from outside (meson's timeout sends SIGTERM to the test's process group, then SIGKILL
# half a second later): tell everything to stop at once, then clean up as on any exit. The
# tmux server and mqscope are not in the test's process group.
trap 'hurry; exit 143' TERM
trap 'hurry; exit 130' INT
trap 'hurry; exit 129' HUP

now_ms() { date +%s%3N; }

# bg_pid PID: a helper started in the background (publisher, idle client), stopped by PID at exit.
bg_pid() { T_PIDS="$T_PIDS $1"; }

# stop_helpers: stops the helpers of bg_pid now, by PID, and waits for them.
stop_helpers() {
	for p in $T_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	T_PIDS=
}

# free_port: a loopback port nobody listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

mosquitto_bin() {
	command -v mosquitto 2>/dev/null || { [ -x /usr/sbin/mosquitto ] && echo /usr/sbin/mosquitto; }
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# takes_publish PORT: a QoS 1 publish (MQTT 3.1.1, to a topic no test reads) is acknowledged by
# the broker on PORT. A listening port alone does not prove the broker serves MQTT yet.
takes_publish() {
	mosquitto_pub -h 127.0.0.1 -p "$1" -V mqttv311 -q 1 -t mqscope-test/ready -m 1 2>/dev/null
}

# wait_pid_gone PID SECONDS
wait_pid_gone() {
	local deadline=$(($(now_ms) + $2 * 1000))
	while kill -0 "$1" 2>/dev/null; do
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# start_broker [extra config lines]: mosquitto on a free loopback port (BROKER_PORT if set),
# stopped by PID at exit. A test holds one broker at a time: stop_broker before starting another.
start_broker() {
	local bin tries=0 fixed=${BROKER_PORT:-}
	if [ -n "$BROKER_PID" ] && kill -0 "$BROKER_PID" 2>/dev/null; then
		fail "start_broker: this test's broker (PID $BROKER_PID) still runs; stop_broker first"
	fi
	BROKER_PID=
	bin=$(mosquitto_bin) || fail "mosquitto not installed"
	while :; do
		BROKER_PORT=${BROKER_PORT:-$(free_port)}
		cat >"$T_DIR/mosquitto.conf" <<-EOF
			listener $BROKER_PORT 127.0.0.1
			allow_anonymous true
			persistence false
			log_dest file $T_DIR/mosquitto.log
			${1:-}
		EOF
		"$bin" -c "$T_DIR/mosquitto.conf" >/dev/null 2>&1 &
		BROKER_PID=$!
		local deadline=$(($(now_ms) + 10000))
		while ! port_open "$BROKER_PORT"; do
			if ! kill -0 "$BROKER_PID" 2>/dev/null || [ "$(now_ms)" -ge "$deadline" ]; then
				break
			fi
			sleep 0.02
		done
		port_open "$BROKER_PORT" && return 0
		stop_broker
		tries=$((tries + 1))
		[ $tries -ge 5 ] && fail "mosquitto did not start (see $T_DIR/mosquitto.log)"
		BROKER_PORT=$fixed # a port the test chose is kept; a free one may have been taken
	done
}

# start_ws_broker [extra config lines]: start_broker with a websockets listener on WS_PORT and a
# TLS one on WSS_PORT (server.crt and server.key of make_certs) beside its TCP one. As "user root":
# a broker started as root otherwise drops to "mosquitto" and cannot read $T_DIR.
start_ws_broker() {
	WS_PORT=$(free_port)
	WSS_PORT=$(free_port)
	start_broker "user root
${1:-}
listener $WS_PORT 127.0.0.1
protocol websockets
listener $WSS_PORT 127.0.0.1
protocol websockets
certfile $T_DIR/server.crt
keyfile $T_DIR/server.key"
	poll_until 10 "mosquitto's websockets listeners" port_open "$WSS_PORT"
}

stop_broker() {
	if [ -n "$BROKER_PID" ]; then
		kill -CONT "$BROKER_PID" 2>/dev/null # a test may have paused it
		kill "$BROKER_PID" 2>/dev/null
		wait_pid_gone "$BROKER_PID" 5 || kill -KILL "$BROKER_PID" 2>/dev/null
		wait "$BROKER_PID" 2>/dev/null
		BROKER_PID=
	fi
}

# pub TOPIC PAYLOAD [mosquitto_pub options...]
pub() {
	local t=$1 m=$2
	shift 2
	mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$t" -m "$m" "$@" || fail "mosquitto_pub $t"
}

# start_ui [mqscope args...]: runs mqscope in a private tmux server, 100x30 unless T_COLS/T_ROWS say otherwise;
# T_TERM and T_LANG change the terminal type and locale, T_ENV adds "NAME=value ..." to its environment.
# T_TMUX_EXTRA holds more tmux.conf lines.
start_ui() {
	local cols=${T_COLS:-100} rows=${T_ROWS:-30}
	# remain-on-exit keeps the last screen readable after mqscope quits
	printf 'set -g remain-on-exit on\nset -g status off\n%s\n' "${T_TMUX_EXTRA:-}" >"$T_DIR/tmux.conf"
	tmux -S "$T_SOCK" -f "$T_DIR/tmux.conf" new-session -d -s t -x "$cols" -y "$rows" \
		"$(ui_command "$@")"
	UI_PID=$(tmux -S "$T_SOCK" list-panes -t t -F '#{pane_pid}')
}

# ui_command [mqscope args...]: the pane's command line that runs mqscope (start_ui, respawn_ui).
ui_command() {
	local cmd=""
	for a in "$MQSCOPE" "$@"; do cmd="$cmd $(printf '%q' "$a")"; done
	echo "env TERM=${T_TERM:-xterm-256color} LANG=${T_LANG:-C.UTF-8} LC_ALL=${T_LANG:-C.UTF-8} ${T_ENV:-} ASAN_OPTIONS='$ASAN_OPTIONS' UBSAN_OPTIONS='$UBSAN_OPTIONS' $cmd 2>>$T_DIR/stderr; echo \$? > $T_DIR/exit"
}

# respawn_ui [mqscope args...]: a new mqscope in the pane of start_ui, in place of the one there
# (ended if still running). Quicker than stop_ui and start_ui: the tmux server stays.
respawn_ui() {
	rm -f "$T_DIR/exit"
	tmux -S "$T_SOCK" respawn-pane -k -t t "$(ui_command "$@")" || fail "tmux respawn-pane"
	UI_PID=$(tmux -S "$T_SOCK" list-panes -t t -F '#{pane_pid}')
}

# stop_ui: ends this test's tmux server and waits until it is gone, so start_ui can run again
# (a new session started while the old server is still exiting fails).
stop_ui() {
	local spid
	spid=$(tmux -S "$T_SOCK" display-message -p '#{pid}' 2>/dev/null)
	tmux -S "$T_SOCK" kill-server 2>/dev/null
	[ -n "$spid" ] && { wait_pid_gone "$spid" 5 || fail "tmux server $spid did not exit"; }
	[ -n "${UI_PID:-}" ] && { wait_pid_gone "$UI_PID" 5 || kill -KILL "$UI_PID" 2>/dev/null; }
	rm -f "$T_SOCK" "$T_DIR/exit"
	UI_PID=
}

# search TEXT: / TEXT Enter in mqscope.
search() {
	keys /
	keys -l "$1"
	keys Enter
}

screen() { tmux -S "$T_SOCK" capture-pane -p -t t; }

# keys KEY...: tmux send-keys (names like Enter, Down, Escape; -l for literal text)
keys() { tmux -S "$T_SOCK" send-keys -t t "$@"; }

# poll_until SECONDS WHAT CMD...: runs CMD every 50 ms until it succeeds; fails with WHAT at the deadline.
poll_until() {
	local seconds=$1 what=$2
	shift 2
	within "$seconds" "$@" || fail "timed out waiting for $what"
}

# within SECONDS CMD...: whether CMD succeeds within SECONDS (polled every 50 ms); never fails
# the test, for conditions that may rightly not come (the caller tries something else).
within() {
	local deadline=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

screen_has() { screen | grep -qF -- "$1"; }
screen_lacks() { ! screen | grep -qF -- "$1"; }
screen_matches() { screen | grep -qE -- "$1"; }

# The waits give up after 30 s unless told otherwise: far more than a quiet machine needs, so a
# busy one (sanitizers, other builds) never fails a test that is right.
# wait_for TEXT [SECONDS]: until the screen shows TEXT (fixed string).
wait_for() { poll_until "${2:-30}" "'$1'" screen_has "$1"; }

# wait_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
wait_gone() { poll_until "${2:-30}" "'$1' to go away" screen_lacks "$1"; }

# wait_line REGEX [SECONDS]: until some screen line matches the extended regex.
wait_line() { poll_until "${2:-30}" "a line matching /$1/" screen_matches "$1"; }

# wait_exit [SECONDS]: until mqscope has exited; prints its exit status.
wait_exit() {
	local deadline=$(($(now_ms) + ${1:-30} * 1000))
	until [ -s "$T_DIR/exit" ]; do
		[ "$(now_ms)" -ge "$deadline" ] && fail "mqscope did not exit"
		sleep 0.05
	done
	cat "$T_DIR/exit"
}

# selected_line: the screen line drawn with the selection colour (reverse video or a background).
selected_line() {
	tmux -S "$T_SOCK" capture-pane -p -e -t t | grep -E $'\x1b\\[([0-9]+;)*(7|46|47)(;[0-9]+)*m' | head -1 |
		sed -E $'s/\x1b\\[[0-9;]*m//g'
}

# selected_has TEXT: whether the selected row holds TEXT.
selected_has() { selected_line | grep -qF -- "$1"; }

# wait_selected TEXT [SECONDS]: until the selected row contains TEXT.
wait_selected() { poll_until "${2:-30}" "'$1' to be selected" selected_has "$1"; }

# select_topic TOPIC: selects the tree row of TOPIC (searching from the first row).
# The topic may not be in the tree yet (a retained message still on its way): search again until
# it is, rather than once.
select_topic() {
	local deadline=$(($(now_ms) + 30000))
	until keys Home && search "$1" && within 2 selected_has "${1##*/}"; do
		[ "$(now_ms)" -ge "$deadline" ] && fail "timed out waiting for '${1##*/}' to be selected"
	done
}

# sort_through ORDER...: presses o once for each ORDER, waiting each time for "Sorted by ORDER": the
# sort orders come in turn ("rate", "messages", "last update", "silence", "name").
sort_through() {
	local order
	for order in "$@"; do
		keys o
		wait_for "Sorted by $order"
	done
}

pass() {
	log "PASS"
	exit 0
}

# start_ui_raw [mqscope args...]: start_ui with the pane's raw output (every byte mqscope writes to
# the terminal, from the first) appended to $T_DIR/raw. mqscope is held back until the pipe is open.
start_ui_raw() {
	local real=$MQSCOPE
	cat >"$T_DIR/hold.sh" <<-EOF2
		#!/bin/sh
		i=0
		while [ ! -e "$T_DIR/go" ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
		exec "\$@"
	EOF2
	chmod +x "$T_DIR/hold.sh"
	rm -f "$T_DIR/go"
	MQSCOPE="$T_DIR/hold.sh" start_ui "$real" "$@"
	tmux -S "$T_SOCK" pipe-pane -o -t t "cat >>'$T_DIR/raw'" || fail "tmux pipe-pane"
	touch "$T_DIR/go"
}

# termscan [--exited] [--drawn TEXT]... [--absent TEXT]...: checks $T_DIR/raw (see helpers/termscan.py).
termscan() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/helpers/termscan.py" "$T_DIR/raw" "$@" ||
		fail "raw terminal output is not clean (above)"
}

# mqscope_pid: the PID of mqscope itself (the pane runs it under a shell), once it runs.
mqscope_pid() {
	local deadline=$(($(now_ms) + 10000)) p exe real
	real=$(readlink -f "$MQSCOPE")
	while :; do
		for p in $(pgrep -P "$UI_PID" 2>/dev/null); do
			exe=$(readlink -f "/proc/$p/exe" 2>/dev/null)
			[ "$exe" = "$real" ] && { echo "$p"; return 0; }
		done
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# pace RATE SECONDS TOPIC: publishes RATE messages a second for at most SECONDS (one client).
# One process to stop: the mosquitto_pub it feeds goes with it.
pace() {
	python3 -c '
import signal, subprocess, sys, time
rate, secs = float(sys.argv[1]), float(sys.argv[2])
pub = subprocess.Popen(["mosquitto_pub", "-h", "127.0.0.1", "-p", sys.argv[3], "-t", sys.argv[4],
                        "-l"], stdin=subprocess.PIPE, text=True)
def stop(*_):
    pub.terminate()
    pub.wait()
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
start, n = time.monotonic(), 0
while time.monotonic() - start < secs:
    n += 1
    print(n, file=pub.stdin, flush=True)
    d = start + n / rate - time.monotonic()
    if d > 0:
        time.sleep(d)
pub.stdin.close()
pub.wait()
' "$1" "$2" "$BROKER_PORT" "$3" &
	bg_pid $!
}

# check_edges: fails when the status line (the first) or the bottom line (the last) ends mid-word:
# a letter or digit in the last column is a word the edge cut off.
check_edges() {
	local cols
	cols=$(tmux -S "$T_SOCK" display-message -p -t t '#{pane_width}')
	screen | python3 -c '
import sys
cols = int(sys.argv[1])
lines = sys.stdin.read().split("\n")[:-1]  # one line per row
for name, line in (("status", lines[0]), ("bottom", lines[-1])):
    if len(line) >= cols and line[cols - 1].isalnum():
        print("the %s line ends mid-word: %r" % (name, line))
        sys.exit(1)
' "$cols" || fail "a line cut mid-word"
}

# make_certs [DIR [NAMES]]: a CA (ca.crt) and a server certificate (server.crt, server.key) in
# DIR (default $T_DIR) for NAMES (default DNS:localhost,IP:127.0.0.1), readable by a broker that
# drops to its own user.
make_certs() {
	local d=${1:-$T_DIR} names=${2:-DNS:localhost,IP:127.0.0.1}
	(
		cd "$d" || exit 1
		ec() { openssl ecparam -name prime256v1 -genkey -noout -out "$1"; }
		ec ca.key && openssl req -x509 -new -key ca.key -subj "/CN=test CA" -days 2 -out ca.crt &&
			ec server.key && openssl req -new -key server.key -subj /CN=localhost -out server.csr &&
			printf 'subjectAltName=%s\n' "$names" >san.ext &&
			openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
				-extfile san.ext -out server.crt && chmod 644 ca.crt server.crt server.key
	) >/dev/null 2>&1 || fail "openssl could not make the certificates"
}
