# publib.sh: helpers for the publishing tests, on top of lib.sh (which must be sourced first).
# Background subscribers are real mosquitto_sub clients of the test's broker, stopped by PID.

SUB_PIDS=""

# mosq_args: sets MOSQ_ARGS to how mosquitto_sub reaches the test's broker: 127.0.0.1:BROKER_PORT,
# or with DEMO_DIR set, the private demo broker's socket and login.
mosq_args() {
	if [ -n "${DEMO_DIR:-}" ]; then
		MOSQ_ARGS=(--unix "$DEMO_DIR/mqtt.sock" -u mqscope -P "$(cat "$DEMO_DIR/password")")
	else
		MOSQ_ARGS=(-h 127.0.0.1 -p "$BROKER_PORT")
	fi
}

# bg_sub NAME MOSQUITTO_SUB_ARGS...: subscribes in the background; messages go to $T_DIR/NAME.out.
bg_sub() {
	local name=$1
	shift
	mosq_args
	mosquitto_sub "${MOSQ_ARGS[@]}" -W 120 "$@" >"$T_DIR/$name.out" 2>&1 &
	SUB_PIDS="$SUB_PIDS $!"
}

# sub_lines NAME: the number of lines a background subscriber has written.
sub_lines() { wc -l <"$T_DIR/$1.out"; }

# wait_sub NAME N [SECONDS]: until subscriber NAME has written at least N lines.
wait_sub() {
	local deadline=$(($(now_ms) + ${3:-30} * 1000))
	until [ "$(sub_lines "$1")" -ge "$2" ]; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			log "$1 received:"
			sed 's/^/    |/' "$T_DIR/$1.out"
			fail "timed out waiting for $2 lines from subscriber $1"
		fi
		sleep 0.05
	done
}

# sub_line NAME N: line N of what subscriber NAME received.
sub_line() { sed -n "${2}p" "$T_DIR/$1.out"; }

# retained_of TOPIC: the retained message of TOPIC as "retain-flag payload", from a fresh subscriber.
retained_of() {
	mosq_args
	mosquitto_sub "${MOSQ_ARGS[@]}" -t "$1" -C 1 -W 20 -F '%r %p' 2>/dev/null
}

# retained_count FILTER: exactly how many retained messages match FILTER (tests/helpers/retained.c).
retained_count() {
	"${MQSCOPE_RETAINED:?set MQSCOPE_RETAINED to the helper}" count "$BROKER_PORT" "$1" ||
		fail "cannot count retained messages under $1"
}

# stop_subs: ends the background subscribers (lib.sh's cleanup calls it too).
stop_subs() {
	for p in $SUB_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	SUB_PIDS=""
}
