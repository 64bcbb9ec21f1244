/* text_edit.h: a multi-line UTF-8 text editor with soft-wrapped display rows (no drawing). */
#ifndef MQSCOPE_TEXT_EDIT_H
#define MQSCOPE_TEXT_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/line_edit.h"

/*
 * The text is any bytes (newlines included); it is shown as display rows of
 * at most width - 1 columns (the last column is left for the cursor), broken
 * at newlines, each byte measured as the sanitizer will draw it. Moves up and
 * down keep the column they started from, as editors do.
 */
struct text_edit {
	struct line_edit e; /* bytes and cursor */
	size_t top;         /* first byte on screen: the start of a display row */
	int goal;           /* column kept by up/down moves; -1 = none */
	int width, height;  /* the view, set by text_edit_view */
	unsigned flags;     /* sanitizer flags the view draws with */
};

void text_edit_init(struct text_edit *t);
void text_edit_free(struct text_edit *t);
/* Replaces the text with len bytes of s; the cursor goes to the end. */
void text_edit_set(struct text_edit *t, const char *s, size_t len);
/* Sets the view's size and drawing flags, then scrolls the cursor into view. */
void text_edit_view(struct text_edit *t, int width, int height, unsigned flags);

void text_edit_insert(struct text_edit *t, uint32_t cp);
/* Inserts bytes at the cursor (a paste); "\r\n" and lone "\r" become "\n". */
void text_edit_paste(struct text_edit *t, const char *s, size_t n);
void text_edit_newline(struct text_edit *t);
void text_edit_backspace(struct text_edit *t);
void text_edit_delete(struct text_edit *t);
void text_edit_left(struct text_edit *t);
void text_edit_right(struct text_edit *t);
void text_edit_up(struct text_edit *t);
void text_edit_down(struct text_edit *t);
void text_edit_page_up(struct text_edit *t);
void text_edit_page_down(struct text_edit *t);
/* Start and end of the line (between newlines). */
void text_edit_home(struct text_edit *t);
void text_edit_end(struct text_edit *t);
/* Start and end of the whole text. */
void text_edit_top(struct text_edit *t);
void text_edit_bottom(struct text_edit *t);
/* Deletes to the end of the line, or the newline when already there (C-k). */
void text_edit_kill_end(struct text_edit *t);
/* Deletes from the start of the line to the cursor (C-u). */
void text_edit_kill_start(struct text_edit *t);
/* Deletes the word before the cursor, within its line (C-w); at a line's start, the newline. */
void text_edit_delete_word(struct text_edit *t);

/*
 * The display row starting at byte start ends at the returned offset
 * (exclusive, newline not included); *next is where the following row starts,
 * or SIZE_MAX when this is the last row.
 */
size_t text_edit_row(const struct text_edit *t, size_t start, size_t *next);
/* The start of the display row holding byte offset pos. */
size_t text_edit_row_start(const struct text_edit *t, size_t pos);
/* Where the cursor is on screen: row below top, and column. */
void text_edit_cursor(const struct text_edit *t, int *row, int *col);
/* Number of lines (newlines + 1). */
size_t text_edit_lines(const struct text_edit *t);

#endif
