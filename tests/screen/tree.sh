#!/usr/bin/env bash
# The tree shows published topics with counts and retained markers; live messages update it; q exits 0.
. "$(dirname "$0")/../lib.sh"

start_broker
pub house/bulbs/bulb1 ON -r
pub house/bulbs/bulb2 OFF -r
pub house/bulbs/bulb3 ON -r
pub sensors/kitchen/temperature '{"value":21.5}' -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"
wait_for "house (3 topics, 3 msgs)"
wait_for "sensors (1 topic, 1 msg)"
wait_for '$SYS ('

# The first rows are $SYS, house, sensors. The selection stays on the row it was on while rows
# arrive above it, so it is put on the first row before it is moved: then Down is house.
keys Home
wait_selected '$SYS ('
keys Down
wait_selected "house ("
keys Enter
wait_for "bulbs (3 topics, 3 msgs)"
keys Down
wait_selected "bulbs ("
keys Right
wait_for "bulb1 ® = ON"
wait_for "bulb2 ® = OFF"

# A live message updates value, retained marker and every count up the path.
pub house/bulbs/bulb1 OFF
wait_for "bulb1 = OFF"
wait_for "bulbs (3 topics, 4 msgs)"
wait_for "house (3 topics, 4 msgs)"

# A new topic under an open branch appears in place.
pub house/bulbs/bulb0 ON
wait_for "bulb0 = ON"
wait_for "bulbs (4 topics, 5 msgs)"

# Left collapses, and the status bar counts what arrived.
wait_selected "bulbs ("
keys Left
wait_gone "bulb1 = OFF"
wait_line "msgs [0-9,]+ .*topics [0-9,]+ .*drops 0"

# Home and End as tmux sends them (\e[1~ and \e[4~) reach the first and last rows.
keys End
wait_line '│sensors$'
keys Home
wait_line '│\$SYS$'

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
