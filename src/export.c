/* export.c: walks a subtree in display order (or a topic's history) into message lines. */
#include "mqscope/export.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/msg.h"
#include "mqscope/base64.h"
#include "mqscope/sanitize.h"
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
	bool branches; /* several brokers: the first level is the broker's branch */
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

void export_set_branches(struct export *e, bool on)
{
	e->branches = on;
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

	const char *sep = e->branches && tlen < TOPIC_MAX ? memchr(e->topic, '/', tlen) : NULL;

	/* named like --record names it, so a replay reads it as that broker's */
	logfmt_write_from(e->fmt, e->o, &mv, sep ? e->topic : NULL,
	                  sep ? (size_t)(sep - e->topic) : 0);
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

/* Whether s is UTF-8 without NUL: what a JSON string can hold as it is. */
static bool json_text(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	struct san_glyph g;

	while (p < end) {
		if (*p == '\0')
			return false;
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		p += sanitize_next(p, end, 0, &g);
		if (g.kind == SAN_ESCAPE && g.esc[1] == 'x')
			return false;
	}
	return true;
}

/* A topic level as a JSON key: bytes that are not UTF-8 (and NUL) become the text \xNN. */
static char *key_text(const char *s, size_t n)
{
	char *out = xmalloc(4 * n + 1), *o = out;
	const char *p = s, *end = s + n;
	struct san_glyph g;

	while (p < end) {
		size_t used = (unsigned char)*p < 0x80 ? 1 : sanitize_next(p, end, 0, &g);

		if (*p == '\0' || (used == 1 && (unsigned char)*p >= 0x80 && g.esc[1] == 'x')) {
			o += sprintf(o, "\\x%02x", (unsigned char)*p);
		} else {
			memcpy(o, p, used);
			o += used;
		}
		p += used;
	}
	*o = '\0';
	return out;
}

/* A value as JSON: a JSON payload as its document, text as a string, other bytes as base64. */
static cJSON *value_json(const struct tree_value *v)
{
	const char *end = NULL;
	cJSON *doc;
	char *copy;

	if (json_text(v->data, v->len)) {
		/* "21.5", "true" and documents are JSON values; "ON" is not, and stays text. */
		doc = cJSON_ParseWithLengthOpts(v->data, v->len, &end, false);
		if (doc && v->len == v->orig_len) {
			while (end < v->data + v->len && strchr(" \t\r\n", *end))
				end++;
			if (end == v->data + v->len)
				return doc;
		}
		cJSON_Delete(doc);
		copy = xmalloc((size_t)v->len + 1);
		memcpy(copy, v->data, v->len);
		copy[v->len] = '\0';
		doc = cJSON_CreateString(copy);
		free(copy);
		return doc;
	}
	copy = xmalloc(base64_len(v->len) + 1);
	base64_encode(v->data, v->len, copy, base64_len(v->len) + 1);
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "base64", copy);
	free(copy);
	return doc;
}

/* One object being filled: the children of a node still to add to it. */
struct jframe {
	cJSON *obj;
	tree_id *kids;
	size_t n, next;
	size_t flat; /* 0: children nest; else keys are full topics from this offset */
};

/* Adds the children of id to obj (as nested objects, or flat from offset flat). */
static void push_kids(const struct tree *t, struct jframe **st, size_t *depth, size_t *cap,
                      cJSON *obj, tree_id id, size_t flat)
{
	struct jframe *f;

	if (*depth == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*st = xrealloc(*st, *cap * sizeof(**st));
	}
	f = &(*st)[(*depth)++];
	memset(f, 0, sizeof(*f));
	f->obj = obj;
	f->flat = flat;
	f->n = tree_children_sorted(t, id, &f->kids, &(size_t){0});
}

/*
 * cJSON indents with tabs and puts one after each colon; two spaces and one
 * read better. Tabs inside strings are escaped (\t), so every tab is layout.
 */
static char *two_space(const char *text, size_t *len)
{
	size_t tabs = 0, o = 0;
	char *out;

	for (const char *p = text; *p; p++)
		tabs += *p == '\t';
	out = xmalloc(strlen(text) + tabs + 1);
	for (const char *p = text; *p; p++) {
		if (*p != '\t')
			out[o++] = *p;
		else if (p > text && p[-1] == ':')
			out[o++] = ' ';
		else
			out[o++] = ' ', out[o++] = ' ';
	}
	out[o] = '\0';
	*len = o;
	return out;
}

int export_json_tree(const struct tree *t, tree_id root, bool raw, FILE *f)
{
	cJSON *top = cJSON_CreateObject();
	struct jframe *st = NULL;
	size_t depth = 0, cap = 0;
	char *topic = xmalloc(TOPIC_MAX), *text, *printed;
	const struct tree_value *v;
	size_t len;

	if (root != TREE_ROOT && (v = tree_value(t, root, 0)) != NULL)
		cJSON_AddItemToObject(top, "#", value_json(v));
	push_kids(t, &st, &depth, &cap, top, root, 0);
	while (depth > 0) {
		struct jframe *fr = &st[depth - 1];
		const struct tree_node *n;
		const char *name;
		size_t nlen;
		tree_id id;
		cJSON *obj;
		char *key;

		if (fr->next == fr->n) {
			free(fr->kids);
			depth--;
			continue;
		}
		id = fr->kids[fr->next++];
		n = tree_node(t, id);
		v = n->flags & TREE_F_VALUE ? tree_value(t, id, 0) : NULL;
		if (fr->flat) {
			/* Past EXPORT_TREE_DEPTH: the deeper topics go flat, keyed by the rest of
			 * their topic. */
			size_t plen = tree_path(t, id, topic, TOPIC_MAX);

			key = key_text(topic + fr->flat, plen > fr->flat ? plen - fr->flat : 0);
			if (v)
				cJSON_AddItemToObject(fr->obj, key, value_json(v));
			free(key);
			if (n->nchildren)
				push_kids(t, &st, &depth, &cap, fr->obj, id, fr->flat);
			continue;
		}
		name = tree_name(t, id, &nlen);
		key = key_text(name, nlen);
		/* Its children first: a topic whose subtopics are all gone is a leaf. */
		push_kids(t, &st, &depth, &cap, NULL, id,
		          n->depth >= EXPORT_TREE_DEPTH ? tree_path(t, id, topic, TOPIC_MAX) + 1
		                                        : 0);
		fr = &st[depth - 1];
		if (fr->n == 0) {
			free(fr->kids);
			depth--;
			if (v)
				cJSON_AddItemToObject(st[depth - 1].obj, key, value_json(v));
			free(key);
			continue;
		}
		/* A topic with subtopics keeps its own value under "#", which no topic level can
		 * be. */
		obj = cJSON_CreateObject();
		if (v)
			cJSON_AddItemToObject(obj, "#", value_json(v));
		cJSON_AddItemToObject(st[depth - 2].obj, key, obj);
		fr->obj = obj;
		free(key);
	}
	free(st);
	free(topic);
	/* cJSON prints an empty object on two lines. */
	printed = top->child ? cJSON_Print(top) : cJSON_PrintUnformatted(top);
	cJSON_Delete(top);
	if (printed == NULL)
		return -1;
	text = two_space(printed, &len);
	cJSON_free(printed);
	if (raw)
		fwrite(text, 1, len, f);
	else
		logfmt_json_safe(f, text, len);
	fputc('\n', f);
	free(text);
	return ferror(f) ? -1 : 0;
}
