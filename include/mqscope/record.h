/* record.h: recording messages as JSON lines (--record) and replaying them (--replay). */
#ifndef MQSCOPE_RECORD_H
#define MQSCOPE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/msg.h"

struct app;

/*
 * One line per message:
 *   {"time":1732240203535,"topic":"a/b","qos":1,"retain":true,"payload":"21.5"}
 * Bytes that are not UTF-8 text (or hold NUL) go as base64 under the same
 * name with "_base64" appended: "payload_base64", "topic_base64"... "size"
 * is the size received when the payload was truncated for memory; MQTT 5
 * properties go in "props": payload_format, expiry, content_type,
 * response_topic, correlation, subscription_ids [..], user [{"key","value"}].
 */

/* Appends the line for v (newline included) to *buf (grown with realloc); returns its length. */
size_t record_format(const struct msg_view *v, char **buf, size_t *cap);

/* A message read back from a line; the buffers are owned. */
struct record_msg {
	struct msg_head h;
	char *topic;
	char *payload;
	uint8_t *props;
};

/* Parses one line (without its newline). False when it is not a message record. */
bool record_parse(const char *line, size_t len, struct record_msg *out);
void record_msg_free(struct record_msg *m);
/* A view of a parsed message, as the ring would give it. */
void record_msg_view(const struct record_msg *m, struct msg_view *v);

struct recorder;

/*
 * Opens path for appending. Never NULL: when the file cannot be opened the
 * recorder is failed from the start (recorder_failed), with the reason in
 * err as recorder_describe gives it; monitoring goes on without it.
 */
struct recorder *recorder_open(const char *path, char *err, size_t cap);
void recorder_write(struct recorder *r, const struct msg_view *v);
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

#define REPLAY_DONE INT64_MAX

struct replay;

/*
 * Opens a recording. speed 1 plays at the recorded pace, 10 ten times
 * faster, 0 everything at once. NULL with a reason in err, also when its
 * first line is longer than a recording's line can be (64 MiB).
 */
struct replay *replay_open(const char *path, double speed, char *err, size_t cap);
void replay_close(struct replay *r);
/*
 * Why the replay stopped before the end of the file ("cannot replay PATH:
 * line 12 is longer than 64.0 MiB (not a recording?)"), or "" when it did not.
 */
size_t replay_describe_error(const struct replay *r, char *buf, size_t cap);
/*
 * Feeds the messages due by now_mono into the app, at most max of them.
 * Returns when the next one is due (monotonic ms; <= now_mono: at once), or
 * REPLAY_DONE at the end of the file.
 */
int64_t replay_step(struct replay *r, struct app *a, int64_t now_mono, size_t max);
/* The recording's clock (wall ms) as of now_mono: message ages are measured against it. */
int64_t replay_now(const struct replay *r, int64_t now_mono);
bool replay_finished(const struct replay *r);
uint64_t replay_fed(const struct replay *r);
/* Lines that were not message records. */
uint64_t replay_bad_lines(const struct replay *r);
double replay_speed(const struct replay *r);
/* Share of the file read, 0..100. */
int replay_percent(const struct replay *r);

#endif
