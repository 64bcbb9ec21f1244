/* export.c: walks a subtree in display order (or a topic's history) into message lines. */
#include "mqscope/export.h"

#include <stdlib.h>
#include <string.h>

#include "mqscope/msg.h"
#include "mqscope/util.h"

#define TOPIC_MAX (65535 + 1)

/* One level of the walk: a node's visible children in name order. */
struct frame {
	tree_id *kids;
	size_t n, next;
};

struct export
{
	const struct tree *t;
	tree_id root;
	enum export_what what;
	const struct logfmt *fmt;
	struct logfmt_out *o;
	bool started, done;
	uint64_t count;

	struct frame *stack;
	size_t depth, cap;
	char *topic;
};

struct export *export_new(const struct tree *t, tree_id root, enum export_what what,
                          const struct logfmt *fmt, struct logfmt_out *o)
{
	struct export *e = xcalloc(1, sizeof(*e));

	e->t = t;
	e->root = root;
	e->what = what;
	e->fmt = fmt;
	e->o = o;
	e->topic = xmalloc(TOPIC_MAX);
	return e;
}

void export_free(struct export *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->depth; i++)
		free(e->stack[i].kids);
	free(e->stack);
	free(e->topic);
	free(e);
}

/* Writes value v of node id as one line. */
static void put_value(struct export *e, tree_id id, const struct tree_value *v)
{
	size_t tlen = tree_path(e->t, id, e->topic, TOPIC_MAX);
	struct msg_head h = {
	    .time_ms = v->time_ms,
	    .topic_len = (uint32_t)(tlen < TOPIC_MAX ? tlen : TOPIC_MAX - 1),
	    .len = v->len,
	    .orig_len = v->orig_len,
	    .props_len = v->props_len,
	    .qos = v->qos,
	    .retain = v->retained,
	};
	struct msg_view mv = {
	    .h = &h,
	    .topic = e->topic,
	    .payload = v->data,
	    .props = (const uint8_t *)v->data + v->len,
	};

	logfmt_write(e->fmt, e->o, &mv);
	e->count++;
}

/* Enters id: its own value, then a frame of its children. */
static void enter(struct export *e, tree_id id)
{
	struct frame *f;

	if (tree_node(e->t, id)->flags & TREE_F_VALUE) {
		const struct tree_value *v = tree_value(e->t, id, 0);

		if (v != NULL)
			put_value(e, id, v);
	}
	if (tree_node(e->t, id)->nchildren == 0)
		return;
	if (e->depth == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->stack = xrealloc(e->stack, e->cap * sizeof(*e->stack));
	}
	f = &e->stack[e->depth++];
	memset(f, 0, sizeof(*f));
	f->n = tree_children_sorted(e->t, id, &f->kids, &(size_t){0});
}

static bool step_latest(struct export *e, size_t max)
{
	uint64_t stop = e->count + max;

	if (!e->started) {
		e->started = true;
		enter(e, e->root);
	}
	while (e->depth > 0 && e->count < stop) {
		struct frame *f = &e->stack[e->depth - 1];

		if (f->next == f->n) {
			free(f->kids);
			e->depth--;
			continue;
		}
		enter(e, f->kids[f->next++]);
	}
	return e->depth == 0;
}

/* A history is written in one go: new messages would shift it between slices. */
static bool step_history(struct export *e)
{
	const struct tree_node *n = tree_node(e->t, e->root);

	for (unsigned age = n->flags & TREE_F_VALUE ? n->hist_len : 0; age-- > 0;) {
		const struct tree_value *v = tree_value(e->t, e->root, age);

		if (v != NULL)
			put_value(e, e->root, v);
	}
	return true;
}

bool export_step(struct export *e, size_t max)
{
	if (e->done)
		return true;
	if (!e->started)
		logfmt_header(e->fmt, e->o);
	if (e->what == EXPORT_HISTORY)
		e->started = true;
	e->done = e->what == EXPORT_LATEST ? step_latest(e, max) : step_history(e);
	return e->done;
}

uint64_t export_count(const struct export *e)
{
	return e->count;
}
