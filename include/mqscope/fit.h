/* fit.h: fitting untrusted text to terminal columns: where a line is cut, where it wraps. */
#ifndef MQSCOPE_FIT_H
#define MQSCOPE_FIT_H

#include <stdbool.h>
#include <stddef.h>

/* What of a text fits a number of columns. */
struct fit {
	size_t bytes; /* of the text, drawn */
	int cols;     /* columns they take */
	bool cut;     /* the rest did not fit: a one-column ellipsis follows */
};

/*
 * Fits in[0..len) into cols columns as the sanitizer draws it (flags as for
 * sanitize_next; SAN_LAYOUT is ignored). A text that fits is taken whole. One
 * that does not is cut between glyphs so that the ellipsis fits after it: an
 * escape, a wide character or a character and its combining marks are never
 * split. Nothing fits in fewer than one column.
 */
struct fit fit_text(const char *in, size_t len, unsigned flags, int cols);

/*
 * The first line of in[0..len) wrapped at cols columns: returns its length in
 * bytes, up to the last space that fits (trailing spaces left out); a word
 * longer than the line is cut between glyphs. A newline is a glyph like any
 * control (drawn as an escape), never a break: text from the network cannot
 * make lines of its own. *next is where the next line starts (after the spaces
 * of the break), len when nothing is left. Every line takes at least one glyph.
 */
size_t fit_wrap(const char *in, size_t len, unsigned flags, int cols, size_t *next);

/* A text shortened in the middle: in[0..head), an ellipsis, in[tail..len). */
struct fit_mid {
	size_t head, tail;
	int cols; /* columns of the whole, ellipsis included */
	bool cut;
};

/*
 * Fits in[0..len) into cols columns by leaving out its middle (paths and
 * names, whose ends say the most): a text that fits is whole (head == tail
 * == len); else about half the room goes to its start and the rest to its
 * end, around a one-column ellipsis, cut between glyphs.
 */
struct fit_mid fit_middle(const char *in, size_t len, unsigned flags, int cols);
/* The same with head_cols columns at most for the start (a topic's end says the most). */
struct fit_mid fit_middle_at(const char *in, size_t len, unsigned flags, int cols, int head_cols);

#endif
