/* replay.h: --replay: a recording (JSON lines, record.h) fed to the app as the broker would. */
#ifndef MQSCOPE_REPLAY_H
#define MQSCOPE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

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
