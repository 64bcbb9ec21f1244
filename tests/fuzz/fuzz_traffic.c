/* fuzz_traffic.c: any traffic keeps timing, silence, wills, watches and the stream consistent. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/silence.h"
#include "mqscope/stream.h"
#include "mqscope/timestamp.h"
#include "mqscope/timing.h"
#include "mqscope/tree.h"
#include "mqscope/watch.h"
#include "mqscope/will.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1795341845000LL

/* Silent topics and offline devices at or below each node, counted the slow way. */
static void check_counts(const struct tree *t, const struct silence *s)
{
	size_t n = tree_node_count(t);
	uint32_t *sil = calloc(n, sizeof(*sil)), *off = calloc(n, sizeof(*off));
	uint64_t nsil = 0, noff = 0;

	if (sil == NULL || off == NULL)
		abort();
	for (tree_id id = 1; id < n; id++) {
		bool a = silence_is_silent(s, id), b = silence_is_offline(s, id);

		nsil += a;
		noff += b;
		for (tree_id p = id; p != TREE_ROOT && (a || b); p = tree_node(t, p)->parent) {
			sil[p] += a;
			off[p] += b;
		}
	}
	if (nsil != silence_count(s) || noff != silence_offline_count(s))
		abort();
	for (tree_id id = 1; id < n; id++)
		if (sil[id] != silence_below(s, id) || off[id] != silence_offline_below(s, id))
			abort();
	free(sil);
	free(off);
}

static void check_timing(const struct timing *tm, const struct tree *t)
{
	for (tree_id id = 1; id < tree_node_count(t); id++) {
		struct timing_stats st;

		if (!timing_stats(tm, id, &st))
			continue;
		if (st.intervals > TIMING_WINDOW || st.dups >= st.msgs ||
		    st.out_of_order > st.stamped)
			abort();
		if (st.intervals && !(st.iv_min <= st.iv_median && st.iv_median <= st.iv_p95 &&
		                      st.iv_p95 <= st.iv_max))
			abort();
		if (st.stamped &&
		    !(st.delay_min <= st.delay_last && st.delay_last <= st.delay_max &&
		      st.delay_min <= st.delay_mean && st.delay_mean <= st.delay_max))
			abort();
	}
}

/*
 * Input: records of [topic_len:1][payload_len:1][dt:1][flags:1][topic][payload]: dt is the
 * time since the message before (x 100 ms), flags bit 0 retained, bit 1 a silence check.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree_limits lim = {
	    .max_topics = 64, .payload_cap = 64, .history = 3, .value_budget = 4096};
	struct silence_cfg sc = {.factor = 2.5, .floor_ms = 300, .samples = 2};
	struct will_rule rule = {.filter = "w/+/lwt", .offline = "0", .online = "1"};
	struct tree *t = tree_new(&lim);
	struct timing *tm = timing_new();
	struct silence *s = silence_new(&sc);
	struct watches *w = watch_new(true);
	struct stream *st = stream_new(64 * 1024, 0);
	int64_t now = T0;
	size_t i = 0;
	char err[256];

	watch_add(w, NULL, "#", NULL, "> 5", -1, err, sizeof(err));
	watch_add(w, NULL, "+/#", "v", "== \"on\"", -1, err, sizeof(err));
	watch_add(w, NULL, "#", NULL, "changes", 0, err, sizeof(err));
	watch_add(w, NULL, "#", NULL, "matches ^[a-z]+$", 0, err, sizeof(err));
	watch_add(w, NULL, "#", NULL, "silent", 0, err, sizeof(err));
	while (i + 4 <= size) {
		size_t tl = data[i], pl = data[i + 1];
		const char *topic = (const char *)data + i + 4, *payload = topic + tl;
		uint8_t flags = data[i + 3];
		struct tree_msg m = {0};
		struct timing_msg x = {0};
		struct silence_event ev[16];
		uint64_t lost;
		char dev[128];
		enum will_kind k;
		int64_t ms;
		tree_id id;
		size_t n;

		if (i + 4 + tl + pl > size)
			break;
		now += data[i + 2] * 100;
		i += 4 + tl + pl;
		timestamp_iso8601(payload, pl, &ms);
		timestamp_from_json(payload, pl, &ms);
		if (flags & 2) {
			bool more = true;

			while (more)
				silence_check(s, t, tm, now, &more);
		}
		m.payload = x.payload = payload;
		m.len = m.orig_len = x.len = x.orig_len = (uint32_t)pl;
		m.time_ms = x.time_ms = now;
		m.retained = x.retained = flags & 1;
		x.ts_ms = TIMING_NO_TS;
		id = tree_insert(t, topic, tl, &m);
		if (id == TREE_NONE)
			continue;
		stream_push(st, id, now, payload, (uint32_t)pl, (uint32_t)pl, NULL, 0, 0,
		            flags & 1);
		timing_note(tm, t, id, &x, !tree_over_budget(t));
		k = will_classify(&rule, 1, topic, tl, payload, pl, dev, sizeof(dev));
		if (k != WILL_NONE)
			silence_set_offline(s, t, tree_find(t, dev, strlen(dev)), k == WILL_OFFLINE,
			                    now);
		silence_note(s, t, tm, id, (flags & 1) || k != WILL_NONE, now);
		watch_note(w, t, id, topic, tl, payload, pl, now);
		while ((n = silence_take_events(s, ev, 16, &lost)) > 0)
			for (size_t e = 0; e < n; e++)
				watch_on_silence(w, t, &ev[e]);
	}
	check_counts(t, s);
	check_timing(tm, t);
	for (uint64_t q = stream_first(st); q < stream_end(st); q++) {
		struct stream_msg sm;

		if (!stream_get(st, q, &sm) || sm.seq != q || sm.id >= tree_node_count(t))
			abort();
	}
	if (watch_active(w) > 64 * 5 || watch_log_len(w) > WATCH_LOG_MAX)
		abort();
	stream_free(st);
	watch_free(w);
	silence_free(s);
	timing_free(tm);
	tree_free(t);
	return 0;
}
