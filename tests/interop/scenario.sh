# scenario.sh: what a user does with mqscope on any broker, run against the broker of the test.
# Sourced after brokers.sh. The test defines restart_broker and sets:
#   VERSION_WORDS  what the status bar says once connected ("connected  msgs" for MQTT 5)
#   WAIT           seconds to allow for the broker (RabbitMQ restarts slowly)
#   EXACT_RETAINED 1 when the broker sends retained messages only to filters without wildcards

# In every check a real subscriber (mosquitto_sub, MQTT 3.1.1) says what the broker has.
run_scenario() {
	local wait=${WAIT:-10}

	pub house/bulbs/bulb1 OFF -r
	pub house/info hello -r
	bg_sub all -t 'house/#' -F '%t|%p'

	# A mosquitto_sub command line, program name changed: no -V, whatever the broker speaks.
	start_ui -h 127.0.0.1 -p "$BROKER_PORT" -t 'house/#'
	wait_for "$VERSION_WORDS" "$wait"
	keys c
	wait_for "connection log, newest first"
	wait_for "connected (connection 1)"
	keys Escape
	wait_gone "connection log, newest first"

	if [ "${EXACT_RETAINED:-0}" = 1 ]; then
		# RabbitMQ 3.x: 'house/#' gets no retained messages; the dashboard says why.
		keys b
		wait_for "sends retained messages only to"
		keys Escape
		wait_gone "\$SYS; Esc q b closes"
	else
		wait_for "house (2 topics" "$wait"
	fi

	# A subscription added live brings the retained value of its topic.
	keys s
	wait_for "Subscriptions"
	keys a
	wait_for "Subscribe to:"
	keys -l "house/bulbs/bulb1"
	keys Enter
	wait_line "house/bulbs/bulb1 +QoS 0" "$wait"
	keys Escape
	wait_gone "Subscriptions"
	select_topic house/bulbs/bulb1
	wait_for "bulb1 ® = OFF" "$wait"

	# A live message.
	pub house/live hello
	select_topic house/live
	wait_for "live = hello" "$wait"

	# Publish from the form, to the selected topic.
	keys p
	wait_for "C-s send"
	keys -l "from mqscope"
	keys C-s
	wait_line "Sent 12 B to house/live \(QoS 0\)" "$wait"
	poll_until "$wait" "the subscriber to get the form's message" \
		grep -qxF "house/live|from mqscope" "$T_DIR/all.out"

	# Toggle the bulb; the subscriber sees ON, and the broker keeps it retained.
	select_topic house/bulbs/bulb1
	keys t
	wait_for "Toggled house/bulbs/bulb1: OFF -> ON (QoS 0, retained)" "$wait"
	poll_until "$wait" "the subscriber to see the bulb ON" grep -qxF "house/bulbs/bulb1|ON" "$T_DIR/all.out"
	[ "$(retained_of house/bulbs/bulb1)" = "1 ON" ] || fail "bulb1's retained message is not ON"
	# (MQTT 3.1.1 forwards it to standing subscriptions without the retain flag.)
	wait_line "bulb1 (® )?= ON" "$wait"

	# Clear its retained message: the broker forgets it.
	keys d
	wait_for "Cleared the retained message of house/bulbs/bulb1" "$wait"
	# Once the broker acknowledged it, an exact count (retained_of would wait its 20 s for a
	# message that is not there).
	wait_for "acknowledged by the broker" "$wait"
	[ "$(retained_count house/bulbs/bulb1)" = 0 ] || fail "bulb1 is still retained"

	# Remove the live subscription again (the second row of the list).
	keys s
	wait_line "house/bulbs/bulb1 +QoS 0"
	keys Home Down d
	wait_for "Unsubscribed from house/bulbs/bulb1" "$wait"
	screen | grep -qE "house/bulbs/bulb1 +QoS" && fail "house/bulbs/bulb1 is still listed"
	keys Escape
	wait_gone "Subscriptions"

	# The broker restarts: mqscope sees the loss, comes back (the version worked out again)
	# and subscribes again.
	restart_broker
	keys c
	wait_for "connected (connection 2)" "$wait"
	keys Escape
	wait_gone "connection log, newest first"
	wait_for "$VERSION_WORDS" "$wait"
	pub house/after restart
	select_topic house/after
	wait_for "after = restart" "$wait"

	keys q
	[ "$(wait_exit)" = 0 ] || fail "exit status was not 0"
}
