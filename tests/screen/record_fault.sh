#!/usr/bin/env bash
# A recording that cannot be written (a device, read-only file system, full disk, file size limit;
# at start or in the middle of a run) stops recording and says why, once. The file keeps
# only complete lines.
#
# In a private mount namespace (root, unshare -m), small and read-only tmpfs mounts give real
# ENOSPC and EROFS; without one, /sys stands in for the read-only place.
if [ -z "${MQS_OUTER_NS:-}" ] && unshare -m true 2>/dev/null; then
	MQS_OUTER_NS=$(readlink /proc/self/ns/mnt) exec unshare -m bash "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"

# A tmpfs we can mount here is ours alone (the namespace ends with the test).
can_mount=0
if [ -n "${MQS_OUTER_NS:-}" ] && [ "$(readlink /proc/self/ns/mnt)" != "$MQS_OUTER_NS" ] &&
	mkdir -p "$T_DIR/probe" &&
	mount -t tmpfs -o size=16k tmpfs "$T_DIR/probe" 2>/dev/null; then
	umount "$T_DIR/probe"
	can_mount=1
fi
log "private tmpfs mounts: $([ $can_mount = 1 ] && echo yes || echo no)"
# Unmounted before lib.sh removes $T_DIR (keeping the test's exit status).
trap 'rc=$?; umount -l "$T_DIR/ro" "$T_DIR/small" 2>/dev/null; (exit $rc); cleanup' EXIT

export T_COLS=160
start_broker

# shows TOPIC TEXT: searches for TOPIC until it has arrived and its payload pane shows TEXT (a
# search before the topic arrived finds nothing: search again).
found() { search "$1" && within 2 screen_has "$2"; }
shows() { poll_until 30 "$1 showing '$2'" found "$1" "$2"; }

# told_once TEXT: TEXT is on screen now; after a key clears it and more messages arrive, it stays
# gone, while the status bar keeps saying the recording failed.
told_once() {
	wait_for "$1"
	wait_line "^ .*recording FAILED"
	keys Down
	wait_gone "$1"
	pub "rec/later$2" "after the failure $2"
	shows "rec/later$2" "after the failure $2"
	screen_lacks "$1" || fail "the failure was told again"
	wait_line "^ .*recording FAILED"
}

# A device is not a file to record into (the recording holds payloads): refused at the start,
# and monitoring goes on.
start_ui --record /dev/full -h 127.0.0.1 -p "$BROKER_PORT" -t 'rec/#'
wait_for "connected"
pub rec/a "first message"
told_once "Not recording: cannot open /dev/full: not a regular file" 1
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
[ "$(grep -c "Not recording: cannot open /dev/full: not a regular file" \
	"$T_DIR/stderr")" = 1 ] || fail "stderr should say it once: $(cat "$T_DIR/stderr")"
stop_ui
: >"$T_DIR/stderr"

# A read-only place: the file cannot even be created; mqscope starts anyway.
if [ $can_mount = 1 ]; then
	mkdir -p "$T_DIR/ro"
	mount -t tmpfs -o ro,size=16k tmpfs "$T_DIR/ro" || fail "mount a read-only tmpfs"
	ro_path=$T_DIR/ro/rec.jsonl ro_why="Read-only file system"
else
	ro_path=/sys/mqscope-rec.jsonl ro_why="Permission denied"
fi
start_ui --record "$ro_path" -h 127.0.0.1 -p "$BROKER_PORT" -t 'rec/#'
wait_for "connected"
told_once "Not recording: cannot open $ro_path: $ro_why" 2
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
stop_ui
: >"$T_DIR/stderr"

# fills_up PATH WHY: the first messages are recorded, then the file cannot grow: recording stops
# mid-run with the count of what is in the file, which ends with a complete line.
fills_up() {
	local path=$1 why=$2 i n
	pub rec/size "a first small message"
	shows rec/size "a first small message"
	[ "$(wc -l <"$path")" -eq 1 ] || fail "the first message was not recorded"
	head -c 700 /dev/zero | tr '\0' 'x' >"$T_DIR/kb"
	for i in $(seq 1 60); do
		mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t rec/size -f "$T_DIR/kb" || fail "pub"
		screen_has "Recording stopped" && break
	done
	wait_line "Recording stopped after [0-9]+ messages: $why \\($path\\)"
	n=$(screen | grep -oE 'Recording stopped after [0-9]+' | grep -oE '[0-9]+$')
	[ "$n" -gt 1 ] || fail "no message was recorded before the failure"
	[ "$(wc -l <"$path")" -eq "$n" ] || fail "the file holds $(wc -l <"$path") lines, the UI says $n"
	[ "$(tail -c 1 "$path" | od -An -c | tr -d ' ')" = '\n' ] || fail "the last line is cut"
	told_once "Recording stopped after $n messages" 3
	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
	grep -q "Recording stopped after $n messages: $why ($path)" "$T_DIR/stderr" ||
		fail "not said on stderr at exit"
	stop_ui
	: >"$T_DIR/stderr"
}

# A small disk fills up in the middle of the run: ENOSPC.
if [ $can_mount = 1 ]; then
	mkdir -p "$T_DIR/small"
	mount -t tmpfs -o size=16k tmpfs "$T_DIR/small" || fail "mount a small tmpfs"
	start_ui --record "$T_DIR/small/rec.jsonl" -h 127.0.0.1 -p "$BROKER_PORT" -t 'rec/#'
	wait_for "connected"
	fills_up "$T_DIR/small/rec.jsonl" "No space left on device"
fi

# The file size limit (ulimit -f 16: 16 KiB) is reached: EFBIG, and SIGXFSZ does not kill mqscope.
cat >"$T_DIR/limit.sh" <<'EOF'
#!/usr/bin/env bash
ulimit -f 16
exec "$@"
EOF
chmod +x "$T_DIR/limit.sh"
real=$MQSCOPE
MQSCOPE="$T_DIR/limit.sh" start_ui "$real" --record "$T_DIR/big.jsonl" -h 127.0.0.1 \
	-p "$BROKER_PORT" -t 'rec/#'
wait_for "connected"
fills_up "$T_DIR/big.jsonl" "File too large"
pass
