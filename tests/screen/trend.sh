#!/usr/bin/env bash
# Trends: a numeric topic fed 50 values shows a sparkline ending on its last value; a JSON field is
# followed (F picks another); the chart (C) shows them all; $SYS load counters trend too.
. "$(dirname "$0")/../lib.sh"

start_broker "sys_interval 1"
printf 'ui = { history = 64; };\n' >"$T_DIR/config"
start_ui --config "$T_DIR/config" -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"

# 1..50, one message per line: rising, so the last value is the maximum and the first the minimum.
seq 1 50 | mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t sensors/count -l ||
	fail "mosquitto_pub -l"
search "sensors/count"
wait_line "messages 50"
# The sparkline rises from the lowest block to the full one, and the numbers match.
wait_line "trend ▁[▁▂▃▄▅▆▇█]*█ min [0-9]+ max 50 last 50$"

# The chart of the same: all 50 values, the last one on the right.
keys C
wait_line "── chart ─"
wait_for "50 values  last 50"
wait_line "^.*│50 +│"
keys C
wait_line "── text ─"

# JSON: the measurement is followed, not the timestamp; F switches to the next numeric field.
for i in $(seq 1 20); do
	printf '{"ts":%d,"temp":%d.5,"unit":"C"}\n' $((1700000000 + i)) $((20 + i % 5))
done | mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t sensors/json -l || fail "pub json"
search "sensors/json"
wait_line "messages 20"
wait_line "trend temp [▁▂▃▄▅▆▇█]+ min 20.5 max 24.5 last 20.5$"
keys F
wait_for 'Trend follows "ts"'
# Long numbers in a narrow pane keep the last value.
wait_line "trend ts [▁▂▃▄▅▆▇█]+ last 1700000020$"
keys F
wait_for 'Trend follows "temp"'

# $SYS counters published by the broker every second.
search "load/messages/received/1min"
wait_line "^.*│\\\$SYS/broker/load/messages/received/1min"
wait_line "trend [▁▂▃▄▅▆▇█]+ min [0-9.]+ max [0-9.]+ last [0-9.]+$"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
