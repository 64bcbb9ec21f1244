/* decode.h: binary payloads (Sparkplug B, Protocol Buffers, CBOR, MessagePack) read as JSON
 * documents, and which decoder applies to a message. */
#ifndef MQSCOPE_DECODE_H
#define MQSCOPE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct pbschema;
struct spb_model;

/*
 * A decoded payload is a cJSON tree: every view that works on JSON (pretty
 * print with folds, trends, field pick, diff, payload filter, copy) works on
 * it unchanged once it is printed (decode_json). What JSON cannot say is
 * written in objects whose first key starts with '$', which no decoder
 * produces from data keys of its own:
 *   {"$bytes": "<base64>"}                          a byte string
 *   {"$tag": 1, "$name": "epoch time", "value": v}  a CBOR tag ($name when known)
 *   {"$ext": -1, "$name": "timestamp", "value": v}  a MessagePack extension
 *   {"$undefined": true}                            CBOR undefined
 *   {"$simple": 16}                                 another CBOR simple value
 * Integers are exact (beyond 2^53 they are printed digit by digit, not as
 * doubles); a 32-bit float is printed as the shortest text that reads back
 * as the same float; NaN and infinities, which JSON lacks, are the strings
 * "NaN", "Infinity", "-Infinity". Map keys that are not strings are written
 * as their JSON text ("1", "[1,2]"; "[...]" when long). Notes of mqscope's own about a message
 * (a Sparkplug seq gap) are strings in a top-level "$warnings" array.
 */

enum decode_format {
	DECODE_NONE, /* no decoder: text, JSON or hex as payload.h decides */
	DECODE_SPARKPLUG,
	DECODE_PROTOBUF, /* with a schema's message type when one is named, else raw */
	DECODE_CBOR,
	DECODE_MSGPACK,
	DECODE__FORMATS
};

/* "none", "sparkplug", "protobuf", "cbor", "msgpack". */
const char *decode_format_name(enum decode_format f);
/* The format a config file names ("msgpack" or "messagepack", "sparkplug" or "sparkplugb"...). */
bool decode_format_parse(const char *name, enum decode_format *out);

/* A config rule: payloads on topics matching filter are read as format. */
struct decode_rule {
	char *filter;
	enum decode_format format;
	char *schema_path;       /* protobuf: a descriptor set (protoc --descriptor_set_out) */
	char *message;           /* protobuf: the message type in it, "package.Type" */
	struct pbschema *schema; /* loaded from schema_path */
	int line;
};

void decode_rule_free(struct decode_rule *r);

/* Why a decoder applies. */
enum decode_reason {
	DECODE_BY_NOTHING,
	DECODE_BY_RULE,         /* a config rule */
	DECODE_BY_CONTENT_TYPE, /* the MQTT 5 content type */
	DECODE_BY_NAMESPACE,    /* a Sparkplug B topic (spBv1.0/...) */
};

struct decode_choice {
	enum decode_format format;
	enum decode_reason reason;
	const struct decode_rule *rule; /* DECODE_BY_RULE */
	const struct pbschema *schema;  /* protobuf with a schema, else NULL */
	const char *message;            /* its message type */
};

/*
 * Picks the decoder of a message: the first config rule whose filter matches
 * the topic, else the content type (application/cbor, application/msgpack,
 * application/x-protobuf...; a messageType parameter picks a type from the
 * rules' schemas), else the Sparkplug namespace. Nothing is guessed from the
 * bytes: a payload that is text stays text unless a rule or the content type
 * says otherwise, even on a Sparkplug topic (STATE aside, which is text).
 */
void decode_choose(const struct decode_rule *rules, size_t nrules, const char *topic, size_t tlen,
                   const char *ctype, size_t ctlen, const void *data, size_t len,
                   struct decode_choice *out);
/* The content type among a message's MQTT 5 properties; false when it has none. */
bool decode_content_type(const void *props, size_t props_len, const char **ctype, size_t *ctlen);
/* The format a content type names, DECODE_NONE for others; *message gets a messageType
 * parameter (or NULL). */
enum decode_format decode_content_format(const char *ctype, size_t ctlen, char *message,
                                         size_t cap);

/* What a decoder reads besides the choice. */
struct decode_in {
	const void *data;
	size_t len;
	const char *topic;
	size_t topic_len;
	int64_t time_ms;             /* arrival time: finds this message's Sparkplug notes */
	const struct spb_model *spb; /* Sparkplug aliases, births and seq notes; may be NULL */
};

/* Decodes as c says; returns a new document, or NULL with why in err ("CBOR: ..."). */
struct cJSON *decode_doc(const struct decode_choice *c, const struct decode_in *in, char *err,
                         size_t cap);
/* The document as compact JSON text (malloc'd, NUL-terminated; *len without the NUL). */
char *decode_json(const struct cJSON *doc, size_t *len);

/* The decoders, one per format (the Sparkplug and schema ones in sparkplug.h and pbschema.h). */
struct cJSON *decode_cbor(const void *data, size_t len, char *err, size_t cap);
struct cJSON *decode_msgpack(const void *data, size_t len, char *err, size_t cap);
/* Field numbers, wire types and values, like protoc --decode_raw. */
struct cJSON *decode_protobuf_raw(const void *data, size_t len, char *err, size_t cap);

/* Limits every decoder keeps: nesting, values in one document. */
#define DECODE_DEPTH_MAX 64
#define DECODE_NODES_MAX 2000000

/* ---- building documents (for the decoders) ---- */

/* Counts the values of one document against DECODE_NODES_MAX. */
struct decode_budget {
	size_t nodes;
};
/* Takes one value from the budget; false when it is spent. */
bool decode_spend(struct decode_budget *b);

struct cJSON *decode_uint(uint64_t v);
struct cJSON *decode_int(int64_t v);
struct cJSON *decode_float(float v);
struct cJSON *decode_double(double v);
struct cJSON *decode_bool(bool v);
struct cJSON *decode_null(void);
/* Text of n bytes (NULs and all). */
struct cJSON *decode_string(const char *s, size_t n);
/* {"$bytes": "<base64>"} */
struct cJSON *decode_bytes(const void *p, size_t n);
/* A big-endian unsigned integer of n bytes as an exact number, or CBOR's negative bignum -1 - n;
 * NULL over 64 bytes. */
struct cJSON *decode_bigint(const uint8_t *p, size_t n, bool negative);
/* An empty object or array. */
struct cJSON *decode_object(void);
struct cJSON *decode_array(void);
/* Adds v to obj under key (n bytes, NULs escaped); to an array when key is NULL. */
void decode_add(struct cJSON *obj, const char *key, size_t n, struct cJSON *v);
/* Adds v to obj under the JSON text of key (a map key that is not a string; "[...]" or "{...}"
 * when its text is over DECODE_KEY_MAX); frees key. */
#define DECODE_KEY_MAX 256
void decode_add_keyed(struct cJSON *obj, struct cJSON *key, struct cJSON *v);
/* Appends a note to the document's top-level "$warnings" (created first in doc). */
void decode_warn(struct cJSON *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "2023-11-14T22:13:20.5Z" for a time in seconds and nanoseconds since the epoch. */
void decode_iso_time(int64_t sec, uint32_t nsec, char *buf, size_t cap);
/* Formats "what: " + fmt into err (cap may be 0). */
void decode_error(char *err, size_t cap, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
