/* dashboard.c: the broker at a glance from its $SYS tree (mosquitto's names); absent fields show
 * as absent, never as zero. */
#include "mqscope/dashboard.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/app.h"
#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/payload.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define SYS        "$SYS/broker/"
#define DROPPED    SYS "publish/messages/dropped"
#define SPARK_COLS 24
#define RATES_MAX  256
#define LABEL_COLS 15
#define DASH_MIN_W 60 /* a traffic line: label, rate, sparkline */

struct dashboard {
	struct modal m;
	WINDOW *win;
	int h, w;
};

void broker_drops_init(struct broker_drops *d)
{
	memset(d, 0, sizeof(*d));
	d->node = TREE_NONE;
	d->connects = UINT64_MAX;
}

/* The node of a $SYS topic (or any topic), or TREE_NONE. */
static tree_id find(const struct tree *t, const char *topic)
{
	return tree_find(t, topic, strlen(topic));
}

/* The newest value of a topic as a number; false when absent or not a number. */
static bool number_of(const struct tree *t, tree_id id, double *out)
{
	const struct tree_value *v;

	if (id == TREE_NONE || (v = tree_value(t, id, 0)) == NULL)
		return false;
	return payload_text_number(v->data, v->len, out);
}

uint64_t broker_drops_update(struct broker_drops *d, const struct tree *t, uint64_t connects)
{
	const struct tree_node *n;
	double x;

	if (connects != d->connects) {
		d->connects = connects;
		d->have_last = false; /* the next value is a baseline */
	}
	if (d->node == TREE_NONE)
		d->node = find(t, DROPPED);
	if (d->node == TREE_NONE)
		return d->dropped;
	n = tree_node(t, d->node);
	if (n->msgs == d->seen_msgs)
		return d->dropped;
	d->seen_msgs = n->msgs;
	if (!number_of(t, d->node, &x))
		return d->dropped;
	/* A counter that went down is a restarted broker: start again from its new value. */
	if (d->have_last && x > d->last)
		d->dropped += (uint64_t)(x - d->last);
	d->last = x;
	d->have_last = true;
	return d->dropped;
}

/*
 * Per-second rates between successive values of a counter topic, oldest
 * first; returns how many. *interval is the shortest time between two values
 * (the broker's $SYS interval, as far as we can tell).
 */
static size_t counter_rates(const struct tree *t, tree_id id, double *rates, size_t max,
                            int64_t *interval)
{
	const struct tree_node *n;
	size_t k = 0;
	double prev = 0;
	int64_t prev_t = 0;
	bool have = false, skip;

	*interval = INT64_MAX;
	if (id == TREE_NONE)
		return 0;
	n = tree_node(t, id);
	/*
	 * The topic's very first value is the retained one delivered on
	 * subscribing: its time is when it reached us, not when the broker
	 * counted it, so the first interval would look too short and its rate too
	 * high. It only serves as the starting point.
	 */
	skip = n->msgs == n->hist_len && n->hist_len >= 3;
	for (unsigned age = n->hist_len < max + 1 ? n->hist_len : (unsigned)max + 1; age-- > 0;) {
		const struct tree_value *v = tree_value(t, id, age);
		double x;

		if (v == NULL || !payload_text_number(v->data, v->len, &x))
			continue;
		if (have && v->time_ms > prev_t && x >= prev && k < max) {
			int64_t dt = v->time_ms - prev_t;

			if (skip) {
				skip = false;
			} else {
				rates[k++] = (x - prev) * 1000.0 / (double)dt;
				if (dt < *interval)
					*interval = dt;
			}
		}
		prev = x;
		prev_t = v->time_ms;
		have = true;
	}
	return k;
}

/* Draws the label column of a line and moves to the value column. */
static int label(WINDOW *w, int y, const char *text)
{
	wmove(w, y, 2);
	draw_str(w, text, LABEL_COLS, theme_attr(SLOT_META_KEY));
	wmove(w, y, 2 + LABEL_COLS);
	return 2 + LABEL_COLS;
}

/* "name value" for a $SYS topic, the value as the broker sent it (or in bytes), or the absent
 * mark. */
static int field_as(WINDOW *w, int x, int maxx, const struct tree *t, const char *name,
                    const char *topic, bool bytes)
{
	tree_id id = find(t, topic);
	const struct tree_value *v = id != TREE_NONE ? tree_value(t, id, 0) : NULL;
	int used = 0;
	double n;
	char buf[32];

	wmove(w, getcury(w), x);
	if (name[0]) {
		used += draw_str(w, name, maxx - x, theme_attr(SLOT_META));
		used += draw_str(w, " ", maxx - x - used, A_NORMAL);
	}
	if (v && v->len && bytes && payload_text_number(v->data, v->len, &n) && n >= 0) {
		fmt_bytes(buf, sizeof(buf), (uint64_t)n);
		used += draw_str(w, buf, maxx - x - used, theme_attr(SLOT_VALUE) | A_BOLD);
	} else if (v && v->len) {
		used +=
		    draw_text(w, v->data, v->len, maxx - x - used, theme_attr(SLOT_VALUE) | A_BOLD);
	} else {
		used += draw_str(w, draw_ascii() ? "-" : "\xe2\x80\x94", maxx - x - used,
		                 theme_attr(SLOT_ABSENT));
	}
	return x + used + 3;
}

static int field(WINDOW *w, int x, int maxx, const struct tree *t, const char *name,
                 const char *topic)
{
	return field_as(w, x, maxx, t, name, topic, false);
}

/* A traffic line: the rate now, its trend, and the broker's own 1-minute average. */
static void traffic(WINDOW *w, int y, int maxx, const struct tree *t, const char *name,
                    const char *counter, const char *load1, bool bytes, int64_t now)
{
	double rates[RATES_MAX], x;
	int64_t interval;
	size_t n = counter_rates(t, find(t, counter), rates, RATES_MAX, &interval);
	tree_id cid = find(t, counter);
	char buf[64], num[32];
	int col = label(w, y, name), used;

	if (n > 0) {
		double now_rate = rates[n - 1];
		const struct tree_value *last = tree_value(t, cid, 0);

		/* A counter that stopped moving is not republished: silence means no traffic. */
		if (last && interval != INT64_MAX && now - last->time_ms > 2 * interval + 1500)
			now_rate = 0;
		if (bytes) {
			fmt_bytes(num, sizeof(num), (uint64_t)llround(now_rate));
			snprintf(buf, sizeof(buf), "%s/s", num);
		} else {
			snprintf(buf, sizeof(buf), "%.1f/s", now_rate);
		}
		used = draw_str(w, buf, 14, theme_attr(SLOT_VALUE) | A_BOLD);
		for (; used < 14; used++)
			waddch(w, ' ');
		double lo = INFINITY, hi = -INFINITY;
		size_t from = n > SPARK_COLS ? n - SPARK_COLS : 0;
		for (size_t i = from; i < n; i++) {
			lo = rates[i] < lo ? rates[i] : lo;
			hi = rates[i] > hi ? rates[i] : hi;
		}
		draw_spark(w, rates, n, SPARK_COLS < maxx - col - 14 ? SPARK_COLS : maxx - col - 14,
		           lo < 0 ? lo : 0, hi, theme_attr(SLOT_SPARK));
	} else if (number_of(t, find(t, load1), &x)) {
		snprintf(buf, sizeof(buf), "%.1f/s (1 min avg)", x / 60.0);
		draw_str(w, buf, maxx - col, theme_attr(SLOT_VALUE) | A_BOLD);
	} else {
		draw_str(w, draw_ascii() ? "-" : "\xe2\x80\x94", maxx - col,
		         theme_attr(SLOT_ABSENT));
	}
	/* The broker's own moving average, per minute as it publishes it. */
	if (number_of(t, find(t, load1), &x) && maxx - col > 64) {
		wmove(w, y, col + 14 + SPARK_COLS + 2);
		if (bytes) {
			fmt_bytes(num, sizeof(num), (uint64_t)llround(x));
			snprintf(buf, sizeof(buf), "1 min avg %s/min", num);
		} else {
			snprintf(buf, sizeof(buf), "1 min avg %.1f/min", x);
		}
		draw_str(w, buf, maxx - (col + 14 + SPARK_COLS + 2), theme_attr(SLOT_META));
	}
}

static void fmt_uptime(char *buf, size_t cap, double s)
{
	uint64_t v = (uint64_t)s;

	if (v >= 86400)
		snprintf(buf, cap, "%llud %lluh %llum", (unsigned long long)(v / 86400),
		         (unsigned long long)(v % 86400 / 3600),
		         (unsigned long long)(v % 3600 / 60));
	else if (v >= 3600)
		snprintf(buf, cap, "%lluh %llum %llus", (unsigned long long)(v / 3600),
		         (unsigned long long)(v % 3600 / 60), (unsigned long long)(v % 60));
	else
		snprintf(buf, cap, "%llum %llus", (unsigned long long)(v / 60),
		         (unsigned long long)(v % 60));
}

static bool dash_key(struct modal *m, struct ui *u, int key, bool fn)
{
	(void)m;
	(void)u;
	return keys_lookup(MODE_DASHBOARD, key, fn) != ACT_DASH_CLOSE;
}

static void dash_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct dashboard *d = (struct dashboard *)m;
	const struct app *a = ui_app(u);
	const struct tree *t = a->tree;
	int hh = 19, ww = 96, y = 1, maxx, x;
	char buf[256], when[40], close[32];
	double v;
	tree_id sys = find(t, "$SYS/broker");

	if (ww > cols - 2)
		ww = cols - 2;
	if (hh > rows - 2 || ww < DASH_MIN_W) {
		draw_too_small(&d->win, &d->h, &d->w, rows, cols, "Dashboard", hh + 2,
		               DASH_MIN_W + 2, ACT_DASH_CLOSE);
		return;
	}
	keys_describe(ACT_DASH_CLOSE, close, sizeof(close));
	snprintf(buf, sizeof(buf), " broker %s ($SYS; %s closes) ", a->broker_label, close);
	draw_dialog(&d->win, &d->h, &d->w, hh, ww, rows, cols, buf);
	WINDOW *w = d->win;
	maxx = ww - 2;

	if (sys == TREE_NONE) {
		wmove(w, 2, 2);
		draw_str(w,
		         "No $SYS topics received. The broker may not publish them, or mqscope is "
		         "not subscribed to $SYS/# (it is by default).",
		         maxx - 2, theme_attr(SLOT_COUNT));
		touchwin(w);
		wnoutrefresh(w);
		return;
	}
#define LINE(lbl) (y < hh - 1 ? (x = label(w, y, lbl), true) : false)
	if (LINE("broker")) {
		x = field(w, x, maxx, t, "", SYS "version");
		wmove(w, y, x);
		if (number_of(t, find(t, SYS "uptime"), &v)) {
			char up[48];

			fmt_uptime(up, sizeof(up), v);
			draw_str(w, "up ", maxx - x, theme_attr(SLOT_META));
			draw_str(w, up, maxx - x - 3, theme_attr(SLOT_VALUE) | A_BOLD);
		} else {
			field(w, x, maxx, t, "up", SYS "uptime");
		}
		y++;
	}
	if (LINE("clients")) {
		x = field(w, x, maxx, t, "connected", SYS "clients/connected");
		x = field(w, x, maxx, t, "disconnected", SYS "clients/disconnected");
		x = field(w, x, maxx, t, "maximum", SYS "clients/maximum");
		y++;
	}
	if (LINE("")) {
		x = field(w, x, maxx, t, "total", SYS "clients/total");
		x = field(w, x, maxx, t, "expired", SYS "clients/expired");
		y++;
	}
	if (LINE("subscriptions")) {
		x = field(w, x, maxx, t, "", SYS "subscriptions/count");
		x = field(w, x, maxx, t, "shared", SYS "shared_subscriptions/count");
		y++;
	}
	if (LINE("retained")) {
		x = field(w, x, maxx, t, "", SYS "retained messages/count");
		y++;
	}
	if (LINE("stored")) {
		x = field(w, x, maxx, t, "messages", SYS "store/messages/count");
		x = field_as(w, x, maxx, t, "bytes", SYS "store/messages/bytes", true);
		y++;
	}
	y++;
	int64_t now = app_now(a);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "messages in", SYS "messages/received",
		        SYS "load/messages/received/1min", false, now);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "messages out", SYS "messages/sent",
		        SYS "load/messages/sent/1min", false, now);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "bytes in", SYS "bytes/received",
		        SYS "load/bytes/received/1min", true, now);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "bytes out", SYS "bytes/sent", SYS "load/bytes/sent/1min",
		        true, now);
	y++;
	if (LINE("dropped")) {
		uint64_t since = ui_broker_dropped(u);

		x = field(w, x, maxx, t, "total", DROPPED);
		x = field(w, x, maxx, t, "1 min avg", SYS "load/publish/dropped/1min");
		wmove(w, y, x);
		snprintf(buf, sizeof(buf), "while watched %llu", (unsigned long long)since);
		draw_str(w, buf, maxx - x, theme_attr(since ? SLOT_ERROR : SLOT_META));
		y++;
	}
	if (LINE("heap")) {
		x = field_as(w, x, maxx, t, "current", SYS "heap/current", true);
		x = field_as(w, x, maxx, t, "maximum", SYS "heap/maximum", true);
		y++;
	}
	if (LINE("updated")) {
		fmt_time(when, sizeof(when), tree_node(t, sys)->sub_last_ms);
		draw_str(w, when, maxx - x, theme_attr(SLOT_META));
		y++;
	}
#undef LINE
	touchwin(w);
	wnoutrefresh(w);
}

static void dash_free(struct modal *m)
{
	struct dashboard *d = (struct dashboard *)m;

	if (d->win)
		delwin(d->win);
	free(d);
}

static const struct modal_ops dash_ops = {
    .name = "dashboard",
    .key = dash_key,
    .draw = dash_draw,
    .free = dash_free,
};

void dashboard_open(struct ui *u)
{
	struct dashboard *d = xcalloc(1, sizeof(*d));

	d->m.ops = &dash_ops;
	ui_open(u, &d->m);
}
