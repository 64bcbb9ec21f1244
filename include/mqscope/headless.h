/* headless.h: the connection of the subcommands without a screen (log, dump): connect, follow, end.
 */
#ifndef MQSCOPE_HEADLESS_H
#define MQSCOPE_HEADLESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "mqscope/msg.h"
#include "mqscope/ring.h"
#include "mqscope/session.h"
#include "mqscope/settings.h"

/* The exit status of -W, as mosquitto_sub gives it (libmosquitto's MOSQ_ERR_TIMEOUT). */
#define HEADLESS_TIMED_OUT 27

/*
 * Exit statuses follow mosquitto_sub: 0 when done (-C reached, -E, a
 * signal), the CONNACK reason code when the broker refuses the first
 * connection (5 "not authorised" in MQTT 3.1.1, 135 in MQTT 5), 1 when it
 * cannot be reached or every subscription is refused, 27 at the -W timeout.
 * After a first connection, a lost one is said on stderr and made again
 * (with the session's backoff), as mosquitto_sub does.
 */
struct headless {
	const char *name; /* "mqscope log", for messages */
	bool quiet;       /* --quiet: no messages */
	struct ring ring;
	struct session *ss;
	char label[200];
	bool lib;           /* session_lib_init was called */
	uint64_t connects;  /* connections seen */
	uint64_t lost_said; /* the connection whose loss was said */
	int64_t timeout_ms; /* -W, 0 = none */
	int64_t deadline;   /* monotonic ms the -W timeout ends at; INT64_MAX before connecting */
	size_t nsubs;       /* filters subscribed on each connection */
	size_t acked;       /* SUBACKs of this connection */
	size_t refused;     /* filters the broker refused on this connection */
	bool subscribed;    /* every filter acknowledged on this connection */
	int64_t subscribed_at; /* monotonic ms it was seen */
	/*
	 * session_received() when the last SUBACK was seen: a message past this
	 * count came after every SUBACK, so after the retained messages the
	 * broker sends with them (what dump waits for).
	 */
	uint64_t sub_mark;
	uint64_t taken;      /* records taken from the ring */
	uint64_t drops_said; /* ring drops already reported */
	int64_t drops_said_at;
};

/*
 * Subscribes to cfg's topics ('#' when none), takes payloads whole (up to
 * what the ring holds), starts the session and the signal handling
 * (SIGINT, SIGTERM end the wait). 0, or an exit status with the message
 * printed.
 */
int headless_open(struct headless *h, struct settings *cfg, const char *name);
void headless_close(struct headless *h);

/*
 * Follows the session: connection, loss, SUBACKs, -W, signals. Returns -1
 * to go on, 0 when a signal asked to stop, or an exit status with the
 * message printed (never connected, all subscriptions refused, timed out).
 */
int headless_poll(struct headless *h);

/* The next message, or false when the ring is empty; release it with headless_release. */
bool headless_next(struct headless *h, struct msg_view *v);
void headless_release(struct headless *h);

/* Whether the message just taken arrived after every SUBACK of this connection. */
bool headless_after_suback(const struct headless *h);

/*
 * Sleeps until a message or a change of state arrives, a signal, the -W
 * deadline or until (monotonic ms; INT64_MAX for none).
 */
void headless_wait(struct headless *h, int64_t until);

/* Says something on stderr as "NAME: ...", unless --quiet. */
void headless_say(const struct headless *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Says once a second at most how many messages the ring had to drop so far. */
void headless_check_drops(struct headless *h);

#endif
