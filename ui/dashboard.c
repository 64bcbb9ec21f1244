/* dashboard.c: the broker at a glance from its $SYS tree, in the broker's own dialect (dialect.h);
 * absent fields show as absent, never as zero. */
#include "mqscope/dashboard.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/app.h"
#include "mqscope/dialect.h"
#include "mqscope/draw.h"
#include "mqscope/negotiate.h"
#include "mqscope/keys.h"
#include "mqscope/payload.h"
#include "mqscope/payload_number.h"
#include "mqscope/sys.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define SPARK_COLS 24
#define RATES_MAX  256
#define LABEL_COLS 15
#define DASH_MIN_W 60 /* a traffic line: label, rate, sparkline */

struct dashboard {
	struct modal m;
	WINDOW *win;
	int h, w;
	size_t link; /* the broker shown, with several */
	bool all;    /* every broker side by side */
};

/* The node of a $SYS topic (or any topic), or TREE_NONE; "" is a statistic not published. */
static tree_id find(const struct tree *t, const char *topic)
{
	return topic[0] ? tree_find(t, topic, strlen(topic)) : TREE_NONE;
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
	const struct tree_value *v = id != TREE_NONE ? tree_shown_value(t, id, 0) : NULL;
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
	struct dashboard *d = (struct dashboard *)m;

	switch (keys_lookup(MODE_DASHBOARD, key, fn)) {
	case ACT_DASH_CLOSE:
		return false;
	case ACT_DASH_NEXT:
		d->link = (d->link + 1) % ui_app(u)->nlinks;
		d->all = false;
		ui_dirty(u);
		break;
	case ACT_DASH_ALL:
		d->all = !d->all && ui_app(u)->several;
		ui_dirty(u);
		break;
	default:
		break;
	}
	return true;
}

/* One line of events an events-only broker announced: how many, and the newest. */
static void events_line(WINDOW *w, int y, int maxx, const struct tree *t, const char *name,
                        const char *topic)
{
	tree_id id = find(t, topic);
	const struct tree_node *n = id != TREE_NONE ? tree_shown(t, id) : NULL;
	int x = label(w, y, name);
	char buf[64], when[40];

	if (n == NULL || n->msgs == 0) {
		draw_str(w, "none seen", maxx - x, theme_attr(SLOT_ABSENT));
		return;
	}
	fmt_time(when, sizeof(when), n->last_ms);
	fmt_count(buf, sizeof(buf), n->msgs);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "   last %s   ", when);
	x += draw_str(w, buf, maxx - x, theme_attr(SLOT_VALUE) | A_BOLD);
	field(w, x, maxx, t, "", topic);
}

/* A paragraph of plain words, wrapped at the window's width; returns the next free line. */
static int words(WINDOW *w, int y, int hh, int maxx, const char *text, enum theme_slot slot)
{
	size_t len = strlen(text), at = 0, width = (size_t)(maxx - 3);

	while (at < len && y < hh - 1) {
		size_t n = len - at < width ? len - at : width;

		if (at + n < len)
			while (n > width / 2 && text[at + n] != ' ')
				n--;
		wmove(w, y++, 2);
		draw_text(w, text + at, n, maxx - 2, theme_attr(slot));
		at += n;
		while (at < len && text[at] == ' ')
			at++;
	}
	return y;
}

/* One cell of the side-by-side table: a $SYS value as the broker sent it, or the absent mark. */
static void cell(WINDOW *w, int y, int x, int wd, const struct tree *t, const char *topic)
{
	tree_id id = find(t, topic);
	const struct tree_value *v = id != TREE_NONE ? tree_value(t, id, 0) : NULL;

	wmove(w, y, x);
	if (v && v->len)
		draw_text(w, v->data, v->len, wd, theme_attr(SLOT_VALUE) | A_BOLD);
	else
		draw_str(w, draw_ascii() ? "-" : "\xe2\x80\x94", wd, theme_attr(SLOT_ABSENT));
}

/* Every broker's $SYS side by side, a column each (a cluster's nodes at a glance). */
static void draw_all(struct dashboard *d, struct ui *u, int rows, int cols)
{
	static const struct {
		const char *label;
		enum dialect_stat stat;
	} lines[] = {
	    {"version", DS_VERSION},           {"uptime", DS_UPTIME},
	    {"clients", DS_CLIENTS_CONNECTED}, {"subscriptions", DS_SUBSCRIPTIONS},
	    {"retained", DS_RETAINED},         {"messages in", DS_MESSAGES_IN},
	    {"messages out", DS_MESSAGES_OUT}, {"dropped", DS_DROPPED},
	};
	struct app *a = ui_app(u);
	const struct tree *t = a->tree;
	int nl = (int)(sizeof(lines) / sizeof(lines[0]));
	int hh = nl + 9, ww = cols - 2 > 120 ? 120 : cols - 2, colw, y;
	char buf[160], all[32], close[32], tp[DIALECT_PREFIX_MAX + 48], root[72];

	if (hh > rows - 2 || ww < DASH_MIN_W) {
		draw_too_small(&d->win, &d->h, &d->w, rows, cols, "Dashboard", hh + 2,
		               DASH_MIN_W + 2, ACT_DASH_CLOSE);
		return;
	}
	keys_describe(ACT_DASH_ALL, all, sizeof(all));
	keys_describe(ACT_DASH_CLOSE, close, sizeof(close));
	snprintf(buf, sizeof(buf), " %zu brokers side by side ($SYS; %s one broker, %s closes) ",
	         a->nlinks, all, close);
	draw_dialog(&d->win, &d->h, &d->w, hh, ww, rows, cols, buf);
	colw = (ww - 4 - LABEL_COLS) / (int)a->nlinks;
	for (size_t b = 0; b < a->nlinks; b++) {
		struct app_link *l = &a->link[b];
		int x = 2 + LABEL_COLS + (int)b * colw;
		const char *word = app_link_state_word(l);
		tree_id top = app_link_root(a, l);
		struct dialect dl;

		wmove(d->win, 1, x);
		draw_str(d->win, l->label, colw - 1, theme_attr(SLOT_META_KEY) | A_BOLD);
		wmove(d->win, 2, x);
		draw_str(d->win, strcmp(word, "down") == 0 ? "DOWN" : word, colw - 1,
		         theme_attr(strcmp(word, "up") == 0 ? SLOT_VALUE : SLOT_ERROR));
		snprintf(root, sizeof(root), "%s/", l->label);
		dialect_detect_in(&dl, t, root);
		wmove(d->win, 3, x);
		draw_str(d->win, dialect_name(dl.id) ? dialect_name(dl.id) : "no $SYS", colw - 1,
		         theme_attr(SLOT_META));
		for (int i = 0; i < nl; i++) {
			dialect_topic(&dl, lines[i].stat, tp, sizeof(tp));
			cell(d->win, 4 + i, x, colw - 1, t, tp);
		}
		/* what mqscope holds of it: the memory budget is shared, the topics are each's */
		y = 4 + nl;
		snprintf(
		    buf, sizeof(buf), "%llu",
		    (unsigned long long)(top != TREE_NONE ? tree_node(t, top)->sub_topics : 0));
		wmove(d->win, y, x);
		draw_str(d->win, buf, colw - 1, theme_attr(SLOT_VALUE));
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)l->ingested);
		wmove(d->win, y + 1, x);
		draw_str(d->win, buf, colw - 1, theme_attr(SLOT_VALUE));
		fmt_bytes(buf, sizeof(buf), ring_bytes_used(l->ring));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ", %llu dropped",
		         (unsigned long long)ring_drops(l->ring));
		wmove(d->win, y + 2, x);
		draw_str(d->win, buf, colw - 1,
		         theme_attr(ring_drops(l->ring) ? SLOT_ERROR : SLOT_VALUE));
		fmt_bytes(buf, sizeof(buf), app_link_mem_bytes(a, l));
		wmove(d->win, y + 3, x);
		draw_str(d->win, buf, colw - 1, theme_attr(SLOT_VALUE));
	}
	label(d->win, 2, "state");
	label(d->win, 3, "broker");
	for (int i = 0; i < nl; i++)
		label(d->win, 4 + i, lines[i].label);
	label(d->win, 4 + nl, "topics here");
	label(d->win, 5 + nl, "msgs taken in");
	label(d->win, 6 + nl, "ring");
	label(d->win, 7 + nl, "memory");
	touchwin(d->win);
	wnoutrefresh(d->win);
}

static void dash_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct dashboard *d = (struct dashboard *)m;
	struct app *a = ui_app(u);
	const struct tree *t = a->tree;
	struct app_link *l = &a->link[d->link < a->nlinks ? d->link : 0];
	int hh = a->several ? 20 : 19, ww = 96, y = 1, maxx, x;
	char buf[320], when[40], close[32], tp[DS__COUNT][DIALECT_PREFIX_MAX + 48], root[72] = "";
	double v;
	struct dialect dl;
	struct session_status st = {0};
	const char *name;

	if (d->all && a->several) {
		draw_all(d, u, rows, cols);
		return;
	}
	if (ww > cols - 2)
		ww = cols - 2;
	if (hh > rows - 2 || ww < DASH_MIN_W) {
		draw_too_small(&d->win, &d->h, &d->w, rows, cols, "Dashboard", hh + 2,
		               DASH_MIN_W + 2, ACT_DASH_CLOSE);
		return;
	}
	if (a->several) /* the $SYS of that broker, under its branch */
		snprintf(root, sizeof(root), "%s/", l->label);
	dialect_detect_in(&dl, t, root);
	name = dialect_name(dl.id);
	for (int i = 0; i < DS__COUNT; i++)
		dialect_topic(&dl, (enum dialect_stat)i, tp[i], sizeof(tp[i]));
	if (l->session)
		session_status(l->session, &st);
	keys_describe(ACT_DASH_CLOSE, close, sizeof(close));
	if (a->several) {
		char next[32];

		char all[32];

		keys_describe(ACT_DASH_NEXT, next, sizeof(next));
		keys_describe(ACT_DASH_ALL, all, sizeof(all));
		snprintf(buf, sizeof(buf),
		         " broker %s, %zu of %zu (%s%s$SYS; %s next, %s all, %s closes) ", l->label,
		         (size_t)(l - a->link) + 1, a->nlinks, name ? name : "", name ? " " : "",
		         next, all, close);
	} else {
		snprintf(buf, sizeof(buf), " broker %s (%s%s$SYS; %s closes) ", a->broker_label,
		         name ? name : "", name ? " " : "", close);
	}
	draw_dialog(&d->win, &d->h, &d->w, hh, ww, rows, cols, buf);
	WINDOW *w = d->win;
	maxx = ww - 2;

	if (dl.id == DIALECT_NONE || dl.id == DIALECT_OTHER) {
		const char *quirk =
		    dialect_quirk(dl.id, !st.protocol_fixed && st.protocol_why == NEG_CLOSED);

		y = words(
		    w, 2, hh, maxx,
		    dl.id == DIALECT_NONE
		        ? "This broker publishes no $SYS statistics (or none yet, or mqscope is "
		          "not subscribed to $SYS/#, as it is by default). RabbitMQ and HiveMQ "
		          "publish none by default; EMQX and VerneMQ every 10 s to 1 min."
		        : "This broker publishes $SYS topics in a layout mqscope does not know: "
		          "browse them in the tree.",
		    SLOT_COUNT);
		if (quirk)
			words(w, y + 1, hh, maxx, quirk, SLOT_NOTICE);
		touchwin(w);
		wnoutrefresh(w);
		return;
	}
#define LINE(lbl) (y < hh - 1 ? (x = label(w, y, lbl), true) : false)
	if (LINE("broker")) {
		if (name && dl.id != DIALECT_MOSQUITTO) {
			/* mosquitto's version topic names it; the others get their name here. */
			wmove(w, y, x);
			x += draw_str(w, name, maxx - x, theme_attr(SLOT_VALUE) | A_BOLD) + 1;
		}
		if (tp[DS_VERSION][0])
			x = field(w, x, maxx, t, "", tp[DS_VERSION]);
		wmove(w, y, x);
		if (sys_number(t, tp[DS_UPTIME], &v)) {
			char up[48];

			fmt_uptime(up, sizeof(up), v);
			draw_str(w, "up ", maxx - x, theme_attr(SLOT_META));
			draw_str(w, up, maxx - x - 3, theme_attr(SLOT_VALUE) | A_BOLD);
		} else if (tp[DS_UPTIME][0]) {
			field(w, x, maxx, t, "up", tp[DS_UPTIME]);
		}
		y++;
	}
	if (dialect_events_only(dl.id)) {
		if (LINE("topics")) {
			snprintf(buf, sizeof(buf), "%s", dl.prefix);
			draw_text(w, buf, strlen(buf), maxx - x, theme_attr(SLOT_VALUE));
			y++;
		}
		y = words(w, y, hh, maxx,
		          "It publishes events, not statistics: counted here since mqscope has "
		          "been watching.",
		          SLOT_COUNT) +
		    1;
		if (y < hh - 1)
			events_line(w, y++, maxx, t, "connects", tp[DS_EVENT_CONNECTS]);
		if (y < hh - 1)
			events_line(w, y++, maxx, t, "disconnects", tp[DS_EVENT_DISCONNECTS]);
		if (tp[DS_EVENT_SUBSCRIBES][0] && y < hh - 1)
			events_line(w, y++, maxx, t, "subscribes", tp[DS_EVENT_SUBSCRIBES]);
		if (tp[DS_EVENT_UNSUBSCRIBES][0] && y < hh - 1)
			events_line(w, y++, maxx, t, "unsubscribes", tp[DS_EVENT_UNSUBSCRIBES]);
		if (tp[DS_EVENT_HEARTBEAT][0] && y < hh - 1)
			events_line(w, y++, maxx, t, "heartbeat", tp[DS_EVENT_HEARTBEAT]);
		touchwin(w);
		wnoutrefresh(w);
		return;
	}
	if (LINE("clients")) {
		x = field(w, x, maxx, t, "connected", tp[DS_CLIENTS_CONNECTED]);
		x = field(w, x, maxx, t, "disconnected", tp[DS_CLIENTS_DISCONNECTED]);
		x = field(w, x, maxx, t, "maximum", tp[DS_CLIENTS_MAXIMUM]);
		y++;
	}
	if (LINE("")) {
		x = field(w, x, maxx, t, "total", tp[DS_CLIENTS_TOTAL]);
		x = field(w, x, maxx, t, "expired", tp[DS_CLIENTS_EXPIRED]);
		y++;
	}
	if (LINE("subscriptions")) {
		x = field(w, x, maxx, t, "", tp[DS_SUBSCRIPTIONS]);
		x = field(w, x, maxx, t, "shared", tp[DS_SHARED_SUBSCRIPTIONS]);
		y++;
	}
	if (LINE("retained")) {
		x = field(w, x, maxx, t, "", tp[DS_RETAINED]);
		y++;
	}
	if (LINE("stored")) {
		x = field(w, x, maxx, t, "messages", tp[DS_STORED_MESSAGES]);
		x = field_as(w, x, maxx, t, "bytes", tp[DS_STORED_BYTES], true);
		y++;
	}
	y++;
	int64_t now = ui_now(u);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "messages in", tp[DS_MESSAGES_IN], tp[DS_MESSAGES_IN_1MIN],
		        false, now);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "messages out", tp[DS_MESSAGES_OUT],
		        tp[DS_MESSAGES_OUT_1MIN], false, now);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "bytes in", tp[DS_BYTES_IN], tp[DS_BYTES_IN_1MIN], true,
		        now);
	if (y < hh - 1)
		traffic(w, y++, maxx, t, "bytes out", tp[DS_BYTES_OUT], tp[DS_BYTES_OUT_1MIN], true,
		        now);
	y++;
	if (LINE("dropped")) {
		uint64_t since = ui_broker_dropped(u);

		x = field(w, x, maxx, t, "total", tp[DS_DROPPED]);
		x = field(w, x, maxx, t, "1 min avg", tp[DS_DROPPED_1MIN]);
		wmove(w, y, x);
		memcpy(buf, "while watched ", 14);
		fmt_count(buf + 14, sizeof(buf) - 14, since);
		draw_str(w, buf, maxx - x, theme_attr(since ? SLOT_ERROR : SLOT_META));
		y++;
	}
	if (LINE("heap")) {
		x = field_as(w, x, maxx, t, "current", tp[DS_HEAP_CURRENT], true);
		x = field_as(w, x, maxx, t, "maximum", tp[DS_HEAP_MAXIMUM], true);
		y++;
	}
	if (a->several && LINE("held here")) {
		/* the memory budget is shared: this broker's part of it */
		char part[32], total[32];
		tree_id top = app_link_root(a, l);

		fmt_bytes(part, sizeof(part), app_link_mem_bytes(a, l));
		fmt_bytes(total, sizeof(total), app_mem_bytes(a));
		snprintf(
		    buf, sizeof(buf), "%s of %s memory, %llu topics", part, total,
		    (unsigned long long)(top != TREE_NONE ? tree_node(t, top)->sub_topics : 0));
		draw_str(w, buf, maxx - x, theme_attr(SLOT_VALUE));
		y++;
	}
	if (LINE("updated")) {
		char sys[96];
		tree_id at;

		snprintf(sys, sizeof(sys), "%s$SYS", root);
		at = find(t, sys);
		fmt_time(when, sizeof(when), at != TREE_NONE ? tree_shown(t, at)->sub_last_ms : 0);
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
	d->link = app_link_index(ui_app(u), ui_link(u));
	ui_open(u, &d->m);
}
