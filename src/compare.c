/* compare.c: lines up a branch across brokers, topic by topic, from the tree. */
#include "mqscope/compare.h"

#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

struct seen {
	char *topic;
	size_t link;
	tree_id id;
};

static int seen_cmp(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;
	int c = strcmp(a->topic, b->topic);

	return c ? c : (a->link > b->link) - (a->link < b->link);
}

/* Appends every node with a value at and below root (depth first, at most max nodes). */
static bool walk(struct app *a, size_t link, tree_id root, size_t max, struct seen **out, size_t *n,
                 size_t *cap)
{
	tree_id id = root;
	size_t walked = 0;

	while (id != TREE_NONE) {
		const struct tree_node *nd = tree_node(a->tree, id);

		if (walked++ == max)
			return false;
		if (nd->flags & TREE_F_VALUE) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*out = xrealloc(*out, *cap * sizeof(**out));
			}
			(*out)[*n].topic = app_topic_dup(a, id);
			(*out)[*n].link = link;
			(*out)[(*n)++].id = id;
		}
		/* next: first child, else the next sibling of the nearest ancestor below root */
		if (nd->first_child != TREE_NONE) {
			id = nd->first_child;
			continue;
		}
		while (id != root && tree_node(a->tree, id)->next_sibling == TREE_NONE)
			id = tree_node(a->tree, id)->parent;
		id = id == root ? TREE_NONE : tree_node(a->tree, id)->next_sibling;
	}
	return true;
}

static bool same_value(const struct tree *t, tree_id x, tree_id y)
{
	const struct tree_value *a = tree_value(t, x, 0), *b = tree_value(t, y, 0);

	if (a == NULL || b == NULL)
		return a == b;
	return a->len == b->len && a->orig_len == b->orig_len &&
	       memcmp(a->data, b->data, a->len) == 0;
}

/* Sets the state and delay of a row whose ids are filled in. */
static void judge(const struct app *a, struct compare_row *r)
{
	int64_t first = INT64_MAX, last = INT64_MIN;
	bool live = true;

	r->state = COMPARE_SAME;
	r->delay_ms = -1;
	for (size_t i = 0; i < a->nlinks; i++) {
		const struct tree_value *v;

		if (r->id[i] == TREE_NONE) {
			r->state = COMPARE_MISSING;
			return;
		}
		v = tree_value(a->tree, r->id[i], 0);
		/* A value sent with the retain flag came when we subscribed, not when the bridge
		 * carried it: its time says nothing of the delay. */
		if (v == NULL || v->retained)
			live = false;
		else {
			first = v->time_ms < first ? v->time_ms : first;
			last = v->time_ms > last ? v->time_ms : last;
		}
		if (i > 0 && !same_value(a->tree, r->id[0], r->id[i]))
			r->state = COMPARE_DIFFERENT;
	}
	if (r->state == COMPARE_SAME && live)
		r->delay_ms = last - first;
}

int compare_build(struct app *a, tree_id sel, size_t max_nodes, struct compare *c)
{
	struct seen *s = NULL;
	size_t n = 0, cap = 0;

	memset(c, 0, sizeof(*c));
	if (!a->several)
		return -1;
	c->base = sel == TREE_NONE || sel == TREE_ROOT ? xstrdup("") : app_topic_dup(a, sel);
	for (size_t i = 0; i < a->nlinks; i++) {
		struct app_link *l = &a->link[i];
		tree_id root = *c->base ? app_find(a, l, c->base) : app_link_root(a, l);

		if (root != TREE_NONE && !walk(a, i, root, max_nodes, &s, &n, &cap))
			c->truncated = true;
	}
	qsort(s, n, sizeof(*s), seen_cmp);
	c->rows = xcalloc(n ? n : 1, sizeof(*c->rows));
	for (size_t i = 0; i < n;) {
		struct compare_row *r = &c->rows[c->n++];
		size_t j = i;

		for (size_t k = 0; k < APP_MAX_BROKERS; k++)
			r->id[k] = TREE_NONE;
		r->topic = s[i].topic;
		for (; j < n && strcmp(s[j].topic, r->topic) == 0; j++) {
			r->id[s[j].link] = s[j].id;
			if (j > i)
				free(s[j].topic);
		}
		i = j;
		judge(a, r);
		c->same += r->state == COMPARE_SAME;
		c->different += r->state == COMPARE_DIFFERENT;
		c->missing += r->state == COMPARE_MISSING;
	}
	free(s);
	return 0;
}

void compare_free(struct compare *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->rows[i].topic);
	free(c->rows);
	free(c->base);
	memset(c, 0, sizeof(*c));
}

const char *compare_state_word(enum compare_state s)
{
	switch (s) {
	case COMPARE_SAME:
		return "same";
	case COMPARE_DIFFERENT:
		return "differs";
	case COMPARE_MISSING:
		break;
	}
	return "missing";
}
