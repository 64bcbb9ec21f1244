#!/usr/bin/env bash
# A broker that stops answering PINGREQ, stalls altogether, stalls inside a 256 MB packet, never
# answers CONNECT, or closes every connection right after CONNACK. With -k 5 the keepalive
# runs out after 10 s: mqscope says so, reconnects, and its memory stays small.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../hostile/cases.sh"

hb_run no-pingresp stall huge-stall no-connack close-after-connack
# Stalled inside the announced 256 MB: only what arrived is held.
rss=$(hb_rss 2)
log "huge-stall: mqscope resident ${rss} KiB"
[ "$rss" -lt 100000 ] || fail "mqscope holds ${rss} KiB while a 256 MB packet stalls"
hb_quit_all
pass
