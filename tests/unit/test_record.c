/* test_record.c: JSON-lines recording and replay: exact round trips, binary, properties, pacing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/msg.h"
#include "mqscope/options.h"
#include "mqscope/record.h"
#include "mqscope/recorder.h"
#include "mqscope/replay.h"
#include "mqscope/settings.h"
#include "mqscope/tree.h"

struct sample {
	const char *topic;
	size_t tlen;
	const char *payload;
	size_t len;
	uint32_t orig_len;
	uint8_t qos, retain;
	bool props;
};

static const struct sample samples[] = {
    {"house/bulbs/bulb1", 17, "ON", 2, 2, 1, 1, false},
    {"sensors/kitchen/temperature", 27,
     "{\"value\":21.5,\"unit\":\"\xc2\xb0"
     "C\"}",
     27, 27, 0, 0, true},
    {"devices/camera1/snapshot", 24, "\x89PNG\r\n\x1a\n\0\x01\xff\xfe", 12, 12, 0, 1, false},
    {"quotes", 6, "say \"hi\"\\ \n\ttab \x1b[2J \x7f", 22, 22, 2, 0, false},
    {"big/truncated", 13, "first 16 bytes!!", 16, 5000000, 0, 0, false},
    {"bad/\xff\xfe/topic", 12, "", 0, 0, 0, 1, false},
    {"nul/in/text", 11, "a\0b", 3, 3, 1, 0, false},
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

/* Encodes the MQTT 5 properties used by the samples that have them. */
static size_t sample_props(uint8_t *buf, size_t cap)
{
	size_t off = 0;

	assert_true(props_put_num(buf, cap, &off, PROP_PAYLOAD_FORMAT, 1));
	assert_true(props_put_num(buf, cap, &off, PROP_MESSAGE_EXPIRY, 60));
	assert_true(props_put_str(buf, cap, &off, PROP_CONTENT_TYPE, "application/json", 16));
	assert_true(props_put_str(buf, cap, &off, PROP_RESPONSE_TOPIC, "reply/here", 10));
	assert_true(props_put_str(buf, cap, &off, PROP_CORRELATION_DATA, "\x00\x01\xff", 3));
	assert_true(props_put_num(buf, cap, &off, PROP_SUBSCRIPTION_ID, 7));
	assert_true(props_put_num(buf, cap, &off, PROP_SUBSCRIPTION_ID, 9));
	assert_true(props_put_pair(buf, cap, &off, "k1", 2, "v1", 2));
	assert_true(props_put_pair(buf, cap, &off, "k\"2", 3, "\xff", 1));
	return off;
}

static void view_of(const struct sample *s, int64_t t, struct msg_head *h, uint8_t *props,
                    struct msg_view *v)
{
	memset(h, 0, sizeof(*h));
	h->time_ms = t;
	h->topic_len = (uint32_t)s->tlen;
	h->len = (uint32_t)s->len;
	h->orig_len = s->orig_len;
	h->qos = s->qos;
	h->retain = s->retain;
	h->props_len = s->props ? (uint32_t)sample_props(props, 512) : 0;
	v->h = h;
	v->topic = s->topic;
	v->payload = s->payload;
	v->props = props;
}

static void unit__record__line_round_trip(void **state)
{
	char *line = NULL;
	size_t cap = 0;
	uint8_t props[512];

	(void)state;
	for (size_t i = 0; i < NSAMPLES; i++) {
		struct msg_head h;
		struct msg_view v;
		struct record_msg m;
		size_t n;

		view_of(&samples[i], 1732240203535 + (int64_t)i, &h, props, &v);
		n = record_format(&v, &line, &cap);
		assert_true(n > 0 && line[n - 1] == '\n');
		assert_null(memchr(line, '\n', n - 1)); /* one line per message */
		assert_true(record_parse(line, n - 1, &m));
		assert_int_equal(m.h.time_ms, h.time_ms);
		assert_int_equal(m.h.topic_len, h.topic_len);
		assert_memory_equal(m.topic, samples[i].topic, h.topic_len);
		assert_int_equal(m.h.len, h.len);
		if (h.len)
			assert_memory_equal(m.payload, samples[i].payload, h.len);
		assert_int_equal(m.h.orig_len, h.orig_len);
		assert_int_equal(m.h.qos, h.qos);
		assert_int_equal(m.h.retain, h.retain);
		assert_int_equal(m.h.props_len, h.props_len);
		if (h.props_len)
			assert_memory_equal(m.props, props, h.props_len);
		record_msg_free(&m);
	}
	/* Text stays readable; binary is base64. */
	struct msg_head h;
	struct msg_view v;
	view_of(&samples[0], 5, &h, props, &v);
	record_format(&v, &line, &cap);
	assert_string_equal(line, "{\"time\":5,\"topic\":\"house/bulbs/bulb1\",\"qos\":1,"
	                          "\"retain\":true,\"payload\":\"ON\"}\n");
	view_of(&samples[2], 5, &h, props, &v);
	record_format(&v, &line, &cap);
	assert_non_null(strstr(line, "\"payload_base64\":\"iVBORw0KGgoAAf/+\""));

	/* Lines that are not records are refused, not half-read. */
	struct record_msg m;
	const char *bad[] = {
	    "",
	    "not json",
	    "[1,2]",
	    "{\"topic\":\"a\",\"payload\":\"b\"}",
	    "{\"time\":1,\"payload\":\"b\"}",
	    "{\"time\":1,\"topic\":\"a\"}",
	    "{\"time\":-5,\"topic\":\"a\",\"payload\":\"b\"}",
	    "{\"time\":1,\"topic\":\"a\",\"payload_base64\":\"!!!\"}",
	    "{\"time\":1,\"topic\":\"a\",\"payload\":\"b\",\"props\":{\"user\":[{\"key\":\"x\"}]}}",
	    "{\"time\":1,\"topic\":\"a\",\"payload\":\"b\",\"props\":{\"subscription_ids\":[-1]}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(record_parse(bad[i], strlen(bad[i]), &m));
	free(line);
}

/* Records n messages of about 100 bytes through the recorder, flushing every 10. */
static void record_some(struct recorder *r, int n)
{
	char payload[80];
	struct msg_head h = {0};
	struct msg_view v = {.h = &h, .topic = "rec/fault", .payload = payload};

	memset(payload, 'x', sizeof(payload));
	h.topic_len = 9;
	h.len = sizeof(payload);
	h.orig_len = h.len;
	for (int i = 0; i < n; i++) {
		h.time_ms = 1732240203000 + i;
		recorder_write(r, &v);
		if (i % 10 == 9)
			recorder_flush(r);
	}
	recorder_flush(r);
}

static void unit__record__unopenable_file_fails_without_stopping(void **state)
{
	char err[512];
	struct recorder *r = recorder_open("/nonexistent-dir/rec.jsonl", err, sizeof(err));

	(void)state;
	assert_non_null(r);
	assert_true(recorder_failed(r));
	assert_int_equal(recorder_error(r), ENOENT);
	assert_string_equal(err, "Not recording: cannot open /nonexistent-dir/rec.jsonl: No such "
	                         "file or directory");
	record_some(r, 5); /* ignored, nothing breaks */
	assert_int_equal(recorder_count(r), 0);
	recorder_close(r);
}

static void unit__record__refuses_devices_fifos_and_links(void **state)
{
	char dir[] = "/tmp/mqscope-record-XXXXXX", fifo[64], link[64], file[64], why[512];
	struct recorder *r;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* A device: refused at once (a write there would not be a recording). */
	r = recorder_open("/dev/full", why, sizeof(why));
	assert_true(recorder_failed(r));
	assert_string_equal(why, "Not recording: cannot open /dev/full: not a regular file");
	recorder_close(r);
	/* A FIFO nobody reads: refused without waiting for a reader. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10); /* a blocking open would hang the test */
	r = recorder_open(fifo, why, sizeof(why));
	alarm(0);
	assert_true(recorder_failed(r));
	assert_non_null(strstr(why, "not a regular file"));
	recorder_close(r);
	/* A symbolic link planted at the name is not followed. */
	snprintf(file, sizeof(file), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/rec.jsonl", dir);
	assert_int_equal(symlink(file, link), 0);
	r = recorder_open(link, why, sizeof(why));
	assert_true(recorder_failed(r));
	assert_non_null(strstr(why, "a symbolic link (not followed)"));
	recorder_close(r);
	assert_int_equal(access(file, F_OK), -1); /* nothing was created through it */
	/* A new recording is private. */
	unlink(link);
	r = recorder_open(link, why, sizeof(why));
	assert_false(recorder_failed(r));
	record_some(r, 3);
	recorder_close(r);
	assert_int_equal(lstat(link, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(link);
	unlink(fifo);
	assert_int_equal(rmdir(dir), 0);
}

/* Lines in the file at path; -1 when its last line is not complete. */
static long complete_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long lines = 0;
	int c, last = '\n';

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF) {
		if (c == '\n')
			lines++;
		last = c;
	}
	fclose(f);
	return last == '\n' ? lines : -1;
}

static void unit__record__failure_mid_run_keeps_complete_lines(void **state)
{
	char path[] = "/tmp/mqscope-record-XXXXXX";
	int fd = mkstemp(path);
	struct rlimit old, lim;
	char why[512];
	struct recorder *r;
	void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* The file may not grow past 4000 bytes: writes then fail with EFBIG, mid-line. */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = recorder_open(path, why, sizeof(why));
	record_some(r, 100);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_xfsz);

	assert_true(recorder_failed(r));
	assert_int_equal(recorder_error(r), EFBIG);
	/* The first batches made it; the file holds exactly those lines, none cut in half. */
	assert_true(recorder_count(r) > 0 && recorder_count(r) < 100);
	assert_int_equal(complete_lines(path), (long)recorder_count(r));
	recorder_describe(r, why, sizeof(why));
	assert_non_null(strstr(why, "File too large"));
	assert_non_null(strstr(why, path));
	/* Later messages are not written at all (no retry, no partial line). */
	uint64_t n = recorder_count(r);
	record_some(r, 10);
	assert_int_equal(recorder_count(r), n);
	recorder_close(r);
	assert_int_equal(complete_lines(path), (long)n);
	unlink(path);
}

static void make_app(struct app *a, struct settings *s, unsigned history)
{
	settings_init(s);
	s->history = history;
	assert_int_equal(app_init(a, s, true), 0);
}

static void unit__record__replay_rebuilds_the_same_tree(void **state)
{
	char path[] = "/tmp/mqscope-record-XXXXXX";
	int fd = mkstemp(path);
	char err[256];
	struct settings s1, s2;
	struct app a1, a2;
	uint8_t props[512];
	int64_t t0 = 1732240203000;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);

	/* Record every sample three times, as the drain path would. */
	make_app(&a1, &s1, 8);
	a1.recorder = recorder_open(path, err, sizeof(err));
	assert_non_null(a1.recorder);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < NSAMPLES; i++) {
			struct msg_head h;
			struct msg_view v;

			view_of(&samples[i], t0 + round * 1000 + (int64_t)i, &h, props, &v);
			app_ingest(&a1, &v, 0);
		}
	}
	recorder_flush(a1.recorder);
	assert_int_equal(recorder_count(a1.recorder), 3 * NSAMPLES);
	assert_false(recorder_failed(a1.recorder));
	/* A line of garbage in the middle of the file is skipped and counted. */
	FILE *f = fopen(path, "a");
	fputs("garbage\n\n", f);
	fclose(f);

	/* Replay everything at once into a fresh app. */
	make_app(&a2, &s2, 8);
	a2.replay = replay_open(path, 0, err, sizeof(err));
	assert_non_null(a2.replay);
	int64_t next = 0;
	for (int steps = 0; steps < 100 && next != REPLAY_DONE; steps++)
		next = replay_step(a2.replay, &a2, 1000, 4);
	assert_true(next == REPLAY_DONE);
	assert_true(replay_finished(a2.replay));
	assert_int_equal(replay_fed(a2.replay), 3 * NSAMPLES);
	assert_int_equal(replay_bad_lines(a2.replay), 1);
	assert_int_equal(replay_percent(a2.replay), 100);
	assert_int_equal(a2.ingested, 3 * NSAMPLES);

	/* Same topics, counts, flags, values, properties and times. */
	assert_int_equal(tree_node_count(a2.tree), tree_node_count(a1.tree));
	assert_int_equal(tree_topic_count(a2.tree), tree_topic_count(a1.tree));
	assert_int_equal(tree_msg_count(a2.tree), tree_msg_count(a1.tree));
	for (size_t i = 0; i < NSAMPLES; i++) {
		tree_id x = tree_find(a1.tree, samples[i].topic, samples[i].tlen);
		tree_id y = tree_find(a2.tree, samples[i].topic, samples[i].tlen);
		const struct tree_node *nx = tree_node(a1.tree, x), *ny;

		assert_int_not_equal(y, TREE_NONE);
		ny = tree_node(a2.tree, y);
		assert_int_equal(nx->msgs, ny->msgs);
		assert_int_equal(nx->flags, ny->flags);
		assert_int_equal(nx->last_ms, ny->last_ms);
		assert_int_equal(nx->hist_len, ny->hist_len);
		for (unsigned age = 0; age < nx->hist_len; age++) {
			const struct tree_value *vx = tree_value(a1.tree, x, age);
			const struct tree_value *vy = tree_value(a2.tree, y, age);

			assert_int_equal(vx->len, vy->len);
			assert_int_equal(vx->orig_len, vy->orig_len);
			assert_int_equal(vx->props_len, vy->props_len);
			assert_int_equal(vx->qos, vy->qos);
			assert_int_equal(vx->retained, vy->retained);
			assert_int_equal(vx->time_ms, vy->time_ms);
			assert_memory_equal(vx->data, vy->data, vx->len + vx->props_len);
		}
	}
	/* The replay clock follows the recording. */
	assert_int_equal(replay_now(a2.replay, 1000), t0 + 2000 + (int64_t)NSAMPLES - 1);

	app_free(&a1);
	app_free(&a2);
	settings_free(&s1);
	settings_free(&s2);
	unlink(path);
}

static void unit__record__replay_keeps_the_recorded_pace(void **state)
{
	char path[] = "/tmp/mqscope-pace-XXXXXX";
	int fd = mkstemp(path);
	char err[256], line[256];
	struct settings s;
	struct app a;
	int64_t next;

	(void)state;
	/* Three messages 0 s, 2 s and 10 s into the recording. */
	for (int i = 0; i < 3; i++) {
		int n = snprintf(line, sizeof(line),
		                 "{\"time\":%d,\"topic\":\"t/%d\",\"qos\":0,\"retain\":false,"
		                 "\"payload\":\"%d\"}\n",
		                 1000000 + (i == 0   ? 0
		                            : i == 1 ? 2000
		                                     : 10000),
		                 i, i);
		assert_int_equal(write(fd, line, (size_t)n), n);
	}
	close(fd);

	make_app(&a, &s, 1);
	a.replay = replay_open(path, 4, err, sizeof(err)); /* four times faster */
	assert_non_null(a.replay);
	next = replay_step(a.replay, &a, 50000, 100);
	assert_int_equal(replay_fed(a.replay), 1);
	assert_int_equal(next, 50000 + 500); /* 2 s of recording = 500 ms */
	next = replay_step(a.replay, &a, 50499, 100);
	assert_int_equal(replay_fed(a.replay), 1);
	next = replay_step(a.replay, &a, 50500, 100);
	assert_int_equal(replay_fed(a.replay), 2);
	assert_int_equal(next, 50000 + 2500);
	/* Between messages the clock runs at the replay speed. */
	assert_int_equal(replay_now(a.replay, 50600), 1000000 + 2000 + 400);
	next = replay_step(a.replay, &a, 60000, 100);
	assert_true(next == REPLAY_DONE);
	assert_int_equal(tree_topic_count(a.tree), 3);
	app_free(&a);
	settings_free(&s);
	unlink(path);

	/* A file that does not exist is an error with a reason. */
	assert_null(replay_open("/nonexistent/file.jsonl", 1, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
}

/* A file of one line of len bytes (sparse), after the lines in head. */
static void long_line_file(char *path, const char *head, off_t len)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	assert_int_equal(write(fd, "{", 1), 1);
	assert_int_equal(ftruncate(fd, (off_t)strlen(head) + len), 0);
	close(fd);
}

static void unit__record__replay_refuses_an_endless_line(void **state)
{
	char path[] = "/tmp/mqscope-replay-XXXXXX", err[512];
	struct settings s;
	struct app a;
	struct replay *r;

	(void)state;
	/* The first line is too long: the file is not a recording, said at once. */
	long_line_file(path, "", (off_t)65 << 20);
	assert_null(replay_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "line 1 is longer than 64.0 MiB (not a recording?)"));
	unlink(path);
	assert_null(replay_open("/dev/zero", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot replay /dev/zero: line 1 is longer than 64.0 MiB"));

	/* Later on: what came before is replayed, then the replay stops and says why. */
	strcpy(path, "/tmp/mqscope-replay-XXXXXX");
	long_line_file(path, "{\"time\":1,\"topic\":\"a\",\"payload\":\"1\"}\n", (off_t)65 << 20);
	r = replay_open(path, 0, err, sizeof(err));
	assert_non_null(r);
	make_app(&a, &s, 4);
	a.replay = r;
	assert_true(replay_step(r, &a, 1000, 100) == REPLAY_DONE);
	assert_int_equal(replay_fed(r), 1);
	assert_true(replay_describe_error(r, err, sizeof(err)) > 0);
	assert_non_null(strstr(err, "line 2 is longer than 64.0 MiB"));
	app_free(&a);
	settings_free(&s);
	unlink(path);
}

static void unit__record__options(void **state)
{
	struct settings s;
	char *ok[] = {"mqscope",  "--record",       "out.jsonl", "--replay",
	              "in.jsonl", "--replay-speed", "0"};
	char *bad[] = {"mqscope", "--replay-speed", "-1"};
	FILE *devnull = fopen("/dev/null", "w");

	(void)state;
	settings_init(&s);
	assert_true(s.replay_speed == 1);
	assert_int_equal(options_parse(7, ok, &s, devnull), OPTIONS_OK);
	assert_string_equal(s.record_path, "out.jsonl");
	assert_string_equal(s.replay_path, "in.jsonl");
	assert_true(s.replay_speed == 0);
	/* A replay is not a reason to start the demo broker. */
	settings_finish(&s);
	assert_false(s.demo);
	settings_free(&s);
	settings_init(&s);
	assert_int_equal(options_parse(3, bad, &s, devnull), OPTIONS_ERROR);
	settings_free(&s);
	fclose(devnull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__record__line_round_trip),
	    cmocka_unit_test(unit__record__replay_rebuilds_the_same_tree),
	    cmocka_unit_test(unit__record__replay_keeps_the_recorded_pace),
	    cmocka_unit_test(unit__record__options),
	    cmocka_unit_test(unit__record__unopenable_file_fails_without_stopping),
	    cmocka_unit_test(unit__record__refuses_devices_fifos_and_links),
	    cmocka_unit_test(unit__record__replay_refuses_an_endless_line),
	    cmocka_unit_test(unit__record__failure_mid_run_keeps_complete_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
