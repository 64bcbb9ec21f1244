/* app_wait.h: the integration tests' wait: drain the ring into the tree until a condition holds.
 * A test file defines its struct fixture and fixture_app(), then calls wait_until(); one that
 * calls publish_until_seen() also defines fixture_publish(). */
#ifndef MQSCOPE_TEST_APP_WAIT_H
#define MQSCOPE_TEST_APP_WAIT_H

#include <poll.h>
#include <stdbool.h>
#include <string.h>

#include "mqscope/app.h"
#include "mqscope/util.h"

struct fixture;
typedef bool (*cond_fn)(struct fixture *f, const void *arg);

/* The app the test's fixture runs (defined by the test file). */
static struct app *fixture_app(struct fixture *f);
/* Publishes one message on topic, the test's way (defined by a test file that uses
 * publish_until_seen). */
static void fixture_publish(struct fixture *f, const char *topic);

/* Drains the ring into the tree until cond holds or the deadline passes. */
static inline bool wait_until(struct fixture *f, cond_fn cond, const void *arg, int timeout_ms)
{
	struct app *a = fixture_app(f);
	int64_t deadline = clock_mono_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = {.fd = a->ring.wake_fd, .events = POLLIN};
		bool more;

		ring_clear_wake(&a->ring);
		do
			app_drain(a, 1024, &more);
		while (more);
		if (cond(f, arg))
			return true;
		if (clock_mono_ms() >= deadline)
			return false;
		poll(&pfd, 1, 50);
	}
}

/* A cond_fn: the topic arg (a string) holds a current value in the tree. */
static inline bool has_topic(struct fixture *f, const void *arg)
{
	struct tree *t = fixture_app(f)->tree;
	const char *topic = arg;
	tree_id id = tree_find(t, topic, strlen(topic));

	return id != TREE_NONE && (tree_node(t, id)->flags & TREE_F_VALUE);
}

/* Publishes on topic until it shows up or the deadline passes: the SUBACK may trail the
 * CONNACK, so the first messages can go by before the subscription holds. */
static inline bool publish_until_seen(struct fixture *f, const char *topic, int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;

	do {
		fixture_publish(f, topic);
		if (wait_until(f, has_topic, topic, 200))
			return true;
	} while (clock_mono_ms() < deadline);
	return false;
}

/* Settings that reach a test's broker on the loopback port. */
static inline void settings_for_port(struct settings *cfg, int port)
{
	settings_init(cfg);
	settings_set_str(&cfg->host, "127.0.0.1");
	cfg->port = port;
}

#endif
