/* app.h: what one run holds (settings, ring, session, tree) and the ingest step. */
#ifndef MQSCOPE_APP_H
#define MQSCOPE_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "mqscope/demo.h"
#include "mqscope/msg.h"
#include "mqscope/rate.h"
#include "mqscope/ring.h"
#include "mqscope/session.h"
#include "mqscope/settings.h"
#include "mqscope/tree.h"

/*
 * Frame times in log-linear buckets: four per power of two of microseconds,
 * so any percentile read from them is within 12% (see app_frame_bucket).
 */
#define FRAME_BUCKETS 100

/* What the UI measures about itself, for --stats and the benchmarks. */
struct ui_stats {
	uint64_t frames;
	uint64_t frame_us_sum;
	uint64_t frame_us_max;
	uint64_t frame_hist[FRAME_BUCKETS];
	uint64_t wakeups; /* loop turns after poll() */
};

struct filter;
struct recorder;
struct replay;
struct timing;
struct silence;
struct watches;
struct stream;

struct app {
	struct settings *cfg;
	struct ring ring;
	struct session *session; /* NULL when offline */
	struct tree *tree;
	struct demo demo;

	uint64_t ingested; /* records taken from the ring */
	uint64_t excluded; /* hidden by -T filters */
	uint64_t malformed;
	uint64_t cut;             /* messages whose payload was kept only in part (payload_cap) */
	int64_t last_retained_ms; /* monotonic: when the last retained message was taken in */
	/* wall clock of the first and the latest drain that took records */
	int64_t first_ingest_ms, last_ingest_ms;
	uint64_t stats_dumps;
	struct ui_stats ui;
	struct rate rate;
	char broker_label[160];

	struct filter *filter;     /* the tree view's filter, kept up to date on ingest; or NULL */
	struct recorder *recorder; /* --record, or NULL */
	struct replay *replay;     /* --replay, or NULL */

	struct timing *timing;   /* intervals, duplicates, delays per topic */
	struct silence *silence; /* silent topics, offline devices */
	struct watches *watches;
	struct stream *stream; /* every message in arrival order, bounded */
	uint64_t silence_lost; /* silence turns the watches never saw (queue overflow) */
};

/* Creates the ring, tree and (unless offline) the session; starts nothing. */
int app_init(struct app *a, struct settings *cfg, bool offline);
void app_free(struct app *a);

/*
 * Moves up to max records from the ring into the tree. Returns how many were
 * taken; *more is set when records remain. Runs on the UI thread only.
 */
size_t app_drain(struct app *a, size_t max, bool *more);

/* Stores one message as if it came from the ring (the replay feeds through here). */
void app_ingest(struct app *a, const struct msg_view *v, int64_t now_mono);

/* Wall-clock ms that message ages are measured against: now, or the replay's clock. */
int64_t app_now(const struct app *a);

/* When (app_now's clock) a topic may next turn silent: the loop sleeps until then at most. */
int64_t app_next_due(const struct app *a);
/*
 * Turns topics whose silence deadline passed by now silent and shows the
 * watches every silence turn. Returns whether anything turned; *more when
 * more are due than one call takes.
 */
bool app_tick(struct app *a, int64_t now, bool *more);

/*
 * Writes "ingested N\ndropped N\n..." to path (for --stats and benchmarks),
 * through a temporary file renamed into place, so a reader never sees half.
 */
int app_write_stats(struct app *a, const char *path);

/* The frame-time bucket of us microseconds, and the smallest time in bucket b. */
unsigned app_frame_bucket(uint64_t us);
uint64_t app_frame_bucket_low(unsigned b);

#endif
