/* conn_log.c: the connection log overlay, newest event first, long lines wrapped. */
#include "mqscope/conn_log.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/session.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define TIME_COLS 14 /* "12:34:56.789  " */

struct conn_log {
	struct modal m;
	WINDOW *win;
	int h, w;
	int scroll; /* rows scrolled off the top */
	int inner;  /* content rows shown at the last draw */
	int total;  /* content rows at the last draw */
};

static bool log_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct conn_log *c = (struct conn_log *)m;
	int max = c->total - c->inner;

	(void)u;
	switch (keys_action(fn || key < 256 ? key : -1)) {
	case ACT_MOVE_DOWN:
		c->scroll++;
		break;
	case ACT_MOVE_UP:
		c->scroll--;
		break;
	case ACT_PAGE_DOWN:
		c->scroll += c->inner;
		break;
	case ACT_PAGE_UP:
		c->scroll -= c->inner;
		break;
	case ACT_FIRST:
		c->scroll = 0;
		break;
	case ACT_LAST:
		c->scroll = max;
		break;
	default:
		return false; /* any other key closes */
	}
	if (c->scroll > max)
		c->scroll = max;
	if (c->scroll < 0)
		c->scroll = 0;
	return true;
}

/* Length of the next piece of text that fits cols columns, cut at a space when it can be. */
static size_t piece(const char *s, size_t cols)
{
	size_t len = strlen(s), cut;

	if (len <= cols)
		return len;
	for (cut = cols; cut > cols / 2; cut--)
		if (s[cut] == ' ')
			return cut;
	/* No space: cut at a character boundary (never inside a UTF-8 sequence). */
	for (cut = cols; cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80; cut--)
		;
	return cut ? cut : cols;
}

/*
 * Draws one event as one or more rows from *row on (rows scrolled off count
 * too); with draw false only counts them.
 */
static void draw_event(struct conn_log *c, const struct session_log_entry *e, int width, int *row,
                       bool draw)
{
	char text[512], when[16];
	time_t t = (time_t)(e->time_ms / 1000);
	struct tm tm;
	attr_t attr = theme_attr(e->kind == SESSION_LOG_CONNECTED ? SLOT_VALUE : SLOT_ERROR);
	const char *p = text;
	bool first = true;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03d",
	         (int)(e->time_ms % 1000));
	session_log_describe(e, text, sizeof(text));
	while (*p || first) {
		size_t n = piece(p, (size_t)width);
		int y = *row - c->scroll + 1;

		if (draw && y >= 1 && y <= c->inner) {
			wmove(c->win, y, 2);
			if (first)
				draw_str(c->win, when, TIME_COLS, theme_attr(SLOT_META));
			wmove(c->win, y, 2 + TIME_COLS);
			/* The reason may hold the broker's own words: drawn sanitized. */
			draw_text(c->win, p, n, width, attr);
		}
		(*row)++;
		p += n;
		while (*p == ' ')
			p++;
		first = false;
	}
}

static void log_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct conn_log *c = (struct conn_log *)m;
	struct app *a = ui_app(u);
	struct session_log_entry ev[SESSION_LOG_MAX];
	int hh, ww = 110, row = 0, width;
	size_t n = a->session ? session_log(a->session, ev, SESSION_LOG_MAX) : 0;

	if (ww > cols - 2)
		ww = cols - 2;
	width = ww - 4 - TIME_COLS;
	if (width < 10)
		return;
	for (size_t i = 0; i < n; i++)
		draw_event(c, &ev[i], width, &row, false);
	hh = (row > 1 ? row : 1) + 2;
	if (hh > rows - 2)
		hh = rows - 2;
	if (hh < 3)
		return;
	row = 0;
	draw_dialog(&c->win, &c->h, &c->w, hh, ww, rows, cols,
	            " connection log, newest first (any other key closes) ");
	c->inner = hh - 2;
	if (a->session == NULL) {
		wmove(c->win, 1, 2);
		draw_str(c->win, "No broker connection in this mode.", ww - 4,
		         theme_attr(SLOT_COUNT));
		c->total = 0;
	} else {
		if (n == 0) {
			wmove(c->win, 1, 2);
			draw_str(c->win, "Nothing yet: the first attempt is under way.", ww - 4,
			         theme_attr(SLOT_COUNT));
		}
		for (size_t i = n; i-- > 0;)
			draw_event(c, &ev[i], width, &row, true);
		c->total = row;
	}
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
    .name = "connection log",
    .key = log_key,
    .draw = log_draw,
    .free = log_free,
};

void conn_log_open(struct ui *u)
{
	struct conn_log *c = xcalloc(1, sizeof(*c));

	c->m.ops = &log_ops;
	ui_open(u, &c->m);
}
