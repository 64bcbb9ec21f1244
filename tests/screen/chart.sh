#!/usr/bin/env bash
# Several series in one chart: + adds the selected topic (its JSON field, or the plain number) to
# the chart, which plots them on one time axis with a legend line each (glyph, topic, field, last
# value), the scale's ends and the first and last times under the axis; all in ASCII glyphs; +
# again takes a series out; C goes back to the value.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
start_broker
T_COLS=120 T_ROWS=40 start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t 'sensors/#'
wait_for "connected"
# pane: the payload pane, right of the tree (the screen is wide: side by side).
pane() { screen | sed 's/^[^│]*│//'; }
pane_matches() { pane | grep -qE -- "$1"; }
wait_pane() { poll_until 30 "a payload pane line matching /$1/" pane_matches "$1"; }
for i in 1 2 3 4 5 6; do
	pub sensors/a/temp "{\"value\":$((20 + i)),\"unit\":\"C\"}"
	pub sensors/b/hum "$((60 - 2 * i))"
done
wait_for "sensors (2 topics, 12 msgs"

select_topic sensors/a/temp
wait_pane '^ +"value": 26,'
keys +
wait_for "Chart: 1 series"
select_topic sensors/b/hum
wait_pane "^sensors/b/hum$"
keys +
wait_for "Chart: 2 series"
wait_for "chart: 2 series"
# The legend: a line per series with its glyph, topic, field and last value.
wait_pane '^\* sensors/a/temp value 26$'
wait_pane '^\+ sensors/b/hum 48$'
# The shared scale runs from the smallest to the largest value of both.
wait_pane "^58 +(│|\|)"
wait_pane "^21 +(│|\|)"
# Both glyphs are plotted, and under the axis are real times of day.
# chart: the plot's rows right of the axis.
chart() {
	pane | sed -n '/chart: 2 series/,$p' | grep -E '^[0-9. ]* +(│|\|)' |
		sed -E 's/^[0-9. ]* +(│|\|)//'
}
chart | grep -q '\*' || fail "the first series is not plotted: $(screen)"
chart | grep -q '+' || fail "the second series is not plotted: $(screen)"
wait_pane "^ +[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)? \.\. [0-9]{2}:[0-9]{2}:[0-9]{2}"
# The plot is ASCII glyphs (the axis is a line-drawing character only where the locale allows).
chart | LC_ALL=C grep -q $'[\x80-\xff]' &&
	fail "the plot holds characters that are not ASCII: $(screen)"

# + on a series again takes it out.
keys +
wait_for "Chart: took out sensors/b/hum; 1 series left"
wait_gone "sensors/b/hum 48"
# C: back to the value.
keys C
wait_gone "chart"
wait_pane "^48$"
pass
