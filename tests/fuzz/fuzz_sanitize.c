/* fuzz_sanitize.c: no input makes the sanitizer emit a control byte, a C1 control, invalid UTF-8
 * or a deceptive character, read out of bounds, or disagree with itself: its output sanitizes to
 * itself, and its widths add up. Cutting (fit_text) and wrapping (fit_wrap) any input to any
 * width stay within the width, on glyph boundaries, and always make progress. */
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/fit.h"
#include "mqscope/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define COLS_MAX 1000

/* Whether in[0..at) ends on a glyph boundary, as the sanitizer walks it. */
static bool on_boundary(const char *in, size_t len, size_t at, unsigned flags)
{
	struct san_glyph g;
	size_t q = 0;
	int col = 0;

	while (q < at) {
		q += sanitize_next(in + q, in + len, col == 0 ? flags | SAN_LEADING : flags, &g);
		col += g.width;
	}
	return q == at;
}

/* fit_text and fit_wrap of in at cols columns. */
static void check_fit(const char *in, size_t len, unsigned flags, int cols)
{
	struct fit f = fit_text(in, len, flags, cols);
	size_t at = 0, lines = 0;

	flags &= ~(unsigned)SAN_LAYOUT;
	if (f.bytes > len || f.cols < 0 || !on_boundary(in, len, f.bytes, flags))
		abort();
	if (sanitize_width(in, f.bytes, flags) != f.cols)
		abort();
	if (f.cut ? f.cols + 1 > cols : (f.bytes != len || f.cols > cols))
		abort();
	while (at < len) {
		size_t next, n = fit_wrap(in + at, len - at, flags, cols, &next);
		struct san_glyph g;
		size_t first = sanitize_next(in + at, in + len, flags | SAN_LEADING, &g);

		if (next == 0 || next > len - at || n > next)
			abort();
		/* A line is within the width, unless it is one glyph wider than it. */
		if (sanitize_width(in + at, n, flags) > cols && n != first)
			abort();
		if (!on_boundary(in + at, len - at, n, flags) || ++lines > len)
			abort();
		at += next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	char out[4096], again[4096];
	const char *p = (const char *)data, *end = p + size;
	struct san_glyph g;

	if (!init) {
		setlocale(LC_ALL, "C.UTF-8");
		init = 1;
	}
	for (unsigned flags = 0; flags < 4; flags++) {
		int cols = sanitize_line(p, size, flags, COLS_MAX, out, sizeof(out)), sum = 0;
		size_t olen = strlen(out);
		bool whole = true;

		if (cols < 0 || cols > COLS_MAX)
			abort();
		for (const unsigned char *u = (const unsigned char *)out; *u; u++)
			if (*u < 0x20 || *u == 0x7f || ((flags & SAN_ASCII) && *u >= 0x80))
				abort();
		/* Everything in the output is text the sanitizer passes as it is. */
		for (const char *q = out; q < out + olen;) {
			size_t n = sanitize_next(q, out + olen, flags & ~(unsigned)SAN_LAYOUT, &g);

			if (n == 0 || g.kind != SAN_TEXT)
				abort();
			q += n;
		}
		/* So sanitizing it again changes nothing. */
		if (sanitize_line(out, olen, flags, COLS_MAX, again, sizeof(again)) != cols ||
		    strcmp(again, out) != 0)
			abort();
		for (const char *q = p; q < end;) {
			/* As sanitize_width reads it: a run starts until something has width. */
			size_t n =
			    sanitize_next(q, end, sum == 0 ? flags | SAN_LEADING : flags, &g);

			if (n == 0 || n > (size_t)(end - q))
				abort();
			if (g.width < 0)
				abort();
			if (g.kind == SAN_TEXT) {
				if (g.s != q || g.len != n)
					abort();
				for (size_t i = 0; i < g.len; i++)
					if ((unsigned char)g.s[i] < 0x20 ||
					    (unsigned char)g.s[i] == 0x7f)
						abort();
			} else if (g.kind == SAN_ESCAPE) {
				if (g.esc[0] != '\\' || g.width != (int)strlen(g.esc))
					abort();
			} else if (!(flags & SAN_LAYOUT)) {
				abort(); /* newline and tab glyphs only when asked for */
			}
			if (g.kind == SAN_NEWLINE || g.kind == SAN_TAB)
				whole = false;
			else
				sum += g.width;
			q += n;
		}
		/* Without layout glyphs, the line's width is the sum of its glyphs'. */
		if (whole && sanitize_width(p, size, flags) != sum)
			abort();
		check_fit(p, size, flags, 1);
		check_fit(p, size, flags, 2 + (size ? data[0] % 40 : 0));
		check_fit(p, size, flags, 80);
	}
	return 0;
}
