/* mqtt_wire.c: checks each packet from the broker against the MQTT 3.1.1 and 5.0 rules. */
#include "mqscope/mqtt_wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/msg.h"

enum ptype { P_BYTE, P_U16, P_U32, P_VARINT, P_STR, P_BIN, P_PAIR };

/* Packet types as bits, for the packets a property may appear in. */
#define B(t)       (1u << (t))
#define T_CONNACK  2
#define T_PUBLISH  3
#define T_PUBACK   4
#define T_PUBREC   5
#define T_PUBREL   6
#define T_PUBCOMP  7
#define T_SUBACK   9
#define T_UNSUBACK 11
#define T_DISCONN  14
#define T_AUTH     15
#define ACKS       (B(T_PUBACK) | B(T_PUBREC) | B(T_PUBREL) | B(T_PUBCOMP))

/* A property as the MQTT 5 specification defines it, for packets a server sends. */
struct pdef {
	uint8_t id;
	uint8_t type;
	uint16_t packets; /* where a server may send it */
	uint16_t many;    /* where it may come more than once */
	const char *name;
};

static const struct pdef pdefs[] = {
    {0x01, P_BYTE, B(T_PUBLISH), 0, "payload format indicator"},
    {0x02, P_U32, B(T_PUBLISH), 0, "message expiry interval"},
    {0x03, P_STR, B(T_PUBLISH), 0, "content type"},
    {0x08, P_STR, B(T_PUBLISH), 0, "response topic"},
    {0x09, P_BIN, B(T_PUBLISH), 0, "correlation data"},
    {0x0B, P_VARINT, B(T_PUBLISH), B(T_PUBLISH), "subscription identifier"},
    /* A server never sends it on DISCONNECT (MQTT-3.14.2-2). */
    {0x11, P_U32, B(T_CONNACK), 0, "session expiry interval"},
    {0x12, P_STR, B(T_CONNACK), 0, "assigned client identifier"},
    {0x13, P_U16, B(T_CONNACK), 0, "server keep alive"},
    {0x15, P_STR, B(T_CONNACK) | B(T_AUTH), 0, "authentication method"},
    {0x16, P_BIN, B(T_CONNACK) | B(T_AUTH), 0, "authentication data"},
    {0x17, P_BYTE, 0, 0, "request problem information"},
    {0x18, P_U32, 0, 0, "will delay interval"},
    {0x19, P_BYTE, 0, 0, "request response information"},
    {0x1A, P_STR, B(T_CONNACK), 0, "response information"},
    {0x1C, P_STR, B(T_CONNACK) | B(T_DISCONN), 0, "server reference"},
    {0x1F, P_STR, B(T_CONNACK) | ACKS | B(T_SUBACK) | B(T_UNSUBACK) | B(T_DISCONN) | B(T_AUTH), 0,
     "reason string"},
    {0x21, P_U16, B(T_CONNACK), 0, "receive maximum"},
    {0x22, P_U16, B(T_CONNACK), 0, "topic alias maximum"},
    {0x23, P_U16, B(T_PUBLISH), 0, "topic alias"},
    {0x24, P_BYTE, B(T_CONNACK), 0, "maximum QoS"},
    {0x25, P_BYTE, B(T_CONNACK), 0, "retain available"},
    {0x26, P_PAIR, 0xffff, 0xffff, "user property"},
    {0x27, P_U32, B(T_CONNACK), 0, "maximum packet size"},
    {0x28, P_BYTE, B(T_CONNACK), 0, "wildcard subscription available"},
    {0x29, P_BYTE, B(T_CONNACK), 0, "subscription identifier available"},
    {0x2A, P_BYTE, B(T_CONNACK), 0, "shared subscription available"},
};

static const char *const packet_names[16] = {
    "packet of type 0", "CONNECT",  "CONNACK",    "PUBLISH", "PUBACK",      "PUBREC",
    "PUBREL",           "PUBCOMP",  "SUBSCRIBE",  "SUBACK",  "UNSUBSCRIBE", "UNSUBACK",
    "PINGREQ",          "PINGRESP", "DISCONNECT", "AUTH"};

const char *wire_packet_name(unsigned type)
{
	return packet_names[type & 15];
}

/* The packet type with its article, for messages. */
const char *wire_packet_a(unsigned type)
{
	static const char *const names[16] = {
	    "a packet of type 0", "a CONNECT",  "a CONNACK",      "a PUBLISH",
	    "a PUBACK",           "a PUBREC",   "a PUBREL",       "a PUBCOMP",
	    "a SUBSCRIBE",        "a SUBACK",   "an UNSUBSCRIBE", "an UNSUBACK",
	    "a PINGREQ",          "a PINGRESP", "a DISCONNECT",   "an AUTH"};

	return names[type & 15];
}

static const struct pdef *pdef_of(uint32_t id)
{
	for (size_t i = 0; i < sizeof(pdefs) / sizeof(pdefs[0]); i++)
		if (pdefs[i].id == id)
			return &pdefs[i];
	return NULL;
}

static enum wire_verdict say(enum wire_verdict v, char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes the detail of a verdict and returns the verdict. */
static enum wire_verdict say(enum wire_verdict v, char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return v;
}

bool wire_utf8_ok(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t b = s[i];
		uint32_t cp;
		size_t n;

		if (b < 0x80) {
			cp = b;
			n = 1;
		} else if (b >= 0xC2 && b <= 0xDF) {
			cp = b & 0x1F;
			n = 2;
		} else if ((b & 0xF0) == 0xE0) {
			cp = b & 0x0F;
			n = 3;
		} else if (b >= 0xF0 && b <= 0xF4) {
			cp = b & 0x07;
			n = 4;
		} else {
			return false; /* a continuation byte, C0/C1 or past U+10FFFF */
		}
		if (len - i < n)
			return false;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false; /* overlong, or out of range */
		if (cp >= 0xD800 && cp <= 0xDFFF)
			return false; /* surrogates (MQTT-1.5.4-1) */
		/* NUL (MQTT-1.5.4-2), C0, DEL and C1 controls, non-characters (1.5.4: may refuse)
		 */
		if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
		    (cp & 0xFFFE) == 0xFFFE)
			return false;
		i += n;
	}
	return true;
}

/* Reads a variable byte integer at *off: 1 read, 0 needs bytes past len, -1 longer than 4. */
static int varint(const uint8_t *p, size_t len, size_t *off, uint32_t *out)
{
	uint32_t v = 0, mult = 1;

	for (int i = 0; i < 4; i++) {
		uint8_t b;

		if (*off + (size_t)i >= len)
			return 0;
		b = p[*off + (size_t)i];
		v += (uint32_t)(b & 127) * mult;
		mult *= 128;
		if (!(b & 128)) {
			*off += (size_t)i + 1;
			*out = v;
			return 1;
		}
	}
	return -1;
}

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A string or binary field (2-byte length, then bytes) at *off, within len. */
static bool field(const uint8_t *p, size_t len, size_t *off, const uint8_t **s, uint16_t *slen)
{
	if (len - *off < 2)
		return false;
	*slen = u16(p + *off);
	if (len - *off - 2 < *slen)
		return false;
	*s = p + *off + 2;
	*off += 2 + (size_t)*slen;
	return true;
}

/* One property read from the wire. */
struct pval {
	const struct pdef *def;
	uint32_t num;
	const uint8_t *s, *v;
	uint16_t slen, vlen;
};

/* Reads the property at *off of props (len bytes) in a packet of this type; no rules but its
 * shape. */
static enum wire_verdict prop_read(const uint8_t *p, size_t len, size_t *off, unsigned type,
                                   struct pval *pv, char *why, size_t cap)
{
	const char *pk = wire_packet_a(type);
	uint32_t id;
	size_t o = *off;
	int r = varint(p, len, &o, &id);

	if (r <= 0)
		return say(WIRE_PROTOCOL, why, cap, "a property id past the end of %s's properties",
		           pk);
	pv->def = pdef_of(id);
	if (pv->def == NULL)
		return say(WIRE_UNKNOWN_PROPERTY, why, cap, "0x%02x in %s", (unsigned)id, pk);
	pv->num = 0;
	pv->s = pv->v = NULL;
	pv->slen = pv->vlen = 0;
	switch (pv->def->type) {
	case P_BYTE:
		if (len - o < 1)
			goto past;
		pv->num = p[o++];
		break;
	case P_U16:
		if (len - o < 2)
			goto past;
		pv->num = u16(p + o);
		o += 2;
		break;
	case P_U32:
		if (len - o < 4)
			goto past;
		pv->num = (uint32_t)p[o] << 24 | (uint32_t)p[o + 1] << 16 |
		          (uint32_t)p[o + 2] << 8 | p[o + 3];
		o += 4;
		break;
	case P_VARINT:
		if (varint(p, len, &o, &pv->num) <= 0)
			goto past;
		break;
	case P_STR:
	case P_BIN:
		if (!field(p, len, &o, &pv->s, &pv->slen))
			goto past;
		break;
	case P_PAIR:
		if (!field(p, len, &o, &pv->s, &pv->slen) || !field(p, len, &o, &pv->v, &pv->vlen))
			goto past;
		break;
	}
	*off = o;
	return WIRE_OK;
past:
	return say(WIRE_PROTOCOL, why, cap, "%s runs past the end of %s's properties",
	           pv->def->name, pk);
}

/* Whether a one-byte flag property holds 0 or 1. */
static bool is_flag_prop(uint8_t id)
{
	return id == 0x01 || id == 0x24 || id == 0x25 || id == 0x28 || id == 0x29 || id == 0x2A;
}

/* Checks the properties of a packet of this type (props, len bytes): every rule of each. */
static enum wire_verdict check_props(const uint8_t *props, size_t len, unsigned type, char *why,
                                     size_t cap)
{
	const char *pk = wire_packet_a(type);
	uint64_t seen = 0;
	size_t off = 0;

	while (off < len) {
		struct pval pv;
		enum wire_verdict v = prop_read(props, len, &off, type, &pv, why, cap);
		const struct pdef *d = pv.def;

		if (v != WIRE_OK)
			return v;
		if (!(d->packets & B(type)))
			return say(WIRE_PROPERTY_NOT_ALLOWED, why, cap, "%s in %s", d->name, pk);
		if ((seen >> d->id & 1) && !(d->many & B(type)))
			return say(WIRE_DUP_PROPERTY, why, cap, "%s twice in %s", d->name, pk);
		seen |= (uint64_t)1 << d->id;
		if ((d->type == P_STR || d->type == P_PAIR) &&
		    (!wire_utf8_ok(pv.s, pv.slen) || (pv.v && !wire_utf8_ok(pv.v, pv.vlen))))
			return say(WIRE_BAD_PROPERTY, why, cap,
			           "%s in %s (invalid UTF-8 or control characters)", d->name, pk);
		if (is_flag_prop(d->id) && pv.num > 1)
			return say(WIRE_BAD_PROPERTY, why, cap, "%s %u in %s (0 or 1)", d->name,
			           (unsigned)pv.num, pk);
		switch (d->id) {
		case 0x0B: /* subscription identifier */
		case 0x21: /* receive maximum */
		case 0x27: /* maximum packet size */
			if (pv.num == 0)
				return say(WIRE_BAD_PROPERTY, why, cap, "%s 0 in %s", d->name, pk);
			break;
		case 0x23:
			/* mqscope asks for no topic aliases: a broker may send none (MQTT-3.3.2-9)
			 */
			return say(WIRE_BAD_PROPERTY, why, cap,
			           "topic alias %u in %s (mqscope allows none)", (unsigned)pv.num,
			           pk);
		case 0x15:
		case 0x16:
			/* only when the CONNECT named a method, and mqscope's never does */
			return say(WIRE_BAD_PROPERTY, why, cap, "%s in %s (mqscope asked for none)",
			           d->name, pk);
		case 0x08:
			if (memchr(pv.s, '+', pv.slen) || memchr(pv.s, '#', pv.slen))
				return say(WIRE_BAD_PROPERTY, why, cap,
				           "response topic with a wildcard in %s", pk);
			break;
		default:
			break;
		}
	}
	return WIRE_OK;
}

/*
 * Reads a property length at *off and checks the properties after it, which
 * must end by end; *off then points past them. The properties' own bytes go
 * to *props and *plen when those are not NULL.
 */
static enum wire_verdict props_at(const uint8_t *body, size_t end, size_t *off, unsigned type,
                                  const uint8_t **props, uint32_t *plen, char *why, size_t cap)
{
	uint32_t n;
	int r = varint(body, end, off, &n);

	if (r <= 0 || n > end - *off)
		return say(WIRE_PROTOCOL, why, cap, "%s whose property length runs past its end",
		           packet_names[type]);
	if (props) {
		*props = body + *off;
		*plen = n;
	}
	*off += n;
	return check_props(body + *off - n, n, type, why, cap);
}

int wire_publish_header_len(uint8_t first, const uint8_t *hdr, size_t have, size_t body_len,
                            int version, size_t *need)
{
	size_t n, off;
	uint32_t plen;
	int r;

	if (have < 2) {
		*need = 2;
		return body_len < 2 ? -1 : 0;
	}
	n = 2 + (size_t)u16(hdr) + (((first >> 1) & 3) ? 2 : 0);
	if (n > body_len)
		return -1;
	if (version < 5) {
		*need = n;
		return 1;
	}
	if (n + 1 > body_len)
		return -1;
	off = n;
	r = varint(hdr, have, &off, &plen);
	if (r < 0)
		return -1;
	if (r == 0) {
		*need = (have < body_len ? have : body_len) + 1;
		return *need > body_len ? -1 : 0;
	}
	if (plen > body_len - off)
		return -1;
	*need = off + plen;
	return 1;
}

enum wire_verdict wire_check_publish(uint8_t first, const uint8_t *hdr, size_t header_len,
                                     size_t body_len, int version, struct wire_publish *out,
                                     char *why, size_t cap)
{
	size_t off;
	enum wire_verdict v;

	memset(out, 0, sizeof(*out));
	out->qos = (first >> 1) & 3;
	out->retain = first & 1;
	out->dup = (first >> 3) & 1;
	out->header_len = header_len;
	if (out->qos == 3)
		return say(WIRE_PROTOCOL, why, cap, "PUBLISH with QoS 3");
	if (header_len < 2 || header_len > body_len)
		return say(WIRE_PROTOCOL, why, cap, "PUBLISH whose topic runs past its end");
	out->topic_len = u16(hdr);
	out->topic = hdr + 2;
	off = 2 + (size_t)out->topic_len;
	if (out->qos) {
		if (off + 2 > header_len)
			return say(WIRE_PROTOCOL, why, cap,
			           "PUBLISH whose packet id runs past its end");
		out->mid = u16(hdr + off);
		off += 2;
		if (out->mid == 0)
			return say(WIRE_PROTOCOL, why, cap, "PUBLISH (QoS %d) with packet id 0",
			           out->qos);
	}
	if (version >= 5) {
		v = props_at(hdr, header_len, &off, T_PUBLISH, &out->props, &out->props_len, why,
		             cap);
		if (v != WIRE_OK)
			return v;
	}
	if (off != header_len)
		return say(WIRE_PROTOCOL, why, cap, "PUBLISH whose header length does not add up");
	if (out->topic_len == 0)
		return say(WIRE_PROTOCOL, why, cap, "PUBLISH with an empty topic");
	if (!wire_utf8_ok(out->topic, out->topic_len))
		return say(WIRE_BAD_UTF8, why, cap, "PUBLISH topic");
	if (memchr(out->topic, '+', out->topic_len) || memchr(out->topic, '#', out->topic_len))
		return say(WIRE_PROTOCOL, why, cap, "PUBLISH topic with a wildcard (+ or #)");
	return WIRE_OK;
}

/* Reason codes a server may put in a SUBACK (v5) for one filter. */
static bool suback_code_ok(uint8_t c, int version)
{
	static const uint8_t v5[] = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
	                             0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};

	if (version < 5)
		return c <= 2 || c == 0x80;
	return memchr(v5, c, sizeof(v5)) != NULL;
}

static bool unsuback_code_ok(uint8_t c)
{
	static const uint8_t codes[] = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};

	return memchr(codes, c, sizeof(codes)) != NULL;
}

/* CONNACK: acknowledge flags, return or reason code, MQTT 5 properties. */
static enum wire_verdict check_connack(const uint8_t *b, size_t len, int version, char *why,
                                       size_t cap)
{
	size_t off = 2;
	enum wire_verdict v;

	/*
	 * A broker without MQTT 5 answers an MQTT 5 CONNECT in its own format:
	 * two bytes, "unacceptable protocol version". libmosquitto reads it so.
	 */
	if (version >= 5 && len == 2 && b[1] == 1 && b[0] == 0)
		return WIRE_OK;
	if (len < 2 || (version < 5 && len != 2) || (version >= 5 && len < 3))
		return say(WIRE_PROTOCOL, why, cap, "CONNACK of %zu bytes", len);
	if (b[0] & 0xFE)
		return say(WIRE_PROTOCOL, why, cap, "CONNACK with reserved flags 0x%02x", b[0]);
	if ((b[0] & 1) && b[1] != 0)
		return say(WIRE_PROTOCOL, why, cap, "CONNACK refusing with a session present");
	if (version < 5)
		return WIRE_OK;
	v = props_at(b, len, &off, T_CONNACK, NULL, NULL, why, cap);
	if (v == WIRE_OK && off != len)
		return say(WIRE_PROTOCOL, why, cap, "CONNACK with bytes after its properties");
	return v;
}

/* PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id, then in MQTT 5 a reason and properties. */
static enum wire_verdict check_ack(unsigned type, const uint8_t *b, size_t len, int version,
                                   char *why, size_t cap)
{
	size_t off = 3;
	enum wire_verdict v;

	if (len < 2 || (version < 5 && len != 2))
		return say(WIRE_PROTOCOL, why, cap, "%s of %zu bytes", packet_names[type], len);
	if (u16(b) == 0)
		return say(WIRE_PROTOCOL, why, cap, "%s with packet id 0", packet_names[type]);
	if (len <= 3)
		return WIRE_OK;
	v = props_at(b, len, &off, type, NULL, NULL, why, cap);
	if (v == WIRE_OK && off != len)
		return say(WIRE_PROTOCOL, why, cap, "%s with bytes after its properties",
		           packet_names[type]);
	return v;
}

/* SUBACK and UNSUBACK: a packet id, MQTT 5 properties, a code per filter. */
static enum wire_verdict check_subacks(unsigned type, const uint8_t *b, size_t len, int version,
                                       char *why, size_t cap)
{
	size_t off = 2;
	enum wire_verdict v;

	if (len < 2)
		return say(WIRE_PROTOCOL, why, cap, "%s of %zu bytes", packet_names[type], len);
	if (u16(b) == 0)
		return say(WIRE_PROTOCOL, why, cap, "%s with packet id 0", packet_names[type]);
	if (type == T_UNSUBACK && version < 5)
		return len == 2 ? WIRE_OK
		                : say(WIRE_PROTOCOL, why, cap, "UNSUBACK of %zu bytes", len);
	if (version >= 5) {
		v = props_at(b, len, &off, type, NULL, NULL, why, cap);
		if (v != WIRE_OK)
			return v;
	}
	if (off == len)
		return say(WIRE_PROTOCOL, why, cap, "%s without a code for any filter",
		           packet_names[type]);
	for (; off < len; off++)
		if (type == T_SUBACK ? !suback_code_ok(b[off], version) : !unsuback_code_ok(b[off]))
			return say(WIRE_PROTOCOL, why, cap, "%s with code 0x%02x",
			           packet_names[type], b[off]);
	return WIRE_OK;
}

enum wire_verdict wire_check_packet(uint8_t first, const uint8_t *body, size_t len, int version,
                                    char *why, size_t cap)
{
	unsigned type = first >> 4, flags = first & 15;
	size_t off = 1;
	enum wire_verdict v;

	switch (type) {
	case 0:
		return say(WIRE_PROTOCOL, why, cap, "a packet of type 0 (reserved)");
	case 1:
	case 8:
	case 10:
	case 12:
		return say(WIRE_PROTOCOL, why, cap, "a %s (only clients send it)",
		           packet_names[type]);
	case 15:
		if (version < 5)
			return say(WIRE_PROTOCOL, why, cap,
			           "a packet of type 15 (reserved before "
			           "MQTT 5)");
		break;
	case 14:
		if (version < 5)
			return say(WIRE_PROTOCOL, why, cap,
			           "DISCONNECT (a server sends it only in "
			           "MQTT 5)");
		break;
	default:
		break;
	}
	if (type == T_PUBLISH)
		return say(WIRE_PROTOCOL, why, cap, "PUBLISH checked as another packet");
	if (flags != (type == T_PUBREL ? 2u : 0u))
		return say(WIRE_PROTOCOL, why, cap, "%s with flags 0x%x (reserved)",
		           packet_names[type], flags);
	switch (type) {
	case T_CONNACK:
		return check_connack(body, len, version, why, cap);
	case T_PUBACK:
	case T_PUBREC:
	case T_PUBREL:
	case T_PUBCOMP:
		return check_ack(type, body, len, version, why, cap);
	case T_SUBACK:
	case T_UNSUBACK:
		return check_subacks(type, body, len, version, why, cap);
	case 13:
		return len == 0 ? WIRE_OK
		                : say(WIRE_PROTOCOL, why, cap, "PINGRESP of %zu bytes", len);
	case T_DISCONN:
		if (len <= 1)
			return WIRE_OK;
		v = props_at(body, len, &off, T_DISCONN, NULL, NULL, why, cap);
		if (v == WIRE_OK && off != len)
			return say(WIRE_PROTOCOL, why, cap,
			           "DISCONNECT with bytes after its "
			           "properties");
		return v;
	case T_AUTH:
		/* A server sends AUTH only when the CONNECT named a method (MQTT-4.12.0-6). */
		if (len > 1) {
			v = props_at(body, len, &off, T_AUTH, NULL, NULL, why, cap);
			if (v != WIRE_OK)
				return v;
		}
		return say(WIRE_PROTOCOL, why, cap, "AUTH (mqscope asked for no authentication)");
	default:
		return say(WIRE_PROTOCOL, why, cap, "a packet of type %u", type);
	}
}

size_t wire_props_keep(const uint8_t *props, size_t len, uint8_t *buf, size_t cap)
{
	size_t off = 0, out = 0;

	while (off < len) {
		struct pval pv;
		bool ok = true;

		if (prop_read(props, len, &off, T_PUBLISH, &pv, NULL, 0) != WIRE_OK)
			break;
		switch (pv.def->id) {
		case PROP_PAYLOAD_FORMAT:
		case PROP_MESSAGE_EXPIRY:
		case PROP_SUBSCRIPTION_ID:
			ok = props_put_num(buf, cap, &out, pv.def->id, pv.num);
			break;
		case PROP_CONTENT_TYPE:
		case PROP_RESPONSE_TOPIC:
		case PROP_CORRELATION_DATA:
			ok = props_put_str(buf, cap, &out, pv.def->id, (const char *)pv.s, pv.slen);
			break;
		case PROP_USER_PROPERTY:
			ok = props_put_pair(buf, cap, &out, (const char *)pv.s, pv.slen,
			                    (const char *)pv.v, pv.vlen);
			break;
		default:
			break;
		}
		if (!ok)
			break; /* the rest does not fit; keep what does */
	}
	return out;
}
