/* list_view.c: drawing and keys of the one scrolling list (the rules are in src/list.c). */
#include "mqscope/list_view.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/prompt.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

void list_view_init(struct list_view *v, bool reader, list_draw_fn draw, list_text_fn text,
                    void *ctx)
{
	memset(v, 0, sizeof(*v));
	list_init(&v->l, reader);
	v->draw = draw;
	v->text = text;
	v->ctx = ctx;
	v->match = SIZE_MAX;
}

/* Recolours wd columns of line y from x with at, keeping the characters. */
static void highlight(WINDOW *w, int y, int x, int wd, attr_t at)
{
	mvwchgat(w, y, x, wd, at & ~A_COLOR, (short)PAIR_NUMBER(at), NULL);
}

void list_view_draw(struct list_view *v, WINDOW *w, int y, int x, int h, int wd, size_t n,
                    attr_t sel)
{
	list_set(&v->l, n, h > 0 ? (size_t)h : 0);
	for (int r = 0; r < h && v->l.top + (size_t)r < n; r++) {
		size_t i = v->l.top + (size_t)r;

		wmove(w, y + r, x);
		v->draw(v->ctx, w, y + r, x, wd, i);
		if (!v->l.reader && i == v->l.sel && sel)
			highlight(w, y + r, x, wd, sel);
		else if (v->query[0] && i == v->match)
			highlight(w, y + r, x, wd, theme_attr(SLOT_MATCH));
	}
}

/* Jumps to the next match of the query (dir > 0) or the previous one, starting after from. */
static void find(struct list_view *v, struct ui *u, size_t from, int dir)
{
	bool wrapped;
	size_t i = list_find(&v->l, v->query, from, dir, v->text, v->ctx, &wrapped);

	if (i == SIZE_MAX) {
		v->match = SIZE_MAX;
		ui_notice(u, HINT_ERROR, "Nothing here matches \"%s\"", v->query);
		return;
	}
	v->match = i;
	list_select(&v->l, i, true);
	if (wrapped)
		ui_notice(u, HINT_NOTICE, "Search wrapped around");
}

/*
 * Where a search goes on from: the selection, or in a text the last match
 * while it is in view (a match near the end cannot scroll to the top), else
 * the top row.
 */
static size_t current(const struct list_view *v)
{
	if (!v->l.reader)
		return v->l.sel;
	if (v->match >= v->l.top && v->match < list_bottom(&v->l))
		return v->match;
	return v->l.top;
}

static void search_entered(struct ui *u, const char *text, void *data)
{
	struct list_view *v = data;

	if (text[0] == '\0')
		return;
	snprintf(v->query, sizeof(v->query), "%s", text);
	v->match = SIZE_MAX;
	find(v, u, current(v), +1);
	ui_dirty(u);
}

bool list_view_action(struct list_view *v, struct ui *u, enum action a)
{
	size_t n = v->l.n;

	switch (a) {
	case ACT_SEARCH:
		if (v->text == NULL)
			return false;
		prompt_open(u, "/", NULL, search_entered, v);
		return true;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		if (v->text == NULL)
			return false;
		if (v->query[0] == '\0') {
			ui_notice(u, HINT_ERROR, "Nothing to search for yet: press / first");
			return true;
		}
		if (n > 0)
			find(v, u,
			     a == ACT_SEARCH_NEXT ? (current(v) + 1) % n : (current(v) + n - 1) % n,
			     a == ACT_SEARCH_NEXT ? +1 : -1);
		return true;
	default:
		return list_move(&v->l, a);
	}
}

void list_view_position(const struct list_view *v, WINDOW *w, int y, int right, attr_t attr)
{
	char buf[64];
	int len;

	if (v->l.n <= v->l.height || v->l.height == 0)
		return;
	char a[32], b[32], c[32];

	fmt_count(a, sizeof(a), v->l.top + 1);
	fmt_count(b, sizeof(b), list_bottom(&v->l));
	fmt_count(c, sizeof(c), v->l.n);
	len = snprintf(buf, sizeof(buf), " %s-%s of %s ", a, b, c);
	if (len > right)
		return;
	wmove(w, y, right - len);
	draw_str(w, buf, len, attr);
}
