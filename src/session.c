/* session.c: connects, subscribes, reconnects with backoff; copies each message into the ring. */
#define _GNU_SOURCE
#include "mqscope/session.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/msg.h"
#include "mqscope/negotiate.h"
#include "mqscope/sysio.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define STABLE_MS      10000 /* a connection this old resets the backoff */
#define AT_ONCE_MS     1000  /* a close this soon, before any message, is "right after CONNACK" */
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
	uint32_t id; /* MQTT 5 subscription identifier: which of ours delivered a message */
};

struct session {
	struct mosquitto *mosq;
	struct ring *ring;
	struct ring events; /* network thread -> UI: publish and subscription outcomes */

	/* subscriptions: edited by the UI, replayed by the network thread on connect */
	pthread_mutex_t subs_lock;
	struct sub_entry *subs;
	size_t nsubs;
	uint32_t last_sub_id;
	/*
	 * Some two filters match a topic in common: the broker may deliver such a
	 * message once per subscription, each copy with its subscription
	 * identifier; only the copy of the first matching one is kept.
	 */
	atomic_bool overlap;
	atomic_uint_fast64_t duplicates; /* copies left out */
	bool sub_ids;                    /* the broker takes subscription identifiers (v5) */
	struct settings cfg;             /* own copy of what the thread uses */
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
	atomic_int protocol, protocol_why;      /* the version offered or in use, and why it */
	atomic_char detail[SESSION_DETAIL_MAX]; /* under the same sequence count */

	atomic_uint_fast64_t received;

	/* connection events, newest last (network thread writes, UI thread reads) */
	pthread_mutex_t log_lock;
	struct session_log_entry log[SESSION_LOG_MAX];
	uint64_t nlog; /* events ever logged; the newest is log[(nlog - 1) % SESSION_LOG_MAX] */

	/* credentials the UI asked for, applied by the network thread before it connects */
	pthread_mutex_t login_lock;
	char *login_user, *login_pw;
	bool login_pending;

	/* network-thread private */
	uint64_t rx_bytes; /* topic and payload bytes received */
	bool refused; /* the broker gave this attempt a reason (CONNACK, DISCONNECT); keep it */
	bool bound_broken; /* the stream broke a bound of inbound.h; the detail says which */
	int tls_error;
	int64_t connected_at;
	uint64_t received_at_connect; /* messages received before this connection */
	int lost_rc;                  /* what libmosquitto told on_disconnect */
	bool bad_property;            /* libmosquitto met an MQTT 5 property it does not know */
	struct negotiate neg;         /* which MQTT version to offer (negotiate.h) */
	struct negotiate_seen seen;   /* what this attempt showed about it */
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
	if (r == REASON_NONE)
		atomic_store_explicit(&ss->detail[0], '\0', memory_order_relaxed);
	atomic_fetch_add_explicit(&ss->gen, 1, memory_order_release);
	wake_ui(ss);
}

/* Sets the text that explains the current reason further (NULL clears it). */
static void set_detail(struct session *ss, const char *text)
{
	size_t i = 0;

	atomic_fetch_add_explicit(&ss->gen, 1, memory_order_acq_rel);
	for (; text && text[i] && i + 1 < SESSION_DETAIL_MAX; i++)
		atomic_store_explicit(&ss->detail[i], text[i], memory_order_relaxed);
	atomic_store_explicit(&ss->detail[i], '\0', memory_order_relaxed);
	atomic_fetch_add_explicit(&ss->gen, 1, memory_order_release);
}

/* Publishes the MQTT version offered or in use, and why it is that one. */
static void set_protocol(struct session *ss, int version, enum negotiate_answer why)
{
	atomic_fetch_add_explicit(&ss->gen, 1, memory_order_acq_rel);
	atomic_store_explicit(&ss->protocol, version, memory_order_relaxed);
	atomic_store_explicit(&ss->protocol_why, (int)why, memory_order_relaxed);
	atomic_fetch_add_explicit(&ss->gen, 1, memory_order_release);
}

/* Whether the connection (or the attempt under way) speaks MQTT 5. */
static bool speaks_v5(const struct session *ss)
{
	return session_protocol(ss) == MQTT_V5;
}

/* Adds a connection event; the status detail (set by this thread) goes with it. */
static void log_event(struct session *ss, enum session_log_kind kind, enum session_reason r,
                      int code, int64_t retry_ms, int64_t lasted_ms)
{
	struct session_log_entry *e;

	pthread_mutex_lock(&ss->log_lock);
	e = &ss->log[ss->nlog % SESSION_LOG_MAX];
	memset(e, 0, sizeof(*e));
	e->time_ms = clock_wall_ms();
	e->kind = kind;
	e->reason = r;
	e->code = code;
	e->connection = atomic_load_explicit(&ss->connects, memory_order_relaxed);
	e->retry_ms = retry_ms;
	e->lasted_ms = lasted_ms;
	e->protocol = atomic_load_explicit(&ss->protocol, memory_order_relaxed);
	e->protocol_why = atomic_load_explicit(&ss->protocol_why, memory_order_relaxed);
	e->protocol_fixed = ss->neg.fixed != 0;
	if (kind != SESSION_LOG_CONNECTED)
		for (size_t i = 0; i + 1 < sizeof(e->detail); i++) {
			e->detail[i] = atomic_load_explicit(&ss->detail[i], memory_order_relaxed);
			if (e->detail[i] == '\0')
				break;
		}
	ss->nlog++;
	pthread_mutex_unlock(&ss->log_lock);
}

size_t session_log(struct session *ss, struct session_log_entry *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&ss->log_lock);
	n = ss->nlog < SESSION_LOG_MAX ? (size_t)ss->nlog : SESSION_LOG_MAX;
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = ss->log[(ss->nlog - n + i) % SESSION_LOG_MAX];
	pthread_mutex_unlock(&ss->log_lock);
	return n;
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
		out->protocol = atomic_load_explicit(&ss->protocol, memory_order_relaxed);
		out->protocol_why = atomic_load_explicit(&ss->protocol_why, memory_order_relaxed);
		for (size_t i = 0; i < SESSION_DETAIL_MAX; i++) {
			out->detail[i] = atomic_load_explicit(&ss->detail[i], memory_order_relaxed);
			if (out->detail[i] == '\0')
				break;
		}
		out->detail[SESSION_DETAIL_MAX - 1] = '\0';
		atomic_thread_fence(memory_order_acquire);
		g2 = atomic_load_explicit(&ss->gen, memory_order_relaxed);
	} while (g1 != g2 || (g1 & 1));
	out->gen = g1;
	out->protocol_fixed = ss->neg.fixed != 0; /* set before the thread starts */
}

int session_protocol(const struct session *ss)
{
	return atomic_load_explicit(&ss->protocol, memory_order_relaxed);
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
		return "TLS: broker certificate not trusted (unknown CA; give the CA with "
		       "--cafile)";
	case TLS_ERR_HOSTNAME:
		return "TLS: broker certificate does not match the host name";
	case TLS_ERR_EXPIRED:
		return "TLS: broker certificate expired or not yet valid";
	case TLS_ERR_BAD_KEY:
		return "TLS: client key unusable (unreadable, or not the key of --cert)";
	case TLS_ERR_CERT_REQUIRED:
		return "TLS: broker requires a client certificate (--cert and --key)";
	case TLS_ERR_CERT_REJECTED:
		return "TLS: broker rejected the client certificate";
	case TLS_ERR_VERSION:
		return "TLS: no TLS version or cipher both sides accept";
	case TLS_ERR_CLOSED:
		return "TLS: broker closed the connection during the handshake (not a TLS port?)";
	case TLS_ERR_HANDSHAKE:
		return "TLS: handshake failed (is this a TLS port?)";
	case TLS_ERR_PSK:
		return "TLS: broker rejected the pre-shared key (--psk, --psk-identity)";
	default:
		return "TLS error";
	}
}

/* Short enough for the status bar: the log view ('c') has room for the rest. */
static const char *peer_words(int code)
{
	switch (code) {
	case PEER_CLOSED:
		return "the broker closed the connection";
	case PEER_CLOSED_AT_ONCE:
		return "the broker closed the connection right after CONNACK";
	case PEER_KEEPALIVE:
		return "keepalive timeout: the broker did not answer PINGREQ";
	case PEER_NO_CONNACK:
		return "no CONNACK: the broker never answered CONNECT";
	case PEER_BAD_UTF8:
		return "the broker sent a topic with invalid UTF-8 or control chars";
	case PEER_PROTOCOL:
		return "the broker sent a packet that breaks the MQTT protocol";
	case PEER_MALFORMED:
		return "the broker sent a malformed packet";
	case PEER_DUP_PROPERTY:
		return "the broker sent a duplicated MQTT 5 property";
	case PEER_UNKNOWN_PROPERTY:
		return "the broker sent an unknown MQTT 5 property";
	default:
		return "the broker misbehaved";
	}
}

bool session_reason_is_auth(enum session_reason r, int code)
{
	if (r == REASON_CONNACK)
		return code == 4 || code == 5;
	if (r == REASON_V5)
		return code == MQTT_RC_BAD_USERNAME_OR_PASSWORD || code == MQTT_RC_NOT_AUTHORIZED;
	return false;
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
		else if (code == MOSQ_ERR_AUTH)
			w = "the SOCKS proxy refused the username or password";
		else if (code == MOSQ_ERR_PROXY)
			w = "the SOCKS proxy could not reach the broker";
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
	case REASON_BOUND:
		w = "stopped reading";
		break;
	case REASON_CLOSED:
		w = code == CLOSED_TLS ? "the broker answered in TLS: a TLS port (use mqtts:// or "
		                         "--cafile)"
		    : code == CLOSED_FIXED_V5
		        ? "the broker closed the connection before answering (no MQTT 5? leave "
		          "out -V)"
		        : "the broker closed the connection before answering";
		break;
	case REASON_VERSION:
		if (code & 0x100)
			snprintf(buf, cap,
			         "the broker refused MQTT %s (asked for with -V; leave it out to "
			         "negotiate)",
			         negotiate_version_name(code & 0xff));
		else if ((code & 0xff) == 5)
			snprintf(buf, cap,
			         "the broker has no MQTT 5, and only MQTT 5 sends a "
			         "password without a username (add -u)");
		else
			snprintf(buf, cap, "the broker accepts none of MQTT 5, 3.1.1 and 3.1");
		return;
	case REASON_PEER:
		w = peer_words(code);
		break;
	}
	snprintf(buf, cap, "%s", w ? w : "");
}

/* sep and the MQTT version in use with why ("MQTT 3.1.1: the broker has no MQTT 5"), or "". */
static void version_words(int version, bool fixed, int why, const char *sep, char *buf, size_t cap)
{
	char v[96];

	buf[0] = '\0';
	if (version == 0)
		return; /* not told (an entry made before any attempt) */
	negotiate_describe(version, fixed, (enum negotiate_answer)why, v, sizeof(v));
	snprintf(buf, cap, "%s%s", sep, v);
}

/* "850 ms", "12s", "3m 20s", "2h 5m". */
static void fmt_span(char *buf, size_t cap, int64_t ms)
{
	int64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, cap, "%lld ms", (long long)ms);
	else if (s < 60)
		snprintf(buf, cap, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, cap, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, cap, "%lldh %lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
}

void session_log_describe(const struct session_log_entry *e, char *buf, size_t cap)
{
	char why[128 + SESSION_DETAIL_MAX], lasted[32], retry[32];
	size_t n;

	if (e->kind == SESSION_LOG_CONNECTED) {
		version_words(e->protocol, e->protocol_fixed, e->protocol_why, "; ", why,
		              sizeof(why));
		snprintf(buf, cap, "connected (connection %llu)%s",
		         (unsigned long long)e->connection, why);
		return;
	}
	if (e->kind == SESSION_LOG_FALLBACK) {
		snprintf(buf, cap, "MQTT %s refused, MQTT %s at once: %s",
		         negotiate_version_name(e->code), negotiate_version_name(e->protocol),
		         negotiate_answer_words(e->protocol_why));
		return;
	}
	session_reason_text(e->reason, e->code, why, sizeof(why));
	n = strlen(why);
	if (e->detail[0] != '\0')
		snprintf(why + n, sizeof(why) - n, ": %s", e->detail);
	fmt_span(retry, sizeof(retry), e->retry_ms);
	if (e->kind == SESSION_LOG_LOST) {
		fmt_span(lasted, sizeof(lasted), e->lasted_ms);
		snprintf(buf, cap, "lost after %s: %s; next attempt in %s", lasted, why, retry);
	} else {
		snprintf(buf, cap, "failed: %s; next attempt in %s", why, retry);
	}
}

void session_describe(const struct session_status *st, int64_t now_ms, char *buf, size_t cap)
{
	char why[128 + SESSION_DETAIL_MAX];
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
		/* MQTT 5 goes without saying here (the log says it); anything older is news. */
		version_words(st->protocol == MQTT_V5 ? 0 : st->protocol, st->protocol_fixed,
		              st->protocol_why, " ", why, sizeof(why));
		snprintf(buf, cap, "connected%s", why);
		break;
	case SESSION_WAITING:
		session_reason_text(st->reason, st->code, why, sizeof(why));
		if (st->detail[0] != '\0') {
			size_t n = strlen(why);
			snprintf(why + n, sizeof(why) - n, ": %s", st->detail);
		}
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
		/* Subscription identifiers are the numbers we gave (first_copy): not shown. */
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

static bool first_copy(struct session *ss, const char *topic, size_t len,
                       const mosquitto_property *props);

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
	struct session *ss = obj;
	uint8_t pbuf[PROPS_MAX];
	size_t plen = props ? encode_props(props, pbuf, sizeof(pbuf)) : 0;
	size_t tlen = strlen(msg->topic);
	size_t orig = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	uint32_t real;
	size_t len = orig < ss->payload_cap ? orig : ss->payload_cap;
	size_t room = ring_max_record(ss->ring);
	struct msg_head h;
	void *rec;

	(void)m;
	if (atomic_load_explicit(&ss->overlap, memory_order_relaxed) &&
	    !first_copy(ss, msg->topic, tlen, props))
		return; /* counted already, from another subscription */
	/* Cut on the way in (inbound.h): the record says how big it really was. */
	if (sysio_payload_cut(msg->qos, msg->mid, &real))
		orig = real;
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
	h.conn = (uint16_t)atomic_load_explicit(&ss->connects, memory_order_relaxed);
	msg_write(rec, &h, msg->topic, msg->payload, pbuf);
	ring_commit(ss->ring);
}

static int sub_options(const struct session *ss)
{
	/* MQTT 5: show the true retain flag of live messages. */
	return speaks_v5(ss) ? MQTT_SUB_OPT_RETAIN_AS_PUBLISHED : 0;
}

/* Subscribes one filter, with its identifier where the broker takes them. Lock held. */
static void subscribe_one(struct session *ss, struct sub_entry *e)
{
	mosquitto_property *props = NULL;

	if (speaks_v5(ss) && ss->sub_ids)
		mosquitto_property_add_varint(&props, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, e->id);
	mosquitto_subscribe_v5(ss->mosq, &e->mid, e->filter, e->qos, sub_options(ss), props);
	mosquitto_property_free_all(&props);
}

/* (Re)subscribes every filter on each CONNACK, so a reconnect renews them all. Lock held. */
static void subscribe_all(struct session *ss)
{
	for (size_t i = 0; i < ss->nsubs; i++) {
		struct sub_entry *e = &ss->subs[i];

		e->granted = -1;
		e->mid = 0;
		subscribe_one(ss, e);
	}
}

/* Whether any two filters overlap, for on_message. Lock held. */
static void note_overlap(struct session *ss)
{
	bool any = false;

	for (size_t i = 0; i < ss->nsubs && !any; i++)
		for (size_t j = i + 1; j < ss->nsubs && !any; j++)
			any = topic_filters_overlap(ss->subs[i].filter, ss->subs[j].filter);
	atomic_store_explicit(&ss->overlap, any, memory_order_relaxed);
}

/*
 * Whether to keep a message that several of our filters match: only the copy
 * the first granted one among them delivered (its identifier is among the
 * message's). Without identifiers there is no telling copies apart: kept.
 */
static bool first_copy(struct session *ss, const char *topic, size_t len,
                       const mosquitto_property *props)
{
	uint32_t ids[8], first = 0;
	size_t n = 0;
	bool keep = false;

	for (const mosquitto_property *p = props; p != NULL && n < 8;
	     p = mosquitto_property_next(p))
		if (mosquitto_property_identifier(p) == MQTT_PROP_SUBSCRIPTION_IDENTIFIER &&
		    mosquitto_property_read_varint(p, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, &ids[n],
		                                   false))
			n++;
	if (n == 0)
		return true;
	pthread_mutex_lock(&ss->subs_lock);
	for (size_t i = 0; i < ss->nsubs; i++) {
		const struct sub_entry *e = &ss->subs[i];

		if (e->granted >= 0 && e->granted <= 2 && (first == 0 || e->id < first) &&
		    topic_matches(e->filter, topic, len))
			first = e->id;
	}
	pthread_mutex_unlock(&ss->subs_lock);
	for (size_t i = 0; i < n && !keep; i++)
		keep = first == 0 || ids[i] == first;
	if (!keep)
		atomic_fetch_add_explicit(&ss->duplicates, 1, memory_order_relaxed);
	return keep;
}

uint64_t session_duplicates(struct session *ss)
{
	return atomic_load_explicit(&ss->duplicates, memory_order_relaxed);
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
	if (speaks_v5(ss)) {
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
		e->id = ++ss->last_sub_id;
		note_overlap(ss);
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
		subscribe_one(ss, e);
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
	note_overlap(ss);
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

/* Reads a string property (reason string, server reference) for the status detail. */
static void prop_detail(const mosquitto_property *props, int id, const char *label, char *buf,
                        size_t cap)
{
	char *v = NULL;
	size_t n = strlen(buf);

	if (props && mosquitto_property_read_string(props, id, &v, false) && v && *v)
		snprintf(buf + n, cap - n, "%s%s%s", n ? "; " : "", label, v);
	free(v);
}

static void on_log(struct mosquitto *m, void *obj, int level, const char *str);

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags,
                       const mosquitto_property *props)
{
	struct session *ss = obj;
	char detail[SESSION_DETAIL_MAX] = "";

	(void)flags;
	ss->seen.connack = rc;
	if (rc != 0) {
		ss->refused = true;
		prop_detail(props, MQTT_PROP_SERVER_REFERENCE, "try ", detail, sizeof(detail));
		prop_detail(props, MQTT_PROP_REASON_STRING, "", detail, sizeof(detail));
		set_detail(ss, detail);
		set_status(ss, SESSION_CONNECTING, speaks_v5(ss) ? REASON_V5 : REASON_CONNACK, rc,
		           0);
		return;
	}
	/*
	 * libmosquitto formats a debug line for every packet once a log
	 * callback is set; only connecting needs it (TLS errors), so it goes
	 * until the next attempt.
	 */
	mosquitto_log_callback_set(m, NULL);
	if (ss->cfg.proxy_host && mosquitto_ssl_get(m) == NULL)
		sysio_bound_late(ss->payload_cap, speaks_v5(ss));
	ss->connected_at = clock_mono_ms();
	ss->received_at_connect = session_received(ss);
	atomic_fetch_add_explicit(&ss->connects, 1, memory_order_relaxed);
	/* -U: drop what a persistent session still holds. */
	for (size_t i = 0; i < ss->cfg.nunsubs; i++)
		mosquitto_unsubscribe_v5(m, NULL, ss->cfg.unsubs[i], NULL);
	/*
	 * Under the list lock: a filter the UI adds meanwhile is either in
	 * the list we replay, or sees "connected" and subscribes itself.
	 */
	log_event(ss, SESSION_LOG_CONNECTED, REASON_NONE, 0, 0, 0);
	pthread_mutex_lock(&ss->subs_lock);
	/* CONNACK says 0 when the broker does not take subscription identifiers. */
	{
		uint8_t avail = 1;

		if (props)
			mosquitto_property_read_byte(props, MQTT_PROP_SUBSCRIPTION_ID_AVAILABLE,
			                             &avail, false);
		ss->sub_ids = avail != 0;
	}
	set_status(ss, SESSION_CONNECTED, REASON_NONE, 0, 0);
	subscribe_all(ss);
	pthread_mutex_unlock(&ss->subs_lock);
}

/* Keeps the reason a broker gives when it disconnects us, or notes a close before CONNACK. */
static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *props)
{
	struct session *ss = obj;
	char detail[SESSION_DETAIL_MAX] = "";

	(void)m;
	if (atomic_load(&ss->stop) || ss->refused)
		return;
	ss->lost_rc = rc; /* mosquitto_loop() may only say "no connection" afterwards */
	if (rc >= 0x80 && ss->connected_at) {
		/* An MQTT 5 DISCONNECT from the broker: session taken over, shutting down... */
		ss->refused = true;
		prop_detail(props, MQTT_PROP_SERVER_REFERENCE, "try ", detail, sizeof(detail));
		prop_detail(props, MQTT_PROP_REASON_STRING, "", detail, sizeof(detail));
		set_detail(ss, detail);
		set_status(ss, SESSION_CONNECTED, REASON_V5, rc, 0);
	} else if (!ss->connected_at && (rc == MOSQ_ERR_AUTH || rc == MOSQ_ERR_PROXY)) {
		/* Only the SOCKS proxy answers these before a CONNACK. */
		ss->refused = true;
		set_status(ss, SESSION_CONNECTING, REASON_LIB, rc, 0);
	} else if (!ss->connected_at && !ss->tls_error && rc != 0 && rc != MOSQ_ERR_KEEPALIVE) {
		/* (A keepalive timeout before CONNACK is ours: the broker never answered.) */
		ss->refused = true;
		set_status(ss, SESSION_CONNECTING, REASON_CLOSED,
		           negotiate_looks_tls(ss->seen.first, ss->seen.nfirst) ? CLOSED_TLS
		           : ss->neg.fixed == MQTT_V5                           ? CLOSED_FIXED_V5
		                                                                : CLOSED_PLAIN,
		           0);
	}
}

/* The TLS error the certificate check recorded on the connection, in our terms. */
static int verify_error(struct session *ss, struct mosquitto *m)
{
	SSL *ssl = mosquitto_ssl_get(m);
	long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;

	switch (v) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	/*
	 * libmosquitto checks the host name itself, in its verify callback, after
	 * OpenSSL passed the chain; it rejects without naming an error, which
	 * OpenSSL then records as "unspecified".
	 */
	case X509_V_ERR_UNSPECIFIED:
		return TLS_ERR_HOSTNAME;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLS_ERR_EXPIRED;
	case X509_V_OK:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		return TLS_ERR_UNKNOWN_CA;
	default:
		/* Something rarer (revoked, bad signature...): OpenSSL's words go in the detail. */
		set_detail(ss, X509_verify_cert_error_string(v));
		return TLS_ERR_OTHER;
	}
}

/*
 * Classifies libmosquitto's TLS log lines into reasons a person can act on.
 * OpenSSL says only "certificate verify failed" for an unknown CA, a wrong
 * host name or an expired certificate alike; while the failed handshake's
 * SSL object still exists (this very call) its verify result says which.
 */
static void on_log(struct mosquitto *m, void *obj, int level, const char *str)
{
	struct session *ss = obj;
	const char *reason;

	(void)level;
	if (ss->tls_error && ss->tls_error != TLS_ERR_OTHER)
		return; /* the first specific reason is the cause; what follows is fallout */
	if (strstr(str, "Unable to load client key") || strstr(str, "key values mismatch") ||
	    strstr(str, "Unable to load client cert")) {
		ss->tls_error = TLS_ERR_BAD_KEY;
		return;
	}
	if (strstr(str, "OpenSSL Error") == NULL)
		return;
	/* With a PSK both sides prove the key in the handshake; a wrong one fails it there. */
	if (ss->cfg.psk_identity &&
	    (strstr(str, "alert illegal parameter") || strstr(str, "alert decrypt error") ||
	     strstr(str, "alert bad record mac") || strstr(str, "alert handshake failure") ||
	     strstr(str, "alert unknown psk identity")))
		ss->tls_error = TLS_ERR_PSK;
	else if (strstr(str, "certificate verify failed"))
		ss->tls_error = verify_error(ss, m);
	else if (strstr(str, "certificate required"))
		ss->tls_error = TLS_ERR_CERT_REQUIRED;
	else if (strstr(str, "alert unknown ca") || strstr(str, "alert bad certificate") ||
	         strstr(str, "alert certificate unknown") ||
	         strstr(str, "alert unsupported certificate") ||
	         strstr(str, "alert certificate expired") || strstr(str, "alert access denied"))
		ss->tls_error = TLS_ERR_CERT_REJECTED;
	else if (strstr(str, "unexpected eof"))
		ss->tls_error = TLS_ERR_CLOSED;
	else if (strstr(str, "wrong version number") || strstr(str, "packet length too long") ||
	         strstr(str, "record layer failure"))
		ss->tls_error = TLS_ERR_HANDSHAKE;
	else if (strstr(str, "alert protocol version") || strstr(str, "unsupported protocol") ||
	         strstr(str, "no protocols available") || strstr(str, "no shared cipher") ||
	         strstr(str, "alert handshake failure") || strstr(str, "no ciphers available"))
		ss->tls_error = TLS_ERR_VERSION;
	else if (!ss->tls_error) {
		/* "OpenSSL Error[0]: error:0A000410:SSL routines::sslv3 alert ..." -> the words */
		reason = strstr(str, "::");
		ss->tls_error = TLS_ERR_OTHER;
		set_detail(ss, reason ? reason + 2 : str);
	}
}

/* Milliseconds to wait before attempt n (1-based): 1, 2, 4, 8, 16, 30, 30 s... */
static int64_t backoff_ms(unsigned n)
{
	int64_t d = BACKOFF_MIN_MS;

	while (n-- > 1 && d < BACKOFF_MAX_MS)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

/* The session expiry to ask for: -x, else forever with -c, else none. */
static uint32_t session_expiry(const struct settings *c)
{
	if (c->session_expiry >= 0)
		return (uint32_t)c->session_expiry;
	return c->persistent ? UINT32_MAX : 0;
}

/* Applies credentials the UI gave since the last attempt. */
static void apply_login(struct session *ss)
{
	char junk[16];

	/* session_set_login woke us through the stop pipe; empty it unless stopping. */
	if (!atomic_load(&ss->stop))
		while (read(ss->stop_pipe[0], junk, sizeof(junk)) > 0)
			;
	pthread_mutex_lock(&ss->login_lock);
	if (ss->login_pending) {
		if (ss->login_user)
			settings_set_str(&ss->cfg.user, ss->login_user);
		mosquitto_username_pw_set(ss->mosq, ss->cfg.user, ss->login_pw);
		if (ss->login_pw)
			explicit_bzero(ss->login_pw, strlen(ss->login_pw));
		free(ss->login_pw);
		free(ss->login_user);
		ss->login_pw = ss->login_user = NULL;
		ss->login_pending = false;
	}
	pthread_mutex_unlock(&ss->login_lock);
}

static int do_connect(struct session *ss)
{
	const struct settings *c = &ss->cfg;
	mosquitto_property *props = NULL;
	uint32_t expiry = session_expiry(c);
	int rc;

	apply_login(ss);
	mosquitto_log_callback_set(ss->mosq, on_log);
	mosquitto_int_option(ss->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	                     ss->seen.offered == MQTT_V31    ? MQTT_PROTOCOL_V31
	                     : ss->seen.offered == MQTT_V311 ? MQTT_PROTOCOL_V311
	                                                     : MQTT_PROTOCOL_V5);
	if (ss->seen.offered == MQTT_V5 && expiry > 0)
		mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, expiry);
	/* Port 0 makes libmosquitto connect to a unix socket at "host". */
	rc = mosquitto_connect_bind_v5(ss->mosq, c->unix_path ? c->unix_path : c->host,
	                               c->unix_path ? 0 : c->port, c->keepalive, c->bind_address,
	                               props);
	mosquitto_property_free_all(&props);
	return rc;
}

void session_set_login(struct session *ss, const char *user, const char *password)
{
	ssize_t n;

	pthread_mutex_lock(&ss->login_lock);
	free(ss->login_user);
	if (ss->login_pw)
		explicit_bzero(ss->login_pw, strlen(ss->login_pw));
	free(ss->login_pw);
	ss->login_user = user && *user ? xstrdup(user) : NULL;
	ss->login_pw = password ? xstrdup(password) : NULL;
	ss->login_pending = true;
	pthread_mutex_unlock(&ss->login_lock);
	/* Logged in already as someone else: log in again. */
	if (is_connected(ss))
		mosquitto_disconnect(ss->mosq);
	/* Cut the backoff short: wait_until wakes on the stop pipe and sees no stop. */
	n = write(ss->stop_pipe[1], "r", 1);
	(void)n;
}

void session_user(struct session *ss, char *buf, size_t cap)
{
	pthread_mutex_lock(&ss->login_lock);
	snprintf(buf, cap, "%s",
	         ss->login_pending && ss->login_user ? ss->login_user
	                                             : (ss->cfg.user ? ss->cfg.user : ""));
	pthread_mutex_unlock(&ss->login_lock);
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
 * Sends CONNECT and looks at the broker's first bytes before libmosquitto
 * reads them (plain TCP or a unix socket): they tell a broker refusing the
 * MQTT version from a TLS port or a cut CONNACK (negotiate.h).
 */
static int peek_answer(struct session *ss)
{
	int fd = mosquitto_socket(ss->mosq), rc = MOSQ_ERR_SUCCESS;
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
	                      {.fd = ss->stop_pipe[0], .events = POLLIN}};
	ssize_t n;

	if (mosquitto_want_write(ss->mosq))
		rc = mosquitto_loop_write(ss->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS || poll(p, 2, ss->cfg.keepalive * 1000) <= 0 ||
	    !(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
		return rc;
	n = recv(fd, ss->seen.first, sizeof(ss->seen.first), MSG_PEEK | MSG_DONTWAIT);
	ss->seen.peeked = n >= 0 || errno == ECONNRESET;
	ss->seen.nfirst = n > 0 ? (size_t)n : 0;
	return rc;
}

/*
 * Reads, writes and keeps the connection alive until it ends or stop is
 * asked for; returns libmosquitto's code, and errno in *err.
 */
static int serve(struct session *ss, int *err)
{
	bool coalesce = false;
	unsigned turns = 0;
	uint64_t woke, woke_bytes;
	int rc = MOSQ_ERR_SUCCESS;

	/* Through a SOCKS proxy the first bytes are the proxy's; over TLS they are sealed. */
	if (mosquitto_ssl_get(ss->mosq) == NULL && !ss->cfg.proxy_host)
		rc = peek_answer(ss);

	/* Plain TCP: read ahead, one system call for many packets (see sysio.h). */
	/* Through a SOCKS proxy the bounds wait for the CONNACK: its handshake is not MQTT. */
	if (mosquitto_ssl_get(ss->mosq) == NULL)
		sysio_readahead_start(mosquitto_socket(ss->mosq),
		                      ss->cfg.proxy_host ? 0 : ss->payload_cap, speaks_v5(ss));
	else
		sysio_bound_tls(mosquitto_ssl_get(ss->mosq), ss->payload_cap, speaks_v5(ss));
	while (rc == MOSQ_ERR_SUCCESS && !atomic_load_explicit(&ss->stop, memory_order_relaxed)) {
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
	if (sysio_stream_error() != NULL) {
		set_detail(ss, sysio_stream_error());
		ss->bound_broken = true;
	}
	sysio_readahead_stop();
	return rc;
}

/*
 * libmosquitto 2.0.11 aborts the whole process on an MQTT 5 property it does
 * not know, in any packet from the broker: property__read() reports it with
 * log__printf(NULL, ...), whose assert(mosq) fails. Assertion failures come
 * here (this definition takes the C library's place, for libmosquitto too).
 * When it is that assertion, on the network thread inside serve_guarded(), we
 * leave libmosquitto by a long jump and end the connection as the malformed
 * packet it is: libmosquitto holds no lock while it parses a packet, the next
 * connect resets its packet state, and what it had allocated for the packet
 * (a few hundred bytes) is lost. Every other assertion goes to the C library.
 */
void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function)
    __attribute__((noreturn));

static _Thread_local jmp_buf *guard_jmp;

void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function)
{
	void (*libc)(const char *, const char *, unsigned int, const char *);
	void *sym;

	if (guard_jmp && function && assertion && strcmp(function, "log__printf") == 0 &&
	    strcmp(assertion, "mosq") == 0)
		longjmp(*guard_jmp, 1);
	sym = dlsym(RTLD_NEXT, "__assert_fail");
	if (sym) {
		memcpy(&libc, &sym, sizeof(libc));
		libc(assertion, file, line, function);
	}
	abort();
}

/* serve(), with libmosquitto's abort on an unknown MQTT 5 property turned into an error. */
static int serve_guarded(struct session *ss, int *err)
{
	jmp_buf jb;
	int rc;

	if (setjmp(jb) != 0) {
		guard_jmp = NULL;
		sysio_readahead_stop(); /* serve() did not get to it */
		ss->bad_property = true;
		/* Let the broker see us go now; the next connect closes the socket. */
		shutdown(mosquitto_socket(ss->mosq), SHUT_RDWR);
		return MOSQ_ERR_MALFORMED_PACKET;
	}
	guard_jmp = &jb;
	rc = serve(ss, err);
	guard_jmp = NULL;
	return rc;
}

/*
 * Why a connection that the broker had accepted ended, from libmosquitto's
 * code (the one on_disconnect got, else what the loop returned).
 */
static void classify_loss(struct session *ss, int rc, int err, enum session_reason *r, int *code)
{
	*r = REASON_PEER;
	/* Writing to a connection the broker closed is the broker closing it. */
	if (rc == MOSQ_ERR_ERRNO && (err == EPIPE || err == ECONNRESET))
		rc = MOSQ_ERR_CONN_LOST;
	switch (rc) {
	case MOSQ_ERR_KEEPALIVE:
		*code = PEER_KEEPALIVE;
		break;
	case MOSQ_ERR_SUCCESS:
	case MOSQ_ERR_NO_CONN:
	case MOSQ_ERR_CONN_LOST: /* end of stream or reset by the peer */
		*code = clock_mono_ms() - ss->connected_at < AT_ONCE_MS &&
		                session_received(ss) == ss->received_at_connect
		            ? PEER_CLOSED_AT_ONCE
		            : PEER_CLOSED;
		break;
	case MOSQ_ERR_MALFORMED_UTF8: /* a topic: invalid UTF-8, U+0000, a surrogate, C0/C1 */
		*code = PEER_BAD_UTF8;
		break;
	case MOSQ_ERR_PROTOCOL:
		*code = PEER_PROTOCOL;
		break;
	case MOSQ_ERR_NOMEM: /* libmosquitto's word for some truncated packets (an empty AUTH) */
	case MOSQ_ERR_MALFORMED_PACKET:
		*code = PEER_MALFORMED;
		break;
	case MOSQ_ERR_DUPLICATE_PROPERTY:
		*code = PEER_DUP_PROPERTY;
		break;
	case MOSQ_ERR_ERRNO:
		if (err != 0 && err != EAGAIN) {
			*r = REASON_ERRNO;
			*code = err;
			break;
		}
		/* fall through */
	default:
		*r = REASON_LIB;
		*code = rc;
		break;
	}
}

/* Why an attempt or a connection ended: rc from connecting or serving, err its errno. */
static void classify_end(struct session *ss, int rc, int err, enum session_reason *why, int *code)
{
	if (ss->lost_rc != 0)
		rc = ss->lost_rc; /* the cause; the loop may only say "no connection" after it */
	if (ss->refused) {
		*why = atomic_load(&ss->reason);
		*code = atomic_load(&ss->code);
	} else if (ss->bound_broken) {
		*why = REASON_BOUND; /* the detail says which bound */
		*code = 0;
	} else if (ss->bad_property) {
		*why = REASON_PEER;
		*code = PEER_UNKNOWN_PROPERTY;
	} else if (ss->tls_error || rc == MOSQ_ERR_TLS) {
		*why = REASON_TLS;
		*code = ss->tls_error;
	} else if (ss->connected_at) {
		classify_loss(ss, rc, err, why, code);
	} else if (rc == MOSQ_ERR_KEEPALIVE) {
		*why = REASON_PEER;
		*code = PEER_NO_CONNACK;
	} else if (rc == MOSQ_ERR_ERRNO && err != 0) {
		*why = REASON_ERRNO;
		*code = err;
	} else {
		*why = REASON_LIB;
		*code = rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_CONN_LOST : rc;
	}
}

/*
 * What an attempt that reached the broker (or not) says about the MQTT
 * version: fall back at once, report a refusal, or nothing.
 */
static enum negotiate_step version_outcome(struct session *ss, bool reached, int rc)
{
	int end = ss->lost_rc ? ss->lost_rc : rc;
	enum negotiate_step step;

	if (!reached) {
		negotiate_unreachable(&ss->neg);
		return NEG_STEP_CONTINUE;
	}
	ss->seen.ended = !ss->connected_at && !ss->tls_error && !ss->bound_broken &&
	                 !ss->bad_property && end != MOSQ_ERR_SUCCESS &&
	                 end != MOSQ_ERR_KEEPALIVE && end != MOSQ_ERR_PROXY && end != MOSQ_ERR_AUTH;
	step = negotiate_result(&ss->neg, &ss->seen);
	if (step == NEG_STEP_FALLBACK) {
		set_protocol(ss, negotiate_offer(&ss->neg), ss->neg.why);
		log_event(ss, SESSION_LOG_FALLBACK, REASON_VERSION, ss->seen.offered, 0, 0);
	} else if (step == NEG_STEP_REFUSED) {
		set_detail(ss, negotiate_answer_words(negotiate_classify(&ss->seen)));
	}
	return step;
}

static void *net_main(void *arg)
{
	struct session *ss = arg;
	unsigned attempt = 0;

	while (!atomic_load(&ss->stop)) {
		int rc, err, code;
		enum session_reason why;
		enum negotiate_step step;
		bool reached;

		ss->refused = false;
		ss->bound_broken = false;
		ss->tls_error = 0;
		ss->connected_at = 0;
		ss->lost_rc = 0;
		ss->bad_property = false;
		memset(&ss->seen, 0, sizeof(ss->seen));
		ss->seen.offered = negotiate_offer(&ss->neg);
		ss->seen.connack = -1;
		set_protocol(ss, ss->seen.offered, ss->neg.why);
		set_status(ss, SESSION_CONNECTING, REASON_NONE, 0, 0);
		errno = 0;
		rc = do_connect(ss);
		err = errno;
		/* Refused, unreachable or no such host: no broker answered at all. */
		reached = rc != MOSQ_ERR_ERRNO && rc != MOSQ_ERR_EAI;
		if (rc == MOSQ_ERR_SUCCESS)
			rc = serve_guarded(ss, &err);
		if (atomic_load(&ss->stop))
			break;
		step = version_outcome(ss, reached, rc);
		if (step == NEG_STEP_FALLBACK)
			continue; /* another version at once: no backoff step */

		int64_t now = clock_mono_ms();
		int64_t lasted = ss->connected_at ? now - ss->connected_at : 0;
		if (ss->connected_at && lasted >= STABLE_MS)
			attempt = 0;
		attempt++;
		atomic_store(&ss->attempt, attempt);
		int64_t delay = backoff_ms(attempt);
		classify_end(ss, rc, err, &why, &code);
		if (step == NEG_STEP_REFUSED) {
			why = REASON_VERSION;
			code = ss->seen.offered | (ss->neg.fixed ? 0x100 : 0);
		}
		set_status(ss, SESSION_WAITING, why, code, now + delay);
		log_event(ss, ss->connected_at ? SESSION_LOG_LOST : SESSION_LOG_FAILED, why, code,
		          delay, lasted);
		wait_until(ss, now + delay);
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
	else {
		/* MQTT 3.1 takes 23 bytes, and negotiation may end there: the host gives way. */
		bool short_id = s->protocol == MQTT_V31 || s->protocol == MQTT_AUTO;
		char pid[16];

		snprintf(pid, sizeof(pid), "-%d", (int)getpid());
		snprintf(buf, cap, "mqscope-%.*s%s", short_id ? 15 - (int)strlen(pid) : 63, host,
		         pid);
	}
	if (s->protocol == MQTT_V31 && strlen(buf) > 23)
		buf[23] = '\0';
}

/* Copies what the network thread needs after set-up (the password stays with libmosquitto). */
static void copy_settings(struct settings *d, const struct settings *s)
{
	settings_init(d);
	settings_set_str(&d->host, s->host);
	settings_set_str(&d->unix_path, s->unix_path);
	settings_set_str(&d->bind_address, s->bind_address);
	settings_set_str(&d->proxy_host, s->proxy_host); /* only whether there is one is used */
	d->port = s->port;
	settings_set_str(&d->user, s->user);
	d->keepalive = s->keepalive;
	d->protocol = s->protocol;
	d->persistent = s->persistent;
	d->session_expiry = s->session_expiry;
	d->qos = s->qos;
	d->tls = s->tls;
	settings_set_str(&d->psk_identity, s->psk ? s->psk_identity : NULL); /* not the key */
	for (size_t i = 0; i < s->nunsubs; i++)
		settings_add_str(&d->unsubs, &d->nunsubs, s->unsubs[i]);
}

/*
 * TLS as mosquitto_sub sets it up: the CA given, or the system's; --insecure
 * skips the host name check, and with no CA given every check (like curl -k).
 */
static int setup_tls(struct session *ss, const struct settings *s)
{
	bool have_ca = s->cafile || s->capath;
	const char *sys_dir = getenv("SSL_CERT_DIR");
	int rc = MOSQ_ERR_SUCCESS;

	if (!s->tls)
		return MOSQ_ERR_SUCCESS;
	/* TLS 1.2 at least, whatever the system's OpenSSL defaults, unless asked otherwise. */
	if (s->psk) {
		rc = mosquitto_tls_psk_set(ss->mosq, s->psk, s->psk_identity, s->ciphers);
		if (rc == MOSQ_ERR_SUCCESS)
			rc = mosquitto_tls_opts_set(ss->mosq, SSL_VERIFY_PEER,
			                            s->tls_version ? s->tls_version : "tlsv1.2",
			                            s->ciphers);
		return rc;
	}
	if (!have_ca || s->os_certs)
		rc = mosquitto_int_option(ss->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
	/*
	 * Always a CA location: libmosquitto takes a client certificate only with
	 * one, and without one it refuses every attempt after the first ("invalid
	 * function arguments") instead of saying why the handshake failed.
	 */
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_tls_set(ss->mosq, s->cafile,
		                       have_ca ? s->capath : (sys_dir ? sys_dir : "/etc/ssl/certs"),
		                       s->cert, s->key, NULL);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_tls_opts_set(
		    ss->mosq, s->insecure && !have_ca ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
		    s->tls_version ? s->tls_version : "tlsv1.2", s->ciphers);
	if (rc == MOSQ_ERR_SUCCESS && s->insecure)
		rc = mosquitto_tls_insecure_set(ss->mosq, true);
	if (rc == MOSQ_ERR_SUCCESS && s->alpn)
		rc = mosquitto_string_option(ss->mosq, MOSQ_OPT_TLS_ALPN, s->alpn);
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
	pthread_mutex_init(&ss->login_lock, NULL);
	pthread_mutex_init(&ss->log_lock, NULL);
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
	/* Without -V: MQTT 5 first, then what the broker shows it has (negotiate.h). */
	negotiate_init(&ss->neg, s->protocol, s->password && !s->user);
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
	if (s->proxy_host && mosquitto_socks5_set(ss->mosq, s->proxy_host, s->proxy_port,
	                                          s->proxy_user, s->proxy_password) != 0)
		goto fail;
	mosquitto_connect_v5_callback_set(ss->mosq, on_connect);
	mosquitto_message_v5_callback_set(ss->mosq, on_message);
	mosquitto_subscribe_v5_callback_set(ss->mosq, on_subscribe);
	mosquitto_unsubscribe_v5_callback_set(ss->mosq, on_unsubscribe);
	mosquitto_publish_v5_callback_set(ss->mosq, on_publish);
	mosquitto_disconnect_v5_callback_set(ss->mosq, on_disconnect);
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
	if (ss->login_pw)
		explicit_bzero(ss->login_pw, strlen(ss->login_pw));
	free(ss->login_pw);
	free(ss->login_user);
	pthread_mutex_destroy(&ss->login_lock);
	pthread_mutex_destroy(&ss->log_lock);
	free(ss);
}
