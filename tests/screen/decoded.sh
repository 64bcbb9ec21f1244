#!/usr/bin/env bash
# Binary payloads read as data, from vectors made by independent encoders (tests/vectors/make.js):
# Sparkplug B by its namespace (aliases named from the BIRTH, a seq gap flagged), CBOR and
# MessagePack by their MQTT 5 content type, protobuf by a config rule with a schema; text on a
# Sparkplug topic stays text; v cycles through the views that apply.
. "$(dirname "$0")/../lib.sh"

V="$(cd "$(dirname "$0")/.." && pwd)/vectors"
start_broker
cp "$V/protobuf/telemetry.desc" "$T_DIR/telemetry.desc"
cat >"$T_DIR/config" <<-CONF
	ui = { history = 16; };
	decoders = (
	  { filter = "lab/pb/telemetry"; format = "protobuf"; schema = "telemetry.desc";
	    message = "demo.Telemetry"; },
	  { filter = "lab/pb/raw"; format = "protobuf"; }
	);
CONF

# pubf TOPIC FILE [mosquitto_pub options...]: publishes a vector's bytes, retained.
pubf() {
	local t=$1 f=$2
	shift 2
	mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -r -t "$t" -f "$V/$f" "$@" || fail "pub $t"
}

# Wide enough for the longest title (the rule and the message type).
# tmux takes OSC 52 (so mqscope sends it: below, a decoded document is copied).
T_COLS=140 T_TMUX_EXTRA='set -g set-clipboard on' start_ui --config "$T_DIR/config" -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"

# A plant's birth, then DATA by alias only: names come from the BIRTH; seq 4 after 2 is a gap.
pubf spBv1.0/Plant1/NBIRTH/Edge1 sparkplug/plant-1.pb
pubf spBv1.0/Plant1/DBIRTH/Edge1/Pump1 sparkplug/plant-2.pb
pubf spBv1.0/Plant1/DDATA/Edge1/Pump1 sparkplug/plant-3.pb
select_topic "spBv1.0/Plant1/DDATA/Edge1/Pump1"
# A table of the metrics: name, datatype, alias, value.
wait_for "Sparkplug B metrics, by spBv1.0 topic"
wait_line "│DDATA  seq 2  2023-11-14T22:13:20.002Z  2 metrics"
wait_line "│Speed +Float +10  1451.25$"
wait_line "│Running +Boolean +11  false$"
pubf spBv1.0/Plant1/DDATA/Edge1/Pump1 sparkplug/plant-4.pb
wait_line "│warning: seq 4 after 2: expected 3 \\(1 missing\\)"
wait_line "│Speed +Float +10  1452$"
# The tree's row previews the decoded value.
wait_for "Pump1 ® = DDATA: Speed 1452"

# The trend follows a decoded metric's value (not seq or timestamp); F picks the next number of
# the document; the chart draws the same.
wait_line "trend metrics.Speed.value [▁▂▃▄▅▆▇█]+ min 1451.25 max 1452 last 1452"
keys F
wait_for 'Trend follows "metrics.Speed.alias" (4/4; F for the next)'
keys F
wait_for 'Trend follows "timestamp" (1/4; F for the next)'
keys C
wait_for "chart: timestamp"
keys C
keys F
wait_for 'Trend follows "seq" (2/4'
keys F
wait_for 'Trend follows "metrics.Speed.value" (3/4'
keys C
wait_for "chart: metrics.Speed.value"
wait_for "2 values  last 1452"
keys C

# v: table, decoded (the whole document, foldable), text, json, hex, auto (the table again).
keys v
wait_for "Payload view: table"
wait_for "Sparkplug B metrics, by spBv1.0 topic (chosen with v)"
keys v
wait_for "Payload view: decoded"
wait_for "Sparkplug B, by spBv1.0 topic (chosen with v)"
wait_for '"$warnings": ['
wait_for '"Speed": {'
keys v
wait_for "Payload view: text"
keys v
wait_for "Payload view: json"
keys v
wait_for "Payload view: hex"
wait_line "── hex \\(chosen with v\\)"
wait_for "00000000  08 "
keys v
wait_for "Payload view: auto"
wait_for "Sparkplug B metrics, by spBv1.0 topic ─"

# Diff of two decoded values: the metric's value changed.
keys D
wait_for "diff with the value before"
wait_line "│- +\"value\": 1451.25,"
wait_line "│\\+ +\"value\": 1452,"
keys D
wait_for "Sparkplug B metrics, by spBv1.0 topic ─"

# The history's rows preview each decoded value like the tree's row, not the bytes.
keys H
wait_for "history: 2 of 16 values kept"
wait_line "│ +0 [0-9:.]+ +0 ® +20 B  DDATA: Speed 1452$"
wait_line "│ +1 [0-9:.]+ +0 ® +28 B  DDATA: Speed 1451.25, Running false$"
keys H
wait_for "Sparkplug B metrics, by spBv1.0 topic ─"

# A DATA from a device whose node was never born: flagged, its alias unnamed.
pubf spBv1.0/Plant2/DDATA/Edge9/Dev1 sparkplug/orphan-1.pb
select_topic "spBv1.0/Plant2/DDATA/Edge9/Dev1"
wait_line "│warning: DDATA before any NBIRTH of Plant2/Edge9"
wait_line "│alias 3 +Double +3  1.25$"

# STATE of a host application (Sparkplug 3.0, JSON): shown as its state.
pubf spBv1.0/STATE/scada1 sparkplug/state-1.txt
select_topic "spBv1.0/STATE/scada1"
wait_for "Sparkplug B, by spBv1.0 topic"
wait_for '"message": "STATE"'
wait_for '"online": true'

# Text on a Sparkplug topic stays text.
pub spBv1.0/Plant1/NDATA/Notes "plain words here" -r
select_topic "spBv1.0/Plant1/NDATA/Notes"
wait_line "── text ─"
wait_for "plain words here"

# CBOR and MessagePack by their content type (MQTT 5), every value shown by name.
pubf lab/cbor/sensor1 cbor/sensor.cbor -V mqttv5 -D publish content-type application/cbor
select_topic "lab/cbor/sensor1"
wait_for "CBOR, by content type"
wait_for '"device": "cbor-sensor-1"'
wait_for 'sensor1 ® = {"device":"cbor-sensor-1"'
wait_for '"$name": "epoch time"'
pubf lab/msgpack/meter1 msgpack/sensor.msgpack -V mqttv5 -D publish content-type application/msgpack
select_topic "lab/msgpack/meter1"
wait_for "MessagePack, by content type"
wait_for '"power": 1234.5'
# The same bytes without a content type or rule are not guessed at: a hex dump.
pubf lab/msgpack/unmarked msgpack/sensor.msgpack
select_topic "lab/msgpack/unmarked"
wait_line "── hex ─"

# Protobuf by a config rule: with the schema, field names and enums; without, field numbers.
pubf lab/pb/telemetry protobuf/telemetry-full.pb
select_topic "lab/pb/telemetry"
wait_for "Protocol Buffers demo.Telemetry, by rule lab/pb/telemetry"
wait_for '"status": "FAULT"'
pubf lab/pb/raw protobuf/raw-fields.pb
select_topic "lab/pb/raw"
wait_for "Protocol Buffers, by rule lab/pb/raw"
wait_for '"2": "testing"'

# Y copies the decoded document as JSON; w writes it to a .json file, the bytes to another name.
keys Y
wait_for "Copied the decoded Protocol Buffers as JSON"
keys w
wait_for "write payload to file (.json: decoded JSON; other names: raw bytes): raw.json"
keys C-u
keys -l "$T_DIR/raw.json"
keys Enter
wait_for "Wrote the decoded Protocol Buffers as JSON"
grep -q '"2":"testing"' "$T_DIR/raw.json" || fail "raw.json: $(cat "$T_DIR/raw.json")"
keys w
keys C-u
keys -l "$T_DIR/raw.pb"
keys Enter
wait_for "Wrote 58 bytes to $T_DIR/raw.pb"
cmp -s "$T_DIR/raw.pb" "$V/protobuf/raw-fields.pb" || fail "raw.pb differs from the payload"

# p: finds text inside decoded documents.
keys f
keys -l "p:cbor-sensor"
keys Enter
wait_for 'Filter: payloads containing "cbor-sensor": 1 topic'
keys f C-u Enter
wait_for "Filter cleared"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
