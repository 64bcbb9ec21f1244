#!/usr/bin/env bash
# With no broker given, mqscope runs a private demo broker and devices, and stops them on quit.
. "$(dirname "$0")/../lib.sh"

# No config file may point it elsewhere.
export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
start_ui
wait_for "demo /" 30
wait_for "connected" 30
# Every simulated device has reported once (sensors report every 2 s).
wait_for "house (9 topics" 30
wait_for "sensors (18 topics" 30
wait_for '$SYS (' 30

mqs=$(pgrep -P "$UI_PID" | head -1)
[ -n "$mqs" ] || fail "cannot find the mqscope process"
children=$(pgrep -P "$mqs" | tr '\n' ' ')
[ -n "$children" ] || fail "demo broker and simulator are not children of mqscope"
log "demo processes: $children"

# Browse house/bulbs and see the simulated devices.
search "house/bulbs/bulb1"
wait_line "bulb1 ® = (ON|OFF)"
search "sensors/kitchen/temperature"
wait_line '"value":[0-9.-]+'
search '$SYS/broker/version'
wait_for "mosquitto version"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
for p in $children; do
	wait_pid_gone "$p" 30 || fail "demo process $p still running after quit"
done
pass
