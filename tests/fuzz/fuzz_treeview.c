/* fuzz_treeview.c: the topic tree pane lists, sorts, filters, searches and draws any topics at any
 * size, whatever keys and messages come between frames; the selection stays on a real node, and
 * every cell it leaves on the screen is a character the sanitizer lets through as text.
 *
 * Input: rows, columns, flags, number of steps, the steps (one byte each), a filter or search
 * text up to a newline, then messages as [topic_len:1][payload_len:1][topic][payload]. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include <curses.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/actions.h"
#include "mqscope/draw.h"
#include "mqscope/filter.h"
#include "mqscope/tree.h"
#include "mqscope/tree_view.h"

#include "fuzz_screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_MS 1750000000000LL

struct feed {
	const uint8_t *p, *end;
	struct tree *t;
	struct filter *f;
	struct tree_view *v;
	int64_t now;
};

/* Stores the next message and tells the view, as the UI loop does. */
static void arrive(struct feed *in)
{
	size_t tl, pl;
	struct tree_msg m = {0};
	tree_id id;

	if (in->end - in->p < 2)
		return;
	tl = in->p[0];
	pl = in->p[1];
	if ((size_t)(in->end - in->p) < 2 + tl + pl)
		return;
	m.payload = in->p + 2 + tl;
	m.len = m.orig_len = (uint32_t)pl;
	m.time_ms = in->now;
	m.retained = tl & 1;
	id = tree_insert(in->t, (const char *)in->p + 2, tl, &m);
	if (in->f)
		filter_note(in->f, in->t, id);
	tree_view_note_changes(in->v, in->t, in->f);
	in->p += 2 + tl + pl;
	in->now += 100;
}

static void check_view(const struct tree_view *v, const struct tree *t)
{
	size_t n = tree_node_count(t);

	if (v->sel != TREE_NONE && v->sel >= n)
		abort();
	if (!v->stale)
		for (size_t i = 0; i < v->nrows; i++)
			if (v->rows[i] == TREE_ROOT || v->rows[i] >= n)
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree_limits lim = {
	    .max_topics = 48, .payload_cap = 64, .history = 2, .value_budget = 8192};
	struct feed in = {.end = data + size, .now = NOW_MS};
	struct tree_view v;
	const uint8_t *steps, *nl;
	size_t nsteps;
	unsigned flags;
	char *text, err[128];
	int h, wd;
	WINDOW *w;

	fuzz_screen_init();
	if (size < 4)
		return 0;
	h = 1 + data[0] % 40;
	wd = 1 + data[1] % 120;
	flags = data[2];
	nsteps = data[3] % 48;
	if (size - 4 < nsteps)
		return 0;
	steps = data + 4;
	in.p = steps + nsteps;
	nl = memchr(in.p, '\n', (size_t)(in.end - in.p));
	text = strndup((const char *)in.p, nl ? (size_t)(nl - in.p) : 0);
	in.p = nl ? nl + 1 : in.p;

	draw_set_ascii(flags & 4);
	in.t = tree_new(&lim);
	w = newpad(h, wd);
	if (w == NULL)
		abort();
	tree_view_init(&v, in.t);
	in.v = &v;
	tree_view_set_sort(&v, (enum tree_sort)(flags & 3));
	if (flags & 8) {
		in.f = filter_new(text, err, sizeof(err));
		if (in.f) {
			filter_apply(in.f, in.t);
			tree_view_set_filter(&v, in.f);
		}
	}
	for (unsigned i = 0; i < 4 * (flags >> 4 & 3); i++)
		arrive(&in);
	tree_view_refresh(&v);
	for (size_t i = 0; i < nsteps; i++) {
		unsigned b = steps[i];
		bool wrapped;

		if (b < 0x40) {
			tree_view_action(&v, fuzz_action(b));
		} else if (b < 0x50) {
			arrive(&in);
		} else if (b < 0x58) {
			tree_view_set_sort(&v, (enum tree_sort)(b & 3));
		} else if (b < 0x60) {
			tree_view_freeze(&v, b & 1);
		} else if (b < 0x70) {
			if (text[0])
				tree_view_search(&v, text, b & 1 ? 1 : -1, &wrapped);
		} else if (b < 0x80) {
			in.now += 1000 * (b & 15);
			tree_view_tick(&v, in.now, tree_msg_count(in.t));
		} else {
			tree_view_draw(&v, w, h, wd, b & 1, in.now);
			fuzz_check_cells(w, h, wd);
		}
		check_view(&v, in.t);
	}
	tree_view_draw(&v, w, h, wd, true, in.now);
	fuzz_check_cells(w, h, wd);
	check_view(&v, in.t);

	tree_view_free(&v);
	filter_free(in.f);
	delwin(w);
	tree_free(in.t);
	free(text);
	return 0;
}
