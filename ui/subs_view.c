/* subs_view.c: the subscriptions overlay; changes go to the broker at once, without reconnecting.
 */
#include "mqscope/subs_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/prompt.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define SUBS_MAX 256 /* shown; more are kept and used, just not listed */

struct subs_view {
	struct modal m;
	WINDOW *win;
	int h, w;
	int sel, scroll;
	int inner; /* list rows at the last draw */
};

void subs_granted_text(int granted, int asked, char *buf, size_t cap)
{
	char why[128];

	if (granted < 0) {
		snprintf(buf, cap, "pending");
	} else if (granted <= 2) {
		/* A broker may grant less than asked; say so. */
		if (granted < asked)
			snprintf(buf, cap, "QoS %d (asked %d)", granted, asked);
		else
			snprintf(buf, cap, "QoS %d", granted);
	} else {
		/* 0x80 is MQTT 3's only refusal and MQTT 5's "unspecified". */
		if (granted == 0x80)
			snprintf(why, sizeof(why), "by the broker");
		else
			session_reason_text(REASON_V5, granted, why, sizeof(why));
		snprintf(buf, cap, "refused: %s", why);
	}
}

static struct session *session_of(struct ui *u)
{
	return ui_app(u)->session;
}

static void subscribe_entered(struct ui *u, const char *text, void *data)
{
	struct session *ss = session_of(u);
	char err[300];

	(void)data;
	if (text[0] == '\0' || ss == NULL)
		return;
	if (session_subscribe(ss, text, ui_app(u)->cfg->qos, err, sizeof(err)) != 0)
		ui_notice(u, HINT_ERROR, "%s", err);
	ui_dirty(u);
}

/* Filter at row i of the current list, copied into buf; false when there is none. */
static bool filter_at(struct ui *u, int i, struct session_sub *out)
{
	static struct session_sub subs[SUBS_MAX];
	size_t n = session_subscriptions(session_of(u), subs, SUBS_MAX);

	if (i < 0 || (size_t)i >= n || i >= SUBS_MAX)
		return false;
	*out = subs[i];
	return true;
}

static bool subs_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct subs_view *v = (struct subs_view *)m;
	struct session *ss = session_of(u);
	struct session_sub sub;
	char err[300];

	if (ss == NULL)
		return false;
	if (!fn && (key == 'a' || key == '+' || key == 'i')) {
		prompt_open(u, "Subscribe to: ", NULL, subscribe_entered, NULL);
		return true;
	}
	if ((!fn && (key == 'd' || key == 'x')) || (fn && key == KEY_DC)) {
		if (filter_at(u, v->sel, &sub)) {
			if (session_unsubscribe(ss, sub.filter, err, sizeof(err)) != 0)
				ui_notice(u, HINT_ERROR, "%s", err);
			else
				ui_notice(u, HINT_NOTICE, "Unsubscribed from %s", sub.filter);
		}
		return true;
	}
	if (!fn && key >= '0' && key <= '2') {
		if (filter_at(u, v->sel, &sub) &&
		    session_subscribe(ss, sub.filter, key - '0', err, sizeof(err)) != 0)
			ui_notice(u, HINT_ERROR, "%s", err);
		return true;
	}
	switch (keys_action(fn || key < 256 ? key : -1)) {
	case ACT_MOVE_DOWN:
		v->sel++;
		return true;
	case ACT_MOVE_UP:
		v->sel--;
		return true;
	case ACT_PAGE_DOWN:
		v->sel += v->inner > 1 ? v->inner - 1 : 1;
		return true;
	case ACT_PAGE_UP:
		v->sel -= v->inner > 1 ? v->inner - 1 : 1;
		return true;
	case ACT_FIRST:
		v->sel = 0;
		return true;
	case ACT_LAST:
		v->sel = SUBS_MAX;
		return true;
	default:
		break;
	}
	/* Esc, q, the key that opened it, or anything else closes. */
	return false;
}

static void subs_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	static struct session_sub subs[SUBS_MAX];
	struct subs_view *v = (struct subs_view *)m;
	struct session *ss = session_of(u);
	struct session_status st;
	size_t total = ss ? session_subscriptions(ss, subs, SUBS_MAX) : 0;
	int n = total < SUBS_MAX ? (int)total : SUBS_MAX;
	int hh = n + 5, ww = 78, y;

	/* Leave the top bar and the bottom line (notices) uncovered. */
	if (hh > rows - 2)
		hh = rows - 2;
	if (ww > cols)
		ww = cols;
	if (hh < 5 || ww < 20 || ss == NULL)
		return;
	if (v->win == NULL || v->h != hh || v->w != ww) {
		if (v->win)
			delwin(v->win);
		v->win = newwin(hh, ww, 1 + (rows - 2 - hh) / 2, (cols - ww) / 2);
		v->h = hh;
		v->w = ww;
	}
	v->inner = hh - 4;
	if (v->sel >= n)
		v->sel = n - 1;
	if (v->sel < 0)
		v->sel = 0;
	if (v->sel < v->scroll)
		v->scroll = v->sel;
	if (v->sel >= v->scroll + v->inner)
		v->scroll = v->sel - v->inner + 1;

	werase(v->win);
	draw_box(v->win, hh, ww, theme_attr(SLOT_BORDER));
	wmove(v->win, 0, 2);
	draw_str(v->win, " Subscriptions ", ww - 4, theme_attr(SLOT_TITLE));
	session_status(ss, &st);
	wmove(v->win, 1, 2);
	if (st.state == SESSION_CONNECTED)
		draw_str(v->win, "Changes go to the broker now, on this connection.", ww - 4,
		         theme_attr(SLOT_META));
	else
		draw_str(v->win, "Not connected: the list is sent when the connection is back.",
		         ww - 4, theme_attr(SLOT_ERROR));
	if (n == 0) {
		wmove(v->win, 2, 2);
		draw_str(v->win, "(no subscriptions: press a to add one)", ww - 4,
		         theme_attr(SLOT_META));
	}
	y = 2;
	for (int i = v->scroll; i < n && y < 2 + v->inner; i++, y++) {
		char state[160];
		attr_t row = i == v->sel ? theme_attr(SLOT_SELECTED) : theme_attr(SLOT_NORMAL);
		enum theme_slot slot = subs[i].granted > 2   ? SLOT_ERROR
		                       : subs[i].granted < 0 ? SLOT_META
		                                             : SLOT_VALUE;
		int used;

		subs_granted_text(subs[i].granted, subs[i].qos, state, sizeof(state));
		wmove(v->win, y, 1);
		used = draw_str(v->win, " ", ww - 2, row);
		used += draw_str(v->win, subs[i].filter, ww - 2 - used - 2 - (int)strlen(state) - 2,
		                 row);
		while (used < ww - 2 - (int)strlen(state) - 1)
			used += draw_str(v->win, " ", 1, row);
		used +=
		    draw_str(v->win, state, ww - 2 - used, i == v->sel ? row : theme_attr(slot));
		if (used < ww - 2) {
			wattrset(v->win, row);
			for (; used < ww - 2; used++)
				waddch(v->win, ' ');
			wattrset(v->win, A_NORMAL);
		}
	}
	if (total > SUBS_MAX) {
		wmove(v->win, hh - 3, 2);
		draw_str(v->win, "(more not listed)", ww - 4, theme_attr(SLOT_META));
	}
	wmove(v->win, hh - 2, 2);
	draw_str(v->win, "a add  d remove  0 1 2 QoS  Esc close", ww - 4, theme_attr(SLOT_HINT));
	touchwin(v->win);
	wnoutrefresh(v->win);
}

static void subs_event(struct modal *m, struct ui *u, const struct session_event *ev)
{
	char what[160];

	(void)m;
	/* The list redraws by itself; a refusal also gets the bottom line. */
	if (ev->kind == SESSION_EV_SUBSCRIBED && ev->rc > 2) {
		subs_granted_text(ev->rc, 0, what, sizeof(what));
		ui_notice(u, HINT_ERROR, "%s: %s", ev->filter, what);
	}
}

static void subs_free(struct modal *m)
{
	struct subs_view *v = (struct subs_view *)m;

	if (v->win)
		delwin(v->win);
	free(v);
}

static const struct modal_ops subs_ops = {
    .name = "subscriptions",
    .key = subs_key,
    .draw = subs_draw,
    .event = subs_event,
    .free = subs_free,
};

void subs_view_open(struct ui *u)
{
	struct subs_view *v;

	if (ui_app(u)->session == NULL) {
		ui_notice(u, HINT_ERROR, "Not connected to a broker");
		return;
	}
	v = xcalloc(1, sizeof(*v));
	v->m.ops = &subs_ops;
	ui_open(u, &v->m);
}
