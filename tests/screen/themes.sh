#!/usr/bin/env bash
# Themes load by name and draw their colours; 8-colour terminals get basic colours only; NO_COLOR
# and the mono theme draw no colour; --ascii and a non-UTF-8 locale draw no line-drawing
# characters; a broken theme file is reported with file:line before the screen is touched.
. "$(dirname "$0")/../lib.sh"

# No config file of the machine may choose a theme.
export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"

# The screen with its attributes, as tmux holds it.
screen_sgr() { tmux -S "$T_SOCK" capture-pane -p -e -t t; }

# quit_ui: q, exit status 0, and the tmux server goes so that start_ui can run again.
quit_ui() {
	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
	stop_ui
	rm -f "$T_DIR/exit"
}

# Counts the SGR sequences on screen that set a colour (not the 39/49 "default colour" resets).
colour_sgrs() {
	screen_sgr | python3 -c '
import re, sys
n = 0
for seq in re.findall(r"\x1b\[([0-9;]*)m", sys.stdin.read()):
    p = [int(x) if x else 0 for x in seq.split(";")]
    i = 0
    while i < len(p):
        if p[i] in (38, 48):
            n += 1
            i += 3 if i + 1 < len(p) and p[i + 1] == 5 else 5
            continue
        if 30 <= p[i] <= 37 or 40 <= p[i] <= 47 or 90 <= p[i] <= 97 or 100 <= p[i] <= 107:
            n += 1
        i += 1
print(n)'
}

# Counts 256-colour SGRs (38;5;N or 48;5;N).
sgr256() { screen_sgr | grep -oE $'\x1b\\[[0-9;]*[34]8;5;[0-9]+' | wc -l; }

# Counts characters outside ASCII on the screen.
non_ascii() { screen | python3 -c 'import sys; print(sum(1 for c in sys.stdin.read() if ord(c) > 127))'; }

start_broker "user root"
pub house/bulbs/bulb1 ON -r
pub "sensors/kitchen/temperature" 21.5 -r
B=(-h 127.0.0.1 -p "$BROKER_PORT")

# light on a 256-colour terminal: its 256-colour palette (the bar is 255 on 24).
start_ui "${B[@]}" --theme light
wait_for "connected"
wait_for "house (1 topic"
screen_sgr | grep -qF $'\x1b[48;5;24m' || fail "light theme: no 256-colour bar background"
log "light, xterm-256color: $(sgr256) 256-colour SGRs"
quit_ui

# The same theme on an 8-colour terminal: basic colours only.
T_TERM=xterm start_ui "${B[@]}" --theme light
wait_for "connected"
wait_for "house (1 topic"
[ "$(sgr256)" = 0 ] || fail "xterm (8 colours) got 256-colour SGRs"
[ "$(colour_sgrs)" -gt 0 ] || fail "xterm (8 colours) got no colour at all"
quit_ui

# high-contrast loads and draws.
start_ui "${B[@]}" --theme high-contrast
wait_for "connected"
[ "$(colour_sgrs)" -gt 0 ] || fail "high-contrast drew no colour"
quit_ui

# NO_COLOR: no colour, but the bar is still set apart (reverse video).
T_ENV="NO_COLOR=1" start_ui "${B[@]}" --theme light
wait_for "connected"
wait_for "house (1 topic"
[ "$(colour_sgrs)" = 0 ] || fail "NO_COLOR: colour SGRs on screen"
screen_sgr | grep -qE $'\x1b\\[([0-9]+;)*7(;[0-9]+)*m' || fail "NO_COLOR: no reverse video at all"
quit_ui

# The mono theme on a colour terminal: no colour either.
start_ui "${B[@]}" --theme mono
wait_for "connected"
[ "$(colour_sgrs)" = 0 ] || fail "mono theme: colour SGRs on screen"
quit_ui

# --ascii: the tree, the separator, the help and the subscriptions overlays in plain ASCII.
start_ui "${B[@]}" --ascii
wait_for "connected"
wait_for "+ house (1 topic"
wait_for "|"
keys '?'
wait_for "mqscope keys"
[ "$(non_ascii)" = 0 ] || fail "--ascii: non-ASCII characters with the help open"
keys Escape
wait_gone "mqscope keys"
keys s
wait_for "Subscriptions"
wait_line '^ *\+-+ Subscriptions'
[ "$(non_ascii)" = 0 ] || fail "--ascii: non-ASCII characters with the subscriptions open"
keys Escape
wait_gone "Subscriptions"
quit_ui

# A locale that is not UTF-8 does the same by itself.
T_LANG=C start_ui "${B[@]}"
wait_for "connected"
wait_for "+ house (1 topic"
[ "$(non_ascii)" = 0 ] || fail "LANG=C: non-ASCII characters on screen"
quit_ui

# A theme of one's own, by name from $XDG_CONFIG_HOME/mqscope/themes.
mkdir -p "$XDG_CONFIG_HOME/mqscope/themes"
printf 'description = "mine";\nslots = {\n  bar = "black on 208 bold";\n};\n' \
	>"$XDG_CONFIG_HOME/mqscope/themes/mine.theme"
start_ui "${B[@]}" --theme mine
wait_for "connected"
screen_sgr | grep -qF $'48;5;208m' || fail "own theme: the bar is not colour 208"
quit_ui

# Mistakes: exit 2 with file:line, before any screen.
printf 'slots = {\n  bar = "white";\n  titel = "red";\n};\n' >"$XDG_CONFIG_HOME/mqscope/themes/bad.theme"
out=$("$MQSCOPE" "${B[@]}" --theme bad 2>&1)
rc=$?
[ $rc = 2 ] || fail "bad theme: exit $rc, not 2"
echo "$out" | grep -qF "bad.theme:3: unknown slot 'titel' (did you mean 'title'?)" ||
	fail "bad theme: '$out'"
out=$("$MQSCOPE" "${B[@]}" --theme nosuch 2>&1)
rc=$?
[ $rc = 2 ] || fail "unknown theme: exit $rc, not 2"
echo "$out" | grep -qF "no theme 'nosuch'" || fail "unknown theme: '$out'"
echo "$out" | grep -qF "light" || fail "unknown theme: the shipped themes are not listed: '$out'"
pass
