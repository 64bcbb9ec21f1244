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

struct filter;
struct recorder;
struct replay;

struct app {
	struct settings *cfg;
	struct ring ring;
	struct session *session; /* NULL when offline */
	struct tree *tree;
	struct demo demo;

	uint64_t ingested; /* records taken from the ring */
	uint64_t excluded; /* hidden by -T filters */
	uint64_t malformed;
	struct rate rate;
	char broker_label[160];

	struct filter *filter;     /* the tree view's filter, kept up to date on ingest; or NULL */
	struct recorder *recorder; /* --record, or NULL */
	struct replay *replay;     /* --replay, or NULL */
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

/* Writes "ingested N\ndropped N\n..." to path (for --stats and benchmarks). */
int app_write_stats(const struct app *a, const char *path);

#endif
