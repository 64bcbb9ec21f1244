#!/usr/bin/env bash
# The help at 80x24: every key of every mode, reachable by scrolling (arrows, pages, Home/End),
# found by / n N, wrapped at word boundaries (the last key's description is whole on screen), and
# closed by its own keys only (Esc q ? F1). Keys rebound in the config file's groups show there
# and work; unknown names in a group are reported with file:line.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"

# The last entry of the man page's KEYS section: its keys and its description, as the help shows
# them ("Close the dashboard (close)"). The page is made from the same tables as the help.
last_entry() {
	python3 - "$MQSCOPE_MAN" "$1" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
keys = page[page.index(".SH KEYS"):page.index(".SH", page.index(".SH KEYS") + 1)]
tag, text = re.findall(r"^\.TP\n\.B (.*)\n(.*)$", keys, flags=re.M)[-1]
text = re.sub(r"\\f[IRB]", "", text).replace("\\-", "-").replace("\\e", "\\")
print(tag.replace("\\-", "-") if sys.argv[2] == "keys" else text.rstrip("."))
PY
}
LAST_KEYS=$(last_entry keys)
LAST_TEXT=$(last_entry text)
[ -n "$LAST_TEXT" ] || fail "no last entry in the man page's KEYS section"

# The text inside the help window, its lines joined: what was wrapped reads as one again.
help_text() {
	screen | python3 -c '
import sys
out = []
for line in sys.stdin.read().splitlines():
    i, j = line.find("\u2502"), line.rfind("\u2502")
    if 0 <= i < j:
        out.append(line[i + 1:j].strip())
print(" ".join(" ".join(out).split()))'
}
help_has() { help_text | grep -qF -- "$1"; }

start_broker
pub house/bulbs/bulb1 ON -r
T_COLS=80 T_ROWS=24 start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "house (1 topic"

keys '?'
wait_for "mqscope keys (Esc q ? F1 closes)"
wait_for "The tree and the payload"
wait_line "1-20 of [0-9]+ "
total=$(screen | grep -oE '1-20 of [0-9]+' | grep -oE '[0-9]+$')
[ "$total" -gt 100 ] || fail "the help has only $total lines"

# Down scrolls one line, a page keeps one line of the last; End shows the last entry whole.
keys Down
wait_line "2-21 of $total "
keys PgDn
wait_line "21-40 of $total "
keys PgUp
wait_line "2-21 of $total "
keys End
wait_line "$((total - 19))-$total of $total "
poll_until 30 "the last entry, '$LAST_KEYS  $LAST_TEXT', whole" help_has "$LAST_KEYS $LAST_TEXT"
# A long description is wrapped at a space, never inside a word: its lines joined by spaces
# read as the description (help_has).
keys Home
wait_line "1-20 of $total "
keys /
keys -l "publish-again"
keys Enter
poll_until 30 "the publish-again entry" help_has \
	"Publish the selected topic's last value again (editable first) (publish-again)"

# Search: / finds, n and N go on, wrapping around.
keys /
keys -l "qos-2"
keys Enter
poll_until 30 "the first qos-2" help_has "The same with QoS 2 (qos-2)"
keys n
poll_until 30 "the second qos-2" help_has "QoS 2: exactly once (qos-2)"
keys n
wait_for "Search wrapped around"
poll_until 30 "the first qos-2 again" help_has "The same with QoS 2 (qos-2)"
keys N
poll_until 30 "the second qos-2 again" help_has "QoS 2: exactly once (qos-2)"
keys /
keys -l "no such key anywhere"
keys Enter
wait_for 'Nothing here matches "no such key anywhere"'

# Only its own keys close it: another key leaves it open (the End after it scrolls the help).
keys x Home End
poll_until 30 "the last entry after x" help_has "$LAST_KEYS $LAST_TEXT"
for k in Escape q '?' F1; do
	keys Home
	wait_line "1-20 of $total "
	keys "$k"
	wait_gone "mqscope keys"
	keys '?'
	wait_for "mqscope keys"
done
keys Escape
wait_gone "mqscope keys"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
stop_ui

# Rebound keys: the help shows them and they work; the defaults they replaced do nothing. A
# mode's group and a top-level action of the same word (help) are set side by side.
cat >"$T_DIR/keys.conf" <<'CONF'
keys = {
  move_down = ["Down", "J"];
  help = ["?", "F6"];
  help_window = { close = ["x", "F3"]; };
  form = { send = "F5"; };
};
CONF
T_COLS=80 T_ROWS=24 start_ui --config "$T_DIR/keys.conf" -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "house (1 topic"
keys '?'
wait_for "mqscope keys (x F3 closes)"
keys J
wait_line "2-21 of $total "
keys /
keys -l "Send the message (send)"
keys Enter
poll_until 30 "the form's send key rebound" help_has "F5 Send the message (send)"
keys Escape # not a close key any more
keys End
poll_until 30 "the last entry with Esc rebound away" help_has "$LAST_TEXT"
keys x
wait_gone "mqscope keys"
keys F6
wait_for "mqscope keys (x F3 closes)"
keys F3
wait_gone "mqscope keys"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
stop_ui

# An unknown name in a group: file:line, and mqscope does not start.
printf 'keys = {\n  help_window = {\n    clsoe = "x";\n  };\n};\n' >"$T_DIR/bad.conf"
out=$("$MQSCOPE" --config "$T_DIR/bad.conf" -h 127.0.0.1 -p "$BROKER_PORT" 2>&1) && fail "started with a bad config"
echo "$out" | grep -qF "$T_DIR/bad.conf:3: unknown action 'clsoe' in keys.help_window (did you mean 'close'?)" ||
	fail "bad key name not reported with file:line: $out"
printf 'keys = {\n  form = { send = "C-#"; };\n};\n' >"$T_DIR/bad.conf"
out=$("$MQSCOPE" --config "$T_DIR/bad.conf" -h 127.0.0.1 -p "$BROKER_PORT" 2>&1) && fail "started with a bad key"
echo "$out" | grep -qF "$T_DIR/bad.conf:2: unknown key 'C-#' for form.send" ||
	fail "bad key not reported with file:line: $out"
pass
