/* decode_cbor.c: CBOR (RFC 8949) as a JSON document, with libcbor's streaming decoder: libcbor
 * reads each item head, this file assembles the document with its own bounded stack (nothing is
 * allocated from a declared length, so a header claiming a billion items costs nothing). */
#include <cbor.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decode.h"
#include "mqscope/util.h"

enum frame_kind {
	F_ARRAY,
	F_MAP,
	F_TAG,
	F_BYTES, /* an indefinite byte string: its chunks */
	F_TEXT,  /* an indefinite text string: its chunks */
};

struct frame {
	enum frame_kind kind;
	bool indef;
	size_t left;  /* items still to come in a definite array or map */
	cJSON *node;  /* the array, map or tag object */
	cJSON *key;   /* F_MAP: a key waiting for its value */
	uint64_t tag; /* F_TAG */
	char *buf;    /* F_BYTES, F_TEXT: the chunks so far */
	size_t len, cap;
};

struct cbor_ctx {
	struct frame stack[DECODE_DEPTH_MAX];
	unsigned depth;
	cJSON *root;
	const char *why; /* set on the first error */
	struct decode_budget budget;
};

/* Names of the tags of the IANA registry a device is likely to send. */
static const char *tag_name(uint64_t tag)
{
	static const struct {
		uint64_t tag;
		const char *name;
	} names[] = {
	    {0, "date/time string"},
	    {1, "epoch time"},
	    {2, "unsigned bignum"},
	    {3, "negative bignum"},
	    {4, "decimal fraction"},
	    {5, "bigfloat"},
	    {16, "COSE encrypt0"},
	    {17, "COSE mac0"},
	    {18, "COSE sign1"},
	    {21, "expected base64url"},
	    {22, "expected base64"},
	    {23, "expected base16"},
	    {24, "embedded CBOR"},
	    {32, "URI"},
	    {33, "base64url"},
	    {34, "base64"},
	    {35, "regular expression"},
	    {36, "MIME message"},
	    {37, "UUID"},
	    {52, "IPv4 address"},
	    {54, "IPv6 address"},
	    {61, "CBOR Web Token"},
	    {96, "COSE encrypt"},
	    {97, "COSE mac"},
	    {98, "COSE sign"},
	    {100, "days since epoch"},
	    {258, "set"},
	    {259, "map with object keys"},
	    {1004, "full date"},
	    {1040, "column-major array"},
	    {55799, "self-described CBOR"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].tag == tag)
			return names[i].name;
	return NULL;
}

static void fail(struct cbor_ctx *c, const char *why)
{
	if (c->why == NULL)
		c->why = why;
}

/* Takes a value from the budget; false (and the error) when it is spent. */
static bool spend(struct cbor_ctx *c)
{
	if (c->why)
		return false;
	if (!decode_spend(&c->budget)) {
		fail(c, "too many values");
		return false;
	}
	return true;
}

static struct frame *top(struct cbor_ctx *c)
{
	return c->depth ? &c->stack[c->depth - 1] : NULL;
}

/* Places a finished value in the container on top, closing every container it completes. */
static void push(struct cbor_ctx *c, cJSON *v)
{
	for (;;) {
		struct frame *f = top(c);

		if (c->why) {
			cJSON_Delete(v);
			return;
		}
		if (f == NULL) {
			c->root = v;
			return;
		}
		switch (f->kind) {
		case F_ARRAY:
			cJSON_AddItemToArray(f->node, v);
			if (f->indef || --f->left > 0)
				return;
			break;
		case F_MAP:
			if (f->key == NULL) {
				f->key = v;
				return;
			}
			decode_add_keyed(f->node, f->key, v);
			f->key = NULL;
			if (f->indef || --f->left > 0)
				return;
			break;
		case F_TAG:
			cJSON_AddItemToObject(f->node, "value", v);
			break;
		default: /* a chunk of an indefinite string must be a definite string */
			cJSON_Delete(v);
			fail(c, "an indefinite string holds something other than chunks");
			return;
		}
		/* The container on top is complete: it is the value to place next. */
		v = f->node;
		c->depth--;
	}
}

/* Opens a container or tag frame; false on too deep a nesting. */
static struct frame *open_frame(struct cbor_ctx *c, enum frame_kind kind)
{
	struct frame *f;

	if (c->depth == DECODE_DEPTH_MAX) {
		fail(c, "nested too deep");
		return NULL;
	}
	f = &c->stack[c->depth++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	return f;
}

static void on_uint8(void *ctx, uint8_t v)
{
	if (spend(ctx))
		push(ctx, decode_uint(v));
}

static void on_uint16(void *ctx, uint16_t v)
{
	if (spend(ctx))
		push(ctx, decode_uint(v));
}

static void on_uint32(void *ctx, uint32_t v)
{
	if (spend(ctx))
		push(ctx, decode_uint(v));
}

/* An unsigned integer; under a bignum tag it is that tag's value, so it stays a number. */
static void on_uint64(void *ctx, uint64_t v)
{
	if (spend(ctx))
		push(ctx, decode_uint(v));
}

/* The negative integer -1 - n, exact over the whole of CBOR's range (down to -2^64). */
static void negint(struct cbor_ctx *c, uint64_t n)
{
	uint8_t be[8];

	if (!spend(c))
		return;
	if (n < (1ull << 63)) {
		push(c, decode_int(-1 - (int64_t)n));
		return;
	}
	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(n >> (56 - 8 * i));
	push(c, decode_bigint(be, 8, true));
}

static void on_negint8(void *ctx, uint8_t v)
{
	negint(ctx, v);
}

static void on_negint16(void *ctx, uint16_t v)
{
	negint(ctx, v);
}

static void on_negint32(void *ctx, uint32_t v)
{
	negint(ctx, v);
}

static void on_negint64(void *ctx, uint64_t v)
{
	negint(ctx, v);
}

/* Appends a chunk to the indefinite string on top. */
static void chunk(struct frame *f, cbor_data data, size_t len)
{
	if (f->len + len > f->cap) {
		f->cap = f->cap ? f->cap : 64;
		while (f->cap < f->len + len)
			f->cap *= 2;
		f->buf = xrealloc(f->buf, f->cap);
	}
	if (len)
		memcpy(f->buf + f->len, data, len);
	f->len += len;
}

static void on_bytes(void *ctx, cbor_data data, size_t len)
{
	struct cbor_ctx *c = ctx;
	struct frame *f = top(c);
	cJSON *v;

	if (c->why)
		return;
	if (f && f->kind == F_BYTES) {
		chunk(f, data, len);
		return;
	}
	if (!spend(c))
		return;
	/* The bytes of a bignum tag are its number. */
	if (f && f->kind == F_TAG && (f->tag == 2 || f->tag == 3) &&
	    (v = decode_bigint(data, len, f->tag == 3)) != NULL) {
		push(c, v);
		return;
	}
	push(c, decode_bytes(data, len));
}

static void on_text(void *ctx, cbor_data data, size_t len)
{
	struct cbor_ctx *c = ctx;
	struct frame *f = top(c);

	if (c->why)
		return;
	if (f && f->kind == F_TEXT) {
		chunk(f, data, len);
		return;
	}
	if (spend(c))
		push(c, decode_string((const char *)data, len));
}

/* An indefinite string begins: its chunks follow, up to a break. */
static void string_start(struct cbor_ctx *c, enum frame_kind kind)
{
	struct frame *f = top(c);

	if (f && (f->kind == F_BYTES || f->kind == F_TEXT)) {
		fail(c, "an indefinite string inside another");
		return;
	}
	if (spend(c) && (f = open_frame(c, kind)) != NULL)
		f->indef = true;
}

static void on_bytes_start(void *ctx)
{
	string_start(ctx, F_BYTES);
}

static void on_text_start(void *ctx)
{
	string_start(ctx, F_TEXT);
}

/* A definite array or map: empty ones are values at once, others wait for their items. */
static void container(struct cbor_ctx *c, enum frame_kind kind, size_t n, bool indef)
{
	cJSON *node;
	struct frame *f;

	if (!spend(c))
		return;
	node = kind == F_ARRAY ? decode_array() : decode_object();
	if (!indef && n == 0) {
		push(c, node);
		return;
	}
	f = open_frame(c, kind);
	if (f == NULL) {
		cJSON_Delete(node);
		return;
	}
	f->node = node;
	f->indef = indef;
	f->left = n;
}

static void on_array(void *ctx, size_t n)
{
	container(ctx, F_ARRAY, n, false);
}

static void on_indef_array(void *ctx)
{
	container(ctx, F_ARRAY, 0, true);
}

static void on_map(void *ctx, size_t n)
{
	container(ctx, F_MAP, n, false);
}

static void on_indef_map(void *ctx)
{
	container(ctx, F_MAP, 0, true);
}

static void on_tag(void *ctx, uint64_t tag)
{
	struct cbor_ctx *c = ctx;
	struct frame *f;
	const char *name = tag_name(tag);

	if (!spend(c) || (f = open_frame(c, F_TAG)) == NULL)
		return;
	f->tag = tag;
	f->node = decode_object();
	cJSON_AddItemToObject(f->node, "$tag", decode_uint(tag));
	if (name)
		cJSON_AddItemToObject(f->node, "$name", cJSON_CreateString(name));
}

static void on_float(void *ctx, float v)
{
	if (spend(ctx))
		push(ctx, decode_float(v));
}

static void on_double(void *ctx, double v)
{
	if (spend(ctx))
		push(ctx, decode_double(v));
}

static void on_undefined(void *ctx)
{
	cJSON *o;

	if (!spend(ctx))
		return;
	o = decode_object();
	cJSON_AddItemToObject(o, "$undefined", decode_bool(true));
	push(ctx, o);
}

static void on_null(void *ctx)
{
	if (spend(ctx))
		push(ctx, decode_null());
}

static void on_bool(void *ctx, bool v)
{
	if (spend(ctx))
		push(ctx, decode_bool(v));
}

/* The end of an indefinite array, map or string. */
static void on_break(void *ctx)
{
	struct cbor_ctx *c = ctx;
	struct frame *f = top(c);
	cJSON *v;

	if (c->why)
		return;
	if (f == NULL || !f->indef) {
		fail(c, "a break outside an indefinite item");
		return;
	}
	if (f->kind == F_MAP && f->key) {
		fail(c, "a map ends between a key and its value");
		return;
	}
	if (f->kind == F_BYTES || f->kind == F_TEXT) {
		v = f->kind == F_BYTES ? decode_bytes(f->buf, f->len)
		                       : decode_string(f->buf, f->len);
		free(f->buf);
		f->buf = NULL;
	} else {
		v = f->node;
	}
	c->depth--;
	push(c, v);
}

/* Frees what the open frames hold after an error or a cut. */
static void unwind(struct cbor_ctx *c)
{
	while (c->depth) {
		struct frame *f = &c->stack[--c->depth];

		cJSON_Delete(f->node);
		cJSON_Delete(f->key);
		free(f->buf);
	}
}

struct cJSON *decode_cbor(const void *data, size_t len, char *err, size_t cap)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_ctx *c = xcalloc(1, sizeof(*c));
	size_t off = 0;
	cJSON *doc;

	cb.uint8 = on_uint8;
	cb.uint16 = on_uint16;
	cb.uint32 = on_uint32;
	cb.uint64 = on_uint64;
	cb.negint8 = on_negint8;
	cb.negint16 = on_negint16;
	cb.negint32 = on_negint32;
	cb.negint64 = on_negint64;
	cb.byte_string = on_bytes;
	cb.byte_string_start = on_bytes_start;
	cb.string = on_text;
	cb.string_start = on_text_start;
	cb.array_start = on_array;
	cb.indef_array_start = on_indef_array;
	cb.map_start = on_map;
	cb.indef_map_start = on_indef_map;
	cb.tag = on_tag;
	cb.float2 = on_float;
	cb.float4 = on_float;
	cb.float8 = on_double;
	cb.undefined = on_undefined;
	cb.null = on_null;
	cb.boolean = on_bool;
	cb.indef_break = on_break;

	if (len == 0) {
		decode_error(err, cap, "CBOR", "empty payload");
		free(c);
		return NULL;
	}
	while (off < len && c->root == NULL && c->why == NULL) {
		struct cbor_decoder_result r =
		    cbor_stream_decode((cbor_data)data + off, len - off, &cb, c);

		if (r.status == CBOR_DECODER_NEDATA) {
			fail(c, "cut short");
			break;
		}
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
			/* libcbor has no simple values but false/true/null/undefined. */
			fail(c, "malformed or unsupported item");
			break;
		}
		off += r.read;
	}
	if (c->why == NULL && c->root == NULL)
		fail(c, "cut short");
	if (c->why == NULL && off < len) {
		decode_error(err, cap, "CBOR", "%zu bytes after the item (it ends at byte %zu)",
		             len - off, off);
		cJSON_Delete(c->root);
		free(c);
		return NULL;
	}
	if (c->why) {
		decode_error(err, cap, "CBOR", "%s at byte %zu", c->why, off);
		unwind(c);
		cJSON_Delete(c->root);
		free(c);
		return NULL;
	}
	doc = c->root;
	free(c);
	return doc;
}
