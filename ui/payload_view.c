/* payload_view.c: the selected topic's metadata and value: text, pretty JSON with folds, hex dump,
 * history table, diff against the previous value, sparkline and chart of its numbers. */
#include "mqscope/payload_view.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/diff.h"
#include "mqscope/draw.h"
#include "mqscope/fit.h"
#include "mqscope/keys.h"
#include "mqscope/msg.h"
#include "mqscope/sanitize.h"
#include "mqscope/silence.h"
#include "mqscope/sparkplug.h"
#include "mqscope/stream.h"
#include "mqscope/theme.h"
#include "mqscope/timing.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define TOPIC_LINES_MAX 3
#define ROOMY_LINES     8 /* a shorter pane shows the value before the details */
#define PROP_LINES_MAX  4
#define AUTO_FOLD_LINES 300         /* longer JSON documents open with their inner levels folded */
#define DIFF_HEX_MAX    (64 * 1024) /* bytes of a binary value a diff compares */
#define DIFF_CONTEXT    3
#define INDENT_MAX_FRAC 2 /* indentation never takes more than 1/2 of the width */

static void draw_body_row(void *ctx, WINDOW *w, int y, int x, int wd, size_t r);

static const char *const format_names[PV__FORMATS] = {"auto", "table", "decoded",
                                                      "text", "json",  "hex"};

void payload_view_init(struct payload_view *p, const struct tree *t, const struct decoders *dec)
{
	memset(p, 0, sizeof(*p));
	list_view_init(&p->lv, false, draw_body_row, NULL, p);
	p->tree = t;
	p->dec = dec;
	p->shown = TREE_NONE;
	pdoc_init(&p->doc);
	trend_init(&p->trend);
	p->trend.dec = dec;
	if (dec) {
		p->previews = xmalloc(sizeof(*p->previews));
		decoded_previews_init(p->previews);
	}
}

void payload_view_set_timing(struct payload_view *p, const struct timing *tm,
                             const struct silence *s)
{
	p->timing = tm;
	p->silence = s;
}

void payload_view_free(struct payload_view *p)
{
	free(p->opened);
	free(p->opened_prev);
	pdoc_free(&p->doc);
	free(p->folded);
	free(p->rows);
	free(p->pin);
	free(p->pin_prev);
	for (size_t i = 0; i < p->nseries_list; i++)
		trend_free(&p->series_list[i].tr);
	free(p->series_list);
	trend_free(&p->trend);
	free(p->previews);
	memset(p, 0, sizeof(*p));
}

const struct tree_value *payload_view_value(const struct payload_view *p, tree_id id)
{
	if (id == TREE_NONE || id == TREE_ROOT)
		return NULL;
	if (p->pin && id == p->pin_id)
		return p->pin;
	if (id == p->shown && p->opened)
		return p->opened;
	return tree_shown_value(p->tree, id, 0);
}

/* ---- the opened value ---- */

static struct tree_value *value_copy(const struct tree_value *v)
{
	size_t size = sizeof(*v) + v->len + v->props_len;
	struct tree_value *c;

	if (v == NULL)
		return NULL;
	c = xmalloc(size);
	memcpy(c, v, size);
	return c;
}

/* Drops the opened value: the pane shows the newest again. */
static void close_opened(struct payload_view *p)
{
	free(p->opened);
	free(p->opened_prev);
	p->opened = p->opened_prev = NULL;
	p->opened_ord = 0;
}

/*
 * Where the opened value is in the topic's history now (0 newest), or
 * UINT_MAX when newer values pushed it out (or the topic was cleared).
 */
static unsigned opened_age(const struct payload_view *p, tree_id id)
{
	const struct tree_node *n = tree_shown(p->tree, id);
	const struct tree_value *v;
	uint64_t age;

	if (p->opened == NULL)
		return 0;
	age = n->msgs - p->opened_ord;
	if (age >= n->hist_len)
		return UINT_MAX;
	v = tree_shown_value(p->tree, id, (unsigned)age);
	/* Each message pushed one value unless the history was trimmed: make sure. */
	if (v == NULL || v->time_ms != p->opened->time_ms || v->len != p->opened->len)
		return UINT_MAX;
	return (unsigned)age;
}

/* Makes id the pane's topic, as drawing would (a key may come before the pane drew it). */
static void show_topic(struct payload_view *p, tree_id id)
{
	if (id == p->shown)
		return;
	p->shown = id;
	close_opened(p);
	if (p->body == BODY_HISTORY || p->body == BODY_DIFF)
		p->body = BODY_VALUE;
	p->folded_lines = SIZE_MAX;
	p->rows_stale = true;
}

bool payload_view_open(struct payload_view *p, tree_id id, unsigned age)
{
	const struct tree_value *v;

	if (id == TREE_NONE || id == TREE_ROOT)
		return false;
	show_topic(p, id);
	v = tree_shown_value(p->tree, id, age);
	if (v == NULL)
		return false;
	close_opened(p);
	if (age == 0)
		return true;
	p->opened = value_copy(v);
	v = tree_shown_value(p->tree, id, age + 1);
	p->opened_prev = v ? value_copy(v) : NULL;
	p->opened_ord = tree_shown(p->tree, id)->msgs - age;
	return true;
}

/* The value the pane shows for id: the opened one, or the newest. */
static const struct tree_value *shown_value(const struct payload_view *p, tree_id id)
{
	if (p->pin && id == p->pin_id)
		return p->pin; /* a message from the stream */
	return p->opened ? p->opened : tree_shown_value(p->tree, id, 0);
}

/* Copies a stream message into *v (grown as needed). */
static void copy_msg(struct tree_value **v, size_t *cap, const struct stream_msg *m)
{
	size_t need = sizeof(**v) + m->len + m->props_len;

	if (*cap < need) {
		*v = xrealloc(*v, need);
		*cap = need;
	}
	(*v)->time_ms = m->time_ms;
	(*v)->len = m->len;
	(*v)->orig_len = m->orig_len;
	(*v)->props_len = m->props_len;
	(*v)->qos = m->qos;
	(*v)->retained = m->retained;
	memcpy((*v)->data, m->data, (size_t)m->len + m->props_len);
}

void payload_view_pin(struct payload_view *p, const struct stream_msg *m,
                      const struct stream_msg *prev)
{
	bool again = p->pin && p->pin_seq == m->seq && p->pin_id == m->id;

	if (again && (prev != NULL) == (p->pin_prev != NULL))
		return;
	if (!again && p->pin_id == m->id && p->shown == m->id)
		close_opened(p); /* another message of the same topic: that one, not a value */
	copy_msg(&p->pin, &p->pin_cap, m);
	p->pin_id = m->id;
	p->pin_seq = m->seq;
	if (prev)
		copy_msg(&p->pin_prev, &p->pin_prev_cap, prev);
	else {
		free(p->pin_prev);
		p->pin_prev = NULL;
		p->pin_prev_cap = 0;
	}
	p->have_key = false; /* the document is made again */
}

void payload_view_unpin(struct payload_view *p)
{
	if (p->pin == NULL)
		return;
	free(p->pin);
	free(p->pin_prev);
	p->pin = p->pin_prev = NULL;
	p->pin_cap = p->pin_prev_cap = 0;
	p->have_key = false;
}

const struct tree_value *payload_view_read(const struct payload_view *p, tree_id id,
                                           struct decoded *out)
{
	const struct tree_value *v = payload_view_value(p, id);
	bool raw = p->format == PV_TEXT || p->format == PV_HEX;

	decoded_read(p->dec, p->tree, id, v, raw, out);
	return v;
}

/* ---- folds ---- */

static bool is_folded(const struct payload_view *p, size_t line)
{
	return line / 8 < p->folded_bytes && (p->folded[line / 8] >> (line % 8)) & 1;
}

static void set_folded(struct payload_view *p, size_t line, bool on)
{
	if (line / 8 >= p->folded_bytes)
		return;
	if (on)
		p->folded[line / 8] |= (uint8_t)(1u << (line % 8));
	else
		p->folded[line / 8] &= (uint8_t) ~(1u << (line % 8));
	p->rows_stale = true;
}

/* Folds every container at depth >= min_depth (SIZE_MAX: unfolds all). */
static void fold_all(struct payload_view *p, size_t min_depth)
{
	for (size_t i = 0; i < p->doc.nlines; i++)
		if (p->doc.lines[i].kind == PL_OPEN)
			set_folded(p, i, p->doc.lines[i].depth >= min_depth);
}

/* Sizes the fold bits for the document; keeps them when its shape (line count) did not change. */
static void folds_for_doc(struct payload_view *p)
{
	size_t need = (p->doc.nlines + 7) / 8;

	if (p->folded_lines == p->doc.nlines && p->folded_bytes >= need)
		return;
	if (need > p->folded_bytes) {
		p->folded = xrealloc(p->folded, need);
		p->folded_bytes = need;
	}
	memset(p->folded, 0, p->folded_bytes);
	p->folded_lines = p->doc.nlines;
	if ((p->as == PV_JSON || p->as == PV_DECODED) && p->doc.nlines > AUTO_FOLD_LINES)
		fold_all(p, 1); /* a long document opens on its top-level keys */
}

/* ---- the formatted document ---- */

/* Shows the decoded document of v when a decoder applies and reads it; else says why not. */
static bool decoded_doc(struct payload_view *p, tree_id id, const struct tree_value *v)
{
	struct decoded d;

	if (p->choice.format == DECODE_NONE) {
		snprintf(p->note, sizeof(p->note),
		         "no decoder applies to this topic (see decoders "
		         "in the config file)");
		return false;
	}
	decoded_read(p->dec, p->tree, id, v, false, &d);
	if (d.json == NULL) {
		snprintf(p->note, sizeof(p->note), "%s", d.err);
		p->warned = true;
		decoded_free(&d);
		return false;
	}
	/* The decoders write valid JSON: no need to parse it again to lay it out. */
	if (p->as != PV_TABLE || !spb_table_doc(d.doc, &p->doc)) {
		p->as = PV_DECODED;
		payload_json_format(d.data, d.len, &p->doc);
	}
	if (d.warnings) {
		snprintf(p->note, sizeof(p->note), "%.130s%s", d.warning,
		         d.warnings > 1 ? " (more in $warnings)" : "");
		p->warned = true;
	}
	decoded_free(&d);
	return true;
}

/* Makes doc from the value per the asked format; sets kind, as and note. */
static void build_value_doc(struct payload_view *p, tree_id id, const struct tree_value *v)
{
	bool truncated = v->len < v->orig_len;

	p->kind = payload_detect(v->data, v->len, truncated);
	decoded_choose(p->dec, p->tree, id, v, &p->choice);
	p->as = p->format;
	if (p->as == PV_AUTO && p->choice.format != DECODE_NONE)
		p->as = p->choice.format == DECODE_SPARKPLUG ? PV_TABLE : PV_DECODED;
	if ((p->as == PV_DECODED || p->as == PV_TABLE) && !decoded_doc(p, id, v))
		p->as = PV_AUTO;
	if (p->as == PV_AUTO)
		p->as = p->kind == PAYLOAD_JSON     ? PV_JSON
		        : p->kind == PAYLOAD_BINARY ? PV_HEX
		                                    : PV_TEXT;
	if (p->as == PV_JSON && !payload_json_doc(v->data, v->len, &p->doc)) {
		snprintf(p->note, sizeof(p->note), "%s: shown as text",
		         truncated ? "truncated, so not JSON" : "not valid JSON");
		p->as = PV_TEXT;
	}
	if (p->as == PV_TEXT)
		payload_text_doc(v->data, v->len, &p->doc);
	if (p->as == PV_HEX) {
		pdoc_clear(&p->doc);
		p->hex_len = v->len;
	}
}

/* Makes a diffable document of a value: its decoded document or pretty JSON, hex lines for
 * binary, else text lines. */
static void diffable(const struct payload_view *p, tree_id id, const struct tree_value *v,
                     struct pdoc *d)
{
	bool truncated = v->len < v->orig_len;
	enum payload_kind k = payload_detect(v->data, v->len, truncated);
	struct decoded dd;

	decoded_read(p->dec, p->tree, id, v, p->format == PV_TEXT || p->format == PV_HEX, &dd);
	if (dd.json) {
		payload_json_format(dd.data, dd.len, d);
		decoded_free(&dd);
		return;
	}
	decoded_free(&dd);
	if (k == PAYLOAD_JSON && payload_json_doc(v->data, v->len, d))
		return;
	if (k == PAYLOAD_BINARY) {
		payload_hex_doc(v->data, v->len < DIFF_HEX_MAX ? v->len : DIFF_HEX_MAX, 16, d);
		return;
	}
	payload_text_doc(v->data, v->len, d);
	payload_split_lines(d);
}

static void build_diff_doc(struct payload_view *p, tree_id id)
{
	/* The value shown and the one that came before it. */
	const struct tree_value *newer = shown_value(p, id);
	const struct tree_value *older = p->pin && id == p->pin_id ? p->pin_prev
	                                 : p->opened               ? p->opened_prev
	                                             : tree_shown_value(p->tree, id, 1);
	struct pdoc a, b;

	pdoc_clear(&p->doc);
	p->diff_changed = 0;
	p->as = PV_TEXT;
	if (newer == NULL || older == NULL) {
		if (p->pin && id == p->pin_id)
			snprintf(p->note, sizeof(p->note),
			         "no earlier message on this topic in the stream to compare with");
		else
			snprintf(p->note, sizeof(p->note),
			         "no earlier value to compare with (%u kept per topic; ui.history "
			         "sets it)",
			         tree_history_cap(p->tree));
		return;
	}
	pdoc_init(&a);
	pdoc_init(&b);
	diffable(p, id, older, &a);
	diffable(p, id, newer, &b);
	p->diff_changed = diff_docs(&a, &b, DIFF_CONTEXT, &p->doc);
	if (p->diff_changed == 0)
		snprintf(p->note, sizeof(p->note), "identical to the value before it");
	pdoc_free(&a);
	pdoc_free(&b);
}

/* Field by field: padding bytes of a struct are not reliably equal. */
static bool key_eq(const struct pv_key *a, const struct pv_key *b)
{
	return a->id == b->id && a->msgs == b->msgs && a->ord == b->ord && a->as == b->as &&
	       a->body == b->body && a->hist_len == b->hist_len;
}

/* Brings doc up to date with the node's shown value; cheap when nothing changed. */
static void update_doc(struct payload_view *p, tree_id id)
{
	const struct tree_node *n = tree_shown(p->tree, id);
	struct pv_key k = {
	    .id = id,
	    .msgs = n->msgs,
	    .ord = p->opened_ord,
	    .as = (int)p->format,
	    .body = p->body == BODY_DIFF ? BODY_DIFF : BODY_VALUE,
	    .hist_len = n->hist_len,
	};
	const struct tree_value *v;

	if (p->have_key && key_eq(&k, &p->key))
		return;
	p->key = k;
	p->have_key = true;
	p->note[0] = '\0';
	p->warned = false;
	p->rows_stale = true;
	p->hex_len = 0;
	if (k.body == BODY_DIFF) {
		build_diff_doc(p, id);
		return;
	}
	v = shown_value(p, id);
	if (v == NULL) {
		pdoc_clear(&p->doc);
		p->as = PV_TEXT;
		return;
	}
	build_value_doc(p, id, v);
	if (p->as == PV_JSON || p->as == PV_DECODED)
		folds_for_doc(p);
}

/* ---- layout ---- */

static void row_push(struct payload_view *p, size_t line, size_t off)
{
	if (p->nrows == p->rows_cap) {
		p->rows_cap = p->rows_cap ? p->rows_cap * 2 : 256;
		p->rows = xrealloc(p->rows, p->rows_cap * sizeof(*p->rows));
	}
	p->rows[p->nrows].line = (uint32_t)line;
	p->rows[p->nrows].off = (uint32_t)off;
	p->nrows++;
}

/* Columns before a line's text: the diff mark and the indentation. */
static int line_prefix(const struct payload_view *p, const struct pline *l, int width)
{
	int mark = p->key.body == BODY_DIFF ? 2 : 0;
	int indent = 2 * (int)l->depth;

	if (indent > width / INDENT_MAX_FRAC)
		indent = width / INDENT_MAX_FRAC;
	return mark + indent;
}

/* Splits line li of the document into rows of at most width columns (newlines break too). */
static void wrap_line(struct payload_view *p, size_t li, int width)
{
	const struct pline *l = &p->doc.lines[li];
	const char *s = p->doc.text, *q = s + l->off, *end = q + l->len;
	unsigned flags = draw_san_flags() | SAN_LAYOUT;
	int avail = width - line_prefix(p, l, width), col = 0;
	struct san_glyph g;

	if (avail < 8)
		avail = 8;
	row_push(p, li, l->off);
	while (q < end) {
		size_t used = sanitize_next(q, end, col == 0 ? flags | SAN_LEADING : flags, &g);
		int w = g.kind == SAN_TAB ? 8 - col % 8 : g.width;

		if (g.kind == SAN_NEWLINE) {
			q += used;
			if (q < end)
				row_push(p, li, (size_t)(q - s));
			col = 0;
			continue;
		}
		if (col + w > avail && col > 0) {
			row_push(p, li, (size_t)(q - s));
			col = 0;
			if (g.kind == SAN_TAB)
				w = 8;
		}
		col += w;
		q += used;
	}
}

/* Lays the document (or hex dump, or history) out in rows at width; keeps the cursor's line. */
static void layout(struct payload_view *p, tree_id id, int width)
{
	size_t cursor_line = p->lv.l.sel < p->nrows ? p->rows[p->lv.l.sel].line : 0;
	bool had_rows = p->nrows > 0;

	if (!p->rows_stale && p->rows_width == width)
		return;
	p->rows_stale = false;
	p->rows_width = width;
	p->nrows = 0;
	if (p->body == BODY_HISTORY || p->body == BODY_CHART)
		return; /* virtual rows */
	if (p->as == PV_HEX && p->key.body != BODY_DIFF) {
		p->hex_per_line = width >= payload_hex_width(16)  ? 16
		                  : width >= payload_hex_width(8) ? 8
		                                                  : 4;
		return;
	}
	(void)id;
	for (size_t i = 0; i < p->doc.nlines;) {
		const struct pline *l = &p->doc.lines[i];

		if (l->kind == PL_OPEN && is_folded(p, i) && l->link > i) {
			row_push(p, i, l->off); /* one row: opener, ellipsis, closer */
			i = l->link + 1;
			continue;
		}
		wrap_line(p, i, width);
		i++;
	}
	if (had_rows) {
		/* Put the cursor back on the first row of the line it was on. */
		size_t r = 0;

		while (r + 1 < p->nrows && p->rows[r + 1].line <= cursor_line)
			r++;
		while (r > 0 && p->rows[r - 1].line == p->rows[r].line)
			r--;
		p->lv.l.sel = r;
	}
}

/* Rows of the body in the current mode. */
static size_t body_rows(const struct payload_view *p)
{
	if (p->body == BODY_HISTORY)
		return p->shown != TREE_NONE ? tree_shown(p->tree, p->shown)->hist_len : 0;
	if (p->body == BODY_CHART)
		return 0;
	if (p->as == PV_HEX && p->key.body != BODY_DIFF)
		return p->hex_per_line ? (p->hex_len + p->hex_per_line - 1) / p->hex_per_line : 0;
	return p->nrows;
}

/* Keeps the cursor within the rows and on screen. */
static void clamp(struct payload_view *p)
{
	list_set(&p->lv.l, body_rows(p), p->lv.l.height);
}

/* ---- actions ---- */

/* The opening line of the container that holds line li, or SIZE_MAX. */
static size_t enclosing(const struct payload_view *p, size_t li)
{
	unsigned d = p->doc.lines[li].depth;

	if (d == 0)
		return SIZE_MAX;
	for (size_t i = li; i-- > 0;)
		if (p->doc.lines[i].kind == PL_OPEN && p->doc.lines[i].depth < d &&
		    p->doc.lines[i].link >= li)
			return i;
	return SIZE_MAX;
}

static size_t row_of_line(const struct payload_view *p, size_t li)
{
	for (size_t r = 0; r < p->nrows; r++)
		if (p->rows[r].line == li)
			return r;
	return p->lv.l.sel;
}

/* Folding keys on the JSON view; returns true when handled. */
static bool fold_action(struct payload_view *p, enum action a)
{
	size_t li;
	const struct pline *l;

	if (p->nrows == 0)
		return false;
	li = p->rows[p->lv.l.sel].line;
	l = &p->doc.lines[li];
	switch (a) {
	case ACT_TOGGLE_BRANCH:
		if (l->kind != PL_OPEN) {
			li = enclosing(p, li);
			if (li == SIZE_MAX)
				return false;
		}
		set_folded(p, li, !is_folded(p, li));
		break;
	case ACT_EXPAND:
		if (l->kind != PL_OPEN || !is_folded(p, li))
			return false;
		set_folded(p, li, false);
		break;
	case ACT_COLLAPSE:
		if (l->kind == PL_OPEN && !is_folded(p, li)) {
			set_folded(p, li, true);
			break;
		}
		li = enclosing(p, li);
		if (li == SIZE_MAX)
			return false; /* at the top: the key goes back to the tree */
		p->lv.l.sel = row_of_line(p, li);
		clamp(p);
		return true;
	case ACT_EXPAND_ALL:
		fold_all(p, SIZE_MAX);
		break;
	case ACT_COLLAPSE_ALL:
		fold_all(p, 1);
		break;
	default:
		return false;
	}
	/* The cursor stays on its line; layout() finds it again. */
	p->lv.l.sel = row_of_line(p, li);
	return true;
}

bool payload_view_action(struct payload_view *p, enum action a)
{
	size_t n = body_rows(p);

	clamp(p);
	if (list_move(&p->lv.l, a))
		return true;
	switch (a) {
	case ACT_TOGGLE_BRANCH:
	case ACT_EXPAND:
		if (p->body == BODY_HISTORY) {
			/* Open the value of this row. */
			if (p->lv.l.sel < n && p->shown != TREE_NONE &&
			    payload_view_open(p, p->shown, (unsigned)p->lv.l.sel)) {
				p->body = BODY_VALUE;
				p->lv.l.sel = p->lv.l.top = 0;
				p->rows_stale = true;
				return true;
			}
			return false;
		}
		/* fall through */
	case ACT_COLLAPSE:
	case ACT_EXPAND_ALL:
	case ACT_COLLAPSE_ALL:
		if (p->body == BODY_VALUE && (p->as == PV_JSON || p->as == PV_DECODED))
			return fold_action(p, a);
		return false;
	default:
		return false;
	}
}

/* ---- drawing ---- */

/*
 * Draws the full topic, wrapped over at most max lines (the last ends in an
 * ellipsis when the topic goes on); returns the next line.
 */
static int draw_topic(WINDOW *w, int y, int wd, const char *topic, size_t len, int max)
{
	size_t at = 0;
	int lines = 0;

	while (at < len && lines < max) {
		size_t next, n = fit_wrap(topic + at, len - at, draw_san_flags(), wd, &next);

		if (lines + 1 == max)
			n = next = len - at; /* the last line: the rest, cut by draw_text */
		wmove(w, y + lines, 0);
		draw_text(w, topic + at, n, wd, theme_attr(SLOT_TITLE));
		at += next;
		lines++;
	}
	return y + (lines ? lines : 1);
}

/* Draws a note of ours wrapped at spaces over at most two lines; returns the next line. */
static int draw_note(WINDOW *w, int y, int h, int wd, const char *text, enum theme_slot slot)
{
	size_t len = strlen(text), at = 0;

	for (int i = 0; i < 2 && at < len && y < h; i++, y++) {
		size_t next, n = fit_wrap(text + at, len - at, draw_san_flags(), wd, &next);

		if (i == 1)
			n = len - at; /* the rest, cut by draw_text if it must */
		wmove(w, y, 0);
		draw_text(w, text + at, n, wd, theme_attr(slot));
		at += next;
	}
	return y;
}

/* Lays "label value" pairs out over lines, starting a new line when a pair does not fit. */
struct flow {
	WINDOW *w;
	int y, x, wd, max_y, lines, max_lines;
	size_t hidden;
};

/* Adds a pair (an empty label: the value alone); a pair is never cut, it goes whole or not. */
static void flow_pair(struct flow *f, const char *label, const char *val, size_t vlen)
{
	int lw = label[0] ? (int)strlen(label) + 1 : 0;
	int need = lw + sanitize_width(val, vlen, draw_san_flags());

	if (f->x > 0 && f->x + 2 + need > f->wd) {
		f->y++;
		f->x = 0;
		f->lines++;
	}
	if (f->y >= f->max_y || f->lines >= f->max_lines || (f->x == 0 && need > f->wd)) {
		f->hidden++;
		return;
	}
	wmove(f->w, f->y, f->x);
	if (f->x > 0)
		f->x += draw_str(f->w, "  ", f->wd - f->x, A_NORMAL);
	if (label[0]) {
		f->x += draw_str(f->w, label, f->wd - f->x, theme_attr(SLOT_META_KEY));
		f->x += draw_str(f->w, " ", f->wd - f->x, A_NORMAL);
	}
	f->x += draw_text(f->w, val, vlen, f->wd - f->x, theme_attr(SLOT_META));
}

/* Draws "label value" pairs (a NULL value: left out) over at most max lines; the next line. */
static int meta_lines(WINDOW *w, int y, int h, int wd, const char *const *pairs, size_t n, int max)
{
	struct flow f = {.w = w, .y = y, .wd = wd, .max_y = h, .max_lines = max};

	for (size_t i = 0; i + 1 < n; i += 2)
		if (pairs[i + 1] != NULL)
			flow_pair(&f, pairs[i], pairs[i + 1], strlen(pairs[i + 1]));
	return f.x > 0 || f.lines > 0 ? f.y + 1 : f.y;
}

/* Draws the MQTT 5 properties of a value; returns the next line. */
static int draw_props(WINDOW *w, int y, int h, int wd, const struct tree_value *v)
{
	const uint8_t *props = (const uint8_t *)v->data + v->len;
	struct flow f = {.w = w, .y = y, .wd = wd, .max_y = h, .max_lines = PROP_LINES_MAX};
	struct prop pr;
	size_t off = 0;
	char num[48];

	if (v->props_len == 0)
		return y;
	while (props_next(props, v->props_len, &off, &pr)) {
		switch (pr.id) {
		case PROP_PAYLOAD_FORMAT:
			snprintf(num, sizeof(num), "%s", pr.num == 1 ? "utf-8" : "bytes");
			flow_pair(&f, "payload-format", num, strlen(num));
			break;
		case PROP_MESSAGE_EXPIRY:
			snprintf(num, sizeof(num), "%us", pr.num);
			flow_pair(&f, "expiry", num, strlen(num));
			break;
		case PROP_SUBSCRIPTION_ID:
			break; /* the numbers mqscope gave its subscriptions (overlaps count once)
			        */
		case PROP_CONTENT_TYPE:
		case PROP_RESPONSE_TOPIC:
		case PROP_CORRELATION_DATA:
			flow_pair(&f, props_name(pr.id), pr.s, pr.slen);
			break;
		case PROP_USER_PROPERTY: {
			/* key=value, both untrusted: drawn through the sanitizer as one value. */
			size_t n = (size_t)pr.slen + 1 + pr.vlen;
			char *kv = xmalloc(n);

			memcpy(kv, pr.s, pr.slen);
			kv[pr.slen] = '=';
			memcpy(kv + pr.slen + 1, pr.v, pr.vlen);
			flow_pair(&f, "user", kv, n);
			free(kv);
			break;
		}
		default:
			break;
		}
	}
	if (f.hidden && f.y < h) {
		char k[24];

		fmt_count(k, sizeof(k), f.hidden);
		snprintf(num, sizeof(num), "(+%s more)", k);
		wmove(w, f.y, f.x < wd - 12 ? f.x + 1 : wd - 12 > 0 ? wd - 12 : 0);
		draw_str(w, num, 12, theme_attr(SLOT_COUNT));
	}
	return f.y + 1;
}

/*
 * "label text": the label in the first indent columns, the text wrapped
 * after it over at most max lines; returns the next line.
 */
static int labelled_lines(WINDOW *w, int y, int h, int wd, const char *label, int indent,
                          const char *text, enum theme_slot slot, int max)
{
	size_t len = strlen(text), at = 0;

	if (wd <= indent + 8)
		indent = 0;
	for (int lines = 0; at < len && y < h && lines < max; lines++, y++) {
		size_t next,
		    n = fit_wrap(text + at, len - at, draw_san_flags(), wd - indent, &next);

		if (lines + 1 == max)
			n = len - at; /* the rest, cut with an ellipsis */
		wmove(w, y, 0);
		if (lines == 0 && indent)
			draw_str(w, label, wd, theme_attr(SLOT_META_KEY));
		wmove(w, y, indent);
		draw_text(w, text + at, n, wd - indent, theme_attr(slot));
		at = next;
	}
	return y;
}

/*
 * The topic's silence: "silent for 45 s (usually every 1.00 s)", or its
 * device gone ("offline: left its will"); returns the next line.
 */
static int draw_silence_line(const struct payload_view *p, WINDOW *w, int y, int h, int wd,
                             tree_id id, int64_t now)
{
	char buf[160], quiet[24], every[24];
	const struct tree_node *n = tree_node(p->tree, id);

	if (p->silence == NULL || y >= h)
		return y;
	if (silence_is_offline(p->silence, id)) {
		snprintf(buf, sizeof(buf), "offline: the device left its will");
	} else if (silence_is_silent(p->silence, id)) {
		timing_fmt_ms(quiet, sizeof(quiet), now - n->last_ms);
		timing_fmt_ms(every, sizeof(every), timing_usual(p->timing, id));
		snprintf(buf, sizeof(buf), "silent for %s (usually every %s)", quiet, every);
	} else if (silence_below(p->silence, id) + silence_offline_below(p->silence, id)) {
		snprintf(buf, sizeof(buf), "%u silent, %u offline below",
		         silence_below(p->silence, id), silence_offline_below(p->silence, id));
	} else {
		return y;
	}
	return labelled_lines(w, y, h, wd, "", 0, buf, SLOT_ERROR, 1);
}

/* The topic's timing: intervals and jitter, then duplicates and timestamps; the next line. */
static int draw_timing(const struct payload_view *p, WINDOW *w, int y, int h, int wd, tree_id id)
{
	struct timing_stats st;
	char buf[320];

	/* Paused, the statistics would move on while all else holds: left out meanwhile. */
	if (p->timing == NULL || tree_holding(p->tree) || !timing_stats(p->timing, id, &st))
		return y;
	timing_line_intervals(&st, buf, sizeof(buf));
	y = labelled_lines(w, y, h, wd, "timing", 7, buf, SLOT_META, 2);
	timing_line_payload(&st, buf, sizeof(buf));
	if (buf[0])
		y = labelled_lines(w, y, h, wd, "", 7, buf, SLOT_META, 2);
	return y;
}

/* A number for a label: integers in full (timestamps, counters), others to 6 digits. */
static void fmt_num(char *buf, size_t cap, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, cap, "%.0f", v);
	else
		snprintf(buf, cap, "%.6g", v);
}

/* " min X max Y last Z" (or only " last Z" when short) for the values from index from on. */
static void trend_numbers(const struct payload_view *p, size_t from, bool full, char *buf,
                          size_t cap, double *lo, double *hi)
{
	char a[40], b[40], c[40];

	trend_range(&p->trend, from, lo, hi);
	fmt_num(a, sizeof(a), *lo);
	fmt_num(b, sizeof(b), *hi);
	fmt_num(c, sizeof(c), p->trend.v[p->trend.n - 1]);
	if (full)
		snprintf(buf, cap, " min %s max %s last %s", a, b, c);
	else
		snprintf(buf, cap, " last %s", c);
}

/* Draws "trend FIELD ▁▂▃▅ min X max Y last Z"; returns the next line. */
static int draw_trend(struct payload_view *p, WINDOW *w, int y, int wd)
{
	char buf[160];
	int used = 0, spark = 0, want = (int)p->trend.n < 8 ? (int)p->trend.n : 8;
	double lo = 0, hi = 0;
	size_t from = 0;

	if (p->trend.n == 0)
		return y;
	wmove(w, y, 0);
	used += draw_str(w, "trend", wd, theme_attr(SLOT_META_KEY));
	if (p->trend.field_used[0]) {
		used += draw_str(w, " ", wd - used, A_NORMAL);
		used += draw_str(w, p->trend.field_used, wd / 3, theme_attr(SLOT_META));
	}
	used += draw_str(w, " ", wd - used, A_NORMAL);
	/*
	 * The numbers take what they need and the sparkline the rest; min and max
	 * are of what the sparkline shows, so its width and their text settle
	 * together in a pass or two. Long numbers in a narrow pane keep only "last".
	 */
	int full;

	for (full = 1; full >= 0; full--) {
		spark = (int)p->trend.n;
		for (int pass = 0; pass < 3; pass++) {
			int over;

			from = p->trend.n > (size_t)spark ? p->trend.n - (size_t)spark : 0;
			trend_numbers(p, from, full, buf, sizeof(buf), &lo, &hi);
			over = used + spark + (int)strlen(buf) - wd;
			if (over <= 0)
				break;
			spark -= over;
		}
		if (spark >= want)
			break;
	}
	if (spark > wd - used)
		spark = wd - used; /* never past the edge: curses would wrap onto the next line */
	if (spark <= 0)
		return y + 1;
	from = p->trend.n > (size_t)spark ? p->trend.n - (size_t)spark : 0;
	trend_numbers(p, from, full > 0, buf, sizeof(buf), &lo, &hi);
	used += draw_spark(w, p->trend.v + from, p->trend.n - from, spark, lo, hi,
	                   theme_attr(SLOT_SPARK));
	draw_str(w, buf, wd - used, theme_attr(SLOT_META));
	return y + 1;
}

/* Draws one text of a document row with its colour classes (or one colour). */
static int draw_doc_text(struct payload_view *p, WINDOW *w, size_t from, size_t to, int width,
                         attr_t plain)
{
	static const enum theme_slot slots[] = {
	    [PS_PLAIN] = SLOT_NORMAL,       [PS_PUNCT] = SLOT_JSON_PUNCT,
	    [PS_KEY] = SLOT_JSON_KEY,       [PS_STRING] = SLOT_JSON_STRING,
	    [PS_NUMBER] = SLOT_JSON_NUMBER, [PS_BOOL] = SLOT_JSON_BOOL,
	    [PS_NULL] = SLOT_JSON_NULL,
	};
	const char *s = p->doc.text, *q = s + from, *end = s + to;
	unsigned flags = draw_san_flags() | SAN_LAYOUT;
	int col = 0;
	struct san_glyph g;

	while (q < end && col < width) {
		size_t used = sanitize_next(q, end, col == 0 ? flags | SAN_LEADING : flags, &g);
		attr_t at = plain;

		if (p->doc.style && p->doc.style[q - s] < sizeof(slots) / sizeof(slots[0]) &&
		    p->doc.style[q - s] != PS_PLAIN)
			at = theme_attr(slots[p->doc.style[q - s]]);
		if (g.kind == SAN_NEWLINE)
			break;
		if (g.kind == SAN_TAB) {
			int n = 8 - col % 8;
			for (int i = 0; i < n && col < width; i++, col++)
				waddch(w, ' ');
		} else if (g.kind == SAN_TEXT) {
			if (col + g.width > width)
				break;
			wattrset(w, at);
			waddnstr(w, g.s, (int)g.len);
			col += g.width;
		} else {
			if (col + g.width > width)
				break;
			wattrset(w, theme_attr(SLOT_ESCAPE));
			waddstr(w, g.esc);
			col += g.width;
		}
		q += used;
	}
	wattrset(w, A_NORMAL);
	return col;
}

/* Draws body row r of the document at screen line y. */
static void draw_doc_row(struct payload_view *p, WINDOW *w, int y, int wd, size_t r)
{
	const struct pv_row *row = &p->rows[r];
	const struct pline *l = &p->doc.lines[row->line];
	size_t to = r + 1 < p->nrows && p->rows[r + 1].line == row->line ? p->rows[r + 1].off
	                                                                 : l->off + l->len;
	int col = 0, pre = line_prefix(p, l, wd);
	attr_t plain = A_NORMAL;

	wmove(w, y, 0);
	if (p->key.body == BODY_DIFF) {
		static const char *const marks[] = {[PL_ADD] = "+ ", [PL_DEL] = "- "};
		enum theme_slot slot = l->kind == PL_ADD   ? SLOT_DIFF_ADD
		                       : l->kind == PL_DEL ? SLOT_DIFF_DEL
		                                           : SLOT_DIFF_HUNK;

		if (l->kind == PL_HUNK) {
			draw_doc_text(p, w, row->off, to, wd, theme_attr(SLOT_DIFF_HUNK));
			return;
		}
		col += draw_str(w,
		                row->off == l->off && (l->kind == PL_ADD || l->kind == PL_DEL)
		                    ? marks[l->kind]
		                    : "  ",
		                wd, theme_attr(slot));
		if (l->kind == PL_ADD || l->kind == PL_DEL)
			plain = theme_attr(slot);
	}
	for (; col < pre; col++)
		waddch(w, ' ');
	col += draw_doc_text(p, w, row->off, to, wd - col, plain);
	if (l->kind == PL_OPEN && is_folded(p, row->line) && p->key.body != BODY_DIFF) {
		const struct pline *c = &p->doc.lines[l->link];
		char items[48];

		col += draw_str(w, draw_glyph("ellipsis"), wd - col, theme_attr(SLOT_FOLD));
		wmove(w, y, col);
		col += draw_doc_text(p, w, c->off, c->off + c->len, wd - col, A_NORMAL);
		snprintf(items, sizeof(items), "  %u item%s", c->link, c->link == 1 ? "" : "s");
		draw_str(w, items, wd - col, theme_attr(SLOT_FOLD));
	}
}

/* Draws hex dump row r: offset, bytes, ASCII. */
static void draw_hex_row(struct payload_view *p, WINDOW *w, int y, int wd,
                         const struct tree_value *v, size_t r)
{
	char line[256];
	size_t n = payload_hex_line((const uint8_t *)v->data, v->len, r * p->hex_per_line,
	                            p->hex_per_line, line, sizeof(line));
	int used;

	wmove(w, y, 0);
	used = draw_text(w, line, n < 8 ? n : 8, wd, theme_attr(SLOT_HEX_OFFSET));
	if (n > 8)
		draw_text(w, line + 8, n - 8, wd - used, A_NORMAL);
}

/* Draws history row r: age index, time, QoS, retained, size and a one-line preview. */
static void draw_history_row(struct payload_view *p, WINDOW *w, int y, int wd, tree_id id, size_t r)
{
	const struct tree_value *v = tree_shown_value(p->tree, id, (unsigned)r);
	char when[40], size[32], buf[160], num[48] = "";
	const char *pv = NULL;
	size_t pvlen = 0;
	double x;
	int used;

	if (v == NULL)
		return;
	fmt_time(when, sizeof(when), v->time_ms);
	fmt_bytes(size, sizeof(size), v->orig_len);
	/* The number the trend follows comes first: rows of one JSON shape all start alike. */
	if (p->trend.field_used[0] && payload_number(v->data, v->len, p->trend.field_used, &x))
		fmt_num(num, sizeof(num), x);
	if (wd >= 64)
		snprintf(buf, sizeof(buf), "%3zu %s  %u %s %9s  %s%s", r, when + 11, v->qos,
		         v->retained ? (draw_ascii() ? "R" : "\xc2\xae") : " ", size, num,
		         num[0] ? "  " : "");
	else
		snprintf(buf, sizeof(buf), "%3zu %.8s  %s%s", r, when + 11, num,
		         num[0] ? "  " : "");
	wmove(w, y, 0);
	used = draw_str(w, buf, wd,
	                theme_attr(p->opened && r == opened_age(p, id) ? SLOT_TITLE : SLOT_META));
	/* A binary value reads as the tree's row does: decoded. */
	if (p->previews)
		pv = decoded_preview_value(p->previews, p->dec, p->tree, id, v,
		                           tree_shown(p->tree, id)->msgs - r, &pvlen);
	if (pv)
		draw_text(w, pv, pvlen, wd - used, theme_attr(SLOT_VALUE));
	else
		draw_text(w, v->data, v->len, wd - used, theme_attr(SLOT_VALUE));
}

/* Draws body row r at line y: a history entry, a hex dump line, or a document line. */
static void draw_body_row(void *ctx, WINDOW *w, int y, int x, int wd, size_t r)
{
	struct payload_view *p = ctx;

	(void)x;
	if (p->body == BODY_HISTORY)
		draw_history_row(p, w, y, wd, p->shown, r);
	else if (p->as == PV_HEX && p->key.body != BODY_DIFF)
		draw_hex_row(p, w, y, wd, p->drawn, r);
	else
		draw_doc_row(p, w, y, wd, r);
}

/* Draws the chart of the trend in the body: bars of block eighths, labels for the scale. */
static void draw_chart(struct payload_view *p, WINDOW *w, int y0, int h, int wd)
{
	char lo_s[40], hi_s[40], t0[40], t1[40], foot[200], last[40];
	int lw, cols, rows = h - 1;
	double lo, hi;
	size_t from;

	if (p->trend.n == 0) {
		wmove(w, y0, 0);
		draw_str(w, "No numbers in this topic's values to chart.", wd,
		         theme_attr(SLOT_COUNT));
		return;
	}
	if (rows < 2)
		return;
	trend_range(&p->trend, 0, &lo, &hi);
	fmt_num(hi_s, sizeof(hi_s), hi);
	fmt_num(lo_s, sizeof(lo_s), lo);
	lw = (int)(strlen(hi_s) > strlen(lo_s) ? strlen(hi_s) : strlen(lo_s)) + 1;
	cols = wd - lw - 1;
	if (cols < 2)
		return;
	from = p->trend.n > (size_t)cols ? p->trend.n - (size_t)cols : 0;
	trend_range(&p->trend, from, &lo, &hi);
	fmt_num(hi_s, sizeof(hi_s), hi);
	fmt_num(lo_s, sizeof(lo_s), lo);
	wmove(w, y0, 0);
	draw_str(w, hi_s, lw, theme_attr(SLOT_META));
	wmove(w, y0 + rows - 1, 0);
	draw_str(w, lo_s, lw, theme_attr(SLOT_META));
	draw_vline(w, y0, lw, rows, theme_attr(SLOT_BORDER));
	for (size_t i = from; i < p->trend.n; i++) {
		int x = lw + 1 + (int)(i - from);
		/* Height in eighths of a row; the smallest value still gets one eighth. */
		int e = hi > lo ? 1 + (int)((p->trend.v[i] - lo) / (hi - lo) * (rows * 8 - 1))
		                : rows * 4;

		for (int r = 0; r < rows && e > 0; r++, e -= 8) {
			wmove(w, y0 + rows - 1 - r, x);
			wattrset(w, theme_attr(SLOT_SPARK));
			waddstr(w, draw_eighths(e >= 8 ? 8 : e));
		}
	}
	wattrset(w, A_NORMAL);
	fmt_time(t0, sizeof(t0), p->trend.t[from]);
	fmt_time(t1, sizeof(t1), p->trend.t[p->trend.n - 1]);
	fmt_num(last, sizeof(last), p->trend.v[p->trend.n - 1]);
	char vals[48];

	snprintf(foot, sizeof(foot), "%s .. %s  %s  last %s", t0 + 11, t1 + 11,
	         fmt_things(vals, sizeof(vals), p->trend.n - from, "value", "values"), last);
	wmove(w, y0 + rows, 0);
	draw_str(w, foot, wd, theme_attr(SLOT_COUNT));
}

/* Glyphs and colours of the chart's series: ASCII, told apart without colour too. */
static const char series_glyph[CHART_SERIES_MAX] = {'*', '+', 'o', 'x', '#', '%'};
static const enum theme_slot series_slot[CHART_SERIES_MAX] = {
    SLOT_SPARK, SLOT_JSON_KEY, SLOT_JSON_STRING, SLOT_JSON_BOOL, SLOT_JSON_NUMBER, SLOT_DIFF_DEL,
};

/* The numbers of a series, oldest first, brought up to date (only new values are read). */
static const struct trend *series_trend(const struct payload_view *p, struct chart_series *cs)
{
	if (cs->id >= tree_node_count(p->tree))
		return NULL;
	trend_update(&cs->tr, p->tree, cs->id);
	return &cs->tr;
}

/* Puts the glyph of series s at column x, value row r (0 = bottom) of the plot. */
static void plot(WINDOW *w, int y0, int rows, int x, int r, int s)
{
	char g[2] = {series_glyph[s], '\0'};

	wmove(w, y0 + rows - 1 - r, x);
	wattrset(w, theme_attr(series_slot[s]));
	waddstr(w, g);
}

/*
 * Several series on a shared, real time axis: each value at the column of
 * its time, consecutive values joined; a shared scale; a legend line per
 * series with its last value; the first and last times under the axis.
 */
static void draw_multi_chart(struct payload_view *p, WINDOW *w, int y0, int h, int wd)
{
	size_t ns = p->nseries_list, cnt[CHART_SERIES_MAX];
	const double *ys[CHART_SERIES_MAX];
	const int64_t *ts[CHART_SERIES_MAX];
	double lo = INFINITY, hi = -INFINITY;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN;
	int legend = (int)ns, rows = h - 1 - legend, lw, cols;
	char lo_s[40], hi_s[40], a[40], b[40], foot[128];

	for (size_t s = 0; s < ns; s++) {
		const struct trend *tr = series_trend(p, &p->series_list[s]);

		ys[s] = tr ? tr->v : NULL;
		ts[s] = tr ? tr->t : NULL;
		cnt[s] = tr ? tr->n : 0;
		for (size_t i = 0; i < cnt[s]; i++) {
			lo = ys[s][i] < lo ? ys[s][i] : lo;
			hi = ys[s][i] > hi ? ys[s][i] : hi;
			t0 = ts[s][i] < t0 ? ts[s][i] : t0;
			t1 = ts[s][i] > t1 ? ts[s][i] : t1;
		}
	}
	if (rows < 2)
		legend = h - 3 > 0 ? h - 3 : 0, rows = h - 1 - legend;
	/* The legend: glyph, topic, field, last value. */
	for (int s = 0; s < legend && (size_t)s < ns; s++) {
		char topic[512], last[48] = "no numbers";
		size_t tl = tree_path(p->tree, p->series_list[s].id, topic, sizeof(topic));
		int used;

		if (cnt[s])
			fmt_num(last, sizeof(last), ys[s][cnt[s] - 1]);
		wmove(w, y0 + s, 0);
		wattrset(w, theme_attr(series_slot[s]));
		waddch(w, (chtype)series_glyph[s]);
		used = 1 + draw_str(w, " ", wd - 1, A_NORMAL);
		used += draw_text(w, topic, tl < sizeof(topic) ? tl : sizeof(topic) - 1,
		                  (wd - used) * 2 / 3, theme_attr(SLOT_LEAF));
		if (p->series_list[s].field[0]) {
			used += draw_str(w, " ", wd - used, A_NORMAL);
			used += draw_str(w, p->series_list[s].field, (wd - used) / 2,
			                 theme_attr(SLOT_META_KEY));
		}
		used += draw_str(w, " ", wd - used, A_NORMAL);
		draw_str(w, last, wd - used, theme_attr(SLOT_META));
	}
	y0 += legend;
	if (lo > hi || rows < 2) {
		if (rows >= 1) {
			wmove(w, y0, 0);
			draw_str(w, "No numbers in these topics' values to chart.", wd,
			         theme_attr(SLOT_COUNT));
		}
		return;
	}
	fmt_num(hi_s, sizeof(hi_s), hi);
	fmt_num(lo_s, sizeof(lo_s), lo);
	lw = (int)(strlen(hi_s) > strlen(lo_s) ? strlen(hi_s) : strlen(lo_s)) + 1;
	cols = wd - lw - 1;
	if (cols < 4)
		return;
	wmove(w, y0, 0);
	draw_str(w, hi_s, lw, theme_attr(SLOT_META));
	wmove(w, y0 + rows - 1, 0);
	draw_str(w, lo_s, lw, theme_attr(SLOT_META));
	draw_vline(w, y0, lw, rows, theme_attr(SLOT_BORDER));
	for (size_t s = 0; s < ns; s++) {
		int px = -1, pr = 0;

		for (size_t i = 0; i < cnt[s]; i++) {
			int x =
			    t1 > t0
			        ? (int)((double)(ts[s][i] - t0) * (cols - 1) / (double)(t1 - t0))
			        : cols - 1;
			int r = hi > lo ? (int)((ys[s][i] - lo) / (hi - lo) * (rows - 1) + 0.5)
			                : rows / 2;

			/* Joined to the one before: the columns between take the line's rows. */
			for (int c = px + 1; px >= 0 && c < x; c++)
				plot(w, y0, rows, lw + 1 + c, pr + (r - pr) * (c - px) / (x - px),
				     (int)s);
			plot(w, y0, rows, lw + 1 + x, r, (int)s);
			px = x;
			pr = r;
		}
	}
	wattrset(w, A_NORMAL);
	fmt_time(a, sizeof(a), t0);
	fmt_time(b, sizeof(b), t1);
	snprintf(foot, sizeof(foot), "%s .. %s", a + 11, b + 11);
	wmove(w, y0 + rows, lw + 1);
	draw_str(w, foot, wd - lw - 1, theme_attr(SLOT_COUNT));
}

/* The separator line above the body, naming what the body shows. */
static void draw_body_title(struct payload_view *p, WINDOW *w, int y, int wd, tree_id id)
{
	const struct tree_node *n = tree_shown(p->tree, id);
	/* Each part in forms from the longest; the longest that fits is drawn, none is cut. */
	char label[3][200], extra[3][128];
	char kept[32], cap[32];
	int x, room;

	memset(label, 0, sizeof(label));
	memset(extra, 0, sizeof(extra));
	switch (p->body) {
	case BODY_HISTORY:
		fmt_count(kept, sizeof(kept), n->hist_len);
		fmt_count(cap, sizeof(cap), tree_history_cap(p->tree));
		snprintf(label[0], sizeof(label[0]),
		         " history: %s of %s value%s kept, newest first ", kept, cap,
		         tree_history_cap(p->tree) == 1 ? "" : "s");
		snprintf(label[1], sizeof(label[1]), " history: %s of %s kept ", kept, cap);
		snprintf(label[2], sizeof(label[2]), " history ");
		break;
	case BODY_DIFF:
		snprintf(label[0], sizeof(label[0]), " diff with the value before ");
		snprintf(label[1], sizeof(label[1]), " diff ");
		if (p->diff_changed) {
			char k[48];

			snprintf(extra[0], sizeof(extra[0]), " %s changed ",
			         fmt_things(k, sizeof(k), p->diff_changed, "line", "lines"));
			fmt_count(k, sizeof(k), p->diff_changed);
			snprintf(extra[1], sizeof(extra[1]), " %s changed ", k);
		}
		break;
	case BODY_CHART:
		if (p->nseries_list) {
			snprintf(label[0], sizeof(label[0]),
			         " chart: %zu series (+ adds or takes out) ", p->nseries_list);
			snprintf(label[1], sizeof(label[1]), " chart: %zu series ",
			         p->nseries_list);
		} else {
			snprintf(label[0], sizeof(label[0]), " chart%s%s ",
			         p->trend.field_used[0] ? ": " : "", p->trend.field_used);
			snprintf(label[1], sizeof(label[1]), " chart ");
		}
		break;
	default:
		if (p->as == PV_DECODED || p->as == PV_TABLE) {
			char why[120];

			decoded_reason(&p->choice, why, sizeof(why));
			snprintf(label[0], sizeof(label[0]), " %s%s%s%s, by %s%s ",
			         decoded_format_title(p->choice.format),
			         p->as == PV_TABLE ? " metrics" : "", p->choice.message ? " " : "",
			         p->choice.message ? p->choice.message : "", why,
			         p->format == PV_AUTO ? "" : " (chosen with v)");
			snprintf(label[1], sizeof(label[1]), " %s%s ",
			         decoded_format_title(p->choice.format),
			         p->as == PV_TABLE ? " metrics" : "");
		} else {
			snprintf(label[0], sizeof(label[0]), " %s%s%s ", format_names[p->as],
			         p->format == PV_AUTO ? "" : " (chosen with v)",
			         p->kind == PAYLOAD_BINARY && p->as != PV_HEX ? ", binary" : "");
			snprintf(label[1], sizeof(label[1]), " %s ", format_names[p->as]);
		}
		if (p->pin && id == p->pin_id) {
			snprintf(extra[0], sizeof(extra[0]),
			         " from the stream ([ and ] the history) ");
			snprintf(extra[1], sizeof(extra[1]), " from the stream ");
		} else if (p->opened) {
			unsigned age = opened_age(p, id);
			char newer[32];

			if (age == UINT_MAX) {
				fmt_count(newer, sizeof(newer), n->msgs - p->opened_ord);
				snprintf(extra[0], sizeof(extra[0]),
				         " no longer in the history: %s newer came (Esc: live) ",
				         newer);
				snprintf(extra[1], sizeof(extra[1]),
				         " left the history (Esc: live) ");
				snprintf(extra[2], sizeof(extra[2]), " left the history ");
			} else {
				snprintf(extra[0], sizeof(extra[0]),
				         " value %u of %u (] newer, Esc: live) ", age + 1,
				         n->hist_len);
				snprintf(extra[1], sizeof(extra[1]), " value %u of %u (Esc: live) ",
				         age + 1, n->hist_len);
				snprintf(extra[2], sizeof(extra[2]), " value %u of %u ", age + 1,
				         n->hist_len);
			}
		}
		break;
	}
	draw_hline(w, y, 0, wd, theme_attr(SLOT_BORDER));
	/* What the value is says more than how it is shown: extra gets its room first. */
	room = wd - 4;
	int ew = 0, ei = -1, li = -1;
	for (int i = 0; i < 3; i++)
		if (extra[i][0] && (int)strlen(extra[i]) + 1 + 6 <= room) {
			ei = i;
			ew = (int)strlen(extra[i]) + 1;
			break;
		}
	for (int i = 0; i < 3; i++)
		if (label[i][0] && (int)strlen(label[i]) <= room - ew) {
			li = i;
			break;
		}
	x = 2;
	if (li >= 0) {
		wmove(w, y, 2);
		x += draw_str(w, label[li], room, theme_attr(SLOT_TITLE));
	}
	if (ei >= 0) {
		wmove(w, y, x + 1);
		draw_str(w, extra[ei], wd - x - 3, theme_attr(SLOT_NOTICE));
	}
}

void payload_view_draw(struct payload_view *p, WINDOW *w, int h, int wd, tree_id id, bool focused,
                       int64_t now_wall_ms)
{
	const struct tree *t = p->tree;
	const struct tree_node *n;
	const struct tree_value *val;
	char path[4096], qos[8], size[48], msgs[32], when[40], age[16], ago[32], counts[96],
	    rate[32];
	int y = 0;
	/* A short pane keeps its lines for the value: one topic line, no times, trend or props. */
	bool roomy = h >= ROOMY_LINES;

	werase(w);
	p->width = wd;
	if (id == TREE_NONE || id == TREE_ROOT) {
		wmove(w, 0, 0);
		draw_str(w, "No topic selected.", wd, theme_attr(SLOT_COUNT));
		p->shown = TREE_NONE;
		return;
	}
	n = tree_shown(t, id);
	if (id != p->shown) {
		/* Another topic: its newest value; a history or diff was of the one before. */
		p->shown = id;
		p->lv.l.sel = p->lv.l.top = 0;
		close_opened(p);
		if (p->body == BODY_HISTORY || p->body == BODY_DIFF)
			p->body = BODY_VALUE;
		p->folded_lines = SIZE_MAX; /* new folds for a new topic */
		p->rows_stale = true;
	}
	size_t plen = tree_path(t, id, path, sizeof(path));
	y = draw_topic(w, y, wd, path, plen < sizeof(path) ? plen : sizeof(path) - 1,
	               roomy ? TOPIC_LINES_MAX : 1);

	val = shown_value(p, id);
	fmt_count(msgs, sizeof(msgs), n->msgs);
	fmt_rate(rate, sizeof(rate), tree_shown_rate(t, id, now_wall_ms));
	if (val == NULL) {
		char a[32], b[32];

		fmt_count(a, sizeof(a), n->sub_topics);
		fmt_count(b, sizeof(b), n->sub_msgs);
		snprintf(counts, sizeof(counts), "%s topic%s, %s message%s below", a,
		         n->sub_topics == 1 ? "" : "s", b, n->sub_msgs == 1 ? "" : "s");
		const char *pairs[] = {
		    "",       counts,
		    "rate",   rate[0] ? rate : NULL,
		    "memory", p->branch_memory ? p->branch_memory(p->branch_ctx, id) : NULL};
		y = meta_lines(w, y, h, wd, pairs, 6, 2);
		if (n->sub_last_ms) {
			fmt_time(when, sizeof(when), n->sub_last_ms);
			fmt_age(age, sizeof(age), now_wall_ms - n->sub_last_ms);
			snprintf(ago, sizeof(ago), strcmp(age, "now") ? "(%s ago)" : "(%s)", age);
			const char *p2[] = {"last", when, "", ago};
			y = meta_lines(w, y, h, wd, p2, 4, 2);
		}
		y = draw_silence_line(p, w, y, h, wd, id, now_wall_ms);
		p->nrows = 0;
		list_set(&p->lv.l, 0, 0);
		return;
	}

	snprintf(qos, sizeof(qos), "%u", val->qos);
	fmt_bytes(size, sizeof(size), val->orig_len);
	const char *pairs[] = {"QoS",      qos,
	                       "",         val->retained ? "retained" : NULL,
	                       "size",     size,
	                       "messages", msgs,
	                       "rate",     rate[0] ? rate : NULL};
	/* The tightest pane: a history or diff keeps its title and a row, not the counts. */
	if (roomy || p->body == BODY_VALUE || h - y >= 3)
		y = meta_lines(w, y, h, wd, pairs, 10, roomy ? 2 : 1);
	fmt_time(when, sizeof(when), val->time_ms);
	fmt_age(age, sizeof(age), now_wall_ms - val->time_ms);
	snprintf(ago, sizeof(ago), strcmp(age, "now") ? "(%s ago)" : "(%s)", age);
	const char *p2[] = {"received", when, "", ago};
	if (roomy)
		y = meta_lines(w, y, h, wd, p2, 4, 2);
	if (roomy) {
		y = draw_silence_line(p, w, y, h, wd, id, now_wall_ms);
		y = draw_timing(p, w, y, h, wd, id);
	}
	if (y < h && roomy)
		y = draw_props(w, y, h, wd, val);
	/* A value the pane shows as if current must say when it is not. */
	if (!p->opened && tree_shown_stale(t, n) && y < h)
		y = draw_note(
		    w, y, h, wd,
		    n->flags & TREE_F_GONE
		        ? "gone from the broker: not sent again after reconnecting"
		        : "before reconnect: not sent again since the connection came back",
		    SLOT_ERROR);
	if (val->len < val->orig_len && y < h) {
		char shown[32], real[32], note[96];

		fmt_bytes(shown, sizeof(shown), val->len);
		fmt_bytes(real, sizeof(real), val->orig_len);
		snprintf(note, sizeof(note), "truncated: showing %s of %s", shown, real);
		wmove(w, y++, 0);
		draw_str(w, note, wd, theme_attr(SLOT_ERROR));
	}
	trend_update(&p->trend, p->tree, id);
	if (y < h && p->body != BODY_CHART && roomy)
		y = draw_trend(p, w, y, wd);

	update_doc(p, id);
	if (y < h && (roomy || p->body != BODY_VALUE))
		draw_body_title(p, w, y++, wd, id);
	if (p->note[0] && y < h && p->body != BODY_HISTORY && p->body != BODY_CHART) {
		wmove(w, y++, 0);
		draw_str(w, p->note, wd, theme_attr(p->warned ? SLOT_ERROR : SLOT_COUNT));
	}
	if (h - y <= 0)
		return;
	if (p->body == BODY_CHART) {
		if (p->nseries_list)
			draw_multi_chart(p, w, y, h - y, wd);
		else
			draw_chart(p, w, y, h - y, wd);
		return;
	}
	layout(p, id, wd);
	list_set(&p->lv.l, body_rows(p), (size_t)(h - y));
	if (p->body == BODY_VALUE && val->len == 0) {
		wmove(w, y, 0);
		draw_str(w, "(empty payload)", wd, theme_attr(SLOT_COUNT));
		return;
	}
	p->drawn = val;
	list_view_draw(&p->lv, w, y, 0, h - y, wd, body_rows(p),
	               focused ? theme_attr(SLOT_CURSOR) : 0);
	p->drawn = NULL;
}

/* ---- action handlers ---- */

/* The selected node with a value, or TREE_NONE after telling the user why not. */
static tree_id need_value(struct ui *u)
{
	tree_id id = ui_selected(u);

	if (id == TREE_NONE || tree_shown_value(ui_app(u)->tree, id, 0) == NULL) {
		ui_notice(u, HINT_ERROR, "Select a topic that holds a value first");
		return TREE_NONE;
	}
	return id;
}

void payload_view_cycle_format(struct ui *u)
{
	struct payload_view *p = ui_payload_view(u);
	tree_id id = ui_selected(u);
	struct decode_choice c;

	decoded_choose(p->dec, p->tree, id, payload_view_value(p, id), &c);
	p->format = (enum pv_format)((p->format + 1) % PV__FORMATS);
	/* Only the views that apply: "decoded" where a decoder does, "table" for Sparkplug. */
	if (p->format == PV_TABLE && c.format != DECODE_SPARKPLUG)
		p->format = PV_DECODED;
	if (p->format == PV_DECODED && c.format == DECODE_NONE)
		p->format = PV_TEXT;
	p->body = BODY_VALUE;
	p->lv.l.sel = p->lv.l.top = 0;
	ui_notice(u, HINT_NOTICE, "Payload view: %s", format_names[p->format]);
	ui_dirty(u);
}

void payload_view_history(struct ui *u)
{
	struct payload_view *p = ui_payload_view(u);
	tree_id id = need_value(u);
	char tab[32], enter[32], live[32];

	if (id == TREE_NONE)
		return;
	show_topic(p, id);
	if (p->body == BODY_HISTORY) {
		p->body = BODY_VALUE;
		p->lv.l.sel = p->lv.l.top = 0;
	} else {
		unsigned age = opened_age(p, id);

		p->body = BODY_HISTORY;
		p->lv.l.top = 0;
		list_select(&p->lv.l, age == UINT_MAX ? 0 : age, true);
		/* The keys stay where they were; say how to get into the list. */
		keys_first(ACT_FOCUS_NEXT, tab, sizeof(tab));
		keys_first(ACT_TOGGLE_BRANCH, enter, sizeof(enter));
		keys_first(ACT_LIVE, live, sizeof(live));
		ui_notice(u, HINT_NOTICE,
		          "History, newest first: [ and ] pick a value, %s moves into the list and "
		          "%s shows one, %s goes back to the live value",
		          tab, enter, live);
	}
	p->rows_stale = true;
	ui_dirty(u);
}

bool payload_view_live(struct payload_view *p)
{
	if (p->opened == NULL && p->body == BODY_VALUE)
		return false;
	close_opened(p);
	p->body = BODY_VALUE;
	p->lv.l.sel = p->lv.l.top = 0;
	p->rows_stale = true;
	return true;
}

/* Steps the shown value by delta (older > 0); in the history its row is picked. */
static void step_value(struct ui *u, int delta)
{
	struct payload_view *p = ui_payload_view(u);
	tree_id id = need_value(u);
	const struct tree_node *n;
	unsigned age;

	if (id == TREE_NONE)
		return;
	/* [ and ] on a message from the stream: the topic's own history from here. */
	if (p->pin && id == p->pin_id)
		payload_view_unpin(p);
	show_topic(p, id);
	n = tree_shown(p->tree, id);
	age = opened_age(p, id);
	if (age == UINT_MAX) {
		/* It left the history: older ones are gone too, the oldest kept is the next newer.
		 */
		if (delta > 0) {
			ui_notice(u, HINT_NOTICE,
			          "Nothing older is kept: this value left the history");
			return;
		}
		age = n->hist_len;
	}
	if (delta > 0 && age + 1 >= n->hist_len) {
		ui_notice(u, HINT_NOTICE, "That is the oldest value kept (%u kept per topic)",
		          tree_history_cap(p->tree));
		return;
	}
	if (delta < 0 && age == 0) {
		ui_notice(u, HINT_NOTICE, "That is the newest value");
		return;
	}
	payload_view_open(p, id, delta > 0 ? age + 1 : age - 1);
	if (p->body == BODY_HISTORY) {
		list_select(&p->lv.l, opened_age(p, id), false);
	} else {
		if (p->body == BODY_CHART)
			p->body = BODY_VALUE;
		p->lv.l.sel = p->lv.l.top = 0;
	}
	p->rows_stale = true;
	ui_dirty(u);
}

void payload_view_older(struct ui *u)
{
	step_value(u, +1);
}

void payload_view_newer(struct ui *u)
{
	step_value(u, -1);
}

void payload_view_diff(struct ui *u)
{
	struct payload_view *p = ui_payload_view(u);

	if (need_value(u) == TREE_NONE)
		return;
	p->body = p->body == BODY_DIFF ? BODY_VALUE : BODY_DIFF;
	p->lv.l.sel = p->lv.l.top = 0;
	p->rows_stale = true;
	ui_dirty(u);
}

void payload_view_chart(struct ui *u)
{
	struct payload_view *p = ui_payload_view(u);

	if (need_value(u) == TREE_NONE)
		return;
	p->body = p->body == BODY_CHART ? BODY_VALUE : BODY_CHART;
	p->rows_stale = true;
	ui_dirty(u);
}

void payload_view_chart_add(struct ui *u)
{
	struct payload_view *p = ui_payload_view(u);
	tree_id id = need_value(u);
	struct chart_series cs = {.id = id};
	const struct tree_value *v;
	char topic[256];
	size_t tl;

	if (id == TREE_NONE)
		return;
	/* The field the trend follows on this topic, else the one it would pick. */
	v = tree_value(p->tree, id, 0);
	if (id == p->shown && p->trend.field_used[0])
		snprintf(cs.field, sizeof(cs.field), "%s", p->trend.field_used);
	else if (!payload_default_path(v->data, v->len, cs.field, sizeof(cs.field)))
		cs.field[0] = '\0';
	tl = tree_path(p->tree, id, topic, sizeof(topic));
	if (tl >= sizeof(topic))
		tl = sizeof(topic) - 1;
	for (size_t i = 0; i < p->nseries_list; i++) {
		if (p->series_list[i].id != id || strcmp(p->series_list[i].field, cs.field) != 0)
			continue;
		trend_free(&p->series_list[i].tr);
		memmove(&p->series_list[i], &p->series_list[i + 1],
		        (p->nseries_list - i - 1) * sizeof(cs));
		p->nseries_list--;
		ui_notice(u, HINT_NOTICE, "Chart: took out %.*s; %zu series left", (int)tl, topic,
		          p->nseries_list);
		ui_dirty(u);
		return;
	}
	if (p->nseries_list == CHART_SERIES_MAX) {
		ui_notice(u, HINT_ERROR, "The chart holds %d series at most: + on one takes it out",
		          CHART_SERIES_MAX);
		return;
	}
	if (p->series_list == NULL)
		p->series_list = xcalloc(CHART_SERIES_MAX, sizeof(cs));
	trend_init(&cs.tr);
	snprintf(cs.tr.field, sizeof(cs.tr.field), "%s", cs.field);
	p->series_list[p->nseries_list++] = cs;
	p->body = BODY_CHART;
	p->rows_stale = true;
	ui_notice(u, HINT_NOTICE,
	          "Chart: %zu series; + on another topic adds it, C toggles the chart",
	          p->nseries_list);
	ui_dirty(u);
}

void payload_view_trend_field(struct ui *u)
{
	struct payload_view *p = ui_payload_view(u);
	tree_id id = need_value(u);
	size_t n;
	int at;

	if (id == TREE_NONE)
		return;
	at = trend_next_field(&p->trend, p->tree, id, &n);
	if (at == 0)
		ui_notice(u, HINT_NOTICE, "The value is a plain number: the trend follows it");
	else if (at < 0)
		ui_notice(u, HINT_ERROR, "No numeric field in this value to follow");
	else
		ui_notice(u, HINT_NOTICE, "Trend follows \"%s\" (%d/%zu; F for the next)",
		          p->trend.field, at, n);
	ui_dirty(u);
}
