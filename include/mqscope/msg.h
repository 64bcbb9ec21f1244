/* msg.h: the record a received message becomes in the ring, and its MQTT 5 properties. */
#ifndef MQSCOPE_MSG_H
#define MQSCOPE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed head of a ring record; topic, payload and properties follow inline. */
struct msg_head {
	int64_t time_ms;
	uint32_t topic_len;
	uint32_t len;      /* payload bytes stored */
	uint32_t orig_len; /* payload bytes received */
	uint32_t props_len;
	uint8_t qos;
	uint8_t retain;
	uint16_t conn; /* which connection brought it: 1, 2... (mod 65536); 0: none (a replay) */
	uint8_t pad[4];
};

/* A decoded view into a record; pointers borrow the record's bytes. */
struct msg_view {
	const struct msg_head *h;
	const char *topic;
	const char *payload;
	const uint8_t *props;
};

/* Bytes a record of these sizes takes. */
size_t msg_record_size(size_t topic_len, size_t len, size_t props_len);
/* Lays out a record in dst (msg_record_size bytes). */
void msg_write(void *dst, const struct msg_head *h, const char *topic, const void *payload,
               const void *props);
/* Checks and views a record of len bytes; false when malformed. */
bool msg_read(const void *rec, size_t len, struct msg_view *v);

/* MQTT 5 property identifiers kept with messages (numbers as in the spec). */
enum {
	PROP_PAYLOAD_FORMAT = 1,
	PROP_MESSAGE_EXPIRY = 2,
	PROP_CONTENT_TYPE = 3,
	PROP_RESPONSE_TOPIC = 8,
	PROP_CORRELATION_DATA = 9,
	PROP_SUBSCRIPTION_ID = 11,
	PROP_USER_PROPERTY = 38,
};

/* One decoded property: numbers in num, strings/binary in s (and v for pairs). */
struct prop {
	uint8_t id;
	uint32_t num;
	const char *s;
	uint16_t slen;
	const char *v;
	uint16_t vlen;
};

/* Encoders append to buf at *off (never past cap); they return false when it does not fit. */
bool props_put_num(uint8_t *buf, size_t cap, size_t *off, uint8_t id, uint32_t num);
bool props_put_str(uint8_t *buf, size_t cap, size_t *off, uint8_t id, const char *s, size_t slen);
bool props_put_pair(uint8_t *buf, size_t cap, size_t *off, const char *k, size_t klen,
                    const char *v, size_t vlen);
/* Decodes the property at *off and advances; false at the end or on malformed data. */
bool props_next(const uint8_t *buf, size_t len, size_t *off, struct prop *out);
/* Name of a property for display, e.g. "content-type". */
const char *props_name(uint8_t id);

#endif
