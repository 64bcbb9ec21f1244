/* test_session.c: a real mosquitto: retained and live messages reach the tree; restarts are
 * survived. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mosquitto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/app.h"
#include "mqscope/broker.h"
#include "mqscope/util.h"

struct fixture {
	struct broker broker;
	struct settings cfg;
	struct app app;
	struct session_status seen; /* the status is_state last read */
};

/* How long a wait may take before the test gives up: far more than a quiet machine needs. */
#define WAIT_MS 20000

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)mid;
	*(int *)obj = 1;
}

/* Publishes one message with QoS 1 and waits for the broker's acknowledgement. */
static void publish(int port, const char *topic, const void *payload, int len, bool retain)
{
	int done = 0;
	struct mosquitto *m = mosquitto_new(NULL, true, &done);
	int64_t deadline = clock_mono_ms() + WAIT_MS;

	assert_non_null(m);
	mosquitto_publish_callback_set(m, on_publish);
	assert_int_equal(mosquitto_connect(m, "127.0.0.1", port, 30), MOSQ_ERR_SUCCESS);
	assert_int_equal(mosquitto_publish(m, NULL, topic, len, payload, 1, retain),
	                 MOSQ_ERR_SUCCESS);
	while (!done && clock_mono_ms() < deadline)
		mosquitto_loop(m, 50, 1);
	assert_true(done);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
}

static void publish_str(int port, const char *topic, const char *payload, bool retain)
{
	publish(port, topic, payload, (int)strlen(payload), retain);
}

typedef bool (*cond_fn)(struct fixture *f, const void *arg);

/* Drains the ring into the tree until cond holds or the deadline passes. */
static bool wait_until(struct fixture *f, cond_fn cond, const void *arg, int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = {.fd = f->app.ring.wake_fd, .events = POLLIN};
		bool more;

		ring_clear_wake(&f->app.ring);
		do
			app_drain(&f->app, 1024, &more);
		while (more);
		if (cond(f, arg))
			return true;
		if (clock_mono_ms() >= deadline)
			return false;
		poll(&pfd, 1, 50);
	}
}

static bool has_topic(struct fixture *f, const void *arg)
{
	const char *t = arg;
	tree_id id = tree_find(f->app.tree, t, strlen(t));

	return id != TREE_NONE && (tree_node(f->app.tree, id)->flags & TREE_F_VALUE);
}

/* Publishes a live message until it shows up: the SUBACK may trail the CONNACK. */
static bool publish_until_seen(struct fixture *f, const char *topic)
{
	int64_t deadline = clock_mono_ms() + WAIT_MS;

	do {
		publish_str(f->broker.port, topic, "x", false);
		if (wait_until(f, has_topic, topic, 200))
			return true;
	} while (clock_mono_ms() < deadline);
	return false;
}

/* Whether the session is in the state; the status read is kept in f->seen, since the state
 * may have moved on by the time the caller looks again (a wait of 1 s ends). */
static bool is_state(struct fixture *f, const void *arg)
{
	session_status(f->app.session, &f->seen);
	return f->seen.state == *(const enum session_state *)arg;
}

static bool connected_twice(struct fixture *f, const void *arg)
{
	struct session_status st;

	(void)arg;
	session_status(f->app.session, &st);
	return st.state == SESSION_CONNECTED && st.connects >= 2;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (broker_start(&f->broker, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "broker: %s\n", err);
		free(f);
		return -1;
	}
	settings_init(&f->cfg);
	settings_set_str(&f->cfg.host, "127.0.0.1");
	f->cfg.port = f->broker.port;
	*state = f;
	return 0;
}

static void start_session(struct fixture *f)
{
	settings_finish(&f->cfg);
	assert_int_equal(app_init(&f->app, &f->cfg, false), 0);
	assert_int_equal(session_start(f->app.session), 0);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->app.session)
		session_stop(f->app.session, 3000);
	app_free(&f->app);
	broker_stop(&f->broker);
	settings_free(&f->cfg);
	free(f);
	return 0;
}

static void check_retained_and_live(struct fixture *f)
{
	const char *bin = "\x00\x01\xff";
	tree_id id;
	const struct tree_value *v;
	enum session_state conn = SESSION_CONNECTED;

	publish_str(f->broker.port, "house/bulbs/bulb1", "OFF", true);
	publish_str(f->broker.port, "house/bulbs/bulb2", "ON", true);
	publish(f->broker.port, "odd//level/", bin, 3, true);
	start_session(f);

	assert_true(wait_until(f, is_state, &conn, WAIT_MS));
	assert_true(wait_until(f, has_topic, "odd//level/", WAIT_MS));
	assert_true(wait_until(f, has_topic, "house/bulbs/bulb2", WAIT_MS));
	id = tree_find(f->app.tree, "house/bulbs/bulb1", 17);
	assert_true(tree_node(f->app.tree, id)->flags & TREE_F_RETAINED);
	v = tree_value(f->app.tree, id, 0);
	assert_memory_equal(v->data, "OFF", 3);
	id = tree_find(f->app.tree, "odd//level/", 11);
	assert_memory_equal(tree_value(f->app.tree, id, 0)->data, bin, 3);

	/* Live messages arrive without the retained flag and update counts. */
	publish_str(f->broker.port, "house/bulbs/bulb1", "ON", false);
	publish_str(f->broker.port, "live/only", "42", false);
	assert_true(wait_until(f, has_topic, "live/only", WAIT_MS));
	id = tree_find(f->app.tree, "house/bulbs/bulb1", 17);
	assert_int_equal(tree_node(f->app.tree, id)->msgs, 2);
	assert_false(tree_node(f->app.tree, id)->flags & TREE_F_RETAINED);
	assert_memory_equal(tree_value(f->app.tree, id, 0)->data, "ON", 2);
	tree_id house = tree_find(f->app.tree, "house", 5);
	assert_int_equal(tree_node(f->app.tree, house)->sub_topics, 2);
	assert_int_equal(tree_node(f->app.tree, house)->sub_msgs, 3);
	/* $SYS is subscribed by default. */
	assert_true(wait_until(f, has_topic, "$SYS/broker/version", WAIT_MS));
	assert_int_equal(ring_drops(&f->app.ring), 0);
}

static void integration__session__retained_and_live_reach_tree_v5(void **state)
{
	check_retained_and_live(*state);
}

static void integration__session__retained_and_live_reach_tree_v311(void **state)
{
	struct fixture *f = *state;

	f->cfg.protocol = MQTT_V311;
	check_retained_and_live(f);
}

static void integration__session__survives_broker_restart_and_resubscribes(void **state)
{
	struct fixture *f = *state;
	enum session_state conn = SESSION_CONNECTED, waiting = SESSION_WAITING;
	struct session_status st;
	char reason[128];

	settings_add_str(&f->cfg.topics, &f->cfg.ntopics, "stream/#");
	start_session(f);
	assert_true(wait_until(f, is_state, &conn, WAIT_MS));
	assert_true(publish_until_seen(f, "stream/before"));

	broker_kill(&f->broker);
	assert_true(wait_until(f, is_state, &waiting, WAIT_MS));
	st = f->seen;
	session_reason_text(st.reason, st.code, reason, sizeof(reason));
	print_message("while down: %s\n", reason);
	assert_true(strlen(reason) > 0);
	assert_int_equal(st.connects, 1);

	char err[256];
	assert_int_equal(broker_restart(&f->broker, err, sizeof(err)), 0);
	/* Backoff grows to 1, 2, 4 s while the broker was down; allow for it. */
	assert_true(wait_until(f, connected_twice, NULL, 2 * WAIT_MS));
	/* A clean session lost the subscription: only a renewed one delivers this. */
	assert_true(publish_until_seen(f, "stream/after"));
}

static void integration__session__unreachable_broker_reports_and_retries(void **state)
{
	struct fixture *f = *state;
	enum session_state waiting = SESSION_WAITING;
	struct session_status st;
	char desc[160];

	broker_kill(&f->broker); /* nothing listens on the port now */
	start_session(f);
	assert_true(wait_until(f, is_state, &waiting, WAIT_MS));
	st = f->seen;
	session_describe(&st, clock_mono_ms(), desc, sizeof(desc));
	print_message("%s\n", desc);
	assert_non_null(strstr(desc, "connection refused"));
	assert_non_null(strstr(desc, "retrying in"));
	assert_int_equal(st.connects, 0);
}

/* Waits for a session event of this kind (draining messages meanwhile). */
static bool wait_event(struct fixture *f, enum session_event_kind kind, struct session_event *ev,
                       int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;

	while (clock_mono_ms() < deadline) {
		struct pollfd pfd = {.fd = f->app.ring.wake_fd, .events = POLLIN};
		bool more;

		ring_clear_wake(&f->app.ring);
		while (session_next_event(f->app.session, ev))
			if (ev->kind == kind)
				return true;
		do
			app_drain(&f->app, 1024, &more);
		while (more);
		poll(&pfd, 1, 50);
	}
	return false;
}

static void integration__session__publish_and_live_subscribe(void **state)
{
	struct fixture *f = *state;
	enum session_state conn = SESSION_CONNECTED;
	struct session_event ev;
	struct session_sub subs[8];
	char err[128];
	int mid = 0;
	const char *up[] = {"origin", "test"};
	struct pub_req req = {.topic = "pub/out",
	                      .payload = "hello",
	                      .len = 5,
	                      .qos = 1,
	                      .retain = true,
	                      .content_type = "text/plain",
	                      .user_props = up,
	                      .nuser_props = 1};

	settings_add_str(&f->cfg.topics, &f->cfg.ntopics, "pub/#");
	start_session(f);
	/* Not connected yet or connected: either way no crash; wait for connected. */
	assert_true(wait_until(f, is_state, &conn, WAIT_MS));
	assert_true(wait_event(f, SESSION_EV_SUBSCRIBED, &ev, WAIT_MS));
	assert_int_equal(ev.rc, 0);
	assert_string_equal(ev.filter, "pub/#");

	assert_int_equal(session_publish(f->app.session, &req, &mid, err, sizeof(err)), 0);
	assert_true(mid > 0);
	assert_true(wait_event(f, SESSION_EV_PUBLISHED, &ev, WAIT_MS));
	assert_int_equal(ev.mid, mid);
	assert_int_equal(ev.rc, 0);
	assert_true(wait_until(f, has_topic, "pub/out", WAIT_MS));
	/* The MQTT 5 properties came back with the message. */
	tree_id id = tree_find(f->app.tree, "pub/out", 7);
	const struct tree_value *v = tree_value(f->app.tree, id, 0);
	assert_true(v->props_len > 0);

	/* Wildcards cannot be published to. */
	req.topic = "pub/+";
	assert_int_equal(session_publish(f->app.session, &req, &mid, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a topic"));

	/* Live subscribe: no reconnect, new topics arrive, granted QoS reported. */
	publish_str(f->broker.port, "extra/one", "1", true);
	assert_int_equal(session_subscribe(f->app.session, "extra/#", 1, err, sizeof(err)), 0);
	assert_true(wait_until(f, has_topic, "extra/one", WAIT_MS));
	size_t n = session_subscriptions(f->app.session, subs, 8);
	assert_int_equal(n, 2); /* pub/# and extra/# */
	bool found = false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(subs[i].filter, "extra/#")) {
			found = true;
			assert_int_equal(subs[i].qos, 1);
		}
	assert_true(found);
	struct session_status st;
	session_status(f->app.session, &st);
	assert_int_equal(st.connects, 1);
	assert_int_equal(session_subscribe(f->app.session, "bad/#/x", 0, err, sizeof(err)), -1);
	assert_int_equal(session_unsubscribe(f->app.session, "extra/#", err, sizeof(err)), 0);
	assert_true(wait_event(f, SESSION_EV_UNSUBSCRIBED, &ev, WAIT_MS));
	assert_int_equal(session_unsubscribe(f->app.session, "extra/#", err, sizeof(err)), -1);
}

static void integration__session__publish_while_down_says_not_connected(void **state)
{
	struct fixture *f = *state;
	enum session_state waiting = SESSION_WAITING;
	char err[128];
	int mid;
	struct pub_req req = {.topic = "x", .payload = "1", .len = 1, .qos = 1};

	broker_kill(&f->broker);
	start_session(f);
	assert_true(wait_until(f, is_state, &waiting, WAIT_MS));
	assert_int_equal(session_publish(f->app.session, &req, &mid, err, sizeof(err)), -1);
	assert_string_equal(err, "not connected");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(integration__session__retained_and_live_reach_tree_v5,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(integration__session__retained_and_live_reach_tree_v311,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        integration__session__survives_broker_restart_and_resubscribes, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        integration__session__unreachable_broker_reports_and_retries, setup, teardown),
	    cmocka_unit_test_setup_teardown(integration__session__publish_and_live_subscribe, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        integration__session__publish_while_down_says_not_connected, setup, teardown),
	};
	int rc;

	session_lib_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	session_lib_cleanup();
	return rc;
}
