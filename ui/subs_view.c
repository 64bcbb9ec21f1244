/* subs_view.c: the subscriptions overlay; changes go to the broker at once, without reconnecting.
 */
#include "mqscope/subs_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/list_view.h"
#include "mqscope/prompt.h"
#include "mqscope/theme.h"
#include "mqscope/topic.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define SUBS_MAX   256 /* shown; more are kept and used, just not listed */
#define SUBS_W     78
#define SUBS_MIN_W 30
#define SUBS_MIN_H 5

struct subs_view {
	struct modal m;
	WINDOW *win;
	int h, w;
	struct session_sub subs[SUBS_MAX]; /* as of the last draw */
	size_t n;
	struct list_view lv;
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
	return ui_session(u);
}

/*
 * The first of subs other than filter that overlaps it (NULL when none),
 * and how many do.
 */
static const char *overlapping(const struct session_sub *subs, size_t n, const char *filter,
                               size_t *count)
{
	const char *first = NULL;

	*count = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(subs[i].filter, filter) != 0 &&
		    topic_filters_overlap(subs[i].filter, filter)) {
			if (first == NULL)
				first = subs[i].filter;
			(*count)++;
		}
	return first;
}

static void subscribe_entered(struct ui *u, const char *text, void *data)
{
	static struct session_sub subs[SUBS_MAX];
	struct session *ss = session_of(u);
	struct session_status st;
	const char *other;
	char err[300];
	size_t n, count;

	(void)data;
	if (text[0] == '\0' || ss == NULL)
		return;
	if (session_subscribe(ss, text, ui_link(u)->cfg->qos, err, sizeof(err)) != 0) {
		ui_notice(u, HINT_ERROR, "%s", err);
		ui_dirty(u);
		return;
	}
	n = session_subscriptions(ss, subs, SUBS_MAX);
	other = overlapping(subs, n < SUBS_MAX ? n : SUBS_MAX, text, &count);
	session_status(ss, &st);
	/* Short enough to stay whole on the bottom line under this window. */
	if (other && st.protocol >= 5)
		ui_notice(u, HINT_NOTICE, "%s overlaps %s%s: a message both match counts once",
		          text, other, count > 1 ? " and more" : "");
	else if (other)
		ui_notice(u, HINT_ERROR, "%s overlaps %s%s: MQTT %s may count a message twice",
		          text, other, count > 1 ? " and more" : "",
		          st.protocol == 3 ? "3.1" : "3.1.1");
	ui_dirty(u);
}

/* Filter at row i of the current list, copied into buf; false when there is none. */
static bool filter_at(struct ui *u, size_t i, struct session_sub *out)
{
	static struct session_sub subs[SUBS_MAX];
	size_t n = session_subscriptions(session_of(u), subs, SUBS_MAX);

	if (i >= n || i >= SUBS_MAX)
		return false;
	*out = subs[i];
	return true;
}

static bool subs_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct subs_view *v = (struct subs_view *)m;
	struct session *ss = session_of(u);
	struct session_sub sub;
	enum action a = keys_lookup(MODE_SUBS, key, fn);
	char err[300];
	int qos = -1;

	if (ss == NULL)
		return false;
	switch (a) {
	case ACT_SUBS_CLOSE:
		return false;
	case ACT_SUBS_ADD:
		prompt_open(u, "Subscribe to: ", NULL, subscribe_entered, NULL);
		return true;
	case ACT_SUBS_REMOVE:
		if (filter_at(u, v->lv.l.sel, &sub)) {
			if (session_unsubscribe(ss, sub.filter, err, sizeof(err)) != 0)
				ui_notice(u, HINT_ERROR, "%s", err);
			else
				ui_notice(u, HINT_NOTICE, "Unsubscribed from %s", sub.filter);
		}
		return true;
	case ACT_SUBS_QOS0:
	case ACT_SUBS_QOS1:
	case ACT_SUBS_QOS2:
		qos = a == ACT_SUBS_QOS0 ? 0 : a == ACT_SUBS_QOS1 ? 1 : 2;
		if (filter_at(u, v->lv.l.sel, &sub) &&
		    session_subscribe(ss, sub.filter, qos, err, sizeof(err)) != 0)
			ui_notice(u, HINT_ERROR, "%s", err);
		return true;
	default:
		list_view_action(&v->lv, u, a);
		return true;
	}
}

/* One subscription: its filter, then what the broker granted at the right. */
static void draw_row(void *ctx, WINDOW *w, int y, int x, int wd, size_t i)
{
	struct subs_view *v = ctx;
	const struct session_sub *s = &v->subs[i];
	enum theme_slot slot = s->granted > 2   ? SLOT_ERROR
	                       : s->granted < 0 ? SLOT_META
	                                        : SLOT_VALUE;
	char state[160];
	const char *other;
	size_t count;
	int sw;

	subs_granted_text(s->granted, s->qos, state, sizeof(state));
	other = overlapping(v->subs, v->n, s->filter, &count);
	if (other) {
		size_t len = strlen(state);

		snprintf(state + len, sizeof(state) - len,
		         count > 1 ? "  overlaps %.64s +%zu" : "  overlaps %.64s", other,
		         count - 1);
	}
	sw = (int)strlen(state) < wd / 2 ? (int)strlen(state) : wd / 2;
	draw_str(w, s->filter, wd - sw - 2, theme_attr(SLOT_NORMAL));
	wmove(w, y, x + wd - sw);
	draw_str(w, state, sw, theme_attr(slot));
}

static const char *row_text(void *ctx, size_t i, size_t *len)
{
	struct subs_view *v = ctx;

	*len = strlen(v->subs[i].filter);
	return v->subs[i].filter;
}

static void subs_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	static const struct key_hint hints[] = {
	    {ACT_SUBS_ADD, "add"}, {ACT_SUBS_REMOVE, "remove"}, {ACT_SUBS_QOS0, NULL},
	    {ACT_SUBS_QOS1, NULL}, {ACT_SUBS_QOS2, "QoS"},      {ACT_SUBS_CLOSE, "close"},
	};
	struct subs_view *v = (struct subs_view *)m;
	struct session *ss = session_of(u);
	struct session_status st;
	size_t total = ss ? session_subscriptions(ss, v->subs, SUBS_MAX) : 0;
	int n = total < SUBS_MAX ? (int)total : SUBS_MAX;
	size_t ignored;
	bool overlap = false;
	int hh, ww = cols > SUBS_W ? SUBS_W : cols, inner;

	if (ss == NULL)
		return;
	v->n = (size_t)n;
	for (int i = 0; i < n && !overlap; i++)
		overlap = overlapping(v->subs, v->n, v->subs[i].filter, &ignored) != NULL;
	hh = n + 5 + (total > SUBS_MAX) + overlap;
	/* Leave the top bar and the bottom line (notices) uncovered. */
	if (hh > rows - 2)
		hh = rows - 2;
	if (hh < SUBS_MIN_H || ww < SUBS_MIN_W) {
		draw_too_small(&v->win, &v->h, &v->w, rows, cols, "Subscriptions", SUBS_MIN_H + 2,
		               SUBS_MIN_W, ACT_SUBS_CLOSE);
		return;
	}
	if (v->win == NULL || v->h != hh || v->w != ww) {
		if (v->win)
			delwin(v->win);
		v->win = newwin(hh, ww, 1 + (rows - 2 - hh) / 2, (cols - ww) / 2);
		v->h = hh;
		v->w = ww;
	}
	inner = hh - 4 - (total > SUBS_MAX) - overlap;
	werase(v->win);
	draw_box(v->win, hh, ww, theme_attr(SLOT_BORDER));
	wmove(v->win, 0, 2);
	if (ui_app(u)->several) {
		char title[96];

		snprintf(title, sizeof(title), " Subscriptions on %s ", ui_link(u)->label);
		draw_str(v->win, title, ww - 4, theme_attr(SLOT_TITLE));
	} else {
		draw_str(v->win, " Subscriptions ", ww - 4, theme_attr(SLOT_TITLE));
	}
	session_status(ss, &st);
	wmove(v->win, 1, 2);
	if (st.state == SESSION_CONNECTED)
		draw_str(v->win, "Changes go to the broker now, on this connection.", ww - 4,
		         theme_attr(SLOT_META));
	else
		draw_str(v->win, "Not connected: the list is sent when the connection is back.",
		         ww - 4, theme_attr(SLOT_ERROR));
	if (n == 0) {
		char add[32];

		keys_first(ACT_SUBS_ADD, add, sizeof(add));
		wmove(v->win, 2, 2);
		draw_str(v->win, "(no subscriptions: press ", ww - 4, theme_attr(SLOT_META));
		draw_str(v->win, add, ww - 29, theme_attr(SLOT_HINT_KEY));
		draw_str(v->win, " to add one)", ww - 29 - (int)strlen(add), theme_attr(SLOT_META));
	}
	list_view_draw(&v->lv, v->win, 2, 2, inner, ww - 4, (size_t)n, theme_attr(SLOT_SELECTED));
	list_view_position(&v->lv, v->win, hh - 1, ww - 2, theme_attr(SLOT_BORDER));
	if (total > SUBS_MAX) {
		wmove(v->win, hh - 3, 2);
		draw_str(v->win, "(more not listed)", ww - 4, theme_attr(SLOT_META));
	}
	if (overlap) {
		char note[200], dups[32];

		session_status(ss, &st);
		fmt_count(dups, sizeof(dups), session_duplicates(ss));
		if (st.protocol >= 5)
			snprintf(
			    note, sizeof(note),
			    "Overlapping filters: each message counted once (%s cop%s left out)",
			    dups, session_duplicates(ss) == 1 ? "y" : "ies");
		else
			snprintf(
			    note, sizeof(note),
			    "Overlapping filters: a message may arrive and count once per filter");
		wmove(v->win, hh - 3 - (total > SUBS_MAX), 2);
		draw_str(v->win, note, ww - 4,
		         theme_attr(st.protocol >= 5 ? SLOT_META : SLOT_ERROR));
	}
	wmove(v->win, hh - 2, 2);
	draw_key_hints(v->win, ww - 4, hints, sizeof(hints) / sizeof(hints[0]));
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

	if (ui_session(u) == NULL) {
		ui_notice(u, HINT_ERROR, "Not connected to a broker");
		return;
	}
	v = xcalloc(1, sizeof(*v));
	v->m.ops = &subs_ops;
	list_view_init(&v->lv, false, draw_row, row_text, v);
	ui_open(u, &v->m);
}
