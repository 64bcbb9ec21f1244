/* inbound.c: cuts oversized PUBLISH packets to the payload cap, refuses other oversized packets. */
#include "mqscope/inbound.h"

#include <errno.h>
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
#define SKIP_CHUNK (64 * 1024)
#define MAX_CUTS   32 /* QoS 2 messages are delivered at PUBREL, later */

enum state { ST_TYPE, ST_LEN, ST_HDR, ST_PASS, ST_HOLD, ST_SKIP, ST_RAW, ST_FAIL };
enum stage { HDR_TOPIC_LEN, HDR_TOPIC, HDR_PROPS_LEN, HDR_PROPS };

struct cut {
	uint64_t end; /* stream offset just past the cut packet as handed out */
	uint32_t orig;
	int qos, mid;
	bool used;
};

struct inbound {
	size_t cap;
	bool v5;
	enum state st;

	/* fixed header of the current packet, as received */
	uint8_t fix[5];
	size_t nfix;
	uint32_t len;
	uint32_t mult;

	/* variable header of a PUBLISH that may be cut */
	uint8_t *hdr;
	size_t hdr_cap, nhdr, need, props_at;
	enum stage stage;

	uint64_t pass; /* bytes handed straight through */
	size_t hold, nheld;
	uint8_t held[HOLD_BYTES];
	uint64_t skip;

	/* bytes queued for the caller */
	uint8_t *out;
	size_t out_cap, out_pos, out_len;
	uint64_t handed;

	struct cut cuts[MAX_CUTS];
	size_t next_cut;
	uint64_t ncuts;
	char error[160];
	uint8_t scratch[SKIP_CHUNK];
};

static const char *const packet_names[16] = {
    "packet of type 0", "CONNECT",  "CONNACK",    "PUBLISH", "PUBACK",      "PUBREC",
    "PUBREL",           "PUBCOMP",  "SUBSCRIBE",  "SUBACK",  "UNSUBSCRIBE", "UNSUBACK",
    "PINGREQ",          "PINGRESP", "DISCONNECT", "AUTH"};

struct inbound *inbound_new(size_t payload_cap, bool v5)
{
	struct inbound *in = xcalloc(1, sizeof(*in));

	in->cap = payload_cap ? payload_cap : 1;
	in->v5 = v5;
	return in;
}

void inbound_free(struct inbound *in)
{
	if (in == NULL)
		return;
	free(in->hdr);
	free(in->out);
	free(in);
}

const char *inbound_error(const struct inbound *in)
{
	return in->st == ST_FAIL ? in->error : NULL;
}

size_t inbound_pending(const struct inbound *in)
{
	return in->out_len - in->out_pos;
}

uint64_t inbound_cuts(const struct inbound *in)
{
	return in->ncuts;
}

enum why { WHY_QOS3, WHY_TOO_BIG, WHY_PROPS_LEN, WHY_HEADER_PAST_END, WHY_HEADER_TOO_BIG };

/* Ends the stream: every later read fails with EPROTO, and inbound_error says why. */
static ssize_t fail(struct inbound *in, enum why why)
{
	const char *name = packet_names[in->fix[0] >> 4];
	char sz[32], lim[32];

	fmt_bytes(sz, sizeof(sz), in->len);
	fmt_bytes(lim, sizeof(lim), INBOUND_PACKET_MAX);
	switch (why) {
	case WHY_QOS3:
		snprintf(in->error, sizeof(in->error), "the broker sent a malformed %s (QoS 3)",
		         name);
		break;
	case WHY_TOO_BIG:
		snprintf(in->error, sizeof(in->error), "the broker sent a %s of %s (limit %s)",
		         name, sz, lim);
		break;
	case WHY_PROPS_LEN:
		snprintf(in->error, sizeof(in->error),
		         "the broker sent a %s with a malformed property length", name);
		break;
	case WHY_HEADER_PAST_END:
		snprintf(
		    in->error, sizeof(in->error),
		    "the broker sent a malformed %s (its topic or properties run past its end)",
		    name);
		break;
	case WHY_HEADER_TOO_BIG:
		snprintf(in->error, sizeof(in->error),
		         "the broker sent a %s of %s with over %s of properties", name, sz, lim);
		break;
	}
	in->st = ST_FAIL;
	free(in->hdr);
	in->hdr = NULL;
	in->hdr_cap = 0;
	errno = EPROTO;
	return -1;
}

static void queue(struct inbound *in, const void *p, size_t n)
{
	if (in->out_len + n > in->out_cap) {
		size_t c = in->out_cap ? in->out_cap : 256;

		while (c < in->out_len + n)
			c *= 2;
		in->out = xrealloc(in->out, c);
		in->out_cap = c;
	}
	memcpy(in->out + in->out_len, p, n);
	in->out_len += n;
}

static void queue_length(struct inbound *in, uint32_t v)
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
	queue(in, b, n);
}

/* Hands the packet on unchanged from here: its header now, the rest as it comes. */
static void pass_rest(struct inbound *in, uint64_t rest)
{
	in->pass = rest;
	in->hold = 0;
	in->skip = 0;
	in->st = rest ? ST_PASS : ST_TYPE;
}

/* The fixed header is complete: pass the packet, look closer, or refuse it. */
static ssize_t begin_packet(struct inbound *in)
{
	unsigned type = in->fix[0] >> 4;

	if (type == 3 && in->len > in->cap) {
		if (((in->fix[0] >> 1) & 3) == 3)
			return fail(in, WHY_QOS3);
		in->stage = HDR_TOPIC_LEN;
		in->nhdr = 0;
		in->need = 2;
		in->st = ST_HDR;
		return 0;
	}
	if (type != 3 && in->len > INBOUND_PACKET_MAX)
		return fail(in, WHY_TOO_BIG);
	queue(in, in->fix, in->nfix);
	pass_rest(in, in->len);
	return 0;
}

/* The PUBLISH header is complete: pass it whole, or cut its payload. */
static void finish_header(struct inbound *in)
{
	uint32_t payload = in->len - (uint32_t)in->nhdr;
	size_t keep = in->cap;
	int qos = (in->fix[0] >> 1) & 3;
	size_t tl = (size_t)in->hdr[0] << 8 | in->hdr[1];
	struct cut *c;

	if (payload <= keep) {
		queue(in, in->fix, in->nfix);
		queue(in, in->hdr, in->nhdr);
		pass_rest(in, payload);
		return;
	}
	queue(in, in->fix, 1);
	queue_length(in, (uint32_t)(in->nhdr + keep));
	queue(in, in->hdr, in->nhdr);
	in->hold = keep < HOLD_BYTES ? keep : HOLD_BYTES;
	in->nheld = 0;
	in->pass = keep - in->hold;
	in->skip = payload - keep;
	in->st = in->pass ? ST_PASS : ST_HOLD;

	c = &in->cuts[in->next_cut++ % MAX_CUTS];
	c->end = in->handed + (in->out_len - in->out_pos) + keep;
	c->orig = payload;
	c->qos = qos;
	c->mid = qos ? in->hdr[2 + tl] << 8 | in->hdr[3 + tl] : 0;
	c->used = false;
	in->ncuts++;
}

/* Takes the next step through a PUBLISH header once `need` bytes of it are here. */
static ssize_t header_step(struct inbound *in)
{
	while (in->st == ST_HDR && in->nhdr == in->need) {
		switch (in->stage) {
		case HDR_TOPIC_LEN:
			in->need = 2 + ((size_t)in->hdr[0] << 8 | in->hdr[1]);
			if ((in->fix[0] >> 1) & 3)
				in->need += 2; /* packet id */
			in->stage = HDR_TOPIC;
			break;
		case HDR_TOPIC:
			if (!in->v5) {
				finish_header(in);
				return 0;
			}
			in->props_at = in->need;
			in->need++;
			in->stage = HDR_PROPS_LEN;
			break;
		case HDR_PROPS_LEN: {
			size_t nb = in->need - in->props_at;
			uint32_t v = 0, m = 1;

			if (in->hdr[in->need - 1] & 128) {
				if (nb == 4)
					return fail(in, WHY_PROPS_LEN);
				in->need++;
				break;
			}
			for (size_t i = 0; i < nb; i++, m *= 128)
				v += (uint32_t)(in->hdr[in->props_at + i] & 127) * m;
			in->need += v;
			in->stage = HDR_PROPS;
			break;
		}
		case HDR_PROPS:
			finish_header(in);
			return 0;
		}
		if (in->need > in->len)
			return fail(in, WHY_HEADER_PAST_END);
		if (in->need > INBOUND_PACKET_MAX)
			return fail(in, WHY_HEADER_TOO_BIG);
		if (in->need > in->hdr_cap) {
			size_t c = in->hdr_cap ? in->hdr_cap : 512;

			while (c < in->need)
				c *= 2;
			in->hdr = xrealloc(in->hdr, c);
			in->hdr_cap = c;
		}
	}
	return 0;
}

ssize_t inbound_read(struct inbound *in, void *buf, size_t n, inbound_src_fn src, void *ctx)
{
	ssize_t r;
	uint8_t b;

	if (n == 0)
		return 0;
	for (;;) {
		if (in->out_pos < in->out_len) {
			size_t k = in->out_len - in->out_pos < n ? in->out_len - in->out_pos : n;

			memcpy(buf, in->out + in->out_pos, k);
			in->out_pos += k;
			if (in->out_pos == in->out_len)
				in->out_pos = in->out_len = 0;
			in->handed += k;
			return (ssize_t)k;
		}
		switch (in->st) {
		case ST_FAIL:
			errno = EPROTO;
			return -1;
		case ST_RAW:
			r = src(ctx, buf, n);
			if (r > 0)
				in->handed += (uint64_t)r;
			return r;
		case ST_PASS:
			r = src(ctx, buf, in->pass < n ? (size_t)in->pass : n);
			if (r <= 0)
				return r;
			in->pass -= (uint64_t)r;
			in->handed += (uint64_t)r;
			if (in->pass == 0)
				in->st = in->hold ? ST_HOLD : ST_TYPE;
			return r;
		case ST_HOLD:
			r = src(ctx, in->held + in->nheld, in->hold - in->nheld);
			if (r <= 0)
				return r;
			in->nheld += (size_t)r;
			if (in->nheld == in->hold)
				in->st = ST_SKIP;
			break;
		case ST_SKIP:
			/*
			 * Dropped until the source runs dry: returning "try again" with
			 * bytes still there would be a lie OpenSSL cannot tell (its
			 * SSL_get_error() reads the state of the last real SSL_read).
			 */
			r = src(ctx, in->scratch,
			        in->skip < SKIP_CHUNK ? (size_t)in->skip : SKIP_CHUNK);
			if (r <= 0)
				return r;
			in->skip -= (uint64_t)r;
			if (in->skip == 0) {
				queue(in, in->held, in->nheld);
				in->hold = 0;
				in->st = ST_TYPE;
			}
			break;
		case ST_TYPE:
			r = src(ctx, &b, 1);
			if (r <= 0)
				return r;
			in->fix[0] = b;
			in->nfix = 1;
			in->len = 0;
			in->mult = 1;
			in->st = ST_LEN;
			break;
		case ST_LEN:
			r = src(ctx, &b, 1);
			if (r <= 0)
				return r;
			in->fix[in->nfix++] = b;
			in->len += (uint32_t)(b & 127) * in->mult;
			in->mult *= 128;
			if (b & 128) {
				if (in->nfix == sizeof(in->fix)) {
					/* Not a length MQTT allows: libmosquitto says so. */
					queue(in, in->fix, in->nfix);
					in->st = ST_RAW;
				}
				break;
			}
			if (begin_packet(in) < 0)
				return -1;
			break;
		case ST_HDR:
			if (in->need > in->hdr_cap) {
				in->hdr = xrealloc(in->hdr, 512);
				in->hdr_cap = 512;
			}
			r = src(ctx, in->hdr + in->nhdr, in->need - in->nhdr);
			if (r <= 0)
				return r;
			in->nhdr += (size_t)r;
			if (header_step(in) < 0)
				return -1;
			break;
		}
	}
}

bool inbound_cut_size(struct inbound *in, int qos, int mid, uint32_t *orig)
{
	for (size_t i = 0; i < MAX_CUTS; i++) {
		struct cut *c = &in->cuts[i];
		bool match = qos == 2 ? c->qos == 2 && c->mid == mid : c->end == in->handed;

		if (c->orig && !c->used && match) {
			c->used = true;
			*orig = c->orig;
			return true;
		}
	}
	return false;
}
