/* fuzz_inbound.c: any byte stream from a broker, in any pieces, through the packet bounds. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/inbound.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t len, pos;
	uint8_t step; /* piece sizes and "try again" turns come from the input too */
};

static ssize_t src_read(void *ctx, void *buf, size_t n)
{
	struct src *s = ctx;
	size_t k;

	s->step = (uint8_t)(s->step * 31 + 7);
	if (s->step % 7 == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (s->pos == s->len)
		return 0;
	k = s->len - s->pos;
	if (k > n)
		k = n;
	if (k > (size_t)(s->step % 64) + 1)
		k = (size_t)(s->step % 64) + 1;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

/* Every PUBLISH handed out carries at most cap payload bytes past a bounded header. */
static void check_framing(const uint8_t *out, size_t n, size_t cap)
{
	size_t i = 0;

	while (i < n) {
		uint8_t type = out[i++];
		uint32_t len = 0, mult = 1;
		size_t nb = 0;
		uint8_t b;

		do {
			if (i >= n)
				return;
			b = out[i++];
			len += (uint32_t)(b & 127) * mult;
			mult *= 128;
			nb++;
		} while ((b & 128) && nb < 4);
		if (b & 128)
			return; /* an impossible length: passed on raw, for libmosquitto to refuse
			         */
		if ((type >> 4) != 3 && len > INBOUND_PACKET_MAX)
			abort();
		if ((type >> 4) == 3 && len > 2 + 65535 + 2 + 4 + INBOUND_PACKET_MAX + cap)
			abort();
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1 << 20];
	size_t cap, n = 0;
	bool v5;
	struct inbound *in;
	struct src s;

	if (size < 2)
		return 0;
	cap = 1 + (size_t)data[0] * 16;
	v5 = data[1] & 1;
	s = (struct src){data + 2, size - 2, 0, data[1]};
	in = inbound_new(cap, v5);
	for (unsigned guard = 0; guard < 1000000; guard++) {
		uint8_t piece = (uint8_t)(s.step % 5 == 0 ? 1 : 200);
		size_t want = sizeof(out) - n < piece ? sizeof(out) - n : piece;
		ssize_t r;

		if (want == 0)
			break;
		r = inbound_read(in, out + n, want, src_read, &s);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EAGAIN)
				continue;
			if (errno != EPROTO || inbound_error(in) == NULL)
				abort();
			break;
		}
		if ((size_t)r > want)
			abort();
		n += (size_t)r;
	}
	/* Nothing is ever added; with no cut and no refusal the stream is unchanged. */
	if (n > s.pos)
		abort();
	if (inbound_cuts(in) == 0 && inbound_error(in) == NULL && memcmp(out, data + 2, n) != 0)
		abort();
	check_framing(out, n, cap);
	inbound_free(in);
	return 0;
}
