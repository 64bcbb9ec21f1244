#!/usr/bin/env bash
# Bounded memory under any input: a 256 MB payload is kept cut to payload_cap with its real size
# shown; 65,535-byte topics past the names budget, and a million topics past max_topics, are
# refused and counted in the status bar; the process's peak memory stays within the configured
# bounds plus a fixed margin.
. "$(dirname "$0")/../lib.sh"

cat >"$T_DIR/mqscope.conf" <<'EOF'
ui = {
  payload_cap = "1M";
  memory_budget = "8M";
  max_topics = 200000;
  ring_bytes = "4M";
};
EOF

start_broker
export T_COLS=200 # every bound's segment on the status bar
start_ui --config "$T_DIR/mqscope.conf" -h 127.0.0.1 -p "$BROKER_PORT" -t '#'
wait_for "connected"
mqs=$(pgrep -P "$UI_PID" | head -1)
[ -n "$mqs" ] || fail "no mqscope process"
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$mqs/status"; }
base_kb=$(kb VmRSS)

# The largest payload a broker can pass to an MQTT 5 client (the length field tops out at 256 MB).
yes 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' | head -c 268000000 |
	mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -t big/blob -s || fail "publish 256 MB"
wait_for "payload_cap: 1 cut" 60
select_topic big/blob
wait_for "truncated: showing 1.0 MiB of 255.6 MiB"
wait_for "size 255.6 MiB"
after_big_kb=$(kb VmHWM)
log "peak RSS: ${base_kb} kB at start, ${after_big_kb} kB after the 256 MB payload"
if ! ldd "$MQSCOPE" | grep -qE 'libasan|libtsan'; then
	[ "$after_big_kb" -le $((base_kb + 2 * 1024 + 4 * 1024 + 32 * 1024)) ] ||
		fail "the 256 MB payload took the peak RSS to ${after_big_kb} kB"
fi

# 200 levels (the most mosquitto passes on), and topics as long as MQTT allows: 8 MiB of names
# holds about 128 of them, the rest are refused and counted.
deep=$(python3 -c 'print("deep/" + "/".join("l%d" % i for i in range(199)), end="")')
pub "$deep" 'two hundred levels'
for i in $(seq 1 150); do
	long=$(printf 'long/%03d/%s' "$i" "$(head -c 65526 /dev/zero | tr '\0' x)")
	mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$long" -m "v$i" || fail "publish long $i"
done
wait_line "names over memory_budget: [0-9,]+ refused" 60
wait_for "long ("
wait_for "deep (1 topic"

# Past memory_budget (8 MiB of values), history is given up: said, and the values still update.
for i in $(seq 1 12); do
	head -c 1000000 /dev/zero | tr '\0' "$(printf "\\$(printf %03o $((96 + i)))")" |
		mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -t big/blob -s || fail "publish 1 MB $i"
	# One at a time: a slow (sanitized) build must not meet ring_bytes instead.
	wait_line "messages $((i + 1))( |$)" 60
done
wait_line "memory_budget: [0-9,]+ values dropped or cut"
wait_for "blob = llllllll"

kill -0 "$mqs" || fail "mqscope died"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
stop_ui

# A million distinct topics: 200,000 nodes are kept, the messages for the rest are refused.
# Sanitized builds (whose memory is not checked below) take 300,000, still past the bound, in a
# third of the time.
topics=1000000
ldd "$MQSCOPE" | grep -qE 'libasan|libtsan' && topics=300000
start_ui --config "$T_DIR/mqscope.conf" -h 127.0.0.1 -p "$BROKER_PORT" -t 'sensors/#'
wait_for "connected"
mqs=$(pgrep -P "$UI_PID" | head -1)
[ -n "$mqs" ] || fail "no mqscope process"
base_kb=$(kb VmRSS)
start=$(now_ms)
"$MQSCOPE_FLOOD" -p "$BROKER_PORT" -T "$topics" -n "$topics" -s 8 >"$T_DIR/flood.out" ||
	fail "flood: $(cat "$T_DIR/flood.out")"
log "flood: $(cat "$T_DIR/flood.out")"
wait_line "max_topics 200,000: [0-9,]+ refused" 60
log "refused after $(($(now_ms) - start)) ms: $(screen | head -1)"

# Still answering keys.
keys '?'
wait_for "mqscope keys"
keys Escape
wait_gone "mqscope keys"
kill -0 "$mqs" || fail "mqscope died"

# Peak memory: the configured bounds (ring, payload and names budget, nodes for max_topics at
# ~300 bytes each) plus a fixed 64 MiB margin. Sanitizers bring their own allocator: not there.
peak_kb=$(kb VmHWM)
limit_kb=$((base_kb + 4 * 1024 + 3 * 8 * 1024 + 200000 * 300 / 1024 + 64 * 1024))
log "peak RSS ${peak_kb} kB, limit ${limit_kb} kB"
if ldd "$MQSCOPE" | grep -qE 'libasan|libtsan'; then
	log "sanitizer build: memory bound not checked"
else
	[ "$peak_kb" -le "$limit_kb" ] || fail "peak RSS ${peak_kb} kB over the bound ${limit_kb} kB"
fi

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
