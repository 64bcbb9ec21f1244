/* test_stream.c: the message stream keeps the newest messages whole, in order, within its limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/stream.h"

/* The payload of message seq: its number, then filler to a length that varies. */
static size_t payload_of(uint64_t seq, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "m%llu:", (unsigned long long)seq);
	size_t want = (seq * 7919) % 700;

	for (; n < want && n + 1 < cap; n++)
		buf[n] = (char)('a' + (seq + n) % 26);
	return n;
}

static void expect_msg(const struct stream *s, uint64_t seq)
{
	struct stream_msg m;
	char want[1024];
	size_t n = payload_of(seq, want, sizeof(want));

	if (!stream_get(s, seq, &m))
		fail_msg("message %llu is not there", (unsigned long long)seq);
	assert_int_equal(m.seq, seq);
	assert_int_equal(m.id, (tree_id)(seq % 13 + 1));
	assert_int_equal(m.time_ms, (int64_t)(1000 + seq));
	assert_int_equal(m.len, n);
	assert_int_equal(m.props_len, seq % 5 == 0 ? 3 : 0);
	assert_memory_equal(m.data, want, n);
	if (m.props_len)
		assert_memory_equal(m.data + n, "\x03\x00\x01", 3);
	assert_int_equal(m.qos, seq % 3);
	assert_int_equal(m.retained, seq % 2);
}

static void push(struct stream *s, uint64_t seq)
{
	char buf[1024];
	size_t n = payload_of(seq, buf, sizeof(buf));
	uint64_t got = stream_push(s, (tree_id)(seq % 13 + 1), (int64_t)(1000 + seq), buf,
	                           (uint32_t)n, (uint32_t)n, "\x03\x00\x01", seq % 5 == 0 ? 3 : 0,
	                           (uint8_t)(seq % 3), (uint8_t)(seq % 2));

	assert_int_equal(got, seq);
}

static void unit__stream__keeps_the_newest_in_order(void **state)
{
	struct stream *s = stream_new(4 << 20, 0);
	struct stream_msg m;
	uint64_t n = 200000;

	(void)state;
	assert_int_equal(stream_first(s), 0);
	assert_int_equal(stream_end(s), 0);
	assert_false(stream_get(s, 0, &m));
	for (uint64_t q = 0; q < n; q++) {
		push(s, q);
		/* now and then, everything held is intact */
		if (q % 20011 == 0 || q == n - 1)
			for (uint64_t k = stream_first(s); k < stream_end(s); k++)
				expect_msg(s, k);
	}
	assert_int_equal(stream_end(s), n);
	assert_true(stream_first(s) > 0); /* 200,000 messages of ~350 B do not fit in 4 MB */
	assert_int_equal(stream_dropped(s), stream_first(s));
	assert_false(stream_get(s, stream_first(s) - 1, &m));
	assert_false(stream_get(s, n, &m));
	assert_true(stream_mem_bytes(s) <= (4 << 20) + 4096);
	/* The newest survive: at least a few thousand of them. */
	assert_true(stream_end(s) - stream_first(s) > 5000);
	stream_free(s);
}

static void unit__stream__previous_on_the_same_topic(void **state)
{
	struct stream *s = stream_new(1 << 20, 0);
	struct stream_msg m;

	(void)state;
	for (uint64_t q = 0; q < 100; q++)
		push(s, q);
	assert_true(stream_prev_same(s, 40, 1000, &m));
	assert_int_equal(m.seq, 27); /* same id every 13 */
	assert_false(stream_prev_same(s, 5, 1000, &m));
	assert_false(stream_prev_same(s, 40, 10, &m)); /* not within the scan */
	assert_false(stream_prev_same(s, 500, 1000, &m));
	stream_free(s);
}

static void unit__stream__large_payloads_are_cut(void **state)
{
	struct stream *s = stream_new(1 << 20, 0);
	size_t big = 1 << 20;
	char *p = malloc(big);
	struct stream_msg m;
	uint64_t q;

	(void)state;
	memset(p, 'z', big);
	push(s, 0);
	q = stream_push(s, 5, 1, p, (uint32_t)big, (uint32_t)big * 2, NULL, 0, 0, 0);
	assert_true(stream_get(s, q, &m));
	assert_true(m.len < big / 8);
	assert_int_equal(m.orig_len, big * 2);
	assert_int_equal(stream_cut(s), 1);
	/* The one before it was not pushed out. */
	expect_msg(s, 0);
	/* A configured payload cap cuts sooner. */
	struct stream *c = stream_new(1 << 20, 100);
	q = stream_push(c, 5, 1, p, 1000, 1000, NULL, 0, 0, 0);
	assert_true(stream_get(c, q, &m));
	assert_int_equal(m.len, 100);
	assert_int_equal(m.orig_len, 1000);
	/* Empty messages take no bytes. */
	q = stream_push(c, 6, 2, "", 0, 0, NULL, 0, 1, 1);
	assert_true(stream_get(c, q, &m));
	assert_int_equal(m.len, 0);
	stream_free(c);
	stream_free(s);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__stream__keeps_the_newest_in_order),
	    cmocka_unit_test(unit__stream__previous_on_the_same_topic),
	    cmocka_unit_test(unit__stream__large_payloads_are_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
