/* status_bar.c: draws the top status bar and the bottom hint line. */
#include "mqscope/status_bar.h"

#include <stdio.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/theme.h"
#include "mqscope/util.h"

/* Appends one segment with a separator; returns columns used so far. */
static int segment(WINDOW *w, int used, int wd, const char *text, enum theme_slot slot)
{
	if (used >= wd)
		return used;
	if (used > 0)
		used += draw_str(w, "  ", wd - used, theme_attr(SLOT_BAR));
	return used + draw_str(w, text, wd - used, theme_attr(slot));
}

/*
 * Which bound bit and what it cost, early in the bar so an 80-column
 * terminal shows it: lost messages first, then topics, then cut payloads.
 */
static int bounds_segment(WINDOW *w, int used, int wd, const struct status_info *si)
{
	char topics[48], buf[160], n[32];
	const struct {
		uint64_t count;
		const char *bound, *cost;
		enum theme_slot slot;
	} bounds[] = {
	    {si->drops, "ring_bytes full", "dropped", SLOT_BAR_BAD},
	    {si->refused_topics, topics, "refused", SLOT_BAR_BAD},
	    {si->refused_names, "names over memory_budget", "refused", SLOT_BAR_BAD},
	    {si->refused_deep, "over 65,535 levels", "refused", SLOT_BAR_BAD},
	    {si->refused_nomem, "out of memory", "refused", SLOT_BAR_BAD},
	    {si->budget_hits, "memory_budget", "values dropped or cut", SLOT_BAR_WARN},
	    {si->cut, "payload_cap", "cut", SLOT_BAR_WARN},
	};

	fmt_count(n, sizeof(n), si->max_topics);
	snprintf(topics, sizeof(topics), "max_topics %s", n);
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		if (bounds[i].count == 0)
			continue;
		fmt_count(n, sizeof(n), bounds[i].count);
		snprintf(buf, sizeof(buf), "%s: %s %s", bounds[i].bound, n, bounds[i].cost);
		used = segment(w, used, wd, buf, bounds[i].slot);
	}
	return used;
}

void status_bar_draw(WINDOW *w, int wd, const struct status_info *si)
{
	char buf[256], a[32], b[32];
	enum theme_slot slot = SLOT_BAR_WARN;
	int used = 0;

	werase(w);
	wmove(w, 0, 0);
	used = segment(w, used, wd, " mqscope", SLOT_BAR);
	snprintf(buf, sizeof(buf), "%s%s", si->demo ? "demo " : "", si->broker);
	used = segment(w, used, wd, buf, SLOT_BAR);
	if (si->insecure)
		used = segment(w, used, wd,
		               si->unverified ? "INSECURE: certificate not checked"
		                              : "INSECURE: host name not checked",
		               SLOT_BAR_BAD);

	if (si->replay) {
		snprintf(buf, sizeof(buf), "%s", si->replay);
	} else if (si->offline) {
		snprintf(buf, sizeof(buf), "offline");
	} else if (si->states) {
		snprintf(buf, sizeof(buf), "%s %s", draw_glyph("dot"), si->states);
		slot = si->all_up ? SLOT_BAR_OK : si->any_down ? SLOT_BAR_BAD : SLOT_BAR_WARN;
	} else {
		char desc[200];

		session_describe(si->st, si->now_mono, desc, sizeof(desc));
		snprintf(buf, sizeof(buf), "%s %s", draw_glyph("dot"), desc);
		if (si->st->state == SESSION_CONNECTED)
			slot = SLOT_BAR_OK;
		else if (si->st->state == SESSION_WAITING)
			slot = SLOT_BAR_BAD;
	}
	used = segment(w, used, wd, buf, si->offline ? SLOT_BAR : slot);
	/* A watch that fired comes first after the connection: it is why one looks. */
	if (si->alarm)
		used = segment(w, used, wd, si->alarm, SLOT_ALARM);
	used = bounds_segment(w, used, wd, si);
	if (si->paused) {
		fmt_count(a, sizeof(a), si->backlog);
		snprintf(buf, sizeof(buf), "PAUSED +%s", a);
		used = segment(w, used, wd, buf, SLOT_BAR_WARN);
	}
	if (si->broker_dropped) {
		fmt_count(a, sizeof(a), si->broker_dropped);
		snprintf(buf, sizeof(buf), "broker dropped %s", a);
		used = segment(w, used, wd, buf, SLOT_BAR_BAD);
	}
	if (si->record_failed)
		used = segment(w, used, wd, "recording FAILED", SLOT_BAR_BAD);
	else if (si->recording)
		used = segment(w, used, wd, "rec", SLOT_BAR_WARN);

	fmt_count(a, sizeof(a), si->msgs);
	fmt_count(b, sizeof(b), si->rate);
	snprintf(buf, sizeof(buf), "msgs %s  %s/s", a, b);
	used = segment(w, used, wd, buf, SLOT_BAR);
	fmt_count(a, sizeof(a), si->topics);
	snprintf(buf, sizeof(buf), "topics %s", a);
	used = segment(w, used, wd, buf, SLOT_BAR);
	if (si->silent || si->offline_devices) {
		fmt_count(a, sizeof(a), si->silent);
		fmt_count(b, sizeof(b), si->offline_devices);
		if (si->silent && si->offline_devices)
			snprintf(buf, sizeof(buf), "%s silent  %s offline", a, b);
		else
			snprintf(buf, sizeof(buf), "%s %s", si->silent ? a : b,
			         si->silent ? "silent" : "offline");
		used = segment(w, used, wd, buf, SLOT_BAR_WARN);
	}
	if (si->filter)
		used = segment(w, used, wd, si->filter, SLOT_BAR_WARN);
	if (si->sort) {
		snprintf(buf, sizeof(buf), "sort %s", si->sort);
		used = segment(w, used, wd, buf, SLOT_BAR);
	}
	fmt_count(a, sizeof(a), si->drops);
	snprintf(buf, sizeof(buf), "drops %s", a);
	used = segment(w, used, wd, buf, si->drops ? SLOT_BAR_BAD : SLOT_BAR);
	fmt_bytes(a, sizeof(a), si->mem);
	snprintf(buf, sizeof(buf), "mem %s", a);
	used = segment(w, used, wd, buf, si->over_budget ? SLOT_BAR_WARN : SLOT_BAR);
	wmove(w, 0, used < wd ? used : wd - 1);
	draw_fill(w, wd, theme_attr(SLOT_BAR));
}

void hint_line_draw(WINDOW *w, int wd, enum hint_kind kind, const char *text)
{
	static const struct key_hint hints[] = {
	    {ACT_QUIT, "quit"},         {ACT_HELP, "help"},
	    {ACT_SEARCH, "search"},     {ACT_TOGGLE_BRANCH, "open/close"},
	    {ACT_FOCUS_NEXT, "pane"},   {ACT_FILTER, "filter"},
	    {ACT_PAYLOAD_VIEW, "view"}, {ACT_HISTORY, "history"},
	    {ACT_SORT, "sort"},         {ACT_DASHBOARD, "broker"},
	    {ACT_PAUSE, "pause"},
	};

	werase(w);
	wmove(w, 0, 0);
	if (kind != HINT_KEYS) {
		draw_str(w, text, wd, theme_attr(kind == HINT_ERROR ? SLOT_ERROR : SLOT_NOTICE));
		return;
	}
	wmove(w, 0, 1);
	draw_key_hints(w, wd - 1, hints, sizeof(hints) / sizeof(hints[0]));
}
