#!/usr/bin/env bash
# A broker breaks the packet rules: QoS 3, QoS 1 with packet id 0, DUP on QoS 0, a topic length
# past the end of the packet, 5-byte and overlong remaining lengths, packet types 0 and 15,
# acknowledgements nobody asked for.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../hostile/cases.sh"

hb_run qos3 qos1-mid0 dup-qos0 topic-overrun remlen-5byte remlen-overlong type0 type15 \
	type15@311 puback-unsolicited suback-unsolicited
hb_quit_all
pass
