/* dialect.h: which broker this is, from its $SYS topics, and where it publishes each statistic. */
#ifndef MQSCOPE_DIALECT_H
#define MQSCOPE_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/tree.h"

/* Brokers by the layout of their $SYS tree. */
enum dialect_id {
	DIALECT_NONE,      /* no $SYS topic seen */
	DIALECT_MOSQUITTO, /* $SYS/broker/... (mosquitto, and brokers that copy its names) */
	DIALECT_AEDES,     /* $SYS/<broker id>/heartbeat, new/clients...: events, no statistics */
	DIALECT_EMQX,      /* $SYS/brokers/<node>/version, stats/..., metrics/... */
	DIALECT_VERNEMQ,   /* $SYS/<erlang node name>/<metric>... */
	DIALECT_NANOMQ,    /* $SYS/brokers/connected and disconnected: events only */
	DIALECT_OTHER,     /* $SYS topics in a layout not known here */
};

/* The statistics the dashboard shows, by meaning; each dialect names them its own way. */
enum dialect_stat {
	DS_VERSION,
	DS_UPTIME,
	DS_CLIENTS_CONNECTED,
	DS_CLIENTS_DISCONNECTED,
	DS_CLIENTS_MAXIMUM,
	DS_CLIENTS_TOTAL,
	DS_CLIENTS_EXPIRED,
	DS_SUBSCRIPTIONS,
	DS_SHARED_SUBSCRIPTIONS,
	DS_RETAINED,
	DS_STORED_MESSAGES,
	DS_STORED_BYTES,
	DS_MESSAGES_IN,
	DS_MESSAGES_OUT,
	DS_BYTES_IN,
	DS_BYTES_OUT,
	DS_MESSAGES_IN_1MIN,
	DS_MESSAGES_OUT_1MIN,
	DS_BYTES_IN_1MIN,
	DS_BYTES_OUT_1MIN,
	DS_DROPPED,
	DS_DROPPED_1MIN,
	DS_HEAP_CURRENT,
	DS_HEAP_MAXIMUM,
	/* events (aedes, NanoMQ): how many the broker announced while mqscope watched */
	DS_EVENT_CONNECTS,
	DS_EVENT_DISCONNECTS,
	DS_EVENT_SUBSCRIBES,
	DS_EVENT_UNSUBSCRIBES,
	DS_EVENT_HEARTBEAT,
	DS__COUNT
};

#define DIALECT_PREFIX_MAX 192

struct dialect {
	enum dialect_id id;
	char
	    prefix[DIALECT_PREFIX_MAX]; /* "$SYS/broker/", "$SYS/<id>/"... where its topics start */
};

/* Recognizes the broker from the $SYS topics in the tree (looks at a few dozen nodes at most). */
void dialect_detect(struct dialect *d, const struct tree *t);
/* The same for the $SYS under root ("house/" for a broker's branch; "" for the top). */
void dialect_detect_in(struct dialect *d, const struct tree *t, const char *root);
/* The topic of a statistic in this dialect; false when the dialect does not publish it. */
bool dialect_topic(const struct dialect *d, enum dialect_stat s, char *buf, size_t cap);
/* "mosquitto", "aedes", "EMQX", "VerneMQ", "NanoMQ"; NULL for none or unknown. */
const char *dialect_name(enum dialect_id id);
/* Whether the dialect publishes events rather than counters (the counts are mqscope's own). */
bool dialect_events_only(enum dialect_id id);

/*
 * A broker that publishes no $SYS at all cannot be named from it. One that
 * hung up on an MQTT 5 CONNECT (negotiate.h, NEG_CLOSED) and publishes no
 * $SYS behaves as RabbitMQ 3.x does; the note says what RabbitMQ does
 * differently from the specification that a user would misread. NULL when
 * there is nothing to say.
 */
const char *dialect_quirk(enum dialect_id id, bool v5_closed);

#endif
