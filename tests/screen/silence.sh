#!/usr/bin/env bash
# Silence and timing: a sensor that reports twice a second and stops is marked silent (its row,
# its branch's count, the status bar, the payload pane), the is:silent filter and the silence sort
# find it, and it clears as soon as it reports again. A device that leaves with its will is offline
# at once, and back when it says it is online. Timestamps in payloads give the delay and the
# readings that came out of order.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
mkdir -p "$XDG_CONFIG_HOME/mqscope"
cat >"$XDG_CONFIG_HOME/mqscope/config" <<'CFG'
watches = ( { name = "cellar quiet"; filter = "sensors/cellar/#"; condition = "silent"; } );
CFG
start_broker "user root
log_type subscribe"
# Wide: the status bar holds the alarm and the counts of silent topics and offline devices.
T_COLS=160 start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t 'sensors/#' -t 'dev/#'
wait_for "connected"
pub dev/quiet/level 5 -r
wait_for "dev (1 topic"

# sensor: a sensor on sensors/cellar/temp, two readings a second, in the background.
sensor() {
	"$MQSCOPE_FLOOD" -p "$BROKER_PORT" -t sensors/cellar/temp -T 1 -r 2 -d 120 -n 0 -f text \
		>/dev/null 2>&1 &
	SENSOR=$!
	bg_pid $SENSOR
}
sensor
wait_for "sensors (1 topic"
select_topic sensors/cellar/temp
# It has spoken several times at its pace, and is not silent. Four messages at least: three
# intervals over more than a second are what a topic needs before it is judged.
wait_line "│timing +([4-9]|[1-9][0-9]+) msgs, every [0-9.]+ ms"
screen_matches "temp silent" && fail "a sensor that reports is silent: $(screen)"

# It stops: silent, on its row, its branches, the status bar and the payload pane.
kill "$SENSOR"
wait "$SENSOR"
wait_line "^ +temp silent = "
wait_line "cellar 1 silent"
wait_line "^ .*● connected .* 1 silent"
# A watch on silence fires.
wait_line "ALARM sensors/cellar/temp .*\\(cellar quiet\\)"
wait_line "│silent for [0-9.]+ m?s \(usually every [0-9.]+ m?s\)"
# dev/quiet/level spoke once (retained): too little to judge, never silent.
screen_matches " 2 silent" && fail "a topic seen once is silent: $(screen)"

# The filter to silent topics shows it and hides the rest; the silence sort puts it first.
keys f
wait_for "filter ("
keys C-u
keys -l "is:silent"
keys Enter
wait_line "filter is:silent"
wait_gone "dev ("
wait_line "^ +temp silent = "
keys f
wait_for "filter ("
keys C-u Enter
wait_for "dev (1 topic"
sort_through rate messages "last update" silence
wait_line "^[^ ]+ sensors 1 silent"
screen | sed -n 2p | grep -q "sensors 1 silent" || fail "the silent branch is not first: $(screen)"

# It speaks again: the mark clears at once.
sensor
wait_gone "1 silent"
wait_gone "ALARM"
wait_line "^ +temp = "
kill "$SENSOR"
wait "$SENSOR"

# A device that leaves without a word: its will says offline, and it is offline at once.
pub dev/plug/status online -r
select_topic dev/plug/status
wait_line "^ +status .*= online"
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -i plug -t dev/plug/cmd \
	--will-topic dev/plug/status --will-payload offline --will-retain --will-qos 1 >/dev/null &
plug=$!
bg_pid $plug
poll_until 30 "the plug's subscription" \
	grep -q "^[0-9]*: plug [0-2] dev/plug/cmd" "$T_DIR/mosquitto.log"
{
	kill -KILL "$plug"
	wait "$plug"
} 2>/dev/null
wait_line "plug offline"
wait_line "^ .*● connected .* 1 offline"
# It comes back.
pub dev/plug/status online -r
wait_gone "offline"

# Timing from the payload: readings stamped (JSON "ts", epoch ms) 3 to 6 s before they were sent,
# the last one older than the one before it: the delay and the reading out of order.
now=$(date +%s%3N)
for d in 5000 4000 3000 6000; do
	pub sensors/late/temp "{\"ts\":$((now - d)),\"value\":1}"
done
select_topic sensors/late/temp
wait_line "timestamps [0-9.]+ s behind"
wait_line "1 out of order"
pass
