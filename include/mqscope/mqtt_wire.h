/* mqtt_wire.h: the rules a packet from the broker must keep, checked on its bytes. */
#ifndef MQSCOPE_MQTT_WIRE_H
#define MQSCOPE_MQTT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every packet a broker sends is checked here before libmosquitto (or the
 * ring) sees a byte of it: the fixed header's flags, the lengths inside the
 * packet, packet ids, QoS, UTF-8 strings, reason codes where mqscope reads
 * them, and every MQTT 5 property (known id, allowed in that packet type,
 * given once unless the specification allows more, a length that fits, a
 * value in range). The checks follow the MQTT 3.1.1 and 5.0 specifications
 * for packets sent by a server; where they say a receiver MAY be lenient and
 * nothing would be misread (DUP on QoS 0, a remaining length in more bytes
 * than needed, an unknown reason code), the packet passes.
 */

enum wire_verdict {
	WIRE_OK,
	WIRE_BAD_UTF8,             /* a topic that is not valid UTF-8, or holds NUL or controls */
	WIRE_PROTOCOL,             /* against the protocol: QoS 3, packet id 0, lengths... */
	WIRE_DUP_PROPERTY,         /* an MQTT 5 property given twice */
	WIRE_UNKNOWN_PROPERTY,     /* an MQTT 5 property id the specification does not define */
	WIRE_PROPERTY_NOT_ALLOWED, /* a known property in a packet type that may not carry it */
	WIRE_BAD_PROPERTY,         /* a property whose value is out of range or bad UTF-8 */
};

#define WIRE_WHY_MAX 120

/* The variable header of a PUBLISH, pointing into the bytes it was read from. */
struct wire_publish {
	const uint8_t *topic;
	uint16_t topic_len;
	uint16_t mid; /* 0 for QoS 0 */
	const uint8_t *props;
	uint32_t props_len; /* MQTT 5 only */
	size_t header_len;  /* topic, packet id and properties: the payload starts here */
	int qos;
	bool retain, dup;
};

/*
 * How long the variable header of a PUBLISH is, from its first `have` bytes
 * (body_len: the packet's remaining length; version 3, 4 or 5). Returns 1
 * with the length in *need when known; 0 when at least *need bytes are
 * needed to tell; -1 when the header cannot fit in the packet (malformed).
 */
int wire_publish_header_len(uint8_t first, const uint8_t *hdr, size_t have, size_t body_len,
                            int version, size_t *need);

/*
 * Checks a PUBLISH's fixed header byte and its variable header (hdr,
 * header_len bytes, as wire_publish_header_len measured it) and fills *out.
 * On a verdict other than WIRE_OK, why says what, e.g. "PUBLISH with QoS 3".
 */
enum wire_verdict wire_check_publish(uint8_t first, const uint8_t *hdr, size_t header_len,
                                     size_t body_len, int version, struct wire_publish *out,
                                     char *why, size_t cap);

/* Checks any other packet, whole: its first byte and body (len bytes). */
enum wire_verdict wire_check_packet(uint8_t first, const uint8_t *body, size_t len, int version,
                                    char *why, size_t cap);

/*
 * Copies the properties mqscope shows (msg.h) from checked MQTT 5 property
 * bytes into buf; returns the bytes used (what does not fit is left out).
 */
size_t wire_props_keep(const uint8_t *props, size_t len, uint8_t *buf, size_t cap);

/* Whether s (len bytes) is a string MQTT allows: UTF-8, no NUL, no controls, no non-characters. */
bool wire_utf8_ok(const uint8_t *s, size_t len);

/* The name of a packet type (0-15) for messages, e.g. "PUBLISH". */
const char *wire_packet_name(unsigned type);
/* The same with its article: "a PUBLISH", "an AUTH". */
const char *wire_packet_a(unsigned type);

#endif
