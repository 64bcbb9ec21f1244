#!/usr/bin/env bash
# Resizing down to 40x10 and below keeps mqscope alive and drawing; it recovers on growing back.
. "$(dirname "$0")/../lib.sh"

start_broker
for i in 1 2 3 4 5; do pub "rooms/room$i/temperature" "2$i.0" -r; done
start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "rooms (5 topics, 5 msgs)"

resize() { tmux -S "$T_SOCK" resize-window -t t -x "$1" -y "$2"; }

resize 40 10
wait_for "rooms (5"
wait_line "^ .*connected"
search room3/temp
wait_for "rooms/room3"

resize 30 8
wait_line "^ .*connected"
resize 12 4
wait_for "Too small"
resize 1 1
resize 200 60
wait_for "rooms/room3/temperature"
resize 80 24
wait_for "rooms/room3/temperature"
for s in "41 11" "39 9" "120 40" "60 15"; do
	resize $s
	keys Down Up
done
wait_for "rooms/room3/temperature"
pub rooms/room3/temperature "99.5"
wait_for "99.5"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
