/*
 * loops.c: network loop designs side by side, receiving the same flood into the same ring:
 *   lib      libmosquitto's own thread (mosquitto_loop_start)
 *   select   a thread of ours: mosquitto_loop, then mosquitto_loop_read while packets come
 *   session  mqscope's network thread (src/session.c: read-ahead, coalescing)
 * The main thread drains the ring, as mqscope's UI does, and counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <mosquitto.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mqscope/msg.h"
#include "mqscope/ring.h"
#include "mqscope/session.h"
#include "mqscope/settings.h"
#include "mqscope/util.h"

#define READ_BATCH 256

struct client {
	struct mosquitto *mosq;
	struct ring ring;
	atomic_bool stop;
	pthread_t thread;
};

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)obj;
	if (rc == 0)
		mosquitto_subscribe(m, NULL, "#", 0);
}

/* What mqscope's on_message does, without MQTT 5 properties: one copy into the ring. */
static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct client *c = obj;
	size_t tlen = strlen(msg->topic), len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	struct msg_head h = {0};
	void *rec;

	(void)m;
	rec = ring_reserve(&c->ring, msg_record_size(tlen, len, 0));
	if (rec == NULL)
		return;
	h.time_ms = clock_wall_ms();
	h.topic_len = (uint32_t)tlen;
	h.len = h.orig_len = (uint32_t)len;
	h.qos = (uint8_t)msg->qos;
	h.retain = msg->retain;
	msg_write(rec, &h, msg->topic, msg->payload, NULL);
	ring_commit(&c->ring);
}

/* The "select" design: block in mosquitto_loop, then read on while packets keep coming. */
static void *select_main(void *arg)
{
	struct client *c = arg;
	int rc = MOSQ_ERR_SUCCESS;

	while (rc == MOSQ_ERR_SUCCESS && !atomic_load(&c->stop)) {
		rc = mosquitto_loop(c->mosq, 1000, 1);
		for (int i = 0; rc == MOSQ_ERR_SUCCESS && i < READ_BATCH; i++) {
			size_t before = atomic_load_explicit(&c->ring.pushed, memory_order_relaxed);

			rc = mosquitto_loop_read(c->mosq, 1);
			if (atomic_load_explicit(&c->ring.pushed, memory_order_relaxed) == before)
				break;
		}
	}
	return NULL;
}

static int64_t cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

int main(int argc, char **argv)
{
	const char *mode = "session", *id = "loops";
	int port = 1883, c, timeout_s = 600;
	long count = 100000, got = 0;
	struct client cl = {0};
	struct settings cfg;
	struct session *ss = NULL;
	struct ring *ring;
	int64_t deadline, start_cpu;

	while ((c = getopt(argc, argv, "p:n:m:i:w:")) != -1) {
		switch (c) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'm':
			mode = optarg;
			break;
		case 'i':
			id = optarg;
			break;
		case 'w':
			timeout_s = atoi(optarg);
			break;
		default:
			fputs("usage: loops -p PORT -n COUNT -m lib|select|session [-i ID] [-w "
			      "SECONDS]\n",
			      stderr);
			return 2;
		}
	}
	mosquitto_lib_init();
	if (strcmp(mode, "session") == 0) {
		static struct ring r;

		settings_init(&cfg);
		settings_set_str(&cfg.host, "127.0.0.1");
		settings_set_str(&cfg.client_id, id);
		cfg.port = port;
		settings_add_str(&cfg.topics, &cfg.ntopics, "#");
		if (ring_init(&r, cfg.ring_bytes, cfg.ring_count) != 0)
			return 1;
		ss = session_new(&cfg, &r);
		if (ss == NULL || session_start(ss) != 0)
			return 1;
		ring = &r;
	} else if (strcmp(mode, "lib") == 0 || strcmp(mode, "select") == 0) {
		if (ring_init(&cl.ring, (size_t)32 << 20, 1000000) != 0)
			return 1;
		cl.mosq = mosquitto_new(id, true, &cl);
		if (cl.mosq == NULL)
			return 1;
		mosquitto_connect_callback_set(cl.mosq, on_connect);
		mosquitto_message_callback_set(cl.mosq, on_message);
		if (mosquitto_connect(cl.mosq, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "loops: cannot connect\n");
			return 1;
		}
		if (mode[0] == 'l') {
			if (mosquitto_loop_start(cl.mosq) != MOSQ_ERR_SUCCESS)
				return 1;
		} else {
			mosquitto_threaded_set(cl.mosq, true);
			if (pthread_create(&cl.thread, NULL, select_main, &cl) != 0)
				return 1;
		}
		ring = &cl.ring;
	} else {
		fprintf(stderr, "loops: unknown mode %s\n", mode);
		return 2;
	}

	/* Drain as mqscope's UI does: lazily, at most a few milliseconds behind. */
	start_cpu = cpu_ms();
	deadline = clock_mono_ms() + (int64_t)timeout_s * 1000;
	while (got < count && clock_mono_ms() < deadline) {
		struct pollfd pfd = {.fd = ring->wake_fd, .events = POLLIN};
		const void *rec;
		size_t len;

		while ((rec = ring_peek(ring, &len)) != NULL) {
			struct msg_view v;

			if (msg_read(rec, len, &v))
				got++;
			ring_release(ring);
		}
		if (got >= count)
			break;
		if (ring_prepare_sleep(ring, true))
			poll(&pfd, 1, 5);
		ring_clear_wake(ring);
	}
	printf("received=%ld end_ms=%lld cpu_ms=%lld drops=%llu\n", got, (long long)clock_wall_ms(),
	       (long long)(cpu_ms() - start_cpu), (unsigned long long)ring_drops(ring));
	fflush(stdout);
	if (ss != NULL) {
		session_stop(ss, 2000);
		session_free(ss);
		settings_free(&cfg);
	} else if (mode[0] == 'l') {
		mosquitto_disconnect(cl.mosq);
		mosquitto_loop_stop(cl.mosq, false);
	} else {
		atomic_store(&cl.stop, true);
		mosquitto_disconnect(cl.mosq);
		pthread_join(cl.thread, NULL);
	}
	return got >= count ? 0 : 1;
}
