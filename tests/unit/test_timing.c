/* test_timing.c: payload timestamps and per-topic timing (intervals, jitter, duplicates, delay). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/timestamp.h"
#include "mqscope/timing.h"
#include "mqscope/tree.h"

#define T0 1795341845000LL /* 2026-11-22T10:04:05Z */

static int64_t iso(const char *s)
{
	int64_t ms = -1;

	if (!timestamp_iso8601(s, strlen(s), &ms))
		return -1;
	return ms;
}

static void unit__timestamp__iso8601_forms(void **state)
{
	(void)state;
	assert_int_equal(iso("2026-11-22T10:04:05Z"), T0);
	assert_int_equal(iso("2026-11-22t10:04:05z"), T0);
	assert_int_equal(iso("2026-11-22 10:04:05"), T0); /* no offset: UTC */
	assert_int_equal(iso("2026-11-22T10:04Z"), T0 - 5000);
	assert_int_equal(iso("2026-11-22T11:04:05+01:00"), T0);
	assert_int_equal(iso("2026-11-22T05:04:05-0500"), T0);
	assert_int_equal(iso("2026-11-22T15:34:05+05:30"), T0);
	assert_int_equal(iso("2026-11-22T10:04:05.5Z"), T0 + 500);
	assert_int_equal(iso("2026-11-22T10:04:05,123456Z"), T0 + 123);
	assert_int_equal(iso("2024-02-29T23:59:59.123Z"), 1709251199123LL);
	/* not times */
	assert_int_equal(iso("2023-02-29T00:00:00Z"), -1);
	assert_int_equal(iso("2026-13-01T00:00:00Z"), -1);
	assert_int_equal(iso("2026-11-22T24:00:00Z"), -1);
	assert_int_equal(iso("2026-11-22T10:04:05Zjunk"), -1);
	assert_int_equal(iso("2026-11-22T10:04:05."), -1);
	assert_int_equal(iso("2026-11-22"), -1);
	assert_int_equal(iso("2026-11-22T10:04:05+25:00"), -1);
	assert_int_equal(iso(""), -1);
	assert_int_equal(iso("12:00"), -1);
}

static void unit__timestamp__epoch_units_by_size(void **state)
{
	int64_t ms;

	(void)state;
	assert_true(timestamp_epoch(1795341845.0, &ms));
	assert_int_equal(ms, T0);
	assert_true(timestamp_epoch(1795341845.25, &ms));
	assert_int_equal(ms, T0 + 250);
	assert_true(timestamp_epoch(1795341845123.0, &ms));
	assert_int_equal(ms, T0 + 123);
	assert_true(timestamp_epoch(1795341845123000.0, &ms));
	assert_int_equal(ms, T0 + 123);
	assert_true(timestamp_epoch(1795341845123000000.0, &ms));
	assert_int_equal(ms, T0 + 123);
	/* counters and durations are not times */
	assert_false(timestamp_epoch(0, &ms));
	assert_false(timestamp_epoch(-5, &ms));
	assert_false(timestamp_epoch(12345, &ms));
	assert_false(timestamp_epoch(946684799.0, &ms));
}

static int64_t json_ts(const char *s)
{
	int64_t ms = -1;

	if (!timestamp_from_json(s, strlen(s), &ms))
		return -1;
	return ms;
}

static void unit__timestamp__json_members(void **state)
{
	(void)state;
	assert_int_equal(json_ts("{\"value\":21.5,\"ts\":1795341845}"), T0);
	assert_int_equal(json_ts("{\"ts\":1795341845123,\"value\":1}"), T0 + 123);
	assert_int_equal(json_ts(" {\"time\":\"2026-11-22T10:04:05Z\"}"), T0);
	assert_int_equal(json_ts("{\"Timestamp\":\"1795341845\"}"), T0);
	assert_int_equal(json_ts("{\"Time\":\"2026-11-22T11:04:05+01:00\"}"), T0);
	/* ts wins over time when both are there */
	assert_int_equal(json_ts("{\"time\":\"2020-01-01T00:00:00Z\",\"ts\":1795341845}"), T0);
	/* not top level, not a time, not an object, broken */
	assert_int_equal(json_ts("{\"meta\":{\"ts\":1795341845}}"), -1);
	assert_int_equal(json_ts("{\"time\":42}"), -1);
	assert_int_equal(json_ts("{\"time\":\"soon\"}"), -1);
	assert_int_equal(json_ts("[1795341845]"), -1);
	assert_int_equal(json_ts("{\"ts\":1795341845"), -1);
	assert_int_equal(json_ts("1795341845"), -1);
	assert_false(timestamp_candidate("{\"value\":1,\"unit\":\"C\"}", 22));
	assert_true(timestamp_candidate("{\"TS\":1}", 8));
}

static struct tree *new_tree(unsigned history)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = history};

	return tree_new(&lim);
}

/* Stores and times one message; ts_ms from a decoder or TIMING_NO_TS. */
static tree_id put(struct tree *t, struct timing *tm, const char *topic, const char *payload,
                   int64_t at, bool retained)
{
	struct tree_msg m = {
	    .payload = payload,
	    .len = (uint32_t)strlen(payload),
	    .orig_len = (uint32_t)strlen(payload),
	    .time_ms = at,
	    .retained = retained,
	};
	struct timing_msg x = {
	    .time_ms = at,
	    .payload = payload,
	    .len = m.len,
	    .orig_len = m.len,
	    .retained = retained,
	    .ts_ms = TIMING_NO_TS,
	};
	tree_id id = tree_insert(t, topic, strlen(topic), &m);

	assert_int_not_equal(id, TREE_NONE);
	timing_note(tm, t, id, &x, true);
	return id;
}

static void unit__timing__intervals_over_the_window(void **state)
{
	struct tree *t = new_tree(32);
	struct timing *tm = timing_new();
	struct timing_stats st;
	char p[32];
	tree_id id = TREE_NONE;
	int64_t at = T0;

	(void)state;
	/* Intervals 100, 200, ..., 1000 ms. */
	for (int i = 0; i <= 10; i++) {
		at += i * 100;
		snprintf(p, sizeof(p), "%d", i);
		id = put(t, tm, "a/b", p, at, false);
		if (i == 0)
			assert_false(timing_stats(tm, id, &st)); /* one message: no record */
	}
	assert_true(timing_stats(tm, id, &st));
	assert_int_equal(st.msgs, 11);
	assert_int_equal(st.intervals, 10);
	assert_int_equal(st.iv_min, 100);
	assert_int_equal(st.iv_max, 1000);
	assert_int_equal(st.iv_median, 550);
	assert_int_equal(st.iv_p95, 1000);
	assert_int_equal(timing_median(tm, id), 550);
	assert_int_equal(timing_intervals(tm, id), 10);
	assert_int_equal(timing_last(tm, id), at);
	assert_true(st.jitter_ms > 0);
	assert_int_equal(st.dups, 0);
	assert_int_equal(st.stamped, 0);

	/* The window keeps the newest TIMING_WINDOW intervals: 40 more of 5 ms. */
	for (int i = 0; i < 40; i++)
		put(t, tm, "a/b", "x", at += 5, false);
	assert_true(timing_stats(tm, id, &st));
	assert_int_equal(st.intervals, TIMING_WINDOW);
	assert_int_equal(st.iv_min, 5);
	assert_int_equal(st.iv_max, 5);
	assert_int_equal(st.iv_median, 5);
	assert_int_equal(timing_intervals(tm, id), 50);
	/* Steady intervals: the jitter decays toward 0. */
	assert_true(st.jitter_ms < 100);
	/* 39 of the "x" were the same as the one before. */
	assert_int_equal(st.dups, 39);
	timing_free(tm);
	tree_free(t);

	/* Long intervals are kept to 0.03%, up to a day and more. */
	t = new_tree(4);
	tm = timing_new();
	static const int64_t longs[] = {4095, 8191, 60000, 300001, 3600000, 86400000, 200000000};
	for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
		char topic[16];

		snprintf(topic, sizeof(topic), "slow%zu", i);
		put(t, tm, topic, "a", at, false);
		id = put(t, tm, topic, "b", at + longs[i], false);
		assert_true(timing_stats(tm, id, &st));
		int64_t want = longs[i] < 134201344 ? longs[i] : 134201344, got = st.iv_max;
		if (got > want || got < want - want / 3000)
			fail_msg("%lld ms kept as %lld", (long long)longs[i], (long long)got);
	}
	timing_free(tm);
	tree_free(t);
}

static void unit__timing__duplicates_and_the_first_message(void **state)
{
	struct tree *t = new_tree(32);
	struct timing *tm = timing_new();
	struct timing_stats st;
	tree_id id;

	(void)state;
	put(t, tm, "d", "same", T0, false);
	id = put(t, tm, "d", "same", T0 + 10, false); /* a duplicate of the first, from history */
	put(t, tm, "d", "other", T0 + 20, false);
	put(t, tm, "d", "same", T0 + 30, false);
	put(t, tm, "d", "same", T0 + 40, false);
	assert_true(timing_stats(tm, id, &st));
	assert_int_equal(st.dups, 2);
	assert_int_equal(st.intervals, 4);

	/* A retained first message is old state: no interval from it. */
	put(t, tm, "r", "21", T0, true);
	id = put(t, tm, "r", "22", T0 + 60000, false);
	put(t, tm, "r", "23", T0 + 61000, false);
	assert_true(timing_stats(tm, id, &st));
	assert_int_equal(st.intervals, 1);
	assert_int_equal(st.iv_max, 1000);
	assert_int_equal(st.msgs, 3);

	/* With history 1 the first payload is gone: the first interval is left out. */
	struct tree *t1 = new_tree(1);
	struct timing *tm1 = timing_new();
	put(t1, tm1, "h", "v", T0, false);
	id = put(t1, tm1, "h", "v", T0 + 100, false);
	put(t1, tm1, "h", "v", T0 + 200, false);
	assert_true(timing_stats(tm1, id, &st));
	assert_int_equal(st.intervals, 1);
	assert_int_equal(st.dups, 1);
	timing_free(tm1);
	tree_free(t1);
	timing_free(tm);
	tree_free(t);
}

static void unit__timing__delay_and_out_of_order(void **state)
{
	struct tree *t = new_tree(8);
	struct timing *tm = timing_new();
	struct timing_stats st;
	char p[128];
	tree_id id;

	(void)state;
	/* Stamped 2 s before arrival, then one late (stamped 5 s before the one before). */
	put(t, tm, "s", "{\"v\":1,\"ts\":0}", T0, false);
	for (int i = 1; i <= 4; i++) {
		snprintf(p, sizeof(p), "{\"v\":%d,\"ts\":%lld}", i,
		         (T0 + i * 1000 - 2000) / 1000 * 1000);
		put(t, tm, "s", p, T0 + i * 1000, false);
	}
	snprintf(p, sizeof(p), "{\"v\":9,\"time\":\"2026-11-22T10:04:04Z\"}"); /* T0 - 1 s */
	id = put(t, tm, "s", p, T0 + 5000, false);
	assert_true(timing_stats(tm, id, &st));
	assert_int_equal(st.stamped, 5);
	assert_int_equal(st.out_of_order, 1);
	assert_int_equal(st.delay_min, 2000);
	assert_int_equal(st.delay_max, 6000);
	assert_int_equal(st.delay_last, 6000);
	assert_int_equal(st.delay_mean, (2000 * 4 + 6000) / 5);

	/* A decoder's timestamp (Sparkplug) is taken as given. */
	struct timing_msg x = {.time_ms = T0 + 6000,
	                       .payload = "\x08\x01",
	                       .len = 2,
	                       .orig_len = 2,
	                       .ts_ms = T0 + 5500};
	struct tree_msg m = {.payload = "\x08\x01", .len = 2, .orig_len = 2, .time_ms = T0 + 6000};
	id = tree_insert(t, "s", 1, &m);
	timing_note(tm, t, id, &x, true);
	assert_true(timing_stats(tm, id, &st));
	assert_int_equal(st.stamped, 6);
	assert_int_equal(st.delay_last, 500);
	assert_int_equal(st.out_of_order, 1);
	timing_free(tm);
	tree_free(t);
}

/* Topics whose payloads have no timestamp are searched only now and then. */
static void unit__timing__unstamped_topics_are_probed_rarely(void **state)
{
	struct tree *t = new_tree(1);
	struct timing *tm = timing_new();
	struct timing_stats st;
	tree_id id = TREE_NONE;

	(void)state;
	for (int i = 0; i < 200; i++)
		id = put(t, tm, "p", "{\"value\":1}", T0 + i, false);
	/* Then it starts stamping: found at the next probe, within PROBE_EVERY messages. */
	for (int i = 200; i < 300; i++)
		id = put(t, tm, "p", "{\"value\":1,\"ts\":1795341845}", T0 + i, false);
	assert_true(timing_stats(tm, id, &st));
	assert_true(st.stamped >= 30 && st.stamped <= 100);
	timing_free(tm);
	tree_free(t);
}

/* Memory: nothing per topic that spoke once but the index; records refused over the budget. */
static void unit__timing__memory_is_bounded(void **state)
{
	struct tree *t = new_tree(1);
	struct timing *tm = timing_new();
	char topic[32];
	size_t one;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(topic, sizeof(topic), "m/%d", i);
		put(t, tm, topic, "1", T0, false);
	}
	assert_int_equal(timing_mem_bytes(tm), 0);
	put(t, tm, "m/1", "2", T0 + 1, false);
	one = timing_mem_bytes(tm);
	assert_true(one > 0);
	/* Over the budget: no new record. */
	struct tree_msg m = {.payload = "3", .len = 1, .orig_len = 1, .time_ms = T0 + 2};
	struct timing_msg x = {
	    .time_ms = T0 + 2, .payload = "3", .len = 1, .orig_len = 1, .ts_ms = TIMING_NO_TS};
	tree_id id = tree_insert(t, "m/2", 3, &m);
	id = tree_insert(t, "m/2", 3, &m);
	timing_note(tm, t, id, &x, false);
	assert_int_equal(timing_refused(tm), 1);
	assert_int_equal(timing_intervals(tm, id), 0);
	assert_int_equal(timing_mem_bytes(tm), one);
	timing_free(tm);
	tree_free(t);
}

static void unit__timing__hash_of_large_payloads(void **state)
{
	size_t n = 100000;
	char *a = malloc(n), *b = malloc(n);

	(void)state;
	memset(a, 'x', n);
	memcpy(b, a, n);
	assert_true(timing_hash(a, n) == timing_hash(b, n));
	b[10] = 'y';
	assert_true(timing_hash(a, n) != timing_hash(b, n));
	b[10] = 'x';
	b[n - 1] = 'y';
	assert_true(timing_hash(a, n) != timing_hash(b, n));
	assert_true(timing_hash(a, n) != timing_hash(a, n - 1));
	assert_true(timing_hash("ab", 2) != timing_hash("ba", 2));
	free(a);
	free(b);
}

static void unit__timing__lines_for_people(void **state)
{
	struct timing_stats st = {.msgs = 1234,
	                          .intervals = 32,
	                          .iv_min = 980,
	                          .iv_median = 1000,
	                          .iv_p95 = 1100,
	                          .iv_max = 3200,
	                          .jitter_ms = 12.4,
	                          .dups = 3,
	                          .stamped = 100,
	                          .out_of_order = 4,
	                          .delay_min = 500,
	                          .delay_max = 8000,
	                          .delay_mean = 2100,
	                          .delay_last = 2000};
	char buf[200];
	static const struct {
		int64_t ms;
		const char *text;
	} d[] = {{0, "0 ms"},       {350, "350 ms"},    {1250, "1.25 s"},     {12345, "12.3 s"},
	         {245000, "4m05s"}, {7800000, "2h10m"}, {273600000, "3d04h"}, {-1500, "-1.50 s"}};

	(void)state;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		timing_fmt_ms(buf, sizeof(buf), d[i].ms);
		assert_string_equal(buf, d[i].text);
	}
	timing_line_intervals(&st, buf, sizeof(buf));
	assert_string_equal(buf, "1,234 msgs, every 1.00 s (min 980 ms, p95 1.10 s, max 3.20 s), "
	                         "jitter 12 ms");
	timing_line_payload(&st, buf, sizeof(buf));
	assert_string_equal(buf, "3 duplicates, timestamps 2.10 s behind (500 ms .. 8.00 s, last "
	                         "2.00 s), 4 out of order");
	st = (struct timing_stats){.msgs = 2,
	                           .stamped = 1,
	                           .delay_mean = -300,
	                           .delay_min = -300,
	                           .delay_max = -300,
	                           .delay_last = -300};
	timing_line_payload(&st, buf, sizeof(buf));
	assert_string_equal(buf, "timestamps 300 ms ahead (-300 ms .. -300 ms, last -300 ms)");
	timing_line_intervals(&st, buf, sizeof(buf));
	assert_string_equal(buf, "2 msgs");
	st = (struct timing_stats){0};
	timing_line_payload(&st, buf, sizeof(buf));
	assert_string_equal(buf, "");
	timing_line_intervals(&st, buf, sizeof(buf));
	assert_string_equal(buf, "1 msg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__timestamp__iso8601_forms),
	    cmocka_unit_test(unit__timestamp__epoch_units_by_size),
	    cmocka_unit_test(unit__timestamp__json_members),
	    cmocka_unit_test(unit__timing__intervals_over_the_window),
	    cmocka_unit_test(unit__timing__duplicates_and_the_first_message),
	    cmocka_unit_test(unit__timing__delay_and_out_of_order),
	    cmocka_unit_test(unit__timing__unstamped_topics_are_probed_rarely),
	    cmocka_unit_test(unit__timing__memory_is_bounded),
	    cmocka_unit_test(unit__timing__hash_of_large_payloads),
	    cmocka_unit_test(unit__timing__lines_for_people),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
