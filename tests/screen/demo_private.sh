#!/usr/bin/env bash
# The demo broker is the user's alone: no TCP port, a socket in a 0700 directory, a password made
# for the run; another user cannot reach it, a login without the password is refused. After
# kill -9 of mqscope no broker or simulator is left running (as root too), and the directory
# left behind is removed by the next start; quitting removes it at once.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
# The demo's directory goes in TMPDIR: a short one of the test's own.
TMPDIR=$(mktemp -d /tmp/mqd.XXXXXX)
export TMPDIR
trap 'rc=$?; rm -rf "$TMPDIR"; (exit $rc); cleanup' EXIT

start_ui
wait_for "house (9 topics" 30
DEMO_DIR=$(screen | head -1 | grep -oE 'demo /[^ ]+' | cut -d' ' -f2)
case "$DEMO_DIR" in "$TMPDIR"/mqscope-demo-*) ;; *) fail "demo directory '$DEMO_DIR'" ;; esac
[ "$(stat -c %a "$DEMO_DIR")" = 700 ] || fail "the demo directory is not 0700"
SOCK=$DEMO_DIR/mqtt.sock PW=$(cat "$DEMO_DIR/password")

mqs=$(mqscope_pid) || fail "cannot find the mqscope process"
broker= sim=
for p in $(pgrep -P "$mqs"); do
	case "$(readlink "/proc/$p/exe")" in
	*/mosquitto) broker=$p ;;
	*) sim=$p ;;
	esac
done
[ -n "$broker" ] && [ -n "$sim" ] || fail "demo broker and simulator are not children of mqscope"

# No TCP port: not one listening socket of the broker is in /proc/net/tcp or tcp6.
python3 - "$broker" <<'EOF' || fail "the demo broker listens on TCP"
import os, sys
pid = sys.argv[1]
inodes = set()
for fd in os.listdir(f"/proc/{pid}/fd"):
    t = os.readlink(f"/proc/{pid}/fd/{fd}")
    if t.startswith("socket:["):
        inodes.add(t[8:-1])
for f in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(f).read().splitlines()[1:]:
        w = line.split()
        if w[3] == "0A" and w[9] in inodes:  # LISTEN
            print("listening:", line)
            sys.exit(1)
EOF

# The password reaches the simulator in a file of the directory, not in its arguments.
for p in "$mqs" "$sim" "$broker"; do
	tr '\0' '\n' <"/proc/$p/cmdline" | grep -qF "$PW" && fail "process $p shows the password"
	tr '\0' '\n' <"/proc/$p/environ" | grep -qF "$PW" && fail "process $p has the password in its environment"
done

# With the password over the socket: the demo's state. Without it, or another one: refused.
[ "$(mosquitto_sub --unix "$SOCK" -u mqscope -P "$PW" -t house/bulbs/bulb1 -C 1 -W 20 -F '%r')" = 1 ] ||
	fail "the demo's own login does not work"
for who in "" "-u mqscope" "-u mqscope -P guess" "-u other -P $PW"; do
	# shellcheck disable=SC2086
	if mosquitto_sub --unix "$SOCK" $who -t '#' -C 1 -W 3 >"$T_DIR/out" 2>&1; then
		fail "a login with '$who' was let in"
	fi
	grep -q "not authori[sz]ed" "$T_DIR/out" || fail "login '$who': $(cat "$T_DIR/out")"
done
# Another user cannot even reach the socket, password or not.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	if setpriv --reuid=65534 --regid=65534 --clear-groups \
		mosquitto_sub --unix "$SOCK" -u mqscope -P "$PW" -t '#' -C 1 -W 3 >"$T_DIR/out" 2>&1; then
		fail "another user reached the demo broker"
	fi
	log "another user: $(head -1 "$T_DIR/out")"
else
	log "not root: another user's attempt is not tried"
fi

# kill -9: the broker and the simulator go with mqscope; the directory stays behind.
kill -KILL "$mqs"
wait_pid_gone "$broker" 30 || fail "the demo broker outlived mqscope (kill -9)"
wait_pid_gone "$sim" 30 || fail "the simulator outlived mqscope (kill -9)"
[ -d "$DEMO_DIR" ] || fail "the directory went with kill -9 (nothing could remove it)"
wait_exit >/dev/null

# The next start removes it, makes its own, and removes that one on quit.
respawn_ui
wait_for "house (9 topics" 30
NEW_DIR=$(screen | head -1 | grep -oE 'demo /[^ ]+' | cut -d' ' -f2)
[ "$NEW_DIR" != "$DEMO_DIR" ] || fail "the demo directory was reused"
[ -e "$DEMO_DIR" ] && fail "the stale demo directory $DEMO_DIR was not removed"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
[ -e "$NEW_DIR" ] && fail "the demo directory $NEW_DIR is still there after quit"
[ -z "$(ls "$TMPDIR")" ] || fail "left in TMPDIR: $(ls "$TMPDIR")"
pass
