/* fuzz_replay.c: recording lines from arbitrary bytes are read safely, what is read writes back to
 * a line that reads the same, and a whole recording file (any line breaks, blank lines, junk) is
 * replayed into the tree with every non-blank line either fed or counted as bad. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/filter.h"
#include "mqscope/logfmt.h"
#include "mqscope/msg.h"
#include "mqscope/record.h"
#include "mqscope/recorder.h"
#include "mqscope/replay.h"
#include "mqscope/silence.h"
#include "mqscope/stream.h"
#include "mqscope/timing.h"
#include "mqscope/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless two parsed records hold the same message. */
static void same_or_abort(const struct record_msg *m, const struct record_msg *again)
{
	if (again->h.topic_len != m->h.topic_len || again->h.len != m->h.len ||
	    again->h.orig_len != m->h.orig_len || again->h.qos != m->h.qos ||
	    again->h.retain != m->h.retain || again->h.props_len != m->h.props_len ||
	    again->h.time_ms != m->h.time_ms ||
	    memcmp(again->topic, m->topic, m->h.topic_len) != 0 ||
	    (m->h.len && memcmp(again->payload, m->payload, m->h.len) != 0) ||
	    (m->h.props_len && memcmp(again->props, m->props, m->h.props_len) != 0))
		abort();
}

/* The line made safe for a terminal (mqscope log --json): nothing a terminal acts on, read back. */
static void safe_line(const char *line, size_t n, struct record_msg *out)
{
	char *safe = NULL;
	size_t slen = 0;
	FILE *f = open_memstream(&safe, &slen);

	logfmt_json_safe(f, line, n);
	fclose(f);
	for (size_t i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)safe[i];

		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < slen && (unsigned char)safe[i + 1] < 0xa0))
			abort();
	}
	if (!record_parse(safe, slen, out))
		abort();
	free(safe);
}

/* The input as one line: parse, format, parse again. */
static void one_line(const uint8_t *data, size_t size)
{
	struct record_msg m, again;
	struct msg_view v;
	char *line = NULL;
	size_t cap = 0, n;

	if (!record_parse((const char *)data, size, &m))
		return;
	record_msg_view(&m, &v);
	n = record_format(&v, &line, &cap);
	if (n == 0 || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		abort();
	if (!record_parse(line, n - 1, &again))
		abort();
	same_or_abort(&m, &again);
	record_msg_free(&again);
	/* Made safe for a terminal: the same message. */
	safe_line(line, n - 1, &again);
	same_or_abort(&m, &again);
	record_msg_free(&again);
	record_msg_free(&m);
	free(line);
}

/* Lines replay_step must account for: those not blank once their line break is stripped. */
static uint64_t count_lines(const uint8_t *data, size_t size)
{
	uint64_t n = 0;
	size_t i = 0;

	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t end = nl ? (size_t)(nl - data) : size, e = end;

		while (e > i && data[e - 1] == '\r')
			e--;
		n += e > i;
		i = end + 1;
	}
	return n;
}

static char rec_path[64];

static void remove_recording(void)
{
	unlink(rec_path);
}

/* An empty regular file for the recorder (it refuses devices such as /dev/null). */
static const char *recording_path(void)
{
	if (rec_path[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		int fd;

		snprintf(rec_path, sizeof(rec_path), "%s/fuzz-replay-XXXXXX",
		         tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		fd = mkstemp(rec_path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_recording);
	}
	if (truncate(rec_path, 0) != 0)
		abort();
	return rec_path;
}

/* The input as a recording file, replayed all at once into a tree with a filter and a recorder. */
static void whole_file(const uint8_t *data, size_t size)
{
	struct settings cfg;
	struct app a;
	struct replay *r;
	char path[64], err[256];
	struct tree_limits lim = {
	    .max_topics = 128, .payload_cap = 64, .history = 2, .value_budget = 8192};
	struct silence_cfg sc = {.factor = 2.5, .floor_ms = 100, .samples = 2};
	int fd = memfd_create("fuzz-replay", MFD_CLOEXEC);
	int64_t now = 1000;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	settings_init(&cfg);
	memset(&a, 0, sizeof(a));
	a.cfg = &cfg;
	a.tree = tree_new(&lim);
	a.timing = timing_new();
	a.silence = silence_new(&sc);
	a.watches = watch_new(true);
	a.stream = stream_new(64 * 1024, 0);
	watch_add(a.watches, NULL, "#", NULL, "> 1", -1, err, sizeof(err));
	a.filter = filter_new(size & 1 ? "p:on" : "+/#", err, sizeof(err));
	a.recorder = recorder_open(recording_path(), err, sizeof(err));
	if (a.filter == NULL || a.recorder == NULL)
		abort();
	filter_apply(a.filter, a.tree);
	r = replay_open(path, 0, err, sizeof(err));
	if (r == NULL)
		abort();
	a.replay = r;
	for (int i = 0; i < 100000 && !replay_finished(r); i++)
		replay_step(r, &a, now++, 7);
	if (!replay_finished(r) || replay_percent(r) != 100)
		abort();
	if (replay_fed(r) + replay_bad_lines(r) != count_lines(data, size))
		abort();
	if (a.ingested != replay_fed(r) || recorder_count(a.recorder) != replay_fed(r))
		abort();
	replay_close(r);
	recorder_close(a.recorder);
	filter_free(a.filter);
	stream_free(a.stream);
	watch_free(a.watches);
	silence_free(a.silence);
	timing_free(a.timing);
	tree_free(a.tree);
	settings_free(&cfg);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	one_line(data, size);
	whole_file(data, size);
	return 0;
}
