/* record.c: a message to a JSON line (binary as base64, MQTT 5 properties kept) and back. */
#define _GNU_SOURCE
#include "mqscope/record.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/base64.h"
#include "mqscope/payload.h"
#include "mqscope/utf8.h"
#include "mqscope/util.h"

/* Writing a line. */

struct sbuf {
	char **buf;
	size_t *cap;
	size_t len;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > *b->cap) {
		size_t ncap = *b->cap ? *b->cap : 256;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		*b->buf = xrealloc(*b->buf, ncap);
		*b->cap = ncap;
	}
	memcpy(*b->buf + b->len, s, n);
	b->len += n;
	(*b->buf)[b->len] = '\0';
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Whether s can go into a JSON string as it is: valid UTF-8 (which cJSON reads back the same)
 * without NUL. */
static bool plain_text(const char *s, size_t n)
{
	return memchr(s, 0, n) == NULL && utf8_valid(s, n);
}

static void put_escaped(struct sbuf *b, const char *s, size_t n)
{
	size_t from = 0;

	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		put(b, s + from, i - from);
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c == '\n') {
			put(b, "\\n", 2);
		} else if (c == '\t') {
			put(b, "\\t", 2);
		} else if (c == '\r') {
			put(b, "\\r", 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(b, esc, 6);
		}
		from = i + 1;
	}
	put(b, s + from, n - from);
	put(b, "\"", 1);
}

/* "name":"text" when the bytes are text, else "name_base64":"...". */
static void put_bytes(struct sbuf *b, const char *name, const char *s, size_t n)
{
	if (plain_text(s, n)) {
		putf(b, "\"%s\":", name);
		put_escaped(b, s, n);
	} else {
		size_t need = base64_len(n) + 1;
		char *tmp = xmalloc(need);

		base64_encode(s, n, tmp, need);
		putf(b, "\"%s_base64\":\"", name);
		put(b, tmp, need - 1);
		put(b, "\"", 1);
		free(tmp);
	}
}

static void put_props(struct sbuf *b, const uint8_t *props, size_t len)
{
	size_t off = 0, nsub = 0, nuser = 0;
	struct prop p;
	bool first = true;

	if (len == 0)
		return;
	puts_(b, ",\"props\":{");
	while (props_next(props, len, &off, &p)) {
		const char *sep = first ? "" : ",";

		switch (p.id) {
		case PROP_PAYLOAD_FORMAT:
			putf(b, "%s\"payload_format\":%u", sep, p.num);
			break;
		case PROP_MESSAGE_EXPIRY:
			putf(b, "%s\"expiry\":%u", sep, p.num);
			break;
		case PROP_CONTENT_TYPE:
			puts_(b, sep);
			put_bytes(b, "content_type", p.s, p.slen);
			break;
		case PROP_RESPONSE_TOPIC:
			puts_(b, sep);
			put_bytes(b, "response_topic", p.s, p.slen);
			break;
		case PROP_CORRELATION_DATA:
			puts_(b, sep);
			put_bytes(b, "correlation", p.s, p.slen);
			break;
		case PROP_SUBSCRIPTION_ID:
			nsub++;
			continue;
		case PROP_USER_PROPERTY:
			nuser++;
			continue;
		default:
			continue;
		}
		first = false;
	}
	/* Repeated properties become arrays, in their original order. */
	if (nsub) {
		putf(b, "%s\"subscription_ids\":[", first ? "" : ",");
		off = 0;
		for (size_t k = 0; props_next(props, len, &off, &p);) {
			if (p.id != PROP_SUBSCRIPTION_ID)
				continue;
			putf(b, "%s%u", k++ ? "," : "", p.num);
		}
		puts_(b, "]");
		first = false;
	}
	if (nuser) {
		putf(b, "%s\"user\":[", first ? "" : ",");
		off = 0;
		for (size_t k = 0; props_next(props, len, &off, &p);) {
			if (p.id != PROP_USER_PROPERTY)
				continue;
			puts_(b, k++ ? ",{" : "{");
			put_bytes(b, "key", p.s, p.slen);
			puts_(b, ",");
			put_bytes(b, "value", p.v, p.vlen);
			puts_(b, "}");
		}
		puts_(b, "]");
	}
	puts_(b, "}");
}

size_t record_format(const struct msg_view *v, char **buf, size_t *cap)
{
	return record_format_from(v, NULL, 0, buf, cap);
}

size_t record_format_from(const struct msg_view *v, const char *broker, size_t blen, char **buf,
                          size_t *cap)
{
	struct sbuf b = {.buf = buf, .cap = cap, .len = 0};

	putf(&b, "{\"time\":%lld,", (long long)v->h->time_ms);
	if (broker) {
		put_bytes(&b, "broker", broker, blen);
		put(&b, ",", 1);
	}
	put_bytes(&b, "topic", v->topic, v->h->topic_len);
	putf(&b, ",\"qos\":%u,\"retain\":%s,", v->h->qos, v->h->retain ? "true" : "false");
	put_bytes(&b, "payload", v->payload, v->h->len);
	if (v->h->orig_len > v->h->len)
		putf(&b, ",\"size\":%u", v->h->orig_len);
	put_props(&b, v->props, v->h->props_len);
	put(&b, "}\n", 2);
	return b.len;
}

/* Reading one back. */

/* Reads name or name_base64 from obj into a new buffer; false when absent or bad. */
static bool get_bytes(const cJSON *obj, const char *name, char **out, size_t *n)
{
	char key[64];
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(it) && it->valuestring) {
		*n = strlen(it->valuestring);
		*out = xmalloc(*n + 1);
		memcpy(*out, it->valuestring, *n + 1);
		return true;
	}
	snprintf(key, sizeof(key), "%s_base64", name);
	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsString(it) && it->valuestring) {
		size_t el = strlen(it->valuestring), cap = el / 4 * 3 + 3;

		*out = xmalloc(cap + 1);
		if (!base64_decode(it->valuestring, el, (uint8_t *)*out, cap, n)) {
			free(*out);
			*out = NULL;
			return false;
		}
		(*out)[*n] = '\0';
		return true;
	}
	return false;
}

static bool get_uint(const cJSON *obj, const char *name, double max, uint32_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0) || it->valuedouble > max)
		return false;
	*out = (uint32_t)it->valuedouble;
	return true;
}

struct pbuf {
	uint8_t *buf;
	size_t cap, off;
};

static void pb_reserve(struct pbuf *pb, size_t n)
{
	if (pb->off + n > pb->cap) {
		pb->cap = (pb->off + n) * 2;
		pb->buf = xrealloc(pb->buf, pb->cap);
	}
}

/* Encodes a "props" object the way the session stores MQTT 5 properties. */
static bool parse_props(const cJSON *pr, struct pbuf *pb)
{
	const cJSON *it;
	uint32_t num;
	char *s = NULL, *v = NULL;
	size_t sl, vl;

	if (!cJSON_IsObject(pr))
		return false;
	if (get_uint(pr, "payload_format", 255, &num)) {
		pb_reserve(pb, 5);
		props_put_num(pb->buf, pb->cap, &pb->off, PROP_PAYLOAD_FORMAT, num);
	}
	if (get_uint(pr, "expiry", 4294967295.0, &num)) {
		pb_reserve(pb, 5);
		props_put_num(pb->buf, pb->cap, &pb->off, PROP_MESSAGE_EXPIRY, num);
	}
	static const struct {
		const char *name;
		uint8_t id;
	} strs[] = {{"content_type", PROP_CONTENT_TYPE},
	            {"response_topic", PROP_RESPONSE_TOPIC},
	            {"correlation", PROP_CORRELATION_DATA}};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (!get_bytes(pr, strs[i].name, &s, &sl))
			continue;
		pb_reserve(pb, 3 + sl);
		bool ok = props_put_str(pb->buf, pb->cap, &pb->off, strs[i].id, s, sl);
		free(s);
		if (!ok)
			return false;
	}
	it = cJSON_GetObjectItemCaseSensitive(pr, "subscription_ids");
	if (cJSON_IsArray(it)) {
		const cJSON *e;

		cJSON_ArrayForEach(e, it)
		{
			if (!cJSON_IsNumber(e) || !(e->valuedouble >= 0) ||
			    e->valuedouble > 268435455)
				return false;
			pb_reserve(pb, 5);
			props_put_num(pb->buf, pb->cap, &pb->off, PROP_SUBSCRIPTION_ID,
			              (uint32_t)e->valuedouble);
		}
	}
	it = cJSON_GetObjectItemCaseSensitive(pr, "user");
	if (cJSON_IsArray(it)) {
		const cJSON *e;

		cJSON_ArrayForEach(e, it)
		{
			if (!get_bytes(e, "key", &s, &sl))
				return false;
			if (!get_bytes(e, "value", &v, &vl)) {
				free(s);
				return false;
			}
			pb_reserve(pb, 5 + sl + vl);
			bool ok = props_put_pair(pb->buf, pb->cap, &pb->off, s, sl, v, vl);
			free(s);
			free(v);
			if (!ok)
				return false;
		}
	}
	return true;
}

bool record_parse(const char *line, size_t len, struct record_msg *out)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *it;
	size_t tl = 0, pl = 0;
	uint32_t num;
	struct pbuf pb = {0};
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		goto done;
	it = cJSON_GetObjectItemCaseSensitive(j, "time");
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0 ||
	    it->valuedouble > 9e15)
		goto done;
	out->h.time_ms = (int64_t)it->valuedouble;
	if (!get_bytes(j, "topic", &out->topic, &tl) || tl > UINT16_MAX)
		goto done;
	if (!get_bytes(j, "payload", &out->payload, &pl) || pl > UINT32_MAX)
		goto done;
	if (cJSON_GetObjectItemCaseSensitive(j, "broker") != NULL &&
	    !get_bytes(j, "broker", &out->broker, &out->broker_len))
		goto done;
	out->h.topic_len = (uint32_t)tl;
	out->h.len = out->h.orig_len = (uint32_t)pl;
	if (get_uint(j, "size", 4294967295.0, &num) && num > pl)
		out->h.orig_len = num;
	if (get_uint(j, "qos", 2, &num))
		out->h.qos = (uint8_t)num;
	it = cJSON_GetObjectItemCaseSensitive(j, "retain");
	out->h.retain = cJSON_IsTrue(it);
	it = cJSON_GetObjectItemCaseSensitive(j, "props");
	if (it != NULL && !parse_props(it, &pb))
		goto done;
	out->props = pb.buf;
	out->h.props_len = (uint32_t)pb.off;
	pb.buf = NULL;
	ok = true;
done:
	cJSON_Delete(j);
	free(pb.buf);
	if (!ok)
		record_msg_free(out);
	return ok;
}

void record_msg_free(struct record_msg *m)
{
	free(m->topic);
	free(m->payload);
	free(m->props);
	free(m->broker);
	memset(m, 0, sizeof(*m));
}

void record_msg_view(const struct record_msg *m, struct msg_view *v)
{
	v->h = &m->h;
	v->topic = m->topic;
	v->payload = m->payload;
	v->props = m->props;
}
