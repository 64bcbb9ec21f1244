/* sanitize.c: escaping of control, invalid and deceptive characters. */
#define _XOPEN_SOURCE 700
#include "mqscope/sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "mqscope/utf8.h"

/*
 * Characters that draw nothing (or a blank) yet change what is around them or
 * tell two different strings apart invisibly: bidi overrides, isolates and
 * marks, zero-width spaces and joiners, variation selectors, fillers, tags and
 * the other default-ignorable and format (Cf) code points. Shown as escapes.
 */
static const struct {
	uint32_t lo, hi;
} invisible_ranges[] = {
    {0x00ad, 0x00ad},   /* soft hyphen */
    {0x034f, 0x034f},   /* combining grapheme joiner */
    {0x0600, 0x0605},   /* Arabic number signs (prepended) */
    {0x061c, 0x061c},   /* Arabic letter mark */
    {0x06dd, 0x06dd},   /* Arabic end of ayah */
    {0x070f, 0x070f},   /* Syriac abbreviation mark */
    {0x0890, 0x0891},   /* Arabic pound and piastre marks above */
    {0x08e2, 0x08e2},   /* Arabic disputed end of ayah */
    {0x115f, 0x1160},   /* Hangul fillers */
    {0x17b4, 0x17b5},   /* Khmer inherent vowels */
    {0x180b, 0x180f},   /* Mongolian variation selectors and vowel separator */
    {0x200b, 0x200f},   /* zero-width space, non-joiner, joiner; LRM, RLM */
    {0x2028, 0x202e},   /* line and paragraph separators; bidi embeddings, overrides */
    {0x2060, 0x206f},   /* word joiner, invisible operators, bidi isolates, deprecated */
    {0x3164, 0x3164},   /* Hangul filler */
    {0xfe00, 0xfe0f},   /* variation selectors */
    {0xfeff, 0xfeff},   /* zero-width no-break space (BOM) */
    {0xffa0, 0xffa0},   /* halfwidth Hangul filler */
    {0xfff0, 0xfffb},   /* unassigned specials; interlinear annotation */
    {0x110bd, 0x110bd}, /* Kaithi number sign */
    {0x110cd, 0x110cd}, /* Kaithi number sign above */
    {0x13430, 0x1343f}, /* Egyptian hieroglyph format controls */
    {0x1bca0, 0x1bca3}, /* shorthand format controls */
    {0x1d173, 0x1d17a}, /* musical symbol format controls */
    {0xe0000, 0xe0fff}, /* tags, variation selectors supplement */
};

/* Whether c is one of invisible_ranges (binary search: the table is sorted). */
static int invisible(uint32_t c)
{
	size_t lo = 0, hi = sizeof(invisible_ranges) / sizeof(invisible_ranges[0]);

	if (c < invisible_ranges[0].lo)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c < invisible_ranges[mid].lo)
			hi = mid;
		else if (c > invisible_ranges[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static void set_escape(struct san_glyph *g, const char *text)
{
	g->kind = SAN_ESCAPE;
	snprintf(g->esc, sizeof(g->esc), "%s", text);
	g->width = (int)strlen(g->esc);
}

size_t sanitize_next(const char *p, const char *end, unsigned flags, struct san_glyph *g)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t c;
	size_t n;
	char buf[12];

	g->s = p;
	g->len = 1;
	g->width = 1;
	g->kind = SAN_TEXT;
	g->esc[0] = '\0';

	if (u[0] < 0x80) {
		c = u[0];
		if (c >= 0x20 && c < 0x7f)
			return 1;
		if ((flags & SAN_LAYOUT) && c == '\n') {
			g->kind = SAN_NEWLINE;
			g->width = 0;
			return 1;
		}
		if ((flags & SAN_LAYOUT) && c == '\t') {
			g->kind = SAN_TAB;
			return 1;
		}
		switch (c) {
		case 0x00:
			set_escape(g, "\\0");
			break;
		case 0x07:
			set_escape(g, "\\a");
			break;
		case 0x08:
			set_escape(g, "\\b");
			break;
		case 0x09:
			set_escape(g, "\\t");
			break;
		case 0x0a:
			set_escape(g, "\\n");
			break;
		case 0x0b:
			set_escape(g, "\\v");
			break;
		case 0x0c:
			set_escape(g, "\\f");
			break;
		case 0x0d:
			set_escape(g, "\\r");
			break;
		case 0x1b:
			set_escape(g, "\\e");
			break;
		default:
			snprintf(buf, sizeof(buf), "\\x%02x", c);
			set_escape(g, buf);
		}
		return 1;
	}

	n = utf8_decode(p, end, &c);
	if (n == 0) {
		snprintf(buf, sizeof(buf), "\\x%02x", u[0]);
		set_escape(g, buf);
		return 1;
	}
	g->len = n;
	if (!(flags & SAN_ASCII) && !(c >= 0x80 && c < 0xa0) && !invisible(c)) {
		int w = wcwidth((wchar_t)c);

		/* A combining mark first would join whatever was drawn before it. */
		if (w > 0 || (w == 0 && !(flags & SAN_LEADING))) {
			g->width = w;
			return n;
		}
	}
	snprintf(buf, sizeof(buf), c > 0xffff ? "\\U%08x" : "\\u%04x", c);
	set_escape(g, buf);
	return n;
}

int sanitize_line(const char *in, size_t len, unsigned flags, int max_cols, char *out, size_t cap)
{
	const char *p = in, *end = in + len;
	size_t o = 0;
	int cols = 0;
	struct san_glyph g;

	if (cap == 0)
		return 0;
	flags &= ~(unsigned)SAN_LAYOUT;
	while (p < end) {
		size_t used = sanitize_next(p, end, cols == 0 ? flags | SAN_LEADING : flags, &g);
		const char *s = g.kind == SAN_TEXT ? g.s : g.esc;
		size_t sl = g.kind == SAN_TEXT ? g.len : strlen(g.esc);

		if (cols + g.width > max_cols || o + sl >= cap)
			break;
		memcpy(out + o, s, sl);
		o += sl;
		cols += g.width;
		p += used;
	}
	out[o] = '\0';
	return cols;
}

int sanitize_width(const char *in, size_t len, unsigned flags)
{
	const char *p = in, *end = in + len;
	int cols = 0;
	struct san_glyph g;

	flags &= ~(unsigned)SAN_LAYOUT;
	while (p < end) {
		p += sanitize_next(p, end, cols == 0 ? flags | SAN_LEADING : flags, &g);
		cols += g.width;
	}
	return cols;
}
