/* recorder.c: --record: every message taken in appended to a file as a JSON line, whole lines only.
 */
#include "mqscope/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/record.h"
#include "mqscope/safe_file.h"
#include "mqscope/util.h"

/*
 * The recorder writes whole lines only, with write(2) on an O_APPEND
 * descriptor, so it always knows how much of the file is complete. When a
 * write fails (disk full, file too large, I/O error, the file system gone
 * read-only) recording stops for good, the file is cut back to its last
 * complete line and the reason is kept for the UI to tell, once; monitoring
 * goes on. Nothing is retried: a full disk would make every batch fail again.
 */
#define RECORD_BUF (64 * 1024)

struct recorder {
	int fd;
	char *path;
	char *buf; /* whole lines not written yet */
	size_t len, cap;
	char *line;
	size_t line_cap;
	off_t good;       /* bytes of the file that end with a complete line */
	uint64_t count;   /* messages whose line is in the file */
	uint64_t pending; /* messages in buf */
	int err;          /* errno of the failure, or 0 */
	bool open_failed; /* the file could not even be opened */
};

/* Stops recording for good: keeps the reason, cuts a partial line, closes the file. */
static void fail_with(struct recorder *r, int err)
{
	struct stat st;

	r->err = err ? err : EIO;
	r->pending = 0;
	r->len = 0;
	if (r->fd >= 0) {
		/* Best effort: a regular file is left holding complete lines only. */
		if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > r->good) {
			int rc = ftruncate(r->fd, r->good);

			(void)rc;
		}
		close(r->fd);
		r->fd = -1;
	}
}

struct recorder *recorder_open(const char *path, char *err, size_t cap)
{
	struct recorder *r = xcalloc(1, sizeof(*r));
	off_t end;

	r->path = xstrdup(path);
	/* It holds payloads: 0600 when new, never through a link, never a FIFO or device. */
	r->fd = safe_file_open(path, O_APPEND);
	if (r->fd < 0) {
		r->open_failed = true;
		fail_with(r, errno);
	} else if ((end = lseek(r->fd, 0, SEEK_END)) >= 0) {
		r->good = end;
	}
	if (err && cap) {
		err[0] = '\0';
		if (r->err)
			recorder_describe(r, err, cap);
	}
	return r;
}

/* Writes what is buffered; on a short write, what did reach the file is counted line by line. */
static void write_out(struct recorder *r)
{
	size_t off = 0, done = 0;

	while (off < r->len) {
		ssize_t n = write(r->fd, r->buf + off, r->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;

			/* The complete lines that made it stay recorded. */
			for (size_t i = 0; i < off; i++)
				if (r->buf[i] == '\n') {
					done = i + 1;
					r->count++;
					r->pending--;
				}
			r->good += (off_t)done;
			fail_with(r, e);
			return;
		}
		off += (size_t)n;
	}
	r->good += (off_t)r->len;
	r->count += r->pending;
	r->pending = 0;
	r->len = 0;
}

void recorder_write(struct recorder *r, const struct msg_view *v)
{
	recorder_write_from(r, v, NULL);
}

void recorder_write_from(struct recorder *r, const struct msg_view *v, const char *broker)
{
	size_t n;

	if (r->err)
		return;
	n = record_format_from(v, broker, broker ? strlen(broker) : 0, &r->line, &r->line_cap);
	if (r->len + n > r->cap) {
		if (r->len > 0 && r->len + n > RECORD_BUF) {
			write_out(r);
			if (r->err)
				return;
		}
		if (r->len + n > r->cap) {
			r->cap = r->len + n > RECORD_BUF ? r->len + n : RECORD_BUF;
			r->buf = xrealloc(r->buf, r->cap);
		}
	}
	memcpy(r->buf + r->len, r->line, n);
	r->len += n;
	r->pending++;
}

void recorder_flush(struct recorder *r)
{
	if (!r->err && r->len > 0)
		write_out(r);
}

void recorder_close(struct recorder *r)
{
	if (r == NULL)
		return;
	recorder_flush(r);
	if (r->fd >= 0 && close(r->fd) != 0 && !r->err)
		r->err = errno;
	free(r->path);
	free(r->buf);
	free(r->line);
	free(r);
}

uint64_t recorder_count(const struct recorder *r)
{
	return r->count;
}

bool recorder_failed(const struct recorder *r)
{
	return r->err != 0;
}

int recorder_error(const struct recorder *r)
{
	return r->err;
}

size_t recorder_describe(const struct recorder *r, char *buf, size_t cap)
{
	char count[48];
	int n;

	fmt_things(count, sizeof(count), r->count, "message", "messages");
	if (!r->err)
		n = snprintf(buf, cap, "Recording to %s: %s", r->path, count);
	else if (r->open_failed)
		n = snprintf(buf, cap, "Not recording: cannot open %s: %s", r->path,
		             safe_file_strerror(r->err));
	else
		n = snprintf(buf, cap, "Recording stopped after %s: %s (%s)", count,
		             strerror(r->err), r->path);
	return n < 0 ? 0 : (size_t)n;
}
