#!/usr/bin/env bash
# `mqscope dump` of 10,000 retained topics: JSON Lines and CSV have each topic once, in topic order;
# the JSON tree nests them by level (a topic with subtopics keeps its value under "#", JSON payloads
# are documents, bytes go as base64, escapes stay escaped); with live traffic the dump ends at the
# first live message and still has every retained topic; a quiet broker ends it after the quiet
# period; a stream of retained messages ends it at -W with status 27 and what it had.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
start_broker "max_queued_messages 100000"
H=(-h 127.0.0.1 -p "$BROKER_PORT")
N=10000

"$MQSCOPE_RETAINED" fill "$BROKER_PORT" many "$N" || fail "could not fill the broker"
mosquitto_pub "${H[@]}" -q 1 -r -t house/bulbs -m parent
mosquitto_pub "${H[@]}" -q 1 -r -t house/bulbs/bulb1 -m ON
mosquitto_pub "${H[@]}" -q 1 -r -t house/lights/kitchen -m '{"state":"ON","brightness":40}'
mosquitto_pub "${H[@]}" -q 1 -r -t house/temp -m 21.5
printf 'esc \x1b[31m c1 \xc2\x9b bidi \xe2\x80\xae' >"$T_DIR/esc"
mosquitto_pub "${H[@]}" -q 1 -r -t house/esc -f "$T_DIR/esc"
printf 'bin\0\377\376' >"$T_DIR/bin"
mosquitto_pub "${H[@]}" -q 1 -r -t house/bin -f "$T_DIR/bin"

# Live traffic all along (not retained): the dump ends at the first of it after the SUBACK.
"$MQSCOPE_FLOOD" -p "$BROKER_PORT" -t many/live -T 1 -r 200 -d 120 -n 0 >/dev/null 2>&1 &
bg_pid $!

"$MQSCOPE" dump "${H[@]}" -t 'many/#' -t 'house/#' --json >"$T_DIR/lines" 2>"$T_DIR/err" ||
	fail "dump --json exited $?: $(cat "$T_DIR/err")"
"$MQSCOPE" dump "${H[@]}" -t 'many/#' -t 'house/#' >"$T_DIR/tree" 2>"$T_DIR/err" ||
	fail "dump exited $?: $(cat "$T_DIR/err")"
"$MQSCOPE" dump "${H[@]}" -t 'many/#' --csv >"$T_DIR/csv" 2>"$T_DIR/err" ||
	fail "dump --csv exited $?: $(cat "$T_DIR/err")"

N=$N LINES="$T_DIR/lines" TREE="$T_DIR/tree" CSV="$T_DIR/csv" python3 - <<'PY' || fail "the dumps (above)"
import base64, csv, json, os, sys

n = int(os.environ["N"])
want = {f"many/g{i // 100:03d}/t{i % 100:03d}": f"v{i}" for i in range(n)}
want.update({"house/bulbs": "parent", "house/bulbs/bulb1": "ON", "house/temp": "21.5",
             "house/lights/kitchen": '{"state":"ON","brightness":40}'})

lines = open(os.environ["LINES"], "rb").read().split(b"\n")[:-1]
got = {}
for line in lines:
    m = json.loads(line)
    if m["topic"] in got:
        sys.exit(f"{m['topic']} twice in the JSON Lines")
    if not m["retain"]:
        sys.exit(f"a message that is not retained: {m!r}")
    got[m["topic"]] = m.get("payload", m.get("payload_base64"))
for t, v in want.items():
    if got.get(t) != v:
        sys.exit(f"JSON Lines: {t} is {got.get(t)!r}, not {v!r}")
extra = set(got) - set(want) - {"house/esc", "house/bin"}
if extra:
    sys.exit(f"JSON Lines has more: {sorted(extra)[:5]}")
if base64.b64decode(got["house/bin"]) != b"bin\0\xff\xfe":
    sys.exit(f"house/bin: {got['house/bin']!r}")
order = [json.loads(l)["topic"] for l in lines]
if order.index("house/bulbs") > order.index("house/bulbs/bulb1") or order[-1] != "many/g099/t099":
    sys.exit("JSON Lines are not in topic order")

tree = json.load(open(os.environ["TREE"], encoding="utf-8"))
raw = open(os.environ["TREE"], "rb").read()
if b"\x1b" in raw or b"\xc2\x9b" in raw or b"\xe2\x80\xae" in raw:
    sys.exit("the JSON tree carries raw control characters")
h = tree["house"]
if h["bulbs"] != {"#": "parent", "bulb1": "ON"} or h["temp"] != 21.5:
    sys.exit(f"house: {h!r}")
if h["lights"]["kitchen"] != {"state": "ON", "brightness": 40}:
    sys.exit(f"a JSON payload is not a document: {h['lights']!r}")
if h["esc"] != "esc \x1b[31m c1 \x9b bidi \u202e" or base64.b64decode(h["bin"]["base64"]) != b"bin\0\xff\xfe":
    sys.exit(f"house/esc or house/bin: {h['esc']!r} {h['bin']!r}")
leaves = sum(len(g) for g in tree["many"].values())
if leaves != n or tree["many"]["g042"]["t017"] != "v4217":
    sys.exit(f"the tree holds {leaves} of {n} topics")

rows = list(csv.reader(open(os.environ["CSV"], newline="")))
if rows[0] != ["time", "topic", "payload"] or len(rows) != n + 1:
    sys.exit(f"CSV: {rows[0]!r} and {len(rows) - 1} rows")
print(f"{n} retained topics in each dump")
PY

# A quiet part of the broker: an empty tree, after the quiet period.
out=$("$MQSCOPE" dump "${H[@]}" -t 'none/#') || fail "an empty dump exited $?"
[ "$out" = "{}" ] || fail "an empty dump printed: $out"

# Retained messages without end and nothing else: -W ends it, status 27, with what it had.
"$MQSCOPE_FLOOD" -p "$BROKER_PORT" -t busy/one -T 1 -R -r 100 -d 120 -n 0 >/dev/null 2>&1 &
bg_pid $!
poll_until 10 "busy/one to be retained" sh -c \
	"[ \"\$('$MQSCOPE_RETAINED' count $BROKER_PORT busy/one)\" = 1 ]"
"$MQSCOPE" dump "${H[@]}" -t 'busy/#' -t 'house/#' --json -W 2 >"$T_DIR/busy" 2>"$T_DIR/err"
rc=$?
[ $rc = 27 ] || fail "dump -W 2 under a stream of retained messages exited $rc: $(cat "$T_DIR/err")"
grep -q '"topic":"house/bulbs/bulb1"' "$T_DIR/busy" && grep -q '"topic":"busy/one"' "$T_DIR/busy" ||
	fail "dump -W wrote: $(head -c 300 "$T_DIR/busy")"
grep -q "timed out" "$T_DIR/err" || fail "dump -W said: $(cat "$T_DIR/err")"

# What dump cannot honour is refused.
"$MQSCOPE" dump "${H[@]}" -C 3 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "does not apply to mqscope dump" "$T_DIR/err" || fail "dump -C: $(cat "$T_DIR/err")"
"$MQSCOPE" dump "${H[@]}" --raw 2>"$T_DIR/err"
[ $? = 2 ] || fail "dump --raw (a tree) was accepted"
pass
