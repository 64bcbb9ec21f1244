#!/usr/bin/env bash
# Saved messages: the config file's list and group in the picker (m), one key sends one message or
# a whole group; a message saved from the publish form goes to mqscope's own messages file (the
# config file is left as written) and can be sent and deleted from the picker.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/publib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
mkdir -p "$XDG_CONFIG_HOME/mqscope"
cat >"$XDG_CONFIG_HOME/mqscope/config" <<'CFG'
# my hand-written config
messages = (
  { name = "bulb1 on"; topic = "house/bulbs/bulb1"; payload = "ON"; qos = 1; retain = true; },
  { name = "night 1"; group = "night"; topic = "house/bulbs/bulb1"; payload = "OFF"; },
  { name = "night 2"; group = "night"; topic = "house/bulbs/bulb2"; payload = "OFF"; qos = 2; }
);
CFG
cp "$XDG_CONFIG_HOME/mqscope/config" "$T_DIR/config.orig"

start_broker
pub house/bulbs/bulb1 OFF -r
bg_sub all -t 'house/#' -F '%t %p'
wait_sub all 1

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"

# One message: Enter on it.
keys m
wait_for "Saved messages (3 from the config file, 0 saved)"
wait_for "(group of 2: Enter sends them all)"
keys Enter
wait_for "Sent 'bulb1 on' to house/bulbs/bulb1 (QoS 1, retained)"
wait_sub all 2
[ "$(sub_line all 2)" = "house/bulbs/bulb1 ON" ] || fail "got '$(sub_line all 2)'"
[ "$(retained_of house/bulbs/bulb1)" = "1 ON" ] || fail "bulb1 on was not retained"

# A group: Enter on its header sends every message in it, in order.
keys m
wait_for "Saved messages"
keys Home Down Enter
wait_for "group 'night'"
wait_sub all 4
[ "$(sed -n 3,4p "$T_DIR/all.out" | tr '\n' ' ')" = "house/bulbs/bulb1 OFF house/bulbs/bulb2 OFF " ] ||
	fail "group sent: $(tr '\n' ' ' <"$T_DIR/all.out")"
wait_for "Sent group 'night': 2 messages, acknowledged by the broker"

# Save from the form (C-o), as "group: name".
select_topic house/bulbs/bulb1
keys p
wait_for "C-s send"
keys -l 'TOGGLE'
keys C-o
wait_for "Save as"
keys -l 'night: toggle 1'
keys Enter
wait_for "Saved as 'toggle 1' in $XDG_CONFIG_HOME/mqscope/messages"
keys Escape
wait_gone "C-s send"
cmp -s "$XDG_CONFIG_HOME/mqscope/config" "$T_DIR/config.orig" || fail "the config file was changed"
grep -q 'payload = "TOGGLE"' "$XDG_CONFIG_HOME/mqscope/messages" || fail "messages file lacks it"

# It is listed (after the group's own two), marked as saved; Enter sends it.
keys m
wait_for "Saved messages (3 from the config file, 1 saved)"
wait_line "toggle 1 +house/bulbs/bulb1 = TOGGLE +QoS 0 +saved"
keys Home Down Down Down Down
keys Enter
wait_for "Sent 'toggle 1' to house/bulbs/bulb1 (QoS 0)"
wait_sub all 5
[ "$(sub_line all 5)" = "house/bulbs/bulb1 TOGGLE" ] || fail "got '$(sub_line all 5)'"

# x twice deletes it from the messages file; a config message cannot be deleted from here.
keys m
wait_for "1 saved)"
keys Home Down Down Down Down x
wait_for "Delete 'toggle 1'"
keys x
wait_for "Deleted 'toggle 1'"
wait_for "(3 from the config file, 0 saved)"
grep -q TOGGLE "$XDG_CONFIG_HOME/mqscope/messages" && fail "still in the messages file"
keys g x
wait_for "'bulb1 on' is in the config file"
keys Escape

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
