#!/usr/bin/env bash
# One-key toggles against a real broker: a bare ON/OFF, a JSON state (the rest of the document
# kept), a rule that publishes to a /set command topic, and a value with no opposite (nothing sent,
# the bottom line says why). A separate subscriber checks what the broker got.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/publib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
mkdir -p "$XDG_CONFIG_HOME/mqscope"
cat >"$XDG_CONFIG_HOME/mqscope/config" <<'CFG'
toggles = (
  { filter = "house/plugs/+"; command = "{topic}/set"; qos = 1; }
);
CFG

start_broker
pub house/bulbs/bulb1 OFF -r
pub house/lights/kitchen '{"state":"OFF","brightness":40}' -r
pub house/plugs/desk ON -r
pub sensors/kitchen/temperature 21.5 -r

# The subscriber has its subscription once the four retained messages are in.
bg_sub all -t 'house/#' -t 'sensors/#' -F '%t|%p'
wait_sub all 4

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"
wait_for "house (3 topics"

# A bare OFF becomes ON on the same topic, retained like the message it came in.
select_topic house/bulbs/bulb1
keys t
wait_for "Toggled house/bulbs/bulb1: OFF -> ON (QoS 0, retained)"
wait_sub all 5
[ "$(sub_line all 5)" = "house/bulbs/bulb1|ON" ] || fail "subscriber got '$(sub_line all 5)'"
[ "$(retained_of house/bulbs/bulb1)" = "1 ON" ] || fail "bulb1's retained message is not ON"
wait_for "bulb1 ® = ON"

# JSON: only the state changes, byte for byte the rest stays.
select_topic house/lights/kitchen
keys t
wait_for "Toggled house/lights/kitchen: OFF -> ON"
wait_sub all 6
[ "$(sub_line all 6)" = 'house/lights/kitchen|{"state":"ON","brightness":40}' ] ||
	fail "subscriber got '$(sub_line all 6)'"

# The rule sends to the command topic, QoS 1, not retained (commands are not kept).
select_topic house/plugs/desk
keys t
wait_for "Toggled house/plugs/desk: ON -> OFF, sent to house/plugs/desk/set (QoS 1)"
wait_sub all 7
[ "$(sub_line all 7)" = "house/plugs/desk/set|OFF" ] || fail "subscriber got '$(sub_line all 7)'"
[ "$(retained_count 'house/plugs/desk/set')" = 0 ] || fail "the command was retained"
[ "$(retained_of house/plugs/desk)" = "1 ON" ] || fail "the state topic was changed"

# No opposite: nothing is sent and the bottom line says why.
select_topic sensors/kitchen/temperature
keys t
wait_for "Not toggled: '21.5' has no opposite"
# The next message the subscriber sees is the following toggle, not anything for the sensor.
select_topic house/bulbs/bulb1
keys t
wait_for "Toggled house/bulbs/bulb1: ON -> OFF"
wait_sub all 8
[ "$(sub_line all 8)" = "house/bulbs/bulb1|OFF" ] || fail "subscriber got '$(sub_line all 8)'"
grep -q '^sensors/kitchen/temperature|' <(tail -n +5 "$T_DIR/all.out") && fail "a sensor value was sent"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
