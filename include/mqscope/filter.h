/* filter.h: which topics the tree shows: MQTT wildcards or a substring, on topic or payload text.
 */
#ifndef MQSCOPE_FILTER_H
#define MQSCOPE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/tree.h"

enum filter_kind {
	FILTER_WILDCARD,  /* an MQTT filter: "sensors/+/temperature", "building/#" */
	FILTER_SUBSTRING, /* the full topic contains the text (any case) */
	FILTER_PAYLOAD,   /* the current value contains the text (any case) */
};

#define FILTER_CHANGES_MAX 256

/*
 * Every node keeps how many matching topics its subtree holds (itself
 * included). Setting a filter computes that in two linear passes over the
 * nodes without building any topic string: each node's match state follows
 * from its parent's (the wildcard level reached, or the substring automaton's
 * state). Afterwards each message costs O(1), or O(depth) when a topic starts
 * or stops matching, plus a scan of its payload for payload filters.
 */
struct decoders;

struct filter {
	enum filter_kind kind;
	const struct decoders *dec; /* payload filters read binary formats decoded (NULL: bytes) */
	unsigned skip; /* levels a wildcard pattern starts below (1: one branch per broker) */
	char *spec;    /* as the user typed it (trimmed) */
	char *text;    /* what is matched: spec without a p:/t: prefix */

	/* the pattern */
	char *needle; /* lowercased, for substring and payload */
	size_t nlen;
	uint32_t *kmp;  /* failure function of needle */
	char **levels;  /* wildcard filter levels */
	uint32_t *llen; /* their lengths */
	size_t nlevels;

	/* per node */
	uint32_t *state; /* match state after the node's own level */
	uint32_t *below; /* matching topics in the subtree, the node itself included */
	uint8_t *self;   /* bit: the node itself is counted */
	size_t nnodes, cap;

	/* nodes whose visibility (below > 0) changed, topmost of each change */
	tree_id changes[FILTER_CHANGES_MAX];
	size_t nchanges;
	bool overflow;
};

/*
 * Parses spec: "p:TEXT" or "payload:TEXT" filters on payload text,
 * "t:TEXT" or "topic:TEXT" forces a topic filter; a valid MQTT filter with
 * + or # is a wildcard filter; anything else is a topic substring.
 * Returns NULL with a reason in err when spec is empty or invalid.
 */
struct filter *filter_new(const char *spec, char *err, size_t cap);
void filter_free(struct filter *f);

/* Computes every node's count over the whole tree. */
void filter_apply(struct filter *f, const struct tree *t);
/* Brings the counts up to date after a message on id (new nodes included). */
void filter_note(struct filter *f, const struct tree *t, tree_id id);

/* Whether id has a matching topic at or below it. */
static inline bool filter_visible(const struct filter *f, tree_id id)
{
	return id < f->nnodes && f->below[id] > 0;
}
/* Matching topics at or below id. */
static inline uint32_t filter_below(const struct filter *f, tree_id id)
{
	return id < f->nnodes ? f->below[id] : 0;
}
/* Whether id itself matches (and holds a value). */
static inline bool filter_self(const struct filter *f, tree_id id)
{
	return id < f->nnodes && (f->self[id / 8] >> (id % 8)) & 1;
}
/* Matching topics in the whole tree. */
uint64_t filter_matches(const struct filter *f);

/* Nodes whose visibility changed since the last call; *overflow when more did than fit. */
size_t filter_take_changes(struct filter *f, tree_id *ids, size_t max, bool *overflow);

/* Whether a topic (and its payload, for payload filters) matches; for tests and one-off checks. */
bool filter_matches_topic(const struct filter *f, const char *topic, size_t len,
                          const char *payload, size_t plen);

/* "wildcard", "topic contains", "payload contains". */
const char *filter_kind_name(enum filter_kind k);

#endif
