/* app_wait.h: the integration tests' wait: drain the ring into the tree until a condition holds.
 * A test file defines its struct fixture and fixture_app(), then calls wait_until(). */
#ifndef MQSCOPE_TEST_APP_WAIT_H
#define MQSCOPE_TEST_APP_WAIT_H

#include <poll.h>
#include <stdbool.h>

#include "mqscope/app.h"
#include "mqscope/util.h"

struct fixture;
typedef bool (*cond_fn)(struct fixture *f, const void *arg);

/* The app the test's fixture runs (defined by the test file). */
static struct app *fixture_app(struct fixture *f);

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

#endif
