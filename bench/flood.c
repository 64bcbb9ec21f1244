/* flood.c: a libmosquitto flood publisher for the benchmarks (topics, sizes, QoS, count, rate). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <mosquitto.h>
#include <protobuf-c/protobuf-c.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sparkplug_b.pb-c.h"

#define TOPIC_MAX  256
#define SIZE_MAX_  (64 * 1024 * 1024)
#define QOS1_SLOTS 4096 /* messages not yet written or acknowledged before we wait */

enum format { FMT_JSON, FMT_BINARY, FMT_TEXT, FMT_SPARKPLUG };

struct opts {
	const char *host;
	int port;
	const char *id;
	int qos;
	bool retain;
	uint64_t count;    /* 0 = until the duration ends */
	double rate;       /* messages per second, 0 = as fast as possible */
	double seconds;    /* 0 = until count */
	uint64_t topics;   /* 1 = one topic; else sensors/bNN/fNN/rNNN/N */
	uint64_t first;    /* index of the first topic */
	const char *topic; /* the single topic */
	size_t size;
	enum format fmt;
};

struct state {
	bool connected;
	int connack;
	uint64_t acked;
};

static int64_t now_ns(int clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fputs("usage: flood [options]\n"
	      "  -h HOST       broker host (127.0.0.1)\n"
	      "  -p PORT       broker port (1883)\n"
	      "  -i ID         client id (flood-<pid>)\n"
	      "  -q QOS        0 or 1 (0)\n"
	      "  -n COUNT      messages to send (100000; 0 = until -d ends)\n"
	      "  -d SECONDS    stop after this long\n"
	      "  -r RATE       messages per second (0 = as fast as possible)\n"
	      "  -T TOPICS     distinct topics sensors/bNN/fNN/rNNN/N (1 = one topic, -t)\n"
	      "  -F FIRST      index of the first topic (0)\n"
	      "  -t TOPIC      the topic when -T is 1 (bench/one)\n"
	      "  -s SIZE       payload bytes, 1..64M, K and M suffixes (32)\n"
	      "  -f FORMAT     json, binary, text, or sparkplug: a Sparkplug B DDATA of 20 metrics\n"
	      "                by alias to spBv1.0/Bench/DDATA/EdgeNNNN/DevNN (json)\n"
	      "  -R            retain\n"
	      "The last message always goes with QoS 1, and flood waits for its PUBACK: when\n"
	      "it exits, the broker has read every message (see main).\n"
	      "SIGTERM or SIGINT ends the flood as -d does.\n"
	      "Prints one line: sent=N start_ms=T end_ms=T seconds=S rate=R (wall clock).\n",
	      f);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	if (*end == 'k' || *end == 'K')
		v *= 1000, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1000000, end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

static bool parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v < 1 || v > SIZE_MAX_)
		return false;
	*out = (size_t)v;
	return true;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {{"help", no_argument, NULL, 'H'}, {0}};
	uint64_t v;
	int c;

	*o = (struct opts){.host = "127.0.0.1",
	                   .port = 1883,
	                   .count = 100000,
	                   .topics = 1,
	                   .topic = "bench/one",
	                   .size = 32,
	                   .fmt = FMT_JSON};
	while ((c = getopt_long(argc, argv, "h:p:i:q:n:d:r:T:F:t:s:f:RS", longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			o->host = optarg;
			break;
		case 'p':
			if (!parse_u64(optarg, &v) || v == 0 || v > 65535)
				goto bad;
			o->port = (int)v;
			break;
		case 'i':
			o->id = optarg;
			break;
		case 'q':
			if (!parse_u64(optarg, &v) || v > 1)
				goto bad;
			o->qos = (int)v;
			break;
		case 'n':
			if (!parse_u64(optarg, &o->count))
				goto bad;
			break;
		case 'd':
			o->seconds = atof(optarg);
			if (o->seconds <= 0)
				goto bad;
			break;
		case 'r':
			o->rate = atof(optarg);
			if (o->rate < 0)
				goto bad;
			break;
		case 'T':
			if (!parse_u64(optarg, &o->topics) || o->topics == 0 ||
			    o->topics > 100000000)
				goto bad;
			break;
		case 'F':
			if (!parse_u64(optarg, &o->first))
				goto bad;
			break;
		case 't':
			o->topic = optarg;
			break;
		case 's':
			if (!parse_size(optarg, &o->size))
				goto bad;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				o->fmt = FMT_JSON;
			else if (!strcmp(optarg, "binary"))
				o->fmt = FMT_BINARY;
			else if (!strcmp(optarg, "text"))
				o->fmt = FMT_TEXT;
			else if (!strcmp(optarg, "sparkplug"))
				o->fmt = FMT_SPARKPLUG;
			else
				goto bad;
			break;
		case 'R':
			o->retain = true;
			break;
		case 'S': /* the default now; accepted for old scripts */
			break;
		case 'H':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || (o->count == 0 && o->seconds == 0)) {
		usage(stderr);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "flood: bad value for -%c: %s\n", c, optarg);
	return -1;
}

/* Writes n in decimal with at least width digits; returns the end. */
static char *put_num(char *p, uint64_t n, int width)
{
	char tmp[24];
	int k = 0;

	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k < width)
		tmp[k++] = '0';
	while (k)
		*p++ = tmp[--k];
	return p;
}

/*
 * Topic of index i: sensors/bNN/fNN/rNNN/N, the last level changing fastest,
 * so a million topics make 10 rooms x 100 floors x 100 buildings x 10 sensors.
 */
static size_t make_topic(const struct opts *o, uint64_t i, char *buf)
{
	char *p = buf;

	if (o->fmt == FMT_SPARKPLUG) {
		/* Sparkplug devices: spBv1.0/Bench/DDATA/EdgeNNNN/DevNN, 100 devices a node. */
		i = o->first + i % o->topics;
		memcpy(p, "spBv1.0/Bench/DDATA/Edge", 24);
		p = put_num(p + 24, i / 100, 4);
		memcpy(p, "/Dev", 4);
		p = put_num(p + 4, i % 100, 2);
		*p = '\0';
		return (size_t)(p - buf);
	}
	if (o->topics == 1) {
		size_t l = strlen(o->topic);
		memcpy(buf, o->topic, l + 1);
		return l;
	}
	i = o->first + i % o->topics;
	memcpy(p, "sensors/b", 9);
	p = put_num(p + 9, (i / 10) % 100, 2);
	memcpy(p, "/f", 2);
	p = put_num(p + 2, (i / 1000) % 100, 2);
	memcpy(p, "/r", 2);
	p = put_num(p + 2, (i / 100000) % 1000, 3);
	*p++ = '/';
	p = put_num(p, i % 10, 1);
	*p = '\0';
	return (size_t)(p - buf);
}

/* Fills the payload of message seq: exactly o->size bytes in the chosen format. */
static void make_payload(const struct opts *o, uint64_t seq, char *buf)
{
	char head[64], *p = head;
	size_t n, size = o->size;

	switch (o->fmt) {
	case FMT_SPARKPLUG: /* make_sparkplug */
	case FMT_BINARY:
		/* Random bytes were laid down once; stamp the sequence number in front. */
		for (size_t k = 0; k < 8 && k < size; k++)
			buf[k] = (char)(seq >> (8 * k));
		return;
	case FMT_TEXT:
		p = put_num(p, seq % 1000, 1);
		*p++ = '.';
		p = put_num(p, seq % 10, 1);
		break;
	case FMT_JSON:
		memcpy(p, "{\"seq\":", 7);
		p = put_num(p + 7, seq, 1);
		memcpy(p, ",\"v\":", 5);
		p = put_num(p + 5, 200 + seq % 100, 1);
		break;
	}
	n = (size_t)(p - head);
	if (o->fmt == FMT_TEXT) {
		if (n > size)
			n = size;
		memcpy(buf, head, n);
		memset(buf + n, ' ', size - n);
		return;
	}
	/* JSON: {"seq":N,"v":N,"p":"xxx"} or, when too short for padding, spaces before '}'. */
	if (n + 1 > size) {
		memcpy(buf, head, size); /* too small for valid JSON; keep the size */
		return;
	}
	memcpy(buf, head, n);
	if (size - n - 1 >= 8) {
		memcpy(buf + n, ",\"p\":\"", 6);
		memset(buf + n + 6, 'x', size - n - 1 - 6 - 1);
		buf[size - 2] = '"';
	} else {
		memset(buf + n, ' ', size - n - 1);
	}
	buf[size - 1] = '}';
}

#define SPB_METRICS 20

/*
 * A Sparkplug B DDATA of message i with 20 metrics by alias (Float, Double, Int32 and Boolean
 * in turn), encoded by protobuf-c into buf; its node's seq counts on per message. Returns the
 * length.
 */
static size_t make_sparkplug(const struct opts *o, uint64_t i, uint8_t *nodeseq, uint8_t *buf,
                             size_t cap)
{
	Spb__Payload pl = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric m[SPB_METRICS], *mp[SPB_METRICS];
	uint64_t node = (o->first + i % o->topics) / 100;

	for (size_t k = 0; k < SPB_METRICS; k++) {
		spb__payload__metric__init(&m[k]);
		m[k].has_alias = true;
		m[k].alias = k + 1;
		m[k].has_datatype = true;
		switch (k % 4) {
		case 0:
			m[k].datatype = 9; /* Float */
			m[k].value_case = SPB__PAYLOAD__METRIC__VALUE_FLOAT_VALUE;
			m[k].float_value = (float)(20 + (i + k) % 100) / 4;
			break;
		case 1:
			m[k].datatype = 10; /* Double */
			m[k].value_case = SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
			m[k].double_value = 1000.0 + (double)((i * 7 + k) % 1000) / 8;
			break;
		case 2:
			m[k].datatype = 3; /* Int32 */
			m[k].value_case = SPB__PAYLOAD__METRIC__VALUE_INT_VALUE;
			m[k].int_value = (uint32_t)(i % 100000);
			break;
		default:
			m[k].datatype = 11; /* Boolean */
			m[k].value_case = SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
			m[k].boolean_value = (i + k) % 2;
			break;
		}
		mp[k] = &m[k];
	}
	pl.has_timestamp = true;
	pl.timestamp = (uint64_t)(now_ns(CLOCK_REALTIME) / 1000000);
	pl.has_seq = true;
	pl.seq = nodeseq[node]++;
	pl.n_metrics = SPB_METRICS;
	pl.metrics = mp;
	if (spb__payload__get_packed_size(&pl) > cap)
		return 0;
	return spb__payload__pack(&pl, buf);
}

static volatile sig_atomic_t stop_asked;

/* SIGTERM or SIGINT: end the flood as -d does, with the last message and the report. */
static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct state *st = obj;

	(void)m;
	st->connected = true;
	st->connack = rc;
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct state *st = obj;

	(void)m;
	(void)mid;
	st->acked++;
}

/* Reads and writes what is due, waiting at most timeout_ms; false when the connection is lost. */
static bool service(struct mosquitto *m, int timeout_ms)
{
	int rc = mosquitto_loop(m, timeout_ms, 1);

	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "flood: connection lost: %s\n", mosquitto_strerror(rc));
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct state st = {0};
	struct mosquitto *m;
	char topic[TOPIC_MAX], id[64], *payload;
	uint8_t *nodeseq = NULL;
	uint64_t sent = 0;
	int64_t start_wall, start_mono, end_mono, deadline = INT64_MAX;
	int rc;

	if (parse_opts(argc, argv, &o) != 0)
		return 2;
	if (o.fmt == FMT_SPARKPLUG) {
		if (o.size < 512)
			o.size = 512; /* room for a DDATA of 20 metrics */
		nodeseq = calloc((o.first + o.topics) / 100 + 1, 1);
		if (nodeseq == NULL)
			return 1;
	}
	payload = malloc(o.size);
	if (payload == NULL)
		return 1;
	for (size_t k = 0; k < o.size; k++) /* random bytes for the binary format */
		payload[k] = (char)(((k * 2654435761u) >> 13) ^ (k >> 3));
	snprintf(id, sizeof(id), "flood-%d", (int)getpid());

	mosquitto_lib_init();
	m = mosquitto_new(o.id ? o.id : id, true, &st);
	if (m == NULL)
		return 1;
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_max_inflight_messages_set(m, QOS1_SLOTS);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_connect_callback_set(m, on_connect);
	rc = mosquitto_connect(m, o.host, o.port, 600); /* no PINGREQ during a flood */
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "flood: cannot connect to %s:%d: %s\n", o.host, o.port,
		        rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return 1;
	}
	/* Let the CONNACK arrive before the clock starts. */
	for (int i = 0; i < 500 && !st.connected; i++)
		if (!service(m, 10))
			return 1;
	if (!st.connected || st.connack != 0) {
		fprintf(stderr, "flood: the broker did not accept the connection\n");
		return 1;
	}

	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	start_wall = now_ns(CLOCK_REALTIME);
	start_mono = now_ns(CLOCK_MONOTONIC);
	if (o.seconds > 0)
		deadline = start_mono + (int64_t)(o.seconds * 1e9);
	for (bool last = false; !last;) {
		int qos = o.qos;

		last = stop_asked || (o.count && sent + 1 == o.count) ||
		       ((sent & 255) == 0 && now_ns(CLOCK_MONOTONIC) >= deadline);
		if (o.rate > 0) {
			int64_t due = start_mono + (int64_t)((double)sent * 1e9 / o.rate);
			int64_t now = now_ns(CLOCK_MONOTONIC);

			if (due > now) {
				/* Early: wait on the socket so acknowledgements keep flowing. */
				int ms = (int)((due - now) / 1000000);
				if (ms > 0 && !service(m, ms))
					return 1;
				while ((now = now_ns(CLOCK_MONOTONIC)) < due)
					;
			}
		}
		/*
		 * The last message goes with QoS 1: its PUBACK means the broker
		 * has read everything before it. Closing the socket earlier can
		 * lose the broker's unread backlog: a close with anything unread
		 * on our side (a PINGRESP) sends a reset, and the broker's kernel
		 * then drops what its reader had not taken yet.
		 */
		if (last)
			qos = 1;
		size_t len = o.size;

		make_topic(&o, sent, topic);
		if (o.fmt == FMT_SPARKPLUG)
			len = make_sparkplug(&o, sent, nodeseq, (uint8_t *)payload, o.size);
		else
			make_payload(&o, sent, payload);
		rc = mosquitto_publish(m, NULL, topic, (int)len, payload, qos, o.retain);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "flood: publish: %s\n", mosquitto_strerror(rc));
			return 1;
		}
		sent++;
		/*
		 * Keep libmosquitto's queue short: flush what the socket did not
		 * take. on_publish counts QoS 0 messages once written and QoS 1
		 * ones once acknowledged, so sent - acked is what is still ours.
		 */
		while (mosquitto_want_write(m) || sent - st.acked >= QOS1_SLOTS)
			if (!service(m, 100))
				return 1;
		if ((sent & 1023) == 0 && !service(m, 0))
			return 1;
	}
	/* Everything written; for QoS 1 (and -S) wait until the broker acknowledged it all. */
	while (mosquitto_want_write(m) || st.acked < sent)
		if (!service(m, 100))
			return 1;
	end_mono = now_ns(CLOCK_MONOTONIC);
	{
		double secs = (double)(end_mono - start_mono) / 1e9;
		int64_t end_wall = start_wall + (end_mono - start_mono);

		printf("sent=%llu start_ms=%lld end_ms=%lld seconds=%.3f rate=%.0f\n",
		       (unsigned long long)sent, (long long)(start_wall / 1000000),
		       (long long)(end_wall / 1000000), secs, secs > 0 ? (double)sent / secs : 0.0);
	}
	mosquitto_disconnect(m);
	for (int i = 0; i < 10 && mosquitto_loop(m, 10, 1) == MOSQ_ERR_SUCCESS; i++)
		;
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	free(payload);
	free(nodeseq);
	return 0;
}
