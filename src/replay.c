/* replay.c: --replay: a recording fed to the app at its recorded pace, or faster. */
#include "mqscope/replay.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/record.h"
#include "mqscope/recorder.h"
#include "mqscope/safe_file.h"
#include "mqscope/util.h"

#define REPLAY_LINE_MAX ((size_t)64 << 20)

struct replay {
	int fd;
	struct safe_lines lines;
	char *path;
	double speed;
	off_t size, pos;
	uint64_t lineno;
	int err;                /* why reading stopped early (EFBIG: a line too long), or 0 */
	struct record_msg next; /* read ahead: the next message to feed */
	bool have_next, eof;
	bool started;
	int64_t t0, mono0;         /* recording time and monotonic time of the first message */
	int64_t last_t, last_mono; /* of the last message fed */
	uint64_t fed, bad;
};

/*
 * Reads lines until the next message record; false at the end of the file,
 * or when a line is longer than REPLAY_LINE_MAX or reading fails (r->err):
 * the bound is checked while the line is read, so a file of one endless line
 * (/dev/zero) costs REPLAY_LINE_MAX of memory, not all there is.
 */
static bool read_next(struct replay *r)
{
	const char *line;
	size_t n;
	int got;

	r->have_next = false;
	while (!r->eof) {
		got = safe_lines_next(&r->lines, &line, &n);
		if (got <= 0) {
			r->eof = true;
			r->err = got < 0 ? errno : 0;
			break;
		}
		r->lineno++;
		r->pos += (off_t)n + 1;
		while (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (!record_parse(line, n, &r->next)) {
			r->bad++;
			continue;
		}
		r->have_next = true;
		return true;
	}
	return false;
}

struct replay *replay_open(const char *path, double speed, char *err, size_t cap)
{
	struct replay *r;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, cap, "cannot replay %s: %s", path, strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->path = xstrdup(path);
	safe_lines_init(&r->lines, fd, REPLAY_LINE_MAX);
	r->speed = speed > 0 && isfinite(speed) ? speed : 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		r->size = st.st_size;
	read_next(r);
	if (r->err && !r->have_next) {
		replay_describe_error(r, err, cap);
		replay_close(r);
		return NULL;
	}
	return r;
}

size_t replay_describe_error(const struct replay *r, char *buf, size_t cap)
{
	char limit[32];
	int n;

	fmt_bytes(limit, sizeof(limit), REPLAY_LINE_MAX);
	if (r->err == 0)
		n = snprintf(buf, cap, "%s", "");
	else if (r->err == EFBIG)
		n = snprintf(buf, cap,
		             "cannot replay %s: line %llu is longer than %s (not a recording?)",
		             r->path, (unsigned long long)r->lineno + 1, limit);
	else
		n = snprintf(buf, cap, "cannot replay %s: %s", r->path, strerror(r->err));
	return n < 0 ? 0 : (size_t)n;
}

void replay_close(struct replay *r)
{
	if (r == NULL)
		return;
	safe_lines_free(&r->lines);
	close(r->fd);
	free(r->path);
	record_msg_free(&r->next);
	free(r);
}

/* When the read-ahead message is due on the monotonic clock. */
static int64_t due(const struct replay *r)
{
	double dt;

	if (r->speed == 0 || !r->started || r->next.h.time_ms <= r->t0)
		return r->started ? r->mono0 : INT64_MIN;
	dt = (double)(r->next.h.time_ms - r->t0) / r->speed;
	return r->mono0 + (int64_t)dt;
}

int64_t replay_step(struct replay *r, struct app *a, int64_t now_mono, size_t max)
{
	size_t n = 0;

	while (r->have_next && n < max) {
		struct msg_view v;

		if (!r->started) {
			r->started = true;
			r->t0 = r->next.h.time_ms;
			r->mono0 = now_mono;
		}
		if (due(r) > now_mono)
			break;
		record_msg_view(&r->next, &v);
		app_ingest_from(a, r->next.broker, r->next.broker_len, &v, now_mono);
		r->last_t = r->next.h.time_ms;
		r->last_mono = now_mono;
		r->fed++;
		n++;
		record_msg_free(&r->next);
		read_next(r);
	}
	if (n && a->recorder)
		recorder_flush(a->recorder);
	if (r->have_next)
		return due(r) > now_mono ? due(r)
		                         : now_mono; /* now_mono: more are due, come back soon */
	return REPLAY_DONE;
}

int64_t replay_now(const struct replay *r, int64_t now_mono)
{
	double speed = r->speed > 0 ? r->speed : 1;

	if (r->fed == 0)
		return clock_wall_ms();
	return r->last_t + (int64_t)((double)(now_mono - r->last_mono) * speed);
}

bool replay_finished(const struct replay *r)
{
	return !r->have_next;
}

uint64_t replay_fed(const struct replay *r)
{
	return r->fed;
}

uint64_t replay_bad_lines(const struct replay *r)
{
	return r->bad;
}

double replay_speed(const struct replay *r)
{
	return r->speed;
}

int replay_percent(const struct replay *r)
{
	if (!r->have_next)
		return 100;
	if (r->size <= 0)
		return 0;
	return (int)(r->pos * 100 / r->size);
}
