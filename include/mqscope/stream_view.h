/* stream_view.h: the message stream pane: every message in arrival order, newest at the bottom. */
#ifndef MQSCOPE_STREAM_VIEW_H
#define MQSCOPE_STREAM_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/actions.h"
#include "mqscope/filter.h"
#include "mqscope/list_view.h"
#include "mqscope/stream.h"
#include "mqscope/tree.h"

struct ui;

/*
 * Rows are the messages the stream holds (stream.h), or with a filter the
 * ones it matches: a topic filter by the topic's node (filter_self, O(1)), a
 * payload filter by each message's payload. The matching sequence numbers
 * are kept in order and brought up to date as messages come, a bounded slice
 * per frame, so a flood costs O(new messages) and never a rescan. While it
 * follows the tail the newest row is selected; moving up stops following and
 * the selection stays on its message as new ones arrive (End follows again).
 */
struct stream_view {
	const struct stream *s;
	const struct tree *t;
	struct list_view lv;
	bool follow;
	uint64_t sel_seq; /* the selected message, when not following */
	bool frozen;      /* paused: no row past frozen_end */
	uint64_t frozen_end;

	const struct filter *filter; /* the one idx was made for */
	uint64_t *idx;               /* matching seqs, oldest first, from idx[start] */
	size_t start, n, cap;
	uint64_t scanned; /* seqs below this were matched */

	char *text; /* scratch for a row's search text */
	size_t text_cap;
	int64_t now; /* wall ms, for "12s ago" */
};

void stream_view_init(struct stream_view *v, const struct stream *s, const struct tree *t);
void stream_view_free(struct stream_view *v);

/* Takes new messages (and a new filter: f may be NULL); cheap when nothing changed. */
void stream_view_update(struct stream_view *v, const struct filter *f);
/* Stops taking rows past what is there now (pause), or takes them again. */
void stream_view_freeze(struct stream_view *v, bool frozen);
/* Rows shown. */
size_t stream_view_rows(const struct stream_view *v);
/* The selected message; false when there is none. */
bool stream_view_selected(const struct stream_view *v, struct stream_msg *out);
/* Moves or searches; returns true when handled. */
bool stream_view_action(struct stream_view *v, struct ui *u, enum action a);
/* Draws a header line and the rows into w (h rows, wd columns). */
void stream_view_draw(struct stream_view *v, WINDOW *w, int h, int wd, bool focused,
                      int64_t now_wall);

/* Action handler: shows the stream instead of the tree, or the tree again. */
void stream_view_toggle(struct ui *u);

#endif
