/* test_inbound.c: oversized PUBLISH payloads are cut with their real size kept; other packets pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/inbound.h"

/* A byte stream handed out in small, uneven pieces, with "try again" between some of them. */
struct src {
	const uint8_t *p;
	size_t len, pos;
	unsigned turn;
};

static ssize_t src_read(void *ctx, void *buf, size_t n)
{
	struct src *s = ctx;
	size_t k;

	if (s->turn++ % 5 == 4) {
		errno = EAGAIN;
		return -1;
	}
	if (s->pos == s->len)
		return 0;
	k = s->len - s->pos;
	if (k > n)
		k = n;
	if (k > 7 + s->turn % 3000)
		k = 7 + s->turn % 3000;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

struct stream {
	uint8_t *p;
	size_t len;
};

static void put(struct stream *s, const void *p, size_t n)
{
	s->p = realloc(s->p, s->len + n);
	assert_non_null(s->p);
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

struct packet {
	uint8_t type;
	uint32_t len;
	uint8_t *body;
	bool cut;
	uint32_t orig;
};

/* Reads packets the way libmosquitto does: a byte, length bytes one by one, then the rest. */
static ssize_t read_all(struct inbound *in, struct src *s, int qos_of_cut, struct packet *out,
                        size_t max, size_t *n)
{
	*n = 0;
	for (int guard = 0; guard < 10000000 && *n < max; guard++) {
		struct packet *p = &out[*n];
		uint8_t b;
		ssize_t r = inbound_read(in, &b, 1, src_read, s);
		uint32_t mult = 1;
		size_t got = 0;

		if (r == 0)
			return 0;
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r < 0)
			return -1;
		p->type = b;
		p->len = 0;
		do {
			do
				r = inbound_read(in, &b, 1, src_read, s);
			while (r < 0 && errno == EAGAIN);
			assert_int_equal(r, 1);
			p->len += (uint32_t)(b & 127) * mult;
			mult *= 128;
		} while (b & 128);
		p->body = malloc(p->len + 1);
		assert_non_null(p->body);
		while (got < p->len) {
			r = inbound_read(in, p->body + got, p->len - got, src_read, s);
			if (r < 0 && errno == EAGAIN)
				continue;
			assert_true(r > 0);
			got += (size_t)r;
		}
		p->cut = inbound_cut_size(in, (p->type >> 1) & 3, qos_of_cut, &p->orig);
		(*n)++;
	}
	return 0;
}

static void free_packets(struct packet *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].body);
}

static void unit__inbound__small_packets_pass_unchanged(void **state)
{
	struct stream s = {0};
	struct packet got[8];
	size_t n;
	struct inbound *in = inbound_new(4096, false);
	const uint8_t connack[] = {0x20, 0x02, 0x00, 0x00}, pingresp[] = {0xd0, 0x00};

	(void)state;
	put(&s, connack, sizeof(connack));
	put_publish(&s, 0, 0, "a/b", NULL, 0, 10, 'x');
	put_publish(&s, 1, 77, "c", NULL, 0, 4096, 0);
	put(&s, pingresp, sizeof(pingresp));
	struct src src = {s.p, s.len, 0, 0};
	assert_int_equal(read_all(in, &src, 0, got, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(got[0].type, 0x20);
	assert_int_equal(got[1].len, 2 + 3 + 10);
	assert_int_equal(got[2].len, 2 + 1 + 2 + 4096);
	assert_int_equal(got[3].type, 0xd0);
	for (size_t i = 0; i < n; i++)
		assert_false(got[i].cut);
	assert_int_equal(inbound_cuts(in), 0);
	assert_null(inbound_error(in));
	free_packets(got, n);
	inbound_free(in);
	free(s.p);
}

static void unit__inbound__a_big_payload_is_cut_and_its_size_kept(void **state)
{
	struct stream s = {0};
	struct packet got[8];
	size_t n;
	struct inbound *in = inbound_new(5000, false);

	(void)state;
	put_publish(&s, 0, 0, "big/one", NULL, 0, 3000000, 3);
	put_publish(&s, 1, 9, "big/two", NULL, 0, 70000, 5);
	put_publish(&s, 0, 0, "after", NULL, 0, 3, 'a');
	struct src src = {s.p, s.len, 0, 0};
	assert_int_equal(read_all(in, &src, 9, got, 8, &n), 0);
	assert_int_equal(n, 3);
	/* Topic intact, the first 5000 payload bytes, the real size on the side. */
	assert_int_equal(got[0].type, 0x30);
	assert_int_equal(got[0].len, 2 + 7 + 5000);
	assert_memory_equal(got[0].body + 2, "big/one", 7);
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(got[0].body[9 + i], (uint8_t)(3 + i));
	assert_true(got[0].cut);
	assert_int_equal(got[0].orig, 3000000);
	/* QoS 1: packet id kept for the PUBACK. */
	assert_int_equal(got[1].type, 0x32);
	assert_int_equal(got[1].len, 2 + 7 + 2 + 5000);
	assert_int_equal(got[1].body[9], 0);
	assert_int_equal(got[1].body[10], 9);
	assert_int_equal(got[1].body[11], 5);
	assert_true(got[1].cut);
	assert_int_equal(got[1].orig, 70000);
	/* What follows is untouched. */
	assert_int_equal(got[2].len, 2 + 5 + 3);
	assert_memory_equal(got[2].body + 7, "abc", 3);
	assert_false(got[2].cut);
	assert_int_equal(inbound_cuts(in), 2);
	free_packets(got, n);
	inbound_free(in);
	free(s.p);
}

static void unit__inbound__mqtt5_properties_survive_the_cut(void **state)
{
	struct stream s = {0};
	struct packet got[4];
	size_t n;
	struct inbound *in = inbound_new(2000, true);
	const uint8_t props[] = {0x03, 0x00, 0x04, 't', 'e', 'x', 't', 0x01, 0x01};
	uint32_t orig;

	(void)state;
	put_publish(&s, 2, 300, "v5", props, sizeof(props), 100000, 0);
	struct src src = {s.p, s.len, 0, 0};
	/* QoS 2 is delivered at PUBREL, later: matched by packet id instead. */
	assert_int_equal(read_all(in, &src, 1, got, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_false(got[0].cut);
	assert_int_equal(got[0].len, 2 + 2 + 2 + 1 + sizeof(props) + 2000);
	assert_memory_equal(got[0].body + 7, props, sizeof(props));
	assert_true(inbound_cut_size(in, 2, 300, &orig));
	assert_int_equal(orig, 100000);
	assert_false(inbound_cut_size(in, 2, 300, &orig)); /* once */
	free_packets(got, n);
	inbound_free(in);
	free(s.p);
}

static void unit__inbound__oversized_other_packets_end_the_stream(void **state)
{
	struct stream s = {0};
	struct packet got[4];
	size_t n;
	struct inbound *in = inbound_new(4096, false);
	const uint8_t pingresp[] = {0xd0, 0x80, 0x80, 0x80, 0x01}; /* 2 MiB */

	(void)state;
	put_publish(&s, 0, 0, "first", NULL, 0, 1, 'k');
	put(&s, pingresp, sizeof(pingresp));
	struct src src = {s.p, s.len, 0, 0};
	assert_int_equal(read_all(in, &src, 0, got, 4, &n), -1);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(n, 1);
	assert_non_null(inbound_error(in));
	assert_non_null(strstr(inbound_error(in), "PINGRESP of 2.0 MiB"));
	free_packets(got, n);
	inbound_free(in);
	free(s.p);
}

static void unit__inbound__malformed_big_publishes_end_the_stream(void **state)
{
	static const struct {
		uint8_t bytes[12];
		size_t n;
		bool v5;
		const char *why;
	} cases[] = {
	    {{0x36, 0x80, 0x80, 0x04, 0, 1, 'a'}, 7, false, "QoS 3"},
	    /* topic length 60000 in a 10 000-byte packet */
	    {{0x30, 0x90, 0x4e, 0xea, 0x60}, 5, false, "run past its end"},
	    /* property length field of five bytes */
	    {{0x30, 0x90, 0x4e, 0, 1, 't', 0xff, 0xff, 0xff, 0xff, 0x01},
	     11,
	     true,
	     "property length"},
	    /* 200 MiB of properties */
	    {{0x30, 0x80, 0x80, 0x80, 0x70, 0, 1, 't', 0x80, 0x80, 0x80, 0x64},
	     12,
	     true,
	     "properties"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inbound *in = inbound_new(100, cases[i].v5);
		struct src src = {cases[i].bytes, cases[i].n, 0, 0};
		struct packet got[2];
		size_t n;

		assert_int_equal(read_all(in, &src, 0, got, 2, &n), -1);
		assert_int_equal(n, 0);
		assert_non_null(inbound_error(in));
		if (strstr(inbound_error(in), cases[i].why) == NULL)
			fail_msg("case %zu: '%s'", i, inbound_error(in));
		inbound_free(in);
	}
}

static void unit__inbound__an_impossible_length_is_left_to_libmosquitto(void **state)
{
	const uint8_t bytes[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2};
	struct inbound *in = inbound_new(100, false);
	struct src src = {bytes, sizeof(bytes), 0, 0};
	uint8_t got[16];
	size_t off = 0;

	(void)state;
	/* Five length bytes: passed on as they came, for libmosquitto to refuse. */
	for (int guard = 0; guard < 1000; guard++) {
		ssize_t r = inbound_read(in, got + off, sizeof(got) - off, src_read, &src);

		if (r == 0)
			break;
		if (r > 0)
			off += (size_t)r;
	}
	assert_int_equal(off, sizeof(bytes));
	assert_memory_equal(got, bytes, sizeof(bytes));
	assert_null(inbound_error(in));
	inbound_free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__inbound__small_packets_pass_unchanged),
	    cmocka_unit_test(unit__inbound__a_big_payload_is_cut_and_its_size_kept),
	    cmocka_unit_test(unit__inbound__mqtt5_properties_survive_the_cut),
	    cmocka_unit_test(unit__inbound__oversized_other_packets_end_the_stream),
	    cmocka_unit_test(unit__inbound__malformed_big_publishes_end_the_stream),
	    cmocka_unit_test(unit__inbound__an_impossible_length_is_left_to_libmosquitto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
