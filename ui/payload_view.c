/* payload_view.c: draws the selected topic's metadata and its value, wrapped and scrollable. */
#include "mqscope/payload_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/sanitize.h"
#include "mqscope/theme.h"
#include "mqscope/util.h"

#define TOPIC_LINES_MAX 3

void payload_view_init(struct payload_view *p, const struct tree *t)
{
	memset(p, 0, sizeof(*p));
	p->tree = t;
	p->shown = TREE_NONE;
	p->wrap.id = TREE_NONE;
}

void payload_view_free(struct payload_view *p)
{
	free(p->wrap.starts);
	memset(p, 0, sizeof(*p));
}

bool payload_view_action(struct payload_view *p, enum action a)
{
	size_t page = p->body_height > 1 ? (size_t)p->body_height - 1 : 1;
	size_t max =
	    p->wrap.nlines > (size_t)p->body_height ? p->wrap.nlines - (size_t)p->body_height : 0;

	switch (a) {
	case ACT_MOVE_UP:
		p->scroll = p->scroll ? p->scroll - 1 : 0;
		break;
	case ACT_MOVE_DOWN:
		p->scroll++;
		break;
	case ACT_PAGE_UP:
		p->scroll = p->scroll > page ? p->scroll - page : 0;
		break;
	case ACT_PAGE_DOWN:
		p->scroll += page;
		break;
	case ACT_FIRST:
		p->scroll = 0;
		break;
	case ACT_LAST:
		p->scroll = max;
		break;
	default:
		return false;
	}
	if (p->scroll > max)
		p->scroll = max;
	return true;
}

static void wrap_push(struct wrap_cache *c, size_t at)
{
	if (c->nlines == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->starts = xrealloc(c->starts, c->cap * sizeof(*c->starts));
	}
	c->starts[c->nlines++] = at;
}

/* Computes where each screen line of the value starts at this width. */
static void wrap_build(struct wrap_cache *c, const char *s, size_t len, int width)
{
	const char *p = s, *end = s + len;
	unsigned flags = draw_san_flags() | SAN_LAYOUT;
	int col = 0;
	struct san_glyph g;

	c->nlines = 0;
	wrap_push(c, 0);
	while (p < end) {
		size_t used = sanitize_next(p, end, flags, &g);
		int w = g.kind == SAN_TAB ? 8 - col % 8 : g.width;

		if (g.kind == SAN_NEWLINE) {
			p += used;
			wrap_push(c, (size_t)(p - s));
			col = 0;
			continue;
		}
		if (col + w > width && col > 0) {
			wrap_push(c, (size_t)(p - s));
			col = 0;
			if (g.kind == SAN_TAB)
				w = 8;
		}
		col += w;
		p += used;
	}
}

/* Draws one wrapped line of the value (from..to) at the cursor. */
static void draw_value_line(WINDOW *w, const char *s, size_t from, size_t to, int width)
{
	const char *p = s + from, *end = s + to;
	unsigned flags = draw_san_flags() | SAN_LAYOUT;
	int col = 0;
	struct san_glyph g;

	while (p < end && col < width) {
		size_t used = sanitize_next(p, end, flags, &g);

		if (g.kind == SAN_NEWLINE)
			break;
		if (g.kind == SAN_TAB) {
			int n = 8 - col % 8;
			for (int i = 0; i < n && col < width; i++, col++)
				waddch(w, ' ');
		} else if (g.kind == SAN_TEXT) {
			if (col + g.width > width)
				break;
			if (!(g.width == 0 && col == 0))
				waddnstr(w, g.s, (int)g.len);
			col += g.width;
		} else {
			if (col + g.width > width)
				break;
			wattrset(w, theme_attr(SLOT_ESCAPE));
			waddstr(w, g.esc);
			wattrset(w, A_NORMAL);
			col += g.width;
		}
		p += used;
	}
}

/* Draws "label value" pairs on one line; returns the next line. */
static int meta_line(WINDOW *w, int y, int wd, const char *const *pairs, size_t n)
{
	int used = 0;

	wmove(w, y, 0);
	for (size_t i = 0; i + 1 < n; i += 2) {
		if (pairs[i + 1] == NULL)
			continue;
		if (used)
			used += draw_str(w, "  ", wd - used, A_NORMAL);
		if (pairs[i][0])
			used += draw_str(w, pairs[i], wd - used, theme_attr(SLOT_META_KEY));
		if (pairs[i][0])
			used += draw_str(w, " ", wd - used, A_NORMAL);
		used += draw_str(w, pairs[i + 1], wd - used, theme_attr(SLOT_META));
	}
	return y + 1;
}

/* Draws the full topic, wrapped over at most TOPIC_LINES_MAX lines; returns the next line. */
static int draw_topic(WINDOW *w, int y, int wd, const char *topic, size_t len)
{
	const char *p = topic, *end = topic + len;
	unsigned flags = draw_san_flags();
	struct san_glyph g;
	int lines = 0;

	while (p < end && lines < TOPIC_LINES_MAX) {
		const char *q = p;
		int col = 0;

		while (q < end) {
			size_t used = sanitize_next(q, end, flags, &g);
			if (col + g.width > wd)
				break;
			col += g.width;
			q += used;
		}
		if (q == p)
			break;
		wmove(w, y + lines, 0);
		draw_text(w, p, (size_t)(q - p), wd, theme_attr(SLOT_TITLE));
		p = q;
		lines++;
	}
	return y + (lines ? lines : 1);
}

void payload_view_draw(struct payload_view *p, WINDOW *w, int h, int wd, tree_id id, bool focused,
                       int64_t now_wall_ms)
{
	const struct tree *t = p->tree;
	const struct tree_node *n;
	const struct tree_value *val;
	char path[4096], qos[8], size[48], msgs[32], when[40], age[16], ago[32], counts[96];
	int y = 0;

	(void)focused;
	werase(w);
	if (id == TREE_NONE || id == TREE_ROOT) {
		wmove(w, 0, 0);
		draw_str(w, "No topic selected.", wd, theme_attr(SLOT_COUNT));
		return;
	}
	if (id != p->shown) {
		p->shown = id;
		p->scroll = 0;
	}
	n = tree_node(t, id);
	size_t plen = tree_path(t, id, path, sizeof(path));
	y = draw_topic(w, y, wd, path, plen < sizeof(path) ? plen : sizeof(path) - 1);

	val = tree_value(t, id, 0);
	fmt_count(msgs, sizeof(msgs), n->msgs);
	if (val == NULL) {
		char a[32], b[32];

		fmt_count(a, sizeof(a), n->sub_topics);
		fmt_count(b, sizeof(b), n->sub_msgs);
		snprintf(counts, sizeof(counts), "%s topics, %s messages below", a, b);
		const char *pairs[] = {"", counts};
		y = meta_line(w, y, wd, pairs, 2);
		if (n->sub_last_ms) {
			fmt_time(when, sizeof(when), n->sub_last_ms);
			fmt_age(age, sizeof(age), now_wall_ms - n->sub_last_ms);
			snprintf(ago, sizeof(ago), strcmp(age, "now") ? "(%s ago)" : "(%s)", age);
			const char *p2[] = {"last", when, "", ago};
			y = meta_line(w, y, wd, p2, 4);
		}
		p->wrap.nlines = 0;
		return;
	}

	snprintf(qos, sizeof(qos), "%u", val->qos);
	fmt_bytes(size, sizeof(size), val->orig_len);
	const char *pairs[] = {
	    "QoS",  qos,  "",         (n->flags & TREE_F_RETAINED) ? "retained" : NULL,
	    "size", size, "messages", msgs};
	y = meta_line(w, y, wd, pairs, 8);
	fmt_time(when, sizeof(when), val->time_ms);
	fmt_age(age, sizeof(age), now_wall_ms - val->time_ms);
	snprintf(ago, sizeof(ago), strcmp(age, "now") ? "(%s ago)" : "(%s)", age);
	const char *p2[] = {"received", when, "", ago};
	y = meta_line(w, y, wd, p2, 4);
	if (val->len < val->orig_len && y < h) {
		char shown[32], real[32], note[96];

		fmt_bytes(shown, sizeof(shown), val->len);
		fmt_bytes(real, sizeof(real), val->orig_len);
		snprintf(note, sizeof(note), "truncated: showing %s of %s", shown, real);
		wmove(w, y++, 0);
		draw_str(w, note, wd, theme_attr(SLOT_ERROR));
	}
	if (y < h)
		draw_hline(w, y++, 0, wd, theme_attr(SLOT_BORDER));

	p->body_height = h - y;
	if (p->body_height <= 0)
		return;
	if (p->wrap.id != id || p->wrap.msgs != n->msgs || p->wrap.width != wd) {
		wrap_build(&p->wrap, val->data, val->len, wd);
		p->wrap.id = id;
		p->wrap.msgs = n->msgs;
		p->wrap.width = wd;
	}
	if (val->len == 0) {
		wmove(w, y, 0);
		draw_str(w, "(empty payload)", wd, theme_attr(SLOT_COUNT));
		return;
	}
	size_t max =
	    p->wrap.nlines > (size_t)p->body_height ? p->wrap.nlines - (size_t)p->body_height : 0;
	if (p->scroll > max)
		p->scroll = max;
	for (int row = 0; row < p->body_height && p->scroll + (size_t)row < p->wrap.nlines; row++) {
		size_t li = p->scroll + (size_t)row;
		size_t from = p->wrap.starts[li];
		size_t to = li + 1 < p->wrap.nlines ? p->wrap.starts[li + 1] : val->len;

		wmove(w, y + row, 0);
		draw_value_line(w, val->data, from, to, wd);
	}
}
