/* safe_file.h: files mqscope reads (with a size bound) and writes (private, never through a link).
 */
#ifndef MQSCOPE_SAFE_FILE_H
#define MQSCOPE_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Reads all of path into a new NUL-terminated buffer. More than max bytes is
 * an error found while reading, so a device (/dev/zero) or a file that keeps
 * growing never makes it allocate more than max + 1. Returns 0, or -1 with
 * "PATH: why" in err ("larger than 16 MiB" for the bound).
 */
int safe_file_read(const char *path, size_t max, char **buf, size_t *len, char *err, size_t cap);
/* The same from an open descriptor; -1 with errno (EFBIG past max). */
int safe_file_read_fd(int fd, size_t max, char **buf, size_t *len);

/*
 * Opens path for writing a file that may hold payloads or secrets. flags adds
 * O_APPEND, O_TRUNC or O_EXCL to O_WRONLY | O_CREAT. A symbolic link is not
 * followed (ELOOP), and anything but a regular file (FIFO, device, socket) is
 * refused at once without blocking (ENXIO). A new file is created 0600; an
 * existing one keeps its mode. Returns the descriptor or -1 with errno.
 */
int safe_file_open(const char *path, int flags);
/* Words for an errno from safe_file_open: links and non-regular files said plainly. */
const char *safe_file_strerror(int err);

/*
 * An atomic rewrite: a new file beside path (created exclusively with a unique
 * name, mode 0600 or that of the file it replaces) that commit renames over
 * path. A path that exists as a symbolic link or as anything but a regular file
 * is refused (ELOOP, ENXIO).
 */
struct safe_replace {
	FILE *f;
	char *path;
	char *tmp;
};

/* Starts a rewrite of path; r->f is open for writing. 0, or -1 with errno. */
int safe_replace_open(struct safe_replace *r, const char *path);
/* Flushes, syncs and renames into place; 0, or -1 with errno (the temporary file is removed). */
int safe_replace_commit(struct safe_replace *r);
/* Gives up: closes and removes the temporary file. */
void safe_replace_abort(struct safe_replace *r);

/*
 * Reads a file line by line with a bound on a line's length: a longer line is
 * an error found after reading max + 1 bytes of it, not after the whole line.
 */
struct safe_lines {
	int fd;
	size_t max;
	char *buf;
	size_t cap, start, end, scanned;
	bool eof;
};

/* Starts reading fd (which the caller keeps and closes) with lines of at most max bytes. */
void safe_lines_init(struct safe_lines *l, int fd, size_t max);
void safe_lines_free(struct safe_lines *l);
/*
 * The next line without its '\n' (valid until the next call): 1, 0 at the end
 * of the file, or -1 with errno (EFBIG: a line longer than max).
 */
int safe_lines_next(struct safe_lines *l, const char **line, size_t *len);

/* Creates the directories above path that are missing (mode 0700); 0, or -1 with errno. */
int safe_make_parents(const char *path);

#endif
