/* test_export.c: a subtree's latest values in tree order, a topic's history, in slices. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/export.h"
#include "mqscope/record.h"

static void put(struct tree *t, const char *topic, const char *payload, int64_t at, bool retained)
{
	struct tree_msg m = {.payload = payload,
	                     .len = (uint32_t)strlen(payload),
	                     .orig_len = (uint32_t)strlen(payload),
	                     .time_ms = at,
	                     .qos = 1,
	                     .retained = retained};

	tree_insert(t, topic, strlen(topic), &m);
}

static struct tree *sample(void)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 4};
	struct tree *t = tree_new(&lim);

	put(t, "z", "9", 1, false);
	put(t, "a/c", "c1", 2, false);
	put(t, "a/c/d", "x", 3, true);
	put(t, "a/b10", "b10", 4, false);
	put(t, "a/b2", "b2", 5, false);
	put(t, "a/c", "c2", 6, false);
	put(t, "a/c", "c3", 7, false);
	put(t, "a/gone", "g", 8, true);
	put(t, "a/gone", "", 9, true); /* cleared: not exported */
	return t;
}

/* Runs an export to the end, max messages a step; returns the text and the steps taken. */
static char *run(const struct tree *t, const char *topic, enum export_what w,
                 const struct logfmt *fmt, size_t max, int *steps)
{
	char *text = NULL;
	size_t len;
	struct logfmt_out o = {0};
	struct export *e;
	tree_id id = topic ? tree_find(t, topic, strlen(topic)) : TREE_ROOT;

	o.f = open_memstream(&text, &len);
	e = export_new(t, id, w, fmt, &o);
	for (*steps = 1; !export_step(e, max); (*steps)++)
		assert_true(*steps < 100);
	export_free(e);
	fclose(o.f);
	logfmt_out_free(&o);
	return text;
}

/* Checks the JSON lines of text against topic/payload pairs, all read back by --replay's parser. */
static void expect_lines(const char *text, const char *const *want, size_t n)
{
	const char *p = text;

	for (size_t i = 0; i < n; i += 2) {
		const char *nl = strchr(p, '\n');
		struct record_msg m;

		assert_non_null(nl);
		assert_true(record_parse(p, (size_t)(nl - p), &m));
		assert_string_equal(m.topic, want[i]);
		assert_int_equal(m.h.len, strlen(want[i + 1]));
		assert_memory_equal(m.payload, want[i + 1], m.h.len);
		assert_int_equal(m.h.qos, 1);
		record_msg_free(&m);
		p = nl + 1;
	}
	assert_string_equal(p, "");
}

static void unit__export__subtree_latest_in_tree_order(void **state)
{
	static const char *const want[] = {"a/b2", "b2", "a/b10", "b10", "a/c", "c3", "a/c/d", "x"};
	static const char *const all[] = {"a/b2", "b2",    "a/b10", "b10", "a/c",
	                                  "c3",   "a/c/d", "x",     "z",   "9"};
	struct tree *t = sample();
	struct logfmt json = {.kind = LOGFMT_JSON};
	int steps;
	char *out;

	(void)state;
	out = run(t, "a", EXPORT_LATEST, &json, 1, &steps);
	expect_lines(out, want, 8);
	assert_true(steps >= 4);
	free(out);
	out = run(t, NULL, EXPORT_LATEST, &json, 1000, &steps);
	expect_lines(out, all, 10);
	assert_int_equal(steps, 1);
	free(out);
	/* A leaf is its own subtree. */
	out = run(t, "a/c/d", EXPORT_LATEST, &json, 10, &steps);
	expect_lines(out, want + 6, 2);
	free(out);
	tree_free(t);
}

static void unit__export__history_oldest_first(void **state)
{
	static const char *const want[] = {"a/c", "c1", "a/c", "c2", "a/c", "c3"};
	struct tree *t = sample();
	struct logfmt json = {.kind = LOGFMT_JSON}, csv = {.kind = LOGFMT_CSV};
	int steps;
	char *out;

	(void)state;
	out = run(t, "a/c", EXPORT_HISTORY, &json, 1, &steps);
	expect_lines(out, want, 6);
	assert_int_equal(steps, 1);
	free(out);
	out = run(t, "a/c", EXPORT_HISTORY, &csv, 1, &steps);
	assert_string_equal(out, "time,topic,payload\r\n"
	                         "1970-01-01T00:00:00.002Z,a/c,c1\r\n"
	                         "1970-01-01T00:00:00.006Z,a/c,c2\r\n"
	                         "1970-01-01T00:00:00.007Z,a/c,c3\r\n");
	free(out);
	/* A cleared topic has no history to write; the CSV still has its header. */
	out = run(t, "a/gone", EXPORT_HISTORY, &csv, 1, &steps);
	assert_string_equal(out, "time,topic,payload\r\n");
	free(out);
	tree_free(t);
}

/* The JSON tree of root's subtree, as dump writes it. */
static char *tree_text(const struct tree *t, tree_id root, bool raw)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(export_json_tree(t, root, raw, f), 0);
	fclose(f);
	return text;
}

/* Removes layout (outside strings) so the tree can be compared as one line. */
static void squeeze(char *s)
{
	bool in = false;
	char *o = s;

	for (const char *p = s; *p; p++) {
		if (*p == '"' && (p == s || p[-1] != '\\'))
			in = !in;
		if (in || !strchr(" \n\t", *p))
			*o++ = *p;
	}
	*o = '\0';
}

static void unit__export__json_tree(void **state)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 1};
	struct tree *t = tree_new(&lim);
	char *out;

	(void)state;
	put(t, "house/bulbs", "parent", 1, true);
	put(t, "house/bulbs/bulb1", "ON", 1, true);
	put(t, "house/bulbs/bulb10", "OFF", 1, true);
	put(t, "house/bulbs/bulb2", "true", 1, true);
	put(t, "house/lights/kitchen", "{\"state\":\"ON\",\"b\":[1,2.5]}", 1, true);
	put(t, "house/temp", " 21.5 ", 1, true);
	put(t, "house/esc", "\x1b[2J \xc2\x9b \"q\"", 1, true);
	put(t, "house/bin", "\xff\xfe", 1, true);
	put(t, "house/gone", "x", 1, true);
	put(t, "house/gone", "", 2, true);
	put(t, "odd/\xff\x01name", "v", 1, true);
	out = tree_text(t, TREE_ROOT, false);
	/* Two-space indents, one space after a colon. */
	assert_non_null(
	    strstr(out, "{\n  \"house\": {\n    \"bin\": {\n      \"base64\": \"//4=\"\n"));
	squeeze(out);
	assert_string_equal(out, "{\"house\":{\"bin\":{\"base64\":\"//4=\"},"
	                         "\"bulbs\":{\"#\":\"parent\",\"bulb1\":\"ON\",\"bulb2\":true,"
	                         "\"bulb10\":\"OFF\"},"
	                         "\"esc\":\"\\u001b[2J \\u009b \\\"q\\\"\","
	                         "\"lights\":{\"kitchen\":{\"state\":\"ON\",\"b\":[1,2.5]}},"
	                         "\"temp\":21.5},"
	                         "\"odd\":{\"\\\\xff\\u0001name\":\"v\"}}");
	free(out);
	/* --raw: the C1 control as it is (still JSON). */
	out = tree_text(t, TREE_ROOT, true);
	assert_non_null(strstr(out, "\xc2\x9b"));
	free(out);
	/* A subtree: its own value under "#". */
	out = tree_text(t, tree_find(t, "house/bulbs", 11), false);
	squeeze(out);
	assert_string_equal(
	    out, "{\"#\":\"parent\",\"bulb1\":\"ON\",\"bulb2\":true,\"bulb10\":\"OFF\"}");
	free(out);
	tree_free(t);
	/* Nothing: an empty object on one line. */
	t = tree_new(&lim);
	out = tree_text(t, TREE_ROOT, false);
	assert_string_equal(out, "{}\n");
	free(out);
	tree_free(t);
}

/* Past EXPORT_TREE_DEPTH levels the rest of a topic is one key: no recursion without end. */
static void unit__export__json_tree_deep_topics(void **state)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 1};
	struct tree *t = tree_new(&lim);
	char topic[4096] = "", *out, *p;
	size_t depth = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		strcat(topic, i ? "/l" : "l");
	put(t, topic, "deep", 1, true);
	out = tree_text(t, TREE_ROOT, false);
	for (p = out; (p = strstr(p, "\"l\": {")) != NULL; p++)
		depth++;
	assert_int_equal(depth, EXPORT_TREE_DEPTH);
	/* The rest of the topic, 1000 - 64 levels, as one key. */
	assert_non_null(strstr(out, "\"l/l/l/"));
	assert_non_null(strstr(out, "\": \"deep\""));
	free(out);
	tree_free(t);
}

/* With several brokers each line names its broker (the first level), as --record does. */
static void unit__export__several_brokers_named(void **state)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 4};
	struct tree *t = tree_new(&lim);
	struct logfmt json = {.kind = LOGFMT_JSON};
	struct logfmt_out o = {0};
	struct record_msg m;
	struct export *e;
	char *text = NULL, *nl;
	size_t len;

	(void)state;
	put(t, "cloud/house/temp", "21", 1, false);
	o.f = open_memstream(&text, &len);
	e = export_new(t, TREE_ROOT, EXPORT_LATEST, &json, &o);
	export_set_branches(e, true);
	while (!export_step(e, 10))
		;
	export_free(e);
	fclose(o.f);
	logfmt_out_free(&o);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_true(record_parse(text, (size_t)(nl - text), &m));
	assert_string_equal(m.topic, "cloud/house/temp");
	assert_non_null(m.broker);
	assert_int_equal(m.broker_len, 5);
	assert_string_equal(m.broker, "cloud");
	record_msg_free(&m);
	free(text);
	tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__export__json_tree),
	    cmocka_unit_test(unit__export__json_tree_deep_topics),
	    cmocka_unit_test(unit__export__subtree_latest_in_tree_order),
	    cmocka_unit_test(unit__export__history_oldest_first),
	    cmocka_unit_test(unit__export__several_brokers_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
