/* fuzz_inbound.c: any byte stream from a broker, in any pieces, through the bounds and the checks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/inbound.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	uint8_t *lib;
	size_t nlib, cap_lib;
	size_t direct_bytes;
	size_t payload_cap;
	int version;
};

static void sink_lib(void *ctx, const void *p, size_t n)
{
	struct out *o = ctx;

	if (o->nlib + n > o->cap_lib) {
		o->cap_lib = (o->nlib + n) * 2;
		o->lib = realloc(o->lib, o->cap_lib);
		if (o->lib == NULL)
			abort();
	}
	memcpy(o->lib + o->nlib, p, n);
	o->nlib += n;
}

/* A direct message is a checked QoS 0 PUBLISH within the bounds. */
static void sink_deliver(void *ctx, const struct inbound_msg *m)
{
	struct out *o = ctx;

	if (m->topic_len == 0 || !wire_utf8_ok(m->topic, m->topic_len))
		abort();
	if (memchr(m->topic, '+', m->topic_len) || memchr(m->topic, '#', m->topic_len))
		abort();
	if (m->len > o->payload_cap || m->topic_len + m->len + m->props_len > INBOUND_DIRECT_MAX)
		abort();
	if (o->version < 5 && m->props_len)
		abort();
	o->direct_bytes += 2 + m->topic_len + m->len + m->props_len;
}

/*
 * Every packet handed to libmosquitto keeps the rules: non-PUBLISH packets
 * within INBOUND_PACKET_MAX and passing the checks again, PUBLISH headers
 * passing them, payloads within the cap.
 */
static void check_lib_stream(const struct out *o)
{
	const uint8_t *p = o->lib;
	size_t i = 0, n = o->nlib;
	char why[WIRE_WHY_MAX];

	while (i < n) {
		uint8_t first = p[i++];
		uint32_t len = 0, mult = 1;
		int nb = 0;
		uint8_t b;

		do {
			if (i >= n)
				return; /* the rest of a packet still to come */
			b = p[i++];
			len += (uint32_t)(b & 127) * mult;
			mult *= 128;
			nb++;
		} while ((b & 128) && nb < 4);
		if (b & 128)
			abort(); /* an impossible length never passes */
		if (n - i < len)
			return;
		if ((first >> 4) == 3) {
			struct wire_publish pb;
			size_t need;

			if (wire_publish_header_len(first, p + i, len, len, o->version, &need) != 1)
				abort();
			if (wire_check_publish(first, p + i, need, len, o->version, &pb, why,
			                       sizeof(why)) != WIRE_OK)
				abort();
			if (len - need > o->payload_cap)
				abort();
		} else {
			if (len > INBOUND_PACKET_MAX)
				abort();
			if (wire_check_packet(first, p + i, len, o->version, why, sizeof(why)) !=
			    WIRE_OK)
				abort();
		}
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct out o = {0};
	struct inbound_sink sink = {&o, sink_lib, sink_deliver};
	struct inbound *in;
	size_t off = 0;
	uint8_t step;

	if (size < 2)
		return 0;
	o.payload_cap = 1 + (size_t)data[0] * 16;
	o.version = data[1] & 1 ? 5 : data[1] & 2 ? 3 : 4;
	step = data[1];
	in = inbound_new(o.payload_cap, &sink);
	inbound_set_version(in, o.version);
	data += 2;
	size -= 2;
	while (off < size) {
		size_t k;

		step = (uint8_t)(step * 31 + 7);
		k = (size_t)(step % 64) + 1;
		if (k > size - off)
			k = size - off;
		if (inbound_feed(in, data + off, k) < 0) {
			if (inbound_error(in) == NULL)
				abort();
			if (inbound_feed(in, data, 1) != -1) /* ended for good */
				abort();
			break;
		}
		off += k;
	}
	/* Nothing is ever added. */
	if (o.nlib + o.direct_bytes > size + 64)
		abort();
	if (o.nlib && inbound_cuts(in) == 0 && inbound_direct(in) == 0 &&
	    inbound_error(in) == NULL && memcmp(o.lib, data, o.nlib) != 0)
		abort();
	check_lib_stream(&o);
	inbound_free(in);
	free(o.lib);
	return 0;
}
