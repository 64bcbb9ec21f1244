/* watch_view.c: adding a watch on the selected topic (!), and the window of watches and their log.
 */
#include "mqscope/watch_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/list_view.h"
#include "mqscope/prompt.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"
#include "mqscope/watch.h"

#define WATCH_W     110
#define WATCH_MIN_W 36
#define WATCH_MIN_H 6
#define TIME_COLS   14 /* "12:34:56.789  " */

static void watch_entered(struct ui *u, const char *text, void *data)
{
	struct watches *w = ui_app(u)->watches;
	char filter[1024], field[256], err[300];
	const char *cond;

	(void)data;
	if (text[0] == '\0')
		return;
	if (watch_parse_spec(text, filter, sizeof(filter), field, sizeof(field), &cond) != 0) {
		ui_notice(u, HINT_ERROR,
		          "A watch is a topic filter, a JSON field if any, and a condition: "
		          "\"a/+/temp value > 30\"");
		return;
	}
	if (watch_add(w, NULL, filter, field[0] ? field : NULL, cond, -1, err, sizeof(err)) < 0) {
		ui_notice(u, HINT_ERROR, "Not watched: %s", err);
		return;
	}
	ui_notice(u, HINT_NOTICE, "Watching %s", watch_label(w, watch_count(w) - 1));
	ui_dirty(u);
}

void watch_view_add(struct ui *u)
{
	struct app *a = ui_app(u);
	tree_id id = ui_selected(u);
	char topic[1024], initial[1100];
	size_t n;

	if (id == TREE_NONE || id == TREE_ROOT) {
		ui_notice(u, HINT_ERROR, "Select a topic or a branch to watch first");
		return;
	}
	n = tree_path(a->tree, id, topic, sizeof(topic));
	if (n >= sizeof(topic)) {
		ui_notice(u, HINT_ERROR, "That topic is too long to watch from here");
		return;
	}
	/* A branch without its own value: everything below it. */
	bool sub = !(tree_node(a->tree, id)->flags & TREE_F_VALUE);
	snprintf(initial, sizeof(initial), "%s%s%s%s ", strchr(topic, ' ') ? "\"" : "", topic,
	         sub ? "/#" : "", strchr(topic, ' ') ? "\"" : "");
	prompt_open(u,
	            "watch (FILTER [FIELD] > 30, == OFF, changes, "
	            "silent...): ",
	            initial, watch_entered, NULL);
}

/* ---- the window ---- */

/*
 * Rows: one per watch, then one per log entry, newest first. A remove asks
 * first: the row that was asked about is remembered until another key.
 */
struct watch_view {
	struct modal m;
	WINDOW *win;
	int h, w;
	struct list_view lv;
	struct ui *u;
	size_t nwatches, nlog;
	size_t asked; /* the watch a remove was asked for, SIZE_MAX: none */
};

/* Which watch row r stands for, and the log entry (or NULL for a watch row). */
static size_t watch_of_row(const struct watch_view *v, const struct watches *w, size_t r,
                           const struct watch_event **e)
{
	*e = NULL;
	if (r < v->nwatches)
		return r;
	*e = watch_log_at(w, v->nlog - 1 - (r - v->nwatches));
	return *e ? (*e)->watch : SIZE_MAX;
}

static void draw_row(void *ctx, WINDOW *win, int y, int x, int wd, size_t r)
{
	struct watch_view *v = ctx;
	struct app *a = ui_app(v->u);
	const struct watch_event *e;
	size_t i = watch_of_row(v, a->watches, r, &e);
	char buf[96], when[40], topic[512];
	int used = 0;

	if (e == NULL) {
		size_t act = watch_active_of(a->watches, i);

		if (watch_removed(a->watches, i))
			snprintf(buf, sizeof(buf), "removed");
		else if (act)
			snprintf(buf, sizeof(buf), "ALARM on %zu topic%s", act,
			         act == 1 ? "" : "s");
		else
			snprintf(buf, sizeof(buf), "quiet");
		used += draw_str(win, "watch ", wd, theme_attr(SLOT_META_KEY));
		used += draw_str(win, watch_label(a->watches, i), wd - used - (int)strlen(buf) - 2,
		                 theme_attr(SLOT_NORMAL));
		wmove(win, y, x + wd - (int)strlen(buf));
		draw_str(win, buf, (int)strlen(buf),
		         theme_attr(act                            ? SLOT_ALARM
		                    : watch_removed(a->watches, i) ? SLOT_COUNT
		                                                   : SLOT_VALUE));
		return;
	}
	fmt_time(when, sizeof(when), e->time_ms);
	used += draw_str(win, when + 11, wd, theme_attr(SLOT_META));
	wmove(win, y, x + TIME_COLS);
	used = TIME_COLS;
	used += draw_str(win, e->kind == WATCH_FIRED ? "FIRED  " : "cleared", wd - used,
	                 theme_attr(e->kind == WATCH_FIRED ? SLOT_ALARM : SLOT_NOTICE));
	used += draw_str(win, " ", wd - used, A_NORMAL);
	size_t tl = tree_path(a->tree, e->id, topic, sizeof(topic));
	used += draw_text(win, topic, tl < sizeof(topic) ? tl : sizeof(topic) - 1, (wd - used) / 2,
	                  theme_attr(SLOT_LEAF));
	used += draw_str(win, " = ", wd - used, theme_attr(SLOT_COUNT));
	/* The value is the network's: drawn sanitized. */
	used += draw_text(win, e->value, e->vlen, (wd - used) * 2 / 3, theme_attr(SLOT_VALUE));
	used += draw_str(win, "  ", wd - used, A_NORMAL);
	draw_str(win, watch_label(a->watches, e->watch), wd - used, theme_attr(SLOT_COUNT));
}

static const char *row_text(void *ctx, size_t r, size_t *len)
{
	struct watch_view *v = ctx;
	struct app *a = ui_app(v->u);
	const struct watch_event *e;
	size_t i = watch_of_row(v, a->watches, r, &e);

	if (e) {
		*len = e->vlen;
		return e->value;
	}
	*len = strlen(watch_label(a->watches, i));
	return watch_label(a->watches, i);
}

static bool view_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct watch_view *v = (struct watch_view *)m;
	struct app *a = ui_app(u);
	enum action act = keys_lookup(MODE_WATCHES, key, fn);
	const struct watch_event *e;
	size_t i = v->nwatches + v->nlog ? watch_of_row(v, a->watches, v->lv.l.sel, &e) : SIZE_MAX;
	size_t asked = v->asked;

	v->asked = SIZE_MAX;
	switch (act) {
	case ACT_WATCH_CLOSE:
		return false;
	case ACT_WATCH_GOTO:
		if (i != SIZE_MAX && e != NULL) {
			ui_select(u, e->id);
			return false;
		}
		return true;
	case ACT_WATCH_REMOVE:
		if (i == SIZE_MAX || watch_removed(a->watches, i))
			return true;
		if (asked != i) {
			char k[32];

			keys_describe(ACT_WATCH_REMOVE, k, sizeof(k));
			v->asked = i;
			ui_notice(u, HINT_NOTICE,
			          "Remove the watch %s? Press %s again to remove it",
			          watch_label(a->watches, i), k);
			return true;
		}
		watch_remove(a->watches, i, app_now(a));
		ui_notice(u, HINT_NOTICE, "Removed the watch %s", watch_label(a->watches, i));
		return true;
	default:
		list_view_action(&v->lv, u, act);
		return true;
	}
}

static void view_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	static const struct key_hint hints[] = {
	    {ACT_WATCH_GOTO, "go to topic"},
	    {ACT_WATCH_REMOVE, "remove"},
	    {ACT_WATCH_CLOSE, "close"},
	};
	struct watch_view *v = (struct watch_view *)m;
	struct watches *w = ui_app(u)->watches;
	int ww = cols - 2 > WATCH_W ? WATCH_W : cols - 2, hh, inner;
	char title[160], lost[64] = "";
	size_t n;

	if (ww < WATCH_MIN_W || rows - 2 < WATCH_MIN_H) {
		draw_too_small(&v->win, &v->h, &v->w, rows, cols, "Watches", WATCH_MIN_H + 2,
		               WATCH_MIN_W + 2, ACT_WATCH_CLOSE);
		return;
	}
	v->nwatches = watch_count(w);
	v->nlog = watch_log_len(w);
	n = v->nwatches + v->nlog;
	hh = (int)(n > 1 ? n : 1) + 4;
	if (hh > rows - 2)
		hh = rows - 2;
	if (watch_log_lost(w))
		snprintf(lost, sizeof(lost), ", %llu older entries dropped",
		         (unsigned long long)watch_log_lost(w));
	snprintf(title, sizeof(title), " watches: %zu, %zu active; log newest first%s ",
	         v->nwatches, watch_active(w), lost);
	draw_dialog(&v->win, &v->h, &v->w, hh, ww, rows, cols, title);
	inner = hh - 3;
	if (n == 0) {
		char add[32];

		keys_describe(ACT_ADD_WATCH, add, sizeof(add));
		wmove(v->win, 1, 2);
		draw_str(v->win, "No watches yet: press ", ww - 4, theme_attr(SLOT_META));
		draw_str(v->win, add, ww - 26, theme_attr(SLOT_HINT_KEY));
		draw_str(v->win, " on a topic, or add them to the config file.",
		         ww - 26 - (int)strlen(add), theme_attr(SLOT_META));
	}
	list_view_draw(&v->lv, v->win, 1, 2, inner, ww - 4, n, theme_attr(SLOT_SELECTED));
	list_view_position(&v->lv, v->win, hh - 1, ww - 2, theme_attr(SLOT_BORDER));
	wmove(v->win, hh - 2, 2);
	draw_key_hints(v->win, ww - 4, hints, sizeof(hints) / sizeof(hints[0]));
	touchwin(v->win);
	wnoutrefresh(v->win);
}

static void view_free(struct modal *m)
{
	struct watch_view *v = (struct watch_view *)m;

	if (v->win)
		delwin(v->win);
	free(v);
}

static const struct modal_ops watch_ops = {
    .name = "watches",
    .key = view_key,
    .draw = view_draw,
    .free = view_free,
};

void watch_view_open(struct ui *u)
{
	struct watch_view *v = xcalloc(1, sizeof(*v));

	v->m.ops = &watch_ops;
	v->u = u;
	v->asked = SIZE_MAX;
	list_view_init(&v->lv, false, draw_row, row_text, v);
	ui_open(u, &v->m);
}
