/* tree_view.c: flattens the expanded part of the tree into rows and draws the ones on screen. */
#include "mqscope/tree_view.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/theme.h"
#include "mqscope/util.h"

void tree_view_init(struct tree_view *v, const struct tree *t)
{
	memset(v, 0, sizeof(*v));
	v->tree = t;
	v->sel = TREE_NONE;
	v->stale = true;
}

void tree_view_free(struct tree_view *v)
{
	free(v->rows);
	free(v->expanded);
	free(v->kids);
	free(v->stack);
	memset(v, 0, sizeof(*v));
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

/* Whether the children of id are shown: id and all its ancestors are expanded. */
static bool open_on_screen(const struct tree_view *v, tree_id id)
{
	for (; id != TREE_ROOT; id = tree_node(v->tree, id)->parent)
		if (!tree_view_is_expanded(v, id))
			return false;
	return true;
}

void tree_view_note_changes(struct tree_view *v, struct tree *t)
{
	tree_id ids[64];
	bool overflow;
	size_t n = tree_take_changes(t, ids, 64, &overflow);

	if (overflow) {
		v->stale = true;
		return;
	}
	for (size_t i = 0; i < n && !v->stale; i++)
		if (open_on_screen(v, tree_node(t, ids[i])->parent))
			v->stale = true;
}

static void push(struct tree_view *v, tree_id id)
{
	if (v->nrows == v->rows_cap) {
		v->rows_cap = v->rows_cap ? v->rows_cap * 2 : 256;
		v->rows = xrealloc(v->rows, v->rows_cap * sizeof(*v->rows));
	}
	v->rows[v->nrows++] = id;
}

/* Pushes the visible children of id onto the DFS stack, last first so the first pops first. */
static size_t push_children(struct tree_view *v, tree_id id, size_t depth)
{
	size_t k = tree_children_sorted(v->tree, id, &v->kids, &v->kids_cap);

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

void tree_view_refresh(struct tree_view *v)
{
	size_t sp;
	tree_id want = v->sel;

	if (!v->stale)
		return;
	v->stale = false;
	v->nrows = 0;
	sp = push_children(v, TREE_ROOT, 0);
	while (sp > 0) {
		tree_id id = v->stack[--sp];

		push(v, id);
		if (tree_view_is_expanded(v, id))
			sp = push_children(v, id, sp);
	}

	/* Keep the selection on its node, or on its nearest visible ancestor. */
	v->sel_row = SIZE_MAX;
	for (tree_id a = want; a != TREE_NONE && a != TREE_ROOT;
	     a = tree_node(v->tree, a)->parent) {
		v->sel_row = find_row(v, a);
		if (v->sel_row != SIZE_MAX) {
			v->sel = a;
			break;
		}
	}
	if (v->sel_row == SIZE_MAX) {
		v->sel_row = 0;
		v->sel = v->nrows ? v->rows[0] : TREE_NONE;
	}
	if (v->top >= v->nrows)
		v->top = v->nrows ? v->nrows - 1 : 0;
}

static void select_row(struct tree_view *v, size_t row)
{
	if (v->nrows == 0)
		return;
	if (row >= v->nrows)
		row = v->nrows - 1;
	v->sel_row = row;
	v->sel = v->rows[row];
}

static bool has_visible_children(const struct tree_view *v, tree_id id)
{
	const struct tree_node *n = tree_node(v->tree, id);
	uint32_t own = (n->flags & TREE_F_VALUE) ? 1 : 0;

	return n->sub_topics > own;
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
		tree_view_set_expanded(v, cur, true);
		if (sp + n->nchildren > v->stack_cap) {
			v->stack_cap = (sp + n->nchildren) * 2;
			v->stack = xrealloc(v->stack, v->stack_cap * sizeof(*v->stack));
		}
		for (tree_id c = n->first_child; c != TREE_NONE;
		     c = tree_node(v->tree, c)->next_sibling)
			v->stack[sp++] = c;
	}
}

void tree_view_select(struct tree_view *v, tree_id id)
{
	for (tree_id a = tree_node(v->tree, id)->parent; a != TREE_ROOT && a != TREE_NONE;
	     a = tree_node(v->tree, a)->parent)
		if (!tree_view_is_expanded(v, a))
			tree_view_set_expanded(v, a, true);
	v->sel = id;
	v->stale = true;
	tree_view_refresh(v);
	/* Put it in the middle of the pane when it was off screen. */
	if (v->height > 0 && (v->sel_row < v->top || v->sel_row >= v->top + (size_t)v->height))
		v->top =
		    v->sel_row > (size_t)v->height / 2 ? v->sel_row - (size_t)v->height / 2 : 0;
}

bool tree_view_action(struct tree_view *v, enum action a)
{
	size_t page = v->height > 1 ? (size_t)v->height - 1 : 1;
	tree_id id;

	tree_view_refresh(v);
	if (v->nrows == 0)
		return false;
	id = v->sel;
	switch (a) {
	case ACT_MOVE_UP:
		if (v->sel_row > 0)
			select_row(v, v->sel_row - 1);
		return true;
	case ACT_MOVE_DOWN:
		select_row(v, v->sel_row + 1);
		return true;
	case ACT_PAGE_UP:
		select_row(v, v->sel_row > page ? v->sel_row - page : 0);
		return true;
	case ACT_PAGE_DOWN:
		select_row(v, v->sel_row + page);
		return true;
	case ACT_FIRST:
		select_row(v, 0);
		return true;
	case ACT_LAST:
		select_row(v, v->nrows - 1);
		return true;
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
			select_row(v, v->sel_row + 1);
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

/* Case-insensitive substring test. */
static bool contains_ci(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j = 0;

		while (j < nlen &&
		       tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == nlen)
			return true;
	}
	return false;
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
		} else if ((n->flags & TREE_F_VALUE || n->nchildren) &&
		           contains_ci(path, plen[d], query, qlen)) {
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

/* Draws one row: indent, expander, name, value preview or subtree counts. */
static void draw_row(struct tree_view *v, WINDOW *w, int y, int wd, tree_id id)
{
	const struct tree *t = v->tree;
	const struct tree_node *n = tree_node(t, id);
	int indent = 2 * (n->depth - 1), used;
	size_t nl;
	const char *name = tree_name(t, id, &nl);
	bool branch = has_visible_children(v, id);
	char buf[96], a[32], b[32];

	if (indent > wd / 2)
		indent = wd / 2;
	wmove(w, y, 0);
	for (int i = 0; i < indent; i++)
		waddch(w, ' ');
	used = indent;
	if (branch) {
		used +=
		    draw_str(w, draw_glyph(tree_view_is_expanded(v, id) ? "expanded" : "collapsed"),
		             wd - used, theme_attr(SLOT_BRANCH));
	} else {
		used += draw_str(w, " ", wd - used, A_NORMAL);
	}
	used += draw_str(w, " ", wd - used, A_NORMAL);
	if (nl == 0)
		used += draw_str(w, "(empty)", wd - used, theme_attr(SLOT_ESCAPE));
	else
		used +=
		    draw_text(w, name, nl, wd - used, theme_attr(branch ? SLOT_BRANCH : SLOT_LEAF));

	if (n->flags & TREE_F_VALUE) {
		const struct tree_value *val = tree_value(t, id, 0);

		if (n->flags & TREE_F_RETAINED)
			used += draw_str(w, draw_ascii() ? " [R]" : " \xc2\xae", wd - used,
			                 theme_attr(SLOT_RETAINED));
		used += draw_str(w, " = ", wd - used, theme_attr(SLOT_COUNT));
		if (val)
			used +=
			    draw_text(w, val->data, val->len, wd - used, theme_attr(SLOT_VALUE));
	}
	if (branch) {
		fmt_short(a, sizeof(a), n->sub_topics);
		fmt_short(b, sizeof(b), (double)n->sub_msgs);
		snprintf(buf, sizeof(buf), " (%s topic%s, %s msg%s)", a,
		         n->sub_topics == 1 ? "" : "s", b, n->sub_msgs == 1 ? "" : "s");
		used += draw_str(w, buf, wd - used, theme_attr(SLOT_COUNT));
	}
}

void tree_view_draw(struct tree_view *v, WINDOW *w, int h, int wd, bool focused)
{
	tree_view_refresh(v);
	v->height = h;
	werase(w);
	if (v->nrows == 0) {
		wmove(w, 0, 1);
		draw_str(w, "waiting for messages...", wd - 1, theme_attr(SLOT_COUNT));
		return;
	}
	/* Scroll just enough to keep the selection on screen. */
	if (v->sel_row < v->top)
		v->top = v->sel_row;
	if (v->sel_row >= v->top + (size_t)h)
		v->top = v->sel_row - (size_t)h + 1;
	if (v->top + (size_t)h > v->nrows)
		v->top = v->nrows > (size_t)h ? v->nrows - (size_t)h : 0;

	for (int y = 0; y < h && v->top + (size_t)y < v->nrows; y++) {
		size_t r = v->top + (size_t)y;

		draw_row(v, w, y, wd, v->rows[r]);
		if (r == v->sel_row) {
			attr_t at = theme_attr(focused ? SLOT_SELECTED : SLOT_SELECTED_IDLE);

			mvwchgat(w, y, 0, -1, at & ~A_COLOR, (short)PAIR_NUMBER(at), NULL);
		}
	}
}
