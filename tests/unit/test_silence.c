/* test_silence.c: silent topics from learned intervals, roll-up, offline devices from wills. */
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
#include "mqscope/will.h"

#define T0 1795341845000LL

struct fix {
	struct tree *t;
	struct timing *tm;
	struct silence *s;
};

static void fix_init(struct fix *f)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 8};
	struct silence_cfg c = {.factor = 2.5, .floor_ms = 1000, .samples = 3};

	f->t = tree_new(&lim);
	f->tm = timing_new();
	f->s = silence_new(&c);
}

static void fix_free(struct fix *f)
{
	silence_free(f->s);
	timing_free(f->tm);
	tree_free(f->t);
}

/* A message as the app handles it: stored, timed, wills judged, silence noted. */
static tree_id put(struct fix *f, const char *topic, const char *payload, int64_t at, bool retained)
{
	size_t len = strlen(payload);
	struct tree_msg m = {.payload = payload,
	                     .len = (uint32_t)len,
	                     .orig_len = (uint32_t)len,
	                     .time_ms = at,
	                     .retained = retained};
	struct timing_msg x = {.time_ms = at,
	                       .payload = payload,
	                       .len = (uint32_t)len,
	                       .orig_len = (uint32_t)len,
	                       .retained = retained,
	                       .ts_ms = TIMING_NO_TS};
	tree_id id = tree_insert(f->t, topic, strlen(topic), &m);
	char dev[256];
	enum will_kind k;

	timing_note(f->tm, f->t, id, &x, true);
	k = will_classify(NULL, 0, topic, strlen(topic), payload, len, dev, sizeof(dev));
	if (k != WILL_NONE)
		silence_set_offline(f->s, f->t, tree_find(f->t, dev, strlen(dev)),
		                    k == WILL_OFFLINE, at);
	silence_note(f->s, f->t, f->tm, id, retained || k != WILL_NONE, at);
	return id;
}

static tree_id find(struct fix *f, const char *topic)
{
	return tree_find(f->t, topic, strlen(topic));
}

static size_t check(struct fix *f, int64_t now)
{
	bool more;

	return silence_check(f->s, f->t, f->tm, now, &more);
}

static void unit__silence__topic_turns_silent_and_clears(void **state)
{
	struct fix f;
	struct silence_event ev[8];
	tree_id ids[8];
	uint64_t lost;
	bool overflow;
	tree_id id;

	(void)state;
	fix_init(&f);
	/* Two intervals: not judged yet. */
	for (int i = 0; i < 3; i++)
		id = put(&f, "plant/cellar/temp", "20", T0 + i * 2000, false);
	assert_int_equal(silence_next_due(f.s), INT64_MAX);
	/* The third interval: judged; silent 2.5 x 2 s after the latest message. */
	id = put(&f, "plant/cellar/temp", "20", T0 + 6000, false);
	assert_int_equal(silence_deadline(f.s, f.t, f.tm, id), T0 + 11000);
	assert_int_equal(silence_next_due(f.s), T0 + 11000);
	/* More messages do not touch the heap: its entry comes due early and goes back. */
	put(&f, "plant/cellar/temp", "20", T0 + 8000, false);
	assert_int_equal(silence_next_due(f.s), T0 + 11000);
	assert_int_equal(check(&f, T0 + 11000), 0);
	assert_int_equal(silence_next_due(f.s), T0 + 13000);
	assert_false(silence_is_silent(f.s, id));
	assert_int_equal(check(&f, T0 + 12999), 0);
	assert_int_equal(check(&f, T0 + 13000), 1);
	assert_true(silence_is_silent(f.s, id));
	assert_int_equal(silence_count(f.s), 1);
	/* Counted up the path; the topmost node that turned is the change. */
	assert_int_equal(silence_below(f.s, find(&f, "plant")), 1);
	assert_int_equal(silence_below(f.s, find(&f, "plant/cellar")), 1);
	assert_int_equal(silence_below(f.s, TREE_ROOT), 1);
	assert_true(silence_visible(f.s, find(&f, "plant")));
	assert_int_equal(silence_take_changes(f.s, ids, 8, &overflow), 1);
	assert_int_equal(ids[0], find(&f, "plant"));
	assert_int_equal(silence_take_events(f.s, ev, 8, &lost), 1);
	assert_int_equal(ev[0].kind, SILENCE_SILENT);
	assert_int_equal(ev[0].id, id);
	assert_int_equal(ev[0].time_ms, T0 + 13000);
	/* A silent topic has no deadline: an idle loop sleeps. */
	assert_int_equal(silence_next_due(f.s), INT64_MAX);

	/* It talks: cleared at once, and judged again. */
	put(&f, "plant/cellar/temp", "21", T0 + 30000, false);
	assert_false(silence_is_silent(f.s, id));
	assert_int_equal(silence_count(f.s), 0);
	assert_int_equal(silence_below(f.s, find(&f, "plant")), 0);
	assert_int_equal(silence_take_events(f.s, ev, 8, &lost), 1);
	assert_int_equal(ev[0].kind, SILENCE_SPOKE);
	assert_int_equal(silence_take_changes(f.s, ids, 8, &overflow), 1);
	/* The long gap is one interval among several: the median stays 2 s. */
	assert_int_equal(silence_next_due(f.s), T0 + 35000);
	fix_free(&f);
}

static void unit__silence__floor_and_rollup_of_many(void **state)
{
	struct fix f;
	char topic[64];

	(void)state;
	fix_init(&f);
	/* A fast topic (10 ms) is judged once it spoke for the floor, and never silent sooner
	 * than the floor. */
	for (int i = 0; i < 10; i++)
		put(&f, "fast", "1", T0 + i * 10, false);
	assert_int_equal(silence_deadline(f.s, f.t, f.tm, find(&f, "fast")), INT64_MAX);
	for (int i = 10; i <= 100; i++)
		put(&f, "fast", "1", T0 + i * 10, false);
	assert_int_equal(silence_deadline(f.s, f.t, f.tm, find(&f, "fast")), T0 + 2000);
	/* Three sensors of one branch stop; a fourth keeps going. */
	for (int i = 0; i < 5; i++)
		for (int k = 0; k < 4; k++) {
			snprintf(topic, sizeof(topic), "sensors/s%d/value", k);
			put(&f, topic, "1", T0 + i * 1000, false);
		}
	for (int i = 5; i < 20; i++)
		put(&f, "sensors/s3/value", "1", T0 + i * 1000, false);
	check(&f, T0 + 20000);
	assert_int_equal(silence_below(f.s, find(&f, "sensors")), 3);
	assert_int_equal(silence_count(f.s), 4); /* and "fast" */
	assert_false(silence_is_silent(f.s, find(&f, "sensors/s3/value")));
	assert_false(silence_visible(f.s, find(&f, "sensors/s3")));
	/* A topic emptied (retained message deleted) is not judged. */
	put(&f, "sensors/s0/value", "", T0 + 20500, false);
	assert_int_equal(silence_below(f.s, find(&f, "sensors")), 2);
	check(&f, T0 + 100000);
	assert_false(silence_is_silent(f.s, find(&f, "sensors/s0/value")));
	fix_free(&f);
}

/* Many topics due at once are judged in bounded slices. */
static void unit__silence__checks_are_bounded(void **state)
{
	struct fix f;
	char topic[64];
	bool more;
	size_t n;

	(void)state;
	fix_init(&f);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < SILENCE_CHECK_MAX + 100; k++) {
			snprintf(topic, sizeof(topic), "b/%d", k);
			put(&f, topic, "1", T0 + i * 1000, false);
		}
	n = silence_check(f.s, f.t, f.tm, T0 + 60000, &more);
	assert_int_equal(n, SILENCE_CHECK_MAX);
	assert_true(more);
	n = silence_check(f.s, f.t, f.tm, T0 + 60000, &more);
	assert_int_equal(n, 100);
	assert_false(more);
	assert_int_equal(silence_count(f.s), SILENCE_CHECK_MAX + 100);
	fix_free(&f);
}

static enum will_kind classify(const struct will_rule *r, size_t n, const char *topic,
                               const char *payload, char *dev)
{
	return will_classify(r, n, topic, strlen(topic), payload, strlen(payload), dev, 256);
}

static void unit__will__what_counts_as_a_will(void **state)
{
	struct will_rule rule = {.filter = "tele/+/LWT", .offline = "Offline", .online = "Online"};
	struct will_rule jrule = {.filter = "gw/+/conn", .field = "link", .offline = "down"};
	/* A rule can still name a $SYS topic. */
	struct will_rule sys = {.filter = "$SYS/x/alive", .offline = "0"};
	char dev[256];

	(void)state;
	assert_int_equal(classify(NULL, 0, "devices/node01/status", "offline", dev), WILL_OFFLINE);
	assert_string_equal(dev, "devices/node01");
	assert_int_equal(classify(NULL, 0, "devices/node01/status", " Online\n", dev), WILL_ONLINE);
	assert_int_equal(
	    classify(NULL, 0, "zigbee2mqtt/bridge/state", "{\"state\":\"offline\"}", dev),
	    WILL_OFFLINE);
	assert_string_equal(dev, "zigbee2mqtt/bridge");
	assert_int_equal(classify(NULL, 0, "shellies/plug1/online", "false", dev), WILL_OFFLINE);
	assert_int_equal(classify(NULL, 0, "shellies/plug1/online", "true", dev), WILL_ONLINE);
	assert_int_equal(classify(NULL, 0, "homie/dev1/$state", "lost", dev), WILL_OFFLINE);
	assert_string_equal(dev, "homie/dev1");
	assert_int_equal(classify(NULL, 0, "hass/x/availability", "\"offline\"", dev),
	                 WILL_OFFLINE);
	assert_int_equal(classify(NULL, 0, "a/b/status", "{\"online\":false}", dev), WILL_OFFLINE);
	assert_int_equal(classify(NULL, 0, "status", "offline", dev), WILL_OFFLINE);
	assert_string_equal(dev, "status");
	/* not wills: other levels, other words, booleans on levels that are not booleans */
	assert_int_equal(classify(NULL, 0, "sensors/x/temperature", "offline", dev), WILL_NONE);
	assert_int_equal(classify(NULL, 0, "house/lights/kitchen/state", "ON", dev), WILL_NONE);
	assert_int_equal(classify(NULL, 0, "machine/state", "false", dev), WILL_NONE);
	assert_int_equal(classify(NULL, 0, "a/status", "", dev), WILL_NONE);
	assert_int_equal(classify(NULL, 0, "a/status", "{\"state\":\"running\"}", dev), WILL_NONE);
	/* A broker's count of connected clients is not a device going away. */
	assert_int_equal(classify(NULL, 0, "$SYS/broker/clients/connected", "0", dev), WILL_NONE);
	/* Sparkplug: the DEATH topic is the device; its BIRTH names it */
	assert_int_equal(classify(NULL, 0, "spBv1.0/plant/NDEATH/edge1", "\x08", dev),
	                 WILL_OFFLINE);
	assert_string_equal(dev, "spBv1.0/plant/NDEATH/edge1");
	assert_int_equal(classify(NULL, 0, "spBv1.0/plant/NBIRTH/edge1", "\x08", dev), WILL_ONLINE);
	assert_string_equal(dev, "spBv1.0/plant/NDEATH/edge1");
	assert_int_equal(classify(NULL, 0, "spBv1.0/plant/DDEATH/edge1/pump", "", dev),
	                 WILL_OFFLINE);
	assert_string_equal(dev, "spBv1.0/plant/DDEATH/edge1/pump");
	assert_int_equal(classify(NULL, 0, "spBv1.0/plant/DBIRTH/edge1/pump", "", dev),
	                 WILL_ONLINE);
	assert_string_equal(dev, "spBv1.0/plant/DDEATH/edge1/pump");
	assert_int_equal(classify(NULL, 0, "spBv1.0/plant/NDATA/edge1", "", dev), WILL_NONE);
	assert_int_equal(classify(NULL, 0, "spBv1.0/plant/NDEATH/edge1/x", "", dev), WILL_NONE);
	assert_int_equal(classify(NULL, 0, "spBv1.0/plant/DDEATH/edge1", "", dev), WILL_NONE);
	assert_int_equal(classify(NULL, 0, "spBv1.0/NDEATH", "", dev), WILL_NONE);
	/* rules from the config file, exact values, with a JSON field */
	assert_int_equal(classify(&sys, 1, "$SYS/x/alive", "0", dev), WILL_OFFLINE);
	assert_int_equal(classify(&rule, 1, "tele/plug/LWT", "Offline", dev), WILL_OFFLINE);
	assert_string_equal(dev, "tele/plug");
	assert_int_equal(classify(&rule, 1, "tele/plug/LWT", "Online", dev), WILL_ONLINE);
	assert_int_equal(classify(&rule, 1, "tele/plug/LWT", "offline", dev), WILL_NONE);
	assert_int_equal(classify(&jrule, 1, "gw/7/conn", "{\"link\":\"down\"}", dev),
	                 WILL_OFFLINE);
	assert_string_equal(dev, "gw/7");
	assert_int_equal(classify(&jrule, 1, "gw/7/conn", "{\"link\":\"up\"}", dev), WILL_NONE);
}

static void unit__silence__will_marks_a_device_offline(void **state)
{
	struct fix f;
	struct silence_event ev[8];
	uint64_t lost;
	tree_id dev;

	(void)state;
	fix_init(&f);
	put(&f, "devices/node01/temp", "20", T0, false);
	put(&f, "devices/node01/status", "online", T0, true);
	dev = find(&f, "devices/node01");
	assert_false(silence_is_offline(f.s, dev));
	put(&f, "devices/node01/status", "offline", T0 + 1000, false);
	assert_true(silence_is_offline(f.s, dev));
	assert_int_equal(silence_offline_count(f.s), 1);
	assert_int_equal(silence_offline_below(f.s, find(&f, "devices")), 1);
	assert_true(silence_visible(f.s, find(&f, "devices")));
	assert_int_equal(silence_take_events(f.s, ev, 8, &lost), 1);
	assert_int_equal(ev[0].kind, SILENCE_OFFLINE);
	assert_int_equal(ev[0].id, dev);
	/* Retained state arriving later says nothing about now. */
	put(&f, "devices/node01/firmware", "1.2", T0 + 1100, true);
	assert_true(silence_is_offline(f.s, dev));
	/* A live message from below the device brings it back. */
	put(&f, "devices/node01/temp", "21", T0 + 2000, false);
	assert_false(silence_is_offline(f.s, dev));
	assert_int_equal(silence_offline_count(f.s), 0);
	assert_int_equal(silence_take_events(f.s, ev, 8, &lost), 1);
	assert_int_equal(ev[0].kind, SILENCE_ONLINE);
	/* So does its online message. */
	put(&f, "devices/node01/status", "offline", T0 + 3000, true);
	assert_true(silence_is_offline(f.s, dev));
	put(&f, "devices/node01/status", "online", T0 + 4000, true);
	assert_false(silence_is_offline(f.s, dev));
	/* Sparkplug: NDEATH marks its own topic, NBIRTH clears it. */
	put(&f, "spBv1.0/g/NDEATH/e1", "x", T0 + 5000, false);
	assert_true(silence_is_offline(f.s, find(&f, "spBv1.0/g/NDEATH/e1")));
	assert_int_equal(silence_offline_below(f.s, find(&f, "spBv1.0/g")), 1);
	put(&f, "spBv1.0/g/NBIRTH/e1", "x", T0 + 6000, false);
	assert_false(silence_is_offline(f.s, find(&f, "spBv1.0/g/NDEATH/e1")));
	assert_int_equal(silence_offline_count(f.s), 0);
	fix_free(&f);
}

/*
 * Five messages 12 ms apart every 10 s: the median interval is 12 ms, but
 * the topic usually waits 10 s, and is silent only 2.5 x that after its
 * latest burst.
 */
static void unit__silence__bursty_topic_learns_its_burst_period(void **state)
{
	struct fix f;
	int64_t at = 0;
	tree_id id = TREE_NONE;

	(void)state;
	fix_init(&f);
	/* Its first burst alone is no pace: not judged, so not silent a second later. */
	for (int k = 0; k < 5; k++)
		id = put(&f, "line/press/force", "7", at = T0 + k * 12, false);
	assert_int_equal(silence_deadline(f.s, f.t, f.tm, id), INT64_MAX);
	assert_int_equal(check(&f, at + 9000), 0);
	assert_false(silence_is_silent(f.s, id));
	for (int b = 1; b < 4; b++)
		for (int k = 0; k < 5; k++)
			id = put(&f, "line/press/force", "7", at = T0 + b * 10000 + k * 12, false);
	assert_int_equal(timing_median(f.tm, id), 12);
	assert_int_equal(timing_usual(f.tm, id), 10000);
	assert_int_equal(at, T0 + 30048);
	assert_int_equal(silence_deadline(f.s, f.t, f.tm, id), T0 + 55100);
	assert_int_equal(check(&f, at + 1100), 0);
	assert_int_equal(check(&f, at + 20000), 0);
	assert_false(silence_is_silent(f.s, id));
	assert_int_equal(check(&f, T0 + 55100), 1);
	assert_true(silence_is_silent(f.s, id));
	/* The next burst clears it at once. */
	put(&f, "line/press/force", "7", T0 + 40000, false);
	assert_false(silence_is_silent(f.s, id));

	/* Once the window holds only bursts (32 intervals, a burst cut at its start). */
	for (int b = 4; b < 20; b++)
		for (int k = b == 4 ? 1 : 0; k < 5; k++)
			id = put(&f, "line/press/force", "7", at = T0 + b * 10000 + k * 12, false);
	assert_int_equal(timing_usual(f.tm, id), 10000);
	fix_free(&f);
}

/* A steady topic: the usual interval is its median interval, as before bursts counted. */
static void unit__silence__steady_topic_keeps_its_median(void **state)
{
	struct fix f;
	tree_id id = TREE_NONE;
	int64_t at = 0;

	(void)state;
	fix_init(&f);
	/* 2 s with a little jitter, then one 20 s outage and back to 2 s. */
	for (int i = 0; i < 40; i++) {
		at += i == 25 ? 20000 : 2000 + (i % 3) * 10;
		id = put(&f, "plant/hall/temp", "20", T0 + at, false);
	}
	assert_int_equal(timing_usual(f.tm, id), timing_median(f.tm, id));
	assert_int_equal(timing_usual(f.tm, id), 2010);
	assert_int_equal(silence_deadline(f.s, f.t, f.tm, id), (T0 + at + 5025 + 99) / 100 * 100);
	/* A topic that speeds up from 10 s to 100 ms is not one endless burst. */
	for (int i = 0; i < 5; i++)
		id = put(&f, "speedup", "1", at = T0 + i * 10000, false);
	for (int i = 1; i <= 40; i++)
		id = put(&f, "speedup", "1", at + i * 100, false);
	assert_int_equal(timing_usual(f.tm, id), 100);
	fix_free(&f);
}

/*
 * Irregular intervals (0.3 to 4 s, no bursts): the usual interval stays
 * between the median and the longest, so the topic is judged no sooner
 * than before and no later than 2.5 x its longest wait.
 */
static void unit__silence__irregular_topic(void **state)
{
	static const int gaps[] = {300, 2500, 900,  4000, 1200, 700,  3100, 450, 1800, 2200,
	                           600, 3500, 1000, 350,  2800, 1500, 4000, 800, 1900, 500};
	struct fix f;
	tree_id id = TREE_NONE;
	int64_t at = T0, usual, med;

	(void)state;
	fix_init(&f);
	id = put(&f, "field/probe", "1", at, false);
	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++)
		id = put(&f, "field/probe", "1", at += gaps[i], false);
	usual = timing_usual(f.tm, id);
	med = timing_median(f.tm, id);
	assert_true(usual >= med);
	assert_true(usual <= 4000);
	assert_int_equal(check(&f, at + (int64_t)(2.5 * (double)med) - 1), 0);
	assert_int_equal(check(&f, at + 10000 + SILENCE_GRAIN_MS), 1);
	assert_true(silence_is_silent(f.s, id));
	fix_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__silence__topic_turns_silent_and_clears),
	    cmocka_unit_test(unit__silence__floor_and_rollup_of_many),
	    cmocka_unit_test(unit__silence__checks_are_bounded),
	    cmocka_unit_test(unit__silence__bursty_topic_learns_its_burst_period),
	    cmocka_unit_test(unit__silence__steady_topic_keeps_its_median),
	    cmocka_unit_test(unit__silence__irregular_topic),
	    cmocka_unit_test(unit__will__what_counts_as_a_will),
	    cmocka_unit_test(unit__silence__will_marks_a_device_offline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
