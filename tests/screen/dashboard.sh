#!/usr/bin/env bash
# b opens the broker dashboard from $SYS: the client count is the broker's own; messages the broker
# drops while mqscope is connected are flagged in the status bar.
. "$(dirname "$0")/../lib.sh"

start_broker "sys_interval 1
max_queued_messages 5"
# Two idle clients besides mqscope.
for i in 1 2; do
	mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -i "idle$i" -t "idle/$i" >/dev/null 2>&1 &
	bg_pid $!
done

start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"
keys b
wait_for "broker 127.0.0.1:$BROKER_PORT"
wait_line "│ broker +mosquitto version [0-9.]+ +up [0-9]+m [0-9]+s"
wait_line "│ messages in +[0-9.]+/s"
wait_line "│ retained +[0-9]+"
wait_line "│ subscriptions +[0-9]+"

# mqscope and the two idle clients, once the broker has published the count (every second).
wait_line "│ clients +connected 3 +disconnected"
# The client count shown is what the broker reports. Asked with mosquitto_sub, which itself
# counts as a client for a moment: a count published while it was connected says 4, so ask
# again until the broker says 3, as the dashboard does.
said=
for try in 1 2 3 4 5 6 7 8 9 10; do
	said=$(mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t '$SYS/broker/clients/connected' -C 1 \
		-W 20) || fail "no client count from the broker"
	[ "$said" = 3 ] && break
done
[ "$said" = 3 ] || fail "expected 3 clients (mqscope and two idle ones), the broker said $said"
wait_line "│ clients +connected $said +disconnected"
keys Escape
wait_gone "mosquitto version"

# Make the broker drop 15 messages: a persistent session is offline with 5 queued at most.
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -i dropper -c -q 1 -t 'queue/#' -W 20 -C 1 -E ||
	fail "persistent subscriber"
for i in $(seq 1 20); do echo "$i"; done |
	mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t queue/x -l || fail "pub queue"
wait_line "connected .*broker dropped 15" 30
keys b
wait_line "│ dropped +total 15 .*while watched 15"
keys q
wait_gone "while watched"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
