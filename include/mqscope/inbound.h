/* inbound.h: the broker's byte stream, bounded and checked, split between libmosquitto and the
 * ring. */
#ifndef MQSCOPE_INBOUND_H
#define MQSCOPE_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/mqtt_wire.h"

/*
 * Every byte the broker sends comes here first, from the first byte, on
 * every transport. The filter cuts the stream into packets and checks each
 * against the MQTT rules (mqtt_wire.h) before any byte of it goes on; a
 * packet that breaks one ends the stream with the verdict and its detail.
 *
 * Bounds: libmosquitto allocates the whole declared length of a packet
 * before it reads it. A PUBLISH whose payload is over the cap goes on cut to
 * the cap (topic, packet id and properties intact, the length rewritten) and
 * the rest is read and dropped; its real size is kept for its record. Any
 * other packet over INBOUND_PACKET_MAX, or a PUBLISH whose header alone is
 * over it, ends the stream.
 *
 * Routes: a complete QoS 0 PUBLISH of at most INBOUND_DIRECT_MAX bytes, not
 * cut, is handed to deliver() (QoS 0 carries no protocol state, so
 * libmosquitto has nothing to do with it but parse it again). Everything
 * else, in stream order, goes to to_lib(): the bytes libmosquitto reads.
 */

#define INBOUND_PACKET_MAX ((size_t)1 << 20) /* non-PUBLISH packets, and PUBLISH headers */
#define INBOUND_DIRECT_MAX ((size_t)256 << 10)

/* A checked QoS 0 PUBLISH; pointers borrow the filter's bytes until deliver() returns. */
struct inbound_msg {
	const uint8_t *topic;
	size_t topic_len;
	const uint8_t *payload;
	size_t len;
	const uint8_t *props; /* MQTT 5 properties as on the wire, checked */
	size_t props_len;
	bool retain;
};

struct inbound_sink {
	void *ctx;
	/* Bytes for libmosquitto, in stream order. */
	void (*to_lib)(void *ctx, const void *p, size_t n);
	/* A QoS 0 message for the ring, called in stream order with to_lib. */
	void (*deliver)(void *ctx, const struct inbound_msg *m);
};

struct inbound;

/* A filter for one connection; payload_cap >= 1. */
struct inbound *inbound_new(size_t payload_cap, const struct inbound_sink *sink);
void inbound_free(struct inbound *in);
/* The protocol level of the connection (3, 4 or 5), from the CONNECT sent. */
void inbound_set_version(struct inbound *in, int version);
/* Takes n bytes of the broker's stream: 0, or -1 once the stream broke a bound or a rule. */
int inbound_feed(struct inbound *in, const void *data, size_t n);
/* Why the stream was ended (NULL while it was not). */
const char *inbound_error(const struct inbound *in);
/* The rule it broke, or WIRE_OK when it was a bound (or nothing). */
enum wire_verdict inbound_verdict(const struct inbound *in);
/*
 * Called for each message libmosquitto delivers from this stream, in order:
 * true with the real payload size when it was cut on the way.
 */
bool inbound_lib_message(struct inbound *in, int qos, int mid, uint32_t *orig);
/* PUBLISH packets cut so far. */
uint64_t inbound_cuts(const struct inbound *in);
/* QoS 0 messages delivered directly, and packets handed to libmosquitto. */
uint64_t inbound_direct(const struct inbound *in);
uint64_t inbound_to_lib(const struct inbound *in);

#endif
