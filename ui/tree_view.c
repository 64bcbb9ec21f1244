/* tree_view.c: flattens the expanded part of the tree into rows and draws the ones on screen. */
#define _GNU_SOURCE
#include "mqscope/tree_view.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/app.h"
#include "mqscope/draw.h"
#include "mqscope/fit.h"
#include "mqscope/prompt.h"
#include "mqscope/silence.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define STATS_COLS    12  /* " 1.2k/s  59m" at the right edge of a row */
#define AUTO_OPEN_MAX 300 /* a filter matching at most this many topics opens their branches */
#define ROW_STATS_MIN                                                                              \
	24 /* narrower panes leave the rate and age out; wider ones shorten the                    \
	      value to make room for them */

struct sort_item {
	double key;
	tree_id id;
};

static void draw_row_in_list(void *ctx, WINDOW *w, int y, int x, int wd, size_t i);

void tree_view_init(struct tree_view *v, struct tree *t)
{
	memset(v, 0, sizeof(*v));
	list_view_init(&v->lv, false, draw_row_in_list, NULL, v);
	v->tree = t;
	v->live = t;
	v->sel = TREE_NONE;
	v->stale = true;
	v->next_change = INT64_MAX;
}

void tree_view_free(struct tree_view *v)
{
	free(v->rows);
	free(v->expanded);
	free(v->kids);
	free(v->items);
	free(v->stack);
	free(v->touched);
	if (v->live && v->sort != SORT_NAME)
		tree_track_touched(v->live, false);
	free(v->previews);
	memset(v, 0, sizeof(*v));
}

void tree_view_set_decoders(struct tree_view *v, const struct decoders *dec)
{
	v->dec = dec;
	if (v->previews == NULL)
		v->previews = xmalloc(sizeof(*v->previews));
	decoded_previews_init(v->previews);
}

bool tree_view_is_expanded(const struct tree_view *v, tree_id id)
{
	size_t byte = id / 8;

	return byte < v->expanded_bytes && (v->expanded[byte] >> (id % 8)) & 1;
}

void tree_view_set_expanded(struct tree_view *v, tree_id id, bool on)
{
	size_t byte = id / 8;

	if (byte >= v->expanded_bytes) {
		size_t n = v->expanded_bytes ? v->expanded_bytes : 1024;

		if (!on)
			return;
		while (n <= byte)
			n *= 2;
		v->expanded = xrealloc(v->expanded, n);
		memset(v->expanded + v->expanded_bytes, 0, n - v->expanded_bytes);
		v->expanded_bytes = n;
	}
	if (on)
		v->expanded[byte] |= (uint8_t)(1u << (id % 8));
	else
		v->expanded[byte] &= (uint8_t) ~(1u << (id % 8));
	v->stale = true;
}

/* Whether the filter (or, without one, the tree) shows id. */
static bool visible(const struct tree_view *v, tree_id id)
{
	if (v->silent_only && !silence_visible(v->silence, id))
		return false;
	return !tree_shown_hidden(v->tree, id) && (!v->filter || filter_visible(v->filter, id));
}

void tree_view_set_silence(struct tree_view *v, const struct silence *s)
{
	v->silence = s;
}

/* Whether the children of id are shown: id and all its ancestors are expanded. */
static bool open_on_screen(const struct tree_view *v, tree_id id)
{
	for (; id != TREE_ROOT; id = tree_node(v->tree, id)->parent)
		if (!tree_view_is_expanded(v, id))
			return false;
	return true;
}

/* Marks the rows stale when one of n changed nodes sits under an open branch. */
static void consider(struct tree_view *v, const tree_id *ids, size_t n, bool overflow)
{
	if (tree_view_flat(v))
		return; /* new topics join the flat list at its next sort */
	if (v->frozen) {
		v->missed |= overflow || n > 0;
		return;
	}
	if (overflow) {
		v->stale = true;
		return;
	}
	for (size_t i = 0; i < n && !v->stale; i++)
		if (open_on_screen(v, tree_node(v->tree, ids[i])->parent))
			v->stale = true;
}

void tree_view_note_changes(struct tree_view *v, struct tree *t, struct filter *f)
{
	tree_id ids[64];
	bool overflow;
	size_t n = tree_take_changes(t, ids, 64, &overflow);

	/* With a filter, its own changes say what appeared; the tree's are consumed all the same.
	 */
	if (f == NULL) {
		consider(v, ids, n, overflow);
		return;
	}
	n = filter_take_changes(f, ids, 64, &overflow);
	consider(v, ids, n, overflow);
}

static void push(struct tree_view *v, tree_id id)
{
	if (v->nrows == v->rows_cap) {
		v->rows_cap = v->rows_cap ? v->rows_cap * 2 : 256;
		v->rows = xrealloc(v->rows, v->rows_cap * sizeof(*v->rows));
	}
	v->rows[v->nrows++] = id;
}

bool tree_view_flat(const struct tree_view *v)
{
	/* By silence the tree stays a tree: a branch says how many below it are silent. */
	return v->sort != SORT_NAME && v->sort != SORT_SILENCE;
}

/*
 * Silence first: branches and topics with the most silent topics and
 * offline devices, then the longest quiet (by the last message).
 */
static double silence_key(const struct tree_view *v, tree_id id)
{
	const struct tree_node *n = tree_node(v->tree, id);
	double quiet = n->sub_last_ms ? (double)(v->now - n->sub_last_ms) : 0;

	if (v->silence == NULL)
		return quiet;
	return (double)(silence_below(v->silence, id) + silence_offline_below(v->silence, id)) *
	           1e13 +
	       quiet;
}

/* The sort key of a node: larger first. */
static double sort_key(const struct tree_view *v, tree_id id)
{
	const struct tree_node *n = tree_shown(v->tree, id);

	switch (v->sort) {
	case SORT_RATE:
		return tree_shown_rate(v->tree, id, v->now);
	case SORT_MSGS:
		return (double)n->msgs;
	case SORT_LAST:
		return (double)n->last_ms;
	case SORT_SILENCE:
		return silence_key(v, id);
	default:
		return 0;
	}
}

static int item_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct sort_item *a = pa, *b = pb;
	const struct tree *t = ctx;
	size_t al, bl;
	const char *an, *bn;

	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	an = tree_name(t, a->id, &al);
	bn = tree_name(t, b->id, &bl);
	return tree_name_cmp(an, al, bn, bl);
}

/* Fills v->kids with the visible children of id in display order; returns how many. */
static size_t gather_children(struct tree_view *v, tree_id id)
{
	const struct tree_node *n = tree_node(v->tree, id);
	size_t k = 0;

	if (v->filter == NULL && v->sort == SORT_NAME && !v->silent_only)
		return tree_children_sorted(v->tree, id, &v->kids, &v->kids_cap);
	if (v->items_cap < n->nchildren) {
		v->items_cap = n->nchildren + 16;
		v->items = xrealloc(v->items, v->items_cap * sizeof(*v->items));
	}
	if (v->kids_cap < n->nchildren) {
		v->kids_cap = n->nchildren + 16;
		v->kids = xrealloc(v->kids, v->kids_cap * sizeof(*v->kids));
	}
	/* Keys are computed once per child, not once per comparison (rates need an exp()). */
	for (tree_id c = n->first_child; c != TREE_NONE; c = tree_node(v->tree, c)->next_sibling) {
		if (!visible(v, c))
			continue;
		v->items[k].id = c;
		v->items[k].key = sort_key(v, c);
		k++;
	}
	if (k > 1)
		qsort_r(v->items, k, sizeof(*v->items), item_cmp, (void *)v->tree);
	for (size_t i = 0; i < k; i++)
		v->kids[i] = v->items[i].id;
	return k;
}

/* Pushes the visible children of id onto the DFS stack, last first so the first pops first. */
static size_t push_children(struct tree_view *v, tree_id id, size_t depth)
{
	size_t k = gather_children(v, id);

	if (depth + k > v->stack_cap) {
		v->stack_cap = (depth + k) * 2 + 64;
		v->stack = xrealloc(v->stack, v->stack_cap * sizeof(*v->stack));
	}
	for (size_t i = 0; i < k; i++)
		v->stack[depth + i] = v->kids[k - 1 - i];
	return depth + k;
}

/* The row showing id, or SIZE_MAX. */
static size_t find_row(const struct tree_view *v, tree_id id)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i] == id)
			return i;
	return SIZE_MAX;
}

/* Whether id belongs in the flat list: a topic holding a value that the filter shows. */
static bool flat_member(const struct tree_view *v, tree_id id)
{
	if (!(tree_shown(v->tree, id)->flags & TREE_F_VALUE))
		return false;
	return v->filter ? filter_self(v->filter, id) : true;
}

/* Keeps the TREE_VIEW_FLAT_MAX largest keys in a min-heap of v->items (k held so far). */
static size_t heap_offer(struct tree_view *v, size_t k, tree_id id, double key)
{
	struct sort_item it = {key, id}, *h = v->items;
	size_t i;

	if (k == TREE_VIEW_FLAT_MAX) {
		if (item_cmp(&it, &h[0], (void *)v->tree) >= 0)
			return k; /* no larger than the smallest kept */
		/* Replace the smallest and sift it down. */
		i = 0;
		for (;;) {
			size_t c = 2 * i + 1;

			if (c >= k)
				break;
			if (c + 1 < k && item_cmp(&h[c + 1], &h[c], (void *)v->tree) > 0)
				c++;
			if (item_cmp(&it, &h[c], (void *)v->tree) >= 0)
				break;
			h[i] = h[c];
			i = c;
		}
		h[i] = it;
		return k;
	}
	/* The heap's top is the row that sorts last (the largest in item_cmp's order). */
	for (i = k; i > 0 && item_cmp(&it, &h[(i - 1) / 2], (void *)v->tree) > 0; i = (i - 1) / 2)
		h[i] = h[(i - 1) / 2];
	h[i] = it;
	return k + 1;
}

/* Orders the kept items and makes them the rows. */
static void heap_to_rows(struct tree_view *v, size_t k)
{
	if (k > 1)
		qsort_r(v->items, k, sizeof(*v->items), item_cmp, (void *)v->tree);
	for (size_t i = 0; i < k; i++)
		push(v, v->items[i].id);
}

static void items_room(struct tree_view *v)
{
	if (v->items_cap < TREE_VIEW_FLAT_MAX) {
		v->items_cap = TREE_VIEW_FLAT_MAX;
		v->items = xrealloc(v->items, v->items_cap * sizeof(*v->items));
	}
}

/* The busiest topics of the whole tree, from every topic (a new sort or filter). */
static void flat_full(struct tree_view *v)
{
	size_t k = 0, n = tree_node_count(v->tree);

	items_room(v);
	tree_take_touched(v->live, &v->touched, &v->touched_cap); /* all of them are seen now */
	for (tree_id id = 1; id < n; id++)
		if (flat_member(v, id))
			k = heap_offer(v, k, id, sort_key(v, id));
	heap_to_rows(v, k);
}

static int id_cmp(const void *a, const void *b)
{
	tree_id x = *(const tree_id *)a, y = *(const tree_id *)b;

	return x < y ? -1 : x > y;
}

/*
 * The busiest topics again, from the rows and the topics that took messages
 * since: a topic that took none can only have fallen (its count and time stay,
 * its rate decays), so it cannot have passed one that is kept.
 */
static void flat_update(struct tree_view *v, const tree_id *old, size_t nold)
{
	size_t nt = tree_take_touched(v->live, &v->touched, &v->touched_cap), k = 0, all;

	if (v->touched_cap < nt + nold) {
		v->touched_cap = nt + nold;
		v->touched = xrealloc(v->touched, v->touched_cap * sizeof(*v->touched));
	}
	memcpy(v->touched + nt, old, nold * sizeof(*old));
	nt += nold;
	qsort(v->touched, nt, sizeof(*v->touched), id_cmp);
	items_room(v);
	for (size_t i = 0; i < nt; i++)
		if ((i == 0 || v->touched[i] != v->touched[i - 1]) && flat_member(v, v->touched[i]))
			k = heap_offer(v, k, v->touched[i], sort_key(v, v->touched[i]));
	/* Topics that left (cleared, filtered out) may have made room for ones not in view. */
	all = v->filter ? filter_matches(v->filter) : tree_topic_count(v->tree);
	if (k < TREE_VIEW_FLAT_MAX && k < all) {
		flat_full(v);
		return;
	}
	heap_to_rows(v, k);
}

void tree_view_refresh(struct tree_view *v)
{
	size_t sp;
	tree_id want = v->sel;

	if (!v->stale)
		return;
	v->stale = false;
	if (tree_view_flat(v)) {
		size_t nold = v->nrows;
		tree_id *old = v->full_rebuild ? NULL : xmalloc((nold + 1) * sizeof(*old));

		v->sorted_at = clock_mono_ms();
		v->sorted_msgs = tree_msg_count(v->tree);
		v->nrows = 0;
		if (old) {
			if (nold) /* rows is NULL before the first rows */
				memcpy(old, v->rows, nold * sizeof(*old));
			flat_update(v, old, nold);
		} else {
			flat_full(v);
		}
		free(old);
		v->full_rebuild = false;
	} else {
		v->nrows = 0;
		sp = push_children(v, TREE_ROOT, 0);
		while (sp > 0) {
			tree_id id = v->stack[--sp];

			push(v, id);
			if (tree_view_is_expanded(v, id))
				sp = push_children(v, id, sp);
		}
	}

	/* Keep the selection on its node, or on its nearest visible ancestor. */
	size_t row = SIZE_MAX;
	for (tree_id a = want; a != TREE_NONE && a != TREE_ROOT;
	     a = tree_node(v->tree, a)->parent) {
		row = find_row(v, a);
		if (row != SIZE_MAX) {
			v->sel = a;
			break;
		}
	}
	if (row == SIZE_MAX) {
		row = 0;
		v->sel = v->nrows ? v->rows[0] : TREE_NONE;
	}
	list_set(&v->lv.l, v->nrows, v->lv.l.height);
	list_select(&v->lv.l, row, false);
}

/* Selects the node at the list's selected row. */
static void follow_list(struct tree_view *v)
{
	if (v->nrows)
		v->sel = v->rows[v->lv.l.sel];
}

static bool has_visible_children(const struct tree_view *v, tree_id id)
{
	const struct tree_node *n = tree_shown(v->tree, id);

	if (v->silent_only) {
		const struct silence *s = v->silence;

		if (silence_below(s, id) - silence_is_silent(s, id) + silence_offline_below(s, id) -
		        silence_is_offline(s, id) ==
		    0)
			return false;
	}
	if (v->filter)
		return filter_below(v->filter, id) > (filter_self(v->filter, id) ? 1u : 0u);
	return n->sub_topics > ((n->flags & TREE_F_VALUE) ? 1u : 0u);
}

/* Expands id and every branch below it. */
static void expand_subtree(struct tree_view *v, tree_id id)
{
	size_t sp = 0;

	if (v->stack_cap < 64) {
		v->stack_cap = 64;
		v->stack = xrealloc(v->stack, v->stack_cap * sizeof(*v->stack));
	}
	v->stack[sp++] = id;
	while (sp > 0) {
		tree_id cur = v->stack[--sp];
		const struct tree_node *n = tree_node(v->tree, cur);

		if (!has_visible_children(v, cur))
			continue;
		if (cur != TREE_ROOT)
			tree_view_set_expanded(v, cur, true);
		if (sp + n->nchildren > v->stack_cap) {
			v->stack_cap = (sp + n->nchildren) * 2;
			v->stack = xrealloc(v->stack, v->stack_cap * sizeof(*v->stack));
		}
		for (tree_id c = n->first_child; c != TREE_NONE;
		     c = tree_node(v->tree, c)->next_sibling)
			if (visible(v, c))
				v->stack[sp++] = c;
	}
}

void tree_view_set_filter(struct tree_view *v, const struct filter *f)
{
	v->filter = f;
	v->stale = true;
	v->full_rebuild = true;
	/* A handful of matches: open their branches so they are on screen at once. */
	if (f && filter_matches(f) <= AUTO_OPEN_MAX)
		expand_subtree(v, TREE_ROOT);
	tree_view_refresh(v);
}

void tree_view_note_silence(struct tree_view *v, struct silence *s)
{
	tree_id ids[64];
	bool overflow;
	size_t n = silence_take_changes(s, ids, 64, &overflow);

	if (v->silent_only)
		consider(v, ids, n, overflow);
	else if (v->sort == SORT_SILENCE && (n || overflow) && !v->frozen)
		v->stale = true;
}

void tree_view_set_silent_only(struct tree_view *v, bool on)
{
	v->silent_only = on && v->silence != NULL;
	v->stale = true;
	if (v->silent_only &&
	    silence_count(v->silence) + silence_offline_count(v->silence) <= AUTO_OPEN_MAX)
		expand_subtree(v, TREE_ROOT);
	tree_view_refresh(v);
}

void tree_view_set_sort(struct tree_view *v, enum tree_sort s)
{
	if ((s != SORT_NAME) != tree_view_flat(v))
		tree_track_touched(v->live, s != SORT_NAME);
	v->sort = s;
	v->stale = true;
	v->full_rebuild = true;
	tree_view_refresh(v);
}

const char *tree_view_sort_name(enum tree_sort s)
{
	static const char *const names[SORT__COUNT] = {"name", "rate", "messages", "last update",
	                                               "silence"};

	return s < SORT__COUNT ? names[s] : "?";
}

void tree_view_freeze(struct tree_view *v, bool frozen)
{
	v->frozen = frozen;
	if (!frozen && v->missed)
		v->stale = true;
	v->missed = false;
}

int64_t tree_view_tick(struct tree_view *v, int64_t now_mono, uint64_t msgs)
{
	int64_t due;

	if (v->sort == SORT_NAME || v->frozen || msgs == v->sorted_msgs)
		return INT64_MAX;
	due = v->sorted_at + TREE_VIEW_RESORT_MS;
	if (now_mono >= due) {
		v->stale = true;
		return INT64_MAX; /* the rebuild restarts the clock */
	}
	return due;
}

void tree_view_select(struct tree_view *v, tree_id id)
{
	size_t top = v->lv.l.top, row;

	if (tree_view_flat(v)) {
		tree_view_refresh(v);
		row = find_row(v, id);
		if (row == SIZE_MAX)
			return; /* not among the busiest: the selection stays */
		v->sel = id;
		list_select(&v->lv.l, row, true);
		return;
	}
	for (tree_id a = tree_node(v->tree, id)->parent; a != TREE_ROOT && a != TREE_NONE;
	     a = tree_node(v->tree, a)->parent)
		if (!tree_view_is_expanded(v, a))
			tree_view_set_expanded(v, a, true);
	v->sel = id;
	v->stale = true;
	tree_view_refresh(v);
	/* Put it in the middle of the pane when it was off screen (the view as it was). */
	row = v->lv.l.sel;
	v->lv.l.top = top;
	list_select(&v->lv.l, row, true);
}

bool tree_view_action(struct tree_view *v, enum action a)
{
	tree_id id;

	tree_view_refresh(v);
	if (v->nrows == 0)
		return false;
	if (list_move(&v->lv.l, a)) {
		follow_list(v);
		return true;
	}
	if (tree_view_flat(v))
		return false; /* a list of topics: nothing to open or close */
	id = v->sel;
	switch (a) {
	case ACT_COLLAPSE:
		if (tree_view_is_expanded(v, id) && has_visible_children(v, id)) {
			tree_view_set_expanded(v, id, false);
		} else if (tree_node(v->tree, id)->parent != TREE_ROOT) {
			v->sel = tree_node(v->tree, id)->parent;
			v->stale = true;
		}
		tree_view_refresh(v);
		return true;
	case ACT_EXPAND:
		if (!has_visible_children(v, id))
			return false;
		if (!tree_view_is_expanded(v, id)) {
			tree_view_set_expanded(v, id, true);
			tree_view_refresh(v);
		} else {
			list_move(&v->lv.l, ACT_MOVE_DOWN);
			follow_list(v);
		}
		return true;
	case ACT_TOGGLE_BRANCH:
		if (!has_visible_children(v, id))
			return false;
		tree_view_set_expanded(v, id, !tree_view_is_expanded(v, id));
		tree_view_refresh(v);
		return true;
	case ACT_EXPAND_ALL:
		expand_subtree(v, id);
		tree_view_refresh(v);
		return true;
	case ACT_COLLAPSE_ALL:
		if (v->expanded)
			memset(v->expanded, 0, v->expanded_bytes);
		while (tree_node(v->tree, id)->parent != TREE_ROOT)
			id = tree_node(v->tree, id)->parent;
		v->sel = id;
		v->stale = true;
		tree_view_refresh(v);
		return true;
	default:
		return false;
	}
}

/* The search in the flat list: its rows' full topics, from the selection on. */
static tree_id flat_search(struct tree_view *v, const char *query, int dir, bool *wrapped)
{
	size_t from = find_row(v, v->sel), qlen = strlen(query);
	char path[1024];

	*wrapped = false;
	if (v->nrows == 0)
		return TREE_NONE;
	if (from == SIZE_MAX)
		from = dir > 0 ? v->nrows - 1 : 0;
	for (size_t k = 1; k <= v->nrows; k++) {
		size_t i = dir > 0 ? (from + k) % v->nrows : (from + v->nrows - k) % v->nrows;
		size_t n = tree_path(v->tree, v->rows[i], path, sizeof(path));

		if (mem_contains_ci(path, n < sizeof(path) ? n : sizeof(path) - 1, query, qlen)) {
			*wrapped = dir > 0 ? i <= from : i >= from;
			return v->rows[i];
		}
	}
	return TREE_NONE;
}

tree_id tree_view_search(struct tree_view *v, const char *query, int dir, bool *wrapped)
{
	const struct tree *t = v->tree;
	size_t qlen = strlen(query), sp, plen_cap = 64;
	size_t *plen = xmalloc(plen_cap * sizeof(*plen));
	char *path = NULL;
	size_t path_cap = 0;
	tree_id first = TREE_NONE, last_before = TREE_NONE, after = TREE_NONE, last = TREE_NONE;
	bool passed = v->sel == TREE_NONE;

	if (tree_view_flat(v)) {
		free(plen);
		tree_view_refresh(v);
		return flat_search(v, query, dir, wrapped);
	}
	*wrapped = false;
	/* Walk every visible node in display order, building each full topic from its parent's. */
	sp = push_children(v, TREE_ROOT, 0);
	while (sp > 0) {
		tree_id id = v->stack[--sp];
		const struct tree_node *n = tree_node(t, id);
		size_t nl, d = n->depth, base, need;
		const char *name = tree_name(t, id, &nl);

		if (d >= plen_cap) {
			plen_cap = d * 2;
			plen = xrealloc(plen, plen_cap * sizeof(*plen));
		}
		base = d > 1 ? plen[d - 1] + 1 : 0;
		need = base + nl + 1;
		if (need > path_cap) {
			path_cap = need * 2;
			path = xrealloc(path, path_cap);
		}
		if (d > 1)
			path[base - 1] = '/';
		memcpy(path + base, name, nl);
		plen[d] = base + nl;

		if (id == v->sel) {
			passed = true;
		} else if ((tree_shown(t, id)->flags & TREE_F_VALUE || n->nchildren) &&
		           mem_contains_ci(path, plen[d], query, qlen)) {
			if (first == TREE_NONE)
				first = id;
			if (!passed)
				last_before = id;
			if (passed && after == TREE_NONE)
				after = id;
			last = id;
			if (dir > 0 && after != TREE_NONE)
				break;
		}
		sp = push_children(v, id, sp);
	}
	free(plen);
	free(path);
	if (dir > 0) {
		if (after != TREE_NONE)
			return after;
		*wrapped = first != TREE_NONE;
		return first;
	}
	if (last_before != TREE_NONE)
		return last_before;
	*wrapped = last != TREE_NONE;
	return last;
}

/* The next wall-clock moment the age text "12s", "3m", "2h" of something last seen at `at`
 * changes. */
static int64_t age_changes_at(int64_t at, int64_t now)
{
	int64_t age = now - at, unit;

	if (age < 0)
		return at;
	if (age < 60000)
		unit = 1000;
	else if (age < 3600000)
		unit = 60000;
	else if (age < 86400000)
		unit = 3600000;
	else
		unit = 86400000;
	return at + (age / unit + 1) * unit;
}

/* Draws the rate and age of a row at the right edge; returns when they will next change. */
static int64_t draw_stats(struct tree_view *v, WINDOW *w, int y, int wd, tree_id id, int64_t now)
{
	const struct tree_node *n = tree_shown(v->tree, id);
	char rate[24], age[16], buf[48];
	int64_t next = INT64_MAX;
	int len;

	if (n->sub_last_ms == 0)
		return next;
	fmt_rate(rate, sizeof(rate), tree_shown_rate(v->tree, id, now));
	fmt_age(age, sizeof(age), now - n->sub_last_ms);
	len = snprintf(buf, sizeof(buf), "%7s %4s", rate, age);
	if (len > STATS_COLS)
		len = snprintf(buf, sizeof(buf), "%s %s", rate, age);
	wmove(w, y, wd - len);
	draw_str(w, buf, len, theme_attr(SLOT_RATE));
	next = age_changes_at(n->sub_last_ms, now);
	if (rate[0] && now + 1000 < next)
		next = now + 1000; /* a shown rate decays */
	return next;
}

/* The column of a row's branch marker in a pane wd wide. */
static int row_indent(const struct tree_view *v, tree_id id, int wd)
{
	int indent = tree_view_flat(v) ? 0 : 2 * (tree_shown(v->tree, id)->depth - 1);
	int cw = wd >= ROW_STATS_MIN ? wd - STATS_COLS - 1 : wd;

	return indent > cw / 2 ? cw / 2 : indent;
}

bool tree_view_click(struct tree_view *v, int y, int x, int wd)
{
	size_t row;
	int at;

	tree_view_refresh(v);
	row = v->lv.l.top + (size_t)(y > 0 ? y : 0);
	if (y < 0 || row >= v->nrows)
		return false;
	list_select(&v->lv.l, row, false);
	follow_list(v);
	at = row_indent(v, v->sel, wd);
	/* On the marker (or the space after it): the branch opens or closes. */
	if (!tree_view_flat(v) && x >= at && x <= at + 1 && has_visible_children(v, v->sel)) {
		tree_view_set_expanded(v, v->sel, !tree_view_is_expanded(v, v->sel));
		tree_view_refresh(v);
	}
	return true;
}

/*
 * After the name: "silent" or "offline" for a topic or device, "3 silent"
 * for a branch with silent topics below. Returns the columns used so far.
 */
static int draw_silence(struct tree_view *v, WINDOW *w, tree_id id, bool branch, int used, int cw)
{
	const struct silence *s = v->silence;
	uint32_t silent, offline;
	char buf[128], a[32], b[32];

	if (s == NULL || !silence_visible(s, id))
		return used;
	silent = silence_below(s, id);
	offline = silence_offline_below(s, id);
	if (silence_is_offline(s, id))
		snprintf(buf, sizeof(buf), " offline");
	else if (!branch && silence_is_silent(s, id))
		snprintf(buf, sizeof(buf), " silent");
	else {
		fmt_short(a, sizeof(a), silent);
		fmt_short(b, sizeof(b), offline);
		snprintf(buf, sizeof(buf), " %s%s%s%s%s", silent ? a : "", silent ? " silent" : "",
		         silent && offline ? ", " : "", offline ? b : "",
		         offline ? " offline" : "");
	}
	return used + draw_str(w, buf, cw - used, theme_attr(SLOT_ERROR));
}

/* Draws one row: indent, expander, name, value preview or subtree counts; returns the next
 * moment it will look different. */
static int64_t draw_row(struct tree_view *v, WINDOW *w, int y, int wd, tree_id id, int64_t now)
{
	const struct tree *t = v->tree;
	const struct tree_node *n = tree_shown(t, id);
	bool flat = tree_view_flat(v);
	int indent = row_indent(v, id, wd), used, name_at, cw = wd;
	size_t nl;
	const char *name = tree_name(t, id, &nl);
	bool branch = !flat && has_visible_children(v, id);
	char buf[160], a[32], b[32], c[32], path[1024];
	int64_t next = INT64_MAX;

	if (wd >= ROW_STATS_MIN) {
		next = draw_stats(v, w, y, wd, id, now);
		cw = wd - STATS_COLS - 1;
	}
	wmove(w, y, 0);
	for (int i = 0; i < indent; i++)
		waddch(w, ' ');
	used = indent;
	if (branch) {
		used +=
		    draw_str(w, draw_glyph(tree_view_is_expanded(v, id) ? "expanded" : "collapsed"),
		             cw - used, theme_attr(SLOT_BRANCH));
	} else {
		used += draw_str(w, " ", cw - used, A_NORMAL);
	}
	used += draw_str(w, " ", cw - used, A_NORMAL);
	name_at = used;
	if (flat) {
		/* The whole topic, its middle left out when the row is short (its ends say most).
		 */
		size_t plen = tree_path(t, id, path, sizeof(path));
		/* The value keeps up to a quarter of the row; of the topic, the end says most. */
		int room = cw - used - (n->flags & TREE_F_VALUE ? (cw - used) / 4 + 3 : 0);
		struct fit_mid fm;

		if (plen >= sizeof(path))
			plen = sizeof(path) - 1;
		fm = fit_middle_at(path, plen, draw_san_flags(), room > 1 ? room : 1, room / 3);
		used += draw_text(w, path, fm.head, cw - used, theme_attr(SLOT_LEAF));
		if (fm.cut) {
			used +=
			    draw_str(w, draw_glyph("ellipsis"), cw - used, theme_attr(SLOT_LEAF));
			used += draw_text(w, path + fm.tail, plen - fm.tail, cw - used,
			                  theme_attr(SLOT_LEAF));
		}
	} else if (nl == 0)
		used += draw_str(w, "(empty)", cw - used, theme_attr(SLOT_ESCAPE));
	else
		used +=
		    draw_text(w, name, nl, cw - used, theme_attr(branch ? SLOT_BRANCH : SLOT_LEAF));
	/* A row that just changed: its name lights up for a moment. */
	if (n->sub_last_ms && now - n->sub_last_ms < TREE_VIEW_HIGHLIGHT_MS &&
	    now >= n->sub_last_ms && used > name_at) {
		attr_t at = theme_attr(SLOT_CHANGED);

		mvwchgat(w, y, name_at, used - name_at, at & ~A_COLOR, (short)PAIR_NUMBER(at),
		         NULL);
		if (n->sub_last_ms + TREE_VIEW_HIGHLIGHT_MS < next)
			next = n->sub_last_ms + TREE_VIEW_HIGHLIGHT_MS;
		wmove(w, y, used);
	}

	used = draw_silence(v, w, id, branch, used, cw);
	if (n->depth == 1 && v->top_note) {
		bool bad = false;
		const char *word = v->top_note(v->top_ctx, id, &bad);

		if (word) {
			snprintf(buf, sizeof(buf), " [%s]", word);
			used +=
			    draw_str(w, buf, cw - used, theme_attr(bad ? SLOT_ERROR : SLOT_COUNT));
		}
	}
	if (n->flags & TREE_F_VALUE) {
		const struct tree_value *val = tree_shown_value(t, id, 0);
		/* A value from before the reconnect is dimmed; one the broker no longer has says
		 * so. */
		bool stale = tree_shown_stale(t, n);
		const char *pv = NULL;
		size_t pvlen = 0;

		if (n->flags & TREE_F_GONE)
			used += draw_str(w, " (gone)", cw - used, theme_attr(SLOT_STALE));
		else if (n->flags & TREE_F_RETAINED)
			used += draw_str(w, draw_ascii() ? " [R]" : " \xc2\xae", cw - used,
			                 theme_attr(SLOT_RETAINED));
		used += draw_str(w, " = ", cw - used, theme_attr(SLOT_COUNT));
		/* The decoded preview is of the newest value: not while a hold shows an older one.
		 */
		if (val && v->dec && val == tree_value(t, id, 0))
			pv = decoded_preview(v->previews, v->dec, t, id, &pvlen);
		if (pv)
			used += draw_text(w, pv, pvlen, cw - used,
			                  theme_attr(stale ? SLOT_STALE : SLOT_VALUE));
		else if (val)
			used += draw_text(w, val->data, val->len, cw - used,
			                  theme_attr(stale ? SLOT_STALE : SLOT_VALUE));
	}
	if (branch) {
		/* The counts in the longest form that fits: "(3 of 12 topics, 40 msgs)", "(12
		 * topics)". */
		char forms[5][128], mem[48] = "", *f = forms[0];
		const char *topics = n->sub_topics == 1 ? "topic" : "topics";
		int nf = 3;

		fmt_short(a, sizeof(a), n->sub_topics);
		fmt_short(b, sizeof(b), (double)n->sub_msgs);
		/* a broker's branch: its part of the memory, first to go when the row is short */
		if (n->depth == 1 && v->top_bytes) {
			memcpy(mem, ", mem ", 6);
			fmt_bytes(mem + 6, sizeof(mem) - 6, v->top_bytes(v->top_ctx, id));
			nf = 5;
			f = forms[2];
		}
		if (v->filter) {
			fmt_short(c, sizeof(c), filter_below(v->filter, id));
			snprintf(forms[0], sizeof(forms[0]), " (%s of %s %s, %s msg%s%s)", c, a,
			         topics, b, n->sub_msgs == 1 ? "" : "s", mem);
			snprintf(forms[1], sizeof(forms[1]), " (%s of %s %s%s)", c, a, topics, mem);
			snprintf(f, sizeof(forms[0]), " (%s of %s %s, %s msg%s)", c, a, topics, b,
			         n->sub_msgs == 1 ? "" : "s");
			snprintf(forms[nf - 2], sizeof(forms[0]), " (%s of %s %s)", c, a, topics);
			snprintf(forms[nf - 1], sizeof(forms[0]), " (%s of %s)", c, a);
		} else {
			snprintf(forms[0], sizeof(forms[0]), " (%s %s, %s msg%s%s)", a, topics, b,
			         n->sub_msgs == 1 ? "" : "s", mem);
			snprintf(forms[1], sizeof(forms[1]), " (%s %s%s)", a, topics, mem);
			snprintf(f, sizeof(forms[0]), " (%s %s, %s msg%s)", a, topics, b,
			         n->sub_msgs == 1 ? "" : "s");
			snprintf(forms[nf - 2], sizeof(forms[0]), " (%s %s)", a, topics);
			snprintf(forms[nf - 1], sizeof(forms[0]), " (%s)", a);
		}
		int pick = nf - 1;

		for (int i = 0; i < nf - 1; i++) {
			if ((int)strlen(forms[i]) <= cw - used) {
				pick = i;
				break;
			}
		}
		used += draw_str(w, forms[pick], cw - used, theme_attr(SLOT_COUNT));
	}
	return next;
}

/* One row of the list: the node at row i. */
static void draw_row_in_list(void *ctx, WINDOW *w, int y, int x, int wd, size_t i)
{
	struct tree_view *v = ctx;
	int64_t next = draw_row(v, w, y, wd, v->rows[i], v->now);

	(void)x;
	if (next < v->next_change)
		v->next_change = next;
}

void tree_view_draw(struct tree_view *v, WINDOW *w, int h, int wd, bool focused, int64_t now_wall)
{
	v->now = now_wall; /* rates are sorted as of this moment */
	tree_view_refresh(v);
	v->next_change = INT64_MAX;
	werase(w);
	if (v->nrows == 0) {
		list_set(&v->lv.l, 0, (size_t)h);
		wmove(w, 0, 1);
		draw_str(w,
		         v->filter ? "no topic matches the filter (f changes it, f Enter clears it)"
		                   : "waiting for messages...",
		         wd - 1, theme_attr(SLOT_COUNT));
		return;
	}
	list_view_draw(&v->lv, w, 0, 0, h, wd, v->nrows,
	               theme_attr(focused ? SLOT_SELECTED : SLOT_SELECTED_IDLE));
}

/* ---- actions ---- */

void tree_view_sort(struct ui *u)
{
	struct tree_view *v = ui_tree_view(u);

	tree_view_set_sort(v, (enum tree_sort)((v->sort + 1) % SORT__COUNT));
	if (v->sort == SORT_NAME)
		ui_notice(u, HINT_NOTICE, "Sorted by name: the tree");
	else {
		char n[16];

		fmt_count(n, sizeof(n), TREE_VIEW_FLAT_MAX);
		ui_notice(
		    u, HINT_NOTICE,
		    "Sorted by %s, highest first: the topics of the whole tree (the first %s, "
		    "sorted again every second)",
		    tree_view_sort_name(v->sort), n);
	}
	ui_dirty(u);
}

static void filter_entered(struct ui *u, const char *text, void *data)
{
	struct app *a = ui_app(u);
	struct tree_view *v = ui_tree_view(u);
	struct filter *f;
	char err[160], n[32];
	int64_t t0;
	const char *p = text;

	(void)data;
	while (isspace((unsigned char)*p))
		p++;
	/* "is:silent", alone or before a filter: only silent topics and offline devices. */
	bool silent =
	    strncmp(p, "is:silent", 9) == 0 && (p[9] == '\0' || isspace((unsigned char)p[9]));
	if (silent) {
		p += 9;
		while (isspace((unsigned char)*p))
			p++;
	}
	tree_view_set_silent_only(v, silent);
	if (*p == '\0' && silent) {
		tree_view_set_filter(v, NULL);
		filter_free(a->filter);
		a->filter = NULL;
		fmt_count(n, sizeof(n), silence_count(a->silence));
		ui_notice(u, HINT_NOTICE,
		          "Filter: silent topics and offline devices (%s silent now)", n);
		ui_dirty(u);
		return;
	}
	if (*p == '\0') {
		tree_view_set_filter(v, NULL);
		filter_free(a->filter);
		a->filter = NULL;
		ui_notice(u, HINT_NOTICE, "Filter cleared: every topic is shown");
		ui_dirty(u);
		return;
	}
	f = filter_new(p, err, sizeof(err));
	if (f == NULL) {
		ui_notice(u, HINT_ERROR, "%s", err);
		return;
	}
	f->skip = a->several; /* "house/#" means house/# on every broker */
	t0 = clock_mono_ms();
	f->dec = &a->dec; /* p: finds text in decoded binary payloads too */
	filter_apply(f, a->tree);
	tree_view_set_filter(v, f);
	filter_free(a->filter);
	a->filter = f;
	fmt_count(n, sizeof(n), filter_matches(f));
	ui_notice(u, HINT_NOTICE, "Filter: %s \"%s\": %s topic%s (%lld ms)",
	          filter_kind_name(f->kind), f->text, n, filter_matches(f) == 1 ? "" : "s",
	          (long long)(clock_mono_ms() - t0));
	ui_dirty(u);
}

void tree_view_filter(struct ui *u)
{
	struct app *a = ui_app(u);

	struct tree_view *v = ui_tree_view(u);
	char spec[600];

	snprintf(spec, sizeof(spec), "%s%s%s", v->silent_only ? "is:silent" : "",
	         v->silent_only && a->filter ? " " : "", a->filter ? a->filter->spec : "");
	prompt_open(u, "filter (a/+/b, a/#, text, p:payload text, is:silent; empty clears): ",
	            spec[0] ? spec : NULL, filter_entered, NULL);
}
