/* recorder.h: --record: messages appended to a file as JSON lines (record.h), whole lines only. */
#ifndef MQSCOPE_RECORDER_H
#define MQSCOPE_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/msg.h"

struct recorder;

/*
 * Opens path for appending. Never NULL: when the file cannot be opened the
 * recorder is failed from the start (recorder_failed), with the reason in
 * err as recorder_describe gives it; monitoring goes on without it.
 */
struct recorder *recorder_open(const char *path, char *err, size_t cap);
void recorder_write(struct recorder *r, const struct msg_view *v);
/* The same, from the broker of that branch when several are watched (record_format_from). */
void recorder_write_from(struct recorder *r, const struct msg_view *v, const char *broker);
/* Pushes buffered lines to the file (after each batch). */
void recorder_flush(struct recorder *r);
/* Flushes and closes; NULL is fine. */
void recorder_close(struct recorder *r);
/* Messages whose line is complete in the file. */
uint64_t recorder_count(const struct recorder *r);
/*
 * Whether recording stopped (open or write failed: disk full, file too large,
 * read-only...). It stays stopped; the file keeps only complete lines.
 */
bool recorder_failed(const struct recorder *r);
/* errno of the failure, or 0. */
int recorder_error(const struct recorder *r);
/*
 * One line for the user: "Recording stopped after 1200 messages: No space
 * left on device (/mnt/rec.jsonl)", "Not recording: cannot open PATH: why",
 * or while all is well "Recording to PATH: 1200 messages".
 */
size_t recorder_describe(const struct recorder *r, char *buf, size_t cap);

#endif
