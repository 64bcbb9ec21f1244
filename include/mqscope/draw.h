/* draw.h: the only way text reaches a window: sanitized, clipped to columns. */
#ifndef MQSCOPE_DRAW_H
#define MQSCOPE_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "mqscope/actions.h"

/* Drawing mode for the whole UI (set once at start). */
void draw_set_ascii(bool ascii);
bool draw_ascii(void);
/* Sanitizer flags matching the mode. */
unsigned draw_san_flags(void);

/*
 * Draws len bytes of untrusted text at the cursor with attr in at most
 * maxcols columns, unsafe bytes as visible escapes in the escape colour. A
 * text that does not fit is cut by fit_text and ends in an ellipsis. Returns
 * the columns used.
 */
int draw_text(WINDOW *w, const char *s, size_t len, int maxcols, attr_t attr);
/* Same for a NUL-terminated string. */
int draw_str(WINDOW *w, const char *s, int maxcols, attr_t attr);
/*
 * Draws a one-line text field of width columns at y, x: buf[0..len) scrolled
 * so the cursor (byte cur) shows, the rest filled with spaces in attr.
 * Returns the cursor's column.
 */
int draw_field(WINDOW *w, int y, int x, int width, const char *buf, size_t len, size_t cur,
               attr_t attr);
/* Fills the rest of the line from the cursor with spaces in attr, up to column width. */
void draw_fill(WINDOW *w, int width, attr_t attr);
/* Line-drawing glyphs with ASCII fallbacks. */
void draw_hline(WINDOW *w, int y, int x, int n, attr_t attr);
void draw_vline(WINDOW *w, int y, int x, int n, attr_t attr);
/* A frame around the whole window. */
void draw_box(WINDOW *w, int h, int wd, attr_t attr);
/*
 * A modal's window: hh x ww centred in rows x cols, kept in *win while its
 * size (*h, *w) holds, else made anew; erased, boxed, title on the top border.
 */
void draw_dialog(WINDOW **win, int *h, int *w, int hh, int ww, int rows, int cols,
                 const char *title);
/*
 * What a window shows instead when the screen (rows x cols) is smaller than it
 * needs: one line across the middle of the screen, kept in *win, saying what
 * needs which size and the first key of close (ACT_NONE: none named), as in
 * "Publish form: needs 30x10 (Esc closes)".
 */
void draw_too_small(WINDOW **win, int *h, int *w, int rows, int cols, const char *what,
                    int need_rows, int need_cols, enum action close);
/* A key hint: the first key of an action and what it does (NULL: told by the next hint). */
struct key_hint {
	enum action a;
	const char *label;
};
/*
 * Draws hints at the cursor, "Esc close  a add", with the keys bound now (an
 * unbound action is left out), as many whole hints as fit in maxcols (none is
 * ever cut); returns the columns used.
 */
int draw_key_hints(WINDOW *w, int maxcols, const struct key_hint *hints, size_t n);
/*
 * Draws the last width of n values as a sparkline scaled from lo to hi: the
 * blocks U+2581..U+2588, or "_.,-=+*#" in ASCII mode. Returns columns used.
 */
int draw_spark(WINDOW *w, const double *v, size_t n, int width, double lo, double hi, attr_t attr);
/* A cell filled from the bottom by eighths (0..8): " ", U+2581..U+2588, or ASCII. */
const char *draw_eighths(int eighths);
/* A glyph by role: "expanded", "collapsed", "retained", "dot", "ellipsis". */
const char *draw_glyph(const char *role);

#endif
