/* stream_view.c: the message stream pane: rows of messages in arrival order, filtered, followed. */
#define _GNU_SOURCE
#include "mqscope/stream_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define SCAN_MAX    200000 /* messages matched against a filter per update */
#define TOPIC_MAX   4096   /* bytes of a topic drawn */
#define RIGHT_COLS  14     /* "1 R  12.3 KiB" */
#define RIGHT_MIN   60     /* narrower panes leave QoS, retain and size out */
#define TIME_WIDE   13     /* "12:34:56.789 " */
#define TIME_NARROW 9      /* "12:34:56 " */
#define SEARCH_MAX  4096   /* bytes of a payload a search looks at */

static void draw_row(void *ctx, WINDOW *w, int y, int x, int wd, size_t i);
static const char *row_text(void *ctx, size_t i, size_t *len);

void stream_view_init(struct stream_view *v, const struct stream *s, const struct tree *t)
{
	memset(v, 0, sizeof(*v));
	v->s = s;
	v->t = t;
	v->follow = true;
	list_view_init(&v->lv, false, draw_row, row_text, v);
}

void stream_view_free(struct stream_view *v)
{
	free(v->idx);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

/* One past the newest message shown. */
static uint64_t end_of(const struct stream_view *v)
{
	uint64_t end = stream_end(v->s);

	return v->frozen && v->frozen_end < end ? v->frozen_end : end;
}

/* Drops the matches that fell out of the stream; compacts now and then. */
static void trim(struct stream_view *v)
{
	uint64_t first = stream_first(v->s);

	while (v->start < v->n && v->idx[v->start] < first)
		v->start++;
	if (v->start > 4096 && v->start * 2 > v->n) {
		memmove(v->idx, v->idx + v->start, (v->n - v->start) * sizeof(*v->idx));
		v->n -= v->start;
		v->start = 0;
	}
}

/* Whether message m matches the filter. */
static bool matches(const struct stream_view *v, const struct stream_msg *m)
{
	if (v->filter->kind == FILTER_PAYLOAD)
		return filter_matches_topic(v->filter, NULL, 0, m->data, m->len);
	return filter_self(v->filter, m->id);
}

void stream_view_update(struct stream_view *v, const struct filter *f)
{
	uint64_t end = end_of(v), first = stream_first(v->s), stop;
	struct stream_msg m;

	if (f != v->filter) {
		/* A new filter: match the messages held from the start. */
		v->filter = f;
		v->start = v->n = 0;
		v->scanned = first;
	}
	if (f == NULL)
		return;
	if (v->scanned < first)
		v->scanned = first;
	stop = end - v->scanned > SCAN_MAX ? v->scanned + SCAN_MAX : end;
	for (; v->scanned < stop; v->scanned++) {
		if (!stream_get(v->s, v->scanned, &m) || !matches(v, &m))
			continue;
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 1024;
			v->idx = xrealloc(v->idx, v->cap * sizeof(*v->idx));
		}
		v->idx[v->n++] = v->scanned;
	}
	trim(v);
}

void stream_view_freeze(struct stream_view *v, bool frozen)
{
	v->frozen = frozen;
	v->frozen_end = stream_end(v->s);
}

size_t stream_view_rows(const struct stream_view *v)
{
	uint64_t first = stream_first(v->s), end = end_of(v);

	if (v->filter == NULL)
		return end > first ? (size_t)(end - first) : 0;
	/* Matches past a frozen end wait for the pause to end. */
	size_t n = v->n;
	while (n > v->start && v->idx[n - 1] >= end)
		n--;
	return n - v->start;
}

/* The sequence number of row i. */
static uint64_t seq_of(const struct stream_view *v, size_t i)
{
	return v->filter ? v->idx[v->start + i] : stream_first(v->s) + i;
}

/* The row of seq, or of the first message after it; rows when none is. */
static size_t row_of(const struct stream_view *v, uint64_t seq)
{
	size_t rows = stream_view_rows(v), lo = 0, hi = rows;

	if (v->filter == NULL)
		return seq < stream_first(v->s) ? 0 : (size_t)(seq - stream_first(v->s));
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (seq_of(v, mid) < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Puts the list's selection where the view's state says. */
static void place(struct stream_view *v, size_t rows)
{
	size_t row;

	list_set(&v->lv.l, rows, v->lv.l.height);
	if (rows == 0)
		return;
	if (v->follow) {
		list_select(&v->lv.l, rows - 1, false);
		return;
	}
	row = row_of(v, v->sel_seq);
	list_select(&v->lv.l, row < rows ? row : rows - 1, false);
	v->sel_seq = seq_of(v, v->lv.l.sel);
}

bool stream_view_selected(const struct stream_view *v, struct stream_msg *out)
{
	size_t rows = stream_view_rows(v);

	if (rows == 0)
		return false;
	return stream_get(v->s,
	                  seq_of(v, v->follow                      ? rows - 1
	                            : row_of(v, v->sel_seq) < rows ? row_of(v, v->sel_seq)
	                                                           : rows - 1),
	                  out);
}

bool stream_view_action(struct stream_view *v, struct ui *u, enum action a)
{
	size_t rows = stream_view_rows(v);

	place(v, rows);
	if (!list_view_action(&v->lv, u, a))
		return false;
	if (rows == 0)
		return true;
	/* At the newest row the view follows again; anywhere else it stays put. */
	v->follow = v->lv.l.sel + 1 >= rows;
	v->sel_seq = seq_of(v, v->lv.l.sel);
	return true;
}

/* The time of day of a message: "12:34:56.789", or without milliseconds. */
static void fmt_clock(char *buf, size_t cap, int64_t ms, bool wide)
{
	char when[40];

	fmt_time(when, sizeof(when), ms);
	snprintf(buf, cap, "%.*s", wide ? 12 : 8, when + 11);
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int wd, size_t i)
{
	struct stream_view *v = ctx;
	struct stream_msg m;
	char clock[16], topic[TOPIC_MAX], right[48], size[24];
	bool wide = wd >= RIGHT_MIN;
	int used, tw, rw = wide ? RIGHT_COLS : 0;
	size_t tl;

	if (!stream_get(v->s, seq_of(v, i), &m))
		return;
	fmt_clock(clock, sizeof(clock), m.time_ms, wide);
	used = draw_str(w, clock, wd, theme_attr(SLOT_META));
	wmove(w, y, x + (wide ? TIME_WIDE : TIME_NARROW));
	used = wide ? TIME_WIDE : TIME_NARROW;
	tl = tree_path(v->t, m.id, topic, sizeof(topic));
	tw = (wd - used - rw) * 2 / 5;
	if (tw < 8)
		tw = 8;
	used += draw_text(w, topic, tl < sizeof(topic) ? tl : sizeof(topic) - 1, tw,
	                  theme_attr(SLOT_LEAF));
	used += draw_str(w, " ", wd - used, A_NORMAL);
	if (m.len == 0)
		draw_str(w, "(empty)", wd - used - rw, theme_attr(SLOT_COUNT));
	else
		draw_text(w, m.data, m.len, wd - used - rw, theme_attr(SLOT_VALUE));
	if (!wide)
		return;
	fmt_bytes(size, sizeof(size), m.orig_len);
	snprintf(right, sizeof(right), "%u %s %9s", m.qos,
	         m.retained ? (draw_ascii() ? "R" : "\xc2\xae") : " ", size);
	wmove(w, y, x + wd - RIGHT_COLS);
	draw_str(w, right, RIGHT_COLS, theme_attr(SLOT_COUNT));
}

/* A row's text for searching: the topic, a space, the start of the payload. */
static const char *row_text(void *ctx, size_t i, size_t *len)
{
	struct stream_view *v = ctx;
	struct stream_msg m;
	size_t tl, pl;

	if (!stream_get(v->s, seq_of(v, i), &m))
		return NULL;
	pl = m.len < SEARCH_MAX ? m.len : SEARCH_MAX;
	if (v->text_cap < TOPIC_MAX + 1 + pl) {
		v->text_cap = TOPIC_MAX + 1 + SEARCH_MAX;
		v->text = xrealloc(v->text, v->text_cap);
	}
	tl = tree_path(v->t, m.id, v->text, TOPIC_MAX);
	if (tl >= TOPIC_MAX)
		tl = TOPIC_MAX - 1;
	v->text[tl] = ' ';
	memcpy(v->text + tl + 1, m.data, pl);
	*len = tl + 1 + pl;
	return v->text;
}

void stream_view_draw(struct stream_view *v, WINDOW *w, int h, int wd, bool focused,
                      int64_t now_wall)
{
	size_t rows = stream_view_rows(v);
	char head[256], a[32], b[32], c[32];
	int used;

	v->now = now_wall;
	werase(w);
	fmt_count(a, sizeof(a), rows);
	fmt_count(b, sizeof(b), stream_dropped(v->s));
	fmt_count(c, sizeof(c), stream_end(v->s));
	if (v->filter)
		snprintf(head, sizeof(head), "stream: %s of %s held match", a, c);
	else
		snprintf(head, sizeof(head), "stream: %s message%s", a, rows == 1 ? "" : "s");
	wmove(w, 0, 0);
	used = draw_str(w, head, wd, theme_attr(SLOT_TITLE));
	if (stream_dropped(v->s)) {
		snprintf(head, sizeof(head), "  %s older fell out (memory_budget)", b);
		used += draw_str(w, head, wd - used, theme_attr(SLOT_BAR_WARN));
	}
	if (v->frozen)
		used += draw_str(w, "  paused", wd - used, theme_attr(SLOT_NOTICE));
	else if (!v->follow && rows)
		used += draw_str(w, "  (End follows)", wd - used, theme_attr(SLOT_COUNT));
	if (h < 2)
		return;
	v->lv.l.height = (size_t)(h - 1);
	place(v, rows);
	if (rows == 0) {
		wmove(w, 1, 1);
		draw_str(
		    w, v->filter ? "no message held matches the filter" : "waiting for messages...",
		    wd - 1, theme_attr(SLOT_COUNT));
		return;
	}
	list_view_draw(&v->lv, w, 1, 0, h - 1, wd, rows,
	               theme_attr(focused ? SLOT_SELECTED : SLOT_SELECTED_IDLE));
}
