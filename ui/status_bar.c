/* status_bar.c: draws the top status bar and the bottom hint line. */
#include "mqscope/status_bar.h"

#include <stdio.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
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
	char buf[160], a[32], b[32];

	if (si->drops) {
		fmt_count(a, sizeof(a), si->drops);
		snprintf(buf, sizeof(buf), "ring_bytes full: %s dropped", a);
		used = segment(w, used, wd, buf, SLOT_BAR_BAD);
	}
	if (si->refused_topics) {
		fmt_count(a, sizeof(a), si->refused_topics);
		fmt_count(b, sizeof(b), si->max_topics);
		snprintf(buf, sizeof(buf), "max_topics %s: %s refused", b, a);
		used = segment(w, used, wd, buf, SLOT_BAR_BAD);
	}
	if (si->refused_names) {
		fmt_count(a, sizeof(a), si->refused_names);
		snprintf(buf, sizeof(buf), "names over memory_budget: %s refused", a);
		used = segment(w, used, wd, buf, SLOT_BAR_BAD);
	}
	if (si->refused_deep) {
		fmt_count(a, sizeof(a), si->refused_deep);
		snprintf(buf, sizeof(buf), "over 65,535 levels: %s refused", a);
		used = segment(w, used, wd, buf, SLOT_BAR_BAD);
	}
	if (si->refused_nomem) {
		fmt_count(a, sizeof(a), si->refused_nomem);
		snprintf(buf, sizeof(buf), "out of memory: %s refused", a);
		used = segment(w, used, wd, buf, SLOT_BAR_BAD);
	}
	if (si->budget_hits) {
		fmt_count(a, sizeof(a), si->budget_hits);
		snprintf(buf, sizeof(buf), "memory_budget: %s values dropped or cut", a);
		used = segment(w, used, wd, buf, SLOT_BAR_WARN);
	}
	if (si->cut) {
		fmt_count(a, sizeof(a), si->cut);
		snprintf(buf, sizeof(buf), "payload_cap: %s cut", a);
		used = segment(w, used, wd, buf, SLOT_BAR_WARN);
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
	static const struct {
		enum action a;
		const char *label;
	} hints[] = {
	    {ACT_QUIT, "quit"},         {ACT_HELP, "help"},
	    {ACT_SEARCH, "search"},     {ACT_TOGGLE_BRANCH, "open/close"},
	    {ACT_FOCUS_NEXT, "pane"},   {ACT_FILTER, "filter"},
	    {ACT_PAYLOAD_VIEW, "view"}, {ACT_HISTORY, "history"},
	    {ACT_SORT, "sort"},         {ACT_DASHBOARD, "broker"},
	    {ACT_PAUSE, "pause"},
	};
	int used = 0;

	werase(w);
	wmove(w, 0, 0);
	if (kind != HINT_KEYS) {
		draw_str(w, text, wd, theme_attr(kind == HINT_ERROR ? SLOT_ERROR : SLOT_NOTICE));
		return;
	}
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]) && used < wd; i++) {
		char keys[64], *sp;

		keys_describe(hints[i].a, keys, sizeof(keys));
		sp = strchr(keys, ' ');
		if (sp)
			*sp = '\0'; /* the first key is enough here */
		if (keys[0] == '\0')
			continue;
		used += draw_str(w, used ? "  " : " ", wd - used, A_NORMAL);
		used += draw_str(w, keys, wd - used, theme_attr(SLOT_HINT_KEY));
		used += draw_str(w, " ", wd - used, A_NORMAL);
		used += draw_str(w, hints[i].label, wd - used, theme_attr(SLOT_HINT));
	}
}
