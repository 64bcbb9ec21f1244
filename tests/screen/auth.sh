#!/usr/bin/env bash
# Passwords: -P - asks on the terminal without echo before the screen starts; a refused login
# asks again inside the UI (masked) and reconnects with it; MQSCOPE_PASSWORD works; the password
# is never on screen, and ps(1) does not show one given with -P.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
PW='s3cret-Pa55'
mosquitto_passwd -b -c "$T_DIR/pw" alice "$PW" || fail "mosquitto_passwd"
# As root mosquitto would become the mosquitto user, who cannot read $T_DIR.
start_broker "user root
allow_anonymous false
password_file $T_DIR/pw"
B=(-h 127.0.0.1 -p "$BROKER_PORT" -u alice -t '#')

quit_ui() {
	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
	stop_ui
	rm -f "$T_DIR/exit"
}

# The screen must never show these.
no_secret() {
	if screen | grep -qF -e "$PW" -e "wrong-guess"; then
		fail "a password is on screen"
	fi
}

# -P -: asked on the terminal, not echoed.
start_ui "${B[@]}" -P -
wait_for "Password for alice at 127.0.0.1:$BROKER_PORT:"
keys -l "$PW"
no_secret
keys Enter
wait_for "connected"
no_secret
quit_ui

# -P - with several brokers: one prompt per broker, each naming the broker it is for (its branch
# in the tree: here two connections to one broker, the second told apart as "-2").
L="mqtt://127.0.0.1:$BROKER_PORT"
start_ui -L "$L" -L "$L" -u alice -t '#' -P -
wait_for "Password for alice at broker 127.0.0.1:$BROKER_PORT:"
keys -l "$PW"
keys Enter
wait_for "Password for alice at broker 127.0.0.1:$BROKER_PORT-2 (127.0.0.1:$BROKER_PORT):"
keys -l "$PW"
no_secret
keys Enter
wait_line "127.0.0.1:$BROKER_PORT up +127.0.0.1:$BROKER_PORT-2 up"
no_secret
quit_ui

# A wrong password: refused in words, retried with a growing wait, then asked for in the UI.
start_ui "${B[@]}" -P wrong-guess
wait_line "not authorized, retrying in [0-9]+s"
wait_for "Password for alice (Enter logs in, Esc cancels):"
# ps shows no password given with -P.
mqs=$(pgrep -P "$UI_PID" | head -1)
[ -n "$mqs" ] || fail "cannot find the mqscope process"
tr '\0' ' ' <"/proc/$mqs/cmdline" | grep -q "wrong-guess" && fail "ps shows the -P password"
keys -l "$PW"
wait_line "Password for alice \(Enter logs in, Esc cancels\): \*{${#PW}}$"
no_secret
keys Enter
wait_for "Logging in as alice"
wait_line "^ .*● connected"
no_secret
quit_ui

# Refused again with the prompt dismissed: Esc, then L asks again.
start_ui "${B[@]}" -P wrong-guess
wait_for "Password for alice"
keys Escape
wait_for "Not logged in again; L asks again"
wait_line "not authorized, retrying in [0-9]+s"
keys L
wait_for "Username (empty for none): alice"
keys Enter
wait_for "Password for alice"
keys -l "$PW"
keys Enter
wait_line "^ .*● connected"
no_secret
quit_ui

# MQSCOPE_PASSWORD, when no -P is given.
T_ENV="MQSCOPE_PASSWORD=$PW" start_ui "${B[@]}"
wait_line "^ .*● connected"
quit_ui

# Attempts back off: over 4 s with a wrong password and nobody typing, at most 3 connections
# (1 s, then 2 s between them), counted by the broker.
before=$(grep -c "New connection from" "$T_DIR/mosquitto.log")
start_ui "${B[@]}" -P wrong-guess
wait_for "Password for alice"
t0=$(now_ms)
while [ $(($(now_ms) - t0)) -lt 4000 ]; do sleep 0.2; done
after=$(grep -c "New connection from" "$T_DIR/mosquitto.log")
log "connections in 4 s: $((after - before))"
[ $((after - before)) -le 3 ] || fail "$((after - before)) connections in 4 s: hammering"
wait_line "not authorized, retrying in [0-9]+s"
keys Escape
quit_ui
pass
