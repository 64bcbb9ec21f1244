/* safe_file.c: bounded reads, private writes that never follow a link, atomic rewrites. */
#define _GNU_SOURCE
#include "mqscope/safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/util.h"

#define READ_CHUNK ((size_t)64 << 10)

int safe_file_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = READ_CHUNK, n = 0;
	char *b = xmalloc(cap + 1);

	for (;;) {
		ssize_t r;

		if (n == cap) {
			/* Room for one byte past the bound, to know it is crossed. */
			size_t want = cap > max / 2 ? max + 1 : cap * 2;

			if (n > max) {
				free(b);
				errno = EFBIG;
				return -1;
			}
			cap = want;
			b = xrealloc(b, cap + 1);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(b);
		errno = EFBIG;
		return -1;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int safe_file_read(const char *path, size_t max, char **buf, size_t *len, char *err, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		snprintf(err, cap, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	rc = safe_file_read_fd(fd, max, buf, len);
	if (rc != 0) {
		char limit[32];

		fmt_bytes(limit, sizeof(limit), max);
		if (errno == EFBIG)
			snprintf(err, cap, "%s: larger than %s", path, limit);
		else
			snprintf(err, cap, "%s: cannot read: %s", path, strerror(errno));
	}
	close(fd);
	return rc;
}

int safe_file_open(const char *path, int flags)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | flags, 0600);

	if (fd < 0)
		return -1;
	/* O_NONBLOCK kept a FIFO from blocking the open; now it is refused. */
	if (fstat(fd, &st) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = ENXIO;
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

const char *safe_file_strerror(int err)
{
	if (err == ELOOP)
		return "a symbolic link (not followed)";
	if (err == ENXIO)
		return "not a regular file";
	return strerror(err);
}

int safe_replace_open(struct safe_replace *r, const char *path)
{
	struct stat st;
	mode_t mode = 0600;
	size_t n = strlen(path) + 16;
	int fd;

	memset(r, 0, sizeof(*r));
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
			errno = S_ISLNK(st.st_mode) ? ELOOP : ENXIO;
			return -1;
		}
		mode = st.st_mode & 07777;
	} else if (errno != ENOENT) {
		return -1;
	}
	r->tmp = xmalloc(n);
	snprintf(r->tmp, n, "%s.XXXXXX", path);
	/* A unique name, created exclusively: a link planted at a fixed name is never used. */
	fd = mkostemp(r->tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, mode) != 0 || (r->f = fdopen(fd, "w")) == NULL) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(r->tmp);
		}
		free(r->tmp);
		r->tmp = NULL;
		errno = e;
		return -1;
	}
	r->path = xstrdup(path);
	return 0;
}

int safe_replace_commit(struct safe_replace *r)
{
	int e = 0;

	if (fflush(r->f) != 0 || fsync(fileno(r->f)) != 0)
		e = errno;
	if (fclose(r->f) != 0 && e == 0)
		e = errno;
	r->f = NULL;
	if (e == 0 && rename(r->tmp, r->path) != 0)
		e = errno;
	if (e != 0)
		unlink(r->tmp);
	free(r->tmp);
	free(r->path);
	r->tmp = r->path = NULL;
	errno = e;
	return e ? -1 : 0;
}

void safe_replace_abort(struct safe_replace *r)
{
	if (r->f)
		fclose(r->f);
	if (r->tmp)
		unlink(r->tmp);
	free(r->tmp);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

void safe_lines_init(struct safe_lines *l, int fd, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->max = max;
}

void safe_lines_free(struct safe_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = l->start = l->end = l->scanned = 0;
}

int safe_lines_next(struct safe_lines *l, const char **line, size_t *len)
{
	for (;;) {
		char *nl = l->end > l->scanned
		               ? memchr(l->buf + l->scanned, '\n', l->end - l->scanned)
		               : NULL;
		ssize_t r;

		if (nl != NULL) {
			*line = l->buf + l->start;
			*len = (size_t)(nl - *line);
			l->start = l->scanned = (size_t)(nl - l->buf) + 1;
			if (*len > l->max) {
				errno = EFBIG;
				return -1;
			}
			return 1;
		}
		l->scanned = l->end;
		if (l->end - l->start > l->max) {
			errno = EFBIG;
			return -1;
		}
		if (l->eof) {
			if (l->end == l->start)
				return 0;
			*line = l->buf + l->start;
			*len = l->end - l->start;
			l->start = l->scanned = l->end;
			return 1;
		}
		/* Room to read more: move the partial line to the front, then grow (to max + 1). */
		if (l->start > 0 && l->end == l->cap) {
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->end -= l->start;
			l->scanned -= l->start;
			l->start = 0;
		}
		if (l->end == l->cap) {
			size_t ncap = l->cap ? l->cap * 2 : READ_CHUNK;

			if (ncap > l->max + 1)
				ncap = l->max + 1;
			l->buf = xrealloc(l->buf, ncap);
			l->cap = ncap;
		}
		r = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			l->eof = true;
		l->end += (size_t)r;
	}
}

int safe_make_parents(const char *path)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}
