/* trend.h: the numbers in a topic's history, for its sparkline and chart; kept up to date by
 * parsing only the values that are new. */
#ifndef MQSCOPE_TREND_H
#define MQSCOPE_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/decoded.h"
#include "mqscope/payload_number.h"
#include "mqscope/tree.h"

#define TREND_MAX 1024 /* numbers kept: wider than any chart a terminal can draw */

struct trend {
	const struct decoders *dec;        /* binary values are read decoded (NULL: as bytes) */
	char field[PAYLOAD_PATH_MAX];      /* picked with trend_next_field; "" = automatic */
	char field_used[PAYLOAD_PATH_MAX]; /* what the numbers follow; "" = the value itself */
	double *v;                         /* the numbers, oldest first */
	int64_t *t;                        /* when each value came (wall clock ms) */
	uint64_t *ord;                     /* which message of the topic each came from */
	size_t n, cap;
	/* what the numbers were taken from */
	bool made;
	tree_id id;
	uint64_t msgs;
	unsigned hist_len;
	char made_field[PAYLOAD_PATH_MAX];
	bool dropped; /* the newest value had no number: the next change reads the whole history */
};

void trend_init(struct trend *tr);
void trend_free(struct trend *tr);

/*
 * Brings the numbers up to date with node id's history: the field picked, or
 * the one payload_default_path chooses (a picked field this topic lacks falls
 * back to that too). When only new messages came to the same topic, only they
 * are parsed. Leaves n at 0 when the values hold no number to follow.
 */
void trend_update(struct trend *tr, const struct tree *t, tree_id id);

/* The smallest and largest of the numbers from index from on (+-INFINITY when none). */
void trend_range(const struct trend *tr, size_t from, double *lo, double *hi);

/*
 * Picks the numeric field of node id's newest value after the one followed
 * now (the first after the last). Returns its 1-based place among *count
 * fields; 0 when the value is a plain number, which is followed as it is; -1
 * when it has no numeric field (or no value).
 */
int trend_next_field(struct trend *tr, const struct tree *t, tree_id id, size_t *count);

#endif
