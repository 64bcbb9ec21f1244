/* list_view.h: a list on screen: draws the rows in view, highlights the selection, and answers the
 * list keys (moving, paging, searching) for every list by the same rules (list.h). */
#ifndef MQSCOPE_LIST_VIEW_H
#define MQSCOPE_LIST_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "mqscope/actions.h"
#include "mqscope/list.h"

struct ui;

/* Draws row i of the list on line y of w, in wd columns from column x; returns nothing. */
typedef void (*list_draw_fn)(void *ctx, WINDOW *w, int y, int x, int wd, size_t i);

struct list_view {
	struct list l;
	list_draw_fn draw;
	list_text_fn text; /* a row's text for searching; NULL: the list is not searched */
	void *ctx;
	char query[256]; /* the last search */
	size_t match;    /* the row it found, drawn in the match colour; SIZE_MAX: none */
};

/* Sets up a list (reader: a text without a selection) drawn by draw, searched by text (or NULL). */
void list_view_init(struct list_view *v, bool reader, list_draw_fn draw, list_text_fn text,
                    void *ctx);
/*
 * Draws the rows in view of a list of n rows into h lines of w from line y,
 * wd columns from column x, and highlights the selected row with sel (0: not
 * at all, as in a pane without the focus).
 */
void list_view_draw(struct list_view *v, WINDOW *w, int y, int x, int h, int wd, size_t n,
                    attr_t sel);
/*
 * A list key: moves by the list rules, or searches (a prompt for search; the
 * next or previous match for search-next and search-prev). Returns false for
 * any other action.
 */
bool list_view_action(struct list_view *v, struct ui *u, enum action a);
/* Writes " 21-40 of 112 " to end at column right of line y, when not every row is in view. */
void list_view_position(const struct list_view *v, WINDOW *w, int y, int right, attr_t attr);

#endif
