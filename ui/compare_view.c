/* compare_view.c: a branch across brokers, one line per topic; Enter shows each broker's value. */
#include "mqscope/compare_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqscope/compare.h"
#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/list_view.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define CMP_MIN_W  40
#define CMP_MIN_H  6
#define CMP_NODES  50000 /* nodes walked per broker for one comparison at most */
#define STATE_COLS 9
#define DELAY_COLS 10

/* A line on screen: a topic (broker < 0), or one broker's value of the opened topic. */
struct line {
	size_t row;
	int broker;
};

struct compare_view {
	struct modal m;
	WINDOW *win;
	int h, w;
	tree_id base; /* the node the window was opened on */
	struct compare c;
	bool only_diff;
	char *open_topic; /* the topic whose values are shown, or NULL */
	struct line *lines;
	size_t nlines;
	struct app *app;
	struct list_view lv;
	uint64_t built_msgs; /* the tree's message count when the comparison was made */
	bool stale;          /* nothing compared yet, or a key changed what is shown */
};

/* Compares again when a key asked for it or messages came (frames come at most 20 a second). */
static void rebuild(struct compare_view *v)
{
	uint64_t msgs = tree_msg_count(v->app->tree);

	if (!v->stale && msgs == v->built_msgs)
		return;
	v->stale = false;
	v->built_msgs = msgs;
	compare_free(&v->c);
	compare_build(v->app, v->base, CMP_NODES, &v->c);
	free(v->lines);
	v->lines = xcalloc(v->c.n * (1 + APP_MAX_BROKERS) + 1, sizeof(*v->lines));
	v->nlines = 0;
	for (size_t i = 0; i < v->c.n; i++) {
		const struct compare_row *r = &v->c.rows[i];

		if (v->only_diff && r->state == COMPARE_SAME)
			continue;
		v->lines[v->nlines++] = (struct line){i, -1};
		if (v->open_topic && strcmp(v->open_topic, r->topic) == 0)
			for (size_t b = 0; b < v->app->nlinks; b++)
				v->lines[v->nlines++] = (struct line){i, (int)b};
	}
	if (v->lv.l.sel >= v->nlines && v->nlines)
		v->lv.l.sel = v->nlines - 1;
}

/* "12 ms", "1.4 s" */
static void fmt_delay(char *buf, size_t cap, int64_t ms)
{
	if (ms < 0)
		snprintf(buf, cap, "-");
	else if (ms < 10000)
		snprintf(buf, cap, "%lld ms", (long long)ms);
	else
		snprintf(buf, cap, "%.1f s", (double)ms / 1000);
}

/* One broker's last value of a topic (drawn sanitized), or that it has none. */
static int draw_value(WINDOW *w, const struct tree *t, tree_id id, int wd)
{
	const struct tree_value *val;

	if (id == TREE_NONE)
		return draw_str(w, "(missing)", wd, theme_attr(SLOT_ERROR));
	val = tree_value(t, id, 0);
	if (val == NULL)
		return draw_str(w, "(no value)", wd, theme_attr(SLOT_META));
	return draw_text(w, val->data, val->len, wd, theme_attr(SLOT_VALUE));
}

static void draw_line(void *ctx, WINDOW *w, int y, int x, int wd, size_t i)
{
	struct compare_view *v = ctx;
	const struct line *ln = &v->lines[i];
	const struct compare_row *r = &v->c.rows[ln->row];
	struct app *a = v->app;
	char buf[64];
	int tw, used;

	if (ln->broker >= 0) {
		/* the details: the broker, its value, when it came */
		tree_id id = r->id[ln->broker];

		snprintf(buf, sizeof(buf), "    %s: ", a->link[ln->broker].label);
		used = draw_str(w, buf, wd, theme_attr(SLOT_META_KEY));
		if (id != TREE_NONE) {
			time_t s = (time_t)(tree_node(a->tree, id)->last_ms / 1000);
			struct tm tm;
			char when[48];

			localtime_r(&s, &tm);
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
			snprintf(buf, sizeof(buf), "%s.%03d  ", when,
			         (int)(tree_node(a->tree, id)->last_ms % 1000));
			used += draw_str(w, buf, wd - used, theme_attr(SLOT_META));
		}
		draw_value(w, a->tree, id, wd - used);
		return;
	}
	tw = wd - STATE_COLS - DELAY_COLS - 2;
	tw = tw > wd * 2 / 5 ? wd * 2 / 5 : tw;
	if (tw < 8)
		tw = 8;
	draw_text(w, r->topic, strlen(r->topic), tw, theme_attr(SLOT_LEAF));
	wmove(w, y, x + tw + 1);
	used = tw + 1;
	used += draw_str(w, compare_state_word(r->state), wd - used,
	                 theme_attr(r->state == COMPARE_SAME ? SLOT_COUNT : SLOT_ERROR));
	wmove(w, y, x + tw + 1 + STATE_COLS);
	used = tw + 1 + STATE_COLS;
	fmt_delay(buf, sizeof(buf), r->delay_ms);
	used += draw_str(w, buf, wd - used, theme_attr(SLOT_META));
	wmove(w, y, x + tw + 1 + STATE_COLS + DELAY_COLS);
	used = tw + 1 + STATE_COLS + DELAY_COLS;
	/* every broker's value, side by side */
	for (size_t b = 0; b < a->nlinks && used < wd; b++) {
		int cell = (wd - (tw + 1 + STATE_COLS + DELAY_COLS)) / (int)a->nlinks - 3;

		if (b > 0)
			used += draw_str(w, " | ", wd - used, theme_attr(SLOT_BORDER));
		used += draw_value(w, a->tree, r->id[b], cell > 1 ? cell : 1);
		wmove(w, y, x + used);
	}
}

static const char *line_text(void *ctx, size_t i, size_t *len)
{
	struct compare_view *v = ctx;
	const char *t = v->c.rows[v->lines[i].row].topic;

	if (v->lines[i].broker >= 0)
		return NULL;
	*len = strlen(t);
	return t;
}

static bool cmp_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct compare_view *v = (struct compare_view *)m;
	enum action a = keys_lookup(MODE_COMPARE, key, fn);

	switch (a) {
	case ACT_COMPARE_CLOSE:
		return false;
	case ACT_COMPARE_DIFFERENT:
		v->only_diff = !v->only_diff;
		v->lv.l.sel = 0;
		v->lv.l.top = 0;
		ui_notice(u, HINT_NOTICE, "%s",
		          v->only_diff ? "Only topics that differ or are missing somewhere"
		                       : "Every topic");
		break;
	case ACT_COMPARE_VALUES:
		if (v->nlines) {
			const char *t = v->c.rows[v->lines[v->lv.l.sel].row].topic;
			bool same = v->open_topic && strcmp(v->open_topic, t) == 0;

			free(v->open_topic);
			v->open_topic = same ? NULL : xstrdup(t);
		}
		break;
	default:
		list_view_action(&v->lv, u, a);
		break;
	}
	v->stale = true;
	ui_dirty(u);
	return true;
}

static void cmp_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	static const struct key_hint hints[] = {
	    {ACT_COMPARE_VALUES, "values"},
	    {ACT_COMPARE_DIFFERENT, "only differences"},
	    {ACT_COMPARE_CLOSE, "close"},
	};
	struct compare_view *v = (struct compare_view *)m;
	struct app *a = v->app;
	int hh = rows - 2, ww = cols, used;
	char title[256], n1[32], n2[32], n3[32];

	(void)u;
	if (ww < CMP_MIN_W || hh < CMP_MIN_H) {
		draw_too_small(&v->win, &v->h, &v->w, rows, cols, "Compare", CMP_MIN_H + 2,
		               CMP_MIN_W, ACT_COMPARE_CLOSE);
		return;
	}
	rebuild(v);
	fmt_count(n1, sizeof(n1), v->c.same);
	fmt_count(n2, sizeof(n2), v->c.different);
	fmt_count(n3, sizeof(n3), v->c.missing);
	snprintf(title, sizeof(title),
	         " compare %s across %zu brokers: %s same, %s differ, %s missing%s ",
	         *v->c.base ? v->c.base : "everything", a->nlinks, n1, n2, n3,
	         v->c.truncated ? " (some left out)" : "");
	draw_dialog(&v->win, &v->h, &v->w, hh, ww, rows, cols, title);
	/* the brokers in the order of the value columns */
	wmove(v->win, 1, 2);
	used = draw_str(v->win, "values on: ", ww - 4, theme_attr(SLOT_META));
	for (size_t b = 0; b < a->nlinks; b++) {
		if (b)
			used += draw_str(v->win, " | ", ww - 4 - used, theme_attr(SLOT_BORDER));
		used +=
		    draw_str(v->win, a->link[b].label, ww - 4 - used, theme_attr(SLOT_META_KEY));
	}
	if (v->nlines == 0) {
		wmove(v->win, 2, 2);
		draw_str(v->win,
		         v->only_diff ? "Every topic here is the same on every broker."
		                      : "No topics here yet.",
		         ww - 4, theme_attr(SLOT_META));
	}
	list_view_draw(&v->lv, v->win, 2, 2, hh - 4, ww - 4, v->nlines, theme_attr(SLOT_SELECTED));
	list_view_position(&v->lv, v->win, hh - 1, ww - 2, theme_attr(SLOT_BORDER));
	wmove(v->win, hh - 2, 2);
	draw_key_hints(v->win, ww - 4, hints, sizeof(hints) / sizeof(hints[0]));
	touchwin(v->win);
	wnoutrefresh(v->win);
}

static void cmp_free(struct modal *m)
{
	struct compare_view *v = (struct compare_view *)m;

	if (v->win)
		delwin(v->win);
	compare_free(&v->c);
	free(v->lines);
	free(v->open_topic);
	free(v);
}

static const struct modal_ops cmp_ops = {
    .name = "compare",
    .key = cmp_key,
    .draw = cmp_draw,
    .free = cmp_free,
};

void compare_view_open(struct ui *u)
{
	struct compare_view *v;

	if (!ui_app(u)->several) {
		ui_notice(u, HINT_ERROR,
		          "Compare needs several brokers: -L or --profile given more than once");
		return;
	}
	v = xcalloc(1, sizeof(*v));
	v->m.ops = &cmp_ops;
	v->app = ui_app(u);
	v->base = ui_selected(u);
	v->stale = true;
	list_view_init(&v->lv, false, draw_line, line_text, v);
	ui_open(u, &v->m);
}
