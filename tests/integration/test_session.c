/* test_session.c: a real mosquitto: retained and live messages reach the tree, over TCP and
 * WebSocket (plain and TLS, directly and through proxies); restarts are survived; QoS 0 messages
 * take the direct path. */
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
#include <unistd.h>

#include "app_wait.h"
#include "mqscope/app.h"
#include "mqscope/broker.h"
#include "mqscope/options.h"
#include "mqscope/transport_tls.h"
#include "mqscope/util.h"
#include "proxies.h"

struct fixture {
	struct broker broker;
	int ws_port, wss_port; /* mosquitto's websockets listeners, plain and TLS */
	struct settings cfg;
	struct app app;
	struct session_status seen; /* the status is_state last read */
};

static char certs[128]; /* ca.crt, server.crt and server.key for localhost and 127.0.0.1 */
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

static struct app *fixture_app(struct fixture *f)
{
	return &f->app;
}

static void fixture_publish(struct fixture *f, const char *topic)
{
	publish_str(f->broker.port, topic, "x", false);
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

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[1024];

	(void)state;
	snprintf(certs, sizeof(certs), "%s/mqscope-ws-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(certs) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && (ec() { openssl ecparam -name prime256v1 -genkey -noout -out $1; }; "
	         "ec ca.key && openssl req -x509 -new -key ca.key -subj /CN=ca -days 2 -out ca.crt "
	         "&& ec server.key && openssl req -new -key server.key -subj /CN=localhost "
	         "-out server.csr && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > "
	         "san.ext && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key "
	         "-CAcreateserial -days 2 -extfile san.ext -out server.crt && chmod 755 . && "
	         "chmod 644 *) >/dev/null 2>&1",
	         certs);
	return system(cmd) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certs);
	return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256], extra[1024];

	f->ws_port = free_port();
	f->wss_port = free_port();
	/* max_queued_messages 0: the broker never drops QoS 0 messages to a client that
	 * reads slowly on a busy machine, so a flood arrives whole. */
	snprintf(extra, sizeof(extra),
	         "max_queued_messages 0\n"
	         "listener %2$d 127.0.0.1\nprotocol websockets\n"
	         "listener %3$d 127.0.0.1\nprotocol websockets\ncafile %1$s/ca.crt\n"
	         "certfile %1$s/server.crt\nkeyfile %1$s/server.key\n",
	         certs, f->ws_port, f->wss_port);
	if (broker_start(&f->broker, extra, err, sizeof(err)) != 0 ||
	    wait_port(f->ws_port, 5000, f->broker.pid) != 0 ||
	    wait_port(f->wss_port, 5000, f->broker.pid) != 0) {
		fprintf(stderr, "broker: %s\n", err);
		free(f);
		return -1;
	}
	settings_for_port(&f->cfg, f->broker.port);
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
		session_stop(f->app.session, 10000);
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
	assert_true(publish_until_seen(f, "stream/before", WAIT_MS));

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
	assert_true(publish_until_seen(f, "stream/after", WAIT_MS));
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
		/* (A SUBSCRIBED with rc -1 says the SUBSCRIBE went out; the SUBACK comes next.) */
		while (session_next_event(f->app.session, ev))
			if (ev->kind == kind && !(kind == SESSION_EV_SUBSCRIBED && ev->rc == -1))
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

/* The newest entry of the connection log, in words. */
static void last_log(struct fixture *f, char *buf, size_t cap)
{
	struct session_log_entry e[SESSION_LOG_MAX];
	size_t n = session_log(f->app.session, e, SESSION_LOG_MAX);

	assert_true(n > 0);
	session_log_describe(&e[n - 1], buf, cap);
}

static void integration__session__retained_and_live_over_websocket(void **state)
{
	struct fixture *f = *state;
	char line[256];

	assert_int_equal(options_parse_url(&f->cfg, "ws://127.0.0.1:1/mqtt", line, sizeof(line)),
	                 0);
	f->cfg.port = f->ws_port;
	check_retained_and_live(f);
	last_log(f, line, sizeof(line));
	assert_string_equal(line, "connected (connection 1) over WebSocket; MQTT 5");
}

static void integration__session__retained_and_live_over_secure_websocket_v311(void **state)
{
	struct fixture *f = *state;
	char line[256];

	assert_int_equal(
	    options_parse_url(&f->cfg, "wss://localhost:1/any/path", line, sizeof(line)), 0);
	f->cfg.port = f->wss_port;
	f->cfg.protocol = MQTT_V311;
	snprintf(line, sizeof(line), "%s/ca.crt", certs);
	settings_set_str(&f->cfg.cafile, line);
	check_retained_and_live(f);
	last_log(f, line, sizeof(line));
	print_message("%s\n", line);
	assert_non_null(strstr(line, "over TLSv1."));
	assert_non_null(strstr(line, ", WebSocket"));
}

/* Waits for the first failed attempt; returns its status in words. */
static void first_failure(struct fixture *f, char *buf, size_t cap)
{
	enum session_state waiting = SESSION_WAITING;
	struct session_status st;

	start_session(f);
	assert_true(wait_until(f, is_state, &waiting, 30000));
	session_status(f->app.session, &st);
	session_describe(&st, clock_mono_ms(), buf, cap);
	print_message("%s\n", buf);
}

static void integration__session__websocket_failures_in_words(void **state)
{
	struct fixture *f = *state;
	char d[256], portbuf[16];
	char *http[] = {"/usr/bin/python3", "-m",        "http.server", portbuf,
	                "--bind",           "127.0.0.1", NULL};
	int port = free_port();
	pid_t pid;

	/* wss:// checks the broker's certificate like mqtts:// (the system's CAs do not know it) */
	assert_int_equal(options_parse_url(&f->cfg, "wss://localhost:1/mqtt", d, sizeof(d)), 0);
	f->cfg.port = f->wss_port;
	first_failure(f, d, sizeof(d));
	assert_non_null(strstr(d, "TLS: broker certificate not trusted (unknown CA"));
	session_stop(f->app.session, 3000);
	app_free(&f->app);
	memset(&f->app, 0, sizeof(f->app));
	/* An HTTP server without MQTT on that path. */
	snprintf(portbuf, sizeof(portbuf), "%d", port);
	pid = spawn_quiet(http);
	assert_int_equal(wait_port(port, 5000, pid), 0);
	assert_int_equal(options_parse_url(&f->cfg, "ws://127.0.0.1:1/mqtt", d, sizeof(d)), 0);
	f->cfg.port = port;
	first_failure(f, d, sizeof(d));
	assert_non_null(
	    strstr(d, "WebSocket: the server refused the upgrade (wrong path?): HTTP 404"));
	stop_child(pid, 2000);
}

/*
 * ws:// through a real HTTP CONNECT proxy (tinyproxy) and wss:// through a real SOCKS5 proxy
 * (microsocks), each with a login of its own: the layers stack, and the log names the proxy.
 */
static void over_proxy(struct fixture *f, pid_t pid, int port, int kind, const char *via)
{
	char line[256];

	assert_int_equal(wait_port(port, WAIT_MS, pid), 0);
	proxy_use(&f->cfg, kind, port);
	check_retained_and_live(f);
	last_log(f, line, sizeof(line));
	print_message("%s\n", line);
	assert_non_null(strstr(line, via));
	session_stop(f->app.session, 10000);
	stop_child(pid, 2000);
}

static void integration__session__websocket_through_an_http_proxy(void **state)
{
	struct fixture *f = *state;
	int port = free_port();
	pid_t pid = proxy_spawn(PROXY_HTTP, port, certs);
	char err[128];

	assert_true(pid > 0);
	assert_int_equal(options_parse_url(&f->cfg, "ws://127.0.0.1:1/mqtt", err, sizeof(err)), 0);
	f->cfg.port = f->ws_port;
	over_proxy(f, pid, port, PROXY_HTTP, "over WebSocket, through an HTTP proxy");
}

static void integration__session__secure_websocket_through_a_socks_proxy(void **state)
{
	struct fixture *f = *state;
	int port = free_port();
	pid_t pid = proxy_spawn(PROXY_SOCKS5, port, certs);
	char ca[256];

	assert_true(pid > 0);
	assert_int_equal(options_parse_url(&f->cfg, "wss://localhost:1/mqtt", ca, sizeof(ca)), 0);
	f->cfg.port = f->wss_port;
	snprintf(ca, sizeof(ca), "%s/ca.crt", certs);
	settings_set_str(&f->cfg.cafile, ca);
	over_proxy(f, pid, port, PROXY_SOCKS5, ", WebSocket, through a SOCKS5 proxy");
}

/* A flood of QoS 0 messages from one publisher: published, and how many came in. */
static void flood_qos0(int port, int n)
{
	struct mosquitto *m = mosquitto_new(NULL, true, NULL);
	char topic[64];

	assert_non_null(m);
	assert_int_equal(mosquitto_connect(m, "127.0.0.1", port, 30), MOSQ_ERR_SUCCESS);
	for (int i = 0; i < n; i++) {
		snprintf(topic, sizeof(topic), "flood/%d", i);
		assert_int_equal(mosquitto_publish(m, NULL, topic, 5, "hello", 0, false),
		                 MOSQ_ERR_SUCCESS);
		if (i % 64 == 0)
			mosquitto_loop(m, 0, 1);
	}
	while (mosquitto_want_write(m))
		mosquitto_loop(m, 10, 1);
	publish_str(port, "flood/end", "done", false); /* QoS 1: the rest went before it */
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
}

/* The network thread's counts have reached *arg (they are stored after the messages go out). */
static bool stats_reach(struct fixture *f, const void *arg)
{
	const struct session_net_stats *want = arg;
	struct session_net_stats now;

	session_net_stats(f->app.session, &now);
	return now.direct >= want->direct && now.via_lib >= want->via_lib;
}

static void integration__session__checked_qos0_messages_go_straight_to_the_ring(void **state)
{
	struct fixture *f = *state;
	struct session_net_stats before, after, want = {0};
	enum session_state conn = SESSION_CONNECTED;

	settings_add_str(&f->cfg.topics, &f->cfg.ntopics, "flood/#");
	f->cfg.qos = 1; /* so that flood/end, sent with QoS 1, comes with QoS 1 */
	start_session(f);
	assert_true(wait_until(f, is_state, &conn, 5000));
	assert_true(publish_until_seen(f, "flood/first", WAIT_MS));
	session_net_stats(f->app.session, &before);
	flood_qos0(f->broker.port, 2000);
	assert_true(wait_until(f, has_topic, "flood/end", 10000));
	assert_true(wait_until(f, has_topic, "flood/1999", 1000));
	want.direct = before.direct + 2000;
	want.via_lib = before.via_lib + 1;
	wait_until(f, stats_reach, &want, 5000);
	session_net_stats(f->app.session, &after);
	print_message("direct %llu, to libmosquitto %llu, reads %llu\n",
	              (unsigned long long)(after.direct - before.direct),
	              (unsigned long long)(after.via_lib - before.via_lib),
	              (unsigned long long)(after.reads - before.reads));
	/* Each QoS 0 message was checked and copied into the ring, not parsed by libmosquitto
	 * (the QoS 1 one went there for its PUBACK)... */
	assert_true(after.direct - before.direct >= 2000);
	assert_true(after.via_lib - before.via_lib >= 1);
	assert_true(after.via_lib - before.via_lib < 20);
	/* ... and read many to a system call. */
	assert_true(after.reads - before.reads < 1000);
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

/* A network thread that takes no commands (never started): the queue fills, and says so. */
static void integration__session__a_full_command_queue_says_busy(void **state)
{
	struct fixture *f = *state;
	char err[128], filter[32];
	int i, rc = 0;

	settings_finish(&f->cfg);
	assert_int_equal(app_init(&f->app, &f->cfg, false), 0);
	for (i = 0; i < 1 << 20 && rc == 0; i++)
		rc = session_subscribe(f->app.session, "t/#", i % 3, err, sizeof(err));
	print_message("after %d commands: %s\n", i, err);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "commands wait for the network thread"));
	assert_int_equal(session_set_login(f->app.session, "bob", "pw", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "busy: "));
	session_user(f->app.session, filter, sizeof(filter));
	assert_string_equal(filter, ""); /* a login that never went stays untold */
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
	    cmocka_unit_test_setup_teardown(integration__session__retained_and_live_over_websocket,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        integration__session__retained_and_live_over_secure_websocket_v311, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(integration__session__websocket_failures_in_words,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(integration__session__websocket_through_an_http_proxy,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        integration__session__secure_websocket_through_a_socks_proxy, setup, teardown),
	    cmocka_unit_test_setup_teardown(integration__session__a_full_command_queue_says_busy,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        integration__session__checked_qos0_messages_go_straight_to_the_ring, setup,
	        teardown),
	};
	int rc;

	session_lib_init();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	session_lib_cleanup();
	return rc;
}
