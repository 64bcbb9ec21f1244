/* trend.c: the numbers of a topic's history, parsed once per value. */
#include "mqscope/trend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

#define FIELDS_MAX 64 /* numeric fields of one value that F cycles through */

void trend_init(struct trend *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->id = TREE_NONE;
}

void trend_free(struct trend *tr)
{
	free(tr->v);
	free(tr->t);
	free(tr->ord);
	trend_init(tr);
}

/* Appends the number of the value at age (if it has one). */
static void add(struct trend *tr, const struct tree *t, tree_id id, unsigned age, uint64_t msgs)
{
	const struct tree_value *v = tree_shown_value(t, id, age);
	struct decoded d;
	double x;

	if (v == NULL)
		return;
	decoded_read(tr->dec, t, id, v, false, &d);
	if (payload_number(d.data, d.len, tr->field_used, &x)) {
		tr->v[tr->n] = x;
		tr->t[tr->n] = v->time_ms;
		tr->ord[tr->n] = msgs - age;
		tr->n++;
	}
	decoded_free(&d);
}

/* Chooses what to follow in the newest value; false when there is nothing. */
static bool choose_field(struct trend *tr, const struct tree *t, tree_id id,
                         const struct tree_value *newest)
{
	struct decoded d;
	double x;
	bool ok;

	decoded_read(tr->dec, t, id, newest, false, &d);
	if (tr->field[0]) {
		snprintf(tr->field_used, sizeof(tr->field_used), "%s", tr->field);
		if (payload_number(d.data, d.len, tr->field_used, &x)) {
			decoded_free(&d);
			return true;
		}
	}
	ok = payload_default_path(d.data, d.len, tr->field_used, sizeof(tr->field_used));
	decoded_free(&d);
	return ok;
}

void trend_update(struct trend *tr, const struct tree *t, tree_id id)
{
	const struct tree_node *n = tree_shown(t, id);
	const struct tree_value *newest;
	unsigned limit = n->hist_len < TREND_MAX ? n->hist_len : TREND_MAX;
	char before[PAYLOAD_PATH_MAX];
	bool same = tr->made && tr->id == id && !strcmp(tr->made_field, tr->field);
	uint64_t added = same && n->msgs > tr->msgs ? n->msgs - tr->msgs : 0;
	unsigned old_len = tr->hist_len, cap;

	if (same && tr->msgs == n->msgs && tr->hist_len == n->hist_len)
		return;
	snprintf(before, sizeof(before), "%s", tr->field_used);
	tr->made = true;
	tr->id = id;
	tr->msgs = n->msgs;
	tr->hist_len = n->hist_len;
	snprintf(tr->made_field, sizeof(tr->made_field), "%s", tr->field);
	newest = tree_shown_value(t, id, 0);
	if (newest == NULL || !choose_field(tr, t, id, newest)) {
		/* Nothing kept: once a number comes, all of the history is read again. */
		tr->n = 0;
		tr->dropped = true;
		return;
	}
	if (tr->cap < limit) {
		tr->cap = limit;
		tr->v = xrealloc(tr->v, tr->cap * sizeof(*tr->v));
		tr->t = xrealloc(tr->t, tr->cap * sizeof(*tr->t));
		tr->ord = xrealloc(tr->ord, tr->cap * sizeof(*tr->ord));
	}
	/* Each new message pushed one value unless the history was cleared or trimmed meanwhile. */
	cap = tree_history_cap(t);
	if (added > 0 && added <= limit && !tr->dropped &&
	    n->hist_len == (old_len + added < cap ? old_len + added : cap) &&
	    !strcmp(before, tr->field_used)) {
		size_t j = 0;

		for (size_t i = 0; i < tr->n; i++) {
			if (n->msgs - tr->ord[i] >= limit)
				continue;
			tr->v[j] = tr->v[i];
			tr->t[j] = tr->t[i];
			tr->ord[j] = tr->ord[i];
			j++;
		}
		tr->n = j;
		for (unsigned age = (unsigned)added; age-- > 0;)
			add(tr, t, id, age, n->msgs);
		return;
	}
	tr->n = 0;
	tr->dropped = false;
	for (unsigned age = limit; age-- > 0;)
		add(tr, t, id, age, n->msgs);
}

void trend_range(const struct trend *tr, size_t from, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = from; i < tr->n; i++) {
		if (tr->v[i] < *lo)
			*lo = tr->v[i];
		if (tr->v[i] > *hi)
			*hi = tr->v[i];
	}
}

int trend_next_field(struct trend *tr, const struct tree *t, tree_id id, size_t *count)
{
	const struct tree_value *v = tree_shown_value(t, id, 0);
	char(*paths)[PAYLOAD_PATH_MAX];
	struct decoded d;
	size_t n, next = 0;
	double x;

	*count = 0;
	if (v == NULL)
		return -1;
	decoded_read(tr->dec, t, id, v, false, &d);
	if (payload_text_number(d.data, d.len, &x)) {
		decoded_free(&d);
		return 0;
	}
	paths = xmalloc(FIELDS_MAX * sizeof(*paths));
	n = payload_numeric_paths(d.data, d.len, paths, FIELDS_MAX);
	decoded_free(&d);
	if (n == 0) {
		free(paths);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(paths[i], tr->field_used))
			next = (i + 1) % n;
	snprintf(tr->field, sizeof(tr->field), "%s", paths[next]);
	free(paths);
	*count = n;
	return (int)next + 1;
}
