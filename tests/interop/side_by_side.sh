#!/usr/bin/env bash
# Two brokers of different MQTT versions in one screen: mosquitto (MQTT 5) and aedes (3.1.1 only,
# which refuses the MQTT 5 CONNECT first). Each is a branch of its own; each connection log says
# its own version; a toggle under aedes reaches aedes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../screen/publib.sh"
. "$(dirname "$0")/brokers.sh"

start_broker
MOSQ_PORT=$BROKER_PORT
BROKER_PORT=
start_aedes
AEDES_PORT=$BROKER_PORT

mosquitto_pub -h 127.0.0.1 -p "$MOSQ_PORT" -t site/mosq/lamp -m ON -r || fail "publish to mosquitto"
mosquitto_pub -h 127.0.0.1 -p "$AEDES_PORT" -V mqttv311 -t site/aedes/lamp -m OFF -r ||
	fail "publish to aedes"
BROKER_PORT=$AEDES_PORT bg_sub on_aedes -V mqttv311 -t 'site/#' -F '%t|%p'
wait_sub on_aedes 1

start_ui -L "mqtt://127.0.0.1:$MOSQ_PORT" -L "mqtt://127.0.0.1:$AEDES_PORT" -t 'site/#'
wait_line "127.0.0.1:$MOSQ_PORT up +127.0.0.1:$AEDES_PORT up" 30
wait_for "127.0.0.1:$AEDES_PORT [up]"
# '*' opens the branches there are: wait for each broker's retained topic first.
wait_for "127.0.0.1:$MOSQ_PORT [up] (1 topic"
wait_for "127.0.0.1:$AEDES_PORT [up] (1 topic"
keys Home '*' End '*'
wait_for "lamp ® = ON"
wait_for "lamp ® = OFF"

# Each branch's connection log: MQTT 5 on mosquitto, 3.1.1 on aedes after its refusal. Every
# branch collapsed, the brokers are the only rows, in order of their ports.
keys Home -
if [ "$AEDES_PORT" -gt "$MOSQ_PORT" ]; then keys Home Down; else keys Home; fi
wait_selected "127.0.0.1:$AEDES_PORT [up]"
keys c
wait_for "connection log of 127.0.0.1:$AEDES_PORT"
wait_for "MQTT 3.1.1"
keys Escape
wait_gone "connection log of"
if [ "$AEDES_PORT" -gt "$MOSQ_PORT" ]; then keys Home; else keys Home Down; fi
wait_selected "127.0.0.1:$MOSQ_PORT [up]"
keys c
wait_for "connection log of 127.0.0.1:$MOSQ_PORT"
wait_for "MQTT 5"
screen_lacks "MQTT 3.1.1" || fail "mosquitto's log names MQTT 3.1.1"
keys Escape
wait_gone "connection log of"

# A toggle under aedes goes to aedes.
keys Home -
if [ "$AEDES_PORT" -gt "$MOSQ_PORT" ]; then keys Home Down; else keys Home; fi
wait_selected "127.0.0.1:$AEDES_PORT [up]"
keys '*' Down Down Down
wait_selected "lamp ® = OFF"
keys t
wait_for "Toggled site/aedes/lamp: OFF -> ON (QoS 0, retained) on 127.0.0.1:$AEDES_PORT"
wait_sub on_aedes 2
[ "$(sub_line on_aedes 2)" = "site/aedes/lamp|ON" ] || fail "aedes's subscriber got '$(sub_line on_aedes 2)'"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
