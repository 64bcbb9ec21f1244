/* decode_protobuf.c: Protocol Buffers without a schema, like protoc --decode_raw: field numbers,
 * wire types and values, nested messages where the bytes parse as one. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decode.h"
#include "mqscope/payload.h"
#include "mqscope/pbwire.h"
#include "mqscope/util.h"

#define RAW_DEPTH_MAX 32

/* Field number -> its value in the object being built, so a repeated number is found at once. */
struct seen {
	uint32_t *num;
	cJSON **item;
	size_t cap;
};

static cJSON **seen_slot(struct seen *s, uint32_t number)
{
	size_t i = (number * 2654435761u) & (s->cap - 1);

	while (s->item[i] && s->num[i] != number)
		i = (i + 1) & (s->cap - 1);
	s->num[i] = number;
	return &s->item[i];
}

static cJSON *message(const uint8_t *p, size_t len, unsigned depth, struct decode_budget *b);

/*
 * A length-delimited value: text when it is clean UTF-8 (unless it also parses as a message and
 * starts like one: field 1 or 2 or 3 tags are control bytes), else a message when it parses as
 * one, else bytes.
 */
static cJSON *delimited(const uint8_t *p, size_t len, unsigned depth, struct decode_budget *b)
{
	bool text = payload_is_text((const char *)p, len);
	bool msg = len > 0 && depth + 1 < RAW_DEPTH_MAX && pbwire_is_message(p, len, RAW_DEPTH_MAX);

	if (text && !(msg && p[0] < 0x20))
		return decode_string((const char *)p, len);
	if (msg)
		return message(p, len, depth + 1, b);
	return decode_bytes(p, len);
}

/* A fixed-width value with both readings: {"fixed32": 1101529088, "float": 21.5}. */
static cJSON *fixed(const struct pbwire_field *f)
{
	cJSON *o = decode_object();

	if (f->type == PBWIRE_FIXED32) {
		uint32_t u = (uint32_t)f->num;
		float x;

		memcpy(&x, &u, sizeof(x));
		cJSON_AddItemToObject(o, "fixed32", decode_uint(u));
		cJSON_AddItemToObject(o, "float", decode_float(x));
	} else {
		double x;

		memcpy(&x, &f->num, sizeof(x));
		cJSON_AddItemToObject(o, "fixed64", decode_uint(f->num));
		cJSON_AddItemToObject(o, "double", decode_double(x));
	}
	return o;
}

/* A varint: a number; past 2^63 also its int64 reading (a negative int32/int64 is sent so). */
static cJSON *varint(uint64_t v)
{
	cJSON *o;

	if (v < (1ull << 63))
		return decode_uint(v);
	o = decode_object();
	cJSON_AddItemToObject(o, "varint", decode_uint(v));
	cJSON_AddItemToObject(o, "int64", decode_int((int64_t)v));
	return o;
}

/* The fields of a message as an object keyed by field number; a repeated number gets an array.
 * NULL when the budget is spent. */
static cJSON *message(const uint8_t *p, size_t len, unsigned depth, struct decode_budget *b)
{
	struct pbwire r;
	struct pbwire_field f;
	struct seen seen;
	size_t n = 0;
	cJSON *o = decode_object();

	pbwire_init(&r, p, len);
	while (pbwire_next(&r, &f, RAW_DEPTH_MAX))
		n++;
	seen.cap = 16;
	while (seen.cap < n * 2)
		seen.cap *= 2;
	seen.num = xmalloc(seen.cap * sizeof(*seen.num));
	seen.item = xcalloc(seen.cap, sizeof(*seen.item));
	pbwire_init(&r, p, len);
	while (pbwire_next(&r, &f, RAW_DEPTH_MAX)) {
		cJSON *v = NULL, **slot;
		char key[16];

		if (!decode_spend(b))
			goto spent;
		switch (f.type) {
		case PBWIRE_VARINT:
			v = varint(f.num);
			break;
		case PBWIRE_FIXED32:
		case PBWIRE_FIXED64:
			v = fixed(&f);
			break;
		case PBWIRE_BYTES:
			v = delimited(f.data, f.len, depth, b);
			break;
		default: /* a group: its fields */
			v = depth + 1 < RAW_DEPTH_MAX ? message(f.data, f.len, depth + 1, b)
			                              : decode_bytes(f.data, f.len);
			break;
		}
		if (v == NULL)
			goto spent;
		slot = seen_slot(&seen, f.number);
		if (*slot == NULL) {
			snprintf(key, sizeof(key), "%u", f.number);
			cJSON_AddItemToObject(o, key, v);
			*slot = v;
		} else if (cJSON_IsArray(*slot)) {
			/* Already the array of this number's values (no value is an array itself).
			 */
			cJSON_AddItemToArray(*slot, v);
		} else {
			/*
			 * The second value: the first one becomes an array in its place, holding
			 * a copy of what it was (its key and position stay).
			 */
			cJSON *first = *slot, *was = decode_null();

			was->type = first->type;
			was->child = first->child;
			was->valuestring = first->valuestring;
			was->valueint = first->valueint;
			was->valuedouble = first->valuedouble;
			first->type = cJSON_Array;
			first->valuestring = NULL;
			first->child = NULL;
			cJSON_AddItemToArray(first, was);
			cJSON_AddItemToArray(first, v);
		}
	}
	free(seen.num);
	free(seen.item);
	return o;
spent:
	free(seen.num);
	free(seen.item);
	cJSON_Delete(o);
	return NULL;
}

struct cJSON *decode_protobuf_raw(const void *data, size_t len, char *err, size_t cap)
{
	struct decode_budget b = {0};
	cJSON *doc;

	if (len == 0) {
		/* A message with every field at its default is empty on the wire. */
		return decode_object();
	}
	if (!pbwire_is_message(data, len, RAW_DEPTH_MAX)) {
		decode_error(err, cap, "protobuf", "not a protobuf message (malformed field)");
		return NULL;
	}
	doc = message(data, len, 0, &b);
	if (doc == NULL)
		decode_error(err, cap, "protobuf", "more than %d values", DECODE_NODES_MAX);
	return doc;
}
