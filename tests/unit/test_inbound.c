/* test_inbound.c: the broker's stream cut into checked packets, bounded, and split between
 * libmosquitto and the ring in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mqscope/inbound.h"

struct stream {
	uint8_t *p;
	size_t len;
};

static void put(struct stream *s, const void *p, size_t n)
{
	s->p = realloc(s->p, s->len + n + 1);
	assert_non_null(s->p);
	if (n)
		memcpy(s->p + s->len, p, n);
	s->len += n;
}

static void put_len(struct stream *s, uint32_t v)
{
	do {
		uint8_t b = (uint8_t)(v % 128);

		v /= 128;
		if (v)
			b |= 128;
		put(s, &b, 1);
	} while (v);
}

static const uint8_t connack311[] = {0x20, 0x02, 0x00, 0x00};
static const uint8_t connack5[] = {0x20, 0x03, 0x00, 0x00, 0x00};

/* A PUBLISH: topic, packet id when qos > 0, MQTT 5 properties when props != NULL, payload. */
static void put_publish(struct stream *s, int qos, int mid, const char *topic, const uint8_t *props,
                        size_t nprops, size_t payload_len, uint8_t fill)
{
	size_t tl = strlen(topic);
	size_t rl = 2 + tl + (qos ? 2 : 0) + (props ? 1 + nprops : 0) + payload_len;
	uint8_t b[2];
	uint8_t *pl = malloc(payload_len ? payload_len : 1);

	assert_non_null(pl);
	b[0] = (uint8_t)(0x30 | qos << 1);
	put(s, b, 1);
	put_len(s, (uint32_t)rl);
	b[0] = (uint8_t)(tl >> 8);
	b[1] = (uint8_t)tl;
	put(s, b, 2);
	put(s, topic, tl);
	if (qos) {
		b[0] = (uint8_t)(mid >> 8);
		b[1] = (uint8_t)mid;
		put(s, b, 2);
	}
	if (props) {
		b[0] = (uint8_t)nprops;
		put(s, b, 1);
		put(s, props, nprops);
	}
	for (size_t i = 0; i < payload_len; i++)
		pl[i] = (uint8_t)(fill + i);
	put(s, pl, payload_len);
	free(pl);
}

/* What came out: the bytes for libmosquitto, the direct messages, and their order. */
struct out {
	struct stream lib;
	char topics[16][64];
	size_t lens[16];
	uint8_t props[16][64];
	size_t nprops[16];
	size_t lib_at[16]; /* bytes given to libmosquitto before each direct message */
	size_t ndirect;
};

static void sink_lib(void *ctx, const void *p, size_t n)
{
	struct out *o = ctx;

	put(&o->lib, p, n);
}

static void sink_deliver(void *ctx, const struct inbound_msg *m)
{
	struct out *o = ctx;
	size_t i = o->ndirect++;

	assert_true(i < 16);
	assert_true(m->topic_len < sizeof(o->topics[i]));
	memcpy(o->topics[i], m->topic, m->topic_len);
	o->topics[i][m->topic_len] = '\0';
	o->lens[i] = m->len;
	assert_true(m->props_len <= sizeof(o->props[i]));
	if (m->props_len)
		memcpy(o->props[i], m->props, m->props_len);
	o->nprops[i] = m->props_len;
	o->lib_at[i] = o->lib.len;
}

/* Feeds s to a new filter in uneven pieces (from 1 byte to a few thousand); returns its result. */
static int feed(struct inbound **inp, struct out *o, const struct stream *s, size_t cap,
                int version)
{
	struct inbound_sink sink = {o, sink_lib, sink_deliver};
	size_t off = 0;
	unsigned turn = 0;

	memset(o, 0, sizeof(*o));
	*inp = inbound_new(cap, &sink);
	inbound_set_version(*inp, version);
	while (off < s->len) {
		size_t k = turn++ % 4 == 0 ? 1 : 7 + (turn * 977) % 5000;

		if (k > s->len - off)
			k = s->len - off;
		if (inbound_feed(*inp, s->p + off, k) < 0)
			return -1;
		off += k;
	}
	return 0;
}

static void unit__inbound__qos0_goes_direct_and_the_rest_to_libmosquitto_in_order(void **state)
{
	struct stream s = {0}, want = {0};
	struct inbound *in;
	struct out o;
	const uint8_t pingresp[] = {0xd0, 0x00};

	(void)state;
	put(&s, connack311, sizeof(connack311));
	put_publish(&s, 0, 0, "a/b", NULL, 0, 10, 'x');
	put_publish(&s, 1, 77, "c", NULL, 0, 4096, 0);
	put_publish(&s, 0, 0, "d", NULL, 0, 3, 'y');
	put(&s, pingresp, sizeof(pingresp));
	assert_int_equal(feed(&in, &o, &s, 8192, 4), 0);
	/* libmosquitto gets CONNACK, the QoS 1 message and PINGRESP, unchanged. */
	put(&want, connack311, sizeof(connack311));
	put_publish(&want, 1, 77, "c", NULL, 0, 4096, 0);
	put(&want, pingresp, sizeof(pingresp));
	assert_int_equal(o.lib.len, want.len);
	assert_memory_equal(o.lib.p, want.p, want.len);
	/* The QoS 0 messages come directly, each after what preceded it in the stream. */
	assert_int_equal(o.ndirect, 2);
	assert_string_equal(o.topics[0], "a/b");
	assert_int_equal(o.lens[0], 10);
	assert_int_equal(o.lib_at[0], sizeof(connack311));
	assert_string_equal(o.topics[1], "d");
	assert_int_equal(o.lib_at[1], want.len - sizeof(pingresp));
	assert_int_equal(inbound_direct(in), 2);
	assert_int_equal(inbound_to_lib(in), 3);
	assert_null(inbound_error(in));
	inbound_free(in);
	free(s.p);
	free(want.p);
	free(o.lib.p);
}

static void unit__inbound__a_big_payload_is_cut_and_its_size_kept(void **state)
{
	struct stream s = {0};
	struct inbound *in;
	struct out o;
	uint32_t orig;
	const uint8_t *p;

	(void)state;
	put(&s, connack311, sizeof(connack311));
	put_publish(&s, 0, 0, "big/one", NULL, 0, 3000000, 3);
	put_publish(&s, 1, 9, "big/two", NULL, 0, 70000, 5);
	put_publish(&s, 0, 0, "small", NULL, 0, 6000, 1); /* over the cap, though small */
	put_publish(&s, 0, 0, "after", NULL, 0, 3, 'a');
	assert_int_equal(feed(&in, &o, &s, 5000, 4), 0);
	p = o.lib.p + sizeof(connack311);
	/* Topic intact, the first 5000 payload bytes; the length rewritten. */
	assert_int_equal(p[0], 0x30);
	assert_int_equal((p[1] & 127) | (p[2] << 7), 2 + 7 + 5000);
	assert_memory_equal(p + 5, "big/one", 7);
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(p[12 + i], (uint8_t)(3 + i));
	p += 3 + 2 + 7 + 5000;
	/* QoS 1: packet id kept for the PUBACK. */
	assert_int_equal(p[0], 0x32);
	assert_int_equal((p[1] & 127) | (p[2] << 7), 2 + 7 + 2 + 5000);
	assert_int_equal(p[12], 0);
	assert_int_equal(p[13], 9);
	assert_int_equal(p[14], 5);
	p += 3 + 2 + 7 + 2 + 5000;
	assert_int_equal((p[1] & 127) | (p[2] << 7), 2 + 5 + 5000);
	/* The real sizes, in the order libmosquitto delivers them. */
	assert_true(inbound_lib_message(in, 0, 0, &orig));
	assert_int_equal(orig, 3000000);
	assert_true(inbound_lib_message(in, 1, 9, &orig));
	assert_int_equal(orig, 70000);
	assert_true(inbound_lib_message(in, 0, 0, &orig));
	assert_int_equal(orig, 6000);
	/* What follows is untouched, and direct. */
	assert_int_equal(o.ndirect, 1);
	assert_string_equal(o.topics[0], "after");
	assert_int_equal(inbound_cuts(in), 3);
	inbound_free(in);
	free(s.p);
	free(o.lib.p);
}

static void unit__inbound__mqtt5_properties_survive_the_cut(void **state)
{
	struct stream s = {0};
	struct inbound *in;
	struct out o;
	const uint8_t props[] = {0x03, 0x00, 0x04, 't', 'e', 'x', 't', 0x01, 0x01};
	uint32_t orig;

	(void)state;
	put(&s, connack5, sizeof(connack5));
	put_publish(&s, 2, 300, "v5", props, sizeof(props), 100000, 0);
	put_publish(&s, 0, 0, "v5/direct", props, sizeof(props), 10, 0);
	assert_int_equal(feed(&in, &o, &s, 2000, 5), 0);
	assert_int_equal(o.lib.len, sizeof(connack5) + 3 + 2 + 2 + 2 + 1 + sizeof(props) + 2000);
	assert_memory_equal(o.lib.p + sizeof(connack5) + 3 + 6 + 1, props, sizeof(props));
	/* QoS 2 is delivered at PUBREL, later: matched by packet id instead. */
	assert_true(inbound_lib_message(in, 2, 300, &orig));
	assert_int_equal(orig, 100000);
	assert_false(inbound_lib_message(in, 2, 300, &orig)); /* once */
	/* A direct message keeps its properties. */
	assert_int_equal(o.ndirect, 1);
	assert_int_equal(o.nprops[0], sizeof(props));
	assert_memory_equal(o.props[0], props, sizeof(props));
	inbound_free(in);
	free(s.p);
	free(o.lib.p);
}

static void unit__inbound__oversized_other_packets_end_the_stream(void **state)
{
	struct stream s = {0};
	struct inbound *in;
	struct out o;
	const uint8_t pingresp[] = {0xd0, 0x80, 0x80, 0x80, 0x01}; /* 2 MiB */

	(void)state;
	put(&s, connack311, sizeof(connack311));
	put_publish(&s, 0, 0, "first", NULL, 0, 1, 'k');
	put(&s, pingresp, sizeof(pingresp));
	assert_int_equal(feed(&in, &o, &s, 4096, 4), -1);
	assert_int_equal(o.ndirect, 1);
	assert_non_null(inbound_error(in));
	assert_non_null(strstr(inbound_error(in), "PINGRESP of 2.0 MiB"));
	assert_int_equal(inbound_verdict(in), WIRE_OK); /* a bound, not a rule */
	assert_int_equal(inbound_feed(in, "x", 1), -1);
	inbound_free(in);
	free(s.p);
	free(o.lib.p);
}

static void unit__inbound__malformed_big_publishes_end_the_stream(void **state)
{
	static const struct {
		uint8_t bytes[12];
		size_t n;
		int version;
		const char *why;
	} cases[] = {
	    /* 1 MiB: judged by its header alone */
	    {{0x36, 0x80, 0x80, 0x40, 0, 1, 'a', 0, 1}, 9, 4, "QoS 3"},
	    /* topic length 60000 in a 10-byte packet */
	    {{0x30, 0x0a, 0xea, 0x60, 1, 2, 3, 4, 5, 6, 7, 8}, 12, 4, "run past its end"},
	    /* property length field of five bytes */
	    {{0x30, 0x08, 0, 1, 't', 0xff, 0xff, 0xff, 0xff, 0x01}, 10, 5, "run past"},
	    /* 200 MiB of properties */
	    {{0x30, 0x80, 0x80, 0x80, 0x70, 0, 1, 't', 0x80, 0x80, 0x80, 0x64},
	     12,
	     5,
	     "properties"},
	    /* five length bytes */
	    {{0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2}, 8, 4, "more than 4 bytes"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stream s = {0};
		struct inbound *in;
		struct out o;

		size_t nc = cases[i].version == 5 ? sizeof(connack5) : sizeof(connack311);

		put(&s, cases[i].version == 5 ? connack5 : connack311, nc);
		put(&s, cases[i].bytes, cases[i].n);
		assert_int_equal(feed(&in, &o, &s, 100, cases[i].version), -1);
		if (o.lib.len != nc)
			fail_msg("case %zu: %zu bytes passed (%s)", i, o.lib.len,
			         inbound_error(in));
		assert_non_null(inbound_error(in));
		if (strstr(inbound_error(in), cases[i].why) == NULL)
			fail_msg("case %zu: '%s'", i, inbound_error(in));
		inbound_free(in);
		free(s.p);
		free(o.lib.p);
	}
}

static void unit__inbound__connack_comes_first_and_once(void **state)
{
	struct stream s = {0};
	struct inbound *in;
	struct out o;

	(void)state;
	put_publish(&s, 0, 0, "early", NULL, 0, 1, 'e');
	assert_int_equal(feed(&in, &o, &s, 100, 4), -1);
	assert_int_equal(o.ndirect, 0);
	assert_int_equal(inbound_verdict(in), WIRE_PROTOCOL);
	assert_string_equal(inbound_error(in), "a PUBLISH before CONNACK");
	inbound_free(in);
	free(s.p);
	s = (struct stream){0};
	put(&s, connack311, sizeof(connack311));
	put(&s, connack311, sizeof(connack311));
	assert_int_equal(feed(&in, &o, &s, 100, 4), -1);
	assert_string_equal(inbound_error(in), "a second CONNACK");
	inbound_free(in);
	free(s.p);
	free(o.lib.p);
}

static void unit__inbound__a_bad_property_stops_the_packet_before_any_byte(void **state)
{
	struct stream s = {0};
	struct inbound *in;
	struct out o;
	const uint8_t unknown[] = {0x7f, 0x00};
	const uint8_t twice[] = {0x01, 0x01, 0x01, 0x01};

	(void)state;
	put(&s, connack5, sizeof(connack5));
	put_publish(&s, 1, 5, "bad", unknown, sizeof(unknown), 4, 'u');
	assert_int_equal(feed(&in, &o, &s, 100, 5), -1);
	assert_int_equal(o.lib.len, sizeof(connack5));
	assert_int_equal(inbound_verdict(in), WIRE_UNKNOWN_PROPERTY);
	inbound_free(in);
	free(s.p);
	free(o.lib.p);
	s = (struct stream){0};
	put(&s, connack5, sizeof(connack5));
	put_publish(&s, 0, 0, "bad", twice, sizeof(twice), 300000, 'u'); /* a big one */
	assert_int_equal(feed(&in, &o, &s, 100, 5), -1);
	assert_int_equal(o.lib.len, sizeof(connack5));
	assert_int_equal(inbound_verdict(in), WIRE_DUP_PROPERTY);
	inbound_free(in);
	free(s.p);
	free(o.lib.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__inbound__qos0_goes_direct_and_the_rest_to_libmosquitto_in_order),
	    cmocka_unit_test(unit__inbound__a_big_payload_is_cut_and_its_size_kept),
	    cmocka_unit_test(unit__inbound__mqtt5_properties_survive_the_cut),
	    cmocka_unit_test(unit__inbound__oversized_other_packets_end_the_stream),
	    cmocka_unit_test(unit__inbound__malformed_big_publishes_end_the_stream),
	    cmocka_unit_test(unit__inbound__connack_comes_first_and_once),
	    cmocka_unit_test(unit__inbound__a_bad_property_stops_the_packet_before_any_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
