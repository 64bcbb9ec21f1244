#!/usr/bin/env bash
# The mouse at 80x24, through tmux's mouse reporting (SGR sequences, as tmux sends a terminal's
# clicks on): a click selects a row and focuses its pane, a click on a branch marker opens it, the
# wheel moves through the list under the pointer, dragging the divider moves the split (kept for
# the next run). --no-mouse leaves the mouse to the terminal: mqscope asks for no reports.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
T_COLS=80 T_ROWS=24
start_broker
for i in $(seq 1 30); do echo "$i"; done >"$T_DIR/lines"
for r in a b c; do pub "house/$r/lamp" "ON" -r; done
for i in $(seq -w 1 40); do pub "farm/s$i" "$i" -r; done

# click X Y / release X Y / wheel up|down X Y: a mouse event at column X, row Y (from 1), as
# xterm's SGR mode sends it.
click() { keys -l $'\e'"[<0;$1;$2M"; }
release() { keys -l $'\e'"[<0;$1;$2m"; }
wheel() { keys -l $'\e'"[<$([ "$1" = up ] && echo 64 || echo 65);$2;$3M"; }
# The row (from 1) of the first screen line matching REGEX.
row() { screen | grep -nE "$1" | head -1 | cut -d: -f1; }
shown_topic() { screen | sed -n 2p | sed -E 's/^.*│//'; }
flag() { tmux -S "$T_SOCK" display-message -p -t t "#{$1}"; }

start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t 'house/#' -t 'farm/#'
wait_for "house (3 topics"
wait_for "farm (40 topics"
poll_until 10 "mouse reporting on" eval '[ "$(flag mouse_any_flag)$(flag mouse_standard_flag)$(flag mouse_button_flag)" != 000 ]'

# A click on the house row selects it (the payload pane shows it)...
y=$(row '^▸ house ')
click 5 "$y"
release 5 "$y"
poll_until 10 "house selected" eval '[ "$(shown_topic)" = house ]'
# ...a click on its marker opens it.
click 1 "$y"
release 1 "$y"
wait_line "^  ▸ a "
# A click on a row below selects it; a click on its marker opens it, showing the value.
y=$(row '^  ▸ b ')
click 3 "$y"
release 3 "$y"
wait_line "^      lamp ® = ON"
poll_until 10 "house/b selected" eval '[ "$(shown_topic)" = house/b ]'
check_edges

# The wheel over the tree moves its selection, three rows a notch: from farm (the first row) to
# house/b, and back.
y=$(row '^▸ farm ')
click 8 "$y"
release 8 "$y"
poll_until 10 "farm selected" eval '[ "$(shown_topic)" = farm ]'
wheel down 8 "$y"
poll_until 10 "the wheel to move the selection" eval '[ "$(shown_topic)" = house/b ]'
wheel up 8 "$y"
poll_until 10 "the wheel to move back" eval '[ "$(shown_topic)" = farm ]'
y=$(row '^      lamp ® = ON')

# A click in the payload pane focuses it: the tree's selected row turns from highlighted to
# underlined (shown without colour too); the tree's selection stays. A click on the row gives the
# tree the focus back.
click 8 "$y"
release 8 "$y"
poll_until 10 "house/b/lamp selected" eval '[ "$(shown_topic)" = house/b/lamp ]'
underlined() {
	tmux -S "$T_SOCK" capture-pane -p -e -t t | grep -E 'lamp' | sed 's/│.*//' |
		grep -qE $'\x1b\\[([0-9;]*;)?4[;m]'
}
click 60 10
release 60 10
poll_until 10 "the tree row to be underlined" underlined
[ "$(shown_topic)" = house/b/lamp ] || fail "the selection moved"
click 8 "$y"
release 8 "$y"
poll_until 10 "the tree to take the focus" eval '! underlined'

# The divider dragged from column 37 to column 49: the tree takes 60% of the width.
click 37 12
release 49 12
wait_for "The tree takes 60% of the width"
wait_line "^ .{47}│"
check_edges

# The wheel in a window moves its list: two notches, six rows down.
keys '?'
wait_for "mqscope keys"
wheel down 40 12
wheel down 40 12
wait_line " 7-[0-9]+ of [0-9,]+ "
keys Escape
wait_gone "mqscope keys"
keys q
wait_exit >/dev/null

# The split was kept for the next run. With --no-mouse nothing asks for mouse reports, so the
# terminal's own selection works.
respawn_ui -h 127.0.0.1 -p "$BROKER_PORT" -t 'house/#' --no-mouse
wait_for "house (3 topics"
wait_line "^.{48}│"
[ "$(flag mouse_any_flag)$(flag mouse_standard_flag)$(flag mouse_button_flag)" = 000 ] ||
	fail "mouse reporting is on with --no-mouse"
keys q
wait_exit >/dev/null
pass
