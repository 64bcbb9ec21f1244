/* pbwire.h: the Protocol Buffers wire format read field by field, for what libprotobuf-c cannot do
 * (it has no schema-less API): raw decoding, the nesting check before an unpack, a quick look at
 * one field. */
#ifndef MQSCOPE_PBWIRE_H
#define MQSCOPE_PBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ProtobufCMessageDescriptor;

enum pbwire_type {
	PBWIRE_VARINT = 0,
	PBWIRE_FIXED64 = 1,
	PBWIRE_BYTES = 2, /* length-delimited: string, bytes, message, packed */
	PBWIRE_GROUP_START = 3,
	PBWIRE_GROUP_END = 4,
	PBWIRE_FIXED32 = 5,
};

/* One field: its number, wire type and value (num for numbers, data/len for bytes). */
struct pbwire_field {
	uint32_t number;
	enum pbwire_type type;
	uint64_t num;
	const uint8_t *data;
	size_t len;
};

/* A reader over len bytes at data. */
struct pbwire {
	const uint8_t *p, *end;
	bool bad; /* set when a field could not be read */
};

void pbwire_init(struct pbwire *r, const void *data, size_t len);
/*
 * Reads the next field into f. False at the end of the data, or on a malformed field (then
 * r->bad). A group start is returned as one field whose data/len span the group's fields (up
 * to its matching end, which is consumed); groups nest at most depth_max deep.
 */
bool pbwire_next(struct pbwire *r, struct pbwire_field *f, unsigned depth_max);
/* Whether data is a whole message: every byte belongs to a well-formed field, one at least. */
bool pbwire_is_message(const void *data, size_t len, unsigned depth_max);
/*
 * Whether data is well-formed and no message field of type desc (a protobuf-c message
 * descriptor) nests deeper than depth_max. libprotobuf-c unpacks nested messages by recursion
 * without a limit, so every unpack of outside bytes asks this first.
 */
bool pbwire_depth_ok(const struct ProtobufCMessageDescriptor *desc, const void *data, size_t len,
                     unsigned depth_max);
/* The first varint field number of a message, at the top level (e.g. Sparkplug's seq). */
bool pbwire_find_varint(const void *data, size_t len, uint32_t number, uint64_t *out);

#endif
