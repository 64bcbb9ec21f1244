#!/usr/bin/env bash
# No byte from the network reaches the terminal raw. Hostile topics, payloads and MQTT 5 properties
# (OSC, DCS, APC, PM, SOS, CSI requests, 8-bit C1, invalid UTF-8, bidi and zero-width characters)
# are drawn in every view, and the raw output stream (not only the screen) is checked: only
# sequences curses sends, and the injected text only ever as escapes.
. "$(dirname "$0")/../lib.sh"

ESC=$'\x1b'
BEL=$'\x07'
ST="${ESC}\\"

start_broker
export T_COLS=140
# tmux takes OSC 52 (so mqscope sends it: below, a hostile payload is copied).
T_TMUX_EXTRA='set -g set-clipboard on' start_ui_raw -V 5 -h 127.0.0.1 -p "$BROKER_PORT" -t 'evil/#'
wait_for "connected"

# pubf TOPIC FILE [options]: a payload that the shell cannot hold (NUL, invalid UTF-8).
pubf() {
	local t=$1 f=$2
	shift 2
	mosquitto_pub -V 5 -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$t" -f "$f" -r "$@" || fail "pub $t"
}

osc="${ESC}]0;MQSTITLE${BEL}${ESC}]52;c;TVFTQ0xJUA==${BEL}${ESC}]8;;http://x/${ST}MQSLINK${ESC}]8;;${ST}"
dcs="${ESC}P+q544e${ST}${ESC}P\$qm${ST}${ESC}_MQSAPC${ST}${ESC}^MQSPM${ST}${ESC}XMQSSOS${ST}"
csi="${ESC}[2J${ESC}[6n${ESC}[c${ESC}[?1049l${ESC}[?25l${ESC}[31mMQSRED${ESC}[0m${ESC}c${ESC}#8"
bidi=$'rlo \u202eMQSRLO lri \u2066MQSISO\u2069 zw \u200bMQS\u200dZW\u2060\ufeff lrm \u200e\u200f\u061c'
printf '\x9b6n \x9d0;MQSC1\x07 \x90qDCS\x9c \xc2\x9b6n \xc2\x9d0;MQSU\x07 \xff\xfe' >"$T_DIR/c1.bin"
printf '%s' '{"k\u001b]0;MQSJKEY\u0007":"\u202eMQSJRLO \u200bzw \u001b[6n","\u2066iso":"\u009b6n","n":1}' \
	>"$T_DIR/evil.json"

pub evil/osc "$osc" -r -V 5
pub evil/dcs "$dcs" -r -V 5
pub evil/csi "$csi" -r -V 5
pub evil/bidi "$bidi" -r -V 5
pubf evil/c1 "$T_DIR/c1.bin"
pubf evil/json "$T_DIR/evil.json"
pub $'evil/rlo\u202eMQSTOPIC' 'topic with an override' -r -V 5
pub $'evil/zw\u200bMQSZWT\u2060' 'topic with zero-width characters' -r -V 5
# MQTT 5 properties: strings must be UTF-8 without controls, correlation data may be anything.
pub evil/props 'props' -r -V 5 -D publish content-type $'text/\u202eMQSCT' \
	-D publish user-property $'k\u2067MQSUK' $'v\u200bMQSUV' -D publish response-topic $'r/\u202eMQSRT' \
	-D publish correlation-data "${ESC}]0;MQSCORR${BEL}"
# A history of hostile values for the history and diff views.
pub evil/osc "v2 $osc" -r -V 5
pub evil/osc "v3 $csi" -r -V 5
wait_for "evil (9 topics, 11 msgs)"

# Every view of every hostile topic: the value in the tree, the payload pane as auto, text, JSON and
# hex, the history list, the diff, and older values.
view_all() {
	search "$1"
	wait_for "$2"
	keys Tab
	for _ in 1 2 3 4; do keys v; done
	keys H
	keys Down Enter
	keys Escape
	keys D
	keys D
	keys [ [ ]
	keys Tab
}
# The older values, in the history list.
search evil/osc
keys Tab H
wait_for 'v2 \e]0;MQSTITLE\a\e]'
keys H Tab
view_all evil/osc 'v3 \e[2J\e[6n'
view_all evil/dcs '\eP+q544e\e\\eP$qm\e\\e_MQSAPC\e\\e^MQSPM'
view_all evil/csi '\e[2J\e[6n\e[c\e[?1049l'
view_all evil/bidi 'rlo \u202eMQSRLO lri \u2066MQSISO\u2069'
view_all evil/c1 '\x9b6n \x9d0;MQSC1\a \x90qDCS\x9c'
view_all evil/json '\u202eMQSJRLO'
view_all 'evil/rlo' 'evil/rlo\u202eMQSTOPIC'
view_all 'evil/zw' 'evil/zw\u200bMQSZWT\u2060'
view_all evil/props 'MQSCORR'
wait_for 'text/\u202eMQSCT'
wait_for 'k\u2067MQSUK'
wait_for 'v\u200bMQSUV'
# view_as NAME: presses v until the payload pane shows NAME (auto, text, json, hex).
view_note() { screen | grep -o 'Payload view: [a-z]*' | tail -1; }
view_changed() { [ "$(view_note)" != "$1" ] && [ -n "$(view_note)" ]; }
view_as() {
	local prev
	prev=$(view_note)
	for _ in 1 2 3 4; do
		keys v
		poll_until 20 "the payload view to change" view_changed "$prev"
		prev=$(view_note)
		[ "$prev" = "Payload view: $1" ] && return 0
	done
	fail "v never showed the $1 view"
}
# The JSON view keeps the document's own escapes.
search evil/json
view_as json
wait_for '"k\u001b]0;MQSJKEY\u0007": "\u202eMQSJRLO'
# The text view of the 8-bit controls, then their hex dump.
search evil/c1
view_as text
wait_for '\u009b6n \u009d0;MQSU\a \xff\xfe'
view_as hex
wait_for '9b 36 6e 20 9d'
view_as auto
# The search prompt echoes what was typed; a notice quotes it.
search "$(printf 'MQSNONE\u202e')"
wait_for 'No topic matches "MQSNONE\u202e"'
wait_line "^ .*● connected"
# Copying a hostile payload to the clipboard sends it base64-encoded inside OSC 52, nothing raw.
search evil/osc
keys Y
wait_for "Copied the payload (48 bytes) to tmux's clipboard"
# The message stream draws every one of them too, topics and payloads, first to last.
keys S
wait_line "^stream: 11 messages"
keys Home
wait_for '\e]0;MQSTITLE\a\e]52;c;'
wait_for 'evil/zw\u200b'
keys End
wait_for 'v3 \e[2J\e[6n'
keys S
wait_gone "stream: "

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
termscan --exited --osc52 1 --drawn MQSTITLE --drawn MQSAPC --drawn MQSRED --drawn MQSRLO --drawn MQSC1 \
	--drawn MQSJRLO --drawn MQSTOPIC --drawn MQSZWT --drawn MQSCORR --drawn MQSUK --drawn MQSJKEY \
	--absent "${ESC}]0" --absent "${ESC}]8" --absent "${ESC}P+" --absent "${ESC}_" --absent "${ESC}^" \
	--absent "${ESC}X" --absent "${ESC}[6n" --absent "${ESC}[c" --absent "${ESC}c" --absent $'\u202e' \
	--absent $'\u200b'

# Topics no broker would pass on (controls, invalid UTF-8), a hostile $SYS for the dashboard and
# hostile property bytes, from a recording: --replay draws them through the same code.
stop_ui
rm -f "$T_DIR/raw"
python3 - "$T_DIR/rec.jsonl" <<'EOF'
import base64, json, sys
def b64(b): return base64.b64encode(b).decode()
recs = [
    (b"ctl/\x1b]0;MQSTOSC\x07x", b"osc in the topic"),
    (b"ctl/\x9b6nMQSTC1\xff", b"raw C1 and invalid UTF-8 in the topic"),
    (b"ctl/\xc2\x9d0;MQSTU8\x07", b"C1 as UTF-8 in the topic"),
    (b"ctl/\x1bP+qMQSTDCS\x1b\\", b"DCS in the topic"),
    (b"ctl/\xe2\x80\xaeMQSTRLO\xe2\x80\x8b", b"\x1b[6n\x1b]0;MQSPOSC\x07"),
    (b"$SYS/broker/version", b"mosquitto \x1b]0;MQSVER\x07 \xe2\x80\xae\x9b6n"),
    (b"$SYS/broker/uptime", b"12 seconds"),
]
with open(sys.argv[1], "w") as f:
    for i, (t, p) in enumerate(recs):
        r = {"time": 1700000000000 + i, "topic_base64": b64(t), "qos": 0, "retain": True,
             "payload_base64": b64(p)}
        if i == 4:
            r["props"] = {"content_type_base64": b64(b"\x1b]0;MQSPCT\x07"),
                          "user": [{"key_base64": b64(b"\x1bPMQSPK\x1b\\"),
                                    "value_base64": b64(b"\x9b6nMQSPV")}]}
        f.write(json.dumps(r) + "\n")
EOF
start_ui_raw --replay "$T_DIR/rec.jsonl" --replay-speed 0
wait_for "Replay done: 7 messages"
# The rows are $SYS and ctl: from the first, Down is ctl, and '*' opens everything below it.
keys Home Down
wait_selected "ctl ("
keys '*'
wait_for '\e]0;MQSTOSC\ax'
wait_for '\x9b6nMQSTC1\xff'
wait_for '\u009d0;MQSTU8\a'
wait_for '\eP+qMQSTDCS\e\'
wait_for '\u202eMQSTRLO\u200b'
search MQSTRLO
wait_for '\e[6n\e]0;MQSPOSC\a'
wait_for '\e]0;MQSPCT\a'
wait_for '\ePMQSPK\e\'
wait_for '\x9b6nMQSPV'
keys Tab
for _ in 1 2 3 4; do keys v; done
keys Tab
search MQSTOSC
keys b
wait_for '\e]0;MQSVER\a \u202e\x9b6n'
keys Escape
wait_gone 'MQSVER'
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0 (replay)"
termscan --exited --drawn MQSTOSC --drawn MQSTC1 --drawn MQSTU8 --drawn MQSTDCS --drawn MQSTRLO \
	--drawn MQSPOSC --drawn MQSPCT --drawn MQSPK --drawn MQSPV --drawn MQSVER \
	--absent "${ESC}]" --absent "${ESC}P" --absent "${ESC}[6n" --absent $'\u202e'

# A terminal that is not UTF-8: everything outside printable ASCII is escaped, nothing above 0x7f.
stop_ui
rm -f "$T_DIR/raw"
T_LANG=C start_ui_raw --replay "$T_DIR/rec.jsonl" --replay-speed 0
wait_for "Replay done: 7 messages"
keys Home Down
wait_selected "ctl ("
keys '*'
wait_for '\u202eMQSTRLO\u200b'
wait_for '\e]0;MQSTOSC\ax'
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0 (ASCII)"
termscan --exited --ascii --drawn MQSTOSC --drawn MQSTRLO --drawn MQSTC1
pass
