/* app.c: owns the parts of a run and moves messages from the ring into the tree. */
#include "mqscope/app.h"

#include <malloc.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/filter.h"
#include "mqscope/msg.h"
#include "mqscope/options.h"
#include "mqscope/recorder.h"
#include "mqscope/replay.h"
#include "mqscope/safe_file.h"
#include "mqscope/sparkplug.h"
#include "mqscope/silence.h"
#include "mqscope/stream.h"
#include "mqscope/timing.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"
#include "mqscope/watch.h"
#include "mqscope/will.h"

/* A branch name from a profile name or host:port: no level separator, no wildcard. */
static void make_label(struct app *a, struct app_link *l)
{
	const struct settings *all[APP_MAX_BROKERS];
	size_t k = app_link_index(a, l);

	for (size_t i = 0; i <= k; i++)
		all[i] = a->link[i].cfg;
	settings_branch_label(all, k, l->label, sizeof(l->label));
}

static int link_init(struct app *a, struct settings *cfg, bool offline)
{
	struct app_link *l = &a->link[a->nlinks++];

	l->cfg = cfg;
	l->root = TREE_NONE;
	/* Two connections with one client id would take each other's place (on a cluster too). */
	if (l != a->link && cfg->client_id == NULL && cfg->id_prefix == NULL) {
		char id[32];

		snprintf(id, sizeof(id), "mqscope-%d-%zu", (int)getpid(), a->nlinks);
		settings_set_str(&cfg->client_id, id);
	}
	make_label(a, l);
	l->spb = spb_model_new(0);
	a->dec_of[a->nlinks - 1] = (struct decoders){
	    .rules = cfg->decoders, .nrules = cfg->ndecoders, .spb = l->spb, .label = l->label};
	/* One broker reads its topics as they are; several, each below its own branch. */
	a->dec = a->nlinks == 1 ? a->dec_of[0]
	                        : (struct decoders){.brokers = a->dec_of, .nbrokers = a->nlinks};
	l->ring = l == a->link ? &a->ring : &l->own_ring;
	if (ring_init(l->ring, cfg->ring_bytes, cfg->ring_count) != 0)
		return -1;
	if (!offline) {
		l->session = session_new(cfg, l->ring);
		if (l == a->link)
			a->session = l->session;
		/* libmosquitto keeps its own copies; ours go now, not at exit. */
		settings_wipe_secrets(cfg);
		if (l->session == NULL)
			return -1;
	}
	return 0;
}

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
	return link_init(a, cfg, offline);
}

int app_add_broker(struct app *a, struct settings *cfg)
{
	if (a->nlinks >= APP_MAX_BROKERS)
		return -1;
	if (a->topic_buf == NULL)
		a->topic_buf = xmalloc(sizeof(a->link[0].label) + 1 + 65536);
	if (!a->several) /* each broker's branch says what it holds */
		tree_count_branches(a->tree);
	a->several = true;
	watch_set_branches(a->watches, true);
	snprintf(a->broker_label, sizeof(a->broker_label), "%zu brokers", a->nlinks + 1);
	return link_init(a, cfg, a->link[0].session == NULL);
}

void app_start(struct app *a)
{
	for (size_t i = 0; i < a->nlinks; i++)
		if (a->link[i].session)
			session_start(a->link[i].session);
}

void app_stop(struct app *a, int timeout_ms)
{
	for (size_t i = 0; i < a->nlinks; i++)
		if (a->link[i].session)
			session_stop(a->link[i].session, timeout_ms);
}

void app_free(struct app *a)
{
	filter_free(a->filter);
	a->filter = NULL;
	recorder_close(a->recorder);
	a->recorder = NULL;
	replay_close(a->replay);
	a->replay = NULL;
	for (size_t i = 0; i < a->nlinks; i++) {
		session_free(a->link[i].session);
		a->link[i].session = NULL;
		ring_free(a->link[i].ring);
		spb_model_free(a->link[i].spb);
		a->link[i].spb = NULL;
	}
	a->session = NULL;
	a->nlinks = 0;
	free(a->topic_buf);
	a->topic_buf = NULL;
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
}

size_t app_link_index(const struct app *a, const struct app_link *l)
{
	return (size_t)(l - a->link);
}

struct app_link *app_link_named(struct app *a, const char *label)
{
	for (size_t i = 0; i < a->nlinks; i++)
		if (strcmp(a->link[i].label, label) == 0)
			return &a->link[i];
	return NULL;
}

tree_id app_link_root(struct app *a, struct app_link *l)
{
	if (!a->several)
		return TREE_ROOT;
	if (l->root == TREE_NONE)
		l->root = tree_find(a->tree, l->label, strlen(l->label));
	return l->root;
}

struct app_link *app_link_of(struct app *a, tree_id id)
{
	const struct tree_node *n;
	const char *name;
	size_t len;

	if (!a->several || id == TREE_NONE || id == TREE_ROOT)
		return &a->link[0];
	for (n = tree_node(a->tree, id); n->depth > 1; n = tree_node(a->tree, id))
		id = n->parent;
	name = tree_name(a->tree, id, &len);
	for (size_t i = 0; i < a->nlinks; i++)
		if (strlen(a->link[i].label) == len && memcmp(a->link[i].label, name, len) == 0)
			return &a->link[i];
	return &a->link[0];
}

size_t app_topic(const struct app *a, tree_id id, char *buf, size_t cap)
{
	size_t n = tree_path(a->tree, id, buf, cap), skip;

	if (!a->several)
		return n;
	/* buf holds "label/topic" (or just "label"): move the topic to the front */
	if (n + 1 > cap) {
		char *full = xmalloc(n + 1);

		tree_path(a->tree, id, full, n + 1);
		skip = strcspn(full, "/");
		skip += full[skip] == '/';
		snprintf(buf, cap, "%s", full + skip);
		free(full);
		return n - skip;
	}
	skip = strcspn(buf, "/");
	skip += buf[skip] == '/';
	memmove(buf, buf + skip, n - skip + 1);
	return n - skip;
}

char *app_topic_dup(const struct app *a, tree_id id)
{
	char one[1];
	size_t n = app_topic(a, id, one, sizeof(one));
	char *buf = xmalloc(n + 1);

	app_topic(a, id, buf, n + 1);
	return buf;
}

tree_id app_find(const struct app *a, const struct app_link *l, const char *topic)
{
	char *full;
	tree_id id;

	if (!a->several)
		return tree_find(a->tree, topic, strlen(topic));
	full = xmalloc(strlen(l->label) + strlen(topic) + 2);
	sprintf(full, "%s/%s", l->label, topic);
	id = tree_find(a->tree, full, strlen(full));
	free(full);
	return id;
}

const char *app_link_state_word(const struct app_link *l)
{
	if (l->session == NULL)
		return "offline";
	switch (l->st.state) {
	case SESSION_CONNECTED:
		return "up";
	case SESSION_IDLE:
	case SESSION_CONNECTING:
		return "connecting";
	case SESSION_WAITING:
	case SESSION_STOPPED:
		break;
	}
	return "down";
}

uint64_t app_received(const struct app *a)
{
	uint64_t n = 0;

	for (size_t i = 0; i < a->nlinks; i++)
		n +=
		    a->link[i].session ? session_received(a->link[i].session) : a->link[i].ingested;
	return n;
}

uint64_t app_drops(const struct app *a)
{
	uint64_t n = 0;

	for (size_t i = 0; i < a->nlinks; i++)
		n += ring_drops(a->link[i].ring);
	return n;
}

size_t app_ring_bytes(const struct app *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nlinks; i++)
		n += ring_bytes_used(a->link[i].ring);
	return n;
}

size_t app_mem_bytes(const struct app *a)
{
	return tree_mem_bytes(a->tree) + app_ring_bytes(a) + stream_mem_bytes(a->stream);
}

/* What broker l holds on its own: its branch and what waits in its ring. */
static size_t own_bytes(struct app *a, struct app_link *l)
{
	tree_id top = app_link_root(a, l);

	return (top != TREE_NONE ? tree_branch_bytes(a->tree, top) : 0) + ring_bytes_used(l->ring);
}

size_t app_link_mem_bytes(struct app *a, struct app_link *l)
{
	size_t total = app_mem_bytes(a), own[APP_MAX_BROKERS], sum = 0, shared, given = 0;
	size_t k = app_link_index(a, l);

	if (!a->several)
		return total;
	for (size_t i = 0; i < a->nlinks; i++)
		sum += own[i] = own_bytes(a, &a->link[i]);
	/* The rest (allocator slack, the index, the stream, per-topic stores) in proportion of
	 * use, so the brokers' figures add up to the total; the last one takes the rounding. */
	shared = total > sum ? total - sum : 0;
	for (size_t i = 0; i + 1 < a->nlinks; i++) {
		size_t part = sum ? (size_t)((double)shared * (double)own[i] / (double)sum)
		                  : shared / a->nlinks;

		if (i == k)
			return own[i] + part;
		given += own[i] + part;
	}
	return total > given ? total - given : 0;
}

static bool excluded(const struct settings *cfg, const char *topic, size_t len)
{
	for (size_t i = 0; i < cfg->nexcludes; i++)
		if (topic_matches(cfg->excludes[i], topic, len))
			return true;
	return false;
}

/* Adds a message stored on id to the stream, times it, judges silence and wills, checks watches. */
static void observe(struct app *a, const struct app_link *l, tree_id id, const struct msg_view *v)
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
		/* the device under the same broker's branch */
		silence_set_offline(a->silence, a->tree,
		                    l ? app_find(a, l, dev) : tree_find(a->tree, dev, strlen(dev)),
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

_Static_assert(APP_MAX_BROKERS <= TREE_CONN_SLOTS, "a connection slot for each broker");

/* Records, stores and filters one message. */
static void store(struct app *a, struct app_link *l, const struct msg_view *v)
{
	/* l is NULL for an app without brokers (a replay put together by hand) */
	const struct settings *cfg = l ? l->cfg : a->cfg;
	const char *topic = v->topic;
	size_t topic_len = v->h->topic_len;
	struct tree_msg m = tree_msg_of(v);
	tree_id id;

	if (cfg->nexcludes && excluded(cfg, v->topic, v->h->topic_len)) {
		a->excluded++;
		return;
	}
	if (v->h->len < v->h->orig_len)
		a->cut++;
	if (a->several) {
		size_t ll = strlen(l->label);

		/* under the broker's branch (topics are at most 65,535 bytes: the buffer fits) */
		memcpy(a->topic_buf, l->label, ll);
		a->topic_buf[ll] = '/';
		memcpy(a->topic_buf + ll + 1, v->topic, topic_len);
		topic = a->topic_buf;
		topic_len += ll + 1;
	}
	if (a->recorder && !a->several) {
		recorder_write(a->recorder, v);
	} else if (a->recorder) {
		/* recorded under the broker's branch: a replay shows each broker as a branch */
		struct msg_head h = *v->h;
		struct msg_view rv = *v;

		h.topic_len = (uint32_t)topic_len;
		rv.h = &h;
		rv.topic = topic;
		recorder_write_from(a->recorder, &rv, l->label);
	}
	if (l && v->h->retain)
		l->last_retained_ms = clock_mono_ms();
	/* connections are counted per broker: the tree tells them apart by the broker's slot */
	if (l && m.conn)
		m.conn = TREE_CONN(app_link_index(a, l), m.conn);
	id = tree_insert(a->tree, topic, topic_len, &m);
	/* Sparkplug's seq and births must be followed message by message, not when shown; each
	 * broker's namespace on its own. */
	if (v->h->topic_len > sizeof(SPB_NAMESPACE) - 1 &&
	    memcmp(v->topic, SPB_NAMESPACE, sizeof(SPB_NAMESPACE) - 1) == 0 && l->spb)
		spb_model_observe(l->spb, v->topic, v->h->topic_len, v->payload, v->h->len,
		                  v->h->time_ms);
	if (a->filter)
		filter_note(a->filter, a->tree, id);
	if (id != TREE_NONE)
		observe(a, l, id, v);
}

/* Takes up to max records from one broker's ring. */
static size_t drain_link(struct app *a, struct app_link *l, size_t max)
{
	size_t n = 0, len;
	const void *rec;

	while (n < max && (rec = ring_peek(l->ring, &len)) != NULL) {
		struct msg_view v;

		if (!msg_read(rec, len, &v))
			a->malformed++;
		else
			store(a, l, &v);
		ring_release(l->ring);
		n++;
	}
	if (n)
		rate_add(&l->rate, n, clock_mono_ms());
	l->ingested += n;
	return n;
}

size_t app_drain(struct app *a, size_t max, bool *more)
{
	size_t n = 0;

	*more = false;
	/* A share each, so that one flooding broker never holds back the others. */
	for (size_t i = 0; i < a->nlinks; i++) {
		size_t share = (max - n) / (a->nlinks - i);

		n += drain_link(a, &a->link[i], share ? share : 1);
		if (ring_count(a->link[i].ring) > 0)
			*more = true;
	}
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

/*
 * The broker a replayed message of the branch label came from: the first one
 * seen takes the first broker's place, later ones are added (offline, with the
 * first's settings), so each has its decoders and Sparkplug births as live.
 * NULL when the label cannot be a branch, or a replay without branches is under way.
 */
static struct app_link *replay_link(struct app *a, const char *label, size_t len)
{
	char name[sizeof(a->link[0].label)], saved[sizeof(a->broker_label)];
	struct app_link *l;

	if (len == 0 || len >= sizeof(name) || a->nlinks == 0)
		return NULL;
	memcpy(name, label, len);
	name[len] = '\0';
	/* as make_label makes them: no NUL, level or wildcard inside, no '$' first */
	if (strcspn(name, "/+#") < len || name[0] == '$')
		return NULL;
	if ((l = app_link_named(a, name)) != NULL)
		return l;
	if (!a->several && a->link[0].ingested == 0) {
		l = &a->link[0];
		a->several = true;
		watch_set_branches(a->watches, true);
		if (a->topic_buf == NULL)
			a->topic_buf = xmalloc(sizeof(a->link[0].label) + 1 + 65536);
		a->dec = (struct decoders){.brokers = a->dec_of, .nbrokers = a->nlinks};
	} else if (a->several) {
		memcpy(saved, a->broker_label, sizeof(saved));
		if (app_add_broker(a, a->link[0].cfg) != 0)
			return NULL;
		memcpy(a->broker_label, saved, sizeof(saved));
		l = &a->link[a->nlinks - 1];
	} else {
		return NULL;
	}
	memcpy(l->label, name, len + 1);
	return l;
}

void app_ingest(struct app *a, const struct msg_view *v, int64_t now_mono)
{
	app_ingest_from(a, NULL, 0, v, now_mono);
}

void app_ingest_from(struct app *a, const char *broker, size_t len, const struct msg_view *v,
                     int64_t now_mono)
{
	struct app_link *l = a->nlinks ? &a->link[0] : NULL, *bl;
	struct msg_head h;
	struct msg_view bv;

	/* A recording of several brokers: its topic without the branch, stored by its broker. */
	if (broker && v->h->topic_len > len && v->topic[len] == '/' &&
	    memcmp(v->topic, broker, len) == 0 && (bl = replay_link(a, broker, len)) != NULL) {
		h = *v->h;
		bv = *v;
		h.topic_len -= (uint32_t)len + 1;
		bv.topic += len + 1;
		bv.h = &h;
		v = &bv;
		l = bl;
	}
	store(a, l, v);
	a->ingested++;
	if (l)
		l->ingested++;
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

/* The time below which a fraction q of the n timings in hist fell (bucket resolution). */
static uint64_t hist_quantile(const uint64_t *hist, uint64_t n, uint64_t max, double q)
{
	uint64_t want = (uint64_t)(q * (double)n), seen = 0;

	for (unsigned b = 0; b < FRAME_BUCKETS; b++) {
		seen += hist[b];
		if (seen > want)
			return app_frame_bucket_low(b);
	}
	return max;
}

/* name:count for the non-empty buckets; app_frame_bucket_low gives each lower bound. */
static void hist_write(FILE *f, const char *name, const uint64_t *hist)
{
	fprintf(f, "%s", name);
	for (unsigned b = 0; b < FRAME_BUCKETS; b++)
		if (hist[b])
			fprintf(f, " %u:%llu", b, (unsigned long long)hist[b]);
	fprintf(f, "\n");
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
	fprintf(f, "received %llu\n", (unsigned long long)app_received(a));
	fprintf(f, "dropped %llu\n", (unsigned long long)app_drops(a));
	fprintf(f, "topics %llu\n", (unsigned long long)tree_topic_count(a->tree));
	fprintf(f, "nodes %zu\n", tree_node_count(a->tree));
	fprintf(f, "refused %llu\n", (unsigned long long)tree_refused(a->tree));
	fprintf(f, "tree_bytes %zu\n", tree_mem_bytes(a->tree));
	fprintf(f, "first_ingest_ms %lld\n", (long long)a->first_ingest_ms);
	fprintf(f, "last_ingest_ms %lld\n", (long long)a->last_ingest_ms);
	fprintf(f, "frames %llu\n", (unsigned long long)u->frames);
	fprintf(f, "frame_us_mean %llu\n",
	        (unsigned long long)(u->frames ? u->frame_us_sum / u->frames : 0));
	fprintf(f, "frame_us_p50 %llu\n",
	        (unsigned long long)hist_quantile(u->frame_hist, u->frames, u->frame_us_max, 0.50));
	fprintf(f, "frame_us_p99 %llu\n",
	        (unsigned long long)hist_quantile(u->frame_hist, u->frames, u->frame_us_max, 0.99));
	fprintf(f, "frame_us_max %llu\n", (unsigned long long)u->frame_us_max);
	fprintf(f, "frame_us_sum %llu\n", (unsigned long long)u->frame_us_sum);
	hist_write(f, "frame_hist", u->frame_hist);
	fprintf(f, "key_frames %llu\n", (unsigned long long)u->key_frames);
	fprintf(f, "key_us_p50 %llu\n",
	        (unsigned long long)hist_quantile(u->key_hist, u->key_frames, u->key_us_max, 0.50));
	fprintf(f, "key_us_p90 %llu\n",
	        (unsigned long long)hist_quantile(u->key_hist, u->key_frames, u->key_us_max, 0.90));
	fprintf(f, "key_us_max %llu\n", (unsigned long long)u->key_us_max);
	hist_write(f, "key_hist", u->key_hist);
	if (a->link[0].session) {
		struct session_net_stats ns = {0}, one;

		/* How the broker's bytes reach the tree: checked QoS 0 messages go straight into
		 * the ring; everything else through libmosquitto on the local channel. */
		for (size_t i = 0; i < a->nlinks; i++) {
			session_net_stats(a->link[i].session, &one);
			ns.direct += one.direct;
			ns.via_lib += one.via_lib;
			ns.reads += one.reads;
			ns.read_bytes += one.read_bytes;
		}
		fprintf(f, "net_path direct-qos0\n");
		fprintf(f, "net_direct %llu\n", (unsigned long long)ns.direct);
		fprintf(f, "net_via_lib %llu\n", (unsigned long long)ns.via_lib);
		fprintf(f, "net_reads %llu\n", (unsigned long long)ns.reads);
		fprintf(f, "net_read_bytes %llu\n", (unsigned long long)ns.read_bytes);
	}
	fprintf(f, "wakeups %llu\n", (unsigned long long)u->wakeups);
	/* Each broker's own counts when there are several. */
	for (size_t i = 0; a->several && i < a->nlinks; i++) {
		const struct app_link *l = &a->link[i];

		fprintf(f, "broker%zu_label %s\n", i + 1, l->label);
		fprintf(f, "broker%zu_ingested %llu\n", i + 1, (unsigned long long)l->ingested);
		fprintf(f, "broker%zu_received %llu\n", i + 1,
		        (unsigned long long)(l->session ? session_received(l->session) : 0));
		fprintf(f, "broker%zu_dropped %llu\n", i + 1,
		        (unsigned long long)ring_drops(l->ring));
		fprintf(f, "broker%zu_mem_bytes %zu\n", i + 1, app_link_mem_bytes(a, &a->link[i]));
	}
	return safe_replace_commit(&out);
}
