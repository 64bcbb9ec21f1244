#!/usr/bin/env bash
# A broker sends topics libmosquitto rejects: invalid UTF-8, U+0000, U+D800, C0 and C1 controls,
# ESC, an empty topic. mqscope says so, keeps what it had, and comes back with growing backoff.
# The longest topic MQTT allows is shown; the deepest (65,536 levels) is refused and counted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../hostile/cases.sh"

hb_run utf8-invalid utf8-nul utf8-surrogate c0-control c1-control esc empty-topic utf8-invalid@311 \
	topic-longest topic-deepest
hb_quit_all
pass
