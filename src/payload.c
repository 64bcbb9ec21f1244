/* payload.c: payload formats: detection, pretty JSON with colour classes and folds, hex, numbers,
 * line diff. */
#define _GNU_SOURCE
#include "mqscope/payload.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

#define FMT_DEPTH_MAX 1100 /* above cJSON's nesting limit, so valid JSON never reaches it */
#define DIFF_DMAX     1000 /* edit distance beyond which a diff falls back to replace-all */
#define DIFF_LINES    (1u << 20)

/* ---- detection ---- */

/* Length of the valid UTF-8 sequence at p, or 0 (overlongs, surrogates and > U+10FFFF are
 * invalid). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

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
		size_t n = utf8_seq(p, end);

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

/* ---- numbers ---- */

bool payload_text_number(const char *s, size_t len, double *out)
{
	size_t i = 0, start, digits = 0;
	char buf[64], *endp;
	double v;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	start = i;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;

		if (j < len && (s[j] == '-' || s[j] == '+'))
			j++;
		if (j < len && isdigit((unsigned char)s[j])) {
			while (j < len && isdigit((unsigned char)s[j]))
				j++;
			i = j;
		}
	}
	if (i - start >= sizeof(buf))
		return false;
	memcpy(buf, s + start, i - start);
	buf[i - start] = '\0';
	v = strtod(buf, &endp);
	if (*endp != '\0' || !isfinite(v))
		return false;
	/* What follows may be a unit ("C", "%", "seconds"), not more numbers. */
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (len - i > 16)
		return false;
	for (size_t j = i; j < len; j++) {
		unsigned char c = (unsigned char)s[j];

		if (isdigit(c) || c == '{' || c == '[' || c == '"' || c == '\0' || c == ',' ||
		    c == '.' || c == '-' || c == '+')
			return false;
	}
	*out = v;
	return true;
}

static cJSON *parse_whole(const char *s, size_t len)
{
	const char *end = NULL;
	cJSON *j;

	if (len > PAYLOAD_NUMBER_MAX)
		return NULL;
	j = cJSON_ParseWithLengthOpts(s, len, &end, false);
	if (j == NULL)
		return NULL;
	for (size_t i = (size_t)(end - s); i < len; i++) {
		if (!isspace((unsigned char)s[i])) {
			cJSON_Delete(j);
			return NULL;
		}
	}
	return j;
}

static bool json_leaf_number(const cJSON *n, double *out)
{
	if (cJSON_IsNumber(n) && isfinite(n->valuedouble)) {
		*out = n->valuedouble;
		return true;
	}
	if (cJSON_IsString(n) && n->valuestring)
		return payload_text_number(n->valuestring, strlen(n->valuestring), out);
	return false;
}

/* The node at path ("a.b[2]"), or NULL. */
static const cJSON *json_at(const cJSON *root, const char *path)
{
	const cJSON *n = root;
	const char *p = path;
	char key[PAYLOAD_PATH_MAX];

	while (*p && n) {
		if (*p == '.') {
			p++;
		} else if (*p == '[') {
			char *e;
			long idx = strtol(p + 1, &e, 10);

			if (e == p + 1 || *e != ']' || idx < 0 || !cJSON_IsArray(n))
				return NULL;
			n = cJSON_GetArrayItem(n, (int)idx);
			p = e + 1;
		} else {
			size_t k = strcspn(p, ".[");

			if (k >= sizeof(key) || !cJSON_IsObject(n))
				return NULL;
			memcpy(key, p, k);
			key[k] = '\0';
			n = cJSON_GetObjectItemCaseSensitive(n, key);
			p += k;
		}
	}
	return n;
}

bool payload_number(const char *s, size_t len, const char *path, double *out)
{
	cJSON *root;
	const cJSON *n;
	bool ok;

	if (len > PAYLOAD_NUMBER_MAX)
		return false;
	if (path == NULL || path[0] == '\0')
		return payload_text_number(s, len, out);
	root = parse_whole(s, len);
	if (root == NULL)
		return false;
	n = json_at(root, path);
	ok = n != NULL && json_leaf_number(n, out);
	cJSON_Delete(root);
	return ok;
}

/* Copies n bytes into out (cut to cap - 1, NUL-ended); returns the length kept. */
static size_t copy_cut(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

bool payload_value(const char *s, size_t len, const char *path, char *buf, size_t cap,
                   const char **out, size_t *outlen, double *num, bool *is_num)
{
	cJSON *root;
	const cJSON *n;
	char *printed = NULL;
	const char *text;

	*is_num = false;
	if (path == NULL || path[0] == '\0') {
		while (len > 0 && isspace((unsigned char)*s))
			s++, len--;
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		*out = s;
		*outlen = len;
		*is_num = len <= PAYLOAD_NUMBER_MAX && payload_text_number(s, len, num);
		return true;
	}
	if (cap == 0 || (root = parse_whole(s, len)) == NULL)
		return false;
	n = json_at(root, path);
	if (n == NULL) {
		cJSON_Delete(root);
		return false;
	}
	*is_num = json_leaf_number(n, num);
	if (cJSON_IsString(n))
		text = n->valuestring ? n->valuestring : "";
	else if (cJSON_IsTrue(n))
		text = "true";
	else if (cJSON_IsFalse(n))
		text = "false";
	else if (cJSON_IsNull(n))
		text = "null";
	else
		text = printed = cJSON_PrintUnformatted(n);
	*out = buf;
	*outlen = copy_cut(buf, cap, text ? text : "", text ? strlen(text) : 0);
	free(printed);
	cJSON_Delete(root);
	return true;
}

struct path_walk {
	char (*paths)[PAYLOAD_PATH_MAX];
	size_t n, max;
	char cur[PAYLOAD_PATH_MAX];
};

/* Collects numeric leaves below n, whose path is w->cur[0..plen). */
static void walk_numbers(struct path_walk *w, const cJSON *n, size_t plen, int depth)
{
	double v;
	int idx = 0;

	if (w->n >= w->max || depth > 32)
		return;
	if (!cJSON_IsObject(n) && !cJSON_IsArray(n)) {
		if (plen > 0 && json_leaf_number(n, &v)) {
			memcpy(w->paths[w->n], w->cur, plen);
			w->paths[w->n][plen] = '\0';
			w->n++;
		}
		return;
	}
	for (const cJSON *c = n->child; c && w->n < w->max; c = c->next, idx++) {
		int k;

		if (cJSON_IsObject(n)) {
			/* Keys that the path syntax cannot name are left out. */
			if (c->string == NULL || c->string[0] == '\0' || strpbrk(c->string, ".[]"))
				continue;
			k = snprintf(w->cur + plen, sizeof(w->cur) - plen, "%s%s", plen ? "." : "",
			             c->string);
		} else {
			k = snprintf(w->cur + plen, sizeof(w->cur) - plen, "[%d]", idx);
		}
		if (k < 0 || plen + (size_t)k >= sizeof(w->cur))
			continue;
		walk_numbers(w, c, plen + (size_t)k, depth + 1);
	}
}

size_t payload_numeric_paths(const char *s, size_t len, char (*paths)[PAYLOAD_PATH_MAX], size_t max)
{
	struct path_walk w = {.paths = paths, .max = max};
	cJSON *root = parse_whole(s, len);

	if (root == NULL)
		return 0;
	walk_numbers(&w, root, 0, 0);
	cJSON_Delete(root);
	return w.n;
}

/* How much a field name looks like a measurement (higher) or a timestamp/id (lower). */
static int field_score(const char *path)
{
	static const char *const good[] = {"value",    "val",   "reading", "temperature", "temp",
	                                   "humidity", "power", "level",   "load",        "state"};
	static const char *const poor[] = {"ts",   "time",   "timestamp", "epoch",
	                                   "date", "id",     "seq",       "sequence",
	                                   "unix", "uptime", "time_ms",   "t"};
	const char *last = strrchr(path, '.');
	char name[PAYLOAD_PATH_MAX];
	size_t n;

	last = last ? last + 1 : path;
	n = strcspn(last, "[");
	if (n >= sizeof(name))
		return 0;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)last[i]);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!strcmp(name, good[i]))
			return 2;
	for (size_t i = 0; i < sizeof(poor) / sizeof(poor[0]); i++)
		if (!strcmp(name, poor[i]))
			return -1;
	if (n > 3 && (!strcmp(name + n - 3, "_at") || !strcmp(name + n - 3, "_ts") ||
	              !strcmp(name + n - 3, "_id")))
		return -1;
	return 0;
}

bool payload_default_path(const char *s, size_t len, char *out, size_t cap)
{
	char(*paths)[PAYLOAD_PATH_MAX];
	size_t n, best = 0;
	int best_score = -100;
	double v;

	if (cap == 0)
		return false;
	out[0] = '\0';
	if (payload_text_number(s, len, &v))
		return true;
	paths = xmalloc(64 * sizeof(*paths));
	n = payload_numeric_paths(s, len, paths, 64);
	for (size_t i = 0; i < n; i++) {
		int sc = field_score(paths[i]);

		if (sc > best_score) {
			best_score = sc;
			best = i;
		}
	}
	if (n)
		snprintf(out, cap, "%s", paths[best]);
	free(paths);
	return n > 0;
}

/* ---- diff ---- */

enum { OP_SAME, OP_DEL, OP_ADD };

struct diff_op {
	uint8_t kind;
	uint32_t a, b; /* line in a (SAME, DEL) and in b (SAME, ADD) */
};

struct diff_ctx {
	const struct pdoc *a, *b;
	uint64_t *ha, *hb; /* hashes of the middle lines */
	size_t pre;
	struct diff_op *ops;
	size_t nops, ops_cap;
};

static uint64_t line_hash(const struct pdoc *d, size_t i)
{
	const struct pline *l = &d->lines[i];
	uint64_t h = 1469598103934665603ull ^ l->depth;

	for (uint32_t k = 0; k < l->len; k++)
		h = (h ^ (uint8_t)d->text[l->off + k]) * 1099511628211ull;
	return h;
}

static bool line_eq(const struct pdoc *a, size_t i, const struct pdoc *b, size_t j)
{
	const struct pline *x = &a->lines[i], *y = &b->lines[j];

	return x->len == y->len && x->depth == y->depth &&
	       memcmp(a->text + x->off, b->text + y->off, x->len) == 0;
}

static bool mid_eq(const struct diff_ctx *c, size_t x, size_t y)
{
	return c->ha[x] == c->hb[y] && line_eq(c->a, c->pre + x, c->b, c->pre + y);
}

static void op_push(struct diff_ctx *c, uint8_t kind, size_t a, size_t b)
{
	if (c->nops == c->ops_cap) {
		c->ops_cap = c->ops_cap ? c->ops_cap * 2 : 256;
		c->ops = xrealloc(c->ops, c->ops_cap * sizeof(*c->ops));
	}
	c->ops[c->nops].kind = kind;
	c->ops[c->nops].a = (uint32_t)a;
	c->ops[c->nops].b = (uint32_t)b;
	c->nops++;
}

/*
 * Myers' O(ND) diff of the middle parts (n lines of a, m of b). Appends the
 * script in order; false when the edit distance exceeds DIFF_DMAX.
 */
static bool myers(struct diff_ctx *c, size_t n, size_t m)
{
	long N = (long)n, M = (long)m, max = N + M, dmax = max < DIFF_DMAX ? max : DIFF_DMAX;
	long *v = xcalloc((size_t)(2 * dmax + 3), sizeof(long));
	long *trace = NULL, found = -1;
	size_t trace_len = 0;
	long off = dmax + 1;
	size_t first = c->nops;

	for (long d = 0; d <= dmax && found < 0; d++) {
		/* Keep v[-(d-1)..d-1] as it was before step d: the backtrack needs it. */
		if (d > 0) {
			trace = xrealloc(trace, (trace_len + (size_t)(2 * d - 1)) * sizeof(long));
			memcpy(trace + trace_len, v + off - (d - 1),
			       (size_t)(2 * d - 1) * sizeof(long));
			trace_len += (size_t)(2 * d - 1);
		}
		for (long k = -d; k <= d; k += 2) {
			long x, y;

			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < N && y < M && mid_eq(c, (size_t)x, (size_t)y))
				x++, y++;
			v[off + k] = x;
			if (x >= N && y >= M) {
				found = d;
				break;
			}
		}
	}
	free(v);
	if (found < 0) {
		free(trace);
		return false;
	}
	/* Walk back from (N, M), collecting the script in reverse. */
	long x = N, y = M;
	for (long d = found; d >= 0; d--) {
		long k = x - y, prev_k, prev_x, prev_y;

		if (d == 0) {
			while (x > 0 && y > 0) {
				op_push(c, OP_SAME, (size_t)(x - 1), (size_t)(y - 1));
				x--, y--;
			}
			break;
		}
		const long *tv = trace + (size_t)((d - 1) * (d - 1)); /* v[-(d-1)..d-1] */
#define TV(kk) tv[(kk) + (d - 1)]
		if (k == -d || (k != d && TV(k - 1) < TV(k + 1)))
			prev_k = k + 1;
		else
			prev_k = k - 1;
		prev_x = TV(prev_k);
#undef TV
		prev_y = prev_x - prev_k;
		while (x > prev_x && y > prev_y) {
			op_push(c, OP_SAME, (size_t)(x - 1), (size_t)(y - 1));
			x--, y--;
		}
		if (x == prev_x)
			op_push(c, OP_ADD, (size_t)prev_x, (size_t)prev_y);
		else
			op_push(c, OP_DEL, (size_t)prev_x, (size_t)prev_y);
		x = prev_x;
		y = prev_y;
	}
	free(trace);
	/* Reverse into order. */
	for (size_t i = first, j = c->nops - 1; i < j; i++, j--) {
		struct diff_op t = c->ops[i];
		c->ops[i] = c->ops[j];
		c->ops[j] = t;
	}
	return true;
}

/* Appends line i of src to out with kind and a two-column marker. */
static void copy_line(struct pdoc *out, const struct pdoc *src, size_t i, enum pline_kind kind)
{
	const struct pline *l = &src->lines[i];
	size_t li = line_start(out, l->depth, kind);

	doc_reserve(out, l->len, true);
	memcpy(out->text + out->len, src->text + l->off, l->len);
	if (src->style)
		memcpy(out->style + out->len, src->style + l->off, l->len);
	else
		memset(out->style + out->len, PS_PLAIN, l->len);
	out->len += l->len;
	out->lines[li].len = l->len;
}

size_t payload_diff(const struct pdoc *a, const struct pdoc *b, size_t context, struct pdoc *out)
{
	struct diff_ctx c = {.a = a, .b = b};
	size_t na = a->nlines, nb = b->nlines, pre = 0, suf = 0, changed = 0;

	pdoc_clear(out);
	while (pre < na && pre < nb && line_eq(a, pre, b, pre))
		pre++;
	while (suf < na - pre && suf < nb - pre && line_eq(a, na - 1 - suf, b, nb - 1 - suf))
		suf++;
	for (size_t i = 0; i < pre; i++)
		op_push(&c, OP_SAME, i, i);
	size_t n = na - pre - suf, m = nb - pre - suf;
	c.pre = pre;
	bool exact = false;
	if (n + m > 0 && n + m <= DIFF_LINES) {
		c.ha = xmalloc((n ? n : 1) * sizeof(uint64_t));
		c.hb = xmalloc((m ? m : 1) * sizeof(uint64_t));
		for (size_t i = 0; i < n; i++)
			c.ha[i] = line_hash(a, pre + i);
		for (size_t i = 0; i < m; i++)
			c.hb[i] = line_hash(b, pre + i);
		size_t before = c.nops;
		exact = myers(&c, n, m);
		if (exact) {
			for (size_t i = before; i < c.nops; i++) {
				c.ops[i].a += (uint32_t)pre;
				c.ops[i].b += (uint32_t)pre;
			}
		} else {
			c.nops = before;
		}
		free(c.ha);
		free(c.hb);
	}
	if (!exact) {
		for (size_t i = 0; i < n; i++)
			op_push(&c, OP_DEL, pre + i, pre);
		for (size_t i = 0; i < m; i++)
			op_push(&c, OP_ADD, pre + n, pre + i);
	}
	for (size_t i = 0; i < suf; i++)
		op_push(&c, OP_SAME, na - suf + i, nb - suf + i);

	/* Hunks: changes with context lines around them; close changes share a hunk. */
	for (size_t i = 0; i < c.nops;) {
		size_t start, end, gap = 0, ca = 0, cb = 0, la, lb;
		char hdr[96];
		int hn;

		while (i < c.nops && c.ops[i].kind == OP_SAME)
			i++;
		if (i == c.nops)
			break;
		start = i > context ? i - context : 0;
		end = i;
		while (end < c.nops) {
			if (c.ops[end].kind == OP_SAME) {
				if (gap == 2 * context)
					break; /* too long a gap to bridge: the next change starts a
					          hunk */
				gap++;
			} else {
				gap = 0;
			}
			end++;
		}
		/* Trim the trailing context to at most `context` lines. */
		while (end > i && gap > context) {
			end--;
			gap--;
		}
		la = c.ops[start].a;
		lb = c.ops[start].b;
		for (size_t k = start; k < end; k++) {
			ca += c.ops[k].kind != OP_ADD;
			cb += c.ops[k].kind != OP_DEL;
		}
		hn = snprintf(hdr, sizeof(hdr), "@@ -%zu,%zu +%zu,%zu @@", la + (ca > 0), ca,
		              lb + (cb > 0), cb);
		size_t hl = line_start(out, 0, PL_HUNK);
		doc_reserve(out, (size_t)hn, true);
		memcpy(out->text + out->len, hdr, (size_t)hn);
		memset(out->style + out->len, PS_PLAIN, (size_t)hn);
		out->len += (size_t)hn;
		out->lines[hl].len = (uint32_t)hn;
		for (size_t k = start; k < end; k++) {
			const struct diff_op *op = &c.ops[k];

			if (op->kind == OP_SAME) {
				copy_line(out, b, op->b, PL_SAME);
			} else if (op->kind == OP_DEL) {
				copy_line(out, a, op->a, PL_DEL);
				changed++;
			} else {
				copy_line(out, b, op->b, PL_ADD);
				changed++;
			}
		}
		i = end;
	}
	free(c.ops);
	return changed;
}

/* ---- base64 ---- */

size_t base64_encode(const void *in, size_t n, char *out, size_t cap)
{
	static const char tb[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *p = in;
	size_t o = 0, i = 0;

	if (cap < base64_len(n) + 1) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = tb[v >> 18];
		out[o++] = tb[(v >> 12) & 63];
		out[o++] = tb[(v >> 6) & 63];
		out[o++] = tb[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		out[o++] = tb[v >> 18];
		out[o++] = tb[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tb[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool base64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	while (n > 0 && in[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		int v = b64_val(in[i]);

		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return false;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = o;
	return true;
}
