/* test_connect.c: a real mosquitto that wants a password (MQTT 3.1.1 and 5), broker reasons in
 * words, backoff that does not hammer, new credentials, -c and -U, unix sockets, SOCKS5 and
 * HTTP CONNECT proxies. */
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

#include "mqscope/app.h"
#include "mqscope/broker.h"
#include "mqscope/util.h"
#include "proxies.h"

struct fixture {
	char dir[128]; /* password file, unix socket */
	struct broker b;
	struct settings cfg;
	struct app app;
	bool started;
};

/* How long a wait may take before the test gives up: far more than a quiet machine needs. */
#define WAIT_MS 20000

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	char cmd[512], extra[512], err[256];

	snprintf(f->dir, sizeof(f->dir), "%s/mqscope-auth-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "cd '%s' && mosquitto_passwd -b -c pw alice 's3cret pass'",
	         f->dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(extra, sizeof(extra),
	         /* Started as root, mosquitto would become the mosquitto user, who can
	          * neither write the log we count lines in nor make the socket here. */
	         "user root\nallow_anonymous false\npassword_file %1$s/pw\n"
	         "listener 0 %1$s/sock\n",
	         f->dir);
	if (broker_start(&f->b, extra, err, sizeof(err)) != 0) {
		fprintf(stderr, "broker: %s\n", err);
		return -1;
	}
	settings_init(&f->cfg);
	settings_set_str(&f->cfg.host, "127.0.0.1");
	f->cfg.port = f->b.port;
	settings_set_str(&f->cfg.user, "alice");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	if (f->started) {
		session_stop(f->app.session, 3000);
		app_free(&f->app);
	}
	broker_stop(&f->b);
	settings_free(&f->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void start(struct fixture *f)
{
	settings_finish(&f->cfg);
	assert_int_equal(app_init(&f->app, &f->cfg, false), 0);
	assert_int_equal(session_start(f->app.session), 0);
	f->started = true;
}

static void stop(struct fixture *f)
{
	session_stop(f->app.session, 3000);
	app_free(&f->app);
	f->started = false;
}

static struct session_status status(struct fixture *f)
{
	struct session_status st;
	bool more;

	ring_clear_wake(&f->app.ring);
	do
		app_drain(&f->app, 1024, &more);
	while (more);
	session_status(f->app.session, &st);
	return st;
}

/* Waits for a state; with a minimum number of connections when connects > 0. */
static struct session_status wait_state(struct fixture *f, enum session_state want,
                                        uint64_t connects, int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = {.fd = f->app.ring.wake_fd, .events = POLLIN};
		struct session_status st = status(f);

		if (st.state == want && st.connects >= connects)
			return st;
		if (clock_mono_ms() >= deadline) {
			char d[256];
			session_describe(&st, clock_mono_ms(), d, sizeof(d));
			fail_msg("state %d expected, still '%s'", want, d);
		}
		poll(&pfd, 1, 50);
	}
}

/* How many lines of the broker's log hold text. */
static int log_count(struct fixture *f, const char *text)
{
	char path[256], line[1024];
	int n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/mosquitto.log", f->b.dir);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, text))
			n++;
	fclose(fp);
	return n;
}

static void check_right_password(struct fixture *f, int protocol)
{
	f->cfg.protocol = protocol;
	settings_set_str(&f->cfg.password, "s3cret pass");
	start(f);
	wait_state(f, SESSION_CONNECTED, 1, WAIT_MS);
}

static void integration__connect__password_accepted_v5(void **state)
{
	check_right_password(*state, MQTT_V5);
}

static void integration__connect__password_accepted_v311(void **state)
{
	check_right_password(*state, MQTT_V311);
}

/* The session's failed attempts, oldest first; returns how many. */
static size_t failures(struct fixture *f, struct session_log_entry *out, size_t max)
{
	struct session_log_entry ev[SESSION_LOG_MAX];
	size_t n = session_log(f->app.session, ev, SESSION_LOG_MAX), k = 0;

	for (size_t i = 0; i < n && k < max; i++)
		if (ev[i].kind == SESSION_LOG_FAILED)
			out[k++] = ev[i];
	return k;
}

/*
 * A wrong password is refused in words, and the retries back off: the session waits 1 s, 2 s,
 * 4 s between attempts, and the broker sees no more attempts than that. Timings are read from
 * the session's own log and clock, so a busy machine can only make them longer.
 */
static void check_wrong_password(struct fixture *f, int protocol)
{
	struct session_log_entry fl[SESSION_LOG_MAX], ev[SESSION_LOG_MAX];
	struct session_status st;
	char d[256], err[128];
	int64_t deadline, early;
	int attempts;
	size_t n;

	f->cfg.protocol = protocol;
	settings_set_str(&f->cfg.client_id, "wrong-pw-client");
	settings_set_str(&f->cfg.password, "guess");
	start(f);
	st = wait_state(f, SESSION_WAITING, 0, WAIT_MS);
	session_describe(&st, clock_mono_ms(), d, sizeof(d));
	print_message("%s\n", d);
	assert_non_null(strstr(d, "not authorized"));
	assert_true(session_reason_is_auth(st.reason, st.code));
	assert_int_equal(st.reason, protocol == MQTT_V5 ? REASON_V5 : REASON_CONNACK);
	assert_int_equal(st.connects, 0);

	for (deadline = clock_mono_ms() + WAIT_MS; failures(f, fl, 3) < 3;) {
		struct pollfd pfd = {.fd = f->app.ring.wake_fd, .events = POLLIN};

		assert_true(clock_mono_ms() < deadline);
		poll(&pfd, 1, 100);
		status(f);
	}
	/* Nobody else connects to this broker, but for broker_start's readiness probe. Read
	 * before the session's log: at most the one attempt under way can be missing there. */
	attempts = log_count(f, "New connection from") - 1;
	n = failures(f, fl, SESSION_LOG_MAX);
	print_message(
	    "waits %lld, %lld, %lld ms; %lld and %lld ms between attempts; the broker saw "
	    "%d attempts, the session made %zu\n",
	    (long long)fl[0].retry_ms, (long long)fl[1].retry_ms, (long long)fl[2].retry_ms,
	    (long long)(fl[1].time_ms - fl[0].time_ms), (long long)(fl[2].time_ms - fl[1].time_ms),
	    attempts, n);
	assert_int_equal(fl[0].retry_ms, 1000);
	assert_int_equal(fl[1].retry_ms, 2000);
	assert_int_equal(fl[2].retry_ms, 4000);
	/* The log's clock is read just after the wait's start: allow a little. */
	assert_true(fl[1].time_ms - fl[0].time_ms >= fl[0].retry_ms - 200);
	assert_true(fl[2].time_ms - fl[1].time_ms >= fl[1].retry_ms - 200);
	assert_true(attempts >= 3 && attempts <= (int)n + 1);

	/*
	 * The password the user types in then is used right away: the connection comes before the
	 * wait would have ended. Typed while at least 2 s of a wait are left, so that connecting
	 * on a busy machine has the time.
	 */
	for (deadline = clock_mono_ms() + 4 * WAIT_MS;;) {
		struct pollfd pfd = {.fd = f->app.ring.wake_fd, .events = POLLIN};

		st = status(f);
		if (st.state == SESSION_WAITING && st.retry_at_ms - clock_mono_ms() >= 2000)
			break;
		assert_true(clock_mono_ms() < deadline);
		poll(&pfd, 1, 50);
	}
	assert_int_equal(session_set_login(f->app.session, NULL, "s3cret pass", err, sizeof(err)),
	                 0);
	wait_state(f, SESSION_CONNECTED, 1, WAIT_MS);
	/* By the session's clock: connected before the last failure's wait was over. */
	n = session_log(f->app.session, ev, SESSION_LOG_MAX);
	assert_true(n >= 2);
	assert_int_equal(ev[n - 1].kind, SESSION_LOG_CONNECTED);
	assert_int_equal(ev[n - 2].kind, SESSION_LOG_FAILED);
	early = ev[n - 2].time_ms + ev[n - 2].retry_ms - ev[n - 1].time_ms;
	print_message("connected %lld ms before the wait would have ended\n", (long long)early);
	assert_true(early > 0);
}

static void integration__connect__wrong_password_v5(void **state)
{
	check_wrong_password(*state, MQTT_V5);
}

static void integration__connect__wrong_password_v311(void **state)
{
	check_wrong_password(*state, MQTT_V311);
}

static void integration__connect__no_credentials_then_login(void **state)
{
	struct fixture *f = *state;
	char user[64], err[128];

	settings_set_str(&f->cfg.user, NULL);
	start(f);
	wait_state(f, SESSION_WAITING, 0, WAIT_MS);
	session_user(f->app.session, user, sizeof(user));
	assert_string_equal(user, "");
	assert_int_equal(
	    session_set_login(f->app.session, "alice", "s3cret pass", err, sizeof(err)), 0);
	session_user(f->app.session, user, sizeof(user));
	assert_string_equal(user, "alice");
	wait_state(f, SESSION_CONNECTED, 1, WAIT_MS);
}

static bool saw_topic(struct fixture *f, const char *topic)
{
	tree_id id = tree_find(f->app.tree, topic, strlen(topic));

	return id != TREE_NONE && (tree_node(f->app.tree, id)->flags & TREE_F_VALUE);
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)mid;
	*(int *)obj = 1;
}

/* Publishes with QoS 1 as alice and waits for the acknowledgement. */
static void publish(struct fixture *f, const char *topic, const char *payload)
{
	int done = 0;
	struct mosquitto *m = mosquitto_new(NULL, true, &done);
	int64_t deadline = clock_mono_ms() + WAIT_MS;

	assert_non_null(m);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_username_pw_set(m, "alice", "s3cret pass");
	assert_int_equal(mosquitto_connect(m, "127.0.0.1", f->b.port, 30), MOSQ_ERR_SUCCESS);
	assert_int_equal(mosquitto_publish(m, NULL, topic, (int)strlen(payload), payload, 1, false),
	                 MOSQ_ERR_SUCCESS);
	while (!done && clock_mono_ms() < deadline)
		mosquitto_loop(m, 50, 1);
	assert_true(done);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
}

/*
 * -c keeps the subscriptions while away (queued QoS 1 messages arrive on
 * return); -U on the next start drops a subscription the session still held.
 */
static bool keep_granted(struct fixture *f)
{
	struct session_sub subs[4];
	size_t n = session_subscriptions(f->app.session, subs, 4);

	for (size_t i = 0; i < n && i < 4; i++)
		if (strcmp(subs[i].filter, "keep/#") == 0 && subs[i].granted >= 0)
			return true;
	return false;
}

static void integration__connect__persistent_session_and_unsubscribe(void **state)
{
	struct fixture *f = *state;
	int64_t deadline;

	settings_set_str(&f->cfg.client_id, "keeper");
	settings_set_str(&f->cfg.password, "s3cret pass");
	f->cfg.persistent = true;
	f->cfg.qos = 1;
	settings_add_str(&f->cfg.topics, &f->cfg.ntopics, "keep/#");
	settings_add_str(&f->cfg.topics, &f->cfg.ntopics, "drop/#");
	start(f);
	wait_state(f, SESSION_CONNECTED, 1, WAIT_MS);
	/* The SUBACK may trail the CONNACK: publish until it shows. */
	for (deadline = clock_mono_ms() + WAIT_MS; !saw_topic(f, "keep/first");) {
		assert_true(clock_mono_ms() < deadline);
		publish(f, "keep/first", "1");
		status(f);
	}
	stop(f);

	/* Away: both are queued by the broker for the session. */
	publish(f, "keep/while-away", "2");
	publish(f, "drop/while-away", "3");

	settings_clear_list(&f->cfg.topics, &f->cfg.ntopics);
	settings_add_str(&f->cfg.topics, &f->cfg.ntopics, "keep/#");
	settings_add_str(&f->cfg.unsubs, &f->cfg.nunsubs, "drop/#");
	/* app_init wiped the password once libmosquitto had it: give it again. */
	assert_null(f->cfg.password);
	settings_set_str(&f->cfg.password, "s3cret pass");
	start(f);
	wait_state(f, SESSION_CONNECTED, 1, WAIT_MS);
	for (deadline = clock_mono_ms() + WAIT_MS; !saw_topic(f, "keep/while-away");) {
		assert_true(clock_mono_ms() < deadline);
		usleep(20000);
		status(f);
	}
	/*
	 * The UNSUBSCRIBE for -U goes before the SUBSCRIBE for keep/#: once keep/# is
	 * granted, the broker has dropped drop/# (queued messages may come before that).
	 */
	for (deadline = clock_mono_ms() + WAIT_MS; !keep_granted(f);) {
		assert_true(clock_mono_ms() < deadline);
		usleep(20000);
	}
	/* Queued before -U: it may still arrive. A new one after -U must not. */
	publish(f, "drop/after", "4");
	publish(f, "keep/after", "5");
	for (deadline = clock_mono_ms() + WAIT_MS; !saw_topic(f, "keep/after");) {
		assert_true(clock_mono_ms() < deadline);
		usleep(20000);
		status(f);
	}
	assert_false(saw_topic(f, "drop/after"));
}

static void integration__connect__unix_socket(void **state)
{
	struct fixture *f = *state;
	char path[256];

	snprintf(path, sizeof(path), "%s/sock", f->dir);
	settings_set_str(&f->cfg.unix_path, path);
	settings_set_str(&f->cfg.password, "s3cret pass");
	start(f);
	assert_false(f->cfg.tls);
	wait_state(f, SESSION_CONNECTED, 1, WAIT_MS);
}

/*
 * Through the proxy just started (pid, on port, of this kind) with the login pxuser/pxpass:
 * connected; with a wrong password, a failure that says the proxy was in the way.
 */
static void through_proxy(struct fixture *f, pid_t pid, int port, int kind, const char *words)
{
	struct session_status st;
	char d[256];

	assert_int_equal(wait_port(port, WAIT_MS, pid), 0);
	settings_set_str(&f->cfg.password, "s3cret pass");
	proxy_use(&f->cfg, kind, port);
	start(f);
	wait_state(f, SESSION_CONNECTED, 1, WAIT_MS);
	stop(f);

	/* The broker is up, but the proxy refuses us: the proxy was in the way. */
	settings_set_str(&f->cfg.proxy_password, "wrong");
	start(f);
	st = wait_state(f, SESSION_WAITING, 0, WAIT_MS);
	session_describe(&st, clock_mono_ms(), d, sizeof(d));
	print_message("%s\n", d);
	assert_non_null(strstr(d, words));
	stop(f);
	stop_child(pid, 2000);
}

/* Through a real SOCKS5 proxy (microsocks) that wants a login of its own. */
static void integration__connect__through_a_socks_proxy(void **state)
{
	int port = free_port();
	pid_t pid = proxy_spawn(PROXY_SOCKS5, port, NULL);

	assert_true(pid > 0); /* the microsocks package */
	through_proxy(*state, pid, port, PROXY_SOCKS5,
	              "the SOCKS proxy refused the username or password");
}

/* Through a real HTTP CONNECT proxy (tinyproxy) with a login of its own. */
static void integration__connect__through_an_http_proxy(void **state)
{
	struct fixture *f = *state;
	int port = free_port();
	pid_t pid = proxy_spawn(PROXY_HTTP, port, f->dir);

	assert_true(pid > 0); /* the tinyproxy-bin package */
	through_proxy(f, pid, port, PROXY_HTTP, "the HTTP proxy refused the username or password");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(integration__connect__password_accepted_v5, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(integration__connect__password_accepted_v311, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(integration__connect__wrong_password_v5, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(integration__connect__wrong_password_v311, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(integration__connect__no_credentials_then_login, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        integration__connect__persistent_session_and_unsubscribe, setup, teardown),
	    cmocka_unit_test_setup_teardown(integration__connect__unix_socket, setup, teardown),
	    cmocka_unit_test_setup_teardown(integration__connect__through_an_http_proxy, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(integration__connect__through_a_socks_proxy, setup,
	                                    teardown),
	};
	int rc;

	session_lib_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	session_lib_cleanup();
	return rc;
}
