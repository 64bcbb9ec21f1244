/* sys.c: numbers from the broker's $SYS topics (mosquitto's names): counter rates, drops. */
#include "mqscope/sys.h"

#include <string.h>

#include "mqscope/payload_number.h"

/* The node of a topic, or TREE_NONE; "" is a statistic the broker does not publish. */
static tree_id find(const struct tree *t, const char *topic)
{
	return topic[0] ? tree_find(t, topic, strlen(topic)) : TREE_NONE;
}

/* The newest value of node id as a number. */
static bool number_at(const struct tree *t, tree_id id, double *out)
{
	const struct tree_value *v;

	if (id == TREE_NONE || (v = tree_shown_value(t, id, 0)) == NULL)
		return false;
	return payload_text_number(v->data, v->len, out);
}

bool sys_number(const struct tree *t, const char *topic, double *out)
{
	return number_at(t, find(t, topic), out);
}

size_t sys_rates(const struct tree *t, const char *topic, double *rates, size_t max,
                 int64_t *interval)
{
	tree_id id = find(t, topic);
	const struct tree_node *n;
	size_t k = 0;
	double prev = 0;
	int64_t prev_t = 0;
	bool have = false, skip;

	*interval = INT64_MAX;
	if (id == TREE_NONE)
		return 0;
	n = tree_shown(t, id);
	/*
	 * The topic's very first value is the retained one delivered on
	 * subscribing: its time is when it reached us, not when the broker
	 * counted it, so the first interval would look too short and its rate too
	 * high. It only serves as the starting point (when the rates reach back
	 * that far).
	 */
	skip = n->msgs == n->hist_len && n->hist_len >= 3 && n->hist_len <= max + 1;
	for (unsigned age = n->hist_len < max + 1 ? n->hist_len : (unsigned)max + 1; age-- > 0;) {
		const struct tree_value *v = tree_shown_value(t, id, age);
		double x;

		if (v == NULL || !payload_text_number(v->data, v->len, &x))
			continue;
		if (have && v->time_ms > prev_t && x >= prev && k < max) {
			int64_t dt = v->time_ms - prev_t;

			if (skip) {
				skip = false;
			} else {
				rates[k++] = (x - prev) * 1000.0 / (double)dt;
				if (dt < *interval)
					*interval = dt;
			}
		}
		prev = x;
		prev_t = v->time_ms;
		have = true;
	}
	return k;
}

double sys_rate_now(const struct tree *t, const char *topic, const double *rates, size_t n,
                    int64_t interval, int64_t now_wall_ms)
{
	tree_id id = find(t, topic);
	const struct tree_value *last = id != TREE_NONE ? tree_shown_value(t, id, 0) : NULL;

	if (n == 0)
		return 0;
	if (last && interval != INT64_MAX && now_wall_ms - last->time_ms > 2 * interval + 1500)
		return 0;
	return rates[n - 1];
}

void sys_drops_init(struct sys_drops *d)
{
	memset(d, 0, sizeof(*d));
	d->node = TREE_NONE;
	d->connects = UINT64_MAX;
}

uint64_t sys_drops_update(struct sys_drops *d, const struct tree *t, uint64_t connects)
{
	const struct tree_node *n;
	double x;

	if (connects != d->connects) {
		d->connects = connects;
		d->have_last = false; /* the next value is a baseline */
	}
	if (d->node == TREE_NONE)
		d->node = find(t, SYS_DROPPED);
	if (d->node == TREE_NONE)
		return d->dropped;
	n = tree_shown(t, d->node);
	if (n->msgs == d->seen_msgs)
		return d->dropped;
	d->seen_msgs = n->msgs;
	if (!number_at(t, d->node, &x))
		return d->dropped;
	if (d->have_last && x > d->last)
		d->dropped += (uint64_t)(x - d->last);
	d->last = x;
	d->have_last = true;
	return d->dropped;
}
