/* test_tree.c: topic tree counts, odd topic shapes, values, history and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/tree.h"

static struct tree *new_tree(unsigned history)
{
	struct tree_limits lim = {.max_topics = 0, .payload_cap = 1 << 20, .history = history};

	return tree_new(&lim);
}

static tree_id put(struct tree *t, const char *topic, const char *payload, bool retained)
{
	struct tree_msg m = {
	    .payload = payload,
	    .len = (uint32_t)strlen(payload),
	    .orig_len = (uint32_t)strlen(payload),
	    .time_ms = 1000,
	    .qos = 1,
	    .retained = retained,
	};

	return tree_insert(t, topic, strlen(topic), &m);
}

static const char *path_of(struct tree *t, tree_id id)
{
	static char buf[8192];

	tree_path(t, id, buf, sizeof(buf));
	return buf;
}

static void unit__tree__counts_up_the_path(void **state)
{
	struct tree *t = new_tree(1);
	tree_id a, b;

	(void)state;
	a = put(t, "house/bulbs/bulb1", "ON", true);
	put(t, "house/bulbs/bulb2", "OFF", true);
	put(t, "house/bulbs/bulb1", "OFF", false);
	b = put(t, "house/temp", "21", false);
	assert_int_equal(tree_topic_count(t), 3);
	assert_int_equal(tree_msg_count(t), 4);

	tree_id house = tree_find(t, "house", 5);
	tree_id bulbs = tree_find(t, "house/bulbs", 11);
	assert_int_not_equal(house, TREE_NONE);
	assert_int_equal(tree_node(t, house)->sub_topics, 3);
	assert_int_equal(tree_node(t, house)->sub_msgs, 4);
	assert_int_equal(tree_node(t, bulbs)->sub_topics, 2);
	assert_int_equal(tree_node(t, bulbs)->sub_msgs, 3);
	assert_int_equal(tree_node(t, bulbs)->nchildren, 2);
	assert_int_equal(tree_node(t, a)->msgs, 2);
	assert_int_equal(tree_node(t, b)->msgs, 1);
	/* The retained flag follows the last message. */
	assert_false(tree_node(t, a)->flags & TREE_F_RETAINED);
	assert_string_equal(path_of(t, a), "house/bulbs/bulb1");
	const struct tree_value *v = tree_value(t, a, 0);
	assert_int_equal(v->len, 3);
	assert_memory_equal(v->data, "OFF", 3);
	tree_free(t);
}

static void unit__tree__odd_topic_shapes(void **state)
{
	static const char *topics[] = {"a//b",
	                               "/a",
	                               "a/",
	                               "a",
	                               "/",
	                               "//",
	                               "$SYS/broker/uptime",
	                               "single",
	                               "a/b/c",
	                               "\xff\xfe/\x1b[2J"};
	struct tree *t = new_tree(1);

	(void)state;
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		tree_id id = put(t, topics[i], "v", false);

		assert_int_not_equal(id, TREE_NONE);
		assert_string_equal(path_of(t, id), topics[i]);
		assert_int_equal(tree_find(t, topics[i], strlen(topics[i])), id);
	}
	assert_int_equal(tree_topic_count(t), sizeof(topics) / sizeof(topics[0]));
	/* "a" and "a/" are different topics; "a" has children "", "b". */
	tree_id a = tree_find(t, "a", 1);
	assert_int_equal(tree_node(t, a)->nchildren, 2);
	assert_true(tree_node(t, a)->flags & TREE_F_VALUE);
	/* "/" is two empty levels. */
	tree_id slash = tree_find(t, "/", 1);
	assert_int_equal(tree_node(t, slash)->depth, 2);
	tree_free(t);
}

static void unit__tree__two_hundred_levels(void **state)
{
	struct tree *t = new_tree(1);
	char topic[1024] = "";
	tree_id id;

	(void)state;
	for (int i = 0; i < 200; i++)
		snprintf(topic + strlen(topic), sizeof(topic) - strlen(topic), "%s%d", i ? "/" : "",
		         i % 10);
	id = put(t, topic, "deep", false);
	assert_int_not_equal(id, TREE_NONE);
	assert_int_equal(tree_node(t, id)->depth, 200);
	assert_string_equal(path_of(t, id), topic);
	assert_int_equal(tree_node_count(t), 201);
	assert_int_equal(tree_node(t, tree_find(t, "0", 1))->sub_topics, 1);
	tree_free(t);
}

static void unit__tree__very_long_level_and_many_siblings(void **state)
{
	struct tree *t = new_tree(1);
	char *big = malloc(65536);
	char topic[64];

	(void)state;
	memset(big, 'x', 65535);
	big[65535] = '\0';
	assert_int_not_equal(put(t, big, "v", false), TREE_NONE);
	for (int i = 0; i < 100000; i++) {
		snprintf(topic, sizeof(topic), "many/t%d", i);
		assert_int_not_equal(put(t, topic, "1", false), TREE_NONE);
	}
	assert_int_equal(tree_node(t, tree_find(t, "many", 4))->nchildren, 100000);
	assert_int_not_equal(tree_find(t, "many/t99999", 11), TREE_NONE);
	assert_int_equal(tree_find(t, "many/t100000", 12), TREE_NONE);
	free(big);
	tree_free(t);
}

static void unit__tree__empty_payload_hides_topic(void **state)
{
	struct tree *t = new_tree(4);
	tree_id ids[8];
	bool overflow;

	(void)state;
	tree_id a = put(t, "x/y/z", "1", true);
	put(t, "x/other", "2", true);
	tree_take_changes(t, ids, 8, &overflow);
	assert_int_equal(tree_topic_count(t), 2);
	put(t, "x/y/z", "", false);
	assert_int_equal(tree_topic_count(t), 1);
	assert_true(tree_hidden(t, a));
	assert_true(tree_hidden(t, tree_find(t, "x/y", 3)));
	assert_false(tree_hidden(t, tree_find(t, "x", 1)));
	assert_null(tree_value(t, a, 0));
	/* The topmost node that disappeared is reported. */
	size_t n = tree_take_changes(t, ids, 8, &overflow);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], tree_find(t, "x/y", 3));
	/* Messages are still counted. */
	assert_int_equal(tree_node(t, a)->msgs, 2);
	/* A new value brings it back. */
	put(t, "x/y/z", "3", false);
	assert_false(tree_hidden(t, a));
	assert_int_equal(tree_topic_count(t), 2);
	tree_free(t);
}

static void unit__tree__history_keeps_last_n(void **state)
{
	struct tree *t = new_tree(3);
	char v[8];
	tree_id id = TREE_NONE;

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(v, sizeof(v), "%d", i);
		id = put(t, "h", v, false);
	}
	assert_int_equal(tree_node(t, id)->hist_len, 3);
	assert_memory_equal(tree_value(t, id, 0)->data, "9", 1);
	assert_memory_equal(tree_value(t, id, 1)->data, "8", 1);
	assert_memory_equal(tree_value(t, id, 2)->data, "7", 1);
	assert_null(tree_value(t, id, 3));
	tree_free(t);
}

/* Every history cap, at every fill level: the newest values, newest first, and no more. */
static void unit__tree__history_grows_with_each_value_up_to_the_cap(void **state)
{
	static const unsigned caps[] = {1, 2, 3, 5, 8, 32, 100};
	char v[16];

	(void)state;
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct tree *t = new_tree(caps[c]);
		tree_id id = TREE_NONE;

		for (unsigned i = 0; i < 3 * caps[c] + 5; i++) {
			unsigned held = i + 1 < caps[c] ? i + 1 : caps[c];

			snprintf(v, sizeof(v), "%u", i);
			id = put(t, "h/x", v, false);
			assert_int_equal(tree_node(t, id)->hist_len, held);
			for (unsigned a = 0; a < held; a++) {
				const struct tree_value *val = tree_value(t, id, a);

				snprintf(v, sizeof(v), "%u", i - a);
				assert_non_null(val);
				assert_int_equal(val->len, strlen(v));
				assert_memory_equal(val->data, v, val->len);
			}
			assert_null(tree_value(t, id, held));
		}
		/* An empty payload clears it all; it starts again from one. */
		put(t, "h/x", "", false);
		assert_int_equal(tree_node(t, id)->hist_len, 0);
		put(t, "h/x", "again", false);
		assert_int_equal(tree_node(t, id)->hist_len, 1);
		assert_memory_equal(tree_value(t, id, 0)->data, "again", 5);
		tree_free(t);
	}
}

/* A topic that keeps speaking reuses its memory: no growth per message. */
static void unit__tree__updates_reuse_value_memory(void **state)
{
	struct tree *t = new_tree(4);
	char v[64], topic[32];
	size_t before;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(topic, sizeof(topic), "s/%d", i % 100);
		snprintf(v, sizeof(v), "{\"seq\":%d}", i);
		put(t, topic, v, false);
	}
	before = tree_mem_bytes(t);
	for (int i = 0; i < 100000; i++) {
		snprintf(topic, sizeof(topic), "s/%d", i % 100);
		snprintf(v, sizeof(v), "{\"seq\":%d,\"pad\":\"%.*s\"}", i, i % 40,
		         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		put(t, topic, v, false);
	}
	/* Room for every size class the payloads spread over, and no more. */
	assert_true(tree_mem_bytes(t) <= before + 8 * 64 * 1024);
	tree_free(t);
}

static void unit__tree__payload_cap_and_topic_limit(void **state)
{
	struct tree_limits lim = {.max_topics = 3, .payload_cap = 4, .history = 1};
	struct tree *t = tree_new(&lim);

	(void)state;
	tree_id id = put(t, "a", "0123456789", false);
	const struct tree_value *v = tree_value(t, id, 0);
	assert_int_equal(v->len, 4);
	assert_int_equal(v->orig_len, 10);
	put(t, "b", "x", false);
	put(t, "c", "x", false);
	assert_int_equal(put(t, "d", "x", false), TREE_NONE);
	assert_int_equal(tree_refused(t), 1);
	/* Existing topics still update. */
	assert_int_not_equal(put(t, "a", "y", false), TREE_NONE);
	tree_free(t);
}

static void unit__tree__value_budget_trims_history(void **state)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 8, .value_budget = 64 * 1024};
	struct tree *t = tree_new(&lim);
	char payload[1024];
	char topic[32];

	(void)state;
	memset(payload, 'p', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	for (int i = 0; i < 2000; i++) {
		snprintf(topic, sizeof(topic), "t/%d", i % 100);
		put(t, topic, payload, false);
	}
	assert_true(tree_over_budget(t));
	assert_true(tree_budget_hits(t) > 0);
	/* Bounded: the budget plus at most one trimmed value per topic. */
	assert_true(tree_mem_bytes(t) < 64 * 1024 + 100 * 400 + 8 * 1024 * 1024);
	tree_free(t);
}

static void unit__tree__branches_count_their_bytes_and_share_the_budget(void **state)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 8, .value_budget = 64 * 1024};
	struct tree *t = tree_new(&lim);
	char payload[1024], topic[32];
	tree_id a, b, quiet, busy;
	size_t before;

	(void)state;
	tree_count_branches(t);
	memset(payload, 'p', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	/* b: one topic with a full history; a: the same, then a flood past the budget */
	for (int i = 0; i < 8; i++) {
		quiet = put(t, "b/x", "quiet", false);
		busy = put(t, "a/h", payload, false);
	}
	a = tree_find(t, "a", 1);
	b = tree_find(t, "b", 1);
	assert_true(tree_branch_bytes(t, b) > 8 * 5);
	assert_true(tree_branch_bytes(t, a) > 8 * 1023);
	assert_true(tree_branch_bytes(t, a) + tree_branch_bytes(t, b) <= tree_mem_bytes(t));
	assert_int_equal(tree_branch_bytes(t, quiet), 0); /* not a top-level branch */
	for (int i = 0; i < 200; i++) {
		snprintf(topic, sizeof(topic), "a/t%d", i);
		put(t, topic, payload, false);
	}
	assert_true(tree_over_budget(t));
	/* The flood's branch is trimmed when it speaks; the other keeps its history. */
	put(t, "a/h", payload, false);
	assert_int_equal(tree_node(t, busy)->hist_len, 1);
	put(t, "b/x", "quiet", false);
	assert_int_equal(tree_node(t, quiet)->hist_len, 8);
	assert_true(tree_value(t, quiet, 7) != NULL);

	/* Clearing a branch's topic gives its bytes back, to it alone. */
	before = tree_branch_bytes(t, a);
	size_t of_b = tree_branch_bytes(t, b);
	put(t, "b/x", "", true);
	assert_true(tree_branch_bytes(t, b) < of_b);
	assert_int_equal(tree_branch_bytes(t, a), before);
	tree_free(t);
}

static void unit__tree__name_budget_refuses_new_topics(void **state)
{
	struct tree_limits lim = {.payload_cap = 64, .history = 1, .name_budget = 300 * 1024};
	struct tree *t = tree_new(&lim);
	static char topic[65536];
	int kept = 0;
	size_t empty = tree_mem_bytes(t);

	(void)state;
	/* Topics as long as MQTT allows: about four fit the budget. */
	for (int i = 0; i < 10; i++) {
		memset(topic, 'a' + i, 65535);
		topic[65535] = '\0';
		if (put(t, topic, "v", false) != TREE_NONE)
			kept++;
	}
	assert_int_equal(kept, 4);
	assert_int_equal(tree_refused_by(t, TREE_BOUND_NAMES), 6);
	assert_int_equal(tree_refused(t), 6);
	/* Names grow by doubling: at most twice the budget. */
	assert_true(tree_mem_bytes(t) < empty + 2 * 300 * 1024 + 64 * 1024);
	/* Known topics still take values. */
	memset(topic, 'a', 65535);
	assert_int_not_equal(put(t, topic, "w", false), TREE_NONE);
	tree_free(t);
}

static void unit__tree__the_deepest_topic_mqtt_allows(void **state)
{
	struct tree *t = new_tree(1);
	static char topic[65536], path[65536];
	tree_id id;

	(void)state;
	/* 65,535 slashes: 65,536 empty levels, one more than a depth counter holds. */
	memset(topic, '/', 65535);
	topic[65535] = '\0';
	assert_int_equal(put(t, topic, "deepest", false), TREE_NONE);
	assert_int_equal(tree_refused_by(t, TREE_BOUND_DEPTH), 1);
	/* One level less is kept, and its path reads back whole. */
	topic[65534] = '\0';
	id = put(t, topic, "deep", false);
	assert_int_not_equal(id, TREE_NONE);
	assert_int_equal(tree_node(t, id)->depth, 65535);
	assert_int_equal(tree_path(t, id, path, sizeof(path)), 65534);
	assert_string_equal(path, topic);
	tree_free(t);
}

static void unit__tree__natural_name_order(void **state)
{
	struct tree *t = new_tree(1);
	tree_id *kids = NULL;
	size_t cap = 0, n;
	const char *expect[] = {"$SYS", "Bulb", "bulb2", "bulb10", "zeta"};
	size_t len;

	(void)state;
	put(t, "r/zeta", "1", false);
	put(t, "r/bulb10", "1", false);
	put(t, "r/Bulb", "1", false);
	put(t, "r/bulb2", "1", false);
	put(t, "r/$SYS", "1", false);
	n = tree_children_sorted(t, tree_find(t, "r", 1), &kids, &cap);
	assert_int_equal(n, 5);
	/* Case is ignored first; numbers compare by value. */
	assert_true(tree_name_cmp("bulb2", 5, "bulb10", 6) < 0);
	assert_true(tree_name_cmp("a01", 3, "a1", 2) != 0);
	assert_true(tree_name_cmp("x", 1, "x", 1) == 0);
	for (size_t i = 0; i < n; i++) {
		const char *name = tree_name(t, kids[i], &len);
		assert_int_equal(len, strlen(expect[i]));
		assert_memory_equal(name, expect[i], len);
	}
	for (size_t i = 1; i < n; i++) {
		size_t la, lb;
		const char *a = tree_name(t, kids[i - 1], &la);
		const char *b = tree_name(t, kids[i], &lb);
		assert_true(tree_name_cmp(a, la, b, lb) < 0);
	}
	free(kids);
	tree_free(t);
}

static void unit__tree__changes_report_new_visible_nodes(void **state)
{
	struct tree *t = new_tree(1);
	tree_id ids[4];
	bool overflow;
	size_t n;

	(void)state;
	put(t, "a/b/c", "1", false);
	n = tree_take_changes(t, ids, 4, &overflow);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], tree_find(t, "a", 1));
	put(t, "a/b/d", "1", false);
	n = tree_take_changes(t, ids, 4, &overflow);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], tree_find(t, "a/b/d", 5));
	put(t, "a/b/d", "2", false); /* an update is not a change of shape */
	n = tree_take_changes(t, ids, 4, &overflow);
	assert_int_equal(n, 0);
	assert_false(overflow);
	tree_free(t);
}

/* The shown value as a string. */
static const char *shown_text(struct tree *t, tree_id id, unsigned age)
{
	static char buf[64];
	const struct tree_value *v = tree_shown_value(t, id, age);

	if (v == NULL)
		return "(none)";
	snprintf(buf, sizeof(buf), "%.*s", (int)v->len, v->data);
	return buf;
}

static void unit__tree__a_hold_shows_the_tree_as_it_was(void **state)
{
	struct tree *t = new_tree(3);
	tree_id a, b, dev;
	char v[16];

	(void)state;
	a = put(t, "dev/a", "1", false);
	put(t, "dev/a", "2", false);
	b = put(t, "dev/b", "x", true);
	dev = tree_find(t, "dev", 3);
	tree_hold(t, true);
	/* Many messages: a's history turns over twice, b is cleared, c appears. */
	for (int i = 3; i < 10; i++) {
		snprintf(v, sizeof(v), "%d", i);
		put(t, "dev/a", v, false);
	}
	put(t, "dev/b", "", true);
	tree_id c = put(t, "dev/c", "new", false);
	put(t, "other/d", "new", false);
	/* Live: as it is. */
	assert_memory_equal(tree_value(t, a, 0)->data, "9", 1);
	assert_int_equal(tree_node(t, dev)->sub_topics, 2);
	assert_int_equal(tree_node(t, a)->msgs, 9);
	/* Shown: as at the hold, values, history, counts and all. */
	assert_string_equal(shown_text(t, a, 0), "2");
	assert_string_equal(shown_text(t, a, 1), "1");
	assert_string_equal(shown_text(t, a, 2), "(none)");
	assert_int_equal(tree_shown(t, a)->msgs, 2);
	assert_int_equal(tree_shown(t, dev)->sub_topics, 2);
	assert_int_equal(tree_shown(t, dev)->sub_msgs, 3);
	assert_string_equal(shown_text(t, b, 0), "x");
	assert_true(tree_shown(t, b)->flags & TREE_F_RETAINED);
	assert_true(tree_shown_hidden(t, c));
	assert_true(tree_shown_hidden(t, tree_find(t, "other", 5)));
	assert_false(tree_shown_hidden(t, a));
	tree_id *kids = NULL;
	size_t cap = 0;
	assert_int_equal(tree_children_sorted(t, dev, &kids, &cap), 2); /* a and b, not c */
	free(kids);
	/* The end of the hold shows what came, and frees what only it kept. */
	tree_hold(t, false);
	assert_string_equal(shown_text(t, a, 0), "9");
	assert_string_equal(shown_text(t, a, 2), "7");
	assert_string_equal(shown_text(t, b, 0), "(none)");
	assert_false(tree_shown_hidden(t, c));
	assert_int_equal(tree_shown(t, a)->msgs, 9);
	/* A second hold starts afresh. */
	tree_hold(t, true);
	put(t, "dev/a", "10", false);
	assert_string_equal(shown_text(t, a, 0), "9");
	tree_free(t); /* during a hold: nothing leaks */
}

/* Which topics the broker most likely holds a retained message for, and all of them in a branch. */
static void unit__tree__retained_topics_of_a_branch(void **state)
{
	struct tree *t = new_tree(4);
	tree_id a, b, c, *ids;
	size_t n;
	bool seen_a = false, seen_c = false;

	(void)state;
	a = put(t, "h/a", "ON", true);
	b = put(t, "h/b", "x", false);
	c = put(t, "h/sub/c", "1", true);
	put(t, "other/d", "1", true);
	assert_true(tree_has_retained(t, a));
	assert_false(tree_has_retained(t, b));
	/* A live message does not replace the retained one the broker keeps. */
	put(t, "h/sub/c", "2", false);
	assert_true(tree_has_retained(t, c));
	/* A branch node holds no value of its own. */
	assert_false(tree_has_retained(t, tree_find(t, "h", 1)));

	n = tree_retained_under(t, tree_find(t, "h", 1), &ids);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		seen_a |= ids[i] == a;
		seen_c |= ids[i] == c;
	}
	assert_true(seen_a && seen_c);
	free(ids);
	/* The root of the walk counts too; a branch without any gives none. */
	n = tree_retained_under(t, a, &ids);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a);
	free(ids);
	assert_int_equal(tree_retained_under(t, b, &ids), 0);
	assert_null(ids);
	tree_free(t);
}

static tree_id put_on(struct tree *t, const char *topic, bool retained, uint16_t conn)
{
	struct tree_msg m = {
	    .payload = "1",
	    .len = 1,
	    .orig_len = 1,
	    .time_ms = 1000,
	    .retained = retained,
	    .conn = conn,
	};

	return tree_insert(t, topic, strlen(topic), &m);
}

static bool every(void *ctx, const char *topic, size_t len)
{
	(void)ctx, (void)topic, (void)len;
	return true;
}

static void unit__tree__each_broker_reconnects_on_its_own(void **state)
{
	struct tree *t = new_tree(4);
	tree_id a, b, c;

	(void)state;
	tree_set_connection(t, 0, TREE_CONN(0, 1));
	tree_set_connection(t, 1, TREE_CONN(1, 1));
	a = put_on(t, "house/bulb", true, TREE_CONN(0, 1));
	b = put_on(t, "cloud/bulb", true, TREE_CONN(1, 1));
	c = put_on(t, "cloud/live", false, TREE_CONN(1, 1));
	assert_false(tree_shown_stale(t, tree_node(t, a)));
	assert_false(tree_shown_stale(t, tree_node(t, b)));
	/* The second broker reconnects: only its values are from before. */
	tree_set_connection(t, 1, TREE_CONN(1, 2));
	assert_false(tree_shown_stale(t, tree_node(t, a)));
	assert_true(tree_shown_stale(t, tree_node(t, b)));
	assert_true(tree_shown_stale(t, tree_node(t, c)));
	/* Its retained topic not sent again is gone; the other broker's is untouched. */
	assert_int_equal(tree_mark_gone(t, 1, every, NULL), 1);
	assert_true(tree_node(t, b)->flags & TREE_F_GONE);
	assert_false(tree_node(t, a)->flags & TREE_F_GONE);
	assert_int_equal(tree_mark_gone(t, 0, every, NULL), 0);
	/* A message of the new connection makes a value current again. */
	put_on(t, "cloud/live", false, TREE_CONN(1, 2));
	assert_false(tree_shown_stale(t, tree_node(t, c)));
	tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__tree__counts_up_the_path),
	    cmocka_unit_test(unit__tree__odd_topic_shapes),
	    cmocka_unit_test(unit__tree__two_hundred_levels),
	    cmocka_unit_test(unit__tree__very_long_level_and_many_siblings),
	    cmocka_unit_test(unit__tree__empty_payload_hides_topic),
	    cmocka_unit_test(unit__tree__history_keeps_last_n),
	    cmocka_unit_test(unit__tree__history_grows_with_each_value_up_to_the_cap),
	    cmocka_unit_test(unit__tree__updates_reuse_value_memory),
	    cmocka_unit_test(unit__tree__payload_cap_and_topic_limit),
	    cmocka_unit_test(unit__tree__value_budget_trims_history),
	    cmocka_unit_test(unit__tree__name_budget_refuses_new_topics),
	    cmocka_unit_test(unit__tree__the_deepest_topic_mqtt_allows),
	    cmocka_unit_test(unit__tree__natural_name_order),
	    cmocka_unit_test(unit__tree__changes_report_new_visible_nodes),
	    cmocka_unit_test(unit__tree__a_hold_shows_the_tree_as_it_was),
	    cmocka_unit_test(unit__tree__retained_topics_of_a_branch),
	    cmocka_unit_test(unit__tree__each_broker_reconnects_on_its_own),
	    cmocka_unit_test(unit__tree__branches_count_their_bytes_and_share_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
