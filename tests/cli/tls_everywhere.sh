#!/usr/bin/env bash
# Every way to ask for TLS turns it on in the TUI, `mqscope pub` and `mqscope sim` alike: a listener
# that records the first bytes of each connection sees a TLS ClientHello (0x16), never an MQTT
# CONNECT (0x10) that would carry the password in the clear. TLS 1.2 is the floor even when the
# system's OpenSSL allows less; --unix with a TLS option is refused by all three.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
OUT=$T_DIR/first
LISTEN=$(dirname "$0")/../helpers/first_bytes.py

# A self-signed certificate: a client certificate and key, and a CA file, that OpenSSL loads.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=mqscope-test \
	-days 2 -keyout "$T_DIR/key.pem" -out "$T_DIR/cert.pem" >/dev/null 2>&1 ||
	fail "openssl could not make a certificate"

# listen [--port N]: starts the recording listener; sets PORT, or returns 1 when N is taken.
listen() {
	rm -f "$T_DIR/port"
	python3 "$LISTEN" "$OUT" --port-file "$T_DIR/port" "$@" 2>/dev/null &
	local pid=$!
	bg_pid "$pid"
	poll_until 30 "the listener" test -s "$T_DIR/port" -o ! -d "/proc/$pid" || return 1
	[ -s "$T_DIR/port" ] || return 1
	PORT=$(cat "$T_DIR/port")
}
listen || fail "cannot start the listener"

# first_line: what the first connection since the last reset sent (waits for it).
has_line() { [ -s "$OUT" ]; }
first_line() {
	poll_until 30 "a connection to the listener" has_line
	head -1 "$OUT"
}

# expect WHO WHAT KIND: the first connection was of KIND (tls or mqtt-connect).
expect() {
	local line
	line=$(first_line)
	case "$line" in
	*"kind=$3"*) log "$1 $2: $line" ;;
	*) fail "$1 $2 sent '$line', not $3" ;;
	esac
}

# try_all WHAT KIND ARGS...: the TUI, pub and sim each connect with ARGS; each must send KIND.
try_all() {
	local what=$1 kind=$2 pid
	shift 2
	: >"$OUT"
	if [ -S "$T_SOCK" ]; then respawn_ui "$@"; else start_ui "$@"; fi
	expect TUI "$what" "$kind"
	keys q
	[ "$(wait_exit)" = 0 ] || fail "TUI $what: exit status"
	: >"$OUT"
	"$MQSCOPE" pub "$@" -t tls/x -m y 2>>"$T_DIR/pub.err" && fail "pub $what: published to a listener"
	expect pub "$what" "$kind"
	: >"$OUT"
	"$MQSCOPE" sim "$@" 2>>"$T_DIR/sim.err" &
	pid=$!
	bg_pid "$pid"
	expect sim "$what" "$kind"
	kill "$pid"
	wait "$pid"
	grep -q s3cret "$T_DIR/pub.err" "$T_DIR/sim.err" "$T_DIR/stderr" 2>/dev/null &&
		fail "$what: an error message shows the password"
	return 0
}

H=(-h 127.0.0.1 -p "$PORT")
# The listener is real: plain MQTT arrives as a CONNECT.
try_all "plain" mqtt-connect "${H[@]}" -u alice -P s3cret
try_all "mqtts://" tls -L "mqtts://alice:s3cret@127.0.0.1:$PORT/"
printf 'profiles = { tls = { url = "mqtts://127.0.0.1:%s/"; username = "alice"; password = "s3cret"; }; };\n' \
	"$PORT" >"$T_DIR/tls.conf"
chmod 600 "$T_DIR/tls.conf"
try_all "profile url" tls --config "$T_DIR/tls.conf" --profile tls
try_all "--insecure" tls "${H[@]}" -u alice -P s3cret --insecure
try_all "--tls-use-os-certs" tls "${H[@]}" -u alice -P s3cret --tls-use-os-certs
try_all "--psk" tls "${H[@]}" -u alice -P s3cret --psk deadbeef --psk-identity alice
try_all "--cert/--key" tls "${H[@]}" -u alice -P s3cret --cert "$T_DIR/cert.pem" --key "$T_DIR/key.pem"
try_all "--cafile" tls "${H[@]}" -u alice -P s3cret --cafile "$T_DIR/cert.pem"
try_all "--tls-version" tls "${H[@]}" -u alice -P s3cret --tls-version tlsv1.3

# Port 8883 means TLS (unit-connect_opts checks the decision for every subcommand); here live
# too when this machine's 127.0.0.1:8883 is free.
old_port=$PORT
if listen --port 8883; then
	try_all "port 8883" tls -h 127.0.0.1 -p 8883 -u alice -P s3cret
	try_all "port 8883 --no-tls" mqtt-connect -h 127.0.0.1 -p 8883 -u alice -P s3cret --no-tls
else
	log "127.0.0.1:8883 is taken here: the decision for port 8883 is checked by unit-connect_opts only"
fi
PORT=$old_port

# TLS 1.2 at least, even with an OpenSSL configured to allow TLS 1.0 and 1.1 (versions 0301,
# 0302); offered only when --tls-version asks for it.
printf 'openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nMinProtocol = TLSv1\nCipherString = DEFAULT@SECLEVEL=0\n' \
	>"$T_DIR/loose.cnf"
for cmd in pub sim; do
	for v in default tlsv1.1; do
		extra=()
		[ $v = default ] || extra=(--tls-version $v)
		: >"$OUT"
		if [ $cmd = pub ]; then
			OPENSSL_CONF=$T_DIR/loose.cnf "$MQSCOPE" pub -h 127.0.0.1 -p "$PORT" --insecure \
				"${extra[@]}" -t x -m y 2>/dev/null
		else
			OPENSSL_CONF=$T_DIR/loose.cnf "$MQSCOPE" sim -h 127.0.0.1 -p "$PORT" --insecure \
				"${extra[@]}" 2>/dev/null &
			pid=$!
			bg_pid "$pid"
		fi
		line=$(first_line)
		[ $cmd = sim ] && { kill "$pid"; wait "$pid"; }
		log "$cmd with TLS version $v: $line"
		case "$v:$line" in
		default:*versions=*0302* | default:*versions=*0301*) fail "$cmd offers less than TLS 1.2: $line" ;;
		default:*versions=*0303*) ;;
		tlsv1.1:*versions=*0302*) ;;
		*) fail "$cmd with $v: unexpected ClientHello '$line'" ;;
		esac
	done
done

# A unix socket has no TLS: the TLS options are refused, not silently dropped.
for cmd in "" pub sim; do
	args=(--unix "$T_DIR/none.sock" --cafile "$T_DIR/cert.pem")
	[ "$cmd" = pub ] && args+=(-t x -m y)
	"$MQSCOPE" $cmd "${args[@]}" </dev/null 2>"$T_DIR/err"
	rc=$?
	[ $rc = 2 ] && grep -q -- "--unix connects through a local socket, without TLS: --cafile cannot" \
		"$T_DIR/err" || fail "mqscope $cmd --unix --cafile: exit $rc, $(cat "$T_DIR/err")"
done
pass
