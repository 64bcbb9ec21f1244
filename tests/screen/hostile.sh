#!/usr/bin/env bash
# Hostile payloads and topics are shown as escapes: the pane title and the screen stay intact.
. "$(dirname "$0")/../lib.sh"

start_broker
start_ui -h 127.0.0.1 -p "$BROKER_PORT"
wait_for "connected"
title_before=$(tmux -S "$T_SOCK" display-message -p -t t '#{pane_title}')

pub evil/title "$(printf '\x1b]0;owned\x07\x1b[2J')" -r
pub evil/bytes "$(printf 'bad\xff\xfe utf8 \xc2\x9b csi \xe2\x80\xae rlo')" -r
pub "evil/$(printf 'topic\xe2\x80\xae')txt" 'rtl' -r
pub "a//b" 'empty level' -r
deep=$(python3 -c 'print("/".join(str(i % 10) for i in range(200)))')
pub "$deep" 'deep' -r
head -c 1048576 /dev/urandom >"$T_DIR/big.bin"
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -t evil/huge -f "$T_DIR/big.bin" -r || fail "pub huge"

wait_for "evil (4 topics"
search "evil/title"
wait_for '\e]0;owned\a\e[2J'
# The status bar is still on screen: nothing cleared it.
wait_line "^ .*● connected"
title_after=$(tmux -S "$T_SOCK" display-message -p -t t '#{pane_title}')
[ "$title_after" = "$title_before" ] || fail "pane title changed to '$title_after'"
[ "$title_after" != "owned" ] || fail "pane title was set by a payload"

search "evil/bytes"
wait_for 'bad\xff\xfe utf8 \u009b csi \u202e rlo'

search "evil/topic"
wait_for 'evil/topic\u202etxt'

search "evil/huge"
wait_for "size 1.0 MiB"
# Scrolling through a megabyte of binary in the payload pane.
keys Tab
for _ in 1 2 3 4 5; do keys PgDn; done
keys End
keys Home
wait_for "evil/huge"

# The 200-level topic: the only node whose path holds all of it.
keys Tab
search "$deep"
wait_for "deep"
wait_for "0/1/2/3/4/5/6/7/8/9/0/1/2/3"

search "a//b"
wait_for "empty level"
wait_for "(empty)"

# Still responsive and clean afterwards.
wait_line "^ .*● connected"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
