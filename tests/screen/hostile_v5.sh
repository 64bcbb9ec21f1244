#!/usr/bin/env bash
# MQTT 5 properties given twice, unknown (libmosquitto 2.0.11 would abort the process) or longer
# than the packet; the same packets to an MQTT 3.1.1 session, where properties do not exist.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../hostile/cases.sh"

hb_run props-dup props-unknown props-too-long props-unknown@311 qos3@311
hb_quit_all
pass
