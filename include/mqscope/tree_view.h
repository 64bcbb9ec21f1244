/* tree_view.h: the topic tree pane: visible rows, selection, expansion, search, sort, filter. */
#ifndef MQSCOPE_TREE_VIEW_H
#define MQSCOPE_TREE_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/actions.h"
#include "mqscope/decoded.h"
#include "mqscope/filter.h"
#include "mqscope/list_view.h"
#include "mqscope/tree.h"

struct ui;
struct silence;

enum tree_sort { SORT_NAME, SORT_RATE, SORT_MSGS, SORT_LAST, SORT_SILENCE, SORT__COUNT };

/* How long a row that just changed stays highlighted, ms. */
#define TREE_VIEW_HIGHLIGHT_MS 1500
/* Rows are re-sorted by rate, count or time at most this often, ms. */
#define TREE_VIEW_RESORT_MS 1000

/* Topics a list sorted by traffic holds: the busiest of the whole tree. */
#define TREE_VIEW_FLAT_MAX 2000

/*
 * Sorted by name, the pane is the tree. Sorted by rate, messages or last
 * update it is a flat list of the busiest topics of the whole tree, expanded
 * or not (their full names), kept up to date once a second from what took
 * messages since (tree_track_touched): nothing per frame walks every topic.
 */
struct tree_view {
	const struct tree *tree;
	struct tree *live;           /* the same tree, for noting which topics took messages */
	const struct filter *filter; /* NULL: every topic is shown */
	const struct silence *silence;
	bool silent_only; /* only silent topics and offline devices (filter "is:silent") */
	/* Several brokers: a word after each top-level row (its broker's state); bad marks it. */
	const char *(*top_note)(void *ctx, tree_id id, bool *bad);
	void *top_ctx;
	/* With top_note: the bytes a top-level branch holds, said in its counts; or NULL. */
	size_t (*top_bytes)(void *ctx, tree_id id);
	enum tree_sort sort;
	tree_id *rows; /* visible nodes in display order */
	size_t nrows, rows_cap;
	tree_id sel;
	struct list_view lv; /* the rows on screen; lv.l.sel is the row of sel */

	uint8_t *expanded; /* bit per node id */
	size_t expanded_bytes;
	bool stale;        /* rows must be rebuilt before use */
	bool full_rebuild; /* the flat list from every topic, not from what changed */
	bool frozen;       /* paused: changes in the tree do not rebuild the rows */
	bool missed;       /* changes arrived while frozen */

	int64_t now;       /* wall ms the rows were sorted and drawn against */
	int64_t sorted_at; /* monotonic ms of the last rebuild under a non-name sort */
	uint64_t sorted_msgs;
	int64_t next_change; /* wall ms when a drawn row will look different, or INT64_MAX */

	tree_id *kids; /* scratch */
	size_t kids_cap;
	struct sort_item *items;
	size_t items_cap;
	tree_id *stack;
	size_t stack_cap;
	tree_id *touched; /* scratch for the flat list */
	size_t touched_cap;

	const struct decoders *dec;        /* binary values preview decoded (NULL: as bytes) */
	struct decoded_previews *previews; /* with dec */
};

void tree_view_init(struct tree_view *v, struct tree *t);
/* Whether the pane is the flat list of the busiest topics (a sort other than by name). */
bool tree_view_flat(const struct tree_view *v);
void tree_view_free(struct tree_view *v);
/* Rows preview binary values decoded with dec (Sparkplug B, CBOR...), each new value once. */
void tree_view_set_decoders(struct tree_view *v, const struct decoders *dec);

/* Rebuilds the rows if anything made them stale; cheap when nothing did. */
void tree_view_refresh(struct tree_view *v);
/* Takes the tree's (and filter's) visibility changes and marks the rows stale if any is on screen.
 */
void tree_view_note_changes(struct tree_view *v, struct tree *t, struct filter *f);
/* Handles a navigation action; returns true when it did something. */
bool tree_view_action(struct tree_view *v, enum action a);
/* Selects id, expanding its ancestors, and scrolls it into view. */
void tree_view_select(struct tree_view *v, tree_id id);
/*
 * A click at row y, column x of the pane (wd wide): selects that row, and
 * opens or closes it when x is on its branch marker. False below the rows.
 */
bool tree_view_click(struct tree_view *v, int y, int x, int wd);
bool tree_view_is_expanded(const struct tree_view *v, tree_id id);
void tree_view_set_expanded(struct tree_view *v, tree_id id, bool on);

/* Where silence is judged: rows say "silent", and sort and filter by it. */
void tree_view_set_silence(struct tree_view *v, const struct silence *s);
/* Takes silence's visibility changes: rows go stale when they filter or sort by silence. */
void tree_view_note_silence(struct tree_view *v, struct silence *s);
/* Shows only silent topics and offline devices (and what leads to them), or everything again. */
void tree_view_set_silent_only(struct tree_view *v, bool on);

/* Shows only what f matches (NULL: everything); a few matches have their branches opened. */
void tree_view_set_filter(struct tree_view *v, const struct filter *f);
void tree_view_set_sort(struct tree_view *v, enum tree_sort s);
/* "name", "rate", "messages", "last update", "silence". */
const char *tree_view_sort_name(enum tree_sort s);
/* Stops (or resumes) rebuilding rows for changes in the tree; resuming applies them. */
void tree_view_freeze(struct tree_view *v, bool frozen);
/*
 * Marks the rows for re-sorting when the order depends on traffic, messages
 * arrived (msgs changed) and the last sort is TREE_VIEW_RESORT_MS old.
 * Returns when it next wants to be asked (monotonic ms), or INT64_MAX.
 */
int64_t tree_view_tick(struct tree_view *v, int64_t now_mono, uint64_t msgs);

/*
 * Finds the next (dir > 0) or previous node in display order, expanded or
 * not, whose full topic contains query (case-insensitive). Returns TREE_NONE
 * when nothing matches; *wrapped says the search went past the end.
 */
tree_id tree_view_search(struct tree_view *v, const char *query, int dir, bool *wrapped);

/*
 * Draws the visible rows into w (h rows by wd columns), with rates and ages
 * as of now_wall; rows that changed in the last TREE_VIEW_HIGHLIGHT_MS stand
 * out. Sets next_change.
 */
void tree_view_draw(struct tree_view *v, WINDOW *w, int h, int wd, bool focused, int64_t now_wall);

/* Action handlers: cycle the sort order; prompt for a filter. */
void tree_view_sort(struct ui *u);
void tree_view_filter(struct ui *u);

#endif
