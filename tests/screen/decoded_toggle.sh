#!/usr/bin/env bash
# Toggles of binary payloads against the demo's devices (mqscope sim on the test's broker): a
# Sparkplug B Boolean metric is written with a DCMD, from its newest state (the DATA the device
# sent after the write, not its BIRTH); the CBOR and MessagePack sensors' state is re-encoded in
# their own format and content type, and the devices report it.
. "$(dirname "$0")/../lib.sh"

start_broker
T_COLS=140 T_ROWS=60 start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"
"$MQSCOPE" sim -h 127.0.0.1 -p "$BROKER_PORT" >"$T_DIR/sim.log" 2>&1 &
bg_pid $!
# The pump's DATA, as the broker carries it: its Status metric says "stopped" once it is off.
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t spBv1.0/Plant1/DDATA/Edge1/Pump1 -F '%p' \
	>"$T_DIR/ddata" 2>/dev/null &
bg_pid $!

select_topic "spBv1.0/Plant1/DBIRTH/Edge1/Pump1"
wait_line "│Running +Boolean +[0-9]+  true$"
keys t
wait_for "Toggled spBv1.0/Plant1/DBIRTH/Edge1/Pump1: Running true -> Running false, sent to spBv1.0/Plant1/DCMD/Edge1/Pump1 (QoS 0)"
poll_until 30 "the pump to report it stopped" grep -qa stopped "$T_DIR/ddata"
# mqscope's own command, decoded.
select_topic "spBv1.0/Plant1/DCMD/Edge1/Pump1"
wait_line "│DCMD  [0-9T:.Z-]+  1 metric$"
wait_line "│Running +Boolean +false$"
# From the BIRTH again: the newest state is the DATA's false, so the write is true.
select_topic "spBv1.0/Plant1/DBIRTH/Edge1/Pump1"
keys t
wait_for "Running false -> Running true, sent to spBv1.0/Plant1/DCMD/Edge1/Pump1"

# A node's BIRTH has only its Rebirth control: nothing to toggle.
select_topic "spBv1.0/Plant1/NBIRTH/Edge1"
wait_line "│bdSeq +UInt64 +[0-9]+$"
keys t
wait_for "Not toggled: no Boolean metric in this message"

# CBOR: "state": "on" becomes "off" in CBOR, and the sensor then reports off.
select_topic "lab/cbor/sensor1"
wait_for '"state": "on"'
keys t
wait_for "Toggled lab/cbor/sensor1: on -> off"
wait_for '"state": "off"'
wait_for "CBOR, by content type"
# MessagePack likewise.
select_topic "lab/msgpack/meter1"
wait_for "MessagePack, by content type"
wait_for '"state": "on"'
keys t
wait_for "Toggled lab/msgpack/meter1: on -> off"
wait_for '"state": "off"'
wait_for "MessagePack, by content type"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
