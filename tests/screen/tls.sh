#!/usr/bin/env bash
# TLS from the command line: a mosquitto_sub line works unchanged; --insecure is flagged on the
# status bar; a wrong host name and an unknown CA are said in words.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
# The certificate names localhost only (a check below connects to 127.0.0.1).
make_certs "$T_DIR" DNS:localhost
# As root mosquitto would become the mosquitto user, who cannot read $T_DIR.
start_broker "user root
cafile $T_DIR/ca.crt
certfile $T_DIR/server.crt
keyfile $T_DIR/server.key"

quit_ui() {
	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
	stop_ui
	rm -f "$T_DIR/exit"
}

mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$T_DIR/ca.crt" -t tls/hello -m hi -r -q 1 ||
	fail "mosquitto_pub over TLS"

# A mosquitto_sub command line, output flags and all: first mosquitto_sub itself...
args=(-h localhost -p "$BROKER_PORT" --cafile "$T_DIR/ca.crt" -t 'tls/#' -v -q 1 -C 1 -W 5)
out=$(mosquitto_sub "${args[@]}") || fail "mosquitto_sub ${args[*]}"
[ "$out" = "tls/hello hi" ] || fail "mosquitto_sub printed '$out'"
# ... then the same line with only the program name changed.
start_ui "${args[@]}"
wait_line "^ (mqscope  )?mqtts://localhost:$BROKER_PORT  . connected"
wait_for "tls (1 topic"
screen | grep -q "INSECURE" && fail "a verified connection is flagged insecure"
# The connection log says what the TLS session is (mqscope's own, from OpenSSL).
keys c
wait_line "connected \(connection 1\) over TLSv1\.[23] [A-Z0-9_-]+"
keys Escape
wait_gone "connection log, newest first"
# Over TLS too, a payload over payload_cap (4 MiB) is cut on the way in, its real size shown,
# and the connection goes on.
mqs=$(pgrep -P "$UI_PID" | head -1)
hwm() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$mqs/status"; }
before=$(hwm)
head -c 50000000 /dev/zero | tr '\0' z |
	mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$T_DIR/ca.crt" -t tls/big -s ||
	fail "publish 50 MB over TLS"
wait_for "payload_cap: 1 cut" 60
grew=$(($(hwm) - before))
log "peak RSS grew by $grew kB for 50 MB over TLS"
if ! ldd "$MQSCOPE" | grep -qE 'libasan|libtsan'; then
	[ "$grew" -lt 30000 ] || fail "peak RSS grew by ${grew} kB: the payload was not cut on the way in"
fi
select_topic tls/big
wait_for "truncated: showing 4.0 MiB of 47.7 MiB"
mosquitto_pub -h localhost -p "$BROKER_PORT" --cafile "$T_DIR/ca.crt" -t tls/after -m later ||
	fail "publish after"
wait_for "after = later"
quit_ui

# The certificate names localhost, not 127.0.0.1.
start_ui -h 127.0.0.1 -p "$BROKER_PORT" --cafile "$T_DIR/ca.crt"
wait_for "TLS: broker certificate does not match the host name"
quit_ui

# --insecure: connected, and flagged (in the bad-news colours, red background by default).
start_ui -h 127.0.0.1 -p "$BROKER_PORT" --cafile "$T_DIR/ca.crt" --insecure
wait_line "INSECURE: host name not checked .* connected"
tmux -S "$T_SOCK" capture-pane -p -e -t t | head -1 | grep -qE $'\x1b\\[([0-9]+;)*41(;[0-9]+)*mINSECURE' ||
	fail "INSECURE is not in the bad-news colours"
quit_ui

# No CA given: the system's CAs do not know ours; with --insecure nothing is checked.
start_ui -L "mqtts://localhost:$BROKER_PORT/tls/#"
wait_for "TLS: broker certificate not trusted (unknown CA"
quit_ui
start_ui -L "mqtts://localhost:$BROKER_PORT/tls/#" --insecure
wait_line "INSECURE: certificate not checked .* connected"
wait_for "tls (1 topic"
quit_ui
pass
