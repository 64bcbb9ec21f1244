#!/usr/bin/env bash
# Protocol negotiation against fake brokers that refuse MQTT 5 (and 3.1.1) in every way a broker
# does: without -V mqscope steps down at once and says which version it uses and why; with -V it
# does not, and says why the broker refused; TLS bytes back mean a TLS port; `mqscope pub` too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../hostile/cases.sh"

# The protocol levels of the CONNECTs case I's broker saw, in order ("5 4").
levels() { awk '$1 == "connect" { sub(/^v/, "", $4); printf "%s%s", s, $4; s = " " }' "$T_DIR/log.$1"; }

# Case ID, the status bar words it must show, and the levels its broker must have seen first.
declare -a IDS WORDS FIRST
add() { IDS+=("$1"); WORDS+=("$2"); FIRST+=("$3"); }
no5="connected MQTT 3.1.1: the broker has no MQTT 5"
add no-v5-rc1 "$no5" "5 4"
add no-v5-84 "$no5" "5 4"
add no-v5-close "$no5" "5 4"
add no-v5-partial "$no5" "5 4"
add no-v5-old-connack "$no5" "5 4"
add only-v31 "connected MQTT 3.1: the broker has no MQTT 5 or 3.1.1" "5 4 3"
add good "connected  msgs" "5"
add good@311 "connected MQTT 3.1.1" "4"
add no-v5-rc1@5 "the broker refused MQTT 5 (asked for with -V" "5 5"
add no-v5-close@5 "no MQTT 5? leave out -V" "5 5"
add tls-port "the broker answered in TLS: a TLS port (use mqtts://" "5 5"

HB_IDS=("${IDS[@]}")
for i in "${!IDS[@]}"; do hb_start_broker "$i" "${IDS[$i]}"; done
# Eleven Python brokers start at once: on a loaded machine that takes a while.
for i in "${!IDS[@]}"; do poll_until 60 "the fake broker of ${IDS[$i]}" test -s "$T_DIR/port.$i"; done
for i in "${!IDS[@]}"; do hb_start_ui "$i" "${IDS[$i]}"; done

for i in "${!IDS[@]}"; do
	id=${IDS[$i]}
	hb_wait "$i" 30 "'${WORDS[$i]}'" hb_status_has "$i" "${WORDS[$i]}"
	if [[ ${WORDS[$i]} == connected* ]]; then
		hb_wait "$i" 20 "the good topics" hb_has "$i" "good (2 topics"
		hb_has "$i" "retrying" && hb_fail "$i" "a backoff step on the way"
	else
		# Refused: the same version again after the backoff, never a lower one.
		hb_wait "$i" 20 "a second attempt" hb_connected_times "$i" 2
	fi
	seen=$(levels "$i")
	[[ "$seen " == "${FIRST[$i]} "* ]] || hb_fail "$i" "CONNECT levels '$seen', expected '${FIRST[$i]}' first"
	log "$id: levels $seen; $(hb_scr "$i" | head -1 | sed -E 's/^ mqscope  127.0.0.1:[0-9]+  //; s/  msgs .*//')"
done

# The connection log says how the broker refused, and that the next version went at once.
for i in "${!IDS[@]}"; do
	[[ ${IDS[$i]} == no-v5-* && ${IDS[$i]} != *@* ]] || continue
	hb_keys "$i" c
	hb_wait "$i" 5 "the connection log" hb_has "$i" "connection log, newest first"
	hb_wait "$i" 5 "the fallback in the log" hb_has "$i" "MQTT 5 refused, MQTT 3.1.1 at once: it"
	hb_has "$i" "MQTT 3.1.1: the broker has no MQTT 5" || hb_fail "$i" "no version on the connect line"
	case ${IDS[$i]} in
	no-v5-rc1) hb_has "$i" "unacceptable protocol version" || hb_fail "$i" "the code is not named" ;;
	no-v5-close) hb_has "$i" "it closed the connection without" || hb_fail "$i" "the close is not named" ;;
	esac
	hb_keys "$i" Escape
done
hb_quit_all

# mqscope pub negotiates the same way; with -V it reports the refusal and fails.
port=$(cat "$T_DIR/port.2")
"$MQSCOPE" pub -h 127.0.0.1 -p "$port" -t neg/pub -m hello -q 1 2>"$T_DIR/pub.err" ||
	fail "mqscope pub did not get through to a broker without MQTT 5: $(cat "$T_DIR/pub.err")"
"$MQSCOPE" pub -V mqttv5 -h 127.0.0.1 -p "$(cat "$T_DIR/port.0")" -t neg/pub -m hello \
	2>"$T_DIR/pub.err" && fail "mqscope pub -V mqttv5 succeeded against a broker without MQTT 5"
grep -qF "refused MQTT 5" "$T_DIR/pub.err" || fail "pub said: $(cat "$T_DIR/pub.err")"
pass
