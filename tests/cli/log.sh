#!/usr/bin/env bash
# `mqscope log` against mosquitto_sub on the same traffic: --raw is byte for byte `mosquitto_sub -v`,
# the default output is the same lines made safe (control characters, escape sequences, bad UTF-8,
# bidi and invisible characters as escapes, checked by an independent sanitizer below), --json
# parses back to the same topics and payloads, --csv takes JSON fields; -C, -W and refused
# connections exit with mosquitto_sub's codes; -R, --retained-only, -T, -E, -N; bad flags exit 2.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
# The broker logs each SUBSCRIBE: the subscribers are known to be ready before anything is sent.
# "user root": a broker started as root otherwise drops to "mosquitto" and cannot write $T_DIR.
start_broker "user root
log_type subscribe"
H=(-h 127.0.0.1 -p "$BROKER_PORT")

# wait_subscribed CLIENT_ID...: until the broker has logged a subscription from each.
wait_subscribed() {
	local id
	for id in "$@"; do
		poll_until 20 "the subscription of $id" grep -q "^[0-9]*: $id [0-2] " "$T_DIR/mosquitto.log"
	done
}

# --- the same traffic to mosquitto_sub and to mqscope log, every format ---
printf 'plain text' >"$T_DIR/p0"
printf 'caf\xc3\xa9 21.5\xc2\xb0C \xe6\xb8\xa9\xe5\xba\xa6 \xf0\x9f\x98\x80' >"$T_DIR/p1"
printf 'esc \x1b[31mred\x1b[0m \x1b]0;title\x07 bell\x07' >"$T_DIR/p2"
printf 'two\nlines\r\n\ttab' >"$T_DIR/p3"
printf 'nul\0in the middle\x7fdel' >"$T_DIR/p4"
printf 'bad \xff\xfe \xc3 \xed\xa0\x80 utf8' >"$T_DIR/p5"
printf 'c1 \xc2\x9b31m and \xc2\x85' >"$T_DIR/p6"
printf 'bidi \xe2\x80\xaeevil\xe2\x80\xac zw\xe2\x80\x8bsp \xef\xbb\xbf' >"$T_DIR/p7"
printf '\xcc\x81leading mark, inner e\xcc\x81 unassigned \xcd\xb8' >"$T_DIR/p8"
printf '{"value":21.5,"unit":"C","a":{"b":[1,"x,y"]},"q":"say \\"hi\\""}' >"$T_DIR/p9"
: >"$T_DIR/p10"
head -c 3000 /dev/urandom >"$T_DIR/p11"
topics=(log/plain log/utf8/caf$'\xc3\xa9' log/esc log/lines log/nul log/bad log/c1
	log/bidi$'\xe2\x80\xae'x log/marks log/json log/empty log/random)
n=${#topics[@]}
flood=2000
total=$((n + flood))

mosquitto_sub "${H[@]}" -i ref -t 'log/#' -v -C "$total" -W 60 >"$T_DIR/ref.v" 2>"$T_DIR/ref.err" &
bg_pid $!
mosquitto_sub "${H[@]}" -i refhex -t 'log/#' -F '%t %x' -C "$total" -W 60 >"$T_DIR/ref.hex" 2>&1 &
bg_pid $!
for f in text raw json csv; do
	case $f in
	text) args=() ;;
	raw) args=(--raw) ;;
	json) args=(--json) ;;
	csv) args=(--csv --fields value,a.b,q,payload) ;;
	esac
	"$MQSCOPE" log "${H[@]}" -i "our$f" -t 'log/#' -C "$total" -W 60 "${args[@]}" \
		>"$T_DIR/our.$f" 2>"$T_DIR/our.$f.err" &
	echo $! >"$T_DIR/our.$f.pid"
	bg_pid "$(cat "$T_DIR/our.$f.pid")"
done
wait_subscribed ref refhex ourtext ourraw ourjson ourcsv

# One message at a time, each acknowledged (QoS 1) before the next: one order for everyone.
for i in $(seq 0 $((n - 1))); do
	mosquitto_pub "${H[@]}" -q 1 -t "${topics[$i]}" -f "$T_DIR/p$i" || fail "mosquitto_pub ${topics[$i]}"
done
# Then a flood over one connection, in order.
seq 1 "$flood" | sed 's/^/flood line /' | mosquitto_pub "${H[@]}" -q 1 -t log/flood -l ||
	fail "mosquitto_pub -l"

for f in text raw json csv; do
	pid=$(cat "$T_DIR/our.$f.pid")
	wait_pid_gone "$pid" 60 || fail "mqscope log ($f) did not stop after -C $total"
	wait "$pid"
	rc=$?
	[ $rc = 0 ] || fail "mqscope log ($f) exited $rc after -C: $(cat "$T_DIR/our.$f.err")"
	[ -s "$T_DIR/our.$f.err" ] && fail "mqscope log ($f) wrote to stderr: $(cat "$T_DIR/our.$f.err")"
done
poll_until 60 "mosquitto_sub to finish" test "$(wc -l <"$T_DIR/ref.hex")" -ge "$total"

# --raw is mosquitto_sub -v, byte for byte.
cmp "$T_DIR/ref.v" "$T_DIR/our.raw" || fail "mqscope log --raw differs from mosquitto_sub -v"

REF="$T_DIR/ref.hex" TEXT="$T_DIR/our.text" JSON="$T_DIR/our.json" CSV="$T_DIR/our.csv" \
	TOTAL=$total python3 - <<'PY' || fail "mqscope log output does not match mosquitto_sub's (above)"
import base64, binascii, csv, io, json, os, sys, time, unicodedata

# The characters mqscope draws as escapes although they are valid UTF-8: C1 controls, and those
# that draw nothing yet change what is around them (bidi controls, zero-width, format characters).
INVISIBLE = [(0x00ad, 0x00ad), (0x034f, 0x034f), (0x0600, 0x0605), (0x061c, 0x061c),
             (0x06dd, 0x06dd), (0x070f, 0x070f), (0x0890, 0x0891), (0x08e2, 0x08e2),
             (0x115f, 0x1160), (0x17b4, 0x17b5), (0x180b, 0x180f), (0x200b, 0x200f),
             (0x2028, 0x202e), (0x2060, 0x206f), (0x3164, 0x3164), (0xfe00, 0xfe0f),
             (0xfeff, 0xfeff), (0xffa0, 0xffa0), (0xfff0, 0xfffb), (0xe0000, 0xe0fff)]
NAMED = {0: "\\0", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r",
         27: "\\e"}

def escaped(cp, leading):
    cat = unicodedata.category(chr(cp))
    return (0x80 <= cp < 0xa0 or any(lo <= cp <= hi for lo, hi in INVISIBLE) or cat == "Cn"
            or (leading and cat in ("Mn", "Me")))

def sanitize(b):
    out, i = [], 0
    while i < len(b):
        c = b[i]
        if c < 0x80:
            out.append(chr(c) if 0x20 <= c < 0x7f else NAMED.get(c, "\\x%02x" % c))
            i += 1
            continue
        n = 2 if c >> 5 == 6 else 3 if c >> 4 == 14 else 4 if c >> 3 == 30 else 0
        try:
            ch = b[i:i + n].decode("utf-8") if n else None
        except UnicodeDecodeError:
            ch = None
        if ch is None or len(ch) != 1:
            out.append("\\x%02x" % c)
            i += 1
            continue
        cp = ord(ch)
        out.append(("\\U%08x" if cp > 0xffff else "\\u%04x") % cp if escaped(cp, i == 0) else ch)
        i += n
    return "".join(out)

ref = []
for line in open(os.environ["REF"], "rb").read().split(b"\n")[:-1]:
    topic, _, hexed = line.partition(b" ")
    ref.append((topic, binascii.unhexlify(hexed)))
total = int(os.environ["TOTAL"])
if len(ref) != total:
    sys.exit(f"mosquitto_sub -F gave {len(ref)} messages, not {total}")

# The default output: the same lines, made safe.
text = open(os.environ["TEXT"], "rb").read().decode("utf-8").split("\n")
if text[-1] != "" or len(text) - 1 != total:
    sys.exit(f"mqscope log wrote {len(text) - 1} lines for {total} messages")
for i, (topic, payload) in enumerate(ref):
    want = sanitize(topic) + " " + (sanitize(payload) if payload else "(null)")
    if text[i] != want:
        sys.exit(f"line {i + 1}:\n  mqscope log:          {text[i]!r}\n  sanitized reference:  {want!r}")
    if any(ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0 for ch in text[i]):
        sys.exit(f"line {i + 1} holds a control character: {text[i]!r}")

# --json parses back to the same messages.
now = time.time() * 1000
lines = open(os.environ["JSON"], "rb").read().split(b"\n")[:-1]
if len(lines) != total:
    sys.exit(f"--json wrote {len(lines)} lines for {total} messages")
for i, line in enumerate(lines):
    if any(0x80 <= cp < 0xa0 or cp in (0x7f, 0x202e) for cp in map(ord, line.decode("utf-8"))):
        sys.exit(f"--json line {i + 1} carries a character a terminal acts on: {line!r}")
    m = json.loads(line)
    topic, payload = ref[i]
    got = base64.b64decode(m["payload_base64"]) if "payload_base64" in m else m["payload"].encode()
    if m["topic"].encode() != topic or got != payload:
        sys.exit(f"--json line {i + 1}: {m!r} is not {ref[i]!r}")
    if m["qos"] != 0 or m["retain"] is not False or abs(m["time"] - now) > 600000:
        sys.exit(f"--json line {i + 1}: qos, retain or time wrong: {m!r}")

# --csv: the header, one row a message, JSON fields as columns (empty when missing).
rows = list(csv.reader(io.StringIO(open(os.environ["CSV"], encoding="utf-8", newline="").read())))
if rows[0] != ["time", "topic", "value", "a.b", "q", "payload"] or len(rows) != total + 1:
    sys.exit(f"--csv header {rows[0]!r}, {len(rows)} rows")
js = [r for r in rows[1:] if r[1] == "log/json"]
if len(js) != 1 or js[0][2:5] != ["21.5", '[1,"x,y"]', 'say "hi"']:
    sys.exit(f"--csv row of log/json: {js!r}")
if rows[1][1:] != ["log/plain", "", "", "", "plain text"] or not rows[1][0].endswith("Z"):
    sys.exit(f"--csv first row: {rows[1]!r}")
print(f"{total} messages alike in mosquitto_sub -v, mqscope log, --json and --csv")
PY

# --- exit codes, as mosquitto_sub's ---
mosquitto_sub "${H[@]}" -t nothing/here -W 1 2>/dev/null
want=$?
"$MQSCOPE" log "${H[@]}" -t nothing/here -W 1 2>"$T_DIR/err"
got=$?
[ $want = 27 ] && [ $got = 27 ] || fail "-W: mosquitto_sub exited $want, mqscope log $got"
grep -q "timed out" "$T_DIR/err" || fail "-W said: $(cat "$T_DIR/err")"
"$MQSCOPE" log "${H[@]}" -t nothing/here -W 1 --quiet 2>"$T_DIR/err"
[ $? = 27 ] && [ ! -s "$T_DIR/err" ] || fail "--quiet -W: $(cat "$T_DIR/err")"

# -C with retained messages, -R leaves them out, --retained-only ends at the first live one.
for i in 1 2 3; do mosquitto_pub "${H[@]}" -t "keep/t$i" -m "r$i" -r -q 1; done
out=$("$MQSCOPE" log "${H[@]}" -t 'keep/#' -C 2 -W 10) || fail "-C 2 exited $?"
[ "$out" = $'keep/t1 r1\nkeep/t2 r2' ] || fail "-C 2 printed: $out"
out=$("$MQSCOPE" log "${H[@]}" -t 'keep/#' -T keep/t2 -N -C 2 -W 10) || fail "-T -N exited $?"
[ "$out" = "keep/t1 r1keep/t3 r3" ] || fail "-T keep/t2 -N printed: $out"
"$MQSCOPE" log "${H[@]}" -i ourR -t 'keep/#' -R -C 1 -W 20 >"$T_DIR/R.out" &
rpid=$!
bg_pid $rpid
"$MQSCOPE" log "${H[@]}" -i ourRO -t 'keep/#' --retained-only -W 20 >"$T_DIR/RO.out" &
ropid=$!
bg_pid $ropid
wait_subscribed ourR ourRO
mosquitto_pub "${H[@]}" -t keep/live -m now -q 1
wait "$rpid"
[ $? = 0 ] && [ "$(cat "$T_DIR/R.out")" = "keep/live now" ] || fail "-R printed: $(cat "$T_DIR/R.out")"
wait "$ropid"
[ $? = 0 ] && [ "$(cat "$T_DIR/RO.out")" = $'keep/t1 r1\nkeep/t2 r2\nkeep/t3 r3' ] ||
	fail "--retained-only printed: $(cat "$T_DIR/RO.out")"
# -E: exits once subscribed, having printed nothing.
out=$("$MQSCOPE" log "${H[@]}" -t 'nothing/#' -E -W 10) || fail "-E exited $?"
[ -z "$out" ] || fail "-E printed: $out"

# A refused login: the CONNACK's reason code, as mosquitto_sub gives it (MQTT 3.1.1 and 5).
printf 'alice:secret\n' >"$T_DIR/passwd"
mosquitto_passwd -U "$T_DIR/passwd" >/dev/null 2>&1 || fail "mosquitto_passwd"
auth_port=$(free_port)
cat >"$T_DIR/auth.conf" <<-EOF
	listener $auth_port 127.0.0.1
	allow_anonymous false
	password_file $T_DIR/passwd
	user root
EOF
mosquitto -c "$T_DIR/auth.conf" >/dev/null 2>&1 &
auth_pid=$!
bg_pid $auth_pid
poll_until 10 "the second broker" port_open "$auth_port"
for v in mqttv311 mqttv5; do
	mosquitto_sub -h 127.0.0.1 -p "$auth_port" -u alice -P wrong -V $v -t a -W 5 >/dev/null 2>&1
	want=$?
	"$MQSCOPE" log -h 127.0.0.1 -p "$auth_port" -u alice -P wrong -V $v -t a -W 5 2>"$T_DIR/err"
	got=$?
	[ $got = $want ] && [ $got != 0 ] || fail "refused login ($v): mosquitto_sub $want, mqscope log $got"
done
grep -q "cannot connect to 127.0.0.1:$auth_port" "$T_DIR/err" || fail "refusal said: $(cat "$T_DIR/err")"
out=$("$MQSCOPE" log -h 127.0.0.1 -p "$auth_port" -u alice -P secret -t a -E -W 5) ||
	fail "a good login exited $?"

# Bad flags: exit 2 with the reason.
"$MQSCOPE" log "${H[@]}" --json --csv 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "choose one" "$T_DIR/err" || fail "--json --csv: $(cat "$T_DIR/err")"
"$MQSCOPE" log "${H[@]}" --fields a 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "add --csv" "$T_DIR/err" || fail "--fields alone: $(cat "$T_DIR/err")"
"$MQSCOPE" log "${H[@]}" -F %t 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "use --json" "$T_DIR/err" || fail "-F: $(cat "$T_DIR/err")"
"$MQSCOPE" log "${H[@]}" -m x 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "is for publishing" "$T_DIR/err" || fail "log -m: $(cat "$T_DIR/err")"
"$MQSCOPE" -h 127.0.0.1 -p "$BROKER_PORT" --json </dev/null 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "is for the output of mqscope log" "$T_DIR/err" || fail "TUI --json: $(cat "$T_DIR/err")"

# Unreachable: exit 1, the reason (mosquitto_sub exits 1 too).
port=$(free_port)
"$MQSCOPE" log -h 127.0.0.1 -p "$port" 2>"$T_DIR/err"
[ $? = 1 ] && grep -q "cannot connect to 127.0.0.1:$port: connection refused" "$T_DIR/err" ||
	fail "unreachable: $(cat "$T_DIR/err")"
pass
