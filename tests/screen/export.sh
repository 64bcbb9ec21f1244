#!/usr/bin/env bash
# Export: e writes the latest value of every topic under the selected branch (JSON Lines, or CSV
# for a .csv name), E the values the selected topic keeps in its history; neither overwrites a
# file. The files of --record, `mqscope log --json` and export are one format: --replay reads each
# and shows the same topics and values.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
start_broker "user root
log_type subscribe"
H=(-h 127.0.0.1 -p "$BROKER_PORT")
NMSG=7
"$MQSCOPE" log "${H[@]}" -i logger -t 'dev/#' --json -C $NMSG -W 120 >"$T_DIR/log.jsonl" \
	2>"$T_DIR/log.err" &
logger=$!
bg_pid $logger
poll_until 30 "the logger's subscription" \
	grep -q "^[0-9]*: logger [0-2] dev/#" "$T_DIR/mosquitto.log"
start_ui --record "$T_DIR/rec.jsonl" "${H[@]}" -t 'dev/#'
wait_for "connected"

pub dev/a/x 1 -r
pub dev/a/x 2 -r
pub dev/a/x 3 -r
pub dev/a/json '{"v":2,"s":"two, \"quoted\""}' -r
printf 'bin\0\377' >"$T_DIR/blob"
mosquitto_pub "${H[@]}" -q 1 -r -t dev/a/blob -f "$T_DIR/blob" || fail "mosquitto_pub"
pub dev/a/props 'p' -V 5 -D publish content-type text/plain
pub dev/other 'not in the branch'
wait_for "dev (5 topics, $NMSG msgs)"
wait "$logger" || fail "mqscope log exited $?: $(cat "$T_DIR/log.err")"

# export_to KEY FILE: presses KEY, writes FILE at the prompt, waits for the notice.
export_to() {
	keys "$1"
	wait_for "to (.csv: CSV): "
	keys C-u
	keys -l "$2"
	keys Enter
}

# e on the branch dev/a: its four topics' latest values.
select_topic dev/a
export_to e "$T_DIR/branch.jsonl"
wait_for "Exported 4 messages to $T_DIR/branch.jsonl"
export_to e "$T_DIR/branch.csv"
wait_for "Exported 4 messages to $T_DIR/branch.csv"
# Never over a file that is there.
export_to e "$T_DIR/branch.csv"
wait_for "(not overwritten)"
# E on dev/a/x: its three values, oldest first.
select_topic dev/a/x
export_to E "$T_DIR/history.jsonl"
wait_for "Exported 3 messages to $T_DIR/history.jsonl"
keys q
[ "$(wait_exit)" = 0 ] || fail "mqscope exited $(cat "$T_DIR/exit")"

D="$T_DIR" python3 - <<'PY' || fail "the exported files (above)"
import base64, csv, json, os, sys

d = os.environ["D"]
def lines(name):
    return [json.loads(l) for l in open(os.path.join(d, name), "rb").read().split(b"\n")[:-1]]
def payload(m):
    return base64.b64decode(m["payload_base64"]) if "payload_base64" in m else m["payload"].encode()

b = lines("branch.jsonl")
got = {m["topic"]: payload(m) for m in b}
want = {"dev/a/x": b"3", "dev/a/json": b'{"v":2,"s":"two, \\"quoted\\""}',
        "dev/a/blob": b"bin\0\xff", "dev/a/props": b"p"}
if got != want or len(b) != 4:
    sys.exit(f"branch.jsonl: {got!r}")
props = [m for m in b if m["topic"] == "dev/a/props"][0]
if props.get("props", {}).get("content_type") != "text/plain":
    sys.exit(f"the MQTT 5 properties are not exported: {props!r}")
for m in b:
    retained = m["topic"] != "dev/a/props"
    if not isinstance(m["time"], int) or m["qos"] != 0 or m["retain"] is not retained:
        sys.exit(f"time, qos or retain: {m!r}")

rows = list(csv.reader(open(os.path.join(d, "branch.csv"), newline="", encoding="utf-8")))
if rows[0][:2] != ["time", "topic"] or sorted(r[1] for r in rows[1:]) != sorted(want):
    sys.exit(f"branch.csv: {rows!r}")
if [r for r in rows if r[1] == "dev/a/json"][0][-1] != want["dev/a/json"].decode():
    sys.exit(f"branch.csv: the JSON payload is not one field: {rows!r}")

h = lines("history.jsonl")
if [payload(m) for m in h] != [b"1", b"2", b"3"] or {m["topic"] for m in h} != {"dev/a/x"}:
    sys.exit(f"history.jsonl: {h!r}")
if [m["time"] for m in h] != sorted(m["time"] for m in h):
    sys.exit("history.jsonl is not oldest first")

# The recording and the log have every message, in the same order, with the same fields.
rec, log = lines("rec.jsonl"), lines("log.jsonl")
key = lambda m: (m["topic"], payload(m), m["qos"], m.get("props"))
if [key(m) for m in rec] != [key(m) for m in log] or len(rec) != 7:
    sys.exit(f"--record and log --json differ:\n{rec!r}\n{log!r}")
for m in rec + log + b + h:
    k = set(m)
    if not {"time", "topic", "qos", "retain"} <= k <= {"time", "topic", "qos", "retain", "payload",
                                                        "payload_base64", "props"}:
        sys.exit(f"a line outside the one format: {m!r}")
print("exports, recording and log agree")
PY

# --replay reads each of them, without a broker.
stop_broker
for f in rec log branch history; do
	respawn_ui --replay "$T_DIR/$f.jsonl" --replay-speed 0
	wait_for "replay done"
	case $f in
	rec | log) wait_for "dev (5 topics, $NMSG msgs)" ;;
	branch) wait_for "dev (4 topics, 4 msgs)" ;;
	history) wait_for "dev (1 topic, 3 msgs)" ;;
	esac
	select_topic dev/a/x
	wait_line "x ® = 3"
	[ $f = history ] && continue
	select_topic dev/a/json
	wait_for '"s": "two, \"quoted\""'
done
pass
