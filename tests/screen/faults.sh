#!/usr/bin/env bash
# Connection faults with a real mosquitto: the broker killed and restarted with a retained
# value changed while mqscope was away; the broker frozen (SIGSTOP), so the connection stalls
# and only the keepalive can tell; no broker at start, then one appears on the port.
. "$(dirname "$0")/../lib.sh"

# open_log / close_log: the connection log ('c') on and off.
open_log() {
	keys c
	wait_for "connection log, newest first"
}
close_log() {
	keys Escape
	wait_gone "connection log, newest first"
}

mkdir -p "$T_DIR/db"
# As root mosquitto would become the mosquitto user, who cannot write in $T_DIR.
DB="user root
persistence true
persistence_location $T_DIR/db/
autosave_interval 0"
start_broker "$DB"
PORT=$BROKER_PORT
start_ui -h 127.0.0.1 -p "$PORT" -k 5
wait_line "● connected"
pub state/x before -r
wait_for "state (1 topic"
search state/x
wait_for "before"
wait_for "retained"

# --- 1. The broker is killed. While it is away the retained value changes (a second broker,
# on another port, writes it into the same store), then it comes back on the first port.
# mqscope reconnects, subscribes again, shows the new retained value and live messages.
stop_broker
# Not connected from now on until the broker is back; the words of the loss itself are on the
# status bar only for the 1 s backoff, the connection log keeps them (checked below).
wait_line "● (lost: |connecting)" 30
BROKER_PORT=
start_broker "$DB"
pub state/x "changed while away" -r
stop_broker
BROKER_PORT=$PORT
start_broker "$DB"
# The backoff grew while the broker was away (1, 2, 4, 8 s...).
wait_line "● connected" 40
wait_for "changed while away"
wait_for "retained"
wait_gone "before"
pub live/after "live after restart"
wait_for "live (1 topic"
search live/after
wait_for "live after restart"
open_log
wait_for "connected (connection 2)"
wait_for "the broker closed the connection; next attempt in 1s"
close_log

# --- 2. The broker freezes: the connection stays open and nothing answers. With -k 5 the
# PINGREQ goes out after 5 s of quiet and is given up 5 s later.
kill -STOP "$BROKER_PID"
stopped_at=$(now_ms)
# The words stay up for the 1 s backoff; the next attempt meets a frozen broker too (the
# kernel still accepts) and then says no CONNACK came, for 2 s, then 4 s: each attempt shows
# them again, for longer, so a slow poll catches a later one. The log keeps them all.
wait_line "● lost: (keepalive timeout: the broker did not answer PINGREQ|no CONNACK)" 60
log "after $(($(now_ms) - stopped_at)) ms: $(screen | head -1 | sed -E 's/.*● //; s/  msgs .*//')"
kill -CONT "$BROKER_PID"
wait_line "● connected" 40
open_log
wait_for "keepalive timeout: the broker did not answer PINGREQ"
wait_for "connected (connection 3)"
close_log
# What it had is still there.
search state/x
wait_for "changed while away"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
stop_ui
stop_broker

# --- 3. Nobody listens on the port at start: it says so and backs off 1, 2, 4 s; once a
# broker appears there, it connects.
PORT=$(free_port)
start_ui -h 127.0.0.1 -p "$PORT" -k 5
wait_line "● connection refused, retrying in [0-9]+s" 30
open_log
wait_for "failed: connection refused; next attempt in 4s" 40
# The waits the client chose, oldest first (the log lists the newest first): 1, 2, then 4 s.
# Read from its own log, they do not depend on how busy the machine is.
waits=$(screen | grep -oE 'failed: connection refused; next attempt in [0-9]+s' |
	grep -oE '[0-9]+s$' | tac | head -3 | tr '\n' ' ')
[ "$waits" = "1s 2s 4s " ] || fail "the first waits were $waits, not 1s 2s 4s"
close_log
BROKER_PORT=$PORT
start_broker
wait_line "● connected" 40
pub late/topic "the broker came late"
wait_for "late (1 topic"
search late/topic
wait_for "the broker came late"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
