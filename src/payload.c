/* payload.c: what a payload is, and its documents: text, pretty JSON with colour classes and
 * folds, hex dump. */
#define _GNU_SOURCE
#include "mqscope/payload.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/utf8.h"
#include "mqscope/util.h"

#define FMT_DEPTH_MAX 1100 /* above cJSON's nesting limit, so valid JSON never reaches it */

/* ---- detection ---- */

/* Whether s holds one JSON object or array and nothing else but whitespace. */
static bool is_json(const char *s, size_t len)
{
	const char *end = NULL;
	size_t i = 0;
	cJSON *j;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i == len || (s[i] != '{' && s[i] != '['))
		return false;
	j = cJSON_ParseWithLengthOpts(s, len, &end, false);
	if (j == NULL)
		return false;
	cJSON_Delete(j);
	for (i = (size_t)(end - s); i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

enum payload_kind payload_detect(const char *s, size_t len, bool truncated)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t bad = 0;

	if (len == 0)
		return PAYLOAD_EMPTY;
	/* One trailing NUL is how C programs often end a string: not a sign of binary. */
	if (end[-1] == 0)
		end--;
	while (p < end) {
		size_t n = utf8_decode((const char *)p, (const char *)end, NULL);

		if (n == 0) {
			/* A sequence cut by truncation at the very end is not evidence either. */
			if (!(truncated && end - p < 4 && *p >= 0xc2))
				bad++;
			p++;
			continue;
		}
		/* Controls that text rarely holds; ESC and BEL are left to the sanitizer. */
		if (n == 1 && (*p < 0x20 || *p == 0x7f) &&
		    !strchr("\t\n\r\f\v\b\a\x1b", *p ? *p : 'x'))
			bad++;
		p += n;
	}
	if (bad * 8 > len)
		return PAYLOAD_BINARY;
	if (!truncated && is_json(s, len))
		return PAYLOAD_JSON;
	return PAYLOAD_TEXT;
}

bool payload_is_text(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		size_t n = utf8_decode(p, end, NULL);
		unsigned char c = (unsigned char)*p;

		if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f) && !strchr("\t\n\r", c ? c : 'x')))
			return false;
		p += n;
	}
	return true;
}

const char *payload_kind_name(enum payload_kind k)
{
	switch (k) {
	case PAYLOAD_TEXT:
		return "text";
	case PAYLOAD_JSON:
		return "json";
	case PAYLOAD_BINARY:
		return "binary";
	default:
		return "empty";
	}
}

/* ---- documents ---- */

void pdoc_init(struct pdoc *d)
{
	memset(d, 0, sizeof(*d));
}

void pdoc_free(struct pdoc *d)
{
	free(d->text);
	free(d->style);
	free(d->lines);
	memset(d, 0, sizeof(*d));
}

void pdoc_clear(struct pdoc *d)
{
	d->len = 0;
	d->nlines = 0;
}

static void doc_reserve(struct pdoc *d, size_t more, bool styled)
{
	/* Never leave text NULL: an empty document is still a valid place to point into. */
	if (d->len + more > d->cap || d->text == NULL) {
		size_t ncap = d->cap ? d->cap : 256;

		while (ncap < d->len + more)
			ncap *= 2;
		d->text = xrealloc(d->text, ncap);
		if (d->style || styled)
			d->style = xrealloc(d->style, ncap);
		d->cap = ncap;
	} else if (styled && d->style == NULL) {
		d->style = xmalloc(d->cap);
	}
}

static void emit(struct pdoc *d, const char *s, size_t n, enum pstyle st)
{
	doc_reserve(d, n, true);
	memcpy(d->text + d->len, s, n);
	memset(d->style + d->len, st, n);
	d->len += n;
}

/* Starts a new line at the end of the text; returns its index. */
static size_t line_start(struct pdoc *d, unsigned depth, enum pline_kind kind)
{
	struct pline *l;

	if (d->nlines == d->lines_cap) {
		d->lines_cap = d->lines_cap ? d->lines_cap * 2 : 64;
		d->lines = xrealloc(d->lines, d->lines_cap * sizeof(*d->lines));
	}
	l = &d->lines[d->nlines];
	memset(l, 0, sizeof(*l));
	l->off = (uint32_t)d->len;
	l->depth = (uint16_t)(depth > UINT16_MAX ? UINT16_MAX : depth);
	l->kind = (uint8_t)kind;
	return d->nlines++;
}

size_t pdoc_add_line(struct pdoc *d, const char *text, size_t n, const uint8_t *style,
                     unsigned depth, enum pline_kind kind)
{
	size_t li = line_start(d, depth, kind);

	doc_reserve(d, n, true);
	memcpy(d->text + d->len, text, n);
	if (style)
		memcpy(d->style + d->len, style, n);
	else
		memset(d->style + d->len, PS_PLAIN, n);
	d->len += n;
	d->lines[li].len = (uint32_t)n;
	return li;
}

/* Closes the current line at the end of the text. */
static void line_end(struct pdoc *d)
{
	if (d->nlines)
		d->lines[d->nlines - 1].len = (uint32_t)(d->len - d->lines[d->nlines - 1].off);
}

void payload_text_doc(const char *s, size_t len, struct pdoc *out)
{
	pdoc_clear(out);
	free(out->style);
	out->style = NULL;
	doc_reserve(out, len, false);
	if (len)
		memcpy(out->text, s, len);
	out->len = len;
	line_start(out, 0, PL_PLAIN);
	out->lines[0].off = 0;
	line_end(out);
}

void payload_split_lines(struct pdoc *d)
{
	const char *p, *end;

	if (d->nlines != 1)
		return;
	p = d->text;
	end = d->text + d->len;
	d->nlines = 0;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t i = line_start(d, 0, PL_PLAIN);

		d->lines[i].off = (uint32_t)(p - d->text);
		d->lines[i].len = (uint32_t)((nl ? nl : end) - p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

struct fmt_level {
	uint32_t line;  /* the opening line */
	uint32_t items; /* keys or elements so far */
	bool obj;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_delim(char c)
{
	return is_ws(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' ||
	       c == '"';
}

void payload_json_format(const char *s, size_t len, struct pdoc *out)
{
	struct fmt_level *st = xmalloc(FMT_DEPTH_MAX * sizeof(*st));
	size_t depth = 0, i = 0;
	bool expect_key = false;

	pdoc_clear(out);
	doc_reserve(out, len + len / 4 + 16, true);
	line_start(out, 0, PL_PLAIN);
	while (i < len) {
		char c = s[i];
		struct fmt_level *top = depth ? &st[depth - 1] : NULL;

		if (is_ws(c)) {
			i++;
			continue;
		}
		/* Only in broken input does anything but ',' or a closer follow a closer: a new
		 * line then, so a closing line never opens too. */
		if (out->lines[out->nlines - 1].kind == PL_CLOSE && c != ',' && c != '}' &&
		    c != ']') {
			line_end(out);
			line_start(out, depth, PL_PLAIN);
		}
		/* Count what the container holds: keys of objects, elements of arrays. */
		if (top && c != '}' && c != ']' && c != ',' && c != ':' &&
		    (top->obj ? expect_key : true))
			top->items++;
		if ((c == '{' || c == '[') && depth < FMT_DEPTH_MAX) {
			char close = c == '{' ? '}' : ']';
			size_t j = i + 1;

			emit(out, &c, 1, PS_PUNCT);
			while (j < len && is_ws(s[j]))
				j++;
			if (j < len && s[j] == close) {
				emit(out, &close, 1, PS_PUNCT);
				i = j + 1;
				expect_key = false;
				continue;
			}
			st[depth].line = (uint32_t)(out->nlines - 1);
			st[depth].items = 0;
			st[depth].obj = c == '{';
			depth++;
			line_end(out);
			line_start(out, depth, PL_PLAIN);
			expect_key = c == '{';
			i++;
		} else if ((c == '}' || c == ']') && depth > 0) {
			size_t l;

			depth--;
			line_end(out);
			l = line_start(out, depth, PL_CLOSE);
			emit(out, &c, 1, PS_PUNCT);
			out->lines[l].link = st[depth].items;
			out->lines[st[depth].line].kind = PL_OPEN;
			out->lines[st[depth].line].link = (uint32_t)l;
			expect_key = false;
			i++;
		} else if (c == ',') {
			emit(out, ",", 1, PS_PUNCT);
			line_end(out);
			line_start(out, depth, PL_PLAIN);
			expect_key = top && top->obj;
			i++;
		} else if (c == ':') {
			emit(out, ": ", 2, PS_PUNCT);
			expect_key = false;
			i++;
		} else if (c == '"') {
			size_t j = i + 1;

			while (j < len && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			if (j < len)
				j++;
			if (j > len)
				j = len;
			emit(out, s + i, j - i, top && top->obj && expect_key ? PS_KEY : PS_STRING);
			i = j;
		} else {
			size_t j = i + 1;
			enum pstyle sty = PS_PLAIN;

			while (j < len && !is_delim(s[j]))
				j++;
			if (c == 't' || c == 'f')
				sty = PS_BOOL;
			else if (c == 'n')
				sty = PS_NULL;
			else if (c == '-' || (c >= '0' && c <= '9'))
				sty = PS_NUMBER;
			emit(out, s + i, j - i, sty);
			i = j;
		}
	}
	line_end(out);
	/* Drop an empty last line (a document that ended with a newline of ours). */
	if (out->nlines > 1 && out->lines[out->nlines - 1].len == 0)
		out->nlines--;
	free(st);
}

bool payload_json_doc(const char *s, size_t len, struct pdoc *out)
{
	if (!is_json(s, len))
		return false;
	/*
	 * cJSON decides what is JSON; the layout is rebuilt from the original
	 * tokens, because printing cJSON's numbers would change them (it keeps
	 * doubles: 12345678901234567890 would show as 1.2345678901234567e+19).
	 */
	payload_json_format(s, len, out);
	return true;
}

/* ---- hex ---- */

int payload_hex_width(unsigned per_line)
{
	/* offset, two spaces, "xx " per byte less one, half gap, two spaces, |ascii| */
	return 8 + 2 + (int)per_line * 3 - 1 + (per_line >= 16) + 2 + (int)per_line + 2;
}

size_t payload_hex_line(const uint8_t *s, size_t len, size_t off, unsigned per_line, char *out,
                        size_t cap)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;
	char tmp[256];
	int n;

	if (per_line != 4 && per_line != 8 && per_line != 16)
		per_line = 16;
	n = snprintf(tmp, sizeof(tmp), "%08zx  ", off);
	o = (size_t)n;
	for (unsigned i = 0; i < per_line; i++) {
		if (i && i == per_line / 2 && per_line >= 16)
			tmp[o++] = ' ';
		if (off + i < len) {
			tmp[o++] = hx[s[off + i] >> 4];
			tmp[o++] = hx[s[off + i] & 15];
		} else {
			tmp[o++] = ' ';
			tmp[o++] = ' ';
		}
		if (i + 1 < per_line)
			tmp[o++] = ' ';
	}
	tmp[o++] = ' ';
	tmp[o++] = ' ';
	tmp[o++] = '|';
	for (unsigned i = 0; i < per_line && off + i < len; i++) {
		uint8_t c = s[off + i];
		tmp[o++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
	}
	tmp[o++] = '|';
	tmp[o] = '\0';
	if (cap == 0)
		return 0;
	if (o >= cap)
		o = cap - 1;
	memcpy(out, tmp, o);
	out[o] = '\0';
	return o;
}

void payload_hex_doc(const char *s, size_t len, unsigned per_line, struct pdoc *out)
{
	char buf[256];

	pdoc_clear(out);
	free(out->style);
	out->style = NULL;
	for (size_t off = 0; off < len; off += per_line) {
		size_t n =
		    payload_hex_line((const uint8_t *)s, len, off, per_line, buf, sizeof(buf));
		size_t l = line_start(out, 0, PL_PLAIN);

		doc_reserve(out, n, false);
		memcpy(out->text + out->len, buf, n);
		out->len += n;
		out->lines[l].len = (uint32_t)n;
	}
}
