/* decode_msgpack.c: MessagePack as a JSON document. msgpack-c's own unpacking template
 * (msgpack/unpack_template.h, the parser behind msgpack_unpack_next) is instantiated here with
 * callbacks that build the document directly: msgpack_unpack_next would first allocate every
 * array and map at its declared size, so five bytes claiming 2^28 items would cost gigabytes.
 * Here a declared size costs nothing and nesting stops at the template's stack. */
#define MSGPACK_EMBED_STACK_SIZE 64 /* = DECODE_DEPTH_MAX, checked below */
#include <cjson/cJSON.h>
#include <msgpack.h>
#include <msgpack/timestamp.h>
#include <msgpack/unpack_define.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decode.h"

_Static_assert(MSGPACK_EMBED_STACK_SIZE == DECODE_DEPTH_MAX, "one nesting limit");

struct mp_user {
	struct decode_budget budget;
	bool spent;
};

/* Every callback returns 0, or -1 once the value budget is spent. */
static int spend(struct mp_user *u)
{
	if (!decode_spend(&u->budget)) {
		u->spent = true;
		return -1;
	}
	return 0;
}

static cJSON *mp_root(struct mp_user *u)
{
	(void)u;
	return NULL;
}

#define MP_NUMBER(name, type, make)                                                                \
	static int name(struct mp_user *u, type d, cJSON **o)                                      \
	{                                                                                          \
		if (spend(u))                                                                      \
			return -1;                                                                 \
		*o = make(d);                                                                      \
		return 0;                                                                          \
	}
MP_NUMBER(mp_uint8, uint8_t, decode_uint)
MP_NUMBER(mp_uint16, uint16_t, decode_uint)
MP_NUMBER(mp_uint32, uint32_t, decode_uint)
MP_NUMBER(mp_uint64, uint64_t, decode_uint)
MP_NUMBER(mp_int8, int8_t, decode_int)
MP_NUMBER(mp_int16, int16_t, decode_int)
MP_NUMBER(mp_int32, int32_t, decode_int)
MP_NUMBER(mp_int64, int64_t, decode_int)
MP_NUMBER(mp_float, float, decode_float)
MP_NUMBER(mp_double, double, decode_double)

#define MP_CONSTANT(name, make)                                                                    \
	static int name(struct mp_user *u, cJSON **o)                                              \
	{                                                                                          \
		if (spend(u))                                                                      \
			return -1;                                                                 \
		*o = make;                                                                         \
		return 0;                                                                          \
	}
MP_CONSTANT(mp_nil, decode_null())
MP_CONSTANT(mp_true, decode_bool(true))
MP_CONSTANT(mp_false, decode_bool(false))

static int mp_array(struct mp_user *u, unsigned n, cJSON **o)
{
	(void)n;
	if (spend(u))
		return -1;
	*o = decode_array();
	return 0;
}

static int mp_array_item(struct mp_user *u, cJSON **c, cJSON *o)
{
	(void)u;
	cJSON_AddItemToArray(*c, o);
	return 0;
}

static int mp_map(struct mp_user *u, unsigned n, cJSON **o)
{
	(void)n;
	if (spend(u))
		return -1;
	*o = decode_object();
	return 0;
}

static int mp_map_item(struct mp_user *u, cJSON **c, cJSON *k, cJSON *v)
{
	(void)u;
	decode_add_keyed(*c, k, v);
	return 0;
}

static int mp_str(struct mp_user *u, const char *b, const char *p, unsigned l, cJSON **o)
{
	(void)b;
	if (spend(u))
		return -1;
	*o = decode_string(l ? p : "", l);
	return 0;
}

static int mp_bin(struct mp_user *u, const char *b, const char *p, unsigned l, cJSON **o)
{
	(void)b;
	if (spend(u))
		return -1;
	*o = decode_bytes(l ? p : "", l);
	return 0;
}

/* An extension: {"$ext": type, "value": ...}; the timestamp type (-1) reads as a time. */
static int mp_ext(struct mp_user *u, const char *b, const char *p, unsigned l, cJSON **o)
{
	msgpack_object obj = {.type = MSGPACK_OBJECT_EXT};
	msgpack_timestamp ts;
	char iso[48];

	(void)b;
	/* The template's ext 32 length + 1 wraps to 0 for a length of 2^32 - 1: no type byte. */
	if (l == 0)
		return -1;
	if (spend(u))
		return -1;
	obj.via.ext.type = (int8_t)p[0];
	obj.via.ext.size = l - 1;
	obj.via.ext.ptr = p + 1;
	*o = decode_object();
	cJSON_AddItemToObject(*o, "$ext", decode_int(obj.via.ext.type));
	if (obj.via.ext.type == -1 && msgpack_object_to_timestamp(&obj, &ts) &&
	    ts.tv_nsec < 1000000000u) {
		decode_iso_time(ts.tv_sec, ts.tv_nsec, iso, sizeof(iso));
		cJSON_AddItemToObject(*o, "$name", decode_string("timestamp", 9));
		cJSON_AddItemToObject(*o, "value", decode_string(iso, strlen(iso)));
	} else {
		cJSON_AddItemToObject(*o, "value", decode_bytes(l > 1 ? p + 1 : "", l - 1));
	}
	return 0;
}

#define msgpack_unpack_struct(name)    struct mp_unpack##name
#define msgpack_unpack_func(ret, name) static ret mp_unpack##name
#define msgpack_unpack_callback(name)  mp##name
#define msgpack_unpack_object          cJSON *
#define msgpack_unpack_user            struct mp_user

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <msgpack/unpack_template.h>
#pragma GCC diagnostic pop

/* Frees the containers the template still holds open after an error or a cut. */
static void unwind(struct mp_unpack_context *ctx)
{
	for (unsigned i = 0; i < ctx->top; i++) {
		cJSON_Delete(ctx->stack[i].obj);
		if (ctx->stack[i].ct == MSGPACK_CT_MAP_VALUE)
			cJSON_Delete(ctx->stack[i].map_key);
	}
}

struct cJSON *decode_msgpack(const void *data, size_t len, char *err, size_t cap)
{
	struct mp_unpack_context *ctx = calloc(1, sizeof(*ctx));
	size_t off = 0;
	int rc;
	cJSON *doc;

	if (ctx == NULL)
		abort();
	if (len == 0) {
		decode_error(err, cap, "MessagePack", "empty payload");
		free(ctx);
		return NULL;
	}
	mp_unpack_init(ctx);
	rc = mp_unpack_execute(ctx, data, len, &off);
	if (rc <= 0) {
		if (ctx->user.spent)
			decode_error(err, cap, "MessagePack", "more than %d values",
			             DECODE_NODES_MAX);
		else if (rc == 0)
			decode_error(err, cap, "MessagePack", "cut short");
		else if (ctx->top >= MSGPACK_EMBED_STACK_SIZE)
			decode_error(err, cap, "MessagePack", "nested too deep at byte %zu", off);
		else
			decode_error(err, cap, "MessagePack", "malformed at byte %zu", off);
		unwind(ctx);
		free(ctx);
		return NULL;
	}
	doc = mp_unpack_data(ctx);
	if (off < len) {
		decode_error(err, cap, "MessagePack",
		             "%zu bytes after the value (it ends at byte %zu)", len - off, off);
		cJSON_Delete(doc);
		doc = NULL;
	}
	free(ctx);
	return doc;
}
