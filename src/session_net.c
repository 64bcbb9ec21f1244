/* session_net.c: the network thread: connects, reconnects with backoff, runs libmosquitto and the
 * pump, carries out commands, reports events. The only caller of libmosquitto. */
#define _GNU_SOURCE
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/msg.h"
#include "mqscope/negotiate.h"
#include "mqscope/pump.h"
#include "mqscope/session_parts.h"
#include "mqscope/topic.h"
#include "mqscope/transport.h"
#include "mqscope/transport_ws.h"
#include "mqscope/util.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define STABLE_MS      10000 /* a connection this old resets the backoff */
#define AT_ONCE_MS     1000  /* a close this soon, before any message, is "right after CONNACK" */
#define CONNECT_MS     30000 /* TCP, proxy, TLS and WebSocket set-up together */
#define MISC_SLACK_MS  1100  /* libmosquitto counts keepalive in whole seconds */
#define PROPS_MAX      4096
#define COALESCE_MIN   16      /* messages per wake-up that mean a flood */
#define COALESCE_BYTES 65536   /* or bytes */
#define COALESCE_NS    1000000 /* how long a flood may gather before we read it */
#define EVENT_WAIT_NS  1000000

/* How one attempt ended, before it is put in words. */
enum end_kind { END_NONE, END_SETUP, END_PUMP, END_STOP, END_RELOGIN };

struct net {
	struct session *ss;
	struct settings cfg; /* own copy: host, transport, TLS, proxy, subscriptions */
	struct mosquitto *mosq;
	size_t payload_cap;

	struct net_sub *subs;
	size_t nsubs;
	uint32_t last_sub_id;
	/*
	 * Some two filters match a topic in common: the broker may deliver such a
	 * message once per subscription, each copy with its subscription
	 * identifier; only the copy of the first matching one is kept.
	 */
	bool overlap;
	bool sub_ids; /* the broker takes subscription identifiers (CONNACK) */
	int *pub_ids; /* our publish ids by libmosquitto message id */

	/* the status the owner was told last */
	struct session_status st;
	struct negotiate neg;       /* which MQTT version to offer (negotiate.h) */
	struct negotiate_seen seen; /* what this attempt showed about it */

	/* this attempt */
	struct conn *conn;
	struct pump *pump;
	struct conn_error cerr;
	enum end_kind end;
	bool refused; /* the broker gave a reason (CONNACK, DISCONNECT): keep it */
	int64_t connected_at;
	uint64_t received_at_connect;
	bool login_now, relogin;
	int misc_rc; /* what libmosquitto's keepalive check said when it ended the connection */
	uint64_t base_direct, base_lib, base_reads, base_bytes; /* before this connection */
	uint64_t rx_bytes;
};

/* Puts an event on the queue to the owner; waits while the queue is full (never drops one). */
static void push_event(struct net *n, enum session_event_kind kind, int mid, int rc,
                       const void *body, size_t len)
{
	struct session *ss = n->ss;
	struct ev_head h = {(uint32_t)kind, mid, rc, (uint32_t)len};
	uint64_t one = 1;
	ssize_t w;

	for (;;) {
		void *rec = ring_try_reserve(&ss->events, sizeof(h) + len);

		if (rec != NULL) {
			memcpy(rec, &h, sizeof(h));
			if (len)
				memcpy((char *)rec + sizeof(h), body, len);
			ring_commit(&ss->events);
			break;
		}
		/* The owner takes events every frame; a stopping one takes no more. */
		if (atomic_load_explicit(&ss->stop, memory_order_relaxed))
			return;
		nanosleep(&(struct timespec){.tv_nsec = EVENT_WAIT_NS}, NULL);
	}
	w = write(ss->ring->wake_fd, &one, sizeof(one));
	(void)w;
}

/* Tells the owner the new status. */
static void set_status(struct net *n, enum session_state state, enum session_reason r, int code,
                       int64_t retry_at)
{
	n->st.state = state;
	n->st.reason = r;
	n->st.code = code;
	n->st.retry_at_ms = retry_at;
	if (r == REASON_NONE)
		n->st.detail[0] = '\0';
	n->st.gen++;
	push_event(n, SESSION_EV_STATUS, 0, 0, &n->st, sizeof(n->st));
}

/* Sets the words that explain the reason further (untrusted text is sanitized when drawn). */
static void set_detail(struct net *n, const char *text)
{
	snprintf(n->st.detail, sizeof(n->st.detail), "%s", text ? text : "");
}

static void log_event(struct net *n, enum session_log_kind kind, enum session_reason r, int code,
                      int64_t retry_ms, int64_t lasted_ms)
{
	struct session_log_entry e;

	memset(&e, 0, sizeof(e));
	e.time_ms = clock_wall_ms();
	e.kind = kind;
	e.reason = r;
	e.code = code;
	e.connection = n->st.connects;
	e.retry_ms = retry_ms;
	e.lasted_ms = lasted_ms;
	e.protocol = n->st.protocol;
	e.protocol_why = n->st.protocol_why;
	e.protocol_fixed = n->st.protocol_fixed;
	if (kind != SESSION_LOG_CONNECTED)
		memcpy(e.detail, n->st.detail, sizeof(e.detail));
	else if (n->conn)
		conn_describe(n->conn, e.via, sizeof(e.via));
	push_event(n, SESSION_EV_LOG, 0, 0, &e, sizeof(e));
}

/*
 * Whether to keep a message that several of our filters match: only the copy
 * the first granted one among them delivered (its identifier is among the
 * message's). Without identifiers there is no telling copies apart: kept.
 */
static bool first_copy(struct net *n, const char *topic, size_t tlen, const uint8_t *props,
                       size_t plen)
{
	uint32_t first = 0;
	struct prop pr;
	size_t off = 0;
	bool any = false;

	for (size_t i = 0; i < n->nsubs; i++) {
		const struct net_sub *e = &n->subs[i];

		if (e->granted >= 0 && e->granted <= 2 && (first == 0 || e->id < first) &&
		    topic_matches(e->filter, topic, tlen))
			first = e->id;
	}
	while (props_next(props, plen, &off, &pr))
		if (pr.id == PROP_SUBSCRIPTION_ID) {
			if (first == 0 || pr.num == first)
				return true;
			any = true;
		}
	return !any;
}

/* Copies a message into the ring: one copy, no allocation. */
static void deliver(struct net *n, const void *topic, size_t tlen, const void *payload, size_t len,
                    size_t orig, int qos, bool retain, const uint8_t *props, size_t plen)
{
	struct session *ss = n->ss;
	size_t room = ring_max_record(ss->ring);
	struct msg_head h;
	void *rec;

	if (n->overlap && plen && !first_copy(n, topic, tlen, props, plen)) {
		atomic_fetch_add_explicit(&ss->duplicates, 1, memory_order_relaxed);
		return; /* counted already, from another subscription */
	}
	atomic_store_explicit(&ss->received,
	                      atomic_load_explicit(&ss->received, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
	n->rx_bytes += tlen + orig;
	if (len > n->payload_cap)
		len = n->payload_cap;
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
	h.qos = (uint8_t)qos;
	h.retain = retain;
	h.conn = (uint16_t)n->st.connects;
	msg_write(rec, &h, topic, payload, props);
	ring_commit(ss->ring);
}

/* A QoS 0 message the pump checked and hands on directly. */
static void deliver_direct(void *ctx, const struct inbound_msg *m)
{
	struct net *n = ctx;
	uint8_t pbuf[PROPS_MAX];
	size_t plen =
	    m->props_len ? wire_props_keep(m->props, m->props_len, pbuf, sizeof(pbuf)) : 0;

	deliver(n, m->topic, m->topic_len, m->payload, m->len, m->len, 0, m->retain, pbuf, plen);
}

/* Copies the MQTT 5 properties a viewer shows into our compact encoding. */
static size_t encode_props(const mosquitto_property *props, uint8_t *buf, size_t cap)
{
	size_t off = 0;

	for (const mosquitto_property *p = props; p != NULL; p = mosquitto_property_next(p)) {
		int id = mosquitto_property_identifier(p);
		uint8_t b;
		uint32_t v;
		uint16_t len;
		char *s = NULL, *val = NULL;
		void *bin = NULL;
		bool ok = true;

		switch (id) {
		case MQTT_PROP_PAYLOAD_FORMAT_INDICATOR:
			if (mosquitto_property_read_byte(p, id, &b, false))
				ok = props_put_num(buf, cap, &off, PROP_PAYLOAD_FORMAT, b);
			break;
		case MQTT_PROP_MESSAGE_EXPIRY_INTERVAL:
			if (mosquitto_property_read_int32(p, id, &v, false))
				ok = props_put_num(buf, cap, &off, PROP_MESSAGE_EXPIRY, v);
			break;
		case MQTT_PROP_SUBSCRIPTION_IDENTIFIER:
			if (mosquitto_property_read_varint(p, id, &v, false))
				ok = props_put_num(buf, cap, &off, PROP_SUBSCRIPTION_ID, v);
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
			if (mosquitto_property_read_string_pair(p, id, &s, &val, false))
				ok = props_put_pair(buf, cap, &off, s, strlen(s), val, strlen(val));
			break;
		default:
			break;
		}
		free(s);
		free(val);
		free(bin);
		if (!ok)
			break; /* the rest does not fit; keep what does */
	}
	return off;
}

/* QoS 1 and 2 messages come through libmosquitto, which acknowledges them. */
static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
	struct net *n = obj;
	uint8_t pbuf[PROPS_MAX];
	size_t plen = props ? encode_props(props, pbuf, sizeof(pbuf)) : 0;
	size_t orig = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	uint32_t real;

	(void)m;
	/* Cut on the way in (inbound.h): the record says how big it really was. */
	if (n->pump && inbound_lib_message(pump_inbound(n->pump), msg->qos, msg->mid, &real))
		orig = real;
	deliver(n, msg->topic, strlen(msg->topic), msg->payload,
	        msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0, orig, msg->qos, msg->retain,
	        pbuf, plen);
}

/* Whether the connection speaks MQTT 5 (the CONNECT said so). */
static bool speaks_v5(const struct net *n)
{
	return n->pump && pump_version(n->pump) ? pump_version(n->pump) == 5
	                                        : n->seen.offered == MQTT_V5;
}

static int sub_options(const struct net *n)
{
	/* MQTT 5: show the true retain flag of live messages. */
	return speaks_v5(n) ? MQTT_SUB_OPT_RETAIN_AS_PUBLISHED : 0;
}

/* Subscribes one filter, with its identifier where the broker takes them. */
static void subscribe_one(struct net *n, struct net_sub *e)
{
	mosquitto_property *props = NULL;

	e->mid = 0;
	e->granted = -1;
	if (speaks_v5(n) && n->sub_ids)
		mosquitto_property_add_varint(&props, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, e->id);
	mosquitto_subscribe_v5(n->mosq, &e->mid, e->filter, e->qos, sub_options(n), props);
	mosquitto_property_free_all(&props);
	push_event(n, SESSION_EV_SUBSCRIBED, 0, -1, e->filter, strlen(e->filter));
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int count, const int *granted,
                         const mosquitto_property *props)
{
	struct net *n = obj;

	(void)m;
	(void)props;
	for (size_t i = 0; i < n->nsubs; i++) {
		struct net_sub *e = &n->subs[i];

		if (e->mid != mid)
			continue;
		e->granted = count > 0 ? granted[0] : 128;
		push_event(n, SESSION_EV_SUBSCRIBED, mid, e->granted, e->filter, strlen(e->filter));
	}
}

static void on_unsubscribe(struct mosquitto *m, void *obj, int mid, const mosquitto_property *props)
{
	(void)m;
	(void)props;
	push_event(obj, SESSION_EV_UNSUBSCRIBED, mid, 0, NULL, 0);
}

static void on_publish(struct mosquitto *m, void *obj, int mid, int rc,
                       const mosquitto_property *props)
{
	struct net *n = obj;
	int id = mid > 0 && mid < 65536 ? n->pub_ids[mid] : 0;

	(void)m;
	(void)props;
	if (id == 0)
		return; /* not one of the owner's */
	n->pub_ids[mid] = 0;
	push_event(n, SESSION_EV_PUBLISHED, id, rc, NULL, 0);
}

/* Reads a string property (reason string, server reference) for the status detail. */
static void prop_detail(const mosquitto_property *props, int id, const char *label, char *buf,
                        size_t cap)
{
	char *v = NULL;
	size_t len = strlen(buf);

	if (props && mosquitto_property_read_string(props, id, &v, false) && v && *v)
		snprintf(buf + len, cap - len, "%s%s%s", len ? "; " : "", label, v);
	free(v);
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags,
                       const mosquitto_property *props)
{
	struct net *n = obj;
	char detail[SESSION_DETAIL_MAX] = "";

	(void)flags;
	n->seen.connack = rc;
	if (rc != 0) {
		n->refused = true;
		prop_detail(props, MQTT_PROP_SERVER_REFERENCE, "try ", detail, sizeof(detail));
		prop_detail(props, MQTT_PROP_REASON_STRING, "", detail, sizeof(detail));
		set_detail(n, detail);
		n->st.reason = speaks_v5(n) ? REASON_V5 : REASON_CONNACK;
		n->st.code = rc;
		return;
	}
	n->connected_at = clock_mono_ms();
	n->received_at_connect = atomic_load(&n->ss->received);
	n->st.connects++;
	/* -U: drop what a persistent session still holds. */
	for (size_t i = 0; i < n->cfg.nunsubs; i++)
		mosquitto_unsubscribe_v5(m, NULL, n->cfg.unsubs[i], NULL);
	log_event(n, SESSION_LOG_CONNECTED, REASON_NONE, 0, 0, 0);
	/* CONNACK says 0 when the broker does not take subscription identifiers. */
	n->sub_ids = true;
	if (props) {
		uint8_t ids = 1;

		mosquitto_property_read_byte(props, MQTT_PROP_SUBSCRIPTION_ID_AVAILABLE, &ids, false);
		n->sub_ids = ids != 0;
	}
	for (size_t i = 0; i < n->nsubs; i++)
		subscribe_one(n, &n->subs[i]);
	/* Said once the subscriptions are on their way: "connected" on screen means that
	 * what is published from now on is coming. */
	set_status(n, SESSION_CONNECTED, REASON_NONE, 0, 0);
}

/* Keeps the reason a broker gives when it disconnects us (MQTT 5). */
static void on_disconnect(struct mosquitto *m, void *obj, int rc, const mosquitto_property *props)
{
	struct net *n = obj;
	char detail[SESSION_DETAIL_MAX] = "";

	(void)m;
	if (rc >= 0x80 && n->connected_at && !n->refused) {
		n->refused = true;
		prop_detail(props, MQTT_PROP_SERVER_REFERENCE, "try ", detail, sizeof(detail));
		prop_detail(props, MQTT_PROP_REASON_STRING, "", detail, sizeof(detail));
		set_detail(n, detail);
		n->st.reason = REASON_V5;
		n->st.code = rc;
	}
}

static struct net_sub *find_sub(struct net *n, const char *filter)
{
	for (size_t i = 0; i < n->nsubs; i++)
		if (strcmp(n->subs[i].filter, filter) == 0)
			return &n->subs[i];
	return NULL;
}

/* Whether any two filters overlap, for deliver(). */
static void note_overlap(struct net *n)
{
	n->overlap = false;
	for (size_t i = 0; i < n->nsubs && !n->overlap; i++)
		for (size_t j = i + 1; j < n->nsubs && !n->overlap; j++)
			n->overlap = topic_filters_overlap(n->subs[i].filter, n->subs[j].filter);
}

static struct net_sub *add_sub(struct net *n, const char *filter, int qos)
{
	struct net_sub *e = find_sub(n, filter);

	if (e == NULL) {
		n->subs = xrealloc(n->subs, (n->nsubs + 1) * sizeof(*n->subs));
		e = &n->subs[n->nsubs++];
		e->filter = xstrdup(filter);
		e->id = ++n->last_sub_id;
		note_overlap(n);
	}
	e->qos = qos;
	e->mid = 0;
	e->granted = -1;
	return e;
}

static bool connected(const struct net *n)
{
	return n->pump && n->connected_at && n->end == END_NONE;
}

/* Publishes a message the owner queued; its outcome goes back as an event. */
static void do_publish(struct net *n, struct cmd *c)
{
	mosquitto_property *props = NULL;
	int mid = 0, rc;

	if (!connected(n)) {
		push_event(n, SESSION_EV_PUBLISHED, c->id, SESSION_PUB_NOT_SENT, NULL, 0);
		return;
	}
	if (speaks_v5(n)) {
		if (c->content_type)
			mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE,
			                              c->content_type);
		if (c->response_topic)
			mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC,
			                              c->response_topic);
		if (c->correlation)
			mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA,
			                              c->correlation, (uint16_t)c->correlation_len);
		if (c->expiry)
			mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL,
			                             c->expiry);
		for (size_t i = 0; i < c->nuser_props; i++)
			mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY,
			                                   c->user_props[2 * i],
			                                   c->user_props[2 * i + 1]);
	}
	rc = mosquitto_publish_v5(n->mosq, &mid, c->topic, (int)c->len, c->payload, c->qos,
	                          c->retain, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS || mid <= 0 || mid >= 65536) {
		push_event(n, SESSION_EV_PUBLISHED, c->id, SESSION_PUB_NOT_SENT, NULL, 0);
		return;
	}
	n->pub_ids[mid] = c->id;
}

/* Credentials for the next connection; a connected session logs in again at once. */
static void do_login(struct net *n, struct cmd *c)
{
	if (c->user)
		settings_set_str(&n->cfg.user, c->user);
	mosquitto_username_pw_set(n->mosq, n->cfg.user, c->password);
	if (connected(n)) {
		n->relogin = true;
		mosquitto_disconnect(n->mosq);
	} else {
		n->login_now = true;
	}
}

/* Carries out every command the owner queued. */
static void take_commands(struct net *n)
{
	struct ring *r = &n->ss->cmds;
	const void *p;
	size_t len;

	ring_clear_wake(r);
	while ((p = ring_peek(r, &len)) != NULL) {
		struct cmd *c;
		struct net_sub *e;

		memcpy(&c, p, sizeof(c));
		ring_release(r);
		switch (c->kind) {
		case OP_PUBLISH:
			do_publish(n, c);
			break;
		case OP_SUBSCRIBE:
			e = add_sub(n, c->topic, c->qos);
			if (connected(n))
				subscribe_one(n, e);
			break;
		case OP_UNSUBSCRIBE:
			e = find_sub(n, c->topic);
			if (e) {
				free(e->filter);
				*e = n->subs[--n->nsubs];
				note_overlap(n);
			}
			if (connected(n))
				mosquitto_unsubscribe_v5(n->mosq, NULL, c->topic, NULL);
			break;
		case OP_LOGIN:
			do_login(n, c);
			break;
		}
		cmd_free(c);
	}
}

/* Milliseconds to wait before attempt n (1-based): 1, 2, 4, 8, 16, 30, 30 s... */
static int64_t backoff_ms(unsigned a)
{
	int64_t d = BACKOFF_MIN_MS;

	while (a-- > 1 && d < BACKOFF_MAX_MS)
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

/* The pump asks: libmosquitto connects over the local channel at path. */
static int lib_connect(void *ctx, const char *path)
{
	struct net *n = ctx;
	mosquitto_property *props = NULL;
	uint32_t expiry = session_expiry(&n->cfg);
	int rc;

	/* The version negotiation offers this time (negotiate.h). */
	mosquitto_int_option(n->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	                     n->seen.offered == MQTT_V31    ? MQTT_PROTOCOL_V31
	                     : n->seen.offered == MQTT_V311 ? MQTT_PROTOCOL_V311
	                                                    : MQTT_PROTOCOL_V5);
	if (n->seen.offered == MQTT_V5 && expiry > 0)
		mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, expiry);
	/* Port 0: a unix socket at "host". */
	rc = mosquitto_connect_bind_v5(n->mosq, path, 0, n->cfg.keepalive, NULL, props);
	mosquitto_property_free_all(&props);
	return rc;
}

/* Counts what this connection moved, for --stats. */
static void count_stats(struct net *n)
{
	struct session *ss = n->ss;
	uint64_t reads, bytes;
	struct inbound *in = pump_inbound(n->pump);

	pump_counts(n->pump, &reads, &bytes);
	atomic_store_explicit(&ss->direct, n->base_direct + inbound_direct(in),
	                      memory_order_relaxed);
	atomic_store_explicit(&ss->via_lib, n->base_lib + inbound_to_lib(in), memory_order_relaxed);
	atomic_store_explicit(&ss->reads, n->base_reads + reads, memory_order_relaxed);
	atomic_store_explicit(&ss->read_bytes, n->base_bytes + bytes, memory_order_relaxed);
}

/*
 * When libmosquitto's keepalive check has something to do: a keepalive after
 * the connection went quiet one way or the other (a PINGREQ to send, or the
 * answer to one overdue). Nothing wakes the thread before then.
 */
static int64_t next_keepalive(const struct net *n)
{
	if (n->cfg.keepalive <= 0)
		return INT64_MAX / 2;
	return pump_quiet_since(n->pump) + (int64_t)n->cfg.keepalive * 1000 + MISC_SLACK_MS;
}

/* Moves bytes and carries out commands until the connection ends or stop is asked for. */
static void serve(struct net *n)
{
	struct session *ss = n->ss;
	bool coalesce = false;

	for (;;) {
		struct pollfd pfd[3] = {
		    {.fd = n->conn->fd, .events = pump_events(n->pump)},
		    {.fd = ss->cmds.wake_fd, .events = POLLIN},
		    {.fd = ss->stop_fd, .events = POLLIN},
		};
		int64_t now = clock_mono_ms(), next_misc = next_keepalive(n);
		uint64_t woke = atomic_load(&ss->received), woke_bytes = n->rx_bytes;
		int timeout = pump_busy(n->pump)            ? 0
		              : next_misc <= now            ? 0
		              : next_misc - now > INT32_MAX ? -1
		                                            : (int)(next_misc - now);

		if (atomic_load(&ss->stop)) {
			n->end = END_STOP;
			return;
		}
		if (!ring_prepare_sleep(&ss->cmds, false))
			timeout = 0;
		if (coalesce && timeout > 0) {
			/*
			 * A flood: let packets gather for a moment rather than wake
			 * for every few (each wake-up costs us and the broker more
			 * than the packets it brings).
			 */
			nanosleep(&(struct timespec){.tv_nsec = COALESCE_NS}, NULL);
		}
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR) {
			n->end = END_PUMP;
			return;
		}
		take_commands(n);
		if (pump_step(n->pump) < 0) {
			n->end = n->relogin ? END_RELOGIN : END_PUMP;
			count_stats(n);
			return;
		}
		if (clock_mono_ms() >= next_keepalive(n)) {
			int rc = mosquitto_loop_misc(n->mosq);

			n->misc_rc = rc;
			if (rc != MOSQ_ERR_SUCCESS || pump_step(n->pump) < 0) {
				n->end = n->relogin ? END_RELOGIN : END_PUMP;
				count_stats(n);
				return;
			}
		}
		count_stats(n);
		coalesce = atomic_load(&ss->received) - woke >= COALESCE_MIN ||
		           n->rx_bytes - woke_bytes >= COALESCE_BYTES;
	}
}

/* The reason of a failure to open the connection. */
static void setup_reason(struct net *n, enum session_reason *why, int *code)
{
	*code = n->cerr.code;
	set_detail(n, n->cerr.detail);
	switch (n->cerr.fail) {
	case CONN_ERRNO:
		*why = REASON_ERRNO;
		break;
	case CONN_DNS:
		*why = REASON_DNS;
		break;
	case CONN_PROXY:
		*why = REASON_PROXY;
		break;
	case CONN_TLS:
		*why = REASON_TLS;
		break;
	case CONN_WS:
		*why = REASON_WS;
		break;
	case CONN_CLOSED:
		*why = REASON_CLOSED;
		*code = n->cfg.tls;
		break;
	default:
		*why = REASON_LIB;
		*code = MOSQ_ERR_UNKNOWN;
		break;
	}
}

/* A rule the broker broke, in the session's terms. */
static int peer_code(enum wire_verdict v)
{
	switch (v) {
	case WIRE_BAD_UTF8:
		return PEER_BAD_UTF8;
	case WIRE_DUP_PROPERTY:
		return PEER_DUP_PROPERTY;
	case WIRE_UNKNOWN_PROPERTY:
		return PEER_UNKNOWN_PROPERTY;
	case WIRE_PROPERTY_NOT_ALLOWED:
		return PEER_PROPERTY_NOT_ALLOWED;
	case WIRE_BAD_PROPERTY:
		return PEER_BAD_PROPERTY;
	default:
		return PEER_PROTOCOL;
	}
}

/* Why libmosquitto ended a connection, as far as its code tells. */
static void lib_reason(struct net *n, int rc, enum session_reason *why, int *code)
{
	*why = REASON_PEER;
	switch (rc) {
	case MOSQ_ERR_KEEPALIVE:
		*code = n->connected_at ? PEER_KEEPALIVE : PEER_NO_CONNACK;
		break;
	case MOSQ_ERR_CONN_LOST:
		*code = PEER_CLOSED;
		break;
	case MOSQ_ERR_MALFORMED_UTF8:
		*code = PEER_BAD_UTF8;
		break;
	case MOSQ_ERR_PROTOCOL:
		*code = PEER_PROTOCOL;
		break;
	case MOSQ_ERR_NOMEM:
	case MOSQ_ERR_MALFORMED_PACKET:
		*code = PEER_MALFORMED;
		break;
	case MOSQ_ERR_DUPLICATE_PROPERTY:
		*code = PEER_DUP_PROPERTY;
		break;
	default:
		*why = REASON_LIB;
		*code = rc;
		break;
	}
}

/* What a close before CONNACK says: TLS came back, or -V asked for MQTT 5, or nothing. */
static int closed_code(const struct net *n)
{
	size_t nf;
	const uint8_t *first = n->pump ? pump_first_bytes(n->pump, &nf) : NULL;

	if (first && negotiate_looks_tls(first, nf))
		return CLOSED_TLS;
	return n->neg.fixed == MQTT_V5 ? CLOSED_FIXED_V5 : CLOSED_PLAIN;
}

/* Why an open connection (or one still waiting for CONNACK) ended. */
static void pump_reason(struct net *n, enum session_reason *why, int *code)
{
	int lib_rc = 0;
	enum pump_end e = pump_end(n->pump, &lib_rc);
	struct inbound *in = pump_inbound(n->pump);

	switch (e) {
	case PUMP_CLOSED:
		if (!n->connected_at) {
			*why = REASON_CLOSED;
			*code = closed_code(n);
		} else {
			*why = REASON_PEER;
			*code = clock_mono_ms() - n->connected_at < AT_ONCE_MS &&
			                atomic_load(&n->ss->received) == n->received_at_connect
			            ? PEER_CLOSED_AT_ONCE
			            : PEER_CLOSED;
		}
		break;
	case PUMP_TLS_ANSWER:
		*why = REASON_CLOSED;
		*code = CLOSED_TLS;
		break;
	case PUMP_CONN:
		n->cerr = n->conn->err;
		setup_reason(n, why, code);
		if (*why == REASON_ERRNO && (*code == ECONNRESET || *code == EPIPE)) {
			*why = n->connected_at ? REASON_PEER : REASON_CLOSED;
			*code = n->connected_at ? PEER_CLOSED : closed_code(n);
		}
		break;
	case PUMP_INBOUND:
		set_detail(n, inbound_error(in));
		if (inbound_verdict(in) == WIRE_OK) {
			*why = REASON_BOUND;
			*code = 0;
		} else {
			*why = REASON_PEER;
			*code = peer_code(inbound_verdict(in));
		}
		break;
	case PUMP_LIB:
		lib_reason(n, lib_rc, why, code);
		break;
	case PUMP_OPEN:
		/* libmosquitto's keepalive check ended it */
		lib_reason(n, n->misc_rc ? n->misc_rc : MOSQ_ERR_CONN_LOST, why, code);
		break;
	default:
		*why = REASON_LIB;
		*code = MOSQ_ERR_UNKNOWN;
		set_detail(n, "the local channel to libmosquitto failed");
		break;
	}
}

/* Sleeps until the deadline, stop, or a login; carries out commands meanwhile. */
static void wait_until(struct net *n, int64_t deadline)
{
	struct session *ss = n->ss;

	while (!atomic_load(&ss->stop) && !n->login_now) {
		int64_t left = deadline - clock_mono_ms();
		struct pollfd pfd[2] = {{.fd = ss->cmds.wake_fd, .events = POLLIN},
		                        {.fd = ss->stop_fd, .events = POLLIN}};

		if (left <= 0)
			return;
		if (!ring_prepare_sleep(&ss->cmds, false))
			left = 0;
		poll(pfd, 2, (int)left);
		take_commands(n);
	}
}

/* Ends an attempt's connection: libmosquitto's side, the pump, the transport. */
static void close_attempt(struct net *n, bool polite)
{
	if (n->pump) {
		struct inbound *in = pump_inbound(n->pump);
		uint64_t reads, bytes;

		if (polite && n->end != END_PUMP) {
			mosquitto_disconnect(n->mosq);
			pump_drain(n->pump, 500);
		}
		pump_counts(n->pump, &reads, &bytes);
		n->base_direct += inbound_direct(in);
		n->base_lib += inbound_to_lib(in);
		n->base_reads += reads;
		n->base_bytes += bytes;
		pump_free(n->pump);
		n->pump = NULL;
	}
	conn_close(n->conn);
	n->conn = NULL;
}

/*
 * What the attempt showed about the MQTT version (negotiate.h): the broker's
 * first bytes, as they came on every transport, and whether it ended the
 * connection before accepting it.
 */
static void note_seen(struct net *n)
{
	size_t nf;
	const uint8_t *first = pump_first_bytes(n->pump, &nf);
	enum pump_end e = pump_end(n->pump, NULL);
	bool closed =
	    e == PUMP_CLOSED || e == PUMP_TLS_ANSWER ||
	    (e == PUMP_CONN && n->conn->err.fail == CONN_ERRNO &&
	     (n->conn->err.code == ECONNRESET || n->conn->err.code == EPIPE)) ||
	    (e == PUMP_CONN && n->conn->err.fail == CONN_WS && n->conn->err.code == WS_CLOSED);
	/* A CONNACK in the 3.1.1 form to an MQTT 5 CONNECT: our checks stop it before
	 * libmosquitto, but it says something about the version. */
	bool old_connack = e == PUMP_INBOUND && n->seen.offered == MQTT_V5 && nf >= 4 &&
	                   first[0] == 0x20 && first[1] == 2;

	n->seen.nfirst = nf < sizeof(n->seen.first) ? nf : sizeof(n->seen.first);
	memcpy(n->seen.first, first, n->seen.nfirst);
	n->seen.peeked = true;
	n->seen.ended = !n->connected_at && n->end == END_PUMP && (closed || old_connack);
}

/*
 * What an attempt says about the MQTT version: fall back at once, report a
 * refusal, or nothing (negotiate.h).
 */
static enum negotiate_step version_outcome(struct net *n)
{
	enum negotiate_step step;

	/* Refused, unreachable or no such host: no broker answered at all. */
	if (n->end == END_SETUP &&
	    (n->cerr.fail == CONN_ERRNO || n->cerr.fail == CONN_DNS || n->pump == NULL)) {
		negotiate_unreachable(&n->neg);
		return NEG_STEP_CONTINUE;
	}
	step = negotiate_result(&n->neg, &n->seen);
	if (step == NEG_STEP_FALLBACK) {
		n->st.protocol = negotiate_offer(&n->neg);
		n->st.protocol_why = n->neg.why;
		log_event(n, SESSION_LOG_FALLBACK, REASON_VERSION, n->seen.offered, 0, 0);
	} else if (step == NEG_STEP_REFUSED) {
		set_detail(n, negotiate_answer_words(negotiate_classify(&n->seen)));
	}
	return step;
}

/* One attempt: open, serve until the end; the reason in *why and *code. */
static void attempt(struct net *n, enum session_reason *why, int *code)
{
	char err[CONN_DETAIL_MAX];
	struct pump_sink sink = {n, lib_connect, deliver_direct};

	n->conn = conn_open(&n->cfg, n->ss->stop_fd, CONNECT_MS, &n->cerr);
	if (n->conn == NULL) {
		n->end = n->cerr.fail == CONN_STOPPED ? END_STOP : END_SETUP;
		setup_reason(n, why, code);
		return;
	}
	n->pump = pump_open(n->conn, n->mosq, n->payload_cap, &sink, err, sizeof(err));
	if (n->pump == NULL) {
		n->end = END_SETUP;
		*why = REASON_LIB;
		*code = MOSQ_ERR_UNKNOWN;
		set_detail(n, err);
		return;
	}
	serve(n);
	note_seen(n);
	if (n->end == END_PUMP) {
		if (n->refused) {
			*why = n->st.reason;
			*code = n->st.code;
		} else {
			pump_reason(n, why, code);
		}
	}
}

void *net_main(void *arg)
{
	struct session *ss = arg;
	struct net *n = ss->net;
	unsigned tries = 0;

	while (!atomic_load(&ss->stop)) {
		enum session_reason why = REASON_LIB;
		int code = 0;
		int64_t now, lasted, delay;

		enum negotiate_step step;

		memset(&n->seen, 0, sizeof(n->seen));
		n->seen.offered = negotiate_offer(&n->neg);
		n->seen.connack = -1;
		n->st.protocol = n->seen.offered;
		n->st.protocol_why = n->neg.why;
		n->refused = false;
		n->misc_rc = 0;
		n->connected_at = 0;
		n->end = END_NONE;
		n->login_now = n->relogin = false;
		set_status(n, SESSION_CONNECTING, REASON_NONE, 0, 0);
		attempt(n, &why, &code);
		step = n->end == END_STOP || n->end == END_RELOGIN ? NEG_STEP_CONTINUE
		                                                   : version_outcome(n);
		close_attempt(n, n->end == END_STOP || n->end == END_RELOGIN);
		if (n->end == END_STOP || atomic_load(&ss->stop))
			break;
		if (n->end == END_RELOGIN) {
			tries = 0; /* new credentials: straight back */
			continue;
		}
		if (step == NEG_STEP_FALLBACK)
			continue; /* another version at once: no backoff step */
		if (step == NEG_STEP_REFUSED) {
			why = REASON_VERSION;
			code = n->seen.offered | (n->neg.fixed ? 0x100 : 0);
		}
		now = clock_mono_ms();
		lasted = n->connected_at ? now - n->connected_at : 0;
		if (n->connected_at && lasted >= STABLE_MS)
			tries = 0;
		tries++;
		n->st.attempt = tries;
		delay = backoff_ms(tries);
		set_status(n, SESSION_WAITING, why, code, now + delay);
		log_event(n, n->connected_at ? SESSION_LOG_LOST : SESSION_LOG_FAILED, why, code,
		          delay, lasted);
		wait_until(n, now + delay);
	}
	set_status(n, SESSION_STOPPED, REASON_NONE, 0, 0);
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
	if (s->id_prefix) {
		snprintf(buf, cap, "%s%d", s->id_prefix, (int)getpid());
	} else {
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

/* Copies what the network thread needs for every connection (the MQTT password stays with
 * libmosquitto). */
static void copy_settings(struct settings *d, const struct settings *s)
{
	struct {
		char **dst;
		const char *src;
	} strs[] = {
	    {&d->host, s->host},
	    {&d->unix_path, s->unix_path},
	    {&d->bind_address, s->bind_address},
	    {&d->proxy_host, s->proxy_host},
	    {&d->proxy_user, s->proxy_user},
	    {&d->proxy_password, s->proxy_password},
	    {&d->user, s->user},
	    {&d->cafile, s->cafile},
	    {&d->capath, s->capath},
	    {&d->cert, s->cert},
	    {&d->key, s->key},
	    {&d->tls_version, s->tls_version},
	    {&d->ciphers, s->ciphers},
	    {&d->alpn, s->alpn},
	    {&d->psk, s->psk},
	    {&d->psk_identity, s->psk_identity},
	    {&d->ws_path, s->ws_path},
	};

	settings_init(d);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		settings_set_str(strs[i].dst, strs[i].src);
	d->port = s->port;
	d->proxy_port = s->proxy_port;
	d->proxy_kind = s->proxy_kind;
	d->keepalive = s->keepalive;
	d->protocol = s->protocol;
	d->persistent = s->persistent;
	d->session_expiry = s->session_expiry;
	d->qos = s->qos;
	d->tls = s->tls;
	d->insecure = s->insecure;
	d->os_certs = s->os_certs;
	d->ws = s->ws;
	for (size_t i = 0; i < s->nws_headers; i++)
		settings_add_str(&d->ws_headers, &d->nws_headers, s->ws_headers[i]);
	for (size_t i = 0; i < s->nunsubs; i++)
		settings_add_str(&d->unsubs, &d->nunsubs, s->unsubs[i]);
}

struct net *net_new(struct session *ss, const struct settings *s)
{
	struct net *n = xcalloc(1, sizeof(*n));
	char id[128];

	n->ss = ss;
	n->payload_cap = s->payload_cap ? s->payload_cap : (size_t)UINT32_MAX;
	n->pub_ids = xcalloc(65536, sizeof(*n->pub_ids));
	n->st.state = SESSION_IDLE;
	copy_settings(&n->cfg, s);
	for (size_t i = 0; i < s->ntopics; i++)
		add_sub(n, s->topics[i], s->qos);
	make_client_id(s, id, sizeof(id));
	n->mosq = mosquitto_new(id, !s->persistent, n);
	if (n->mosq == NULL)
		goto fail;
	/* Without -V: MQTT 5 first, then what the broker shows it has (negotiate.h). */
	negotiate_init(&n->neg, s->protocol, s->password && !s->user);
	n->st.protocol = negotiate_offer(&n->neg);
	n->st.protocol_fixed = n->neg.fixed != 0;
	/* A monitor should never make the broker hold back QoS 1/2 deliveries. */
	mosquitto_int_option(n->mosq, MOSQ_OPT_RECEIVE_MAXIMUM, 65535);
	/* Packets wait for our loop to write them: nothing goes out between our steps. */
	mosquitto_threaded_set(n->mosq, true);
	if (s->user || s->password)
		mosquitto_username_pw_set(n->mosq, s->user, s->password);
	if (s->will_topic &&
	    mosquitto_will_set(n->mosq, s->will_topic,
	                       s->will_payload ? (int)strlen(s->will_payload) : 0, s->will_payload,
	                       s->will_qos, s->will_retain) != MOSQ_ERR_SUCCESS)
		goto fail;
	mosquitto_connect_v5_callback_set(n->mosq, on_connect);
	mosquitto_message_v5_callback_set(n->mosq, on_message);
	mosquitto_subscribe_v5_callback_set(n->mosq, on_subscribe);
	mosquitto_unsubscribe_v5_callback_set(n->mosq, on_unsubscribe);
	mosquitto_publish_v5_callback_set(n->mosq, on_publish);
	mosquitto_disconnect_v5_callback_set(n->mosq, on_disconnect);
	return n;
fail:
	net_free(n);
	return NULL;
}

void net_free(struct net *n)
{
	if (n == NULL)
		return;
	close_attempt(n, false);
	if (n->mosq)
		mosquitto_destroy(n->mosq);
	settings_free(&n->cfg);
	for (size_t i = 0; i < n->nsubs; i++)
		free(n->subs[i].filter);
	free(n->subs);
	free(n->pub_ids);
	free(n);
}
