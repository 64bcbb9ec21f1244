/* pump.h: the bytes between the broker's connection and libmosquitto, over a local channel. */
#ifndef MQSCOPE_PUMP_H
#define MQSCOPE_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/inbound.h"
#include "mqscope/transport.h"

/*
 * libmosquitto speaks MQTT over a unix socket the pump makes for each
 * connection, in a directory only this user can open (mkdtemp under
 * $XDG_RUNTIME_DIR, else /tmp), accepts from libmosquitto alone (its peer
 * must be this process) and removes at once. The pump, on the network
 * thread, moves the broker's bytes through inbound.h's checks into that
 * socket (and QoS 0 messages straight to deliver()), and libmosquitto's
 * bytes to the broker. libmosquitto reads and writes only when the pump
 * calls it, so nothing it does happens between two bytes of ours.
 */

enum pump_end {
	PUMP_OPEN,       /* still going */
	PUMP_CLOSED,     /* the broker closed the connection */
	PUMP_CONN,       /* the connection failed: conn's err says how */
	PUMP_INBOUND,    /* the broker broke a rule or a bound: inbound_error says which */
	PUMP_LIB,        /* libmosquitto ended it: its code in lib_rc */
	PUMP_TLS_ANSWER, /* a plain connection was answered in TLS */
	PUMP_CHANNEL,    /* the local channel failed */
};

struct pump;
struct mosquitto;

struct pump_sink {
	void *ctx;
	/* Connects libmosquitto to a unix socket at path; a MOSQ_ERR_ code. */
	int (*lib_connect)(void *ctx, const char *path);
	/* A checked QoS 0 message for the ring, after everything before it reached libmosquitto. */
	void (*deliver)(void *ctx, const struct inbound_msg *m);
};

/*
 * Joins libmosquitto (mosq) to the open connection c; its CONNECT is queued
 * when this returns. NULL with why in err.
 */
struct pump *pump_open(struct conn *c, struct mosquitto *mosq, size_t payload_cap,
                       const struct pump_sink *sink, char *err, size_t cap);
/* Frees the pump and its end of the local channel (not the connection). */
void pump_free(struct pump *p);
/*
 * Moves bytes both ways until nothing moves now, or a turn's worth has:
 * 0, or -1 once the connection ended (pump_end says how).
 */
int pump_step(struct pump *p);
/* What to poll the connection's socket for. */
short pump_events(const struct pump *p);
/* Whether bytes wait to be moved without the socket showing it (poll without sleeping). */
bool pump_busy(const struct pump *p);
/* How the connection ended; *lib_rc for PUMP_LIB. */
enum pump_end pump_end(const struct pump *p, int *lib_rc);
/* The filter of this connection (real sizes of cut messages, the error's words). */
struct inbound *pump_inbound(const struct pump *p);
/* The broker's first bytes, as they came (up to 8), and how many. */
const uint8_t *pump_first_bytes(const struct pump *p, size_t *n);
/* The MQTT version of the CONNECT libmosquitto sent (3, 4, 5), 0 before it went. */
int pump_version(const struct pump *p);
/* Sends what libmosquitto still has for the broker (a DISCONNECT), for at most ms. */
void pump_drain(struct pump *p, int ms);
/*
 * Since when (monotonic ms) nothing went to the broker or nothing reached
 * libmosquitto, whichever is older: libmosquitto's keepalive runs from there.
 */
int64_t pump_quiet_since(const struct pump *p);
/* Counters: reads of the connection, bytes, QoS 0 messages delivered, packets to libmosquitto. */
void pump_counts(const struct pump *p, uint64_t *reads, uint64_t *bytes);

#endif
