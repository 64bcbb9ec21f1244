/* test_brokers.c: several brokers at once: the command line split per broker, a profile that
 * lists brokers, each broker's messages under its own branch, topics and brokers of nodes, and
 * the comparison of a branch across brokers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/compare.h"
#include "mqscope/config.h"
#include "mqscope/connect_opts.h"
#include "mqscope/decoded.h"
#include "mqscope/msg.h"
#include "mqscope/options.h"
#include "mqscope/recorder.h"
#include "mqscope/replay.h"
#include "mqscope/settings.h"

#include "vector.h"

static char dir[128], conf[200];

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/mqscope-brokers-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("MQSCOPE_PASSWORD");
	snprintf(conf, sizeof(conf), "%s/brokers.conf", dir);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(conf);
	return rmdir(dir);
}

static void write_conf(const char *text)
{
	FILE *f = fopen(conf, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(conf, 0600);
}

static void unit__brokers__command_line_split_per_broker(void **state)
{
	char *argv[] = {"mqscope",         "-t",           "a/#", "-L",
	                "mqtt://one:1884", "-k",           "5",   "--profile=two",
	                "--url",           "mqtt://three", NULL};
	char **out[OPTIONS_MAX_BROKERS];
	const char *want[3][7] = {
	    {"mqscope", "-t", "a/#", "-k", "5", "-L", "mqtt://one:1884"},
	    {"mqscope", "-t", "a/#", "-k", "5", "--profile=two", NULL},
	    {"mqscope", "-t", "a/#", "-k", "5", "--url", "mqtt://three"},
	};

	(void)state;
	assert_int_equal(options_split_brokers(10, argv, out, OPTIONS_MAX_BROKERS), 3);
	for (size_t b = 0; b < 3; b++) {
		size_t i = 0;

		for (; i < 7 && want[b][i]; i++)
			assert_string_equal(out[b][i], want[b][i]);
		assert_null(out[b][i]);
		options_free_argv(out[b]);
	}
	/* One broker: nothing to split, the line is used as it is. */
	assert_int_equal(options_split_brokers(5, argv, out, OPTIONS_MAX_BROKERS), 1);
	/* Past the most: said, nothing made. */
	assert_int_equal(options_split_brokers(10, argv, out, 2), 3);
}

static void unit__brokers__profile_lists_brokers(void **state)
{
	struct settings s[OPTIONS_MAX_BROKERS];
	char *argv[] = {"mqscope", "--config", conf, "--profile", "site", "-k", "7", NULL};
	char err[512];
	size_t n = 0;
	FILE *saved_err = stderr;
	int rc;

	(void)state;
	write_conf("profiles = {\n"
	           "  house = { host = \"house.example\"; port = 1884; };\n"
	           "  cloud = { url = \"mqtt://cloud.example:1885\"; };\n"
	           "  site = { brokers = [\"house\", \"cloud\"]; };\n"
	           "};\n");
	rc = connect_opts_load_brokers(s, OPTIONS_MAX_BROKERS, &n, 7, argv, NULL);
	assert_int_equal(rc, -1);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].host, "house.example");
	assert_int_equal(s[0].port, 1884);
	assert_string_equal(s[0].profile, "house");
	assert_string_equal(s[1].host, "cloud.example");
	assert_int_equal(s[1].port, 1885);
	assert_string_equal(s[1].profile, "cloud");
	/* The rest of the line is every broker's. */
	assert_int_equal(s[0].keepalive, 7);
	assert_int_equal(s[1].keepalive, 7);
	for (size_t i = 0; i < n; i++)
		settings_free(&s[i]);

	/* A name that is no profile: file and line. */
	write_conf("profiles = {\n"
	           "  house = { host = \"house.example\"; };\n"
	           "  site = { brokers = [\"house\", \"nope\"]; };\n"
	           "};\n");
	settings_init(&s[0]);
	assert_int_equal(config_load_file(&s[0], conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: 'brokers': no profile 'nope'"));
	settings_free(&s[0]);

	/* A listed profile that lists brokers itself. */
	write_conf("profiles = {\n"
	           "  a = { brokers = [\"b\"]; };\n"
	           "  b = { brokers = [\"a\"]; };\n"
	           "};\n");
	settings_init(&s[0]);
	assert_int_equal(config_load_file(&s[0], conf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lists brokers itself"));
	settings_free(&s[0]);

	/* A profile of brokers beside another --profile: refused, not half done. */
	write_conf("profiles = {\n"
	           "  house = { host = \"house.example\"; };\n"
	           "  site = { brokers = [\"house\"]; };\n"
	           "};\n");
	char *two[] = {"mqscope", "--config",  conf,    "--profile",
	               "site",    "--profile", "house", NULL};
	stderr = fopen("/dev/null", "w");
	rc = connect_opts_load_brokers(s, OPTIONS_MAX_BROKERS, &n, 7, two, NULL);
	fclose(stderr);
	stderr = saved_err;
	assert_int_equal(rc, 2);
	for (size_t i = 0; i < n; i++)
		settings_free(&s[i]);
}

/* Puts one message of len bytes into a broker's ring, as its network thread would; retain: with
 * the flag, as a broker sends what it holds on subscribing. */
static void put_as(struct app_link *l, const char *topic, const void *payload, size_t len,
                   int64_t time_ms, bool retain)
{
	struct msg_head h = {.time_ms = time_ms,
	                     .topic_len = (uint32_t)strlen(topic),
	                     .len = (uint32_t)len,
	                     .orig_len = (uint32_t)len,
	                     .retain = retain};
	size_t size = msg_record_size(h.topic_len, h.len, 0);
	void *rec = ring_try_reserve(l->ring, size);

	assert_non_null(rec);
	msg_write(rec, &h, topic, payload, NULL);
	ring_commit(l->ring);
}

static void put_bytes(struct app_link *l, const char *topic, const void *payload, size_t len,
                      int64_t time_ms)
{
	put_as(l, topic, payload, len, time_ms, false);
}

static void put(struct app_link *l, const char *topic, const char *payload, int64_t time_ms)
{
	put_as(l, topic, payload, strlen(payload), time_ms, false);
}

static void put_retained(struct app_link *l, const char *topic, const char *payload,
                         int64_t time_ms)
{
	put_as(l, topic, payload, strlen(payload), time_ms, true);
}

/* Two brokers on one app, offline, the second labelled cloud_one:1884. */
static void two_brokers(struct app *a, struct settings s[2])
{
	for (int i = 0; i < 2; i++) {
		settings_init(&s[i]);
		settings_set_str(&s[i].host, "127.0.0.1");
		s[i].port = 1883 + i;
	}
	settings_set_str(&s[1].host, "cloud/one"); /* a '/' never makes a level of its own */
	assert_int_equal(app_init(a, &s[0], true), 0);
	assert_false(a->several);
	assert_int_equal(app_add_broker(a, &s[1]), 0);
	assert_true(a->several);
}

static void unit__brokers__memory_said_per_broker(void **state)
{
	struct settings s[2];
	struct app a;
	char payload[600], topic[32];
	size_t one, two, own;
	bool more;

	(void)state;
	two_brokers(&a, s);
	/* one broker alone: its figure is the whole */
	memset(payload, 'v', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	for (int i = 0; i < 50; i++) {
		snprintf(topic, sizeof(topic), "big/%d", i);
		put(&a.link[0], topic, payload, 1000);
	}
	put(&a.link[1], "small/one", "1", 1000);
	put(&a.link[1], "small/two", "2", 1000);
	assert_int_equal(app_drain(&a, 100, &more), 52);
	one = app_link_mem_bytes(&a, &a.link[0]);
	two = app_link_mem_bytes(&a, &a.link[1]);
	/* The parts add up to the total; each holds what it took in, the first far more. */
	assert_int_equal(one + two, app_mem_bytes(&a));
	assert_true(two > 0);
	assert_true(one > two);
	own = tree_branch_bytes(a.tree, app_link_root(&a, &a.link[0]));
	assert_true(own > 50 * 599);
	assert_true(one >= own);

	/* Waiting in its ring counts too. */
	put(&a.link[1], "small/three", payload, 1000);
	assert_true(app_link_mem_bytes(&a, &a.link[1]) > two);
	assert_int_equal(app_link_mem_bytes(&a, &a.link[0]) + app_link_mem_bytes(&a, &a.link[1]),
	                 app_mem_bytes(&a));
	assert_int_equal(app_drain(&a, 100, &more), 1);
	two = app_link_mem_bytes(&a, &a.link[1]);

	/* Clearing the first broker's topics (empty retained messages) lowers its figure. */
	for (int i = 0; i < 50; i++) {
		snprintf(topic, sizeof(topic), "big/%d", i);
		put_retained(&a.link[0], topic, "", 2000);
	}
	assert_int_equal(app_drain(&a, 100, &more), 50);
	assert_true(tree_branch_bytes(a.tree, app_link_root(&a, &a.link[0])) < own - 50 * 599);
	assert_true(app_link_mem_bytes(&a, &a.link[0]) < one);
	assert_int_equal(app_link_mem_bytes(&a, &a.link[0]) + app_link_mem_bytes(&a, &a.link[1]),
	                 app_mem_bytes(&a));
	app_free(&a);

	/* One broker: the whole, as before. */
	settings_free(&s[1]);
	assert_int_equal(app_init(&a, &s[0], true), 0);
	put(&a.link[0], "a/b", "c", 1000);
	assert_int_equal(app_drain(&a, 100, &more), 1);
	assert_int_equal(app_link_mem_bytes(&a, &a.link[0]), app_mem_bytes(&a));
	app_free(&a);
	settings_free(&s[0]);
}

static void unit__brokers__bridge_delay_from_live_messages_only(void **state)
{
	struct settings s[2];
	struct app a;
	struct compare c;
	bool more;

	(void)state;
	two_brokers(&a, s);
	/* held by both and sent on subscribing, seconds apart: no delay of the bridge in that */
	put_retained(&a.link[0], "house/lamp", "ON", 1000);
	put_retained(&a.link[1], "house/lamp", "ON", 4000);
	/* on one broker retained, the other live: no delay either */
	put_retained(&a.link[0], "house/fan", "1", 1000);
	put(&a.link[1], "house/fan", "1", 1500);
	/* live on both: the bridge's delay */
	put(&a.link[0], "house/door", "open", 5000);
	put(&a.link[1], "house/door", "open", 5030);
	assert_int_equal(app_drain(&a, 100, &more), 6);
	assert_int_equal(compare_build(&a, TREE_ROOT, 1000, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.rows[0].topic, "house/door");
	assert_int_equal(c.rows[0].state, COMPARE_SAME);
	assert_int_equal(c.rows[0].delay_ms, 30);
	assert_string_equal(c.rows[1].topic, "house/fan");
	assert_int_equal(c.rows[1].state, COMPARE_SAME);
	assert_int_equal(c.rows[1].delay_ms, -1);
	assert_string_equal(c.rows[2].topic, "house/lamp");
	assert_int_equal(c.rows[2].state, COMPARE_SAME);
	assert_int_equal(c.rows[2].delay_ms, -1);
	compare_free(&c);

	/* Once the retained topic changes live through the bridge, its delay is measured. */
	put(&a.link[0], "house/lamp", "OFF", 6000);
	put(&a.link[1], "house/lamp", "OFF", 6008);
	assert_int_equal(app_drain(&a, 100, &more), 2);
	assert_int_equal(compare_build(&a, TREE_ROOT, 1000, &c), 0);
	assert_string_equal(c.rows[2].topic, "house/lamp");
	assert_int_equal(c.rows[2].delay_ms, 8);
	compare_free(&c);
	app_free(&a);
	for (int i = 0; i < 2; i++)
		settings_free(&s[i]);
}

static void unit__brokers__branches_topics_and_compare(void **state)
{
	struct settings s[2];
	struct app a;
	struct compare c;
	char buf[64], rec[200], line[512];
	FILE *f;
	int lamps = 0;
	bool more;
	tree_id id;

	(void)state;
	snprintf(rec, sizeof(rec), "%s/recording", dir);
	two_brokers(&a, s);
	a.recorder = recorder_open(rec, NULL, 0);
	assert_non_null(a.recorder);
	assert_string_equal(a.link[0].label, "127.0.0.1:1883");
	assert_string_equal(a.link[1].label, "cloud_one:1884");

	put(&a.link[0], "house/lamp", "ON", 1000);
	put(&a.link[1], "house/lamp", "ON", 1012); /* over the bridge, 12 ms later */
	put(&a.link[0], "house/door", "open", 1000);
	put(&a.link[1], "house/door", "shut", 1000);
	put(&a.link[0], "local/only", "7", 1000);
	assert_int_equal(app_drain(&a, 100, &more), 5);
	assert_false(more);
	assert_int_equal(a.link[0].ingested, 3);
	assert_int_equal(a.link[1].ingested, 2);

	/* Each under its branch; the topic as its broker has it. */
	id = app_find(&a, &a.link[1], "house/lamp");
	assert_int_not_equal(id, TREE_NONE);
	assert_ptr_equal(app_link_of(&a, id), &a.link[1]);
	assert_int_equal(app_topic(&a, id, buf, sizeof(buf)), strlen("house/lamp"));
	assert_string_equal(buf, "house/lamp");
	/* A buffer too short still gets the length (as tree_path does). */
	assert_int_equal(app_topic(&a, id, buf, 4), strlen("house/lamp"));
	assert_string_equal(buf, "hou");
	assert_int_equal(app_find(&a, &a.link[1], "local/only"), TREE_NONE);
	assert_int_equal(app_link_root(&a, &a.link[0]),
	                 tree_find(a.tree, "127.0.0.1:1883", strlen("127.0.0.1:1883")));

	/* Everything of both brokers, topic by topic. */
	assert_int_equal(compare_build(&a, app_link_root(&a, &a.link[0]), 1000, &c), 0);
	assert_string_equal(c.base, "");
	assert_int_equal(c.n, 3);
	assert_string_equal(c.rows[0].topic, "house/door");
	assert_int_equal(c.rows[0].state, COMPARE_DIFFERENT);
	assert_string_equal(c.rows[1].topic, "house/lamp");
	assert_int_equal(c.rows[1].state, COMPARE_SAME);
	assert_int_equal(c.rows[1].delay_ms, 12);
	assert_string_equal(c.rows[2].topic, "local/only");
	assert_int_equal(c.rows[2].state, COMPARE_MISSING);
	assert_int_equal(c.rows[2].id[1], TREE_NONE);
	assert_int_equal(c.same, 1);
	assert_int_equal(c.different, 1);
	assert_int_equal(c.missing, 1);
	compare_free(&c);

	/* One branch of it: the same branch on the other broker. */
	assert_int_equal(compare_build(&a, app_find(&a, &a.link[1], "house"), 1000, &c), 0);
	assert_string_equal(c.base, "house");
	assert_int_equal(c.n, 2);
	assert_false(c.truncated);
	compare_free(&c);
	/* A walk bound that bites is said. */
	assert_int_equal(compare_build(&a, app_find(&a, &a.link[1], "house"), 2, &c), 0);
	assert_true(c.truncated);
	compare_free(&c);

	/* A recording keeps each message under its broker's branch. */
	recorder_flush(a.recorder);
	f = fopen(rec, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		lamps += strstr(line, "\"127.0.0.1:1883/house/lamp\"") != NULL ||
		         strstr(line, "\"cloud_one:1884/house/lamp\"") != NULL;
	fclose(f);
	assert_int_equal(lamps, 2);
	unlink(rec);

	app_free(&a);
	for (int i = 0; i < 2; i++)
		settings_free(&s[i]);
}

/*
 * A recording of several brokers replays as several: each message under its
 * broker, read with that broker's decoders, so Sparkplug B DATA by alias is
 * named from the BIRTH its own broker sent.
 */
static void unit__brokers__replay_decodes_per_broker(void **state)
{
	static const char *const spb[][2] = {
	    {"spBv1.0/Plant1/NBIRTH/Edge1", "sparkplug/plant-1.pb"},
	    {"spBv1.0/Plant1/DBIRTH/Edge1/Pump1", "sparkplug/plant-2.pb"},
	    {"spBv1.0/Plant1/DDATA/Edge1/Pump1", "sparkplug/plant-3.pb"},
	};
	struct settings s[2], s2;
	struct app a, b;
	struct decoded d;
	char rec[200], err[256], line[4096];
	const char *ddata = "cloud:1884/spBv1.0/Plant1/DDATA/Edge1/Pump1";
	int64_t next = 0;
	size_t len;
	bool more, marked = false;
	FILE *f;
	tree_id id;

	(void)state;
	snprintf(rec, sizeof(rec), "%s/several.rec", dir);
	for (int i = 0; i < 2; i++) {
		settings_init(&s[i]);
		settings_set_str(&s[i].host, i ? "cloud" : "127.0.0.1");
		s[i].port = 1883 + i;
	}
	assert_int_equal(app_init(&a, &s[0], true), 0);
	assert_int_equal(app_add_broker(&a, &s[1]), 0);
	a.recorder = recorder_open(rec, NULL, 0);
	put(&a.link[0], "house/lamp", "ON", 1000);
	for (int i = 0; i < 3; i++) {
		uint8_t *p = vector(spb[i][1], &len);

		put_bytes(&a.link[1], spb[i][0], p, len, 1001 + i);
		free(p);
	}
	assert_int_equal(app_drain(&a, 100, &more), 4);
	/* Live: the DATA's alias named from its broker's BIRTH. */
	id = tree_find(a.tree, ddata, strlen(ddata));
	assert_int_not_equal(id, TREE_NONE);
	decoded_read(&a.dec, a.tree, id, tree_value(a.tree, id, 0), false, &d);
	assert_int_equal(d.choice.format, DECODE_SPARKPLUG);
	assert_non_null(strstr(d.json, "\"Speed\""));
	decoded_free(&d);
	recorder_close(a.recorder);
	a.recorder = NULL;
	app_free(&a);

	/* Each line says its broker; its topic keeps the branch, for readers that ignore it. */
	f = fopen(rec, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		marked |=
		    strstr(line, "\"broker\":\"cloud:1884\",\"topic\":\"cloud:1884/spBv1.0/") !=
		    NULL;
	fclose(f);
	assert_true(marked);

	/* Replayed into an app of no broker: the same branches, the same decoding. */
	settings_init(&s2);
	assert_int_equal(app_init(&b, &s2, true), 0);
	b.replay = replay_open(rec, 0, err, sizeof(err));
	assert_non_null(b.replay);
	for (int steps = 0; steps < 100 && next != REPLAY_DONE; steps++)
		next = replay_step(b.replay, &b, 1000, 4);
	assert_true(next == REPLAY_DONE);
	assert_true(b.several);
	assert_int_equal(b.nlinks, 2);
	assert_string_equal(b.link[0].label, "127.0.0.1:1883");
	assert_string_equal(b.link[1].label, "cloud:1884");
	assert_int_equal(b.link[1].ingested, 3);
	assert_int_not_equal(tree_find(b.tree, "127.0.0.1:1883/house/lamp", 25), TREE_NONE);
	id = tree_find(b.tree, ddata, strlen(ddata));
	assert_int_not_equal(id, TREE_NONE);
	assert_ptr_equal(app_link_of(&b, id), &b.link[1]);
	decoded_read(&b.dec, b.tree, id, tree_value(b.tree, id, 0), false, &d);
	assert_int_equal(d.choice.format, DECODE_SPARKPLUG);
	assert_non_null(strstr(d.json, "\"Speed\""));
	assert_non_null(strstr(d.json, "\"Running\""));
	decoded_free(&d);
	app_free(&b);
	unlink(rec);
	settings_free(&s2);
	for (int i = 0; i < 2; i++)
		settings_free(&s[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__brokers__command_line_split_per_broker),
	    cmocka_unit_test(unit__brokers__profile_lists_brokers),
	    cmocka_unit_test(unit__brokers__branches_topics_and_compare),
	    cmocka_unit_test(unit__brokers__memory_said_per_broker),
	    cmocka_unit_test(unit__brokers__bridge_delay_from_live_messages_only),
	    cmocka_unit_test(unit__brokers__replay_decodes_per_broker),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
