/* session.c: connects, subscribes, reconnects with backoff; copies each message into the ring. */
#define _GNU_SOURCE
#include "mqscope/session.h"

#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/msg.h"
#include "mqscope/sysio.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define STABLE_MS      10000 /* a connection this old resets the backoff */
#define READ_BATCH     256   /* extra packet reads per select while data keeps coming */
#define PROPS_MAX      4096
#define COALESCE_MIN   16      /* packets per wake-up that mean a flood */
#define COALESCE_BYTES 65536   /* or bytes */
#define COALESCE_NS    1000000 /* how long a flood may gather before we read it */

struct sub_entry {
	char *filter;
	int qos;
	int granted; /* -1 pending, else granted QoS or refusal code */
	int mid;
};

struct session {
	struct mosquitto *mosq;
	struct ring *ring;
	struct ring events; /* network thread -> UI: publish and subscription outcomes */

	/* subscriptions: edited by the UI, replayed by the network thread on connect */
	pthread_mutex_t subs_lock;
	struct sub_entry *subs;
	size_t nsubs;
	struct settings cfg; /* own copy of what the thread uses */
	size_t payload_cap;

	pthread_t thread;
	bool started;
	int stop_pipe[2];
	atomic_bool stop;

	/* status, written by the network thread only, read under a sequence count */
	atomic_uint_fast64_t gen;
	atomic_int state;
	atomic_int reason;
	atomic_int code;
	atomic_int_fast64_t retry_at_ms;
	atomic_uint attempt;
	atomic_uint_fast64_t connects;

	atomic_uint_fast64_t received;

	/* network-thread private */
	uint64_t rx_bytes; /* topic and payload bytes received */
	bool refused;      /* this attempt's CONNACK refused us; keep that reason */
	int tls_error;
	int64_t connected_at;
};

void session_lib_init(void)
{
	mosquitto_lib_init();
}

void session_lib_cleanup(void)
{
	mosquitto_lib_cleanup();
}

static void wake_ui(struct session *ss)
{
	uint64_t one = 1;
	ssize_t n = write(ss->ring->wake_fd, &one, sizeof(one));

	(void)n;
}

/* Publishes a new status; readers see all fields of one generation or retry. */
static void set_status(struct session *ss, enum session_state st, enum session_reason r, int code,
                       int64_t retry_at)
{
	atomic_fetch_add_explicit(&ss->gen, 1, memory_order_acq_rel);
	atomic_store_explicit(&ss->state, st, memory_order_relaxed);
	atomic_store_explicit(&ss->reason, r, memory_order_relaxed);
	atomic_store_explicit(&ss->code, code, memory_order_relaxed);
	atomic_store_explicit(&ss->retry_at_ms, retry_at, memory_order_relaxed);
	atomic_fetch_add_explicit(&ss->gen, 1, memory_order_release);
	wake_ui(ss);
}

void session_status(const struct session *ss, struct session_status *out)
{
	uint64_t g1, g2;

	do {
		g1 = atomic_load_explicit(&ss->gen, memory_order_acquire);
		out->state = atomic_load_explicit(&ss->state, memory_order_relaxed);
		out->reason = atomic_load_explicit(&ss->reason, memory_order_relaxed);
		out->code = atomic_load_explicit(&ss->code, memory_order_relaxed);
		out->retry_at_ms = atomic_load_explicit(&ss->retry_at_ms, memory_order_relaxed);
		out->attempt = atomic_load_explicit(&ss->attempt, memory_order_relaxed);
		out->connects = atomic_load_explicit(&ss->connects, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		g2 = atomic_load_explicit(&ss->gen, memory_order_relaxed);
	} while (g1 != g2 || (g1 & 1));
	out->gen = g1;
}

uint64_t session_received(const struct session *ss)
{
	return atomic_load_explicit(&ss->received, memory_order_relaxed);
}

static const char *v5_reason_words(int code)
{
	switch (code) {
	case MQTT_RC_UNSPECIFIED:
		return "unspecified error";
	case MQTT_RC_MALFORMED_PACKET:
		return "malformed packet";
	case MQTT_RC_PROTOCOL_ERROR:
		return "protocol error";
	case MQTT_RC_IMPLEMENTATION_SPECIFIC:
		return "refused by the broker (implementation specific)";
	case MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION:
		return "protocol version not supported by the broker";
	case MQTT_RC_CLIENTID_NOT_VALID:
		return "client id rejected";
	case MQTT_RC_BAD_USERNAME_OR_PASSWORD:
		return "bad username or password";
	case MQTT_RC_NOT_AUTHORIZED:
		return "not authorized";
	case MQTT_RC_SERVER_UNAVAILABLE:
		return "server unavailable";
	case MQTT_RC_SERVER_BUSY:
		return "server busy";
	case MQTT_RC_BANNED:
		return "banned by the broker";
	case MQTT_RC_SERVER_SHUTTING_DOWN:
		return "server shutting down";
	case MQTT_RC_BAD_AUTHENTICATION_METHOD:
		return "bad authentication method";
	case MQTT_RC_KEEP_ALIVE_TIMEOUT:
		return "keepalive timeout";
	case MQTT_RC_SESSION_TAKEN_OVER:
		return "session taken over by another client with this id";
	case MQTT_RC_TOPIC_FILTER_INVALID:
		return "topic filter invalid";
	case MQTT_RC_TOPIC_NAME_INVALID:
		return "topic name invalid";
	case MQTT_RC_RECEIVE_MAXIMUM_EXCEEDED:
		return "receive maximum exceeded";
	case MQTT_RC_PACKET_TOO_LARGE:
		return "packet too large";
	case MQTT_RC_MESSAGE_RATE_TOO_HIGH:
		return "message rate too high";
	case MQTT_RC_QUOTA_EXCEEDED:
		return "quota exceeded";
	case MQTT_RC_ADMINISTRATIVE_ACTION:
		return "disconnected by an administrator";
	case MQTT_RC_PAYLOAD_FORMAT_INVALID:
		return "payload format invalid";
	case MQTT_RC_RETAIN_NOT_SUPPORTED:
		return "retain not supported";
	case MQTT_RC_QOS_NOT_SUPPORTED:
		return "QoS not supported";
	case MQTT_RC_USE_ANOTHER_SERVER:
		return "use another server";
	case MQTT_RC_SERVER_MOVED:
		return "server moved";
	case MQTT_RC_CONNECTION_RATE_EXCEEDED:
		return "connection rate exceeded";
	case MQTT_RC_MAXIMUM_CONNECT_TIME:
		return "maximum connect time reached";
	default:
		return NULL;
	}
}

static const char *tls_words(int code)
{
	switch (code) {
	case TLS_ERR_UNKNOWN_CA:
		return "TLS: broker certificate not trusted (unknown CA)";
	case TLS_ERR_HOSTNAME:
		return "TLS: broker certificate does not match the host name";
	case TLS_ERR_EXPIRED:
		return "TLS: broker certificate expired or not yet valid";
	case TLS_ERR_BAD_KEY:
		return "TLS: client certificate or key unusable";
	case TLS_ERR_CERT_REQUIRED:
		return "TLS: broker requires a client certificate";
	case TLS_ERR_HANDSHAKE:
		return "TLS: handshake failed (is this a TLS port?)";
	default:
		return "TLS error";
	}
}

void session_reason_text(enum session_reason r, int code, char *buf, size_t cap)
{
	const char *w = NULL;

	switch (r) {
	case REASON_NONE:
		w = "";
		break;
	case REASON_ERRNO:
		if (code == ECONNREFUSED)
			w = "connection refused";
		else if (code == ETIMEDOUT)
			w = "connection timed out";
		else if (code == EHOSTUNREACH || code == ENETUNREACH)
			w = "host unreachable";
		else
			w = strerror(code);
		break;
	case REASON_LIB:
		if (code == MOSQ_ERR_CONN_LOST)
			w = "connection lost";
		else if (code == MOSQ_ERR_EAI)
			w = "host name not found";
		else if (code == MOSQ_ERR_KEEPALIVE)
			w = "keepalive timeout";
		else if (code == MOSQ_ERR_TLS)
			w = "TLS error";
		else if (code == MOSQ_ERR_PROTOCOL)
			w = "protocol error (is this an MQTT port?)";
		else
			w = mosquitto_strerror(code);
		break;
	case REASON_CONNACK:
		switch (code) {
		case 1:
			w = "protocol version not supported by the broker";
			break;
		case 2:
			w = "client id rejected";
			break;
		case 3:
			w = "server unavailable";
			break;
		case 4:
			w = "bad username or password";
			break;
		case 5:
			w = "not authorized";
			break;
		default:
			w = mosquitto_connack_string(code);
			break;
		}
		break;
	case REASON_V5:
		w = v5_reason_words(code);
		if (w == NULL)
			w = mosquitto_reason_string(code);
		break;
	case REASON_TLS:
		w = tls_words(code);
		break;
	}
	snprintf(buf, cap, "%s", w ? w : "");
}

void session_describe(const struct session_status *st, int64_t now_ms, char *buf, size_t cap)
{
	char why[128];
	int64_t left;

	switch (st->state) {
	case SESSION_IDLE:
		snprintf(buf, cap, "idle");
		break;
	case SESSION_CONNECTING:
		if (st->attempt)
			snprintf(buf, cap, "connecting (attempt %u)", st->attempt + 1);
		else
			snprintf(buf, cap, "connecting");
		break;
	case SESSION_CONNECTED:
		snprintf(buf, cap, "connected");
		break;
	case SESSION_WAITING:
		session_reason_text(st->reason, st->code, why, sizeof(why));
		left = (st->retry_at_ms - now_ms + 999) / 1000;
		if (left < 0)
			left = 0;
		snprintf(buf, cap, "%s%s, retrying in %llds", st->connects ? "lost: " : "", why,
		         (long long)left);
		break;
	case SESSION_STOPPED:
		snprintf(buf, cap, "disconnected");
		break;
	}
}

/* Copies the MQTT 5 properties a viewer shows into our compact encoding. */
static size_t encode_props(const mosquitto_property *props, uint8_t *buf, size_t cap)
{
	size_t off = 0;

	for (const mosquitto_property *p = props; p != NULL; p = mosquitto_property_next(p)) {
		int id = mosquitto_property_identifier(p);
		uint8_t b;
		uint32_t n;
		uint16_t len;
		char *s = NULL, *v = NULL;
		void *bin = NULL;
		bool ok = true;

		switch (id) {
		case MQTT_PROP_PAYLOAD_FORMAT_INDICATOR:
			if (mosquitto_property_read_byte(p, id, &b, false))
				ok = props_put_num(buf, cap, &off, PROP_PAYLOAD_FORMAT, b);
			break;
		case MQTT_PROP_MESSAGE_EXPIRY_INTERVAL:
			if (mosquitto_property_read_int32(p, id, &n, false))
				ok = props_put_num(buf, cap, &off, PROP_MESSAGE_EXPIRY, n);
			break;
		case MQTT_PROP_SUBSCRIPTION_IDENTIFIER:
			if (mosquitto_property_read_varint(p, id, &n, false))
				ok = props_put_num(buf, cap, &off, PROP_SUBSCRIPTION_ID, n);
			break;
		case MQTT_PROP_CONTENT_TYPE:
		case MQTT_PROP_RESPONSE_TOPIC:
			if (mosquitto_property_read_string(p, id, &s, false))
				ok = props_put_str(buf, cap, &off, (uint8_t)id, s, strlen(s));
			break;
		case MQTT_PROP_CORRELATION_DATA:
			if (mosquitto_property_read_binary(p, id, &bin, &len, false))
				ok = props_put_str(buf, cap, &off, PROP_CORRELATION_DATA, bin, len);
			break;
		case MQTT_PROP_USER_PROPERTY:
			if (mosquitto_property_read_string_pair(p, id, &s, &v, false))
				ok = props_put_pair(buf, cap, &off, s, strlen(s), v, strlen(v));
			break;
		default:
			break;
		}
		free(s);
		free(v);
		free(bin);
		if (!ok)
			break; /* the rest does not fit; keep what does */
	}
	return off;
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
	struct session *ss = obj;
	uint8_t pbuf[PROPS_MAX];
	size_t plen = props ? encode_props(props, pbuf, sizeof(pbuf)) : 0;
	size_t tlen = strlen(msg->topic);
	size_t orig = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	size_t len = orig < ss->payload_cap ? orig : ss->payload_cap;
	size_t room = ring_max_record(ss->ring);
	struct msg_head h;
	void *rec;

	(void)m;
	atomic_store_explicit(&ss->received,
	                      atomic_load_explicit(&ss->received, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
	ss->rx_bytes += tlen + orig;
	if (sizeof(h) + tlen + plen > room) {
		ring_count_drop(ss->ring, sizeof(h) + tlen + plen + len);
		return;
	}
	if (sizeof(h) + tlen + plen + len > room)
		len = room - sizeof(h) - tlen - plen; /* keep what fits; orig_len tells the truth */
	rec = ring_reserve(ss->ring, msg_record_size(tlen, len, plen));
	if (rec == NULL)
		return;
	memset(&h, 0, sizeof(h));
	h.time_ms = clock_wall_ms();
	h.topic_len = (uint32_t)tlen;
	h.len = (uint32_t)len;
	h.orig_len = (uint32_t)orig;
	h.props_len = (uint32_t)plen;
	h.qos = (uint8_t)msg->qos;
	h.retain = msg->retain;
	msg_write(rec, &h, msg->topic, msg->payload, pbuf);
	ring_commit(ss->ring);
}

static int sub_options(const struct session *ss)
{
	/* MQTT 5: show the true retain flag of live messages. */
	return ss->cfg.protocol == MQTT_V5 ? MQTT_SUB_OPT_RETAIN_AS_PUBLISHED : 0;
}

/* (Re)subscribes every filter on each CONNACK, so a reconnect renews them all. Lock held. */
static void subscribe_all(struct session *ss)
{
	for (size_t i = 0; i < ss->nsubs; i++) {
		struct sub_entry *e = &ss->subs[i];

		e->granted = -1;
		e->mid = 0;
		mosquitto_subscribe_v5(ss->mosq, &e->mid, e->filter, e->qos, sub_options(ss), NULL);
	}
}

static void push_event(struct session *ss, enum session_event_kind kind, int mid, int rc,
                       const char *filter)
{
	struct session_event *ev = ring_reserve(&ss->events, sizeof(*ev));

	if (ev == NULL)
		return;
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->mid = mid;
	ev->rc = rc;
	if (filter)
		snprintf(ev->filter, sizeof(ev->filter), "%s", filter);
	ring_commit(&ss->events);
	wake_ui(ss);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int count, const int *granted,
                         const mosquitto_property *props)
{
	struct session *ss = obj;

	(void)m;
	(void)props;
	pthread_mutex_lock(&ss->subs_lock);
	for (size_t i = 0; i < ss->nsubs; i++) {
		struct sub_entry *e = &ss->subs[i];

		if (e->mid != mid)
			continue;
		e->granted = count > 0 ? granted[0] : 128;
		push_event(ss, SESSION_EV_SUBSCRIBED, mid, e->granted, e->filter);
	}
	pthread_mutex_unlock(&ss->subs_lock);
}

static void on_unsubscribe(struct mosquitto *m, void *obj, int mid, const mosquitto_property *props)
{
	(void)m;
	(void)props;
	push_event(obj, SESSION_EV_UNSUBSCRIBED, mid, 0, NULL);
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int rc,
                       const mosquitto_property *props)
{
	(void)m;
	(void)props;
	push_event(obj, SESSION_EV_PUBLISHED, mid, rc, NULL);
}

bool session_next_event(struct session *ss, struct session_event *ev)
{
	size_t len;
	const void *p = ring_peek(&ss->events, &len);

	if (p == NULL || len != sizeof(*ev)) {
		if (p)
			ring_release(&ss->events);
		return false;
	}
	memcpy(ev, p, sizeof(*ev));
	ring_release(&ss->events);
	return true;
}

static bool is_connected(const struct session *ss)
{
	return atomic_load_explicit(&ss->state, memory_order_relaxed) == SESSION_CONNECTED;
}

static const char *publish_error(int rc)
{
	switch (rc) {
	case MOSQ_ERR_NO_CONN:
		return "not connected";
	case MOSQ_ERR_INVAL:
		return "invalid topic or QoS";
	case MOSQ_ERR_PAYLOAD_SIZE:
		return "payload too large";
	case MOSQ_ERR_MALFORMED_UTF8:
		return "topic is not valid UTF-8";
	case MOSQ_ERR_OVERSIZE_PACKET:
		return "message larger than the broker accepts";
	case MOSQ_ERR_QOS_NOT_SUPPORTED:
		return "QoS not supported by the broker";
	case MOSQ_ERR_NOMEM:
		return "out of memory";
	default:
		return mosquitto_strerror(rc);
	}
}

int session_publish(struct session *ss, const struct pub_req *req, int *mid, char *err, size_t cap)
{
	mosquitto_property *props = NULL;
	int rc;

	if (!is_connected(ss)) {
		snprintf(err, cap, "not connected");
		return -1;
	}
	if (req->topic == NULL || req->topic[0] == '\0' || mosquitto_pub_topic_check(req->topic)) {
		snprintf(err, cap, "'%s' is not a topic one can publish to (no + or #)",
		         req->topic ? req->topic : "");
		return -1;
	}
	if (req->len > 268435455u) {
		snprintf(err, cap, "payload too large");
		return -1;
	}
	if (ss->cfg.protocol == MQTT_V5) {
		if (req->content_type && *req->content_type)
			mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE,
			                              req->content_type);
		if (req->response_topic && *req->response_topic)
			mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC,
			                              req->response_topic);
		if (req->correlation && req->correlation_len)
			mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA,
			                              req->correlation,
			                              (uint16_t)req->correlation_len);
		if (req->expiry)
			mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL,
			                             req->expiry);
		for (size_t i = 0; i < req->nuser_props; i++)
			mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY,
			                                   req->user_props[2 * i],
			                                   req->user_props[2 * i + 1]);
	}
	rc = mosquitto_publish_v5(ss->mosq, mid, req->topic, (int)req->len, req->payload, req->qos,
	                          req->retain, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, cap, "%s", publish_error(rc));
		return -1;
	}
	return 0;
}

static struct sub_entry *find_sub(struct session *ss, const char *filter)
{
	for (size_t i = 0; i < ss->nsubs; i++)
		if (strcmp(ss->subs[i].filter, filter) == 0)
			return &ss->subs[i];
	return NULL;
}

/* Adds a filter to the list (the caller holds the lock or owns the session alone). */
static struct sub_entry *add_sub(struct session *ss, const char *filter, int qos)
{
	struct sub_entry *e = find_sub(ss, filter);

	if (e == NULL) {
		ss->subs = xrealloc(ss->subs, (ss->nsubs + 1) * sizeof(*ss->subs));
		e = &ss->subs[ss->nsubs++];
		e->filter = xstrdup(filter);
	}
	e->qos = qos;
	e->granted = -1;
	e->mid = 0;
	return e;
}

int session_subscribe(struct session *ss, const char *filter, int qos, char *err, size_t cap)
{
	struct sub_entry *e;

	if (mosquitto_sub_topic_check(filter) != MOSQ_ERR_SUCCESS || strlen(filter) >= 256) {
		snprintf(err, cap, "'%s' is not a valid topic filter", filter);
		return -1;
	}
	if (qos < 0 || qos > 2) {
		snprintf(err, cap, "QoS must be 0, 1 or 2");
		return -1;
	}
	/* Held across the call so a fast SUBACK finds the message id already recorded. */
	pthread_mutex_lock(&ss->subs_lock);
	e = add_sub(ss, filter, qos);
	if (is_connected(ss))
		mosquitto_subscribe_v5(ss->mosq, &e->mid, filter, qos, sub_options(ss), NULL);
	pthread_mutex_unlock(&ss->subs_lock);
	return 0;
}

int session_unsubscribe(struct session *ss, const char *filter, char *err, size_t cap)
{
	struct sub_entry *e;

	pthread_mutex_lock(&ss->subs_lock);
	e = find_sub(ss, filter);
	if (e == NULL) {
		pthread_mutex_unlock(&ss->subs_lock);
		snprintf(err, cap, "not subscribed to '%s'", filter);
		return -1;
	}
	free(e->filter);
	*e = ss->subs[--ss->nsubs];
	if (is_connected(ss))
		mosquitto_unsubscribe_v5(ss->mosq, NULL, filter, NULL);
	pthread_mutex_unlock(&ss->subs_lock);
	return 0;
}

size_t session_subscriptions(struct session *ss, struct session_sub *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&ss->subs_lock);
	n = ss->nsubs;
	for (size_t i = 0; i < n && i < max; i++) {
		snprintf(out[i].filter, sizeof(out[i].filter), "%s", ss->subs[i].filter);
		out[i].qos = ss->subs[i].qos;
		out[i].granted = ss->subs[i].granted;
	}
	pthread_mutex_unlock(&ss->subs_lock);
	return n;
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags,
                       const mosquitto_property *props)
{
	struct session *ss = obj;

	(void)m;
	(void)flags;
	(void)props;
	if (rc != 0) {
		ss->refused = true;
		set_status(ss, SESSION_CONNECTING,
		           ss->cfg.protocol == MQTT_V5 ? REASON_V5 : REASON_CONNACK, rc, 0);
		return;
	}
	ss->connected_at = clock_mono_ms();
	atomic_fetch_add_explicit(&ss->connects, 1, memory_order_relaxed);
	/*
	 * Under the list lock: a filter the UI adds meanwhile is either in
	 * the list we replay, or sees "connected" and subscribes itself.
	 */
	pthread_mutex_lock(&ss->subs_lock);
	set_status(ss, SESSION_CONNECTED, REASON_NONE, 0, 0);
	subscribe_all(ss);
	pthread_mutex_unlock(&ss->subs_lock);
}

/* Classifies libmosquitto's TLS log lines into reasons a person can act on. */
static void on_log(struct mosquitto *m, void *obj, int level, const char *str)
{
	struct session *ss = obj;

	(void)m;
	(void)level;
	if (strstr(str, "OpenSSL Error") == NULL && strstr(str, "SSL") == NULL)
		return;
	if (strstr(str, "hostname mismatch") || strstr(str, "host name mismatch"))
		ss->tls_error = TLS_ERR_HOSTNAME;
	else if (strstr(str, "certificate verify failed") || strstr(str, "unknown ca") ||
	         strstr(str, "self-signed") || strstr(str, "self signed"))
		ss->tls_error = ss->tls_error ? ss->tls_error : TLS_ERR_UNKNOWN_CA;
	else if (strstr(str, "expired"))
		ss->tls_error = TLS_ERR_EXPIRED;
	else if (strstr(str, "certificate required") ||
	         strstr(str, "peer did not return a certificate"))
		ss->tls_error = TLS_ERR_CERT_REQUIRED;
	else if (strstr(str, "wrong version number") || strstr(str, "packet length too long"))
		ss->tls_error = TLS_ERR_HANDSHAKE;
	else if (!ss->tls_error)
		ss->tls_error = TLS_ERR_OTHER;
}

/* Milliseconds to wait before attempt n (1-based): 1, 2, 4, 8, 16, 30, 30 s... */
static int64_t backoff_ms(unsigned n)
{
	int64_t d = BACKOFF_MIN_MS;

	while (n-- > 1 && d < BACKOFF_MAX_MS)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

static int do_connect(struct session *ss)
{
	const struct settings *c = &ss->cfg;
	mosquitto_property *props = NULL;
	int rc;

	if (c->protocol == MQTT_V5 && c->persistent)
		mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, UINT32_MAX);
	rc = mosquitto_connect_bind_v5(ss->mosq, c->host, c->port, c->keepalive, NULL, props);
	mosquitto_property_free_all(&props);
	return rc;
}

/* Sleeps until the deadline or until stop is asked for. */
static void wait_until(struct session *ss, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - clock_mono_ms();
		struct pollfd pfd = {.fd = ss->stop_pipe[0], .events = POLLIN};

		if (left <= 0 || atomic_load(&ss->stop))
			return;
		if (poll(&pfd, 1, (int)left) > 0)
			return;
	}
}

/*
 * Reads, writes and keeps the connection alive until it ends or stop is
 * asked for; returns libmosquitto's code, and errno in *err.
 */
static int serve(struct session *ss, int *err)
{
	bool logging = true, coalesce = false;
	unsigned turns = 0;
	uint64_t woke, woke_bytes;
	int rc = MOSQ_ERR_SUCCESS;

	/* Plain TCP: read ahead, one system call for many packets (see sysio.h). */
	if (mosquitto_ssl_get(ss->mosq) == NULL)
		sysio_readahead_start(mosquitto_socket(ss->mosq));
	while (rc == MOSQ_ERR_SUCCESS && !atomic_load_explicit(&ss->stop, memory_order_relaxed)) {
		if (logging && ss->connected_at) {
			/* Connected: else libmosquitto formats a log line per message. */
			mosquitto_log_callback_set(ss->mosq, NULL);
			logging = false;
		}
		if (sysio_readahead_pending()) {
			/* Packets already read ahead: select() would not see them. */
			rc = mosquitto_loop_read(ss->mosq, 1);
			*err = errno;
			if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(ss->mosq))
				rc = mosquitto_loop_write(ss->mosq, 1);
			if (rc == MOSQ_ERR_SUCCESS && ++turns % 1024 == 0)
				rc = mosquitto_loop_misc(ss->mosq); /* keepalive */
			continue;
		}
		if (coalesce) {
			/*
			 * A flood: let packets gather for a moment rather than wake
			 * for every few (each wake-up costs us and the broker more
			 * than the packets it brings).
			 */
			struct timespec ts = {.tv_nsec = COALESCE_NS};
			nanosleep(&ts, NULL);
		}
		woke = session_received(ss);
		woke_bytes = ss->rx_bytes;
		rc = mosquitto_loop(ss->mosq, ss->cfg.keepalive * 1000, 1);
		*err = errno;
		/* While packets keep arriving, read them without a select() each. */
		for (int i = 0; rc == MOSQ_ERR_SUCCESS && i < READ_BATCH; i++) {
			uint64_t before = session_received(ss);

			rc = mosquitto_loop_read(ss->mosq, 1);
			*err = errno;
			if (session_received(ss) == before)
				break;
		}
		coalesce = session_received(ss) - woke >= COALESCE_MIN ||
		           ss->rx_bytes - woke_bytes >= COALESCE_BYTES;
	}
	sysio_readahead_stop();
	return rc;
}

static void *net_main(void *arg)
{
	struct session *ss = arg;
	unsigned attempt = 0;

	while (!atomic_load(&ss->stop)) {
		int rc, err;

		ss->refused = false;
		ss->tls_error = 0;
		ss->connected_at = 0;
		set_status(ss, SESSION_CONNECTING, REASON_NONE, 0, 0);
		/* TLS failures are classified from libmosquitto's log lines (on_log). */
		mosquitto_log_callback_set(ss->mosq, on_log);
		errno = 0;
		rc = do_connect(ss);
		err = errno;
		if (rc == MOSQ_ERR_SUCCESS)
			rc = serve(ss, &err);
		if (atomic_load(&ss->stop))
			break;

		if (ss->connected_at && clock_mono_ms() - ss->connected_at >= STABLE_MS)
			attempt = 0;
		attempt++;
		atomic_store(&ss->attempt, attempt);
		int64_t retry = clock_mono_ms() + backoff_ms(attempt);
		if (ss->refused) {
			set_status(ss, SESSION_WAITING, atomic_load(&ss->reason),
			           atomic_load(&ss->code), retry);
		} else if (ss->tls_error || rc == MOSQ_ERR_TLS) {
			set_status(ss, SESSION_WAITING, REASON_TLS, ss->tls_error, retry);
		} else if (rc == MOSQ_ERR_ERRNO && err != 0) {
			set_status(ss, SESSION_WAITING, REASON_ERRNO, err, retry);
		} else {
			set_status(ss, SESSION_WAITING, REASON_LIB,
			           rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_CONN_LOST : rc, retry);
		}
		wait_until(ss, retry);
	}
	set_status(ss, SESSION_STOPPED, REASON_NONE, 0, 0);
	return NULL;
}

static void make_client_id(const struct settings *s, char *buf, size_t cap)
{
	char host[64] = "host";

	if (s->client_id) {
		snprintf(buf, cap, "%s", s->client_id);
		return;
	}
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	if (s->id_prefix)
		snprintf(buf, cap, "%s%d", s->id_prefix, (int)getpid());
	else
		snprintf(buf, cap, "mqscope-%s-%d", host, (int)getpid());
	if (s->protocol == MQTT_V31 && strlen(buf) > 23)
		buf[23] = '\0';
}

static void copy_settings(struct settings *d, const struct settings *s)
{
	settings_init(d);
	settings_set_str(&d->host, s->host);
	d->port = s->port;
	settings_set_str(&d->user, s->user);
	settings_set_str(&d->password, s->password);
	d->keepalive = s->keepalive;
	d->protocol = s->protocol;
	d->persistent = s->persistent;
	d->qos = s->qos;
}

static int setup_tls(struct session *ss, const struct settings *s)
{
	int rc;

	if (!s->tls)
		return MOSQ_ERR_SUCCESS;
	if (s->cafile == NULL && s->capath == NULL)
		mosquitto_int_option(ss->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
	rc = mosquitto_tls_set(ss->mosq, s->cafile, s->capath, s->cert, s->key, NULL);
	if (rc == MOSQ_ERR_SUCCESS && s->tls_version)
		rc = mosquitto_tls_opts_set(ss->mosq, 1, s->tls_version, NULL);
	if (rc == MOSQ_ERR_SUCCESS && s->insecure)
		rc = mosquitto_tls_insecure_set(ss->mosq, true);
	return rc;
}

struct session *session_new(const struct settings *s, struct ring *ring)
{
	struct session *ss = xcalloc(1, sizeof(*ss));
	char id[128];

	ss->ring = ring;
	ss->payload_cap = s->payload_cap ? s->payload_cap : (size_t)UINT32_MAX;
	copy_settings(&ss->cfg, s);
	pthread_mutex_init(&ss->subs_lock, NULL);
	for (size_t i = 0; i < s->ntopics; i++)
		add_sub(ss, s->topics[i], s->qos);
	if (ring_init(&ss->events, 64 * 1024, 1024) != 0)
		goto fail;
	ss->stop_pipe[0] = ss->stop_pipe[1] = -1;
	if (pipe2(ss->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		goto fail;
	make_client_id(s, id, sizeof(id));
	ss->mosq = mosquitto_new(id, !s->persistent, ss);
	if (ss->mosq == NULL)
		goto fail;
	mosquitto_int_option(ss->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	                     s->protocol == MQTT_V31    ? MQTT_PROTOCOL_V31
	                     : s->protocol == MQTT_V311 ? MQTT_PROTOCOL_V311
	                                                : MQTT_PROTOCOL_V5);
	/* A monitor should never make the broker hold back QoS 1/2 deliveries. */
	mosquitto_int_option(ss->mosq, MOSQ_OPT_RECEIVE_MAXIMUM, 65535);
	mosquitto_int_option(ss->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_threaded_set(ss->mosq, true);
	if (s->user || s->password)
		mosquitto_username_pw_set(ss->mosq, s->user, s->password);
	if (s->will_topic &&
	    mosquitto_will_set(ss->mosq, s->will_topic,
	                       s->will_payload ? (int)strlen(s->will_payload) : 0, s->will_payload,
	                       s->will_qos, s->will_retain) != MOSQ_ERR_SUCCESS)
		goto fail;
	if (setup_tls(ss, s) != MOSQ_ERR_SUCCESS)
		goto fail;
	mosquitto_connect_v5_callback_set(ss->mosq, on_connect);
	mosquitto_message_v5_callback_set(ss->mosq, on_message);
	mosquitto_subscribe_v5_callback_set(ss->mosq, on_subscribe);
	mosquitto_unsubscribe_v5_callback_set(ss->mosq, on_unsubscribe);
	mosquitto_publish_v5_callback_set(ss->mosq, on_publish);
	mosquitto_log_callback_set(ss->mosq, on_log);
	return ss;
fail:
	session_free(ss);
	return NULL;
}

int session_start(struct session *ss)
{
	if (pthread_create(&ss->thread, NULL, net_main, ss) != 0)
		return -1;
	ss->started = true;
	return 0;
}

void session_stop(struct session *ss, int timeout_ms)
{
	struct timespec ts;
	ssize_t n;

	if (!ss->started)
		return;
	atomic_store(&ss->stop, true);
	n = write(ss->stop_pipe[1], "x", 1);
	(void)n;
	mosquitto_disconnect(ss->mosq);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(ss->thread, NULL, &ts) == 0)
		ss->started = false;
}

void session_free(struct session *ss)
{
	if (ss == NULL)
		return;
	if (ss->started)
		return; /* the thread is stuck in a blocking connect; the process exit reclaims it
		         */
	if (ss->mosq)
		mosquitto_destroy(ss->mosq);
	for (int i = 0; i < 2; i++)
		if (ss->stop_pipe[i] >= 0)
			close(ss->stop_pipe[i]);
	settings_free(&ss->cfg);
	for (size_t i = 0; i < ss->nsubs; i++)
		free(ss->subs[i].filter);
	free(ss->subs);
	if (ss->events.buf)
		ring_free(&ss->events);
	pthread_mutex_destroy(&ss->subs_lock);
	free(ss);
}
