/* test_watch.c: watch conditions, firing and clearing per topic, silence watches, the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/silence.h"
#include "mqscope/timing.h"
#include "mqscope/tree.h"
#include "mqscope/watch.h"

#define T0 1795341845000LL

static void expect_bad(const char *cond, const char *words)
{
	struct watch_cond c;
	char err[300] = "";

	if (watch_cond_parse(cond, &c, err, sizeof(err)) == 0)
		fail_msg("accepted: %s", cond);
	if (strstr(err, words) == NULL)
		fail_msg("for %s got: %s (want %s)", cond, err, words);
}

static bool holds(const char *cond, const char *value)
{
	struct watch_cond c;
	char err[300];
	double num = 0;
	bool is_num = sscanf(value, "%lf", &num) == 1, r;

	if (watch_cond_parse(cond, &c, err, sizeof(err)) != 0)
		fail_msg("%s: %s", cond, err);
	r = watch_cond_test(&c, value, strlen(value), is_num, num);
	watch_cond_free(&c);
	return r;
}

static void unit__watch__conditions(void **state)
{
	(void)state;
	assert_true(holds("> 30", "30.5"));
	assert_false(holds("> 30", "30"));
	assert_true(holds(">= 30", "30"));
	assert_true(holds("<-5", "-6"));
	assert_true(holds("<= 1e3", "1000"));
	assert_false(holds("> 30", "hot"));
	assert_true(holds("== 1", "1.0"));
	assert_true(holds("= 1", "1"));
	assert_true(holds("== \"OFF\"", "OFF"));
	assert_false(holds("== \"OFF\"", "off"));
	assert_true(holds("== OFF", "OFF"));
	assert_true(holds("!= \"OFF\"", "ON"));
	assert_false(holds("!= OFF", "OFF"));
	assert_true(holds("== \"say \\\"hi\\\"\"", "say \"hi\""));
	assert_true(holds("== \"1\"", "1")); /* quoted: compared as text */
	assert_false(holds("== \"1\"", "1.0"));
	assert_true(holds("contains err", "an error occurred"));
	assert_true(holds("CONTAINS \"two words\"", "x two words y"));
	assert_false(holds("contains err", "fine"));
	assert_true(holds("matches ^(ON|OFF)$", "OFF"));
	assert_false(holds("matches ^(ON|OFF)$", "OFFLINE"));
	assert_true(holds("  silent  ", "") == false);

	expect_bad("", "is not a condition");
	expect_bad("> hot", "'>' compares numbers: 'hot' is not one");
	expect_bad(">", "needs a value");
	expect_bad("== \"open", "must end with \"");
	expect_bad("changes 5", "takes no value");
	expect_bad("matches (", "is not a regular expression");
	expect_bad("about 30", "is not a condition");
}

struct fix {
	struct tree *t;
	struct watches *w;
};

static tree_id put(struct fix *f, const char *topic, const char *payload, int64_t at)
{
	size_t len = strlen(payload);
	struct tree_msg m = {
	    .payload = payload, .len = (uint32_t)len, .orig_len = (uint32_t)len, .time_ms = at};
	tree_id id = tree_insert(f->t, topic, strlen(topic), &m);

	watch_note(f->w, f->t, id, topic, strlen(topic), payload, len, at);
	return id;
}

static void fix_init(struct fix *f, bool bell)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 4};

	f->t = tree_new(&lim);
	f->w = watch_new(bell);
}

static void fix_free(struct fix *f)
{
	watch_free(f->w);
	tree_free(f->t);
}

static void expect_log(const struct watches *w, size_t i, enum watch_kind k, tree_id id,
                       const char *value)
{
	const struct watch_event *e = watch_log_at(w, i);

	assert_non_null(e);
	assert_int_equal(e->kind, k);
	assert_int_equal(e->id, id);
	assert_int_equal(e->vlen, strlen(value));
	assert_memory_equal(e->value, value, e->vlen);
}

static void unit__watch__fires_once_per_topic_and_clears(void **state)
{
	struct fix f;
	char err[300];
	tree_id kitchen, garage;
	const struct watch_event *e;

	(void)state;
	fix_init(&f, true);
	assert_int_equal(
	    watch_add(f.w, NULL, "sensors/+/temperature", "value", "> 30", -1, err, sizeof(err)),
	    0);
	assert_string_equal(watch_label(f.w, 0), "sensors/+/temperature value > 30");
	kitchen = put(&f, "sensors/kitchen/temperature", "{\"value\":25}", T0);
	assert_int_equal(watch_log_len(f.w), 0);
	assert_false(watch_take_bell(f.w));
	put(&f, "sensors/kitchen/temperature", "{\"value\":31.5}", T0 + 1000);
	assert_int_equal(watch_active(f.w), 1);
	assert_int_equal(watch_log_len(f.w), 1);
	expect_log(f.w, 0, WATCH_FIRED, kitchen, "31.5");
	assert_int_equal(watch_log_at(f.w, 0)->time_ms, T0 + 1000);
	assert_true(watch_take_bell(f.w));
	assert_false(watch_take_bell(f.w)); /* once */
	/* Still over: nothing new. */
	put(&f, "sensors/kitchen/temperature", "{\"value\":32}", T0 + 2000);
	assert_int_equal(watch_log_len(f.w), 1);
	assert_false(watch_take_bell(f.w));
	/* Another topic fires on its own. */
	garage = put(&f, "sensors/garage/temperature", "{\"value\":35}", T0 + 2500);
	assert_int_equal(watch_active(f.w), 2);
	e = watch_alarm(f.w);
	assert_non_null(e);
	assert_int_equal(e->id, garage);
	/* Other topics and fields are not looked at. */
	put(&f, "sensors/garage/humidity", "{\"value\":99}", T0 + 2600);
	put(&f, "sensors/garage/temperature/x", "{\"value\":99}", T0 + 2600);
	assert_int_equal(watch_log_len(f.w), 2);
	/* Back under: cleared, with the value that ended it. */
	put(&f, "sensors/garage/temperature", "{\"value\":20}", T0 + 3000);
	assert_int_equal(watch_active(f.w), 1);
	expect_log(f.w, 2, WATCH_CLEARED, garage, "20");
	assert_int_equal(watch_alarm(f.w)->id, kitchen);
	/* A payload without the field makes the condition false. */
	put(&f, "sensors/kitchen/temperature", "broken", T0 + 4000);
	assert_int_equal(watch_active(f.w), 0);
	assert_null(watch_alarm(f.w));
	assert_int_equal(watch_log_len(f.w), 4);
	assert_int_equal(watch_log_total(f.w), 4);
	fix_free(&f);
}

static void unit__watch__text_changes_and_bells(void **state)
{
	struct fix f;
	char err[300];
	tree_id bulb;

	(void)state;
	fix_init(&f, false);
	assert_int_equal(
	    watch_add(f.w, "bulb off", "house/bulbs/#", NULL, "== \"OFF\"", -1, err, sizeof(err)),
	    0);
	assert_int_equal(
	    watch_add(f.w, NULL, "house/doors/front", "", "changes", 1, err, sizeof(err)), 1);
	assert_string_equal(watch_label(f.w, 0), "bulb off");
	bulb = put(&f, "house/bulbs/bulb1", "OFF", T0);
	expect_log(f.w, 0, WATCH_FIRED, bulb, "OFF");
	assert_false(watch_take_bell(f.w)); /* the default is no bell here */
	put(&f, "house/bulbs/bulb1", " ON ", T0 + 1);
	expect_log(f.w, 1, WATCH_CLEARED, bulb, "ON");
	/* changes: fires on a change, clears on a repeat; the first value is no change. */
	put(&f, "house/doors/front", "closed", T0 + 2);
	assert_int_equal(watch_log_len(f.w), 2);
	put(&f, "house/doors/front", "open", T0 + 3);
	assert_int_equal(watch_log_len(f.w), 3);
	assert_true(watch_take_bell(f.w));
	put(&f, "house/doors/front", "closed", T0 + 4);
	assert_int_equal(watch_log_len(f.w), 3); /* still changing */
	put(&f, "house/doors/front", "closed", T0 + 5);
	assert_int_equal(watch_log_len(f.w), 4);
	assert_int_equal(watch_log_at(f.w, 3)->kind, WATCH_CLEARED);

	/* bad watches */
	assert_int_equal(watch_add(f.w, NULL, "a/#/b", NULL, "> 1", -1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a valid topic filter"));
	assert_int_equal(watch_add(f.w, NULL, "a", "x", "silent", -1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a field"));
	assert_int_equal(watch_add(f.w, NULL, "a", NULL, "> x", -1, err, sizeof(err)), -1);
	for (int i = 2; i < WATCH_MAX; i++)
		assert_int_equal(watch_add(f.w, NULL, "a", NULL, "> 1", -1, err, sizeof(err)), i);
	assert_int_equal(watch_add(f.w, NULL, "a", NULL, "> 1", -1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most"));
	/* The 63rd watch works like the first. */
	put(&f, "a", "2", T0 + 6);
	assert_int_equal(watch_active(f.w), WATCH_MAX - 2);
	fix_free(&f);
}

/* A watch added later applies to topics already seen. */
static void unit__watch__added_later(void **state)
{
	struct fix f;
	char err[300];

	(void)state;
	fix_init(&f, true);
	watch_add(f.w, NULL, "x/#", NULL, "> 5", -1, err, sizeof(err));
	put(&f, "y/1", "10", T0);
	put(&f, "x/1", "1", T0);
	watch_add(f.w, NULL, "y/+", NULL, "> 5", -1, err, sizeof(err));
	put(&f, "y/1", "10", T0 + 1);
	assert_int_equal(watch_active(f.w), 1);
	fix_free(&f);
}

static void unit__watch__silence(void **state)
{
	struct fix f;
	struct silence_cfg c = {.factor = 2.5, .floor_ms = 1000, .samples = 3};
	struct silence *s = silence_new(&c);
	struct timing *tm = timing_new();
	struct silence_event ev[8];
	char err[300];
	uint64_t lost;
	bool more;
	tree_id id;
	size_t n;

	(void)state;
	fix_init(&f, true);
	assert_int_equal(watch_add(f.w, NULL, "plant/+/temp", NULL, "silent", -1, err, sizeof(err)),
	                 0);
	for (int i = 0; i < 5; i++) {
		struct tree_msg m = {
		    .payload = "1", .len = 1, .orig_len = 1, .time_ms = T0 + i * 1000};
		struct timing_msg x = {.time_ms = m.time_ms,
		                       .payload = "1",
		                       .len = 1,
		                       .orig_len = 1,
		                       .ts_ms = TIMING_NO_TS};

		id = tree_insert(f.t, "plant/a/temp", 12, &m);
		timing_note(tm, f.t, id, &x, true);
		silence_note(s, f.t, tm, id, false, m.time_ms);
		watch_note(f.w, f.t, id, "plant/a/temp", 12, "1", 1, m.time_ms);
	}
	/* Messages alone do not fire a silence watch. */
	assert_int_equal(watch_log_len(f.w), 0);
	silence_check(s, f.t, tm, T0 + 10000, &more);
	n = silence_take_events(s, ev, 8, &lost);
	assert_int_equal(n, 1);
	watch_on_silence(f.w, f.t, &ev[0]);
	expect_log(f.w, 0, WATCH_FIRED, id, "silent");
	assert_int_equal(watch_log_at(f.w, 0)->time_ms, T0 + 6500);
	assert_true(watch_take_bell(f.w));
	silence_note(s, f.t, tm, id, false, T0 + 11000);
	n = silence_take_events(s, ev, 8, &lost);
	watch_on_silence(f.w, f.t, &ev[0]);
	expect_log(f.w, 1, WATCH_CLEARED, id, "talks again");
	/* An offline device below the filter's reach: plant/+ does not match plant/a/temp's
	 * parent, so nothing; a filter on the device does. */
	watch_add(f.w, NULL, "plant/+", NULL, "silent", 0, err, sizeof(err));
	silence_set_offline(s, f.t, tree_find(f.t, "plant/a", 7), true, T0 + 12000);
	n = silence_take_events(s, ev, 8, &lost);
	watch_on_silence(f.w, f.t, &ev[0]);
	expect_log(f.w, 2, WATCH_FIRED, tree_find(f.t, "plant/a", 7), "offline");
	assert_false(watch_take_bell(f.w));
	silence_free(s);
	timing_free(tm);
	fix_free(&f);
}

static void unit__watch__log_is_bounded(void **state)
{
	struct fix f;
	char err[300];

	(void)state;
	fix_init(&f, true);
	watch_add(f.w, NULL, "n", NULL, "> 0", -1, err, sizeof(err));
	for (int i = 0; i < WATCH_LOG_MAX + 10; i++)
		put(&f, "n", i % 2 ? "0" : "1", T0 + i);
	assert_int_equal(watch_log_len(f.w), WATCH_LOG_MAX);
	assert_int_equal(watch_log_lost(f.w), 10);
	assert_int_equal(watch_log_total(f.w), WATCH_LOG_MAX + 10);
	assert_int_equal(watch_log_at(f.w, 0)->time_ms, T0 + 10);
	assert_null(watch_log_at(f.w, WATCH_LOG_MAX));
	/* Long values are kept short. */
	char big[300];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	watch_add(f.w, NULL, "big", NULL, "contains xx", -1, err, sizeof(err));
	put(&f, "big", big, T0 + 5000);
	assert_int_equal(watch_log_at(f.w, WATCH_LOG_MAX - 1)->vlen, WATCH_VALUE_MAX);
	fix_free(&f);
}

/*
 * Several brokers: a message comes with its broker's topic and is stored under
 * its branch; a filter matches either form, so a watch made from the tree (with
 * the branch) and one from the config file (without) both fire.
 */
static void unit__watch__several_brokers(void **state)
{
	static const char *const branch[2] = {"local", "cloud"};
	struct fix f;
	char err[300], path[64];
	tree_id id[2];

	(void)state;
	fix_init(&f, false);
	assert_int_equal(
	    watch_add(f.w, "one", "cloud/house/temp", NULL, "> 30", -1, err, sizeof(err)), 0);
	if (watch_add(f.w, "all", "house/+", NULL, "> 30", -1, err, sizeof(err)) != 1)
		fail_msg("%s", err);
	watch_set_branches(f.w, true);
	for (int b = 0; b < 2; b++) {
		struct tree_msg m = {.payload = "35", .len = 2, .orig_len = 2, .time_ms = T0 + b};

		snprintf(path, sizeof(path), "%s/house/temp", branch[b]);
		id[b] = tree_insert(f.t, path, strlen(path), &m);
		watch_note(f.w, f.t, id[b], "house/temp", 10, "35", 2, T0 + b);
	}
	/* "all" on both brokers, "one" on cloud's only. */
	assert_int_equal(watch_active(f.w), 3);
	assert_int_equal(watch_active_of(f.w, 0), 1);
	assert_int_equal(watch_active_of(f.w, 1), 2);
	expect_log(f.w, 0, WATCH_FIRED, id[0], "35");
	fix_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__watch__conditions),
	    cmocka_unit_test(unit__watch__fires_once_per_topic_and_clears),
	    cmocka_unit_test(unit__watch__text_changes_and_bells),
	    cmocka_unit_test(unit__watch__added_later),
	    cmocka_unit_test(unit__watch__silence),
	    cmocka_unit_test(unit__watch__log_is_bounded),
	    cmocka_unit_test(unit__watch__several_brokers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
