/* status_bar.c: draws the top status bar and the bottom hint line. */
#include "mqscope/status_bar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/fields.h"
#include "mqscope/fit.h"
#include "mqscope/sanitize.h"
#include "mqscope/theme.h"
#include "mqscope/util.h"

#define BAR_FIELDS 20
#define BAR_TEXT   200

/* What the bar holds, in the order shown; prio 0 is kept longest (fields.h). */
struct bar {
	struct field f[BAR_FIELDS];
	char text[BAR_FIELDS][FIELD_FORMS][BAR_TEXT];
	enum theme_slot slot[BAR_FIELDS];
	size_t n;
};

/*
 * Priorities: the connection (and anything insecure or failing), then the
 * pause, the filter, the sort, what was lost, the counts, the broker's name,
 * the memory, and the program's name. A new field picks its place here.
 */
enum {
	PRIO_STATE = 0,
	PRIO_PAUSE = 1,
	PRIO_FILTER = 2,
	PRIO_SORT = 3,
	PRIO_LOST = 4,
	PRIO_REC = 5,
	PRIO_COUNTS = 6,
	PRIO_BROKER = 7,
	PRIO_MEM = 8,
	PRIO_NAME = 9,
};

/* Adds a field with up to three forms (longest first; NULL or "" for none). */
static void add(struct bar *b, int prio, enum theme_slot slot, const char *a, const char *m,
                const char *z)
{
	const char *forms[FIELD_FORMS] = {a, m, z};
	struct field *f;
	int k = 0;

	if (b->n == BAR_FIELDS || a == NULL || a[0] == '\0')
		return;
	f = &b->f[b->n];
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < FIELD_FORMS; i++) {
		if (forms[i] == NULL || forms[i][0] == '\0')
			continue;
		snprintf(b->text[b->n][k], BAR_TEXT, "%s", forms[i]);
		f->form[k] = b->text[b->n][k];
		f->width[k] = sanitize_width(forms[i], strlen(forms[i]), draw_san_flags());
		/* A shorter form only if it is shorter. */
		if (k == 0 || f->width[k] < f->width[k - 1])
			k++;
	}
	f->prio = prio;
	b->slot[b->n++] = slot;
}

/* What bit which bound and what it cost: lost messages first, then topics, then cut payloads. */
static void bounds_fields(struct bar *b, const struct status_info *si)
{
	char topics[48], full[160], mid[80], n[32], s[32];
	const struct {
		uint64_t count;
		const char *bound, *cost, *brief;
		enum theme_slot slot;
	} bounds[] = {
	    {si->drops, "ring_bytes full", "dropped", "dropped", SLOT_BAR_BAD},
	    {si->refused_topics, topics, "refused", "refused", SLOT_BAR_BAD},
	    {si->refused_names, "names over memory_budget", "refused", "refused", SLOT_BAR_BAD},
	    {si->refused_deep, "over 65,535 levels", "refused", "refused", SLOT_BAR_BAD},
	    {si->refused_nomem, "out of memory", "refused", "refused", SLOT_BAR_BAD},
	    {si->budget_hits, "memory_budget", "values dropped or cut", "cut", SLOT_BAR_WARN},
	    {si->cut, "payload_cap", "cut", "cut", SLOT_BAR_WARN},
	};

	fmt_count(n, sizeof(n), si->max_topics);
	snprintf(topics, sizeof(topics), "max_topics %s", n);
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		if (bounds[i].count == 0)
			continue;
		fmt_count(n, sizeof(n), bounds[i].count);
		fmt_short(s, sizeof(s), (double)bounds[i].count);
		snprintf(full, sizeof(full), "%s: %s %s", bounds[i].bound, n, bounds[i].cost);
		snprintf(mid, sizeof(mid), "%s %s", bounds[i].brief, s);
		add(b, PRIO_LOST, bounds[i].slot, full, mid, NULL);
	}
}

/*
 * A text wider than cols cut after its last whole word that fits, with an
 * ellipsis: the start of a long reason is shown rather than nothing (the
 * connection log has it whole).
 */
static void cut_at_word(char *text, size_t cap, int cols)
{
	size_t len = strlen(text), next, n;
	char *head;

	if (sanitize_width(text, len, draw_san_flags()) <= cols)
		return;
	n = fit_wrap(text, len, draw_san_flags(), cols - 1, &next);
	while (n > 0 && strchr(" ,;:(", text[n - 1]))
		n--;
	head = xstrdup(text);
	snprintf(text, cap, "%.*s%s", (int)n, head, draw_glyph("ellipsis"));
	free(head);
}

/* The connection in words, shorter, and shortest; no longer than wd. */
static void state_field(struct bar *b, const struct status_info *si, int wd)
{
	char full[BAR_TEXT], mid[BAR_TEXT], tiny[BAR_TEXT], desc[BAR_TEXT - 8];
	const char *dot = draw_glyph("dot");
	enum theme_slot slot = SLOT_BAR_WARN;
	int64_t left;

	if (si->replay) {
		add(b, PRIO_STATE, SLOT_BAR, si->replay, NULL, NULL);
		return;
	}
	if (si->offline) {
		add(b, PRIO_STATE, SLOT_BAR, "offline", NULL, NULL);
		return;
	}
	if (si->states) {
		/* several brokers: each one's state, then in short which way it leans */
		snprintf(full, sizeof(full), "%s %s", dot, si->states);
		cut_at_word(full, sizeof(full), wd);
		slot = si->all_up ? SLOT_BAR_OK : si->any_down ? SLOT_BAR_BAD : SLOT_BAR_WARN;
		snprintf(mid, sizeof(mid), "%s %s", dot,
		         si->all_up     ? "all up"
		         : si->any_down ? "DOWN"
		                        : "connecting");
		add(b, PRIO_STATE, slot, full, mid, NULL);
		return;
	}
	session_describe(si->st, si->now_mono, desc, sizeof(desc));
	snprintf(full, sizeof(full), "%s %s", dot, desc);
	cut_at_word(full, sizeof(full), wd);
	switch (si->st->state) {
	case SESSION_CONNECTED:
		slot = SLOT_BAR_OK;
		snprintf(mid, sizeof(mid), "%s connected", dot);
		tiny[0] = '\0';
		break;
	case SESSION_WAITING:
		slot = SLOT_BAR_BAD;
		left = (si->st->retry_at_ms - si->now_mono + 999) / 1000;
		snprintf(mid, sizeof(mid), "%s %s, retrying in %llds", dot,
		         si->st->connects ? "lost" : "failed", (long long)(left > 0 ? left : 0));
		snprintf(tiny, sizeof(tiny), "%s retry %llds", dot,
		         (long long)(left > 0 ? left : 0));
		break;
	case SESSION_CONNECTING:
		snprintf(mid, sizeof(mid), "%s connecting", dot);
		tiny[0] = '\0';
		break;
	default:
		add(b, PRIO_STATE, slot, full, NULL, NULL);
		return;
	}
	add(b, PRIO_STATE, slot, full, mid, tiny);
}

void status_bar_draw(WINDOW *w, int wd, const struct status_info *si)
{
	char a[32], c[32], full[BAR_TEXT], mid[BAR_TEXT], tiny[BAR_TEXT];
	struct bar *b = xcalloc(1, sizeof(*b));
	int used = 1;

	add(b, PRIO_NAME, SLOT_BAR, "mqscope", NULL, NULL);
	snprintf(full, sizeof(full), "%s%s", si->demo ? "demo " : "", si->broker);
	/* The broker's name shortened in the middle (a host's end, a demo's directory). */
	struct fit_mid fm = fit_middle(full, strlen(full), draw_san_flags(), 24);
	if (fm.cut)
		snprintf(mid, sizeof(mid), "%.*s%s%s", (int)fm.head, full, draw_glyph("ellipsis"),
		         full + fm.tail);
	else
		mid[0] = '\0';
	add(b, PRIO_BROKER, SLOT_BAR, full, mid, si->demo ? "demo" : NULL);
	if (si->insecure)
		add(b, PRIO_STATE, SLOT_BAR_BAD,
		    si->unverified ? "INSECURE: certificate not checked"
		                   : "INSECURE: host name not checked",
		    "INSECURE", NULL);
	state_field(b, si, wd - 2);
	bounds_fields(b, si);
	/* A watch that fired comes first after the connection: it is why one looks. */
	if (si->alarm)
		add(b, PRIO_STATE, SLOT_ALARM, si->alarm, NULL, NULL);
	if (si->paused) {
		fmt_count(a, sizeof(a), si->backlog);
		fmt_short(c, sizeof(c), (double)si->backlog);
		snprintf(full, sizeof(full), "PAUSED +%s", a);
		snprintf(mid, sizeof(mid), "PAUSED +%s", c);
		add(b, PRIO_PAUSE, SLOT_BAR_WARN, full, mid, "PAUSED");
	}
	if (si->broker_dropped) {
		fmt_count(a, sizeof(a), si->broker_dropped);
		fmt_short(c, sizeof(c), (double)si->broker_dropped);
		snprintf(full, sizeof(full), "broker dropped %s", a);
		snprintf(mid, sizeof(mid), "broker dropped %s", c);
		add(b, PRIO_LOST, SLOT_BAR_BAD, full, mid, NULL);
	}
	if (si->record_failed)
		add(b, PRIO_PAUSE, SLOT_BAR_BAD, "recording FAILED", "rec FAILED", NULL);
	else if (si->recording)
		add(b, PRIO_REC, SLOT_BAR_WARN, "rec", NULL, NULL);
	fmt_count(a, sizeof(a), si->msgs);
	fmt_short(c, sizeof(c), (double)si->msgs);
	snprintf(full, sizeof(full), "msgs %s", a);
	snprintf(mid, sizeof(mid), "%s msg%s", c, si->msgs == 1 ? "" : "s");
	add(b, PRIO_COUNTS, SLOT_BAR, full, mid, NULL);
	fmt_count(a, sizeof(a), si->rate);
	fmt_short(c, sizeof(c), (double)si->rate);
	snprintf(full, sizeof(full), "%s/s", a);
	snprintf(mid, sizeof(mid), "%s/s", c);
	add(b, PRIO_COUNTS, SLOT_BAR, full, mid, NULL);
	fmt_count(a, sizeof(a), si->topics);
	fmt_short(c, sizeof(c), (double)si->topics);
	snprintf(full, sizeof(full), "topics %s", a);
	snprintf(mid, sizeof(mid), "%s topic%s", c, si->topics == 1 ? "" : "s");
	add(b, PRIO_COUNTS, SLOT_BAR, full, mid, NULL);
	if (si->silent || si->offline_devices) {
		char s1[32], s2[32];

		fmt_count(s1, sizeof(s1), si->silent);
		fmt_count(s2, sizeof(s2), si->offline_devices);
		if (si->silent && si->offline_devices)
			snprintf(full, sizeof(full), "%s silent  %s offline", s1, s2);
		else
			snprintf(full, sizeof(full), "%s %s", si->silent ? s1 : s2,
			         si->silent ? "silent" : "offline");
		add(b, PRIO_LOST, SLOT_BAR_WARN, full, NULL, NULL);
	}
	if (si->filter) {
		/* "filter sensors/+ (12)", "f:sensors/+ (12)", "f:sensors/+" */
		fmt_count(a, sizeof(a), si->filter_matches);
		snprintf(full, sizeof(full), "filter %s (%s)", si->filter, a);
		snprintf(mid, sizeof(mid), "f:%s (%s)", si->filter, a);
		fm = fit_middle(si->filter, strlen(si->filter), draw_san_flags(), 16);
		snprintf(tiny, sizeof(tiny), "f:%.*s%s%s", (int)fm.head, si->filter,
		         fm.cut ? draw_glyph("ellipsis") : "", si->filter + fm.tail);
		add(b, PRIO_FILTER, SLOT_BAR_WARN, full, mid, tiny);
	}
	if (si->sort) {
		snprintf(full, sizeof(full), "sort %s", si->sort);
		snprintf(mid, sizeof(mid), "sort %.*s", (int)strcspn(si->sort, " "), si->sort);
		add(b, PRIO_SORT, SLOT_BAR, full, mid, NULL);
	}
	if (si->drops == 0)
		add(b, PRIO_COUNTS, SLOT_BAR, "drops 0", NULL, NULL);
	else {
		fmt_count(a, sizeof(a), si->drops);
		fmt_short(c, sizeof(c), (double)si->drops);
		snprintf(full, sizeof(full), "drops %s", a);
		snprintf(mid, sizeof(mid), "drops %s", c);
		add(b, PRIO_LOST, SLOT_BAR_BAD, full, mid, NULL);
	}
	fmt_bytes(a, sizeof(a), si->mem);
	snprintf(mid, sizeof(mid), "mem %s", a);
	/* several brokers: each one's part when there is room (the parts add up to the total) */
	if (si->mem_each && strlen(mid) + strlen(si->mem_each) + 4 < sizeof(full)) {
		size_t m = strlen(mid), e = strlen(si->mem_each);

		memcpy(full, mid, m);
		memcpy(full + m, " (", 2);
		memcpy(full + m + 2, si->mem_each, e);
		memcpy(full + m + 2 + e, ")", 2);
	} else
		snprintf(full, sizeof(full), "%s", mid);
	add(b, PRIO_MEM, si->over_budget ? SLOT_BAR_WARN : SLOT_BAR, full,
	    strcmp(full, mid) ? mid : NULL, NULL);

	/* A column at each end: the bar never runs into the edge, so nothing looks cut. */
	fields_fit(b->f, b->n, wd - 2, 2);
	werase(w);
	wmove(w, 0, 0);
	wattrset(w, theme_attr(SLOT_BAR));
	waddch(w, ' ');
	for (size_t i = 0; i < b->n; i++) {
		const struct field *f = &b->f[i];

		if (f->chosen < 0)
			continue;
		if (used > 1)
			used += draw_str(w, "  ", wd - used, theme_attr(SLOT_BAR));
		used += draw_str(w, f->form[f->chosen], wd - used, theme_attr(b->slot[i]));
	}
	wmove(w, 0, used < wd ? used : wd - 1);
	draw_fill(w, wd, theme_attr(SLOT_BAR));
	free(b);
}

int hint_lines(int wd, const char *text)
{
	return sanitize_width(text, strlen(text), draw_san_flags()) > wd - 1 ? 2 : 1;
}

/* Draws text in at most cols columns, its middle left out (an ellipsis) when it does not fit. */
static void draw_middle(WINDOW *w, const char *text, size_t len, int cols, attr_t at)
{
	struct fit_mid fm = fit_middle(text, len, draw_san_flags(), cols);
	int used = draw_text(w, text, fm.head, cols, at);

	if (fm.cut) {
		used += draw_str(w, draw_glyph("ellipsis"), cols - used, at);
		draw_text(w, text + fm.tail, len - fm.tail, cols - used, at);
	}
}

void hint_line_draw(WINDOW *w, int lines, int wd, enum hint_kind kind, const char *text)
{
	static const struct key_hint hints[] = {
	    {ACT_QUIT, "quit"},         {ACT_HELP, "help"},
	    {ACT_SEARCH, "search"},     {ACT_TOGGLE_BRANCH, "open/close"},
	    {ACT_FOCUS_NEXT, "pane"},   {ACT_FILTER, "filter"},
	    {ACT_PAYLOAD_VIEW, "view"}, {ACT_HISTORY, "history"},
	    {ACT_SORT, "sort"},         {ACT_DASHBOARD, "broker"},
	    {ACT_PAUSE, "pause"},
	};
	attr_t at = theme_attr(kind == HINT_ERROR ? SLOT_ERROR : SLOT_NOTICE);
	size_t len = strlen(text), next, n;

	werase(w);
	wmove(w, 0, 0);
	if (kind == HINT_KEYS) {
		wmove(w, 0, 1);
		draw_key_hints(w, wd - 2, hints, sizeof(hints) / sizeof(hints[0]));
		return;
	}
	/* The last column stays blank: a line that reaches the edge looks cut. */
	if (lines < 2 || hint_lines(wd, text) < 2) {
		draw_middle(w, text, len, wd - 1, at);
		return;
	}
	/* Two lines: wrapped at a space, the rest shortened in the middle if it is still long. */
	n = fit_wrap(text, len, draw_san_flags(), wd - 1, &next);
	draw_text(w, text, n, wd - 1, at);
	wmove(w, 1, 0);
	draw_middle(w, text + next, len - next, wd - 1, at);
}
