/* app.c: owns the parts of a run and moves messages from the ring into the tree. */
#include "mqscope/app.h"

#include <stdio.h>
#include <string.h>

#include "mqscope/filter.h"
#include "mqscope/msg.h"
#include "mqscope/record.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

int app_init(struct app *a, struct settings *cfg, bool offline)
{
	struct tree_limits lim = {
	    .max_topics = cfg->max_topics,
	    .payload_cap = cfg->payload_cap,
	    .history = cfg->history,
	    .value_budget = cfg->value_budget,
	};

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->demo.broker_pid = a->demo.sim_pid = -1;
	settings_broker_label(cfg, a->broker_label, sizeof(a->broker_label));
	if (ring_init(&a->ring, cfg->ring_bytes, cfg->ring_count) != 0)
		return -1;
	a->tree = tree_new(&lim);
	if (a->tree == NULL)
		return -1;
	if (!offline) {
		a->session = session_new(cfg, &a->ring);
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

/* Records, stores and filters one message. */
static void store(struct app *a, const struct msg_view *v)
{
	struct tree_msg m = {
	    .payload = v->payload,
	    .len = v->h->len,
	    .orig_len = v->h->orig_len,
	    .props = v->props,
	    .props_len = v->h->props_len,
	    .time_ms = v->h->time_ms,
	    .qos = v->h->qos,
	    .retained = v->h->retain,
	};
	tree_id id;

	if (a->cfg->nexcludes && excluded(a, v->topic, v->h->topic_len)) {
		a->excluded++;
		return;
	}
	if (a->recorder)
		recorder_write(a->recorder, v);
	id = tree_insert(a->tree, v->topic, v->h->topic_len, &m);
	if (a->filter)
		filter_note(a->filter, a->tree, id);
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
		if (a->recorder)
			recorder_flush(a->recorder);
	}
	return n;
}

void app_ingest(struct app *a, const struct msg_view *v, int64_t now_mono)
{
	store(a, v);
	a->ingested++;
	rate_add(&a->rate, 1, now_mono);
}

int64_t app_now(const struct app *a)
{
	return a->replay ? replay_now(a->replay, clock_mono_ms()) : clock_wall_ms();
}

int app_write_stats(const struct app *a, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "ingested %llu\n", (unsigned long long)a->ingested);
	fprintf(f, "received %llu\n",
	        (unsigned long long)(a->session ? session_received(a->session) : a->ingested));
	fprintf(f, "dropped %llu\n", (unsigned long long)ring_drops(&a->ring));
	fprintf(f, "topics %llu\n", (unsigned long long)tree_topic_count(a->tree));
	fprintf(f, "nodes %zu\n", tree_node_count(a->tree));
	fprintf(f, "refused %llu\n", (unsigned long long)tree_refused(a->tree));
	fprintf(f, "tree_bytes %zu\n", tree_mem_bytes(a->tree));
	return fclose(f);
}
