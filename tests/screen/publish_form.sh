#!/usr/bin/env bash
# The publish form against a real broker: a multi-line QoS 1 retained message that a later
# subscriber receives; a bracketed paste (tabs and newlines are text); publish-again of the last
# value; and, with the broker down, the form keeps its contents, says why, and sends once it is back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/publib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
start_broker
pub devices/lamp/config '{"mode":"auto"}' -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"
select_topic devices/lamp/config

# p: the topic is prefilled; the payload takes Enter as a new line; Tab goes to QoS, then retain.
keys p
wait_for "Publish "
wait_for "devices/lamp/config"
keys -l '{"mode":"manual",'
keys Enter
keys -l ' "level":7}'
wait_for '"level":7}'
wait_for "2 lines"
keys Tab
keys 1
wait_for "[1]"
keys Tab Space
wait_for "[x] yes"
keys C-s
wait_line "Sent 29 B to devices/lamp/config \(QoS 1, retained\), acknowledged by the broker"
wait_gone "C-s send"

# A subscriber that comes later gets it: retained, QoS 1, both lines.
got=$(mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t devices/lamp/config -q 1 -C 1 -W 5 -F '%r %q %p')
[ "$got" = $'1 1 {"mode":"manual",\n "level":7}' ] || fail "later subscriber got '$got'"

# A paste comes in bracketed: its Tab and newline are text, not keys.
keys p
wait_for "C-s send"
printf 'a\tb\nc' >"$T_DIR/paste.txt"
tmux -S "$T_SOCK" load-buffer -b p "$T_DIR/paste.txt"
tmux -S "$T_SOCK" paste-buffer -p -b p -t t
wait_for "2 lines"
keys Tab 1 Tab Space
wait_for "[x] yes"
# This subscriber is ready once it has the retained (two-line) message.
bg_sub lamp -t devices/lamp/config -F '%r %p'
wait_sub lamp 2
keys C-s
wait_for "Sent 5 B to devices/lamp/config (QoS 1, retained), acknowledged by the broker"
wait_sub lamp 4
[ "$(sed -n 3,4p "$T_DIR/lamp.out")" = $'0 a\tb\nc' ] ||
	fail "pasted payload arrived as '$(sed -n 3,4p "$T_DIR/lamp.out")'"

# P: the last value again, with its QoS (0: mqscope subscribes at QoS 0) and retain flag.
keys P
wait_for "Publish again"
wait_for "C-s sends it again"
wait_for "[x] yes"
keys C-s
wait_for "Sent 5 B to devices/lamp/config (QoS 0, retained)"
wait_sub lamp 6
[ "$(sed -n 5,6p "$T_DIR/lamp.out")" = $'0 a\tb\nc' ] ||
	fail "publish again sent '$(sed -n 5,6p "$T_DIR/lamp.out")'"
[ "$(retained_of devices/lamp/config)" = $'1 a\tb\nc' ] || fail "publish again was not retained"
stop_subs

# Broker down: nothing is lost; the reason is shown; C-s sends once the broker is back.
stop_broker
wait_for "lost:"
keys p
wait_for "C-s send"
keys -l 'kept while down'
keys Tab Tab Space
wait_for "[x] yes"
keys C-s
wait_for "Not sent: not connected"
wait_for "keeps your message: C-s to try again"
wait_for "kept while down"
start_broker # same port; a fresh broker holds no retained messages
wait_line "● connected" 40
keys C-s
wait_for "Sent 15 B to devices/lamp/config (QoS 0, retained)"
[ "$(retained_of devices/lamp/config)" = "1 kept while down" ] ||
	fail "after the broker came back: '$(retained_of devices/lamp/config)'"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
