/* test_filter.c: topic filters (MQTT wildcards, substrings, payload text) and per-node rates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/filter.h"
#include "mqscope/topic.h"
#include "mqscope/tree.h"
#include "mqscope/util.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

static struct tree *new_tree(void)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 1};

	return tree_new(&lim);
}

static tree_id put_at(struct tree *t, const char *topic, const char *payload, int64_t ms)
{
	struct tree_msg m = {
	    .payload = payload,
	    .len = (uint32_t)strlen(payload),
	    .orig_len = (uint32_t)strlen(payload),
	    .time_ms = ms,
	};

	return tree_insert(t, topic, strlen(topic), &m);
}

static tree_id put(struct tree *t, const char *topic, const char *payload)
{
	return put_at(t, topic, payload, 1000);
}

static const char *const topics[] = {
    "sport",
    "sport/",
    "sport/tennis/player1",
    "sport/tennis/player2",
    "sport/tennis/player1/ranking",
    "sport/tennis/player1/score/wimbledon",
    "Sport/tennis/player1",
    "/finance",
    "finance",
    "$SYS/monitor/Clients",
    "$SYS/broker/clients/connected",
    "$share",
    "a//b",
    "a/x/b",
    "sensors/kitchen/temperature",
    "sensors/living/temperature",
    "sensors/living/humidity",
    "sensors/kitchen/temperature/unit",
};
#define NTOPICS (sizeof(topics) / sizeof(topics[0]))

static const char *const filters[] = {
    "sport/tennis/player1/#",
    "sport/#",
    "#",
    "sport/tennis/+",
    "sport/+",
    "+/+",
    "/+",
    "+",
    "+/monitor/Clients",
    "$SYS/#",
    "$SYS/monitor/+",
    "+/+/+",
    "a/+/b",
    "sensors/+/temperature",
    "+/tennis/#",
    "sensors/kitchen/temperature/#",
};

/* Counts, by brute force, the matching topics of the table at or below a prefix node. */
static uint32_t brute_below(const struct filter *f, struct tree *t, tree_id id)
{
	uint32_t n = 0;

	for (size_t i = 0; i < NTOPICS; i++) {
		tree_id tid = tree_find(t, topics[i], strlen(topics[i]));

		if (tree_is_ancestor(t, id, tid) &&
		    filter_matches_topic(f, topics[i], strlen(topics[i]), NULL, 0))
			n++;
	}
	return n;
}

static void unit__filter__wildcards_as_the_spec_says(void **state)
{
	struct tree *t = new_tree();
	char err[128];

	(void)state;
	for (size_t i = 0; i < NTOPICS; i++)
		put(t, topics[i], "v");
	for (size_t k = 0; k < sizeof(filters) / sizeof(filters[0]); k++) {
		struct filter *f = filter_new(filters[k], err, sizeof(err));

		assert_non_null(f);
		assert_int_equal(f->kind, FILTER_WILDCARD);
		filter_apply(f, t);
		for (size_t i = 0; i < NTOPICS; i++) {
			tree_id id = tree_find(t, topics[i], strlen(topics[i]));
			bool want = topic_matches(filters[k], topics[i], strlen(topics[i]));

			if (filter_self(f, id) != want)
				fail_msg("filter '%s' topic '%s': got %d want %d", filters[k],
				         topics[i], filter_self(f, id), want);
			if (filter_below(f, id) != brute_below(f, t, id))
				fail_msg("filter '%s' below '%s': got %u want %u", filters[k],
				         topics[i], filter_below(f, id), brute_below(f, t, id));
		}
		filter_free(f);
	}

	/* The cases spelled out in the MQTT specification, checked explicitly too. */
	struct {
		const char *filter, *topic;
		bool match;
	} spec[] = {
	    {"sport/tennis/player1/#", "sport/tennis/player1", true},
	    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
	    {"sport/#", "sport", true},
	    {"sport/tennis/+", "sport/tennis/player1/ranking", false},
	    {"sport/+", "sport", false},
	    {"sport/+", "sport/", true},
	    {"+/+", "/finance", true},
	    {"/+", "/finance", true},
	    {"+", "/finance", false},
	    {"#", "$SYS/monitor/Clients", false},
	    {"+/monitor/Clients", "$SYS/monitor/Clients", false},
	    {"$SYS/#", "$SYS/monitor/Clients", true},
	    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
	    {"sport/tennis/player1/#", "Sport/tennis/player1", false},
	};
	for (size_t k = 0; k < sizeof(spec) / sizeof(spec[0]); k++) {
		struct filter *f = filter_new(spec[k].filter, err, sizeof(err));
		tree_id id = tree_find(t, spec[k].topic, strlen(spec[k].topic));

		filter_apply(f, t);
		if (filter_self(f, id) != spec[k].match)
			fail_msg("'%s' vs '%s'", spec[k].filter, spec[k].topic);
		filter_free(f);
	}
	tree_free(t);
}

static void unit__filter__substring_payload_and_parsing(void **state)
{
	struct tree *t = new_tree();
	struct filter *f;
	char err[128];
	tree_id kt, lt, bulb;

	(void)state;
	kt = put(t, "sensors/kitchen/temperature", "21.5");
	lt = put(t, "sensors/living/temperature", "22");
	bulb = put(t, "house/bulbs/bulb1", "OFF");

	/* Substring: any case, across levels. */
	f = filter_new("  KITCHEN/Temp ", err, sizeof(err));
	assert_int_equal(f->kind, FILTER_SUBSTRING);
	filter_apply(f, t);
	assert_true(filter_self(f, kt));
	assert_false(filter_self(f, lt));
	assert_int_equal(filter_matches(f), 1);
	assert_true(filter_visible(f, tree_find(t, "sensors", 7)));
	assert_false(filter_visible(f, tree_find(t, "house", 5)));
	filter_free(f);

	/* An invalid wildcard is taken as text. */
	f = filter_new("temp#1", err, sizeof(err));
	assert_int_equal(f->kind, FILTER_SUBSTRING);
	filter_free(f);
	f = filter_new("t:sensors/#", err, sizeof(err));
	assert_int_equal(f->kind, FILTER_WILDCARD);
	filter_free(f);
	assert_null(filter_new("   ", err, sizeof(err)));
	assert_null(filter_new("p:", err, sizeof(err)));

	/* Payload text, following the value as it changes. */
	f = filter_new("p:on", err, sizeof(err));
	assert_int_equal(f->kind, FILTER_PAYLOAD);
	filter_apply(f, t);
	assert_int_equal(filter_matches(f), 0);
	tree_id dummy[8];
	bool overflow;
	filter_take_changes(f, dummy, 8, &overflow);
	assert_true(overflow); /* after apply, views rebuild */

	put(t, "house/bulbs/bulb1", "ON");
	filter_note(f, t, bulb);
	assert_true(filter_self(f, bulb));
	assert_int_equal(filter_below(f, tree_find(t, "house", 5)), 1);
	size_t n = filter_take_changes(f, dummy, 8, &overflow);
	assert_false(overflow);
	assert_int_equal(n, 1);
	assert_int_equal(dummy[0], tree_find(t, "house", 5)); /* topmost node that appeared */

	put(t, "house/bulbs/bulb1", "OFF");
	filter_note(f, t, bulb);
	assert_false(filter_visible(f, tree_find(t, "house", 5)));
	assert_int_equal(filter_matches(f), 0);
	filter_free(f);
	tree_free(t);
}

static void unit__filter__kept_up_to_date_incrementally(void **state)
{
	struct tree *t = new_tree();
	struct filter *f, *fresh;
	char err[128], topic[64];

	(void)state;
	put(t, "sensors/a/temperature", "1");
	f = filter_new("sensors/+/temperature", err, sizeof(err));
	filter_apply(f, t);
	assert_int_equal(filter_matches(f), 1);
	/* New topics, new levels, and a retained value cleared by an empty message. */
	for (int i = 0; i < 500; i++) {
		snprintf(topic, sizeof(topic), "sensors/r%d/%s", i % 50,
		         i % 3 ? "temperature" : "humidity");
		filter_note(f, t, put(t, topic, "x"));
	}
	filter_note(f, t, put(t, "sensors/a/temperature", ""));
	filter_note(f, t, put(t, "other/thing", "y"));

	fresh = filter_new("sensors/+/temperature", err, sizeof(err));
	filter_apply(fresh, t);
	assert_int_equal(f->nnodes, tree_node_count(t));
	for (size_t i = 0; i < tree_node_count(t); i++) {
		assert_int_equal(f->below[i], fresh->below[i]);
		assert_int_equal(filter_self(f, (tree_id)i), filter_self(fresh, (tree_id)i));
	}
	assert_int_equal(filter_matches(f), 50);
	filter_free(f);
	filter_free(fresh);
	tree_free(t);
}

/* Builds n topics "site/NNN/devNNNN/{temperature,status}" and times filter passes over them. */
static void unit__filter__million_topics_stay_interactive(void **state)
{
#ifdef SANITIZED
	const size_t n = 100000;
#else
	const size_t n = 1000000;
#endif
	struct tree_limits lim = {.payload_cap = 64, .history = 1};
	struct tree *t = tree_new(&lim);
	char topic[64], err[128];
	int64_t t0, ms_wild, ms_sub, ms_note;
	struct filter *f;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		snprintf(topic, sizeof(topic), "site/%03zu/dev%04zu/%s", i / 2000, (i / 2) % 1000,
		         i % 2 ? "status" : "temperature");
		put(t, topic, "1");
	}
	assert_int_equal(tree_topic_count(t), n);

	f = filter_new("site/+/+/temperature", err, sizeof(err));
	t0 = clock_mono_ms();
	filter_apply(f, t);
	ms_wild = clock_mono_ms() - t0;
	assert_int_equal(filter_matches(f), n / 2);

	/* Incremental: a thousand messages on matching topics cost next to nothing. */
	t0 = clock_mono_ms();
	for (size_t i = 0; i < 1000; i++) {
		snprintf(topic, sizeof(topic), "site/new/dev%04zu/temperature", i);
		filter_note(f, t, put(t, topic, "2"));
	}
	ms_note = clock_mono_ms() - t0;
	assert_int_equal(filter_matches(f), n / 2 + 1000);
	filter_free(f);

	f = filter_new("dev0042", err, sizeof(err));
	t0 = clock_mono_ms();
	filter_apply(f, t);
	ms_sub = clock_mono_ms() - t0;
	assert_int_equal(filter_matches(f), 2 * (n / 2000) + 1);
	filter_free(f);

	print_message("filter pass over %zu topics (%zu nodes): wildcard %lld ms, substring %lld "
	              "ms; 1000 new topics %lld ms\n",
	              n, tree_node_count(t), (long long)ms_wild, (long long)ms_sub,
	              (long long)ms_note);
	/* The times are printed, not checked: a busy machine would fail a test that is right. */
	tree_free(t);
}

static void unit__tree__rate_and_age(void **state)
{
	struct tree *t = new_tree();
	int64_t ms = 1700000000000;
	tree_id fast = TREE_NONE, slow = TREE_NONE, branch;

	(void)state;
	/* 100 msg/s on one topic, 1 msg/s on another, for 30 s. */
	for (int i = 0; i < 3000; i++) {
		ms += 10;
		fast = put_at(t, "dev/fast", "x", ms);
		if (i % 100 == 0)
			slow = put_at(t, "dev/slow", "y", ms);
	}
	branch = tree_find(t, "dev", 3);
	double rf = tree_rate(t, fast, ms), rs = tree_rate(t, slow, ms),
	       rb = tree_rate(t, branch, ms);
	if (!(rf > 97 && rf < 103) || !(rs > 0.8 && rs < 1.2) || !(rb > 98 && rb < 104))
		fail_msg("rates fast %.2f slow %.2f branch %.2f", rf, rs, rb);
	/* A clock behind the message: no decay. */
	assert_true(tree_rate(t, fast, ms - 1000) == rf);
	/* Silence: a stopped publisher falls to 0 within twice its usual gap (a second at least).
	 */
	assert_true(tree_rate(t, fast, ms + 500) < 2.5);
	assert_true(tree_rate(t, fast, ms + 1001) == 0);
	int64_t slow_at = tree_node(t, slow)->last_ms;
	assert_true(tree_rate(t, slow, slow_at + 1500) > 0.6); /* a slow topic keeps its rate */
	assert_true(tree_rate(t, slow, slow_at + 2001) == 0);
	/* A change of rate shows within a few seconds: 10/s, then 200/s for 3 s, then 2/s. */
	tree_id ch = TREE_NONE;
	int64_t at = ms;
	for (int i = 0; i < 100; i++)
		ch = put_at(t, "dev/change", "c", at += 100);
	double r10 = tree_rate(t, ch, at);
	for (int i = 0; i < 600; i++)
		put_at(t, "dev/change", "c", at += 5);
	double r200 = tree_rate(t, ch, at);
	for (int i = 0; i < 6; i++)
		put_at(t, "dev/change", "c", at += 500);
	double r2 = tree_rate(t, ch, at + 250);
	if (!(r10 > 9 && r10 < 11) || !(r200 > 180 && r200 < 210) || !(r2 > 1.5 && r2 < 2.5))
		fail_msg("10/s read %.2f, 200/s read %.2f, 2/s read %.2f", r10, r200, r2);
	/* One message has no rate. */
	assert_true(tree_rate(t, put_at(t, "dev/once", "o", at), at) == 0);
	/* A flood within one millisecond still counts every message. */
	for (int i = 0; i < 1000; i++)
		put_at(t, "dev/burst", "z", ms + 1);
	assert_true(tree_rate(t, tree_find(t, "dev/burst", 9), ms + 1) > 199);
	/* Ages: the times the rows show. */
	char buf[16];
	const struct tree_node *n = tree_node(t, slow);
	fmt_age(buf, sizeof(buf), ms + 5000 - n->last_ms);
	assert_string_equal(buf, "5s");
	fmt_age(buf, sizeof(buf), ms + 3 * 60000 + 100 - tree_node(t, branch)->sub_last_ms);
	assert_string_equal(buf, "3m");
	tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__filter__wildcards_as_the_spec_says),
	    cmocka_unit_test(unit__filter__substring_payload_and_parsing),
	    cmocka_unit_test(unit__filter__kept_up_to_date_incrementally),
	    cmocka_unit_test(unit__filter__million_topics_stay_interactive),
	    cmocka_unit_test(unit__tree__rate_and_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
