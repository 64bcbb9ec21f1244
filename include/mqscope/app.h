/* app.h: what one run holds (settings, ring, session, tree) and the ingest step. */
#ifndef MQSCOPE_APP_H
#define MQSCOPE_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "mqscope/decoded.h"
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
	/* From the loop seeing a key on the terminal to the end of the frame that answers it. */
	uint64_t key_frames;
	uint64_t key_us_max;
	uint64_t key_hist[FRAME_BUCKETS];
};

struct filter;
struct recorder;
struct replay;
struct timing;
struct silence;
struct watches;
struct stream;
struct spb_model;

/* Brokers one run watches at once (-L and --profile given more than once). */
#define APP_MAX_BROKERS 8

/* One broker: its own settings, ring, session and counts. */
struct app_link {
	struct settings *cfg;
	struct ring *ring; /* the app's own for the first broker, else own_ring */
	struct ring own_ring;
	struct session *session; /* NULL when offline */
	char label[64];    /* its branch in the tree when there are several: no '/', '+', '#' */
	uint64_t ingested; /* records taken from its ring */
	struct rate rate;
	struct session_status st; /* as the UI last read it */
	tree_id root;             /* its branch, TREE_NONE until its first message */
	int64_t last_retained_ms; /* monotonic: when its last retained message was taken in */
	struct spb_model *spb;    /* its Sparkplug B births, aliases and seq, fed on ingest */
};

struct app {
	struct settings *cfg;    /* the first broker's; the program's settings too */
	struct ring ring;        /* the first broker's (link[0]) */
	struct session *session; /* the first broker's; NULL when offline */
	struct app_link link[APP_MAX_BROKERS];
	size_t nlinks;
	bool several;    /* more than one broker: each is a top-level branch */
	char *topic_buf; /* "label/topic" while storing, several brokers only */
	struct tree *tree;
	struct demo demo;

	uint64_t ingested; /* records taken from the ring */
	uint64_t excluded; /* hidden by -T filters */
	uint64_t malformed;
	uint64_t cut; /* messages whose payload was kept only in part (payload_cap) */
	/* wall clock of the first and the latest drain that took records */
	int64_t first_ingest_ms, last_ingest_ms;
	uint64_t stats_dumps;
	struct ui_stats ui;
	struct rate rate;
	char broker_label[160];

	struct filter *filter;     /* the tree view's filter, kept up to date on ingest; or NULL */
	struct recorder *recorder; /* --record, or NULL */
	struct replay *replay;     /* --replay, or NULL */
	struct decoders dec;       /* what the views read binary payloads with */
	struct decoders dec_of[APP_MAX_BROKERS]; /* each broker's (several brokers: dec.brokers) */

	struct timing *timing;   /* intervals, duplicates, delays per topic */
	struct silence *silence; /* silent topics, offline devices */
	struct watches *watches;
	struct stream *stream; /* every message in arrival order, bounded */
	uint64_t silence_lost; /* silence turns the watches never saw (queue overflow) */
};

/* Creates the ring, tree and (unless offline) the session; starts nothing. */
int app_init(struct app *a, struct settings *cfg, bool offline);
/*
 * Adds one more broker (its own ring and session) before anything starts;
 * from then on each broker is a top-level branch of the tree. -1 when there
 * are APP_MAX_BROKERS already or the session cannot be made.
 */
int app_add_broker(struct app *a, struct settings *cfg);
/* Starts every broker's network thread; stops them (each waits at most timeout_ms). */
void app_start(struct app *a);
void app_stop(struct app *a, int timeout_ms);
void app_free(struct app *a);

/* The broker that holds node id (the first one with a single broker, or for the root). */
struct app_link *app_link_of(struct app *a, tree_id id);
/* The broker named label, or NULL. */
struct app_link *app_link_named(struct app *a, const char *label);
/* The index of a broker in a->link. */
size_t app_link_index(const struct app *a, const struct app_link *l);
/*
 * The topic of node id on its broker (without the broker's branch), in buf;
 * returns its full length as tree_path does. With one broker, tree_path.
 */
size_t app_topic(const struct app *a, tree_id id, char *buf, size_t cap);
/* The same, allocated. */
char *app_topic_dup(const struct app *a, tree_id id);
/* The node of topic on broker l, or TREE_NONE. */
tree_id app_find(const struct app *a, const struct app_link *l, const char *topic);
/* The broker's branch (TREE_ROOT with one broker), or TREE_NONE before its first message. */
tree_id app_link_root(struct app *a, struct app_link *l);
/* One word for a broker's state: "up", "connecting", "down", "offline". */
const char *app_link_state_word(const struct app_link *l);
/* Messages the network threads delivered (or dropped), and drops, over every broker. */
uint64_t app_received(const struct app *a);
uint64_t app_drops(const struct app *a);
/* Bytes waiting in every ring. */
size_t app_ring_bytes(const struct app *a);
/* Memory held in all: the tree, the rings and the stream (one budget, shared). */
size_t app_mem_bytes(const struct app *a);
/*
 * The part of it broker l holds: its branch of the tree (nodes, names, values
 * and history) and its ring, plus a share of the rest in proportion; the
 * brokers' parts add up to app_mem_bytes. With one broker, the whole.
 */
size_t app_link_mem_bytes(struct app *a, struct app_link *l);

/*
 * Moves up to max records from the ring into the tree. Returns how many were
 * taken; *more is set when records remain. Runs on the UI thread only.
 */
size_t app_drain(struct app *a, size_t max, bool *more);

/* Stores one message as if it came from the ring (the replay feeds through here). */
void app_ingest(struct app *a, const struct msg_view *v, int64_t now_mono);
/*
 * The same for a message recorded from one of several brokers (record_msg's
 * broker, len bytes; its topic starts with that branch): stored as that
 * broker's, so it is decoded with that broker's decoders and Sparkplug births.
 */
void app_ingest_from(struct app *a, const char *broker, size_t len, const struct msg_view *v,
                     int64_t now_mono);

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
