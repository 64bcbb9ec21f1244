/* test_trend.c: the numbers of a topic's history, the field they follow, kept up to date. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/trend.h"

static struct tree *new_tree(unsigned history)
{
	struct tree_limits lim = {.payload_cap = 4096, .history = history};

	return tree_new(&lim);
}

static tree_id put(struct tree *t, const char *topic, const char *text, int64_t ms)
{
	struct tree_msg m = {.payload = text,
	                     .len = (uint32_t)strlen(text),
	                     .orig_len = (uint32_t)strlen(text),
	                     .time_ms = ms};
	tree_id id = tree_insert(t, topic, strlen(topic), &m);

	assert_int_not_equal(id, TREE_NONE);
	return id;
}

static void unit__trend__plain_numbers_oldest_first(void **state)
{
	struct tree *t = new_tree(8);
	struct trend tr;
	tree_id id = TREE_NONE;
	double lo, hi;

	(void)state;
	trend_init(&tr);
	for (int i = 1; i <= 5; i++) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%d.5", i * 10);
		id = put(t, "s/temp", buf, 1000 * i);
	}
	trend_update(&tr, t, id);
	assert_int_equal(tr.n, 5);
	assert_string_equal(tr.field_used, "");
	for (size_t i = 0; i < 5; i++) {
		assert_true(tr.v[i] == (double)(i + 1) * 10 + 0.5);
		assert_int_equal(tr.t[i], 1000 * (int64_t)(i + 1));
	}
	trend_range(&tr, 0, &lo, &hi);
	assert_true(lo == 10.5 && hi == 50.5);
	trend_range(&tr, 3, &lo, &hi);
	assert_true(lo == 40.5 && hi == 50.5);
	trend_range(&tr, 5, &lo, &hi);
	assert_true(isinf(lo) && isinf(hi));
	trend_free(&tr);
	tree_free(t);
}

static void unit__trend__follows_a_json_field(void **state)
{
	struct tree *t = new_tree(32);
	struct trend tr;
	tree_id id = TREE_NONE;
	size_t count;

	(void)state;
	trend_init(&tr);
	for (int i = 1; i <= 4; i++) {
		char buf[80];

		snprintf(buf, sizeof(buf), "{\"ts\":%d,\"temp\":%d.5,\"unit\":\"C\"}",
		         1700000000 + i, 20 + i);
		id = put(t, "s/json", buf, i);
	}
	/* The measurement, not the timestamp. */
	trend_update(&tr, t, id);
	assert_string_equal(tr.field_used, "temp");
	assert_int_equal(tr.n, 4);
	assert_true(tr.v[3] == 24.5);

	/* F: the next numeric field, then round again. */
	assert_int_equal(trend_next_field(&tr, t, id, &count), 1);
	assert_int_equal(count, 2);
	assert_string_equal(tr.field, "ts");
	trend_update(&tr, t, id);
	assert_string_equal(tr.field_used, "ts");
	assert_int_equal(tr.n, 4);
	assert_true(tr.v[0] == 1700000001);
	assert_int_equal(trend_next_field(&tr, t, id, &count), 2);
	assert_string_equal(tr.field, "temp");
	trend_update(&tr, t, id);
	assert_true(tr.v[0] == 21.5);

	/* A field picked on one topic that another lacks: that one follows its own default. */
	id = put(t, "s/other", "{\"level\":7}", 10);
	trend_next_field(&tr, t, id, &count); /* "level" */
	put(t, "s/plain", "3", 11);
	id = put(t, "s/plain", "4", 12);
	trend_update(&tr, t, id);
	assert_string_equal(tr.field_used, "");
	assert_int_equal(tr.n, 2);
	trend_free(&tr);
	tree_free(t);
}

static void unit__trend__nothing_to_follow(void **state)
{
	struct tree *t = new_tree(8);
	struct trend tr;
	tree_id id;
	size_t count;

	(void)state;
	trend_init(&tr);
	put(t, "s/word", "12", 1);
	id = put(t, "s/word", "on", 2);
	trend_update(&tr, t, id);
	assert_int_equal(tr.n, 0); /* the newest value has no number */
	assert_int_equal(trend_next_field(&tr, t, id, &count), -1);
	id = put(t, "s/num", "42", 3);
	assert_int_equal(trend_next_field(&tr, t, id, &count), 0);
	/* Values without a number in between are left out. */
	put(t, "s/mixed", "1", 4);
	put(t, "s/mixed", "n/a", 5);
	id = put(t, "s/mixed", "3", 6);
	trend_update(&tr, t, id);
	assert_int_equal(tr.n, 2);
	assert_true(tr.v[0] == 1 && tr.v[1] == 3);
	trend_free(&tr);
	tree_free(t);
}

/* Updated after every few messages, the numbers are those a fresh trend takes from the same
 * history: new values are added and those that left the history are dropped. */
static void unit__trend__incremental_equals_from_scratch(void **state)
{
	struct tree *t = new_tree(16);
	struct trend live, fresh;
	tree_id id = TREE_NONE, other = TREE_NONE;
	unsigned seed = 7;

	(void)state;
	trend_init(&live);
	for (int i = 0; i < 400; i++) {
		char buf[48];

		seed = seed * 1103515245u + 12345u;
		if (seed % 7 == 0)
			snprintf(buf, sizeof(buf), "off");
		else
			snprintf(buf, sizeof(buf), "%u", seed % 1000);
		id = put(t, "s/n", buf, i);
		if (seed % 5 == 0)
			other = put(t, "s/other", "1", i); /* another topic shown in between */
		if (seed % 3 == 0)
			continue;
		trend_update(&live, t, seed % 11 == 0 && other != TREE_NONE ? other : id);
		trend_update(&live, t, id);
		trend_init(&fresh);
		trend_update(&fresh, t, id);
		assert_int_equal(live.n, fresh.n);
		if (fresh.n > 0) {
			assert_memory_equal(live.v, fresh.v, fresh.n * sizeof(*fresh.v));
			assert_memory_equal(live.t, fresh.t, fresh.n * sizeof(*fresh.t));
		}
		trend_free(&fresh);
	}
	trend_free(&live);
	tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__trend__plain_numbers_oldest_first),
	    cmocka_unit_test(unit__trend__follows_a_json_field),
	    cmocka_unit_test(unit__trend__nothing_to_follow),
	    cmocka_unit_test(unit__trend__incremental_equals_from_scratch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
