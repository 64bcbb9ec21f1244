/* retained.c: test helper: fill a broker with many retained topics, or count the retained ones.
 *
 *   retained fill PORT PREFIX N    retained "v<i>" on PREFIX/g<i/100>/t<i%100>, i < N
 *   retained count PORT FILTER     prints how many retained messages match FILTER
 *
 * count is exact, not a guess after a quiet period: after the broker acknowledges
 * the subscription to FILTER (and so has queued every retained match) it subscribes
 * to a sentinel topic and stops when the sentinel's retained message arrives behind
 * them. Both exit 1 after 20 s without finishing.
 */
#include <mosquitto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SENTINEL "mqscope-test/sentinel"

struct st {
	int sentinel_mid;
	bool acked;
	int subacks;
	long count;
	bool done;
	const char *filter;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Called for every publish (QoS 0 ones once written): only the sentinel's PUBACK counts. */
static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct st *s = obj;

	(void)m;
	if (mid == s->sentinel_mid)
		s->acked = true;
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	struct st *s = obj;

	(void)mid;
	(void)n;
	(void)granted;
	if (s->subacks++ == 0)
		mosquitto_subscribe(m, NULL, SENTINEL, 0);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct st *s = obj;

	(void)m;
	if (strcmp(msg->topic, SENTINEL) == 0) {
		/* The copy that follows the second SUBACK ends the count ("#" matches it too). */
		s->done = s->subacks >= 2;
		return;
	}
	if (msg->retain)
		s->count++;
}

/* Runs the loop until cond or 20 s; returns 0 when cond held. */
static int run(struct mosquitto *m, struct st *s, bool (*cond)(struct st *))
{
	long deadline = now_ms() + 20000;

	while (!cond(s)) {
		if (now_ms() > deadline || mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS)
			return 1;
	}
	return 0;
}

static bool all_acked(struct st *s)
{
	return s->acked;
}

static bool sentinel_seen(struct st *s)
{
	return s->done;
}

int main(int argc, char **argv)
{
	struct st s = {0};
	struct mosquitto *m;
	int port, rc = 1;

	if (argc != 5 && !(argc == 4 && strcmp(argv[1], "count") == 0)) {
		fprintf(stderr,
		        "usage: retained fill PORT PREFIX N | retained count PORT FILTER\n");
		return 2;
	}
	port = atoi(argv[2]);
	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, &s);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_message_callback_set(m, on_message);
	/* A bulk filler must not be throttled by the default inflight window. */
	mosquitto_max_inflight_messages_set(m, 0);
	if (mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "retained: cannot connect to 127.0.0.1:%d\n", port);
		return 1;
	}
	if (strcmp(argv[1], "fill") == 0) {
		long n = atol(argv[4]);
		char topic[512], val[32];

		/* QoS 0 for the bulk, then one QoS 1 message: its PUBACK comes after all of them.
		 */
		for (long i = 0; i < n; i++) {
			snprintf(topic, sizeof(topic), "%s/g%03ld/t%03ld", argv[3], i / 100,
			         i % 100);
			snprintf(val, sizeof(val), "v%ld", i);
			mosquitto_publish(m, NULL, topic, (int)strlen(val), val, 0, true);
			if (i % 500 == 499)
				mosquitto_loop(m, 0, 1);
		}
		mosquitto_publish(m, &s.sentinel_mid, SENTINEL, 1, "x", 1, true);
		rc = run(m, &s, all_acked);
	} else if (strcmp(argv[1], "count") == 0) {
		mosquitto_publish(m, &s.sentinel_mid, SENTINEL, 1, "x", 1, true);
		if (run(m, &s, all_acked) == 0) {
			mosquitto_subscribe(m, NULL, argv[3], 0);
			rc = run(m, &s, sentinel_seen);
			if (rc == 0)
				printf("%ld\n", s.count);
		}
	}
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	if (rc)
		fprintf(stderr, "retained: %s did not finish in time\n", argv[1]);
	return rc;
}
