#!/usr/bin/env bash
# Watches: one from the config file on a JSON field fires when a reading crosses its limit (the
# status bar says ALARM in the alarm colour, the terminal bell rings once: the BEL byte is in the
# raw terminal stream) and clears when the reading falls back; one added with ! on a text value
# does the same; a watch with bell = false fires without a bell; W lists the watches and the log
# of when each fired and cleared, with the values.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
mkdir -p "$XDG_CONFIG_HOME/mqscope"
cat >"$XDG_CONFIG_HOME/mqscope/config" <<'CFG'
watches = (
  { name = "too hot"; filter = "sensors/+/temperature"; field = "value"; condition = "> 30"; },
  { name = "quiet one"; filter = "house/lamp"; condition = "== \"ON\""; bell = false; }
);
CFG

start_broker
start_ui_raw -h 127.0.0.1 -p "$BROKER_PORT" -t 'sensors/#' -t 'house/#'
wait_for "connected"

# bells: how many BEL bytes mqscope has written to the terminal (curses itself writes none here:
# no title or other OSC sequence, which termscan checks in other tests).
bells() {
	python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"\x07"))' "$T_DIR/raw"
}
bells_are() { [ "$(bells)" = "$1" ]; }
# wait_bells N: until the terminal has had N bells.
wait_bells() { poll_until 30 "$1 bell(s) in the terminal stream" bells_are "$1"; }
# alarm_styled: whether the status bar's ALARM is drawn in a colour of its own (not the bar's).
alarm_styled() {
	tmux -S "$T_SOCK" capture-pane -p -e -t t | head -1 | grep -qE $'\x1b\\[[0-9;]*m ?ALARM'
}

pub sensors/cellar/temperature '{"value":21.5}'
select_topic sensors/cellar/temperature
wait_line "│  \"value\": 21.5$"
screen_has "ALARM" && fail "an alarm below the limit: $(screen)"
[ "$(bells)" = 0 ] || fail "a bell before any watch fired"

# Over the limit: the alarm, in its colour, and one bell.
pub sensors/cellar/temperature '{"value":31.5}'
wait_line "^ .*● connected .*ALARM sensors/cellar/temperature = 31.5 \(too hot\)"
alarm_styled || fail "the ALARM is not in a colour of its own"
wait_bells 1
# Still over: no second bell; back under the limit: the alarm clears.
pub sensors/cellar/temperature '{"value":35}'
wait_line "│  \"value\": 35$"
pub sensors/cellar/temperature '{"value":20}'
wait_gone "ALARM"
[ "$(bells)" = 1 ] || fail "$(bells) bells for one alarm"

# A watch added from the UI (!): the prompt starts with the selected topic.
pub house/door CLOSED
select_topic house/door
wait_line "door = CLOSED"
keys '!'
wait_for "watch ("
wait_line "\\.\\.\\.\\): house/door$"
keys -l '== OPEN'
keys Enter
wait_for "Watching house/door == OPEN"
pub house/door OPEN
wait_line "^ .*● connected .*ALARM house/door = OPEN"
wait_bells 2
pub house/door CLOSED
wait_gone "ALARM"

# bell = false: an alarm without a bell.
pub house/lamp ON
wait_line "^ .*● connected .*ALARM house/lamp = ON \(quiet one\)"
pub house/lamp OFF
wait_gone "ALARM"
[ "$(bells)" = 2 ] || fail "a watch with bell = false rang the bell"

# The watch window: the watches, then the log, newest first, with times and values.
keys W
wait_for "watch too hot"
wait_for "watch quiet one"
wait_for "watch house/door == OPEN"
wait_line "[0-9:]+ +cleared +house/lamp = OFF"
wait_line "[0-9:]+ +FIRED +house/lamp = ON"
wait_line "[0-9:]+ +FIRED +sensors/cellar/temperature = 31.5 +too hot"
wait_line "[0-9:]+ +cleared +sensors/cellar/temperature = 20 +too hot"
wait_line "[0-9:]+ +FIRED +house/door = OPEN"
screen | grep -q "temperature = 35" && fail "the log holds a reading that did not change the state"
keys Escape
wait_gone "watch too hot"
pass
