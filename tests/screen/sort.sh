#!/usr/bin/env bash
# Rates and ages on rows; o sorts by rate so a 100 msg/s topic goes above a 1 msg/s one; rows that
# just changed are highlighted, and the highlight goes once they stop changing.
. "$(dirname "$0")/../lib.sh"

start_broker
pub rates/idle 'still' -r

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
[ "$(row '^ +a-slow = ')" -lt "$(row '^ +z-fast = ')" ] || fail "not in name order"

# The fast topic's row shows its rate (tens to a hundred a second) and an age of "now".
wait_line "^ +z-fast = [0-9]+ +[0-9]{2,3}/s +now"

keys o
wait_for "Sorted by rate, highest first"
wait_line "sort rate"
deadline=$(($(now_ms) + 20000))
until [ "$(row '^ +z-fast = ')" -lt "$(row '^ +a-slow = ')" ]; do
	[ "$(now_ms)" -ge "$deadline" ] && fail "z-fast did not go above a-slow"
	sleep 0.1
done
# idle has no rate: it sorts last.
[ "$(row '^ +idle ® = ')" -gt "$(row '^ +a-slow = ')" ] || fail "idle is not last"

# The fast row is highlighted while it changes (the "changed" colour: bold yellow)...
styled() { tmux -S "$T_SOCK" capture-pane -p -e -t t | grep -E "$1"; }
deadline=$(($(now_ms) + 20000))
until styled 'z-fast' | grep -qE $'\x1b\\[(1;)?33(;1)?m(\x1b\\[[0-9;]*m)*z-fast'; do
	[ "$(now_ms)" -ge "$deadline" ] && fail "z-fast is not highlighted: $(styled z-fast | cat -v)"
	sleep 0.1
done
# ...and not once it stops: the fade needs a timer, which must fire without any new message.
for p in $T_PIDS; do
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
T_PIDS=
deadline=$(($(now_ms) + 20000))
while styled 'z-fast' | grep -qE $'\x1b\\[(1;)?33(;1)?m(\x1b\\[[0-9;]*m)*z-fast'; do
	[ "$(now_ms)" -ge "$deadline" ] && fail "z-fast is still highlighted"
	sleep 0.1
done
# The age keeps counting on its own too (and a topic that stopped is said to be silent).
wait_line "^ +z-fast( silent)? = [0-9]+ .* ([2-9]|[1-5][0-9])s"

keys o
wait_for "Sorted by messages"
keys o
wait_for "Sorted by last update"
keys o
wait_for "Sorted by silence"
keys o
wait_for "Sorted by name"
wait_gone "sort name"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
