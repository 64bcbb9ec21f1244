/* session.c: the owner's side of a broker session: commands out through one queue, events in. */
#define _GNU_SOURCE
#include "mqscope/session.h"

#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/mqtt_wire.h"
#include "mqscope/session_parts.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

#define EVENT_BYTES (256 * 1024)
#define EVENT_COUNT 4096
#define CMD_COUNT   65536
#define TOPIC_MAX   65535
#define PAYLOAD_MAX 268435455u /* what a remaining length can carry */

void session_lib_init(void)
{
	mosquitto_lib_init();
}

void session_lib_cleanup(void)
{
	mosquitto_lib_cleanup();
}

struct session *session_new(const struct settings *s, struct ring *ring)
{
	struct session *ss = xcalloc(1, sizeof(*ss));

	ss->ring = ring;
	ss->stop_fd = -1;
	ss->events.wake_fd = ss->cmds.wake_fd = -1;
	ss->protocol = s->protocol;
	ss->user = s->user ? xstrdup(s->user) : NULL;
	ss->st.state = SESSION_IDLE;
	for (size_t i = 0; i < s->ntopics; i++) {
		char err[8];

		session_subscribe(ss, s->topics[i], s->qos, err, sizeof(err));
	}
	if (ring_init(&ss->events, EVENT_BYTES, EVENT_COUNT) != 0 ||
	    ring_init(&ss->cmds, CMD_COUNT * 16, CMD_COUNT) != 0)
		goto fail;
	ss->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ss->stop_fd < 0)
		goto fail;
	ss->net = net_new(ss, s);
	if (ss->net == NULL)
		goto fail;
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
	uint64_t one = 1;
	ssize_t n;

	if (!ss->started)
		return;
	atomic_store(&ss->stop, true);
	n = write(ss->stop_fd, &one, sizeof(one));
	(void)n;
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

void cmd_free(struct cmd *c)
{
	if (c == NULL)
		return;
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->user);
	free(c->topic);
	free(c->payload);
	free(c->content_type);
	free(c->response_topic);
	free(c->correlation);
	for (size_t i = 0; i < 2 * c->nuser_props; i++)
		free(c->user_props[i]);
	free(c->user_props);
	free(c);
}

void session_free(struct session *ss)
{
	size_t len;
	const void *p;

	if (ss == NULL)
		return;
	if (ss->started)
		return; /* the thread is stuck in a blocking call; the process exit reclaims it */
	if (ss->net)
		net_free(ss->net);
	/* Commands the network thread never took. */
	while (ss->cmds.buf && (p = ring_peek(&ss->cmds, &len)) != NULL) {
		struct cmd *c;

		memcpy(&c, p, sizeof(c));
		ring_release(&ss->cmds);
		cmd_free(c);
	}
	if (ss->events.buf)
		ring_free(&ss->events);
	if (ss->cmds.buf)
		ring_free(&ss->cmds);
	if (ss->stop_fd >= 0)
		close(ss->stop_fd);
	free(ss->subs);
	free(ss->pending);
	free(ss->user);
	free(ss);
}

/* Applies an event to what the owner knows, and keeps it for session_next_event. */
static void take_event(struct session *ss, const struct session_event *ev)
{
	switch (ev->kind) {
	case SESSION_EV_STATUS:
		ss->st = ev->status;
		break;
	case SESSION_EV_LOG:
		ss->log[ss->nlog++ % SESSION_LOG_MAX] = ev->log;
		break;
	case SESSION_EV_SUBSCRIBED:
		for (size_t i = 0; i < ss->nsubs; i++)
			if (strcmp(ss->subs[i].filter, ev->filter) == 0)
				ss->subs[i].granted = ev->rc;
		break;
	default:
		break;
	}
	if (ss->npending == ss->pending_cap) {
		if (ss->pending_pos > 0) {
			memmove(ss->pending, ss->pending + ss->pending_pos,
			        (ss->npending - ss->pending_pos) * sizeof(*ss->pending));
			ss->npending -= ss->pending_pos;
			ss->pending_pos = 0;
		}
		if (ss->npending == ss->pending_cap) {
			ss->pending_cap = ss->pending_cap ? 2 * ss->pending_cap : 16;
			ss->pending = xrealloc(ss->pending, ss->pending_cap * sizeof(*ss->pending));
		}
	}
	ss->pending[ss->npending++] = *ev;
}

/* Takes in every event the network thread sent so far. */
static void take_events(struct session *ss)
{
	const void *p;
	size_t len;

	while ((p = ring_peek(&ss->events, &len)) != NULL) {
		struct ev_head h;
		struct session_event ev;
		const char *body = (const char *)p + sizeof(h);

		memcpy(&h, p, sizeof(h));
		memset(&ev, 0, sizeof(ev));
		ev.kind = (enum session_event_kind)h.kind;
		ev.mid = h.mid;
		ev.rc = h.rc;
		if (ev.kind == SESSION_EV_STATUS && h.len == sizeof(ev.status))
			memcpy(&ev.status, body, sizeof(ev.status));
		else if (ev.kind == SESSION_EV_LOG && h.len == sizeof(ev.log))
			memcpy(&ev.log, body, sizeof(ev.log));
		else if (h.len < sizeof(ev.filter))
			memcpy(ev.filter, body, h.len);
		ring_release(&ss->events);
		take_event(ss, &ev);
	}
}

bool session_next_event(struct session *ss, struct session_event *ev)
{
	take_events(ss);
	if (ss->pending_pos == ss->npending) {
		ss->pending_pos = ss->npending = 0;
		return false;
	}
	*ev = ss->pending[ss->pending_pos++];
	return true;
}

void session_status(struct session *ss, struct session_status *out)
{
	take_events(ss);
	*out = ss->st;
}

size_t session_log(struct session *ss, struct session_log_entry *out, size_t max)
{
	size_t n;

	take_events(ss);
	n = ss->nlog < SESSION_LOG_MAX ? (size_t)ss->nlog : SESSION_LOG_MAX;
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = ss->log[(ss->nlog - n + i) % SESSION_LOG_MAX];
	return n;
}

int session_protocol(const struct session *ss)
{
	return ss->st.protocol;
}

uint64_t session_received(const struct session *ss)
{
	return atomic_load_explicit(&ss->received, memory_order_relaxed);
}

uint64_t session_duplicates(struct session *ss)
{
	return atomic_load_explicit(&ss->duplicates, memory_order_relaxed);
}

void session_net_stats(const struct session *ss, struct session_net_stats *out)
{
	out->direct = atomic_load_explicit(&ss->direct, memory_order_relaxed);
	out->via_lib = atomic_load_explicit(&ss->via_lib, memory_order_relaxed);
	out->reads = atomic_load_explicit(&ss->reads, memory_order_relaxed);
	out->read_bytes = atomic_load_explicit(&ss->read_bytes, memory_order_relaxed);
}

/* Hands a command to the network thread; -1 with err when the queue is full. */
static int send_cmd(struct session *ss, struct cmd *c, char *err, size_t cap)
{
	void *slot = ss->cmds.buf ? ring_try_reserve(&ss->cmds, sizeof(c)) : NULL;

	if (slot == NULL) {
		snprintf(err, cap, "busy: %zu commands wait for the network thread",
		         ss->cmds.buf ? ring_count(&ss->cmds) : 0);
		cmd_free(c);
		return -1;
	}
	memcpy(slot, &c, sizeof(c));
	ring_commit(&ss->cmds);
	return 0;
}

static void *dup_bytes(const void *p, size_t n)
{
	void *d = xmalloc(n ? n : 1);

	if (n)
		memcpy(d, p, n);
	return d;
}

static char *dup_opt(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* Whether a topic can be published to: MQTT's string rules, no wildcards, not empty. */
static bool pub_topic_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;

	return n > 0 && n <= TOPIC_MAX && wire_utf8_ok((const uint8_t *)t, n) && !strchr(t, '+') &&
	       !strchr(t, '#');
}

int session_publish(struct session *ss, const struct pub_req *req, int *mid, char *err, size_t cap)
{
	struct cmd *c;

	take_events(ss);
	if (ss->st.state != SESSION_CONNECTED) {
		snprintf(err, cap, "not connected");
		return -1;
	}
	if (!pub_topic_ok(req->topic)) {
		snprintf(err, cap, "'%s' is not a topic one can publish to (no + or #)",
		         req->topic ? req->topic : "");
		return -1;
	}
	if (req->len > PAYLOAD_MAX) {
		snprintf(err, cap, "payload too large");
		return -1;
	}
	if (req->qos < 0 || req->qos > 2) {
		snprintf(err, cap, "QoS must be 0, 1 or 2");
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->kind = OP_PUBLISH;
	c->id = ++ss->next_id;
	c->topic = xstrdup(req->topic);
	c->payload = dup_bytes(req->payload, req->len);
	c->len = req->len;
	c->qos = req->qos;
	c->retain = req->retain;
	c->content_type = dup_opt(req->content_type);
	c->response_topic = dup_opt(req->response_topic);
	if (req->correlation && req->correlation_len) {
		c->correlation = dup_bytes(req->correlation, req->correlation_len);
		c->correlation_len = req->correlation_len;
	}
	c->expiry = req->expiry;
	if (req->nuser_props) {
		c->user_props = xcalloc(2 * req->nuser_props, sizeof(char *));
		for (size_t i = 0; i < 2 * req->nuser_props; i++)
			c->user_props[i] = xstrdup(req->user_props[i] ? req->user_props[i] : "");
		c->nuser_props = req->nuser_props;
	}
	*mid = c->id;
	return send_cmd(ss, c, err, cap);
}

static struct session_sub *find_sub(struct session *ss, const char *filter)
{
	for (size_t i = 0; i < ss->nsubs; i++)
		if (strcmp(ss->subs[i].filter, filter) == 0)
			return &ss->subs[i];
	return NULL;
}

int session_subscribe(struct session *ss, const char *filter, int qos, char *err, size_t cap)
{
	struct session_sub *e;
	struct cmd *c;
	size_t n = strlen(filter);

	if (n == 0 || n >= sizeof(e->filter) || !topic_filter_valid(filter) ||
	    !wire_utf8_ok((const uint8_t *)filter, n)) {
		snprintf(err, cap, "'%s' is not a valid topic filter", filter);
		return -1;
	}
	if (qos < 0 || qos > 2) {
		snprintf(err, cap, "QoS must be 0, 1 or 2");
		return -1;
	}
	e = find_sub(ss, filter);
	if (e == NULL) {
		ss->subs = xrealloc(ss->subs, (ss->nsubs + 1) * sizeof(*ss->subs));
		e = &ss->subs[ss->nsubs++];
		memcpy(e->filter, filter, n + 1);
	}
	e->qos = qos;
	e->granted = -1;
	if (ss->net == NULL)
		return 0; /* set-up: the network thread takes the list with the settings */
	c = xcalloc(1, sizeof(*c));
	c->kind = OP_SUBSCRIBE;
	c->topic = xstrdup(filter);
	c->qos = qos;
	return send_cmd(ss, c, err, cap);
}

int session_unsubscribe(struct session *ss, const char *filter, char *err, size_t cap)
{
	struct session_sub *e = find_sub(ss, filter);
	struct cmd *c;

	if (e == NULL) {
		snprintf(err, cap, "not subscribed to '%s'", filter);
		return -1;
	}
	*e = ss->subs[--ss->nsubs];
	c = xcalloc(1, sizeof(*c));
	c->kind = OP_UNSUBSCRIBE;
	c->topic = xstrdup(filter);
	return send_cmd(ss, c, err, cap);
}

size_t session_subscriptions(struct session *ss, struct session_sub *out, size_t max)
{
	take_events(ss);
	for (size_t i = 0; i < ss->nsubs && i < max; i++)
		out[i] = ss->subs[i];
	return ss->nsubs;
}

int session_set_login(struct session *ss, const char *user, const char *password, char *err,
                      size_t cap)
{
	struct cmd *c = xcalloc(1, sizeof(*c));
	char *name = user && *user ? xstrdup(user) : NULL;

	c->kind = OP_LOGIN;
	c->user = name ? xstrdup(name) : NULL;
	c->password = password ? xstrdup(password) : NULL;
	if (send_cmd(ss, c, err, cap) != 0) {
		free(name);
		return -1;
	}
	if (name) {
		free(ss->user);
		ss->user = name;
	}
	return 0;
}

void session_user(struct session *ss, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", ss->user ? ss->user : "");
}
