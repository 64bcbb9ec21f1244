/* timing.h: per-topic message timing: intervals, jitter, duplicates, payload timestamps. */
#ifndef MQSCOPE_TIMING_H
#define MQSCOPE_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/tree.h"

/*
 * A topic gets a timing record (128 bytes) at its second message, so a
 * million topics that spoke once cost 4 bytes each here. Each record keeps
 * the last TIMING_WINDOW intervals (exact to 8 s, then to 0.03%, up to 37
 * hours); statistics over them are computed when asked, so a message costs
 * O(1): a hash of its payload, a store in the window, and, on topics whose
 * payloads carry a timestamp, parsing it.
 */
#define TIMING_WINDOW 32

/* No timestamp in the payload (for timing_note's ts_ms). */
#define TIMING_NO_TS INT64_MIN

/* Payloads over this are hashed by their length and both ends (for duplicates). */
#define TIMING_HASH_WHOLE 4096

/* One message as timing sees it. */
struct timing_msg {
	int64_t time_ms; /* arrival, wall clock */
	const void *payload;
	uint32_t len, orig_len;
	bool retained;
	int64_t ts_ms; /* from a decoder (Sparkplug), or TIMING_NO_TS: then JSON is searched */
};

/* What timing_stats reports for one topic. */
struct timing_stats {
	uint64_t msgs;      /* messages timed (from the second one on, plus the first) */
	uint32_t intervals; /* intervals in the window */
	int64_t iv_min, iv_median, iv_p95, iv_max; /* ms, over the window */
	double jitter_ms;      /* smoothed mean change between successive intervals (RFC 3550) */
	uint64_t dups;         /* messages with the same payload as the one before */
	uint64_t stamped;      /* messages whose payload carried a timestamp */
	uint64_t out_of_order; /* stamped messages older than the stamped one before */
	int64_t delay_last, delay_min, delay_max, delay_mean; /* arrival - timestamp, ms */
};

struct timing;

struct timing *timing_new(void);
void timing_free(struct timing *tm);

/*
 * Times a message just stored on id (tree_insert's result; the node's
 * counters already include it). A retained message that is the first on
 * its topic is old state, not traffic: it starts no interval. grow=false
 * (over the memory budget) creates no new records.
 */
void timing_note(struct timing *tm, const struct tree *t, tree_id id, const struct timing_msg *m,
                 bool grow);

/* Fills *out for id; false when id has no record yet (fewer than two messages). */
bool timing_stats(const struct timing *tm, tree_id id, struct timing_stats *out);
/* Intervals id has had in all (0 without a record). */
uint32_t timing_intervals(const struct timing *tm, tree_id id);
/* The median of id's recent intervals, ms, or -1 without any. */
int64_t timing_median(const struct timing *tm, tree_id id);
/*
 * The usual time between id's messages, ms, or -1 without any: the median
 * of its recent intervals where a burst (messages much closer together
 * than the gap before them) counts as one message, so a topic that sends
 * five messages in 50 ms every 10 s usually waits 10 s.
 */
int64_t timing_usual(const struct timing *tm, tree_id id);
/* Arrival of id's latest timed message, or 0. */
int64_t timing_last(const struct timing *tm, tree_id id);

/* Bytes of records and index. */
size_t timing_mem_bytes(const struct timing *tm);
/* Topics refused a record because of the memory budget. */
uint64_t timing_refused(const struct timing *tm);

/* A duration for people: "350 ms", "1.25 s", "12.3 s", "4m05s", "2h10m", "3d04h" ("-" before). */
void timing_fmt_ms(char *buf, size_t cap, int64_t ms);
/*
 * The intervals as one line: "1,234 msgs, every 1.00 s (min 980 ms, p95
 * 1.10 s, max 3.20 s), jitter 12 ms"; with fewer than two messages,
 * "1 msg".
 */
void timing_line_intervals(const struct timing_stats *st, char *buf, size_t cap);
/*
 * Duplicates and timestamps as one line: "3 duplicates, timestamps 2.10 s
 * behind (500 ms .. 8.00 s, last 2.00 s), 4 out of order"; "" when there
 * is nothing to say.
 */
void timing_line_payload(const struct timing_stats *st, char *buf, size_t cap);

/* 64-bit hash of a payload, whole up to TIMING_HASH_WHOLE bytes. */
uint64_t timing_hash(const void *p, size_t len);

#endif
