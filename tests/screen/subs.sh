#!/usr/bin/env bash
# Subscriptions change live (s): added filters deliver at once, removed ones stop, each shows the
# QoS the broker granted or why it refused; and all of it on one connection (the broker log).
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/config" HOME="$T_DIR"
# mosquitto's dynamic security plugin refuses subscriptions (the acl_file only filters
# deliveries): anonymous clients may subscribe to first/#, second/# and $SYS/#, nothing else.
cat >"$T_DIR/dynsec.json" <<'JSON'
{
  "defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true,
                       "subscribe": false, "unsubscribe": true},
  "clients": [],
  "groups": [{"groupname": "anon", "roles": [{"rolename": "reader"}], "clients": []}],
  "roles": [{"rolename": "reader", "acls": [
    {"acltype": "subscribePattern", "topic": "first/#", "priority": 0, "allow": true},
    {"acltype": "subscribePattern", "topic": "second/#", "priority": 0, "allow": true},
    {"acltype": "subscribePattern", "topic": "$SYS/#", "priority": 0, "allow": true}]}],
  "anonymousGroup": "anon"
}
JSON
plugin=$(ls /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so \
	2>/dev/null | head -1)
[ -n "$plugin" ] || fail "mosquitto's dynamic security plugin is not installed"
# As root mosquitto would become the mosquitto user, who cannot write the log in $T_DIR.
start_broker "user root
plugin $plugin
plugin_opt_config_file $T_DIR/dynsec.json"
pub second/retained "was here" -r
pub first/a 1 -r

start_ui -h 127.0.0.1 -p "$BROKER_PORT" -i subs-test -t first/#
wait_for "connected"
wait_for "first (1 topic"

keys s
wait_for "Subscriptions"
wait_for "Changes go to the broker now"
wait_line "first/# +QoS 0"

# Add second/#: its retained message arrives without a reconnect.
keys a
wait_for "Subscribe to:"
keys -l "second/#"
keys Enter
wait_line "second/# +QoS 0"

# The broker refuses secret/#: the reason in words.
keys a
keys -l "secret/#"
keys Enter
wait_line "secret/# +refused: not authorized"

# An invalid filter is refused before it goes anywhere.
keys a
keys -l "bad/#/x"
keys Enter
wait_for "'bad/#/x' is not a valid topic filter"

# QoS 1 for second/# (the second row, counted from the first).
keys Home Down 1
wait_line "second/# +QoS 1"
keys Escape
wait_gone "Subscriptions"
wait_for "second (1 topic"
pub second/live now
wait_for "second (2 topics"

# Remove second/#: new messages there no longer arrive.
keys s
wait_line "second/# +QoS 1"
keys Home Down d
wait_for "Unsubscribed from second/#"
screen | grep -qE "second/# +QoS" && fail "second/# is still listed"
keys Escape
wait_gone "Subscriptions"
pub second/after gone
pub first/b 2
wait_for "first (2 topics"
screen | grep -qF "second (3 topics" && fail "second/after arrived after the unsubscribe"

# All of it on the one connection the UI opened.
n=$(grep -c "New client connected from .* as subs-test" "$T_DIR/mosquitto.log")
[ "$n" = 1 ] || fail "the broker saw $n connections from subs-test, not 1"
wait_line "^ .*● connected"

keys q
[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
pass
