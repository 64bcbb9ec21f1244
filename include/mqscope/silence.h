/* silence.h: topics that stopped talking, devices that left a will, rolled up the tree. */
#ifndef MQSCOPE_SILENCE_H
#define MQSCOPE_SILENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/timing.h"
#include "mqscope/tree.h"

/*
 * A topic is judged once it has had `samples` intervals spanning at least
 * floor_ms (one burst is not a pace): it is silent when
 * nothing came for factor times its usual interval (timing_usual: a burst
 * counts as one message; never sooner than floor_ms). Every judged topic has one entry in a heap of
 * deadlines. A message does not touch the heap (its entry only gets
 * early): when an entry comes due, the real deadline is worked out from the
 * topic's latest message and the entry goes back, or the topic turns
 * silent. So a message costs O(1), the loop sleeps until the earliest
 * deadline (silence_next_due), and only topics whose deadline passed cost
 * anything when it wakes.
 *
 * Each node counts the silent topics and offline devices at or below it,
 * changed along the path to the root when one turns (O(depth)).
 */

struct silence_cfg {
	double factor; /* times the usual interval, > 1 */
	int64_t floor_ms;
	unsigned samples; /* intervals before a topic is judged, >= 1 */
};

#define SILENCE_FACTOR   2.5
#define SILENCE_FLOOR_MS 1000
#define SILENCE_SAMPLES  3
/* Deadlines are rounded up to this, so topics that stop together wake the loop once. */
#define SILENCE_GRAIN_MS 100
/* Topics judged per silence_check call; the rest wait for the next call. */
#define SILENCE_CHECK_MAX 4096

enum silence_kind {
	SILENCE_SILENT,  /* a topic stopped talking */
	SILENCE_SPOKE,   /* a silent topic talked again */
	SILENCE_OFFLINE, /* a device left a will */
	SILENCE_ONLINE,  /* a device came back */
};

/* What turned, for watches; taken with silence_take_events. */
struct silence_event {
	int64_t time_ms;
	tree_id id;
	uint8_t kind; /* enum silence_kind */
};

#define SILENCE_EVENTS_MAX  1024
#define SILENCE_CHANGES_MAX 256

struct silence;

struct silence *silence_new(const struct silence_cfg *cfg);
void silence_free(struct silence *s);

/*
 * After a message on id was stored and timed: a silent topic is silent no
 * longer, a topic with enough intervals gets a deadline, and a live
 * (not retained) message under an offline device brings the device back.
 */
void silence_note(struct silence *s, const struct tree *t, const struct timing *tm, tree_id id,
                  bool retained, int64_t time_ms);
/* Marks a device (any node) offline or back online. */
void silence_set_offline(struct silence *s, const struct tree *t, tree_id id, bool offline,
                         int64_t time_ms);

/* Wall-clock ms of the earliest deadline, or INT64_MAX. */
int64_t silence_next_due(const struct silence *s);
/*
 * Turns every topic whose deadline passed by now silent (up to
 * SILENCE_CHECK_MAX of them; *more then says to call again). Returns how
 * many turned silent.
 */
size_t silence_check(struct silence *s, const struct tree *t, const struct timing *tm, int64_t now,
                     bool *more);
/* When id, judged now, would turn silent (wall ms), or INT64_MAX when it is not judged. */
int64_t silence_deadline(const struct silence *s, const struct tree *t, const struct timing *tm,
                         tree_id id);

bool silence_is_silent(const struct silence *s, tree_id id);
bool silence_is_offline(const struct silence *s, tree_id id);
/* Silent topics at or below id. */
uint32_t silence_below(const struct silence *s, tree_id id);
/* Offline devices at or below id. */
uint32_t silence_offline_below(const struct silence *s, tree_id id);
/* Whether id or something below it is silent or offline (what a silence filter shows). */
static inline bool silence_visible(const struct silence *s, tree_id id)
{
	return silence_below(s, id) > 0 || silence_offline_below(s, id) > 0;
}
uint64_t silence_count(const struct silence *s);
uint64_t silence_offline_count(const struct silence *s);

/* Turns since the last call, oldest first; *lost counts those that did not fit the queue. */
size_t silence_take_events(struct silence *s, struct silence_event *out, size_t max,
                           uint64_t *lost);
/* Nodes whose silence_visible changed, topmost of each change; *overflow when more did. */
size_t silence_take_changes(struct silence *s, tree_id *ids, size_t max, bool *overflow);

size_t silence_mem_bytes(const struct silence *s);

#endif
