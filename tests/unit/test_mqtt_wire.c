/* test_mqtt_wire.c: every MQTT rule a packet from the broker must keep, on every packet type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mqscope/mqtt_wire.h"

static const char *verdict_name(enum wire_verdict v)
{
	static const char *const names[] = {"OK",      "BAD_UTF8",    "PROTOCOL", "DUP",
	                                    "UNKNOWN", "NOT_ALLOWED", "BAD_VALUE"};
	return names[v];
}

/* The first byte of each packet type a server sends. */
static uint8_t first_of(unsigned type)
{
	return (uint8_t)(type << 4 | (type == 6 ? 2 : 0));
}

/*
 * Checks a packet of this type (MQTT 5) around the given property bytes:
 * what comes before and after them is valid for the type.
 */
static enum wire_verdict check_with_props(unsigned type, const uint8_t *props, size_t n, char *why)
{
	uint8_t body[512];
	size_t len = 0;
	static const uint8_t mid[] = {0, 1};

	assert_true(n < 128);
	switch (type) {
	case 2: /* CONNACK: flags, reason */
		body[len++] = 0;
		body[len++] = 0;
		break;
	case 3: /* PUBLISH: topic "t" */
		body[len++] = 0;
		body[len++] = 1;
		body[len++] = 't';
		break;
	case 4:
	case 5:
	case 6:
	case 7:
		memcpy(body, mid, 2);
		len = 2;
		body[len++] = 0; /* reason */
		break;
	case 9:
	case 11:
		memcpy(body, mid, 2);
		len = 2;
		break;
	case 14:
	case 15:
		body[len++] = 0; /* reason */
		break;
	default:
		fail();
	}
	body[len++] = (uint8_t)n;
	memcpy(body + len, props, n);
	len += n;
	if (type == 9 || type == 11)
		body[len++] = 0; /* a code for the one filter */
	if (type == 3) {
		struct wire_publish pb;
		size_t need;

		memcpy(body + len, "payload", 7);
		len += 7;
		if (wire_publish_header_len(first_of(3), body, len, len, 5, &need) != 1)
			return WIRE_PROTOCOL;
		return wire_check_publish(first_of(3), body, need, len, 5, &pb, why, WIRE_WHY_MAX);
	}
	return wire_check_packet(first_of(type), body, len, 5, why, WIRE_WHY_MAX);
}

/* A property each type may carry once, and one it may not carry. */
struct type_props {
	unsigned type;
	uint8_t once[8];
	size_t nonce;
	uint8_t forbidden[8];
	size_t nforbidden;
	uint8_t bad_utf8[8]; /* a string property the type allows, with an invalid byte */
	size_t nbad;
};

static const struct type_props types[] = {
    {2, {0x21, 0x00, 0x0a}, 3, {0x01, 0x01}, 2, {0x1f, 0x00, 0x01, 0xff}, 4},
    {3, {0x03, 0x00, 0x01, 'a'}, 4, {0x1f, 0x00, 0x01, 'r'}, 4, {0x03, 0x00, 0x01, 0xc0}, 4},
    {4, {0x1f, 0x00, 0x01, 'r'}, 4, {0x24, 0x01}, 2, {0x1f, 0x00, 0x01, 0x80}, 4},
    {5, {0x1f, 0x00, 0x01, 'r'}, 4, {0x24, 0x01}, 2, {0x1f, 0x00, 0x01, 0x00}, 4},
    {6, {0x1f, 0x00, 0x01, 'r'}, 4, {0x24, 0x01}, 2, {0x1f, 0x00, 0x01, 0x1b}, 4},
    {7, {0x1f, 0x00, 0x01, 'r'}, 4, {0x24, 0x01}, 2, {0x1f, 0x00, 0x02, 0xc2, 0x9b}, 5},
    {9, {0x1f, 0x00, 0x01, 'r'}, 4, {0x24, 0x01}, 2, {0x1f, 0x00, 0x03, 0xed, 0xa0, 0x80}, 6},
    {11, {0x1f, 0x00, 0x01, 'r'}, 4, {0x24, 0x01}, 2, {0x1f, 0x00, 0x01, 0x7f}, 4},
    {14, {0x1f, 0x00, 0x01, 'r'}, 4, {0x11, 0, 0, 0, 5}, 5, {0x1f, 0x00, 0x01, 0xfe}, 4},
    {15, {0x1f, 0x00, 0x01, 'r'}, 4, {0x24, 0x01}, 2, {0x1f, 0x00, 0x01, 0xff}, 4},
};

static void expect(unsigned type, const char *rule, const uint8_t *props, size_t n,
                   enum wire_verdict want)
{
	char why[WIRE_WHY_MAX] = "";
	enum wire_verdict got = check_with_props(type, props, n, why);

	if (got != want)
		fail_msg("%s, %s: %s (%s), wanted %s", wire_packet_name(type), rule,
		         verdict_name(got), why, verdict_name(want));
	if (want != WIRE_OK && why[0] == '\0')
		fail_msg("%s, %s: no words", wire_packet_name(type), rule);
}

static void unit__mqtt_wire__every_property_rule_on_every_packet_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct type_props *t = &types[i];
		/* AUTH comes only when asked for, and mqscope never asks. */
		enum wire_verdict fine = t->type == 15 ? WIRE_PROTOCOL : WIRE_OK;
		uint8_t p[64];
		size_t n;

		expect(t->type, "no properties", p, 0, fine);
		expect(t->type, "one allowed", t->once, t->nonce, fine);
		/* user properties may come any number of times, anywhere */
		n = 0;
		for (int k = 0; k < 3; k++) {
			const uint8_t up[] = {0x26, 0, 1, 'k', 0, 1, 'v'};

			memcpy(p + n, up, sizeof(up));
			n += sizeof(up);
		}
		expect(t->type, "user properties", p, n, fine);
		/* unknown id */
		p[0] = 0x7f;
		p[1] = 0;
		expect(t->type, "unknown id", p, 2, WIRE_UNKNOWN_PROPERTY);
		/* an id in two bytes (a variable byte integer): none is defined so */
		p[0] = 0x81;
		p[1] = 0x01;
		expect(t->type, "two-byte id", p, 2, WIRE_UNKNOWN_PROPERTY);
		/* duplicate */
		memcpy(p, t->once, t->nonce);
		memcpy(p + t->nonce, t->once, t->nonce);
		expect(t->type, "duplicate", p, 2 * t->nonce, WIRE_DUP_PROPERTY);
		/* not allowed in this packet type */
		expect(t->type, "not allowed", t->forbidden, t->nforbidden,
		       WIRE_PROPERTY_NOT_ALLOWED);
		/* a string longer than what is left of the properties */
		memcpy(p, t->once, t->nonce);
		if (t->once[0] == 0x21) {
			p[0] = 0x12; /* assigned client identifier, 5 bytes announced */
			p[1] = 0;
			p[2] = 5;
			n = 3;
		} else {
			p[2] = 40;
			n = t->nonce;
		}
		expect(t->type, "string past the end", p, n, WIRE_PROTOCOL);
		/* a number cut short */
		p[0] = t->type == 3 ? 0x02 : t->type == 2 ? 0x27 : 0x1f;
		p[1] = 0;
		expect(t->type, "value cut short", p, 2, WIRE_PROTOCOL);
		/* invalid UTF-8 (or a control character) in a string */
		expect(t->type, "bad UTF-8", t->bad_utf8, t->nbad, WIRE_BAD_PROPERTY);
	}
}

static void unit__mqtt_wire__property_values_out_of_range(void **state)
{
	static const struct {
		unsigned type;
		uint8_t p[8];
		size_t n;
		enum wire_verdict want;
	} cases[] = {
	    {3, {0x01, 2}, 2, WIRE_BAD_PROPERTY},                   /* payload format 2 */
	    {3, {0x0b, 0}, 2, WIRE_BAD_PROPERTY},                   /* subscription id 0 */
	    {3, {0x0b, 5, 0x0b, 6}, 4, WIRE_OK},                    /* several subscription ids */
	    {3, {0x23, 0, 1}, 3, WIRE_BAD_PROPERTY},                /* topic alias: none allowed */
	    {3, {0x08, 0, 3, 'a', '/', '#'}, 6, WIRE_BAD_PROPERTY}, /* wildcard response topic */
	    {3, {0x0b, 0x80, 0x80, 0x80, 0x80}, 5, WIRE_PROTOCOL},  /* 5-byte variable integer */
	    {2, {0x21, 0, 0}, 3, WIRE_BAD_PROPERTY},                /* receive maximum 0 */
	    {2, {0x24, 2}, 2, WIRE_BAD_PROPERTY},                   /* maximum QoS 2 */
	    {2, {0x25, 3}, 2, WIRE_BAD_PROPERTY},                   /* retain available 3 */
	    {2, {0x27, 0, 0, 0, 0}, 5, WIRE_BAD_PROPERTY},          /* maximum packet size 0 */
	    {2, {0x15, 0, 1, 'x'}, 4, WIRE_BAD_PROPERTY},           /* unasked authentication */
	    {2, {0x13, 0, 30, 0x12, 0, 1, 'c'}, 7, WIRE_OK},        /* keep alive, client id */
	    {2, {0x0b, 1}, 2, WIRE_PROPERTY_NOT_ALLOWED},           /* subscription id */
	    {14, {0x1c, 0, 1, 'h'}, 4, WIRE_OK},                    /* server reference */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rule[32];

		snprintf(rule, sizeof(rule), "case %zu", i);
		expect(cases[i].type, rule, cases[i].p, cases[i].n, cases[i].want);
	}
}

static enum wire_verdict packet(uint8_t first, const char *body, size_t len, int version)
{
	char why[WIRE_WHY_MAX];

	return wire_check_packet(first, (const uint8_t *)body, len, version, why, sizeof(why));
}

static enum wire_verdict publish(uint8_t first, const char *body, size_t len, int version)
{
	struct wire_publish pb;
	char why[WIRE_WHY_MAX];
	size_t need;

	if (wire_publish_header_len(first, (const uint8_t *)body, len, len, version, &need) != 1)
		return WIRE_PROTOCOL;
	return wire_check_publish(first, (const uint8_t *)body, need, len, version, &pb, why,
	                          sizeof(why));
}

static void unit__mqtt_wire__packet_shapes(void **state)
{
	(void)state;
	/* CONNACK */
	assert_int_equal(packet(0x20, "\0\0", 2, 4), WIRE_OK);
	assert_int_equal(packet(0x20, "\0\0\0", 3, 4), WIRE_PROTOCOL);
	assert_int_equal(packet(0x20, "\2\0", 2, 4), WIRE_PROTOCOL); /* reserved flag */
	assert_int_equal(packet(0x20, "\1\5", 2, 4), WIRE_PROTOCOL); /* refused, session kept */
	assert_int_equal(packet(0x20, "\0\1", 2, 5), WIRE_OK);       /* a 3.1.1 broker says no */
	assert_int_equal(packet(0x20, "\0\0", 2, 5), WIRE_PROTOCOL); /* too short for MQTT 5 */
	assert_int_equal(packet(0x20, "\0\x87\0", 3, 5), WIRE_OK);   /* not authorized */
	assert_int_equal(packet(0x21, "\0\0", 2, 4), WIRE_PROTOCOL); /* flags */
	/* acknowledgements */
	assert_int_equal(packet(0x40, "\0\1", 2, 4), WIRE_OK);
	assert_int_equal(packet(0x40, "\0\0", 2, 4), WIRE_PROTOCOL);   /* packet id 0 */
	assert_int_equal(packet(0x40, "\0\1\0", 3, 4), WIRE_PROTOCOL); /* 3.1.1: 2 bytes */
	assert_int_equal(packet(0x40, "\0\1\x10", 3, 5), WIRE_OK);     /* no subscribers */
	assert_int_equal(packet(0x60, "\0\1", 2, 4), WIRE_PROTOCOL);   /* PUBREL needs flags 2 */
	assert_int_equal(packet(0x62, "\0\1", 2, 4), WIRE_OK);
	assert_int_equal(packet(0x40, "\0\1\0\5\0", 5, 5), WIRE_PROTOCOL); /* props past end */
	assert_int_equal(packet(0x40, "\0\1\0\0\0", 5, 5), WIRE_PROTOCOL); /* a byte after */
	/* SUBACK, UNSUBACK */
	assert_int_equal(packet(0x90, "\0\1\0\1\2\x80", 6, 4), WIRE_OK);
	assert_int_equal(packet(0x90, "\0\1\3", 3, 4), WIRE_PROTOCOL); /* code 3 */
	assert_int_equal(packet(0x90, "\0\1", 2, 4), WIRE_PROTOCOL);   /* no code */
	assert_int_equal(packet(0x90, "\0\1\0\x87", 4, 5), WIRE_OK);
	assert_int_equal(packet(0x90, "\0\1\0\x42", 4, 5), WIRE_PROTOCOL);
	assert_int_equal(packet(0xb0, "\0\1", 2, 4), WIRE_OK);
	assert_int_equal(packet(0xb0, "\0\1\0", 3, 4), WIRE_PROTOCOL);
	assert_int_equal(packet(0xb0, "\0\1\0\x11", 4, 5), WIRE_OK);
	assert_int_equal(packet(0xb0, "\0\1\0", 3, 5), WIRE_PROTOCOL); /* no code */
	/* PINGRESP, DISCONNECT, AUTH, types a server never sends */
	assert_int_equal(packet(0xd0, "", 0, 4), WIRE_OK);
	assert_int_equal(packet(0xd0, "x", 1, 4), WIRE_PROTOCOL);
	assert_int_equal(packet(0xe0, "", 0, 5), WIRE_OK);
	assert_int_equal(packet(0xe0, "\x8e", 1, 5), WIRE_OK);
	assert_int_equal(packet(0xe0, "", 0, 4), WIRE_PROTOCOL);
	assert_int_equal(packet(0xf0, "", 0, 5), WIRE_PROTOCOL);
	assert_int_equal(packet(0xf0, "", 0, 4), WIRE_PROTOCOL);
	assert_int_equal(packet(0x00, "", 0, 4), WIRE_PROTOCOL);
	assert_int_equal(packet(0x10, "", 0, 4), WIRE_PROTOCOL);
	assert_int_equal(packet(0xc0, "", 0, 4), WIRE_PROTOCOL);
	/* PUBLISH */
	assert_int_equal(publish(0x30, "\0\3a/bxyz", 8, 4), WIRE_OK);
	assert_int_equal(publish(0x38, "\0\3a/bxyz", 8, 4), WIRE_OK); /* DUP on QoS 0: tolerated */
	assert_int_equal(publish(0x36, "\0\3a/b\0\1", 7, 4), WIRE_PROTOCOL); /* QoS 3 */
	assert_int_equal(publish(0x32, "\0\3a/b\0\0", 7, 4), WIRE_PROTOCOL); /* packet id 0 */
	assert_int_equal(publish(0x32, "\0\3a/b\0\1", 7, 4), WIRE_OK);
	assert_int_equal(publish(0x30, "\0\0xyz", 5, 4), WIRE_PROTOCOL);    /* empty topic */
	assert_int_equal(publish(0x30, "\0\3a/+xyz", 8, 4), WIRE_PROTOCOL); /* wildcard */
	assert_int_equal(publish(0x30, "\0\3a/#", 5, 4), WIRE_PROTOCOL);
	assert_int_equal(publish(0x30,
	                         "\0\3a\xff"
	                         "b",
	                         5, 4),
	                 WIRE_BAD_UTF8);
	assert_int_equal(publish(0x30, "\0\3a\0b", 5, 4), WIRE_BAD_UTF8);
	assert_int_equal(publish(0x30,
	                         "\0\x10"
	                         "a",
	                         3, 4),
	                 WIRE_PROTOCOL); /* topic past end */
	assert_int_equal(publish(0x30, "\0\3a/b\0xyz", 9, 5), WIRE_OK);
	assert_int_equal(publish(0x30, "\0\3a/b\x09\0", 7, 5), WIRE_PROTOCOL); /* props past end */
	/* 3.1.1: property-like bytes are payload */
	assert_int_equal(publish(0x30, "\0\3a/b\x7f\0", 7, 4), WIRE_OK);
}

static void unit__mqtt_wire__strings(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		bool ok;
	} cases[] = {
	    {"plain/ascii", 11, true},
	    {"\xc3\xa9t\xc3\xa9", 5, true}, /* été */
	    {"\xf0\x9f\x92\xa1", 4, true},  /* U+1F4A1 */
	    {"\xc0\xaf", 2, false},         /* overlong */
	    {"\xe0\x80\xaf", 3, false},     /* overlong */
	    {"\xed\xa0\x80", 3, false},     /* surrogate */
	    {"\xf4\x90\x80\x80", 4, false}, /* past U+10FFFF */
	    {"a\0b", 3, false},             /* NUL */
	    {"\x1b[2J", 4, false},          /* ESC */
	    {"\x7f", 1, false},             /* DEL */
	    {"\xc2\x9b", 2, false},         /* C1 CSI */
	    {"\xef\xbf\xbf", 3, false},     /* U+FFFF */
	    {"\xef\xb7\x90", 3, false},     /* U+FDD0 */
	    {"\xe2\x80\xae", 3, true},      /* bidi override: valid; sanitized on screen */
	    {"\xe2\x82", 2, false},         /* cut short */
	    {"\x80", 1, false},             /* lone continuation */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (wire_utf8_ok((const uint8_t *)cases[i].s, cases[i].n) != cases[i].ok)
			fail_msg("case %zu", i);
}

static void unit__mqtt_wire__header_length_from_the_first_bytes(void **state)
{
	const uint8_t v5[] = {0, 3, 'a', '/', 'b', 0, 7, 0x82, 0x01};
	size_t need;

	(void)state;
	assert_int_equal(wire_publish_header_len(0x30, v5, 1, 1000, 5, &need), 0);
	assert_int_equal(need, 2);
	assert_int_equal(wire_publish_header_len(0x32, v5, 2, 1000, 5, &need), 0);
	assert_true(need > 2);
	/* topic, packet id, then a 2-byte property length of 130 */
	assert_int_equal(wire_publish_header_len(0x32, v5, 8, 1000, 5, &need), 0);
	assert_int_equal(wire_publish_header_len(0x32, v5, 9, 1000, 5, &need), 1);
	assert_int_equal(need, 9 + 130);
	assert_int_equal(wire_publish_header_len(0x32, v5, 9, 100, 5, &need), -1);
	assert_int_equal(wire_publish_header_len(0x30, v5, 2, 4, 4, &need), -1);
	assert_int_equal(wire_publish_header_len(0x30, v5, 2, 5, 4, &need), 1);
	assert_int_equal(need, 5);
}

static void unit__mqtt_wire__properties_kept_for_the_payload_pane(void **state)
{
	const uint8_t props[] = {0x01, 0x01, 0x03, 0, 2,   'c',  't', 0x0b, 0x05, 0x26, 0,
	                         1,    'k',  0,    1, 'v', 0x02, 0,   0,    0,    60};
	uint8_t buf[128];
	size_t n = wire_props_keep(props, sizeof(props), buf, sizeof(buf));

	(void)state;
	/* payload format, content type, subscription id, user property, expiry: all shown */
	assert_true(n > 0);
	assert_int_equal(buf[0], 0x01);
	assert_int_equal(wire_props_keep(props, sizeof(props), buf, 6), 5); /* what fits */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__mqtt_wire__every_property_rule_on_every_packet_type),
	    cmocka_unit_test(unit__mqtt_wire__property_values_out_of_range),
	    cmocka_unit_test(unit__mqtt_wire__packet_shapes),
	    cmocka_unit_test(unit__mqtt_wire__strings),
	    cmocka_unit_test(unit__mqtt_wire__header_length_from_the_first_bytes),
	    cmocka_unit_test(unit__mqtt_wire__properties_kept_for_the_payload_pane),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
