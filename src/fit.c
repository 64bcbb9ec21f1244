/* fit.c: the one place that decides how much of a text fits a width, for cutting and wrapping. */
#include "mqscope/fit.h"

#include "mqscope/sanitize.h"

/* Flags for the glyph at column col: a run's first glyph must not be a lone combining mark. */
static unsigned glyph_flags(unsigned flags, int col)
{
	flags &= ~(unsigned)SAN_LAYOUT;
	return col == 0 ? flags | SAN_LEADING : flags;
}

struct fit fit_text(const char *in, size_t len, unsigned flags, int cols)
{
	struct fit keep = {0, 0, true};
	size_t p = 0;
	int col = 0;

	if (cols < 1)
		return (struct fit){0, 0, false};
	while (p < len) {
		struct san_glyph g;
		size_t used = sanitize_next(in + p, in + len, glyph_flags(flags, col), &g);

		if (col + g.width > cols)
			return keep;
		col += g.width;
		p += used;
		/* The longest start that leaves a column for the ellipsis. */
		if (col <= cols - 1) {
			keep.bytes = p;
			keep.cols = col;
		}
	}
	return (struct fit){len, col, false};
}

size_t fit_wrap(const char *in, size_t len, unsigned flags, int cols, size_t *next)
{
	size_t p = 0, brk = 0, after = 0;
	int col = 0;

	if (cols < 1)
		cols = 1;
	while (p < len) {
		struct san_glyph g;
		size_t used;

		/* A break: the line ends before a run of spaces, the next starts after it. */
		if (in[p] == ' ' && p > 0 && in[p - 1] != ' ') {
			brk = p;
			after = p + 1;
		}
		used = sanitize_next(in + p, in + len, glyph_flags(flags, col), &g);
		if (col + g.width > cols && p > 0) {
			if (brk == 0) {
				*next = p; /* one long word: cut it */
				return p;
			}
			while (after < len && in[after] == ' ')
				after++;
			*next = after;
			return brk;
		}
		col += g.width;
		p += used;
	}
	*next = len;
	return len;
}
