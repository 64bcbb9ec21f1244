/* tree_view.h: the topic tree pane: visible rows, selection, expansion, search. */
#ifndef MQSCOPE_TREE_VIEW_H
#define MQSCOPE_TREE_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/actions.h"
#include "mqscope/tree.h"

struct tree_view {
	const struct tree *tree;
	tree_id *rows; /* visible nodes in display order */
	size_t nrows, rows_cap;
	tree_id sel;
	size_t sel_row;
	size_t top;
	int height; /* rows drawn last time, for paging */

	uint8_t *expanded; /* bit per node id */
	size_t expanded_bytes;
	bool stale; /* rows must be rebuilt before use */

	tree_id *kids; /* scratch */
	size_t kids_cap;
	tree_id *stack;
	size_t stack_cap;
};

void tree_view_init(struct tree_view *v, const struct tree *t);
void tree_view_free(struct tree_view *v);

/* Rebuilds the rows if anything made them stale; cheap when nothing did. */
void tree_view_refresh(struct tree_view *v);
/* Takes the tree's visibility changes and marks the rows stale if any is on screen. */
void tree_view_note_changes(struct tree_view *v, struct tree *t);
/* Handles a navigation action; returns true when it did something. */
bool tree_view_action(struct tree_view *v, enum action a);
/* Selects id, expanding its ancestors, and scrolls it into view. */
void tree_view_select(struct tree_view *v, tree_id id);
bool tree_view_is_expanded(const struct tree_view *v, tree_id id);
void tree_view_set_expanded(struct tree_view *v, tree_id id, bool on);

/*
 * Finds the next (dir > 0) or previous node in display order, expanded or
 * not, whose full topic contains query (case-insensitive). Returns TREE_NONE
 * when nothing matches; *wrapped says the search went past the end.
 */
tree_id tree_view_search(struct tree_view *v, const char *query, int dir, bool *wrapped);

/* Draws the visible rows into w (h rows by wd columns). */
void tree_view_draw(struct tree_view *v, WINDOW *w, int h, int wd, bool focused);

#endif
