/* session_parts.h: what the session's own files share; nothing else includes it. */
#ifndef MQSCOPE_SESSION_PARTS_H
#define MQSCOPE_SESSION_PARTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/ring.h"
#include "mqscope/session.h"
#include "mqscope/settings.h"

/*
 * src/session.c is the owner's side (commands out, events in), and
 * src/session_net.c the network thread's. They share the two queues and a
 * few counters; each side's state is its own.
 */

enum cmd_kind { OP_PUBLISH, OP_SUBSCRIBE, OP_UNSUBSCRIBE, OP_LOGIN };

/* One command, allocated by the owner and freed by the network thread. */
struct cmd {
	enum cmd_kind kind;
	int id; /* PUBLISH: the id its outcome event carries */
	int qos;
	bool retain;
	char *topic;   /* PUBLISH topic, or the filter */
	void *payload; /* PUBLISH */
	size_t len;
	char *content_type, *response_topic;
	void *correlation;
	size_t correlation_len;
	char **user_props; /* key, value, ... */
	size_t nuser_props;
	uint32_t expiry;
	char *user, *password; /* LOGIN; user NULL keeps the current one */
};

/* Events on the wire between the threads: a head, then by kind a filter, status or log entry. */
struct ev_head {
	uint32_t kind;
	int32_t mid, rc;
	uint32_t len; /* bytes of the body that follows */
};

/* The network thread's subscription list. */
struct net_sub {
	char *filter;
	int qos;
	int mid;     /* of the SUBSCRIBE in flight */
	int granted; /* -1 pending, else the granted QoS or the refusal */
	uint32_t id; /* MQTT 5 subscription identifier: which of ours delivered a message */
};

struct session {
	struct ring *ring;  /* messages: network thread -> owner */
	struct ring events; /* events: network thread -> owner (woken through ring->wake_fd) */
	struct ring cmds;   /* commands: owner -> network thread (woken through cmds.wake_fd) */
	int stop_fd;        /* eventfd: written once, to stop */
	atomic_bool stop;
	pthread_t thread;
	bool started;

	/* counters any thread may read */
	atomic_uint_fast64_t received;
	atomic_uint_fast64_t direct, via_lib, reads, read_bytes;
	atomic_uint_fast64_t duplicates; /* copies left out: delivered again for another filter */

	/* the owner's side: what the events told, and ids */
	struct session_status st;
	struct session_log_entry log[SESSION_LOG_MAX];
	uint64_t nlog;
	struct session_sub *subs;
	size_t nsubs;
	char *user;
	int next_id;
	struct session_event *pending; /* events taken in by session_status & co., not yet read */
	size_t npending, pending_cap, pending_pos;
	int protocol; /* the version asked for (for MQTT 5 properties on publish) */

	/* the network thread's side */
	struct net *net;
};

/* Network thread: creates its state (NULL on failure) and runs it. */
struct net *net_new(struct session *ss, const struct settings *s);
void net_free(struct net *n);
void *net_main(void *arg);
/* Frees a command and wipes its secrets. */
void cmd_free(struct cmd *c);

#endif
