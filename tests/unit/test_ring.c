/* test_ring.c: the SPSC ring: layout, bounds, wake-ups, and a two-thread stress run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/ring.h"

static bool push(struct ring *r, const void *data, size_t len)
{
	void *p = ring_reserve(r, len);

	if (p == NULL)
		return false;
	memcpy(p, data, len);
	ring_commit(r);
	return true;
}

static bool wake_pending(struct ring *r)
{
	struct pollfd pfd = {.fd = r->wake_fd, .events = POLLIN};

	return poll(&pfd, 1, 0) == 1;
}

static void unit__ring__fifo_order_and_lengths(void **state)
{
	struct ring r;
	char buf[64];
	size_t len;
	const char *p;

	(void)state;
	assert_int_equal(ring_init(&r, 4096, 0), 0);
	assert_null(ring_peek(&r, &len));
	for (int i = 0; i < 10; i++) {
		int n = snprintf(buf, sizeof(buf), "message %d%.*s", i, i, "xxxxxxxxxx");
		assert_true(push(&r, buf, (size_t)n));
	}
	assert_int_equal(ring_count(&r), 10);
	for (int i = 0; i < 10; i++) {
		int n = snprintf(buf, sizeof(buf), "message %d%.*s", i, i, "xxxxxxxxxx");
		p = ring_peek(&r, &len);
		assert_non_null(p);
		assert_int_equal(len, (size_t)n);
		assert_memory_equal(p, buf, len);
		ring_release(&r);
	}
	assert_null(ring_peek(&r, &len));
	assert_int_equal(ring_count(&r), 0);
	assert_int_equal(ring_drops(&r), 0);
	ring_free(&r);
}

static void unit__ring__zero_length_record(void **state)
{
	struct ring r;
	size_t len = 99;

	(void)state;
	assert_int_equal(ring_init(&r, 4096, 0), 0);
	assert_true(push(&r, "", 0));
	assert_non_null(ring_peek(&r, &len));
	assert_int_equal(len, 0);
	ring_release(&r);
	ring_free(&r);
}

static void unit__ring__drops_when_full_by_bytes(void **state)
{
	struct ring r;
	char rec[1000];
	size_t len, ok = 0;

	(void)state;
	memset(rec, 'a', sizeof(rec));
	assert_int_equal(ring_init(&r, 4096, 0), 0);
	while (push(&r, rec, sizeof(rec)))
		ok++;
	assert_true(ok >= 3 && ok <= 4);
	assert_int_equal(ring_drops(&r), 1);
	/* Freeing one record makes room again. */
	assert_non_null(ring_peek(&r, &len));
	ring_release(&r);
	assert_true(push(&r, rec, sizeof(rec)));
	ring_free(&r);
}

static void unit__ring__drops_when_full_by_count(void **state)
{
	struct ring r;

	(void)state;
	assert_int_equal(ring_init(&r, 1 << 20, 5), 0);
	for (int i = 0; i < 5; i++)
		assert_true(push(&r, "x", 1));
	assert_false(push(&r, "x", 1));
	assert_false(push(&r, "x", 1));
	assert_int_equal(ring_drops(&r), 2);
	assert_int_equal(ring_count(&r), 5);
	ring_free(&r);
}

static void unit__ring__too_large_is_dropped_not_blocking(void **state)
{
	struct ring r;
	size_t max;

	(void)state;
	assert_int_equal(ring_init(&r, 4096, 0), 0);
	max = ring_max_record(&r);
	assert_null(ring_reserve(&r, max + 1));
	assert_int_equal(ring_drops(&r), 1);
	assert_non_null(ring_reserve(&r, max));
	ring_commit(&r);
	ring_free(&r);
}

static void unit__ring__wraps_around_with_padding(void **state)
{
	struct ring r;
	char rec[700];
	size_t len;

	(void)state;
	assert_int_equal(ring_init(&r, 4096, 0), 0);
	/* Walk the ring many times with sizes that do not divide it. */
	for (int i = 0; i < 1000; i++) {
		memset(rec, 'a' + i % 26, sizeof(rec));
		size_t n = 100 + (size_t)(i * 37) % 600;
		assert_true(push(&r, rec, n));
		const char *p = ring_peek(&r, &len);
		assert_non_null(p);
		assert_int_equal(len, n);
		assert_int_equal(p[0], 'a' + i % 26);
		assert_int_equal(p[n - 1], 'a' + i % 26);
		ring_release(&r);
	}
	assert_int_equal(ring_drops(&r), 0);
	ring_free(&r);
}

static void unit__ring__wakes_only_on_empty_to_nonempty(void **state)
{
	struct ring r;
	size_t len;

	(void)state;
	assert_int_equal(ring_init(&r, 4096, 0), 0);
	assert_false(wake_pending(&r));
	assert_true(push(&r, "a", 1));
	assert_true(wake_pending(&r));
	ring_clear_wake(&r);
	/* Not empty any more: further pushes must not wake. */
	assert_true(push(&r, "b", 1));
	assert_true(push(&r, "c", 1));
	assert_false(wake_pending(&r));
	while (ring_peek(&r, &len))
		ring_release(&r);
	assert_true(push(&r, "d", 1));
	assert_true(wake_pending(&r));
	ring_free(&r);
}

static void unit__ring__lazy_consumer_is_woken_only_when_the_ring_fills(void **state)
{
	struct ring r;
	size_t len;

	(void)state;
	/* 40 records at most: a lazy consumer is woken at 10 (a quarter). */
	assert_int_equal(ring_init(&r, 65536, 40), 0);
	assert_true(ring_prepare_sleep(&r, true));
	for (int i = 0; i < 9; i++)
		assert_true(push(&r, "a", 1));
	assert_false(wake_pending(&r));
	assert_true(push(&r, "b", 1));
	assert_true(wake_pending(&r));
	ring_clear_wake(&r);
	/* Once per sleep: more records do not wake it again. */
	assert_true(push(&r, "c", 1));
	assert_false(wake_pending(&r));
	/* Already past the mark: it must not sleep. */
	assert_false(ring_prepare_sleep(&r, true));
	while (ring_peek(&r, &len))
		ring_release(&r);
	assert_true(ring_prepare_sleep(&r, true));
	assert_true(push(&r, "d", 1));
	assert_false(wake_pending(&r));
	/* Eager again with a record waiting: do not sleep; else the first record wakes. */
	assert_false(ring_prepare_sleep(&r, false));
	ring_peek(&r, &len);
	ring_release(&r);
	assert_true(ring_prepare_sleep(&r, false));
	assert_true(push(&r, "e", 1));
	assert_true(wake_pending(&r));
	ring_free(&r);
}

static void unit__ring__lazy_consumer_wakes_on_bytes_too(void **state)
{
	struct ring r;
	char big[1000];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(ring_init(&r, 8192, 0), 0); /* woken past 2048 bytes */
	assert_true(ring_prepare_sleep(&r, true));
	assert_true(push(&r, big, sizeof(big)));
	assert_false(wake_pending(&r));
	assert_true(push(&r, big, sizeof(big)));
	assert_false(wake_pending(&r));
	assert_true(push(&r, big, sizeof(big)));
	assert_true(wake_pending(&r));
	ring_free(&r);
}

#define STRESS_N 2000000u

struct stress {
	struct ring r;
	uint64_t dropped_seen;
};

static size_t rec_len(uint32_t seq)
{
	return 8 + (seq * 2654435761u) % 120;
}

static void *producer(void *arg)
{
	struct stress *s = arg;
	uint8_t buf[256];

	for (uint32_t seq = 0; seq < STRESS_N; seq++) {
		size_t n = rec_len(seq);

		memcpy(buf, &seq, 4);
		for (size_t i = 4; i < n; i++)
			buf[i] = (uint8_t)(seq + i);
		push(&s->r, buf, n);
	}
	return NULL;
}

static void unit__ring__two_threads_every_message_intact_in_order_or_counted(void **state)
{
	struct stress s;
	pthread_t th;
	uint32_t expect = 0, got = 0, gaps = 0;
	bool done = false;

	(void)state;
	/* A small ring so that drops happen, and both paths are checked. */
	assert_int_equal(ring_init(&s.r, 16384, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, producer, &s), 0);
	while (!done) {
		size_t len;
		const uint8_t *p = ring_peek(&s.r, &len);

		if (p == NULL) {
			struct pollfd pfd = {.fd = s.r.wake_fd, .events = POLLIN};

			if (expect >= STRESS_N || (got + ring_drops(&s.r) == STRESS_N)) {
				done = true;
				break;
			}
			poll(&pfd, 1, 10);
			ring_clear_wake(&s.r);
			continue;
		}
		uint32_t seq;
		memcpy(&seq, p, 4);
		assert_true(seq >= expect); /* in order, never repeated */
		if (seq != expect)
			gaps += seq - expect;
		assert_int_equal(len, rec_len(seq));
		for (size_t i = 4; i < len; i++)
			assert_int_equal(p[i], (uint8_t)(seq + i));
		expect = seq + 1;
		got++;
		ring_release(&s.r);
	}
	pthread_join(th, NULL);
	/* Drain anything left after the producer ended. */
	size_t len;
	const uint8_t *p;
	while ((p = ring_peek(&s.r, &len)) != NULL) {
		uint32_t seq;
		memcpy(&seq, p, 4);
		assert_true(seq >= expect);
		gaps += seq - expect;
		expect = seq + 1;
		got++;
		ring_release(&s.r);
	}
	gaps += STRESS_N - expect;
	assert_int_equal((uint64_t)got + ring_drops(&s.r), STRESS_N);
	assert_int_equal(gaps, ring_drops(&s.r));
	print_message("received %u, dropped %llu\n", got, (unsigned long long)ring_drops(&s.r));
	ring_free(&s.r);
}

static void unit__ring__two_threads_no_drops_when_consumer_keeps_up(void **state)
{
	struct stress s;
	pthread_t th;
	uint32_t expect = 0;

	(void)state;
	/* Big enough to hold everything: nothing may be lost. */
	assert_int_equal(ring_init(&s.r, (size_t)STRESS_N * 160, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, producer, &s), 0);
	while (expect < STRESS_N) {
		size_t len;
		const uint8_t *p = ring_peek(&s.r, &len);
		uint32_t seq;

		if (p == NULL) {
			struct pollfd pfd = {.fd = s.r.wake_fd, .events = POLLIN};
			poll(&pfd, 1, 100);
			ring_clear_wake(&s.r);
			continue;
		}
		memcpy(&seq, p, 4);
		assert_int_equal(seq, expect);
		expect++;
		ring_release(&s.r);
	}
	pthread_join(th, NULL);
	assert_int_equal(ring_drops(&s.r), 0);
	ring_free(&s.r);
}

/* A consumer that sleeps lazily (short timeouts) and eagerly (long ones) in turn: an eager
 * sleep that is not woken while records keep coming is a lost wake-up. */
static void unit__ring__two_threads_lazy_and_eager_sleeps_lose_no_wake_up(void **state)
{
	struct stress s;
	pthread_t th;
	uint32_t expect = 0;
	unsigned turn = 0;

	(void)state;
	assert_int_equal(ring_init(&s.r, (size_t)STRESS_N * 160, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, producer, &s), 0);
	while (expect < STRESS_N) {
		size_t len;
		const uint8_t *p = ring_peek(&s.r, &len);
		uint32_t seq;

		if (p == NULL) {
			struct pollfd pfd = {.fd = s.r.wake_fd, .events = POLLIN};
			bool lazy = turn++ % 2;

			if (!ring_prepare_sleep(&s.r, lazy))
				continue;
			if (poll(&pfd, 1, lazy ? 1 : 10000) == 0 && !lazy)
				fail_msg("not woken with %u of %u records taken", expect, STRESS_N);
			ring_clear_wake(&s.r);
			continue;
		}
		memcpy(&seq, p, 4);
		assert_int_equal(seq, expect);
		expect++;
		ring_release(&s.r);
	}
	pthread_join(th, NULL);
	assert_int_equal(ring_drops(&s.r), 0);
	ring_free(&s.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__ring__fifo_order_and_lengths),
	    cmocka_unit_test(unit__ring__zero_length_record),
	    cmocka_unit_test(unit__ring__drops_when_full_by_bytes),
	    cmocka_unit_test(unit__ring__drops_when_full_by_count),
	    cmocka_unit_test(unit__ring__too_large_is_dropped_not_blocking),
	    cmocka_unit_test(unit__ring__wraps_around_with_padding),
	    cmocka_unit_test(unit__ring__wakes_only_on_empty_to_nonempty),
	    cmocka_unit_test(unit__ring__lazy_consumer_is_woken_only_when_the_ring_fills),
	    cmocka_unit_test(unit__ring__lazy_consumer_wakes_on_bytes_too),
	    cmocka_unit_test(unit__ring__two_threads_every_message_intact_in_order_or_counted),
	    cmocka_unit_test(unit__ring__two_threads_no_drops_when_consumer_keeps_up),
	    cmocka_unit_test(unit__ring__two_threads_lazy_and_eager_sleeps_lose_no_wake_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
