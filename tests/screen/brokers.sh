#!/usr/bin/env bash
# Several brokers in one screen: two real mosquitto brokers joined by a real bridge (house carries
# house/# to cloud and back). Each broker is a top-level branch with its state; a bridged message
# shows under both; a toggle under cloud reaches cloud's subscribers and not house's; killing
# cloud leaves house live and the status bar says which one is down; when cloud comes back empty,
# only its values are from before a reconnect and only its forgotten retained topic is gone.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/publib.sh"

CLOUD_PID= HOUSE_PID=

# shown_twice TEXT: whether TEXT is on two lines of the screen (one topic under both brokers).
shown_twice() { [ "$(screen | grep -cF -- "$1")" = 2 ]; }
# status_says RE: whether the status bar (the first line) matches RE.
status_says() { screen | head -1 | grep -qE -- "$1"; }

# start_mosq NAME PORT [config lines]: one more mosquitto of this test, stopped by PID at exit.
start_mosq() {
	local name=$1 port=$2 pid deadline
	printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest file %s\n%s\n' \
		"$port" "$T_DIR/$name.log" "${3:-}" >"$T_DIR/$name.conf"
	"$(mosquitto_bin)" -c "$T_DIR/$name.conf" >/dev/null 2>&1 &
	pid=$!
	bg_pid "$pid"
	deadline=$(($(now_ms) + 10000))
	until port_open "$port"; do
		kill -0 "$pid" 2>/dev/null || fail "mosquitto $name did not start (see $T_DIR/$name.log)"
		[ "$(now_ms)" -ge "$deadline" ] && fail "mosquitto $name does not listen on $port"
		sleep 0.02
	done
	eval "${name^^}_PID=$pid"
}

# pub_on PORT TOPIC PAYLOAD [mosquitto_pub options...]
pub_on() {
	local p=$1 t=$2 m=$3
	shift 3
	mosquitto_pub -h 127.0.0.1 -p "$p" -q 1 -t "$t" -m "$m" "$@" || fail "mosquitto_pub $t on $p"
}

CLOUD_PORT=$(free_port)
start_mosq cloud "$CLOUD_PORT"
HOUSE_PORT=$(free_port)
start_mosq house "$HOUSE_PORT" "connection tocloud
address 127.0.0.1:$CLOUD_PORT
cleansession true
topic house/# both 0"

# The bridge is up once a message published on house arrives on cloud.
BROKER_PORT=$CLOUD_PORT bg_sub bridged -t house/bridge/ready -F '%t|%p'
deadline=$(($(now_ms) + 30000))
until [ "$(sub_lines bridged)" -ge 1 ]; do
	pub_on "$HOUSE_PORT" house/bridge/ready yes
	[ "$(now_ms)" -ge "$deadline" ] && fail "the bridge from house to cloud did not come up"
	sleep 0.2
done

pub_on "$HOUSE_PORT" house/bulbs/bulb1 OFF -r
pub_on "$HOUSE_PORT" local/only 7 -r
pub_on "$CLOUD_PORT" cloud/lamp ON -r
pub_on "$HOUSE_PORT" cloud/mark here -r

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
mkdir -p "$XDG_CONFIG_HOME/mqscope"
cat >"$XDG_CONFIG_HOME/mqscope/config" <<CFG
profiles = {
  house = { host = "127.0.0.1"; port = $HOUSE_PORT; topics = ["house/#", "local/#", "cloud/#"]; };
  cloud = { host = "127.0.0.1"; port = $CLOUD_PORT; topics = ["house/#", "local/#", "cloud/#"]; };
  site = { brokers = ["house", "cloud"]; };
};
messages = (
  { name = "cloud lamp on"; broker = "cloud"; topic = "cloud/lamp"; payload = "ON"; qos = 1; }
);
CFG

# A subscriber on each broker: what a toggle reaches.
BROKER_PORT=$HOUSE_PORT bg_sub on_house -t 'cloud/#' -F '%t|%p'
BROKER_PORT=$CLOUD_PORT bg_sub on_cloud -t 'cloud/#' -F '%t|%p'
wait_sub on_house 1 # cloud/mark, retained
wait_sub on_cloud 1 # cloud/lamp, retained

start_ui --profile house --profile cloud
wait_for "house [up]"
wait_for "cloud [up]"
wait_line "house up +cloud up"

# Each broker's topics under its branch; the bridged bulb under both. '*' opens the branches
# there are: wait for each broker's retained topics first.
wait_for "house [up] (3 topics"
wait_for "cloud [up] (2 topics"
keys Home '*' End '*'
wait_line "^ *▾ cloud \\[up\\]"
wait_line "^ *▾ house \\[up\\]"
wait_for "lamp ® = ON"
wait_for "only ® = 7"
poll_until 30 "bulb1 under both brokers" shown_twice "bulb1 ® = OFF"
# local/only is under house alone, cloud/lamp under cloud alone.
[ "$(screen | grep -c 'only ® = 7')" = 1 ] || fail "local/only shows more than once"
[ "$(screen | grep -c 'lamp ® = ON')" = 1 ] || fail "cloud/lamp shows more than once"

# A toggle of cloud/lamp under cloud goes to cloud only.
keys Home
wait_selected "cloud [up]"
# The broker's branch says its part of the shared memory (the parts add up to the whole).
MEM='[0-9.]+ (B|KiB|MiB|GiB)'
wait_line "│memory $MEM of $MEM"
search lamp
wait_selected "lamp"
keys t
wait_for "Toggled cloud/lamp: ON -> OFF (QoS 0, retained) on cloud"
wait_sub on_cloud 2
[ "$(sub_line on_cloud 2)" = "cloud/lamp|OFF" ] || fail "cloud's subscriber got '$(sub_line on_cloud 2)'"
wait_for "lamp ® = OFF"
# Whatever house got would have come before a message published on house after the toggle.
pub_on "$HOUSE_PORT" cloud/barrier 1
wait_sub on_house 2
[ "$(sub_line on_house 2)" = "cloud/barrier|1" ] || fail "house's subscriber got '$(sub_line on_house 2)'"

# A filter's pattern starts below the brokers' branches: local/# on every broker.
keys f
wait_for "filter (a/+/b"
keys C-u
keys -l "local/#"
keys Enter
wait_for "Filter: topics matching \"local/#\": 1 topic"
keys f
wait_for "filter (a/+/b"
keys C-u Enter
wait_for "Filter cleared"

# A saved message that names its broker goes there, whichever branch is selected.
search "local/only"
wait_selected "only ® = 7"
keys m
wait_for "cloud lamp on"
keys Enter
wait_for "Sent 'cloud lamp on' to cloud/lamp (QoS 1) on cloud"
wait_sub on_cloud 3
[ "$(sub_line on_cloud 3)" = "cloud/lamp|ON" ] || fail "cloud's subscriber got '$(sub_line on_cloud 3)'"
pub_on "$HOUSE_PORT" cloud/barrier 2
wait_sub on_house 3
[ "$(sub_line on_house 3)" = "cloud/barrier|2" ] || fail "house's subscriber got '$(sub_line on_house 3)'"
keys Home
wait_selected "cloud [up]"
search lamp
wait_selected "lamp"

# The publish form says which broker it sends to.
keys p
wait_for "Publish on cloud"
keys Escape
wait_gone "Publish on cloud"

# Compare: a live message through the bridge is the same on both, with its delay; what the bridge
# does not carry is missing on the other broker.
pub_on "$HOUSE_PORT" house/bulbs/bulb2 ON
poll_until 30 "bulb2 under both brokers" shown_twice "bulb2 = ON"
keys Home
wait_selected "cloud [up]"
keys =
wait_for "compare everything across 2 brokers"
wait_for "values on: house | cloud"
wait_line "house/bulbs/bulb2 +same +[0-9.]+ m?s +ON \| ON"
# bulb1 came retained from each broker on subscribing: no bridge delay is made of that.
wait_line "house/bulbs/bulb1 +same +- +OFF \| OFF"
wait_line "local/only +missing .*7 \| \(missing\)"
wait_line "cloud/lamp +missing .*\(missing\) \| ON"
# Only what differs: the bridged topics go, the missing ones stay.
keys d
wait_gone "house/bulbs/bulb2"
wait_for "local/only"
# Enter: each broker's value of the selected topic (the first, cloud/barrier), with its time.
keys g
wait_selected "cloud/barrier"
keys Enter
wait_line "house: [0-9:]+\.[0-9]+ +2 "
wait_for "cloud: (missing)"
keys Escape
wait_gone "compare everything"

# A retained topic on cloud alone, which cloud forgets when it restarts (no persistence).
pub_on "$CLOUD_PORT" cloud/gone1 X -r
select_topic gone1
wait_selected "gone1 ® = X"

# Killing cloud: house stays live, the bar and the branch say cloud is down.
kill "$CLOUD_PID"
wait_pid_gone "$CLOUD_PID" 10 || fail "cloud did not stop"
wait_line "house up +cloud DOWN"
wait_for "cloud [DOWN]"
pub_on "$HOUSE_PORT" local/after 42
wait_for "after = 42"

# Cloud comes back empty: only cloud's reconnect makes values stale; its retained topic that it
# does not send again is gone, house's retained topics are current as they were.
start_mosq cloud "$CLOUD_PORT"
wait_line "house up +cloud up"
wait_line "cloud: [0-9,]+ retained topics? the broker no longer has"
select_topic gone1
wait_selected "gone1 (gone) = X"
wait_for "gone from the broker"
select_topic local/only
wait_selected "only ® = 7"
wait_gone "gone from the broker"
screen | grep -q "before reconnect" && fail "house's local/only is shown as from before a reconnect"
screen | grep -q "only (gone)" && fail "house's local/only is marked gone"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"

# A profile listing brokers opens both; -L twice does too, labelled by host:port.
respawn_ui --profile site
wait_line "house up +cloud up"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
respawn_ui -L "mqtt://127.0.0.1:$HOUSE_PORT" -L "mqtt://127.0.0.1:$CLOUD_PORT"
wait_line "127.0.0.1:$HOUSE_PORT up +127.0.0.1:$CLOUD_PORT up"
wait_for "127.0.0.1:$CLOUD_PORT [up]"
# The dashboard shows the $SYS of the selection's broker (the first row: the lower port; brokers
# are numbered in the order given), Tab the next one's.
if [ "$HOUSE_PORT" -lt "$CLOUD_PORT" ]; then first=$HOUSE_PORT second=$CLOUD_PORT; else first=$CLOUD_PORT second=$HOUSE_PORT; fi
keys Home
wait_selected "127.0.0.1:$first [up]"
keys b
wait_line "broker 127.0.0.1:$first, [12] of 2 \(mosquitto \\\$SYS"
wait_line "│ broker +mosquitto version [0-9.]+ +up"
wait_line "│ subscriptions +[0-9]+"
wait_line "│ held here +$MEM of $MEM memory, [0-9]+ topics"
keys Tab
wait_line "broker 127.0.0.1:$second, [12] of 2 \(mosquitto \\\$SYS"
wait_line "│ broker +mosquitto version [0-9.]+ +up"
wait_line "│ held here +$MEM of $MEM memory, [0-9]+ topics"
# Every broker side by side, a column each.
keys a
wait_for "2 brokers side by side"
wait_line "│ +127.0.0.1:[0-9]+ +127.0.0.1:[0-9]+"
wait_line "│ state +up +up"
wait_line "│ version +mosquitto version [0-9.]+ +mosquitto version [0-9.]+"
wait_line "│ subscriptions +[0-9]+ +[0-9]+"
wait_line "│ topics here +[0-9]+ +[0-9]+"
wait_line "│ memory +$MEM +$MEM"
keys Escape
wait_gone "side by side"
# At 80 columns the selected broker's branch still says its memory, in whole words.
tmux -S "$T_SOCK" resize-window -t t -x 80 -y 30
keys Home
wait_selected "127.0.0.1:$first [up]"
wait_line "│memory $MEM of $MEM$"
check_edges
keys Down
wait_selected "127.0.0.1:$second [up]"
wait_line "│memory $MEM of $MEM$"
# Wide enough, each branch's row and the status bar say it too.
tmux -S "$T_SOCK" resize-window -t t -x 200 -y 30
wait_line "^ *[▸▾] 127.0.0.1:$first \\[up\\] \\([0-9]+ topics?, [0-9]+ msgs?, mem $MEM\\)"
wait_line "^ *[▸▾] 127.0.0.1:$second \\[up\\] \\([0-9]+ topics?, [0-9]+ msgs?, mem $MEM\\)"
poll_until 30 "each broker's memory in the status bar" status_says \
	"mem $MEM \\(127.0.0.1:$HOUSE_PORT $MEM  127.0.0.1:$CLOUD_PORT $MEM\\)"
keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
