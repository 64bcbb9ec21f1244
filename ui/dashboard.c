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
#include "mqscope/payload.h"
#include "mqscope/payload_number.h"
#include "mqscope/sys.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define SYS        SYS_BROKER
#define DROPPED    SYS_DROPPED
#define SPARK_COLS 24
#define RATES_MAX  256
#define LABEL_COLS 15

struct dashboard {
	struct modal m;
	WINDOW *win;
	int h, w;
};

/* The node of a $SYS topic (or any topic), or TREE_NONE. */
static tree_id find(const struct tree *t, const char *topic)
{
	return tree_find(t, topic, strlen(topic));
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
	size_t n = sys_rates(t, counter, rates, RATES_MAX, &interval);
	char buf[64], num[32];
	int col = label(w, y, name), used;

	if (n > 0) {
		double now_rate = sys_rate_now(t, counter, rates, n, interval, now);

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
	} else if (sys_number(t, load1, &x)) {
		snprintf(buf, sizeof(buf), "%.1f/s (1 min avg)", x / 60.0);
		draw_str(w, buf, maxx - col, theme_attr(SLOT_VALUE) | A_BOLD);
	} else {
		draw_str(w, draw_ascii() ? "-" : "\xe2\x80\x94", maxx - col,
		         theme_attr(SLOT_ABSENT));
	}
	/* The broker's own moving average, per minute as it publishes it. */
	if (sys_number(t, load1, &x) && maxx - col > 64) {
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

static bool dash_key(struct modal *m, struct ui *u, int key, bool fn)
{
	(void)m;
	(void)u;
	(void)key;
	(void)fn;
	return false; /* any key closes */
}

static void dash_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct dashboard *d = (struct dashboard *)m;
	const struct app *a = ui_app(u);
	const struct tree *t = a->tree;
	int hh = 19, ww = 96, y = 1, maxx, x;
	char buf[256], when[40];
	double v;
	tree_id sys = find(t, "$SYS/broker");

	if (hh > rows - 2)
		hh = rows - 2;
	if (ww > cols - 2)
		ww = cols - 2;
	if (hh < 5 || ww < 30)
		return;
	snprintf(buf, sizeof(buf), " broker %s ($SYS; any key closes) ", a->broker_label);
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
		if (sys_number(t, SYS "uptime", &v)) {
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
