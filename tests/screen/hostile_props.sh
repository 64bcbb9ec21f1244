#!/usr/bin/env bash
# One MQTT 5 property rule (the second argument: unknown, dup, past-end, not-allowed, bad-value)
# broken on every packet type a server sends with properties: CONNACK, PUBLISH, PUBACK, PUBREC,
# PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH. mqscope ends the connection before
# libmosquitto sees a byte of the packet, and says which rule and where.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../hostile/cases.sh"

rule=${2:?a rule: unknown, dup, past-end, not-allowed or bad-value}
T_NAME="$T_NAME-$rule"
ids=()
for t in "${HB_PROP_TYPES[@]}"; do ids+=("prop-$t-$rule"); done
hb_run "${ids[@]}"
hb_quit_all
pass
