#!/usr/bin/env bash
# The README's first command (no broker named: demo broker and devices): toggling a demo bulb and
# a demo light from mqscope switches the device, which reports its new state, retained.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/publib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
# The demo's directory goes in TMPDIR: a short one of the test's own, so the status bar shows
# its whole path whatever TMPDIR the suite runs with.
TMPDIR=$(mktemp -d /tmp/mqd.XXXXXX)
export TMPDIR
trap 'rc=$?; rm -rf "$TMPDIR"; (exit $rc); cleanup' EXIT
start_ui
wait_for "connected" 30
wait_for "house (9 topics" 30
# The status bar names the demo's private directory: its socket and password are there.
DEMO_DIR=$(screen | head -1 | grep -oE 'demo /[^ ]+' | cut -d' ' -f2)
[ -S "$DEMO_DIR/mqtt.sock" ] || fail "cannot find the demo broker's socket in '$DEMO_DIR'"

# bulb1's state now, then a subscriber that has seen it (so it is subscribed).
state=$(retained_of house/bulbs/bulb1 | cut -d' ' -f2)
case "$state" in ON) want=OFF ;; OFF) want=ON ;; *) fail "bulb1 reports '$state'" ;; esac
bg_sub bulb -t house/bulbs/bulb1 -F '%p'
wait_sub bulb 1

select_topic house/bulbs/bulb1
keys t
wait_for "Toggled house/bulbs/bulb1: $state -> $want"
# Our command, then the bulb's own report of its new state.
wait_sub bulb 3
[ "$(sed -n 2,3p "$T_DIR/bulb.out" | tr '\n' ' ')" = "$want $want " ] ||
	fail "bulb1 messages: $(tr '\n' ' ' <"$T_DIR/bulb.out")"
[ "$(retained_of house/bulbs/bulb1)" = "1 $want" ] || fail "bulb1's retained state is not $want"
wait_for "bulb1 ® = $want"

# A light: JSON state flipped, brightness kept; the light reports the same document.
light=$(retained_of house/lights/kitchen)
case "$light" in
'1 {"state":"OFF",'*) flipped=${light#1 }; flipped=${flipped/\"OFF\"/\"ON\"} ;;
'1 {"state":"ON",'*) flipped=${light#1 }; flipped=${flipped/\"ON\"/\"OFF\"} ;;
*) fail "kitchen light reports '$light'" ;;
esac
bg_sub light -t house/lights/kitchen -F '%p'
wait_sub light 1
select_topic house/lights/kitchen
keys t
wait_for "Toggled house/lights/kitchen"
wait_sub light 3
[ "$(sed -n 2p "$T_DIR/light.out")" = "$flipped" ] || fail "light command: $(sed -n 2p "$T_DIR/light.out")"
[ "$(sed -n 3p "$T_DIR/light.out")" = "$flipped" ] || fail "light report: $(sed -n 3p "$T_DIR/light.out")"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
