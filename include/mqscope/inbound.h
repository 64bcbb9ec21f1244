/* inbound.h: bounds what a broker can make us hold, between the socket and libmosquitto. */
#ifndef MQSCOPE_INBOUND_H
#define MQSCOPE_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * libmosquitto allocates the whole declared length of each packet before it
 * reads it: a broker announcing a 256 MB PUBLISH makes it hold 256 MB. This
 * filter sits in the byte stream libmosquitto reads. A PUBLISH whose payload
 * is over the cap is passed on cut to the cap (topic, packet id and
 * properties intact, the length field rewritten) and the rest is read and
 * dropped; its real size is kept for the message's record. Any other packet
 * over INBOUND_PACKET_MAX, or a PUBLISH whose header alone is over it, ends
 * the connection with a reason. Everything else passes unchanged.
 */

#define INBOUND_PACKET_MAX ((size_t)1 << 20) /* non-PUBLISH packets, and PUBLISH headers */

/* Where the filter gets raw bytes: like read(2), errno set on -1. */
typedef ssize_t (*inbound_src_fn)(void *ctx, void *buf, size_t n);

struct inbound;

/* A filter for one connection; payload_cap >= 1; v5 when the connection speaks MQTT 5. */
struct inbound *inbound_new(size_t payload_cap, bool v5);
void inbound_free(struct inbound *in);
/*
 * Like read(2) on the filtered stream: up to n bytes, 0 at end of stream,
 * -1 with errno from src, or -1 with EPROTO once the stream broke a bound
 * (inbound_error says which, and every later call fails the same way).
 */
ssize_t inbound_read(struct inbound *in, void *buf, size_t n, inbound_src_fn src, void *ctx);
/*
 * The real payload size of the PUBLISH just handed out completely (QoS 0 and
 * 1), or of the QoS 2 one with this packet id; false when it was not cut.
 */
bool inbound_cut_size(struct inbound *in, int qos, int mid, uint32_t *orig);
/* Bytes of the filtered stream ready to hand out without reading more. */
size_t inbound_pending(const struct inbound *in);
/* Why the stream was ended, or NULL. */
const char *inbound_error(const struct inbound *in);
/* PUBLISH packets cut so far. */
uint64_t inbound_cuts(const struct inbound *in);

#endif
