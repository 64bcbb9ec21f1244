/* list.h: the one scrolling list every view uses: rows, a selection, the rows on screen, and one
 * paging rule. The model only: drawing is ui/list_view.c. */
#ifndef MQSCOPE_LIST_H
#define MQSCOPE_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/actions.h"

/*
 * The rules, the same in every list:
 * - move-up and move-down move the selection one row; the view scrolls only
 *   as far as it must to keep the selection on screen;
 * - page-up and page-down move the view by a page (the rows on screen less
 *   one, kept for context) and the selection with it, so the selection keeps
 *   its place on the screen; on the first or last page they go to the first
 *   or last row;
 * - first and last go to the first and last row.
 * A reader list (a text, no selection) scrolls by the same rules: its first
 * row on screen stands for the selection.
 */
struct list {
	size_t n;      /* rows */
	size_t sel;    /* the selected row (0 when there are none) */
	size_t top;    /* the first row on screen */
	size_t height; /* rows on screen; 0 until known, taken as 1 */
	bool reader;   /* no selection: the keys scroll */
};

void list_init(struct list *l, bool reader);
/* Sets the number of rows and the rows on screen; keeps the selection on a row and in view. */
void list_set(struct list *l, size_t n, size_t height);
/* Applies move-up, move-down, page-up, page-down, first or last; false for any other action. */
bool list_move(struct list *l, enum action a);
/*
 * Selects row (clamped to the rows) and scrolls as little as needed to show
 * it, or, when it was off screen and centre is set, to show it mid-screen. A
 * reader list scrolls row to the top.
 */
void list_select(struct list *l, size_t row, bool centre);
/* Rows a page key moves: the rows on screen less one, at least one. */
size_t list_page(const struct list *l);
/* One past the last row on screen. */
size_t list_bottom(const struct list *l);

/* Row i's text for searching (len bytes, not NUL-terminated); NULL when it has none. */
typedef const char *(*list_text_fn)(void *ctx, size_t i, size_t *len);
/*
 * The first row from row from on (dir > 0; backwards for dir < 0), wrapping
 * around the end, whose text contains query, ignoring ASCII case; SIZE_MAX
 * when none does. *wrapped says the search went past the end (or start).
 */
size_t list_find(const struct list *l, const char *query, size_t from, int dir, list_text_fn text,
                 void *ctx, bool *wrapped);

#endif
