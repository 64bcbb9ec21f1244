/* inbound.c: cuts the broker's stream into checked packets; bounds what a broker can make us hold.
 */
#include "mqscope/inbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

/*
 * The last bytes kept of a cut payload are held back while the rest is
 * dropped: libmosquitto then sees a packet with over 1000 bytes still to
 * come, and counts each wait as traffic, so a slow link does not trip the
 * keepalive during a long drop.
 */
#define HOLD_BYTES 1024
#define MAX_CUTS   32 /* QoS 2 messages are delivered at PUBREL, later */

enum state { ST_FIX, ST_BODY, ST_HDR, ST_PASS, ST_HOLD, ST_SKIP, ST_FAIL };

/* A PUBLISH handed to libmosquitto cut: which one it was, and its real payload size. */
struct cut {
	uint64_t seq; /* QoS 0 and 1: its place among the QoS 0/1 PUBLISHes handed on */
	uint32_t orig;
	int qos, mid;
	bool used;
};

struct inbound {
	size_t cap;
	int version;
	struct inbound_sink sink;
	enum state st;

	/* fixed header of the current packet */
	uint8_t fix[5];
	size_t nfix;
	uint32_t len;

	/* the packet's body (ST_BODY) or a big PUBLISH's variable header (ST_HDR) */
	uint8_t *pkt;
	size_t pkt_cap, npkt, need;

	uint64_t pass; /* bytes handed straight through */
	size_t hold, nheld;
	uint8_t held[HOLD_BYTES];
	uint64_t skip;

	uint64_t packets; /* packets begun */
	uint64_t lib_pubs, lib_seen;
	uint64_t direct, to_lib;
	struct cut cuts[MAX_CUTS];
	size_t next_cut;
	uint64_t ncuts;

	enum wire_verdict verdict;
	char error[160];
};

struct inbound *inbound_new(size_t payload_cap, const struct inbound_sink *sink)
{
	struct inbound *in = xcalloc(1, sizeof(*in));

	in->cap = payload_cap ? payload_cap : 1;
	in->sink = *sink;
	in->version = 5;
	return in;
}

void inbound_free(struct inbound *in)
{
	if (in == NULL)
		return;
	free(in->pkt);
	free(in);
}

void inbound_set_version(struct inbound *in, int version)
{
	in->version = version;
}

const char *inbound_error(const struct inbound *in)
{
	return in->st == ST_FAIL ? in->error : NULL;
}

enum wire_verdict inbound_verdict(const struct inbound *in)
{
	return in->st == ST_FAIL ? in->verdict : WIRE_OK;
}

uint64_t inbound_cuts(const struct inbound *in)
{
	return in->ncuts;
}

uint64_t inbound_direct(const struct inbound *in)
{
	return in->direct;
}

uint64_t inbound_to_lib(const struct inbound *in)
{
	return in->to_lib;
}

/* Ends the stream for breaking a rule; why says which. */
static int fail_rule(struct inbound *in, enum wire_verdict v, const char *why)
{
	in->st = ST_FAIL;
	in->verdict = v;
	snprintf(in->error, sizeof(in->error), "%s", why);
	free(in->pkt);
	in->pkt = NULL;
	in->pkt_cap = 0;
	return -1;
}

/* Ends the stream for breaking a bound: the packet is too big, or (header) its header is. */
static int fail_bound(struct inbound *in, bool header)
{
	char sz[32], lim[32], why[160];

	fmt_bytes(sz, sizeof(sz), in->len);
	fmt_bytes(lim, sizeof(lim), INBOUND_PACKET_MAX);
	if (header)
		snprintf(why, sizeof(why), "the broker sent %s of %s with over %s of properties",
		         wire_packet_a(in->fix[0] >> 4), sz, lim);
	else
		snprintf(why, sizeof(why), "the broker sent %s of %s (limit %s)",
		         wire_packet_a(in->fix[0] >> 4), sz, lim);
	return fail_rule(in, WIRE_OK, why);
}

static void to_lib(struct inbound *in, const void *p, size_t n)
{
	if (n)
		in->sink.to_lib(in->sink.ctx, p, n);
}

static void to_lib_length(struct inbound *in, uint32_t v)
{
	uint8_t b[4];
	size_t n = 0;

	do {
		b[n] = (uint8_t)(v % 128);
		v /= 128;
		if (v)
			b[n] |= 128;
		n++;
	} while (v && n < sizeof(b));
	to_lib(in, b, n);
}

/* Grows the packet buffer to hold n bytes. */
static void reserve(struct inbound *in, size_t n)
{
	if (n > in->pkt_cap) {
		size_t c = in->pkt_cap ? in->pkt_cap : 512;

		while (c < n)
			c *= 2;
		in->pkt = xrealloc(in->pkt, c);
		in->pkt_cap = c;
	}
}

/* The first packet must be CONNACK, and only the first. */
static int check_order(struct inbound *in, unsigned type)
{
	char why[64];

	if (in->packets++ == 0 && type != 2) {
		snprintf(why, sizeof(why), "%s before CONNACK", wire_packet_a(type));
		return fail_rule(in, WIRE_PROTOCOL, why);
	}
	if (type == 2 && in->packets > 1)
		return fail_rule(in, WIRE_PROTOCOL, "a second CONNACK");
	return 0;
}

/* Notes a cut PUBLISH, for inbound_lib_message. */
static void note_cut(struct inbound *in, const struct wire_publish *pb, uint32_t payload)
{
	struct cut *c = &in->cuts[in->next_cut++ % MAX_CUTS];

	c->seq = in->lib_pubs;
	c->orig = payload;
	c->qos = pb->qos;
	c->mid = pb->mid;
	c->used = false;
	in->ncuts++;
}

/* A checked PUBLISH goes to libmosquitto: its header now (cut when over the cap), the rest as it
 * comes. */
static void publish_to_lib(struct inbound *in, const struct wire_publish *pb, const uint8_t *hdr)
{
	uint32_t payload = in->len - (uint32_t)pb->header_len;
	size_t keep = in->cap;

	in->to_lib++;
	if (payload <= keep) {
		to_lib(in, in->fix, in->nfix);
		to_lib(in, hdr, pb->header_len);
		in->pass = payload;
		in->hold = 0;
		in->skip = 0;
	} else {
		note_cut(in, pb, payload);
		to_lib(in, in->fix, 1);
		to_lib_length(in, (uint32_t)(pb->header_len + keep));
		to_lib(in, hdr, pb->header_len);
		in->hold = keep < HOLD_BYTES ? keep : HOLD_BYTES;
		in->nheld = 0;
		in->pass = keep - in->hold;
		in->skip = payload - keep;
	}
	if (pb->qos < 2)
		in->lib_pubs++;
	in->st = in->pass ? ST_PASS : in->hold ? ST_HOLD : ST_FIX;
	in->nfix = 0;
}

/* Checks a PUBLISH's header (hdr, header_len bytes known to be there). */
static int check_publish(struct inbound *in, const uint8_t *hdr, size_t have,
                         struct wire_publish *pb)
{
	char why[WIRE_WHY_MAX];
	size_t need;
	int r = wire_publish_header_len(in->fix[0], hdr, have, in->len, in->version, &need);
	enum wire_verdict v;

	if (r < 0)
		return fail_rule(in, WIRE_PROTOCOL,
		                 "PUBLISH whose topic or properties run past its "
		                 "end");
	v = wire_check_publish(in->fix[0], hdr, need, in->len, in->version, pb, why, sizeof(why));
	return v == WIRE_OK ? 0 : fail_rule(in, v, why);
}

/*
 * Takes payload bytes of a PUBLISH handed to libmosquitto: passed, held back
 * or dropped (publish_to_lib says how many of each). Returns the bytes taken.
 */
static size_t payload_step(struct inbound *in, const uint8_t *p, size_t n)
{
	size_t k;

	switch (in->st) {
	case ST_PASS:
		k = in->pass < n ? (size_t)in->pass : n;
		to_lib(in, p, k);
		in->pass -= k;
		if (in->pass == 0)
			in->st = in->hold ? ST_HOLD : ST_FIX;
		return k;
	case ST_HOLD:
		k = in->hold - in->nheld < n ? in->hold - in->nheld : n;
		memcpy(in->held + in->nheld, p, k);
		in->nheld += k;
		if (in->nheld == in->hold)
			in->st = ST_SKIP; /* a cut payload always has more to drop */
		return k;
	case ST_SKIP:
		k = in->skip < n ? (size_t)in->skip : n;
		in->skip -= k;
		if (in->skip == 0) {
			to_lib(in, in->held, in->nheld);
			in->hold = 0;
			in->st = ST_FIX;
		}
		return k;
	default:
		return n;
	}
}

/* A whole packet is here (body, len bytes, after the fixed header in fix): check and route it. */
static int whole_packet(struct inbound *in, const uint8_t *body)
{
	unsigned type = in->fix[0] >> 4;
	char why[WIRE_WHY_MAX];

	if (check_order(in, type) < 0)
		return -1;
	if (type == 3) {
		struct wire_publish pb;
		uint32_t payload;

		if (check_publish(in, body, in->len, &pb) < 0)
			return -1;
		payload = in->len - (uint32_t)pb.header_len;
		if (pb.qos == 0 && payload <= in->cap && in->len <= INBOUND_DIRECT_MAX) {
			struct inbound_msg m = {
			    .topic = pb.topic,
			    .topic_len = pb.topic_len,
			    .payload = body + pb.header_len,
			    .len = payload,
			    .props = pb.props,
			    .props_len = pb.props_len,
			    .retain = pb.retain,
			};

			in->direct++;
			in->nfix = 0;
			in->st = ST_FIX;
			in->sink.deliver(in->sink.ctx, &m);
			return 0;
		}
		publish_to_lib(in, &pb, body);
		/* The payload is here too: on the same way as one that comes later. */
		for (const uint8_t *p = body + pb.header_len; payload > 0 && in->st != ST_FIX;) {
			size_t k = payload_step(in, p, payload);

			p += k;
			payload -= (uint32_t)k;
		}
		return 0;
	}
	{
		enum wire_verdict v =
		    wire_check_packet(in->fix[0], body, in->len, in->version, why, sizeof(why));

		if (v != WIRE_OK)
			return fail_rule(in, v, why);
	}
	in->to_lib++;
	to_lib(in, in->fix, in->nfix);
	to_lib(in, body, in->len);
	in->nfix = 0;
	in->st = ST_FIX;
	return 0;
}

/* The fixed header is complete: gather the packet, its header, or refuse it. */
static int begin_packet(struct inbound *in)
{
	unsigned type = in->fix[0] >> 4;

	if (type != 3 && in->len > INBOUND_PACKET_MAX)
		return fail_bound(in, false);
	in->npkt = 0;
	if (type != 3 || in->len <= INBOUND_DIRECT_MAX) {
		if (in->len == 0)
			return whole_packet(in, NULL);
		reserve(in, in->len);
		in->need = in->len;
		in->st = ST_BODY;
		return 0;
	}
	if (check_order(in, type) < 0)
		return -1;
	in->need = 2;
	reserve(in, 512);
	in->st = ST_HDR;
	return 0;
}

/* Another piece of a big PUBLISH's header is here: measure, check and route it once whole. */
static int header_step(struct inbound *in)
{
	struct wire_publish pb;
	int r;

	if (in->npkt < in->need)
		return 0;
	r = wire_publish_header_len(in->fix[0], in->pkt, in->npkt, in->len, in->version, &in->need);
	if (r < 0)
		return fail_rule(in, WIRE_PROTOCOL,
		                 "PUBLISH whose topic or properties run past its "
		                 "end");
	if (in->need > INBOUND_PACKET_MAX)
		return fail_bound(in, true);
	reserve(in, in->need);
	if (r == 0 || in->npkt < in->need)
		return 0;
	if (check_publish(in, in->pkt, in->npkt, &pb) < 0)
		return -1;
	publish_to_lib(in, &pb, in->pkt);
	return 0;
}

/* Length of a complete fixed header at p (n bytes): 1 with *hl and *len, 0 if incomplete, -1 if
 * its length field is over 4 bytes. */
static int fixed_header(const uint8_t *p, size_t n, size_t *hl, uint32_t *len)
{
	uint32_t v = 0, mult = 1;

	for (size_t i = 1; i < 5; i++) {
		if (i >= n)
			return 0;
		v += (uint32_t)(p[i] & 127) * mult;
		mult *= 128;
		if (!(p[i] & 128)) {
			*hl = i + 1;
			*len = v;
			return 1;
		}
	}
	return -1;
}

int inbound_feed(struct inbound *in, const void *data, size_t n)
{
	const uint8_t *p = data;

	while (n > 0) {
		size_t k;

		switch (in->st) {
		case ST_FAIL:
			return -1;
		case ST_FIX:
			if (in->nfix == 0) {
				size_t hl;
				uint32_t len;
				int r = fixed_header(p, n, &hl, &len);

				/* The usual case: a whole small packet in what was read. */
				if (r == 1 && n - hl >= len &&
				    ((p[0] >> 4) != 3 || len <= INBOUND_DIRECT_MAX) &&
				    ((p[0] >> 4) == 3 || len <= INBOUND_PACKET_MAX)) {
					memcpy(in->fix, p, hl);
					in->nfix = hl;
					in->len = len;
					if (whole_packet(in, p + hl) < 0)
						return -1;
					p += hl + len;
					n -= hl + len;
					break;
				}
			}
			in->fix[in->nfix++] = *p++;
			n--;
			if (in->nfix == 1)
				break;
			if (in->fix[in->nfix - 1] & 128) {
				if (in->nfix == sizeof(in->fix))
					return fail_rule(in, WIRE_PROTOCOL,
					                 "a remaining length of more than 4 bytes");
				break;
			}
			in->len = 0;
			for (size_t i = 1, mult = 1; i < in->nfix; i++, mult *= 128)
				in->len += (uint32_t)((in->fix[i] & 127) * mult);
			if (begin_packet(in) < 0)
				return -1;
			break;
		case ST_BODY:
			k = in->need - in->npkt < n ? in->need - in->npkt : n;
			memcpy(in->pkt + in->npkt, p, k);
			in->npkt += k;
			p += k;
			n -= k;
			if (in->npkt == in->need && whole_packet(in, in->pkt) < 0)
				return -1;
			break;
		case ST_HDR:
			k = in->need - in->npkt < n ? in->need - in->npkt : n;
			memcpy(in->pkt + in->npkt, p, k);
			in->npkt += k;
			p += k;
			n -= k;
			if (header_step(in) < 0)
				return -1;
			break;
		case ST_PASS:
		case ST_HOLD:
		case ST_SKIP:
			k = payload_step(in, p, n);
			p += k;
			n -= k;
			break;
		}
	}
	return in->st == ST_FAIL ? -1 : 0;
}

bool inbound_lib_message(struct inbound *in, int qos, int mid, uint32_t *orig)
{
	uint64_t seq = qos < 2 ? in->lib_seen++ : 0;

	for (size_t i = 0; i < MAX_CUTS; i++) {
		struct cut *c = &in->cuts[i];
		bool match = qos == 2 ? c->qos == 2 && c->mid == mid : c->qos < 2 && c->seq == seq;

		if (c->orig && !c->used && match) {
			c->used = true;
			*orig = c->orig;
			return true;
		}
	}
	return false;
}
