/* msg.c: ring record layout and a compact encoding of MQTT 5 message properties. */
#include "mqscope/msg.h"

#include <string.h>

size_t msg_record_size(size_t topic_len, size_t len, size_t props_len)
{
	return sizeof(struct msg_head) + topic_len + len + props_len;
}

void msg_write(void *dst, const struct msg_head *h, const char *topic, const void *payload,
               const void *props)
{
	char *p = dst;

	memcpy(p, h, sizeof(*h));
	p += sizeof(*h);
	memcpy(p, topic, h->topic_len);
	p += h->topic_len;
	if (h->len)
		memcpy(p, payload, h->len);
	p += h->len;
	if (h->props_len)
		memcpy(p, props, h->props_len);
}

bool msg_read(const void *rec, size_t len, struct msg_view *v)
{
	const struct msg_head *h = rec;

	if (len < sizeof(*h))
		return false;
	if ((uint64_t)h->topic_len + h->len + h->props_len != len - sizeof(*h))
		return false;
	v->h = h;
	v->topic = (const char *)(h + 1);
	v->payload = v->topic + h->topic_len;
	v->props = (const uint8_t *)v->payload + h->len;
	return true;
}

static bool is_string_prop(uint8_t id)
{
	return id == PROP_CONTENT_TYPE || id == PROP_RESPONSE_TOPIC || id == PROP_CORRELATION_DATA;
}

static bool put_u16_bytes(uint8_t *buf, size_t cap, size_t *off, const char *s, size_t len)
{
	if (len > 0xffff || *off + 2 + len > cap)
		return false;
	buf[*off] = (uint8_t)(len >> 8);
	buf[*off + 1] = (uint8_t)len;
	if (len)
		memcpy(buf + *off + 2, s, len);
	*off += 2 + len;
	return true;
}

bool props_put_num(uint8_t *buf, size_t cap, size_t *off, uint8_t id, uint32_t num)
{
	if (*off + 5 > cap)
		return false;
	buf[*off] = id;
	buf[*off + 1] = (uint8_t)(num >> 24);
	buf[*off + 2] = (uint8_t)(num >> 16);
	buf[*off + 3] = (uint8_t)(num >> 8);
	buf[*off + 4] = (uint8_t)num;
	*off += 5;
	return true;
}

bool props_put_str(uint8_t *buf, size_t cap, size_t *off, uint8_t id, const char *s, size_t slen)
{
	size_t o = *off;

	if (o + 1 > cap)
		return false;
	buf[o++] = id;
	if (!put_u16_bytes(buf, cap, &o, s, slen))
		return false;
	*off = o;
	return true;
}

bool props_put_pair(uint8_t *buf, size_t cap, size_t *off, const char *k, size_t klen,
                    const char *v, size_t vlen)
{
	size_t o = *off;

	if (o + 1 > cap)
		return false;
	buf[o++] = PROP_USER_PROPERTY;
	if (!put_u16_bytes(buf, cap, &o, k, klen) || !put_u16_bytes(buf, cap, &o, v, vlen))
		return false;
	*off = o;
	return true;
}

static bool get_u16_bytes(const uint8_t *buf, size_t len, size_t *off, const char **s,
                          uint16_t *slen)
{
	uint16_t l;

	if (*off + 2 > len)
		return false;
	l = (uint16_t)(buf[*off] << 8 | buf[*off + 1]);
	if (*off + 2 + l > len)
		return false;
	*s = (const char *)buf + *off + 2;
	*slen = l;
	*off += 2 + (size_t)l;
	return true;
}

bool props_next(const uint8_t *buf, size_t len, size_t *off, struct prop *out)
{
	size_t o = *off;

	memset(out, 0, sizeof(*out));
	if (o >= len)
		return false;
	out->id = buf[o++];
	if (out->id == PROP_USER_PROPERTY) {
		if (!get_u16_bytes(buf, len, &o, &out->s, &out->slen) ||
		    !get_u16_bytes(buf, len, &o, &out->v, &out->vlen))
			return false;
	} else if (is_string_prop(out->id)) {
		if (!get_u16_bytes(buf, len, &o, &out->s, &out->slen))
			return false;
	} else {
		if (o + 4 > len)
			return false;
		out->num = (uint32_t)buf[o] << 24 | (uint32_t)buf[o + 1] << 16 |
		           (uint32_t)buf[o + 2] << 8 | buf[o + 3];
		o += 4;
	}
	*off = o;
	return true;
}

const char *props_name(uint8_t id)
{
	switch (id) {
	case PROP_PAYLOAD_FORMAT:
		return "payload-format";
	case PROP_MESSAGE_EXPIRY:
		return "message-expiry";
	case PROP_CONTENT_TYPE:
		return "content-type";
	case PROP_RESPONSE_TOPIC:
		return "response-topic";
	case PROP_CORRELATION_DATA:
		return "correlation-data";
	case PROP_SUBSCRIPTION_ID:
		return "subscription-id";
	case PROP_USER_PROPERTY:
		return "user-property";
	default:
		return "property";
	}
}
