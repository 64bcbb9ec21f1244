/*
 * trackers.c: what the debugging trackers cost per message. The same messages (JSON sensor
 * readings over many topics) are drained from the ring once into the tree alone, and once by
 * app_drain, which stores them and passes each to the timing, silence, will, watch and stream
 * trackers. Both use the app's own tree, made by app_init from the default settings.
 * Prints one line: tree=R app=R ratio=X (messages per second of CPU time, the best of the runs
 * of each).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqscope/app.h"
#include "mqscope/msg.h"
#include "mqscope/ring.h"
#include "mqscope/settings.h"
#include "mqscope/tree.h"
#include "mqscope/util.h"

#define PAYLOAD_LEN 32
#define BATCH       50000 /* records put in the ring, then drained */

struct traffic {
	size_t n, topics;
	char *names;   /* topics * 32 bytes */
	char *payload; /* n * PAYLOAD_LEN bytes */
	struct msg_head *heads;
};

/* CPU time of this thread: what the draining costs, whatever else the machine runs meanwhile. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n readings round-robin over the topics, 100 per ms of message time, as a flood brings them. */
static void traffic_make(struct traffic *t, size_t n, size_t topics)
{
	int64_t t0 = clock_wall_ms();

	t->n = n;
	t->topics = topics;
	t->names = xcalloc(topics, 32);
	t->payload = xmalloc(n * PAYLOAD_LEN);
	t->heads = xcalloc(n, sizeof(*t->heads));
	for (size_t i = 0; i < topics; i++)
		snprintf(t->names + i * 32, 32, "sensors/g%03zu/t%03zu", i / 100 % 1000, i % 100);
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		int w = snprintf(buf, sizeof(buf), "{\"value\":%zu.%zu,\"seq\":%zu}", i % 40,
		                 i % 10, i);

		/* White space after the JSON up to the fixed length. */
		memset(t->payload + i * PAYLOAD_LEN, ' ', PAYLOAD_LEN);
		memcpy(t->payload + i * PAYLOAD_LEN, buf,
		       w < PAYLOAD_LEN ? (size_t)w : PAYLOAD_LEN);
		t->heads[i].time_ms = t0 + (int64_t)(i / 100);
		t->heads[i].topic_len = (uint32_t)strlen(t->names + i % topics * 32);
		t->heads[i].len = t->heads[i].orig_len = PAYLOAD_LEN;
	}
}

static struct msg_view view_of(const struct traffic *t, size_t i)
{
	struct msg_view v = {
	    .h = &t->heads[i],
	    .topic = t->names + i % t->topics * 32,
	    .payload = t->payload + i * PAYLOAD_LEN,
	};
	return v;
}

/* Puts messages from..to into the app's ring, as the network thread does; returns the next. */
static size_t fill(struct app *a, const struct traffic *t, size_t from, size_t to)
{
	for (; from < to; from++) {
		struct msg_view v = view_of(t, from);
		size_t len = msg_record_size(v.h->topic_len, v.h->len, 0);
		void *rec = ring_reserve(&a->ring, len);

		if (rec == NULL)
			break;
		msg_write(rec, v.h, v.topic, v.payload, NULL);
		ring_commit(&a->ring);
	}
	return from;
}

/* What app_drain does without the trackers: read each record and store it in the tree. */
static void drain_tree(struct app *a)
{
	const void *rec;
	size_t len;

	while ((rec = ring_peek(&a->ring, &len)) != NULL) {
		struct msg_view v;

		if (msg_read(rec, len, &v)) {
			struct tree_msg m = tree_msg_of(&v);

			tree_insert(a->tree, v.topic, v.h->topic_len, &m);
		}
		ring_release(&a->ring);
	}
}

/*
 * Messages per CPU second drained from the ring into a fresh app: into the tree alone, or
 * through app_drain (the tree and every tracker), in slices of 512 as the UI takes them. Only
 * the draining is timed, not the filling of the ring.
 */
static double run(const struct traffic *t, bool trackers)
{
	struct settings cfg;
	struct app a;
	double secs = 0;
	size_t done = 0;

	settings_init(&cfg);
	if (app_init(&a, &cfg, true) != 0) {
		fprintf(stderr, "trackers: app_init failed\n");
		exit(1);
	}
	while (done < t->n) {
		size_t next = fill(&a, t, done, done + BATCH < t->n ? done + BATCH : t->n);
		double t0 = now_s();
		bool more = true;

		if (next == done) {
			fprintf(stderr, "trackers: the ring takes no record\n");
			exit(1);
		}
		if (trackers)
			while (more)
				app_drain(&a, 512, &more);
		else
			drain_tree(&a);
		secs += now_s() - t0;
		done = next;
	}
	app_free(&a);
	settings_free(&cfg);
	return (double)t->n / secs;
}

int main(int argc, char **argv)
{
	size_t n = 1000000, topics = 10000;
	int runs = 3, c;
	double best_tree = 0, best_app = 0;
	struct traffic t;

	while ((c = getopt(argc, argv, "n:T:r:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'T':
			topics = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: trackers [-n MESSAGES] [-T TOPICS] [-r RUNS]\n");
			return 2;
		}
	}
	if (n == 0 || topics == 0 || runs < 1) {
		fprintf(stderr, "trackers: -n, -T and -r must be positive\n");
		return 2;
	}
	traffic_make(&t, n, topics);
	/* Alternated, so that a busy moment of the machine falls on both alike. */
	for (int r = 0; r < runs; r++) {
		double a = run(&t, false), b = run(&t, true);

		best_tree = a > best_tree ? a : best_tree;
		best_app = b > best_app ? b : best_app;
	}
	printf("tree=%.0f app=%.0f ratio=%.3f\n", best_tree, best_app, best_app / best_tree);
	free(t.names);
	free(t.payload);
	free(t.heads);
	return 0;
}
