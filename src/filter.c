/* filter.c: per-node match counts for a topic or payload filter, kept up to date per message. */
#include "mqscope/filter.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decoded.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

#define ST_DEAD UINT32_MAX       /* wildcard: cannot match here or below */
#define ST_ALL  (UINT32_MAX - 1) /* wildcard: '#' matched: everything below matches */

static char lower(char c)
{
	return (char)tolower((unsigned char)c);
}

static bool has_prefix(const char *s, const char *p, const char **rest)
{
	size_t n = strlen(p);

	if (strncmp(s, p, n) != 0)
		return false;
	*rest = s + n;
	return true;
}

/* Sets up the case-insensitive substring automaton. */
static void kmp_init(struct filter *f, const char *text)
{
	size_t n = strlen(text);

	f->needle = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		f->needle[i] = lower(text[i]);
	f->needle[n] = '\0';
	f->nlen = n;
	f->kmp = xcalloc(n + 1, sizeof(*f->kmp));
	for (size_t i = 1, k = 0; i < n; i++) {
		while (k > 0 && f->needle[i] != f->needle[k])
			k = f->kmp[k - 1];
		if (f->needle[i] == f->needle[k])
			k++;
		f->kmp[i] = (uint32_t)k;
	}
}

/* Feeds bytes to the automaton from state s; returns nlen once the needle has been seen. */
static uint32_t kmp_feed(const struct filter *f, uint32_t s, const char *p, size_t n)
{
	for (size_t i = 0; i < n && s < f->nlen; i++) {
		char c = lower(p[i]);

		while (s > 0 && f->needle[s] != c)
			s = f->kmp[s - 1];
		if (f->needle[s] == c)
			s++;
	}
	return s;
}

static bool contains(const struct filter *f, const char *p, size_t n)
{
	return kmp_feed(f, 0, p, n) == f->nlen;
}

static void split_levels(struct filter *f, const char *spec)
{
	const char *p = spec;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t l = slash ? (size_t)(slash - p) : strlen(p);

		f->levels = xrealloc(f->levels, (f->nlevels + 1) * sizeof(*f->levels));
		f->llen = xrealloc(f->llen, (f->nlevels + 1) * sizeof(*f->llen));
		f->levels[f->nlevels] = xmalloc(l + 1);
		memcpy(f->levels[f->nlevels], p, l);
		f->levels[f->nlevels][l] = '\0';
		f->llen[f->nlevels] = (uint32_t)l;
		f->nlevels++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
}

struct filter *filter_new(const char *spec, char *err, size_t cap)
{
	struct filter *f;
	const char *text = spec, *rest;
	enum filter_kind kind = FILTER_SUBSTRING;
	size_t n;
	char *trimmed;

	while (isspace((unsigned char)*text))
		text++;
	n = strlen(text);
	while (n > 0 && isspace((unsigned char)text[n - 1]))
		n--;
	trimmed = xmalloc(n + 1);
	memcpy(trimmed, text, n);
	trimmed[n] = '\0';
	text = trimmed;
	if (has_prefix(text, "payload:", &rest) || has_prefix(text, "p:", &rest)) {
		kind = FILTER_PAYLOAD;
		text = rest;
	} else if (has_prefix(text, "topic:", &rest) || has_prefix(text, "t:", &rest)) {
		text = rest;
	}
	if (text[0] == '\0') {
		snprintf(err, cap, "Nothing to filter on");
		free(trimmed);
		return NULL;
	}
	if (kind != FILTER_PAYLOAD && topic_has_wildcard(text) && topic_filter_valid(text))
		kind = FILTER_WILDCARD;

	f = xcalloc(1, sizeof(*f));
	f->kind = kind;
	f->spec = xstrdup(trimmed);
	f->text = xstrdup(text);
	if (kind == FILTER_WILDCARD)
		split_levels(f, text);
	else
		kmp_init(f, text);
	free(trimmed);
	return f;
}

void filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nlevels; i++)
		free(f->levels[i]);
	free(f->levels);
	free(f->llen);
	free(f->needle);
	free(f->kmp);
	free(f->spec);
	free(f->text);
	free(f->state);
	free(f->below);
	free(f->self);
	free(f);
}

const char *filter_kind_name(enum filter_kind k)
{
	switch (k) {
	case FILTER_WILDCARD:
		return "topics matching";
	case FILTER_SUBSTRING:
		return "topics containing";
	default:
		return "payloads containing";
	}
}

/* The match state of a node from its parent's state, its name and depth (1 = first level). */
static uint32_t step(const struct filter *f, uint32_t ps, const char *name, size_t nl,
                     unsigned depth)
{
	if (f->kind == FILTER_PAYLOAD)
		return 0;
	if (f->kind == FILTER_SUBSTRING) {
		if (ps == f->nlen)
			return ps;
		if (depth > 1)
			ps = kmp_feed(f, ps, "/", 1);
		return kmp_feed(f, ps, name, nl);
	}
	if (depth <= f->skip)
		return 0; /* a broker's branch: the pattern starts below it */
	if (ps == ST_DEAD || ps == ST_ALL)
		return ps;
	if (ps >= f->nlevels)
		return ST_DEAD; /* deeper than the filter */
	/* [MQTT-4.7.2-1]: a wildcard first level never matches a '$' topic. */
	bool dollar = depth == f->skip + 1 && nl > 0 && name[0] == '$';
	const char *lev = f->levels[ps];
	if (f->llen[ps] == 1 && lev[0] == '#')
		return dollar ? ST_DEAD : ST_ALL;
	if (f->llen[ps] == 1 && lev[0] == '+')
		return dollar ? ST_DEAD : ps + 1;
	if (f->llen[ps] == nl && memcmp(lev, name, nl) == 0)
		return ps + 1;
	return ST_DEAD;
}

/* Whether a node in state s matches by its topic. */
static bool state_matches(const struct filter *f, uint32_t s)
{
	if (f->kind == FILTER_PAYLOAD)
		return true;
	if (f->kind == FILTER_SUBSTRING)
		return s == f->nlen;
	if (s == ST_ALL || s == f->nlevels)
		return true;
	/* "a/#" matches "a" itself. */
	return s != ST_DEAD && s > 0 && s < f->nlevels && f->llen[s] == 1 && f->levels[s][0] == '#';
}

/* Whether the node itself counts: it holds a value and matches. */
static bool node_counts(const struct filter *f, const struct tree *t, tree_id id)
{
	const struct tree_node *n = tree_node(t, id);

	if (!(n->flags & TREE_F_VALUE) || !state_matches(f, f->state[id]))
		return false;
	if (f->kind == FILTER_PAYLOAD) {
		const struct tree_value *v = tree_value(t, id, 0);
		struct decoded d;
		bool hit;

		if (v == NULL)
			return false;
		decoded_read(f->dec, t, id, v, false, &d);
		hit = contains(f, d.data, d.len);
		decoded_free(&d);
		return hit;
	}
	return true;
}

static void grow(struct filter *f, size_t n)
{
	size_t ncap, old_bytes;

	if (n <= f->cap)
		return;
	ncap = f->cap ? f->cap : 1024;
	while (ncap < n)
		ncap *= 2;
	old_bytes = (f->cap + 7) / 8;
	f->state = xrealloc(f->state, ncap * sizeof(*f->state));
	f->below = xrealloc(f->below, ncap * sizeof(*f->below));
	f->self = xrealloc(f->self, (ncap + 7) / 8);
	memset(f->self + old_bytes, 0, (ncap + 7) / 8 - old_bytes);
	f->cap = ncap;
}

static void set_self(struct filter *f, tree_id id, bool on)
{
	if (on)
		f->self[id / 8] |= (uint8_t)(1u << (id % 8));
	else
		f->self[id / 8] &= (uint8_t) ~(1u << (id % 8));
}

/* Computes the state of nodes created since the last look; they count nothing yet. */
static void add_new_nodes(struct filter *f, const struct tree *t)
{
	size_t n = tree_node_count(t);

	grow(f, n);
	for (size_t i = f->nnodes; i < n; i++) {
		const struct tree_node *nd = tree_node(t, (tree_id)i);

		if (i == TREE_ROOT) {
			f->state[i] = 0;
		} else {
			size_t nl;
			const char *name = tree_name(t, (tree_id)i, &nl);

			f->state[i] = step(f, f->state[nd->parent], name, nl, nd->depth);
		}
		f->below[i] = 0;
		set_self(f, (tree_id)i, false);
	}
	f->nnodes = n;
}

void filter_apply(struct filter *f, const struct tree *t)
{
	size_t n = tree_node_count(t);

	f->nnodes = 0;
	add_new_nodes(f, t);
	/* Parents come before their children in id order: one pass down, one pass up. */
	for (size_t i = 1; i < n; i++) {
		bool c = node_counts(f, t, (tree_id)i);

		set_self(f, (tree_id)i, c);
		f->below[i] = c;
	}
	for (size_t i = n - 1; i >= 1; i--)
		f->below[tree_node(t, (tree_id)i)->parent] += f->below[i];
	f->nchanges = 0;
	f->overflow = true; /* everything may have changed */
}

static void note_change(struct filter *f, tree_id id)
{
	if (f->nchanges < FILTER_CHANGES_MAX)
		f->changes[f->nchanges++] = id;
	else
		f->overflow = true;
}

void filter_note(struct filter *f, const struct tree *t, tree_id id)
{
	bool now, before;
	tree_id top = TREE_NONE;

	if (tree_node_count(t) > f->nnodes)
		add_new_nodes(f, t);
	if (id == TREE_NONE || id == TREE_ROOT || id >= f->nnodes)
		return;
	now = node_counts(f, t, id);
	before = filter_self(f, id);
	if (now == before)
		return;
	set_self(f, id, now);
	for (tree_id a = id; a != TREE_NONE; a = tree_node(t, a)->parent) {
		uint32_t was = f->below[a];

		f->below[a] = now ? was + 1 : was - 1;
		if ((was == 0) != (f->below[a] == 0) && a != TREE_ROOT)
			top = a;
	}
	if (top != TREE_NONE)
		note_change(f, top);
}

uint64_t filter_matches(const struct filter *f)
{
	return f->nnodes ? f->below[TREE_ROOT] : 0;
}

size_t filter_take_changes(struct filter *f, tree_id *ids, size_t max, bool *overflow)
{
	size_t n = f->nchanges < max ? f->nchanges : max;

	memcpy(ids, f->changes, n * sizeof(*ids));
	*overflow = f->overflow || n < f->nchanges;
	f->nchanges = 0;
	f->overflow = false;
	return n;
}

bool filter_matches_topic(const struct filter *f, const char *topic, size_t len,
                          const char *payload, size_t plen)
{
	switch (f->kind) {
	case FILTER_WILDCARD:
		return topic_matches(f->text, topic, len);
	case FILTER_SUBSTRING:
		return contains(f, topic, len);
	default:
		return contains(f, payload, plen);
	}
}
