/* fuzz_filter.c: the tree view's filter ('f') and MQTT wildcard matching agree with a plain
 * reference matcher on any filter text and any topics, and the counts kept per message agree with
 * the counts computed from scratch.
 *
 * Input: the filter text up to the first newline, then records of
 * [topic_len:1][payload_len:1][topic][payload]. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/filter.h"
#include "mqscope/topic.h"
#include "mqscope/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One level of a topic or filter: bytes [s, s + n). */
struct level {
	const char *s;
	size_t n;
};

#define LEVELS_MAX 65537 /* a 65,535-byte filter or topic of nothing but '/' */

/* Splits at '/' (an empty string is one empty level); returns the count, 0 when too many. */
static size_t split(const char *s, size_t len, struct level *out)
{
	size_t n = 0, from = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		if (n == LEVELS_MAX)
			return 0;
		out[n].s = s + from;
		out[n].n = i - from;
		n++;
		from = i + 1;
	}
	return n;
}

static bool level_is(const struct level *l, char c)
{
	return l->n == 1 && l->s[0] == c;
}

/* The MQTT rules, written out level by level. */
static bool ref_valid(const char *f)
{
	size_t len = strlen(f), n;
	static struct level lv[LEVELS_MAX];

	if (len == 0 || len > 65535)
		return false;
	n = split(f, len, lv);
	for (size_t i = 0; i < n; i++) {
		bool wild = memchr(lv[i].s, '+', lv[i].n) || memchr(lv[i].s, '#', lv[i].n);

		if (wild && !level_is(&lv[i], '+') && !level_is(&lv[i], '#'))
			return false;
		if (level_is(&lv[i], '#') && i + 1 != n)
			return false;
	}
	return true;
}

static bool ref_match_levels(const struct level *f, size_t nf, const struct level *t, size_t nt)
{
	for (;;) {
		if (nf == 0)
			return nt == 0;
		if (level_is(f, '#'))
			return true; /* this level and below, the parent itself included */
		if (nt == 0)
			return false;
		if (!level_is(f, '+') && (f->n != t->n || memcmp(f->s, t->s, f->n) != 0))
			return false;
		f++, nf--;
		t++, nt--;
	}
}

/* -1 when the reference cannot tell (too many levels). */
static int ref_match(const char *filter, const char *topic, size_t len)
{
	static struct level fl[LEVELS_MAX], tl[LEVELS_MAX];
	size_t nf = split(filter, strlen(filter), fl), nt = split(topic, len, tl);

	if (nf == 0 || nt == 0)
		return -1;
	if (len > 0 && topic[0] == '$' && (level_is(&fl[0], '+') || level_is(&fl[0], '#')))
		return 0;
	return ref_match_levels(fl, nf, tl, nt);
}

/* Case-insensitive (ASCII, C locale) substring search. */
static bool ref_contains(const char *hay, size_t hn, const char *needle)
{
	size_t nn = strlen(needle);

	if (nn == 0)
		return true;
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t k = 0;

		while (k < nn &&
		       tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
			k++;
		if (k == nn)
			return true;
	}
	return false;
}

/* Whether node id should count, by the reference. */
static bool ref_counts(const struct filter *f, const struct tree *t, tree_id id)
{
	static char path[70000];
	const struct tree_node *n = tree_node(t, id);
	size_t len;

	if (!(n->flags & TREE_F_VALUE))
		return false;
	len = tree_path(t, id, path, sizeof(path));
	switch (f->kind) {
	case FILTER_WILDCARD: {
		int m = ref_match(f->text, path, len);
		return m < 0 ? topic_matches(f->text, path, len) : m;
	}
	case FILTER_SUBSTRING:
		return ref_contains(path, len, f->text);
	default: {
		const struct tree_value *v = tree_value(t, id, 0);
		return v != NULL && ref_contains(v->data, v->len, f->text);
	}
	}
}

/* Checks every node of f against the reference and against a filter computed from scratch. */
static void check(struct filter *f, const char *spec, const struct tree *t)
{
	struct filter *fresh = filter_new(spec, NULL, 0);
	size_t n = tree_node_count(t);
	uint64_t total = 0;

	filter_apply(fresh, t);
	if (f->nnodes != n || fresh->nnodes != n)
		abort();
	for (tree_id id = 1; id < n; id++) {
		bool want = ref_counts(f, t, id);

		if (filter_self(f, id) != want || filter_self(fresh, id) != want)
			abort();
		if (filter_below(f, id) != filter_below(fresh, id))
			abort();
		if (filter_visible(f, id) != (filter_below(f, id) > 0))
			abort();
		total += want;
	}
	if (filter_matches(f) != total || filter_matches(fresh) != total)
		abort();
	filter_free(fresh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t speclen = nl ? (size_t)(nl - data) : size, i = nl ? speclen + 1 : size;
	char *spec = strndup((const char *)data, speclen);
	char err[128] = "";
	struct filter *f = filter_new(spec, err, sizeof(err));
	struct tree_limits lim = {
	    .max_topics = 64, .payload_cap = 32, .history = 2, .value_budget = 4096};
	struct tree *t;
	tree_id changed[FILTER_CHANGES_MAX];
	bool overflow;
	size_t nmsg = 0;

	/* The text's own checks, against the reference. */
	if (topic_filter_valid(spec) != ref_valid(spec))
		abort();
	if (f == NULL) {
		if (err[0] == '\0')
			abort();
		free(spec);
		return 0;
	}
	if (f->kind == FILTER_WILDCARD &&
	    (!topic_has_wildcard(f->text) || !topic_filter_valid(f->text)))
		abort();
	if (f->kind == FILTER_SUBSTRING && topic_has_wildcard(f->text) &&
	    topic_filter_valid(f->text))
		abort();

	t = tree_new(&lim);
	filter_apply(f, t);
	while (i + 2 <= size) {
		size_t tl = data[i], pl = data[i + 1];
		const char *topic = (const char *)data + i + 2;
		struct tree_msg m = {0};
		tree_id id;

		if (i + 2 + tl + pl > size)
			break;
		m.payload = topic + tl;
		m.len = m.orig_len = (uint32_t)pl;
		m.time_ms = 1000 + (int64_t)i;
		id = tree_insert(t, topic, tl, &m);
		filter_note(f, t, id);
		if (id != TREE_NONE && filter_self(f, id) != ref_counts(f, t, id))
			abort();
		if (id != TREE_NONE && f->kind != FILTER_PAYLOAD) {
			int r = ref_match(f->text, topic, tl);
			bool by_text = filter_matches_topic(f, topic, tl, NULL, 0);

			if (f->kind == FILTER_WILDCARD && r >= 0 && by_text != (bool)r)
				abort();
			if (f->kind == FILTER_SUBSTRING &&
			    by_text != ref_contains(topic, tl, f->text))
				abort();
		}
		/* Half way, the whole tree again, as when the filter is edited. */
		if (++nmsg == 8)
			filter_apply(f, t);
		if (nmsg % 5 == 0)
			filter_take_changes(f, changed, FILTER_CHANGES_MAX, &overflow);
		i += 2 + tl + pl;
	}
	check(f, spec, t);
	filter_free(f);
	tree_free(t);
	free(spec);
	return 0;
}
