/* app.c: owns the parts of a run and moves messages from the ring into the tree. */
#include "mqscope/app.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/filter.h"
#include "mqscope/msg.h"
#include "mqscope/recorder.h"
#include "mqscope/replay.h"
#include "mqscope/safe_file.h"
#include "mqscope/silence.h"
#include "mqscope/stream.h"
#include "mqscope/timing.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"
#include "mqscope/watch.h"
#include "mqscope/will.h"

int app_init(struct app *a, struct settings *cfg, bool offline)
{
	struct silence_cfg sc = {
	    .factor = cfg->silence_factor,
	    .floor_ms = cfg->silence_floor,
	    .samples = SILENCE_SAMPLES,
	};
	char err[512];
	struct tree_limits lim = {
	    .max_topics = cfg->max_topics,
	    .payload_cap = cfg->payload_cap,
	    .history = cfg->history,
	    .value_budget = cfg->value_budget,
	    /* Topic names are kept whole: the same budget bounds them, apart from values. */
	    .name_budget = cfg->value_budget,
	};

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	/*
	 * Large payloads pass through malloc'd buffers (libmosquitto's, the
	 * tree's) of the same few sizes over and over: keep freed memory for
	 * reuse instead of handing it back to the kernel and faulting it in
	 * again for the next message.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	a->demo.broker_pid = a->demo.sim_pid = -1;
	settings_broker_label(cfg, a->broker_label, sizeof(a->broker_label));
	if (ring_init(&a->ring, cfg->ring_bytes, cfg->ring_count) != 0)
		return -1;
	a->tree = tree_new(&lim);
	if (a->tree == NULL)
		return -1;
	a->timing = timing_new();
	a->silence = silence_new(&sc);
	a->watches = watch_new(cfg->bell);
	/* The stream shares the value budget: a quarter of it at most. */
	a->stream = stream_new(cfg->value_budget && cfg->stream_bytes > cfg->value_budget / 4
	                           ? cfg->value_budget / 4
	                           : cfg->stream_bytes,
	                       cfg->payload_cap);
	/* The config file's watches were checked when it was read. */
	if (watch_add_rules(a->watches, cfg->watches, cfg->nwatches, err, sizeof(err)) != 0)
		return -1;
	if (!offline) {
		a->session = session_new(cfg, &a->ring);
		/* libmosquitto keeps its own copies; ours go now, not at exit. */
		settings_wipe_secrets(cfg);
		if (a->session == NULL)
			return -1;
	}
	return 0;
}

void app_free(struct app *a)
{
	filter_free(a->filter);
	a->filter = NULL;
	recorder_close(a->recorder);
	a->recorder = NULL;
	replay_close(a->replay);
	a->replay = NULL;
	session_free(a->session);
	a->session = NULL;
	watch_free(a->watches);
	a->watches = NULL;
	stream_free(a->stream);
	a->stream = NULL;
	silence_free(a->silence);
	a->silence = NULL;
	timing_free(a->timing);
	a->timing = NULL;
	tree_free(a->tree);
	a->tree = NULL;
	ring_free(&a->ring);
}

static bool excluded(const struct app *a, const char *topic, size_t len)
{
	for (size_t i = 0; i < a->cfg->nexcludes; i++)
		if (topic_matches(a->cfg->excludes[i], topic, len))
			return true;
	return false;
}

/* Adds a message stored on id to the stream, times it, judges silence and wills, checks watches. */
static void observe(struct app *a, tree_id id, const struct msg_view *v)
{
	const struct msg_head *h = v->h;
	struct timing_msg tm = {
	    .time_ms = h->time_ms,
	    .payload = v->payload,
	    .len = h->len,
	    .orig_len = h->orig_len,
	    .retained = h->retain,
	    .ts_ms = TIMING_NO_TS,
	};
	enum will_kind k;
	char dev[1024];

	stream_push(a->stream, id, h->time_ms, v->payload, h->len, h->orig_len, v->props,
	            h->props_len, h->qos, h->retain);
	timing_note(a->timing, a->tree, id, &tm, !tree_over_budget(a->tree));
	k = will_classify(a->cfg->wills, a->cfg->nwills, v->topic, h->topic_len, v->payload, h->len,
	                  dev, sizeof(dev));
	if (k != WILL_NONE)
		silence_set_offline(a->silence, a->tree, tree_find(a->tree, dev, strlen(dev)),
		                    k == WILL_OFFLINE, h->time_ms);
	/* A will is not a sign of life of its device, retained state may be old. */
	silence_note(a->silence, a->tree, a->timing, id, h->retain || k != WILL_NONE, h->time_ms);
	if (watch_count(a->watches))
		watch_note(a->watches, a->tree, id, v->topic, h->topic_len, v->payload, h->len,
		           h->time_ms);
}

/* Shows the watches what turned silent, offline or back since the last call. */
static void pass_silence(struct app *a)
{
	struct silence_event ev[64];
	uint64_t lost;
	size_t n;

	do {
		n = silence_take_events(a->silence, ev, 64, &lost);
		a->silence_lost += lost;
		for (size_t i = 0; i < n; i++)
			watch_on_silence(a->watches, a->tree, &ev[i]);
	} while (n == 64);
}

/* Tells the tree what timing, silence and watches hold, for the budget. */
static void account(struct app *a)
{
	tree_set_extra_bytes(a->tree, timing_mem_bytes(a->timing) + silence_mem_bytes(a->silence) +
	                                  watch_mem_bytes(a->watches));
}

/* Records, stores and filters one message. */
static void store(struct app *a, const struct msg_view *v)
{
	struct tree_msg m = tree_msg_of(v);
	tree_id id;

	if (a->cfg->nexcludes && excluded(a, v->topic, v->h->topic_len)) {
		a->excluded++;
		return;
	}
	if (v->h->len < v->h->orig_len)
		a->cut++;
	if (a->recorder)
		recorder_write(a->recorder, v);
	if (v->h->retain)
		a->last_retained_ms = clock_mono_ms();
	id = tree_insert(a->tree, v->topic, v->h->topic_len, &m);
	if (a->filter)
		filter_note(a->filter, a->tree, id);
	if (id != TREE_NONE)
		observe(a, id, v);
}

size_t app_drain(struct app *a, size_t max, bool *more)
{
	size_t n = 0, len;
	const void *rec;

	*more = false;
	while (n < max && (rec = ring_peek(&a->ring, &len)) != NULL) {
		struct msg_view v;

		if (!msg_read(rec, len, &v))
			a->malformed++;
		else
			store(a, &v);
		ring_release(&a->ring);
		n++;
	}
	if (n == max)
		*more = ring_count(&a->ring) > 0;
	a->ingested += n;
	if (n) {
		rate_add(&a->rate, n, clock_mono_ms());
		a->last_ingest_ms = clock_wall_ms();
		if (a->first_ingest_ms == 0)
			a->first_ingest_ms = a->last_ingest_ms;
		if (a->recorder)
			recorder_flush(a->recorder);
		pass_silence(a);
		account(a);
	}
	return n;
}

void app_ingest(struct app *a, const struct msg_view *v, int64_t now_mono)
{
	store(a, v);
	a->ingested++;
	rate_add(&a->rate, 1, now_mono);
	pass_silence(a);
	account(a);
}

int64_t app_now(const struct app *a)
{
	return a->replay ? replay_now(a->replay, clock_mono_ms()) : clock_wall_ms();
}

int64_t app_next_due(const struct app *a)
{
	return silence_next_due(a->silence);
}

bool app_tick(struct app *a, int64_t now, bool *more)
{
	size_t turned = silence_check(a->silence, a->tree, a->timing, now, more);

	pass_silence(a);
	return turned > 0;
}

unsigned app_frame_bucket(uint64_t us)
{
	unsigned e, b;

	if (us < 4)
		return (unsigned)us;
	e = 63u - (unsigned)__builtin_clzll(us); /* us in [2^e, 2^(e+1)) */
	b = 4 * (e - 1) + (unsigned)((us >> (e - 2)) & 3);
	return b < FRAME_BUCKETS ? b : FRAME_BUCKETS - 1;
}

uint64_t app_frame_bucket_low(unsigned b)
{
	if (b < 4)
		return b;
	return (uint64_t)(4 + b % 4) << (b / 4 - 1);
}

/* The frame time below which a fraction q of the frames fell (bucket resolution). */
static uint64_t frame_quantile(const struct ui_stats *u, double q)
{
	uint64_t want = (uint64_t)(q * (double)u->frames), seen = 0;

	for (unsigned b = 0; b < FRAME_BUCKETS; b++) {
		seen += u->frame_hist[b];
		if (seen > want)
			return app_frame_bucket_low(b);
	}
	return u->frame_us_max;
}

int app_write_stats(struct app *a, const char *path)
{
	const struct ui_stats *u = &a->ui;
	struct safe_replace out;
	FILE *f;

	if (safe_replace_open(&out, path) != 0)
		return -1;
	f = out.f;
	a->stats_dumps++;
	fprintf(f, "dump %llu\n", (unsigned long long)a->stats_dumps);
	fprintf(f, "wall_ms %lld\n", (long long)clock_wall_ms());
	fprintf(f, "ingested %llu\n", (unsigned long long)a->ingested);
	fprintf(f, "received %llu\n",
	        (unsigned long long)(a->session ? session_received(a->session) : a->ingested));
	fprintf(f, "dropped %llu\n", (unsigned long long)ring_drops(&a->ring));
	fprintf(f, "topics %llu\n", (unsigned long long)tree_topic_count(a->tree));
	fprintf(f, "nodes %zu\n", tree_node_count(a->tree));
	fprintf(f, "refused %llu\n", (unsigned long long)tree_refused(a->tree));
	fprintf(f, "tree_bytes %zu\n", tree_mem_bytes(a->tree));
	fprintf(f, "first_ingest_ms %lld\n", (long long)a->first_ingest_ms);
	fprintf(f, "last_ingest_ms %lld\n", (long long)a->last_ingest_ms);
	fprintf(f, "frames %llu\n", (unsigned long long)u->frames);
	fprintf(f, "frame_us_mean %llu\n",
	        (unsigned long long)(u->frames ? u->frame_us_sum / u->frames : 0));
	fprintf(f, "frame_us_p50 %llu\n", (unsigned long long)frame_quantile(u, 0.50));
	fprintf(f, "frame_us_p99 %llu\n", (unsigned long long)frame_quantile(u, 0.99));
	fprintf(f, "frame_us_max %llu\n", (unsigned long long)u->frame_us_max);
	fprintf(f, "frame_us_sum %llu\n", (unsigned long long)u->frame_us_sum);
	/* bucket:count for the non-empty buckets; app_frame_bucket_low gives each lower bound */
	fprintf(f, "frame_hist");
	for (unsigned b = 0; b < FRAME_BUCKETS; b++)
		if (u->frame_hist[b])
			fprintf(f, " %u:%llu", b, (unsigned long long)u->frame_hist[b]);
	fprintf(f, "\n");
	if (a->session) {
		struct session_net_stats ns;

		/* How the broker's bytes reach the tree: checked QoS 0 messages go straight into
		 * the ring; everything else through libmosquitto on the local channel. */
		session_net_stats(a->session, &ns);
		fprintf(f, "net_path direct-qos0\n");
		fprintf(f, "net_direct %llu\n", (unsigned long long)ns.direct);
		fprintf(f, "net_via_lib %llu\n", (unsigned long long)ns.via_lib);
		fprintf(f, "net_reads %llu\n", (unsigned long long)ns.reads);
		fprintf(f, "net_read_bytes %llu\n", (unsigned long long)ns.read_bytes);
	}
	fprintf(f, "wakeups %llu\n", (unsigned long long)u->wakeups);
	return safe_replace_commit(&out);
}
