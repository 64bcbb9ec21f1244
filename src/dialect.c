/* dialect.c: brokers recognized by the shape of their $SYS tree, and their statistics' topics. */
#include "mqscope/dialect.h"

#include <stdio.h>
#include <string.h>

#define LOOK_MAX 64 /* children of one $SYS level looked at */

/* Topics below each dialect's prefix, by statistic; NULL: not published. */
static const char *const mosquitto_topics[DS__COUNT] = {
    [DS_VERSION] = "version",
    [DS_UPTIME] = "uptime",
    [DS_CLIENTS_CONNECTED] = "clients/connected",
    [DS_CLIENTS_DISCONNECTED] = "clients/disconnected",
    [DS_CLIENTS_MAXIMUM] = "clients/maximum",
    [DS_CLIENTS_TOTAL] = "clients/total",
    [DS_CLIENTS_EXPIRED] = "clients/expired",
    [DS_SUBSCRIPTIONS] = "subscriptions/count",
    [DS_SHARED_SUBSCRIPTIONS] = "shared_subscriptions/count",
    [DS_RETAINED] = "retained messages/count",
    [DS_STORED_MESSAGES] = "store/messages/count",
    [DS_STORED_BYTES] = "store/messages/bytes",
    [DS_MESSAGES_IN] = "messages/received",
    [DS_MESSAGES_OUT] = "messages/sent",
    [DS_BYTES_IN] = "bytes/received",
    [DS_BYTES_OUT] = "bytes/sent",
    [DS_MESSAGES_IN_1MIN] = "load/messages/received/1min",
    [DS_MESSAGES_OUT_1MIN] = "load/messages/sent/1min",
    [DS_BYTES_IN_1MIN] = "load/bytes/received/1min",
    [DS_BYTES_OUT_1MIN] = "load/bytes/sent/1min",
    [DS_DROPPED] = "publish/messages/dropped",
    [DS_DROPPED_1MIN] = "load/publish/dropped/1min",
    [DS_HEAP_CURRENT] = "heap/current",
    [DS_HEAP_MAXIMUM] = "heap/maximum",
};

/* EMQX 4 and 5 (and brokers that copy it, such as RMQTT). */
static const char *const emqx_topics[DS__COUNT] = {
    [DS_VERSION] = "version",
    [DS_UPTIME] = "uptime",
    [DS_CLIENTS_CONNECTED] = "stats/connections/count",
    [DS_CLIENTS_MAXIMUM] = "stats/connections/max",
    [DS_SUBSCRIPTIONS] = "stats/subscriptions/count",
    [DS_SHARED_SUBSCRIPTIONS] = "stats/subscriptions/shared/count",
    [DS_RETAINED] = "stats/retained/count",
    [DS_MESSAGES_IN] = "metrics/messages/received",
    [DS_MESSAGES_OUT] = "metrics/messages/sent",
    [DS_BYTES_IN] = "metrics/bytes/received",
    [DS_BYTES_OUT] = "metrics/bytes/sent",
    [DS_DROPPED] = "metrics/messages/dropped",
};

/* VerneMQ's systree: its metric names with '/' for '_'. */
static const char *const vernemq_topics[DS__COUNT] = {
    [DS_SUBSCRIPTIONS] = "router/subscriptions",
    [DS_RETAINED] = "retain/messages",
    [DS_MESSAGES_IN] = "mqtt/publish/received",
    [DS_MESSAGES_OUT] = "mqtt/publish/sent",
    [DS_BYTES_IN] = "bytes/received",
    [DS_BYTES_OUT] = "bytes/sent",
    [DS_DROPPED] = "queue/message/drop",
};

static const char *const aedes_topics[DS__COUNT] = {
    [DS_EVENT_CONNECTS] = "new/clients",      [DS_EVENT_DISCONNECTS] = "disconnect/clients",
    [DS_EVENT_SUBSCRIBES] = "new/subscribes", [DS_EVENT_UNSUBSCRIBES] = "new/unsubscribes",
    [DS_EVENT_HEARTBEAT] = "heartbeat",
};

static const char *const nanomq_topics[DS__COUNT] = {
    [DS_EVENT_CONNECTS] = "connected",
    [DS_EVENT_DISCONNECTS] = "disconnected",
};

static const char *const *table(enum dialect_id id)
{
	switch (id) {
	case DIALECT_MOSQUITTO:
		return mosquitto_topics;
	case DIALECT_EMQX:
		return emqx_topics;
	case DIALECT_VERNEMQ:
		return vernemq_topics;
	case DIALECT_AEDES:
		return aedes_topics;
	case DIALECT_NANOMQ:
		return nanomq_topics;
	default:
		return NULL;
	}
}

static tree_id find(const struct tree *t, const char *topic)
{
	return tree_find(t, topic, strlen(topic));
}

/* The child of id named name, among the first LOOK_MAX; or TREE_NONE. */
static tree_id child(const struct tree *t, tree_id id, const char *name)
{
	size_t n = strlen(name), len;
	unsigned k = 0;

	for (tree_id c = tree_node(t, id)->first_child; c != TREE_NONE && k < LOOK_MAX;
	     c = tree_node(t, c)->next_sibling, k++) {
		const char *s = tree_name(t, c, &len);

		if (len == n && memcmp(s, name, n) == 0)
			return c;
	}
	return TREE_NONE;
}

/* Sets the prefix to "$SYS/" + the name of node c (+ "/"), under parent path "under". */
static void set_prefix(struct dialect *d, const struct tree *t, const char *root, const char *under,
                       tree_id c)
{
	size_t len;
	const char *s = tree_name(t, c, &len);

	snprintf(d->prefix, sizeof(d->prefix), "%s%s%.*s/", root, under, (int)len, s);
}

void dialect_detect_in(struct dialect *d, const struct tree *t, const char *root)
{
	char path[DIALECT_PREFIX_MAX];
	tree_id sys, brokers;
	unsigned k = 0;

	snprintf(path, sizeof(path), "%s$SYS", root);
	sys = find(t, path);

	d->id = DIALECT_NONE;
	d->prefix[0] = '\0';
	if (sys == TREE_NONE)
		return;
	d->id = DIALECT_OTHER;
	if (child(t, sys, "broker") != TREE_NONE) {
		d->id = DIALECT_MOSQUITTO;
		snprintf(d->prefix, sizeof(d->prefix), "%s$SYS/broker/", root);
		return;
	}
	if ((brokers = child(t, sys, "brokers")) != TREE_NONE) {
		if (child(t, brokers, "connected") != TREE_NONE ||
		    child(t, brokers, "disconnected") != TREE_NONE) {
			d->id = DIALECT_NANOMQ;
			snprintf(d->prefix, sizeof(d->prefix), "%s$SYS/brokers/", root);
			return;
		}
		/* $SYS/brokers/<node>/version, stats, metrics, clients */
		for (tree_id c = tree_node(t, brokers)->first_child; c != TREE_NONE && k < LOOK_MAX;
		     c = tree_node(t, c)->next_sibling, k++)
			if (child(t, c, "version") != TREE_NONE ||
			    child(t, c, "stats") != TREE_NONE ||
			    child(t, c, "metrics") != TREE_NONE ||
			    child(t, c, "uptime") != TREE_NONE) {
				d->id = DIALECT_EMQX;
				set_prefix(d, t, root, "$SYS/brokers/", c);
				return;
			}
		return;
	}
	for (tree_id c = tree_node(t, sys)->first_child; c != TREE_NONE && k < LOOK_MAX;
	     c = tree_node(t, c)->next_sibling, k++) {
		size_t len;
		const char *s = tree_name(t, c, &len);

		if (child(t, c, "heartbeat") != TREE_NONE || child(t, c, "birth") != TREE_NONE ||
		    child(t, c, "new") != TREE_NONE || child(t, c, "disconnect") != TREE_NONE) {
			d->id = DIALECT_AEDES;
			set_prefix(d, t, root, "$SYS/", c);
			return;
		}
		/* An Erlang node name, VerneMQ@host, above its metrics. */
		if (memchr(s, '@', len) &&
		    (child(t, c, "mqtt") != TREE_NONE || child(t, c, "bytes") != TREE_NONE ||
		     child(t, c, "socket") != TREE_NONE)) {
			d->id = DIALECT_VERNEMQ;
			set_prefix(d, t, root, "$SYS/", c);
			return;
		}
	}
}

void dialect_detect(struct dialect *d, const struct tree *t)
{
	dialect_detect_in(d, t, "");
}

bool dialect_topic(const struct dialect *d, enum dialect_stat s, char *buf, size_t cap)
{
	const char *const *tab = table(d->id);

	if (tab == NULL || s >= DS__COUNT || tab[s] == NULL) {
		if (cap)
			buf[0] = '\0';
		return false;
	}
	return (size_t)snprintf(buf, cap, "%s%s", d->prefix, tab[s]) < cap;
}

const char *dialect_name(enum dialect_id id)
{
	switch (id) {
	case DIALECT_MOSQUITTO:
		return "mosquitto";
	case DIALECT_AEDES:
		return "aedes";
	case DIALECT_EMQX:
		return "EMQX";
	case DIALECT_VERNEMQ:
		return "VerneMQ";
	case DIALECT_NANOMQ:
		return "NanoMQ";
	default:
		return NULL;
	}
}

bool dialect_events_only(enum dialect_id id)
{
	return id == DIALECT_AEDES || id == DIALECT_NANOMQ;
}

const char *dialect_quirk(enum dialect_id id, bool v5_closed)
{
	if (id == DIALECT_NONE && v5_closed)
		return "No MQTT 5 and no $SYS, as RabbitMQ 3.x: it sends retained messages only to "
		       "subscriptions without wildcards, so '#' shows no retained state (add the "
		       "exact topic with s)";
	return NULL;
}
