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

struct fit_mid fit_middle(const char *in, size_t len, unsigned flags, int cols)
{
	return fit_middle_at(in, len, flags, cols, (cols - 1) / 2 + 1);
}

struct fit_mid fit_middle_at(const char *in, size_t len, unsigned flags, int cols, int head_cols)
{
	int total = sanitize_width(in, len, flags), upto = 0;
	struct fit_mid m = {len, len, total, false};
	struct fit head;
	size_t p = 0;

	if (total <= cols)
		return m;
	m.cut = true;
	m.head = 0;
	m.tail = len;
	m.cols = 0;
	if (cols < 1)
		return m;
	/* head_cols (less the ellipsis) for the start, the rest for the end. */
	if (head_cols > cols - 1)
		head_cols = cols - 1;
	head = fit_text(in, len, flags, head_cols > 0 ? head_cols : 0);
	m.head = head.bytes;
	/* The end: from the first glyph boundary after the start whose rest fits what is left. */
	while (p < len) {
		struct san_glyph g;

		if (p >= m.head && head.cols + 1 + (total - upto) <= cols)
			break;
		p += sanitize_next(in + p, in + len, glyph_flags(flags, upto), &g);
		upto += g.width;
	}
	m.tail = p;
	m.cols = head.cols + 1 + (total - upto);
	return m;
}
