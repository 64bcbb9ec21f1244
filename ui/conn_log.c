/* conn_log.c: the connection log overlay, newest event first, long lines wrapped. */
#include "mqscope/conn_log.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqscope/draw.h"
#include "mqscope/fit.h"
#include "mqscope/keys.h"
#include "mqscope/list_view.h"
#include "mqscope/session.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define TIME_COLS  14 /* "12:34:56.789  " */
#define LOG_W      110
#define LOG_MIN_W  (TIME_COLS + 16)
#define LOG_MIN_H  3
#define EVENTS_MAX (SESSION_LOG_MAX + UI_MESSAGES_MAX)
/* Wrapped lines at most: every event at the narrowest width. */
#define ROWS_MAX (EVENTS_MAX * 64)

struct event {
	int64_t time_ms;
	size_t seq; /* the order read in: ties of time keep it */
	char when[16];
	char text[512];
	enum theme_slot slot;
};

struct conn_log {
	struct modal m;
	WINDOW *win;
	int h, w;
	struct event ev[EVENTS_MAX]; /* newest first, as of the last draw */
	size_t nev;
	struct {
		uint16_t ev, off, len;
	} rows[ROWS_MAX];
	size_t nrows;
	struct list_view lv;
};

static void stamp(struct event *v, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	v->time_ms = ms;
	localtime_r(&t, &tm);
	strftime(v->when, sizeof(v->when), "%H:%M:%S", &tm);
	snprintf(v->when + strlen(v->when), sizeof(v->when) - strlen(v->when), ".%03d",
	         (int)(ms % 1000));
}

/* Newer first; of the same moment, the one read later first. */
static int newer_first(const void *pa, const void *pb)
{
	const struct event *a = pa, *b = pb;

	if (a->time_ms != b->time_ms)
		return a->time_ms > b->time_ms ? -1 : 1;
	return a->seq > b->seq ? -1 : a->seq < b->seq;
}

/* Takes the session's log and the bottom line's last messages, newest first, in words. */
static void read_log(struct conn_log *c, struct ui *u)
{
	struct session *ss = ui_session(u);
	struct session_log_entry e[SESSION_LOG_MAX];
	struct ui_message *m = xmalloc(UI_MESSAGES_MAX * sizeof(*m));
	size_t n = ss ? session_log(ss, e, SESSION_LOG_MAX) : 0, nm;

	c->nev = 0;
	for (size_t i = 0; i < n; i++) {
		struct event *v = &c->ev[c->nev++];

		stamp(v, e[i].time_ms);
		session_log_describe(&e[i], v->text, sizeof(v->text));
		v->slot = e[i].kind == SESSION_LOG_CONNECTED ? SLOT_VALUE : SLOT_ERROR;
	}
	nm = ui_messages(u, m, UI_MESSAGES_MAX);
	for (size_t i = 0; i < nm; i++) {
		struct event *v = &c->ev[c->nev++];

		stamp(v, m[i].time_ms);
		snprintf(v->text, sizeof(v->text), "%s", m[i].text);
		v->slot = m[i].kind == HINT_ERROR ? SLOT_ERROR : SLOT_NOTICE;
	}
	free(m);
	for (size_t i = 0; i < c->nev; i++)
		c->ev[i].seq = i;
	qsort(c->ev, c->nev, sizeof(c->ev[0]), newer_first);
}

/* Wraps every event's words at width columns. */
static void layout(struct conn_log *c, int width)
{
	c->nrows = 0;
	for (size_t i = 0; i < c->nev; i++) {
		const char *t = c->ev[i].text;
		size_t len = strlen(t), at = 0;

		do {
			size_t next, n = fit_wrap(t + at, len - at, draw_san_flags(), width, &next);

			if (c->nrows == ROWS_MAX)
				return;
			c->rows[c->nrows].ev = (uint16_t)i;
			c->rows[c->nrows].off = (uint16_t)at;
			c->rows[c->nrows].len = (uint16_t)n;
			c->nrows++;
			at += next;
		} while (at < len);
	}
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int wd, size_t i)
{
	struct conn_log *c = ctx;
	const struct event *e = &c->ev[c->rows[i].ev];

	if (c->rows[i].off == 0)
		draw_str(w, e->when, TIME_COLS, theme_attr(SLOT_META));
	wmove(w, y, x + TIME_COLS);
	/* The reason may hold the broker's own words: drawn sanitized. */
	draw_text(w, e->text + c->rows[i].off, c->rows[i].len, wd - TIME_COLS, theme_attr(e->slot));
}

static const char *row_text(void *ctx, size_t i, size_t *len)
{
	struct conn_log *c = ctx;

	if (c->rows[i].off != 0)
		return NULL;
	*len = strlen(c->ev[c->rows[i].ev].text);
	return c->ev[c->rows[i].ev].text;
}

static bool log_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct conn_log *c = (struct conn_log *)m;
	enum action a = keys_lookup(MODE_LOG, key, fn);

	if (a == ACT_LOG_CLOSE)
		return false;
	list_view_action(&c->lv, u, a);
	return true;
}

static void log_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct conn_log *c = (struct conn_log *)m;
	struct app *a = ui_app(u);
	struct session *ss = ui_session(u);
	int hh, ww = cols - 2 > LOG_W ? LOG_W : cols - 2;
	char title[200], close[32];

	if (ww < LOG_MIN_W || rows - 2 < LOG_MIN_H) {
		draw_too_small(&c->win, &c->h, &c->w, rows, cols, "Log", LOG_MIN_H + 2,
		               LOG_MIN_W + 2, ACT_LOG_CLOSE);
		return;
	}
	read_log(c, u);
	layout(c, ww - 4 - TIME_COLS);
	hh = (c->nrows > 1 ? (int)c->nrows : 1) + 2;
	if (hh > rows - 2)
		hh = rows - 2;
	keys_describe(ACT_LOG_CLOSE, close, sizeof(close));
	snprintf(title, sizeof(title),
	         " connection log%s%s, newest first, with the last messages (%s closes) ",
	         a->several ? " of " : "", a->several ? ui_link(u)->label : "", close);
	draw_dialog(&c->win, &c->h, &c->w, hh, ww, rows, cols, title);
	if (c->nev == 0) {
		wmove(c->win, 1, 2);
		draw_str(c->win,
		         ss ? "Nothing yet: the first attempt is under way."
		            : "No broker connection in this mode, and no messages yet.",
		         ww - 4, theme_attr(SLOT_COUNT));
	}
	list_view_draw(&c->lv, c->win, 1, 2, hh - 2, ww - 4, c->nrows, 0);
	list_view_position(&c->lv, c->win, hh - 1, ww - 2, theme_attr(SLOT_BORDER));
	touchwin(c->win);
	wnoutrefresh(c->win);
}

static void log_free(struct modal *m)
{
	struct conn_log *c = (struct conn_log *)m;

	if (c->win)
		delwin(c->win);
	free(c);
}

static const struct modal_ops log_ops = {
    .name = "log",
    .key = log_key,
    .draw = log_draw,
    .free = log_free,
};

void conn_log_open(struct ui *u)
{
	struct conn_log *c = xcalloc(1, sizeof(*c));

	c->m.ops = &log_ops;
	list_view_init(&c->lv, true, draw_row, row_text, c);
	ui_open(u, &c->m);
}
