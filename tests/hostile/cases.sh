# cases.sh: runs hostile-broker cases side by side, each with its own fake broker
# (fake_broker.py) and its own mqscope in a window of this test's tmux server.
# Sourced by tests/screen/hostile_*.sh after lib.sh; they call hb_run CASE...
# A case is a fake_broker.py case name, optionally with @311 (mqscope -V 311).
#
# For every case it checks: mqscope stays alive; the status bar explains what happened
# (the words below); the connection log ('c') says the same, so keys are answered; what
# arrived before the bad packet (good/1, good/2) is still in the tree; the broker saw at
# most 4 connections in the first 5 s, and mqscope's own log shows growing waits between them;
# 'q' exits with 0.

HB_FAKE="$(dirname "${BASH_SOURCE[0]}")/fake_broker.py"
HB_LOG="$(dirname "${BASH_SOURCE[0]}")/conn_log.py"

# The transport every case runs over: tcp (default), tls, ws, wss, or socks (TCP through a
# SOCKS5 proxy, microsocks); the test script's first argument. The cases and the words expected
# are the same on each.
HB_TRANSPORT=${1:-tcp}
case $HB_TRANSPORT in
tcp | ws) ;;
tls | wss) make_certs ;;
socks)
	[ -x /usr/bin/microsocks ] || fail "microsocks is not installed (tests/deps.sh)"
	HB_SOCKS_PORT=$(free_port)
	/usr/bin/microsocks -i 127.0.0.1 -p "$HB_SOCKS_PORT" >/dev/null 2>&1 &
	bg_pid $!
	poll_until 30 "the SOCKS proxy to listen" port_open "$HB_SOCKS_PORT"
	;;
*) fail "unknown transport '$HB_TRANSPORT'" ;;
esac
T_NAME="$T_NAME-$HB_TRANSPORT"

# What the status bar and the connection log say for each case.
declare -A HB_WORDS=(
	[utf8-invalid]="the broker sent a topic with invalid UTF-8 or control chars"
	[utf8-nul]="the broker sent a topic with invalid UTF-8 or control chars"
	[utf8-surrogate]="the broker sent a topic with invalid UTF-8 or control chars"
	[c0-control]="the broker sent a topic with invalid UTF-8 or control chars"
	[c1-control]="the broker sent a topic with invalid UTF-8 or control chars"
	[esc]="the broker sent a topic with invalid UTF-8 or control chars"
	[empty-topic]="the broker sent a packet that breaks the MQTT protocol"
	[qos3]="the broker sent a packet that breaks the MQTT protocol"
	[qos1-mid0]="the broker sent a packet that breaks the MQTT protocol"
	[topic-overrun]="the broker sent a packet that breaks the MQTT protocol"
	[remlen-5byte]="the broker sent a packet that breaks the MQTT protocol"
	[type0]="the broker sent a packet that breaks the MQTT protocol"
	[type15]="the broker sent a packet that breaks the MQTT protocol"
	[type15@311]="the broker sent a packet that breaks the MQTT protocol"
	[props-dup]="the broker sent a duplicated MQTT 5 property"
	[props-unknown]="the broker sent an unknown MQTT 5 property"
	[props-too-long]="the broker sent a packet that breaks the MQTT protocol"
	[close-after-connack]="the broker closed the connection right after CONNACK"
	[no-pingresp]="keepalive timeout: the broker did not answer PINGREQ"
	[stall]="keepalive timeout: the broker did not answer PINGREQ"
	[huge-stall]="keepalive timeout: the broker did not answer PINGREQ"
	[no-connack]="no CONNACK: the broker never answered CONNECT"
)

# Every MQTT 5 property rule on every packet type a server sends with properties
# (fake_broker.py's prop-TYPE-RULE cases): the words for each rule.
declare -A HB_PROP_WORDS=(
	[unknown]="the broker sent an unknown MQTT 5 property"
	[dup]="the broker sent a duplicated MQTT 5 property"
	[past-end]="the broker sent a packet that breaks the MQTT protocol"
	[not-allowed]="the broker sent an MQTT 5 property where it is not allowed"
	[bad-value]="the broker sent an MQTT 5 property with a bad value"
)
HB_PROP_TYPES=(connack publish puback pubrec pubrel pubcomp suback unsuback disconnect auth)
for t in "${HB_PROP_TYPES[@]}"; do
	for r in "${!HB_PROP_WORDS[@]}"; do
		HB_WORDS[prop-$t-$r]=${HB_PROP_WORDS[$r]}
	done
done

# Cases mqscope accepts: mqscope stays connected; the topic the case shows (bad/...), or
# the words it shows, if any.
declare -A HB_ACCEPTED=(
	[dup-qos0]="bad/dup"
	[remlen-overlong]="bad/overlong"
	[puback-unsolicited]=""
	[suback-unsolicited]=""
	[props-unknown@311]="bad/props"
	[topic-longest]="bad/xxxxx"
	[topic-deepest]="over 65,535 levels: 1 refused"
)

# Cases that need the keepalive to run out (-k 5: PINGREQ after 5 s, given up after 10 s).
declare -A HB_SLOW=([no-pingresp]=1 [stall]=1 [huge-stall]=1 [no-connack]=1)

HB_IDS=()
HB_PIDS=()

hb_words() {
	[ -n "${HB_ACCEPTED[$1]+x}" ] || echo "${HB_WORDS[$1]:-${HB_WORDS[${1%@*}]:-}}"
}
hb_scr() { tmux -S "$T_SOCK" capture-pane -p -t "h$1"; }
hb_keys() {
	local i=$1
	shift
	tmux -S "$T_SOCK" send-keys -t "h$i" "$@"
}
hb_has() { hb_scr "$1" | grep -qF -- "$2"; }
hb_lacks() { ! hb_has "$1" "$2"; }
# hb_log_failed I N: whether the connection log on screen shows at least N failed attempts.
hb_log_failed() { [ "$(hb_scr "$1" | grep -cE '[0-9]{3}  failed: ')" -ge "$2" ]; }
hb_status_has() { hb_scr "$1" | head -1 | grep -qF -- "$2"; }
hb_fail() {
	local i=$1
	shift
	log "case ${HB_IDS[$i]}: $*"
	log "its broker's log:"
	sed 's/^/    /' "$T_DIR/log.$i"
	log "its screen:"
	hb_scr "$i" | sed 's/^/    |/'
	fail "case ${HB_IDS[$i]}: $*"
}
# hb_wait I SECONDS WHAT CMD...: polls CMD for case I until it holds.
hb_wait() {
	local i=$1 deadline=$(($(now_ms) + $2 * 1000)) what=$3
	shift 3
	until "$@"; do
		[ "$(now_ms)" -ge "$deadline" ] && hb_fail "$i" "timed out waiting for $what"
		sleep 0.05
	done
}
hb_alive() {
	[ ! -s "$T_DIR/exit.$1" ] &&
		[ "$(tmux -S "$T_SOCK" list-panes -t "h$1" -F '#{pane_dead}')" = 0 ]
}

# hb_start_broker I ID: the fake broker for case ID (it writes its port to port.I).
hb_start_broker() {
	local layers=()
	case $HB_TRANSPORT in
	tls) layers=(--tls "$T_DIR/server.crt" "$T_DIR/server.key") ;;
	ws) layers=(--ws) ;;
	wss) layers=(--tls "$T_DIR/server.crt" "$T_DIR/server.key" --ws) ;;
	esac
	python3 "$HB_FAKE" --case "${2%@*}" --port-file "$T_DIR/port.$1" --log "$T_DIR/log.$1" \
		"${layers[@]}" &
	HB_PIDS[$1]=$!
	bg_pid $!
}

# hb_listening I: whether case I's fake broker has written its port; fails if it exited.
hb_listening() {
	[ -s "$T_DIR/port.$1" ] && return 0
	kill -0 "${HB_PIDS[$1]}" 2>/dev/null || hb_fail "$1" "the fake broker exited"
	return 1
}

# hb_address PORT: the mqscope arguments that reach a fake broker on PORT over the transport.
hb_address() {
	case $HB_TRANSPORT in
	tcp) echo -h 127.0.0.1 -p "$1" ;;
	socks) echo -h 127.0.0.1 -p "$1" --proxy "socks5h://127.0.0.1:$HB_SOCKS_PORT" ;;
	tls) echo -L "mqtts://127.0.0.1:$1" --cafile "$T_DIR/ca.crt" ;;
	ws) echo -L "ws://127.0.0.1:$1/mqtt" ;;
	wss) echo -L "wss://127.0.0.1:$1/mqtt" --cafile "$T_DIR/ca.crt" ;;
	esac
}

# hb_start_ui I ID: mqscope on case ID's broker, in tmux session hI.
hb_start_ui() {
	local i=$1 id=$2 name=${2%@*} port cmd=""
	local args=()
	# Generous: ten Python interpreters starting at once on a busy machine take a while.
	hb_wait "$i" 60 "the fake broker to listen" hb_listening "$i"
	port=$(cat "$T_DIR/port.$i")
	read -ra args <<<"$(hb_address "$port")"
	args+=(-k 5)
	[[ $id == *@* ]] && args+=(-V "${id#*@}")
	# glibc's MALLOC_PERTURB_ (meson sets it) writes into every allocation: the 256 MB
	# libmosquitto asks for when a packet announces that much would then be resident.
	# Untouched, it is only address space; the check is on what mqscope itself uses.
	[ "$name" = huge-stall ] && cmd="-u MALLOC_PERTURB_"
	cmd="env $cmd TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 ASAN_OPTIONS='${HB_ASAN[$i]:-$ASAN_OPTIONS}' UBSAN_OPTIONS='$UBSAN_OPTIONS'"
	for a in "$MQSCOPE" "${args[@]}"; do cmd="$cmd $(printf '%q' "$a")"; done
	cmd="$cmd 2>>$T_DIR/stderr; echo \$? > $T_DIR/exit.$i"
	if [ ! -S "$T_SOCK" ]; then
		printf 'set -g remain-on-exit on\nset -g status off\n' >"$T_DIR/tmux.conf"
		tmux -S "$T_SOCK" -f "$T_DIR/tmux.conf" new-session -d -s "h$i" -x 120 -y 24 "$cmd"
	else
		tmux -S "$T_SOCK" new-session -d -s "h$i" -x 120 -y 24 "$cmd"
	fi
}

# hb_connects I MS: connections the broker of case I saw within MS of the first.
hb_connects() {
	awk -v ms="$2" '$1 == "connect" { if (!f) f = $2; if ($2 - f <= ms) n++ } END { print n + 0 }' \
		"$T_DIR/log.$1"
}

# hb_first I: when the broker of case I saw its first connection (wall clock ms).
hb_first() { awk '$1 == "connect" { print $2; exit }' "$T_DIR/log.$1"; }

# hb_connected_times I N: whether the broker of case I saw N connections or more.
hb_connected_times() { [ "$(hb_connects "$1" 999999999)" -ge "$2" ]; }

# hb_gaps I: the times between successive connections of case I, in ms.
hb_gaps() {
	awk '$1 == "connect" { if (p) printf "%d ", $2 - p; p = $2 }' "$T_DIR/log.$1"
}

# hb_rss I: resident memory of case I's mqscope in KiB.
hb_rss() {
	local shell pid
	shell=$(tmux -S "$T_SOCK" list-panes -t "h$1" -F '#{pane_pid}')
	pid=$(ps -o pid= --ppid "$shell" | head -1 | tr -d ' ')
	awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"
}

# hb_outcome I: whether case I shows its outcome: the words in the status bar (else
# "connected", and the case's own topic), and the good topics still in the tree.
hb_outcome() {
	local i=$1 id=${HB_IDS[$1]} words
	words=$(hb_words "$id")
	if [ -n "$words" ]; then
		hb_status_has "$i" "$words" || return 1
	else
		hb_status_has "$i" "connected" || return 1
		case ${HB_ACCEPTED[$id]:-} in
		'') ;;
		bad/*) hb_has "$i" "bad (1 topic" || return 1 ;;
		*) hb_has "$i" "${HB_ACCEPTED[$id]}" || return 1 ;; # words, not a topic
		esac
	fi
	# (No good messages where the broker never accepts the connection.)
	case ${id%@*} in
	no-connack | prop-connack-*) ;;
	*) hb_has "$i" "good (2 topics" ;;
	esac
}

hb_run() {
	local i id words n gaps pending left deadline g
	declare -gA HB_ASAN
	HB_IDS=("$@")
	for i in "${!HB_IDS[@]}"; do
		id=${HB_IDS[$i]}
		hb_start_broker "$i" "$id"
	done
	for i in "${!HB_IDS[@]}"; do hb_start_ui "$i" "${HB_IDS[$i]}"; done

	# Every case at once. A case that drops the connection shows its words during each backoff:
	# 1 s, then 2 s, 4 s... (a keepalive case only after 10 s of silence each time), so a poll
	# that a busy machine slows down catches a later, longer window.
	deadline=$(($(now_ms) + 60000))
	for id in "${HB_IDS[@]}"; do
		[ -n "${HB_SLOW[${id%@*}]:-}" ] && deadline=$(($(now_ms) + 90000))
	done
	pending=("${!HB_IDS[@]}")
	while [ ${#pending[@]} -gt 0 ]; do
		left=()
		for i in "${pending[@]}"; do
			if hb_outcome "$i"; then
				log "${HB_IDS[$i]}: $(hb_scr "$i" | head -1 |
					sed -E 's/^ mqscope  [^ ]+  //; s/  msgs .*//')"
				hb_alive "$i" || hb_fail "$i" "mqscope is not running"
			else
				left+=("$i")
			fi
		done
		pending=("${left[@]}")
		[ ${#pending[@]} -gt 0 ] && [ "$(now_ms)" -ge "$deadline" ] &&
			hb_fail "${pending[0]}" "timed out waiting for '$(hb_words "${HB_IDS[${pending[0]}]}")'"
		sleep 0.05
	done

	# Keys are answered: the connection log opens, says the same, and closes.
	for i in "${!HB_IDS[@]}"; do
		id=${HB_IDS[$i]}
		words=$(hb_words "$id")
		hb_keys "$i" c
		hb_wait "$i" 30 "the connection log" hb_has "$i" "connection log, newest first"
		if [ -n "$words" ]; then
			# The log wraps long lines: the first part of the words is on one line.
			hb_wait "$i" 30 "the reason in the connection log" hb_has "$i" "${words:0:40}"
		else
			hb_has "$i" "lost" && hb_fail "$i" "the log shows a loss"
			hb_has "$i" "connected (connection 1)" || hb_fail "$i" "no connection in the log"
			if [ "$HB_TRANSPORT" = socks ]; then
				hb_has "$i" "through a SOCKS5 proxy" || hb_fail "$i" "the log names no proxy"
			fi
		fi
		hb_keys "$i" Escape
		hb_wait "$i" 30 "the connection log to close" hb_lacks "$i" "connection log, newest first"
	done

	# Reconnects stay bounded: the broker saw at most 4 in the first 5 s (a busy machine only
	# makes fewer). The waits in between grow: read from mqscope's own connection log, the wait
	# it chose after each loss (1 s, then 2 s) and the time from the loss to the next
	# connection by its own clock, which no load can shorten.
	for i in "${!HB_IDS[@]}"; do
		id=${HB_IDS[$i]}
		words=$(hb_words "$id")
		if [ -n "$words" ]; then
			# Dropped at once: back after 1 s and 3 s; a keepalive case: after 11 s.
			[ -n "${HB_SLOW[${id%@*}]:-}" ] && n=2 || n=3
			hb_wait "$i" 60 "$n connections" hb_connected_times "$i" "$n"
		fi
		while [ "$(now_ms)" -lt $(($(hb_first "$i") + 5200)) ]; do sleep 0.1; done
		n=$(hb_connects "$i" 5000)
		gaps=$(hb_gaps "$i")
		log "${id}: $n connection(s) in the first 5 s; gaps ${gaps:-none} ms at the broker"
		[ "$n" -ge 1 ] && [ "$n" -le 4 ] || hb_fail "$i" "$n connections in the first 5 s"
		read -ra g <<<"$gaps"
		if [ -n "$words" ] && [ -z "${HB_SLOW[${id%@*}]:-}" ]; then
			hb_keys "$i" c
			case ${id%@*} in
			prop-connack-*) # never accepted: three attempts, each failed
				hb_wait "$i" 30 "the third failed attempt in the log" hb_log_failed "$i" 3
				hb_keys "$i" End
				hb_wait "$i" 30 "the first failed attempt in the log" \
					hb_has "$i" "next attempt in 1s"
				;;
			*)
				hb_wait "$i" 30 "the third connection in the log" \
					hb_has "$i" "connected (connection 3)"
				hb_keys "$i" End # the oldest events, should more have come
				hb_wait "$i" 30 "the first connection in the log" \
					hb_has "$i" "connected (connection 1)"
				;;
			esac
			waits=$(hb_scr "$i" | python3 "$HB_LOG")
			hb_keys "$i" Escape
			hb_wait "$i" 30 "the connection log to close" hb_lacks "$i" "connection log, newest first"
			log "${id}: waits chosen / seen by mqscope: $waits ms"
			read -ra g <<<"$waits"
			[ ${#g[@]} -ge 2 ] || hb_fail "$i" "no second reconnect in the log ($waits)"
			[ "${g[0]%/*}" = 1000 ] && [ "${g[1]%/*}" = 2000 ] ||
				hb_fail "$i" "the waits were not 1 s, then 2 s ($waits)"
			# The clock is read for the log just after the wait began: allow a little.
			[ "${g[0]#*/}" -ge 800 ] && [ "${g[1]#*/}" -ge 1800 ] ||
				hb_fail "$i" "reconnected before the wait was over ($waits)"
		elif [ -z "$words" ]; then
			[ ${#g[@]} -eq 0 ] || hb_fail "$i" "reconnected (gaps: $gaps)"
		fi
		hb_alive "$i" || hb_fail "$i" "mqscope is not running"
	done
}

# hb_quit_all: q in every case's mqscope; each exits with status 0.
hb_quit_all() {
	local i
	for i in "${!HB_IDS[@]}"; do hb_keys "$i" q; done
	for i in "${!HB_IDS[@]}"; do
		poll_until 20 "mqscope of ${HB_IDS[$i]} to exit" test -s "$T_DIR/exit.$i"
		[ "$(cat "$T_DIR/exit.$i")" = 0 ] ||
			hb_fail "$i" "exit status $(cat "$T_DIR/exit.$i")"
	done
}
