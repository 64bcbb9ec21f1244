#!/usr/bin/env bash
# At 40x10 every window, form and prompt either fits (its parts are on screen) or says in one line
# what size it needs; nothing opens invisibly, and each closes with its own key. The payload pane
# still shows the value.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"

start_broker
pub house/bulbs/bulb1 ON -r
pub house/bulbs/bulb2 OFF -r
T_COLS=40 T_ROWS=10 start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "house (2 topics"

# The selection somewhere known first: on bulb1, found by search.
search house/bulbs/bulb1
wait_line "^house/bulbs/bulb1"
wait_line "^ON"  # the value, in a pane of three lines

# closes KEY TEXT: KEY closes the window showing TEXT.
closes() {
	keys "$1"
	wait_gone "$2"
	wait_line "^house/bulbs/bulb1" # the main screen is back
}

# Help: fits (a narrower key column), scrolls to its end.
keys '?'
wait_for "mqscope keys"
keys End
wait_for "Close the watches"
closes Escape "mqscope keys"

# Publish form: fits without its rule and key hints; every field is on screen.
keys p
wait_for "Publish"
for f in Topic Payload QoS Retain "Content type" "Response topic" "User props"; do
	wait_for "$f"
done
wait_line "Topic +house/bulbs/bulb1"
closes Escape "Response topic"

# Subscriptions: fits.
keys s
wait_for "Subscriptions"
wait_line "│ #  +QoS 0 │"
closes q "Subscriptions"

# Saved messages: fits (none saved: says how to save one).
keys m
wait_for "Saved messages"
wait_for "No saved messages yet."
closes Escape "Saved messages"

# Connection log: fits.
keys c
wait_for "connection log"
wait_line "connected"
closes c "connection log"

# Dashboard: too big for 40x10; one line says what it needs and how to close it.
keys b
wait_for "Dashboard: needs "
wait_line "^Dashboard: needs [0-9]+x[0-9]+ \(Esc closes\)$"
closes Escape "Dashboard: needs"

# Watches: fits, and says how to add one.
keys W
wait_for "No watches yet"
closes Escape "No watches yet"

# The stream: its header and the messages fit above the payload ($SYS may be the newest); S goes
# back to the tree.
keys S
wait_line "^stream: [0-9]+ messages"
wait_line "^[0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]"
keys S
wait_gone "stream: "

# Clear retained, on the branch (bulb1's parent): the question fits, wrapped.
search house/bulbs/bulb1
wait_line "^house/bulbs/bulb1"
keys Left
wait_line "^house/bulbs$"
keys d
wait_for "Clear retained messages"
wait_for "cannot be undone."
wait_for "y yes"
keys n
wait_gone "Clear retained messages"
wait_for "Nothing cleared"

# Prompts on the bottom line: search, filter, file name (of bulb1's value), login.
search house/bulbs/bulb1
wait_line "^house/bulbs/bulb1"
for k in / f w '!' e E; do
	keys "$k"
	case $k in
	/) wait_line "^/ *$" ;;
	f) wait_for "filter (" ;;
	w) wait_for "write payload to file:" ;;
	!) wait_for "watch (" ;;
	e) wait_for "export the latest values" ;;
	E) wait_for "export the history of" ;;
	esac
	keys Escape
	wait_line "^ q quit"
done
keys L
wait_for "Username (empty for none):"
keys Enter
wait_line "^Password.*: *$"
keys Escape
wait_for "Not logged in again"

# History in the payload pane: its title and the row fit.
keys H
wait_for "history: 1 of"
wait_line "^ *0 .*ON"
keys H

# Smaller still: the form says what it needs.
tmux -S "$T_SOCK" resize-window -t t -x 40 -y 9
keys p
wait_line "^Publish form: needs [0-9]+x[0-9]+ \(Esc closes\)$"
keys Escape
wait_gone "Publish form: needs"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
