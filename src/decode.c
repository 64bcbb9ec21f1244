/* decode.c: which decoder applies to a message, the dispatch to it, and the pieces every
 * decoder builds its document from. */
#define _GNU_SOURCE
#include "mqscope/decode.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mqscope/base64.h"
#include "mqscope/msg.h"
#include "mqscope/payload.h"
#include "mqscope/pbschema.h"
#include "mqscope/sparkplug.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

static const char *const format_names[DECODE__FORMATS] = {"none", "sparkplug", "protobuf", "cbor",
                                                          "msgpack"};

const char *decode_format_name(enum decode_format f)
{
	return (unsigned)f < DECODE__FORMATS ? format_names[f] : "none";
}

bool decode_format_parse(const char *name, enum decode_format *out)
{
	static const struct {
		const char *name;
		enum decode_format f;
	} also[] = {
	    {"messagepack", DECODE_MSGPACK},
	    {"sparkplugb", DECODE_SPARKPLUG},
	    {"sparkplug_b", DECODE_SPARKPLUG},
	    {"proto", DECODE_PROTOBUF},
	    {"text", DECODE_NONE},
	};

	for (int f = 0; f < DECODE__FORMATS; f++) {
		if (strcasecmp(name, format_names[f]) == 0) {
			*out = (enum decode_format)f;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(also) / sizeof(also[0]); i++) {
		if (strcasecmp(name, also[i].name) == 0) {
			*out = also[i].f;
			return true;
		}
	}
	return false;
}

void decode_rule_free(struct decode_rule *r)
{
	free(r->filter);
	free(r->schema_path);
	free(r->message);
	pbschema_free(r->schema);
	memset(r, 0, sizeof(*r));
}

/* ---- choice ---- */

bool decode_content_type(const void *props, size_t props_len, const char **ctype, size_t *ctlen)
{
	size_t off = 0;
	struct prop p;

	while (props && props_next(props, props_len, &off, &p)) {
		if (p.id == PROP_CONTENT_TYPE) {
			*ctype = p.s;
			*ctlen = p.slen;
			return true;
		}
	}
	return false;
}

/* Whether the n bytes at s are word, case aside. */
static bool same(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

enum decode_format decode_content_format(const char *ctype, size_t ctlen, char *message, size_t cap)
{
	static const struct {
		const char *type;
		enum decode_format f;
	} types[] = {
	    {"application/cbor", DECODE_CBOR},
	    {"application/msgpack", DECODE_MSGPACK},
	    {"application/x-msgpack", DECODE_MSGPACK},
	    {"application/vnd.msgpack", DECODE_MSGPACK},
	    {"application/protobuf", DECODE_PROTOBUF},
	    {"application/x-protobuf", DECODE_PROTOBUF},
	    {"application/vnd.google.protobuf", DECODE_PROTOBUF},
	    {"application/x-google-protobuf", DECODE_PROTOBUF},
	    {"application/grpc+proto", DECODE_PROTOBUF},
	    {"application/vnd.sparkplug-b", DECODE_SPARKPLUG},
	};
	const char *end = ctype + ctlen, *semi = memchr(ctype, ';', ctlen), *p;
	size_t n;
	enum decode_format f = DECODE_NONE;

	if (cap)
		message[0] = '\0';
	n = (size_t)((semi ? semi : end) - ctype);
	while (n && is_space(ctype[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && f == DECODE_NONE; i++)
		if (same(ctype, n, types[i].type))
			f = types[i].f;
	/* Structured syntax suffixes (RFC 6839): application/senml+cbor is CBOR. */
	if (f == DECODE_NONE && n > 5 && same(ctype + n - 5, 5, "+cbor"))
		f = DECODE_CBOR;
	if (f == DECODE_NONE && n > 8 && same(ctype + n - 8, 8, "+msgpack"))
		f = DECODE_MSGPACK;
	if (f != DECODE_PROTOBUF || cap == 0)
		return f;
	/* application/x-protobuf; messageType="pkg.Type" (or proto=, type=) */
	for (p = semi; p && p < end;) {
		const char *k = p + 1, *eq, *v, *ve, *next = memchr(k, ';', (size_t)(end - k));

		ve = next ? next : end;
		while (k < ve && is_space(*k))
			k++;
		eq = memchr(k, '=', (size_t)(ve - k));
		if (eq &&
		    (same(k, (size_t)(eq - k), "messageType") ||
		     same(k, (size_t)(eq - k), "proto") || same(k, (size_t)(eq - k), "type"))) {
			v = eq + 1;
			while (ve > v && is_space(ve[-1]))
				ve--;
			if (ve - v >= 2 && *v == '"' && ve[-1] == '"')
				v++, ve--;
			if ((size_t)(ve - v) < cap) {
				memcpy(message, v, (size_t)(ve - v));
				message[ve - v] = '\0';
			}
		}
		p = next;
	}
	return f;
}

void decode_choose(const struct decode_rule *rules, size_t nrules, const char *topic, size_t tlen,
                   const char *ctype, size_t ctlen, const void *data, size_t len,
                   struct decode_choice *out)
{
	char message[256];
	struct spb_topic st;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nrules; i++) {
		if (topic_matches(rules[i].filter, topic, tlen)) {
			out->format = rules[i].format;
			out->reason = DECODE_BY_RULE;
			out->rule = &rules[i];
			if (rules[i].format == DECODE_PROTOBUF && rules[i].schema) {
				out->schema = rules[i].schema;
				out->message = rules[i].message;
			}
			return;
		}
	}
	if (ctype && ctlen) {
		out->format = decode_content_format(ctype, ctlen, message, sizeof(message));
		if (out->format != DECODE_NONE) {
			out->reason = DECODE_BY_CONTENT_TYPE;
			/* A type named in the content type is looked up in the rules' schemas. */
			for (size_t i = 0; message[0] && i < nrules && !out->schema; i++) {
				const char *name;

				if (rules[i].schema &&
				    (name = pbschema_type_name(rules[i].schema, message)) != NULL) {
					out->schema = rules[i].schema;
					out->message = name;
				}
			}
			return;
		}
	}
	if (spb_topic_parse(topic, tlen, &st)) {
		enum payload_kind k = payload_detect(data, len, false);

		/* STATE is text (JSON in 3.0); anything else that reads as text stays text. */
		if (st.type == SPB_STATE || k == PAYLOAD_BINARY) {
			out->format = DECODE_SPARKPLUG;
			out->reason = DECODE_BY_NAMESPACE;
		}
	}
}

struct cJSON *decode_doc(const struct decode_choice *c, const struct decode_in *in, char *err,
                         size_t cap)
{
	switch (c->format) {
	case DECODE_SPARKPLUG:
		return decode_sparkplug(in, err, cap);
	case DECODE_PROTOBUF:
		if (c->schema)
			return pbschema_decode(c->schema, c->message, in->data, in->len, err, cap);
		return decode_protobuf_raw(in->data, in->len, err, cap);
	case DECODE_CBOR:
		return decode_cbor(in->data, in->len, err, cap);
	case DECODE_MSGPACK:
		return decode_msgpack(in->data, in->len, err, cap);
	default:
		decode_error(err, cap, "decode", "no decoder applies");
		return NULL;
	}
}

char *decode_json(const struct cJSON *doc, size_t *len)
{
	char *s = cJSON_PrintUnformatted(doc);

	if (s == NULL) {
		fputs("mqscope: out of memory\n", stderr);
		abort();
	}
	*len = strlen(s);
	return s;
}

/* ---- building documents ---- */

bool decode_spend(struct decode_budget *b)
{
	return ++b->nodes <= DECODE_NODES_MAX;
}

/* cJSON returns NULL only when malloc does: stop as xmalloc would. */
static cJSON *node(cJSON *n)
{
	if (n == NULL) {
		fputs("mqscope: out of memory\n", stderr);
		abort();
	}
	return n;
}

/* Digits of v into the end of buf (which ends at end); returns where they start. */
static char *digits(uint64_t v, char *end)
{
	char *p = end;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

/* A number as its JSON text (a raw node, printed as it is, and exact). */
static cJSON *raw(const char *text)
{
	return node(cJSON_CreateRaw(text));
}

struct cJSON *decode_uint(uint64_t v)
{
	char buf[24];

	buf[23] = '\0';
	return raw(digits(v, buf + 23));
}

struct cJSON *decode_int(int64_t v)
{
	char buf[24], *p;

	buf[23] = '\0';
	p = digits(v < 0 ? -(uint64_t)v : (uint64_t)v, buf + 23);
	if (v < 0)
		*--p = '-';
	return raw(p);
}

/* NaN and the infinities as strings; false for finite numbers. */
static cJSON *non_finite(double v)
{
	if (isnan(v))
		return node(cJSON_CreateString("NaN"));
	if (isinf(v))
		return node(cJSON_CreateString(v > 0 ? "Infinity" : "-Infinity"));
	return NULL;
}

static const double tens[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* Writes n / 10^k as decimal text ("-12.05") into buf; n is a whole number below 2^53. */
static void fixed_point(double n, int k, char *buf)
{
	char tmp[40], *end = tmp + sizeof(tmp) - 1, *p;
	uint64_t u = (uint64_t)fabs(n);
	size_t o = 0;

	*end = '\0';
	p = digits(u, end);
	while (end - p <= k)
		*--p = '0'; /* 5 at k = 2 is 0.05 */
	if (n < 0)
		buf[o++] = '-';
	memcpy(buf + o, p, (size_t)(end - p - k));
	o += (size_t)(end - p - k);
	if (k > 0) {
		buf[o++] = '.';
		memcpy(buf + o, end - k, (size_t)k);
		o += (size_t)k;
	}
	buf[o] = '\0';
}

/*
 * The text of a measurement-like number without printf, which dominates decoding large
 * payloads: the fewest decimals k (up to 9) with v = n / 10^k for a whole n. The division
 * is correctly rounded like the reading of the text, so the text reads back as v.
 */
static bool fast_double(double v, char *buf)
{
	for (int k = 0; k <= 9; k++) {
		double n = v * tens[k];

		if (fabs(n) >= 9007199254740992.0)
			return false;
		if (n == trunc(n) && n / tens[k] == v) {
			fixed_point(n, k, buf);
			return true;
		}
	}
	return false;
}

struct cJSON *decode_float(float v)
{
	char buf[48];
	cJSON *n = non_finite(v);

	if (n)
		return n;
	/* The shortest text that reads back as this float: 0.1f is 0.1, not 0.100000001. */
	for (int k = 0; k <= 9; k++) {
		double m = nearbyint((double)v * tens[k]);

		if (fabs(m) >= 9007199254740992.0)
			break;
		if ((float)(m / tens[k]) == v) {
			fixed_point(m, k, buf);
			if (strtof(buf, NULL) == v)
				return raw(buf);
			break;
		}
	}
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, (double)v);
		if (strtof(buf, NULL) == v)
			break;
	}
	return raw(buf);
}

struct cJSON *decode_double(double v)
{
	char buf[48];
	cJSON *n = non_finite(v);

	if (n)
		return n;
	if (fast_double(v, buf))
		return raw(buf);
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return raw(buf);
}

struct cJSON *decode_bool(bool v)
{
	return node(cJSON_CreateBool(v));
}

struct cJSON *decode_null(void)
{
	return node(cJSON_CreateNull());
}

/* Appends JSON string text for n bytes at s (without the quotes) to out at *o. */
static void escape(const char *s, size_t n, char *out, size_t *o)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[(*o)++] = '\\';
			out[(*o)++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(out + *o, "\\u00", 4);
			out[*o + 4] = hx[c >> 4];
			out[*o + 5] = hx[c & 15];
			*o += 6;
		} else {
			out[(*o)++] = (char)c;
		}
	}
}

struct cJSON *decode_string(const char *s, size_t n)
{
	char *buf;
	size_t o = 0;
	cJSON *r;

	if (n == 0)
		return node(cJSON_CreateString(""));
	/* cJSON strings end at a NUL: text holding one is written as escaped JSON text. */
	if (memchr(s, '\0', n) == NULL) {
		buf = xmalloc(n + 1);
		memcpy(buf, s, n);
		buf[n] = '\0';
		r = node(cJSON_CreateString(buf));
		free(buf);
		return r;
	}
	buf = xmalloc(n * 6 + 3);
	buf[o++] = '"';
	escape(s, n, buf, &o);
	buf[o++] = '"';
	buf[o] = '\0';
	r = node(cJSON_CreateRaw(buf));
	free(buf);
	return r;
}

struct cJSON *decode_bytes(const void *p, size_t n)
{
	size_t cap = base64_len(n) + 1;
	char *b = xmalloc(cap);
	cJSON *o = decode_object();

	base64_encode(p, n, b, cap);
	cJSON_AddItemToObject(o, "$bytes", node(cJSON_CreateString(b)));
	free(b);
	return o;
}

struct cJSON *decode_bigint(const uint8_t *p, size_t n, bool negative)
{
	uint8_t num[65];
	char digits[170], out[172];
	size_t nd = 0, o = 0;
	bool zero;

	while (n && *p == 0)
		p++, n--;
	if (n > sizeof(num) - 1)
		return NULL;
	num[0] = 0;
	memcpy(num + 1, p, n);
	n++;
	/* CBOR's negative bignum n stands for -1 - n: add the one first. */
	for (size_t i = n; negative && i-- > 0;)
		if (++num[i] != 0)
			break;
	/* Repeated division by 10, least significant digit first. */
	do {
		unsigned rem = 0;

		zero = true;
		for (size_t i = 0; i < n; i++) {
			unsigned cur = rem << 8 | num[i];

			num[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			zero = zero && num[i] == 0;
		}
		digits[nd++] = (char)('0' + rem);
	} while (!zero);
	if (negative)
		out[o++] = '-';
	while (nd)
		out[o++] = digits[--nd];
	out[o] = '\0';
	return raw(out);
}

struct cJSON *decode_object(void)
{
	return node(cJSON_CreateObject());
}

struct cJSON *decode_array(void)
{
	return node(cJSON_CreateArray());
}

void decode_add(struct cJSON *obj, const char *key, size_t n, struct cJSON *v)
{
	char *k;

	if (key == NULL) {
		cJSON_AddItemToArray(obj, v);
		return;
	}
	if (memchr(key, '\0', n) == NULL) {
		k = xmalloc(n + 1);
		memcpy(k, key, n);
		k[n] = '\0';
	} else {
		size_t o = 0;

		/* A key holding a NUL keeps it as the visible escape \u0000. */
		k = xmalloc(n * 6 + 1);
		for (size_t i = 0; i < n; i++) {
			if (key[i] == '\0') {
				memcpy(k + o, "\\u0000", 6);
				o += 6;
			} else {
				k[o++] = key[i];
			}
		}
		k[o] = '\0';
	}
	cJSON_AddItemToObject(obj, k, v);
	free(k);
}

void decode_add_keyed(struct cJSON *obj, struct cJSON *key, struct cJSON *v)
{
	char text[DECODE_KEY_MAX];

	if (cJSON_IsString(key)) {
		cJSON_AddItemToObject(obj, key->valuestring, v);
	} else if (cJSON_IsRaw(key) && key->valuestring[0] == '"') {
		/* A string with a NUL: its escaped text without the quotes. */
		size_t n = strlen(key->valuestring);

		key->valuestring[n - 1] = '\0';
		cJSON_AddItemToObject(obj, key->valuestring + 1, v);
	} else {
		/*
		 * Any other key as its JSON text, when that is short: a key holding keys that
		 * hold keys would double its escapes at every level.
		 */
		if (!cJSON_PrintPreallocated(key, text, sizeof(text), false))
			snprintf(text, sizeof(text), "%s", cJSON_IsArray(key) ? "[...]" : "{...}");
		cJSON_AddItemToObject(obj, text, v);
	}
	cJSON_Delete(key);
}

void decode_warn(struct cJSON *doc, const char *fmt, ...)
{
	cJSON *w = cJSON_GetObjectItemCaseSensitive(doc, "$warnings");
	char buf[256];
	va_list ap;

	if (w == NULL) {
		/* First in the document, so it is seen first (a child's prev is the last one). */
		w = decode_array();
		w->string = xstrdup("$warnings");
		w->next = doc->child;
		w->prev = doc->child ? doc->child->prev : w;
		if (doc->child)
			doc->child->prev = w;
		doc->child = w;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(w, node(cJSON_CreateString(buf)));
}

void decode_iso_time(int64_t sec, uint32_t nsec, char *buf, size_t cap)
{
	struct tm tm;
	time_t t = (time_t)sec;
	size_t n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		snprintf(buf, cap, "%lld s", (long long)sec);
		return;
	}
	n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	if (nsec) {
		char frac[16];
		int k = snprintf(frac, sizeof(frac), ".%09u", nsec % 1000000000u);

		while (k > 1 && frac[k - 1] == '0')
			frac[--k] = '\0';
		snprintf(buf + n, cap - n, "%sZ", frac);
	} else {
		snprintf(buf + n, cap - n, "Z");
	}
}

void decode_error(char *err, size_t cap, const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (cap == 0)
		return;
	n = snprintf(err, cap, "%s: ", what);
	if (n < 0 || (size_t)n >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
}
