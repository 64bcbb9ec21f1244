/* rate.c: per-second event counts for the status bar. */
#include "mqscope/rate.h"

void rate_add(struct rate *r, uint64_t n, int64_t now_ms)
{
	int64_t s = now_ms / 1000;
	unsigned i = (unsigned)(s % RATE_BUCKETS);

	if (r->sec[i] != s) {
		r->sec[i] = s;
		r->count[i] = 0;
	}
	r->count[i] += n;
}

uint64_t rate_last_second(const struct rate *r, int64_t now_ms)
{
	int64_t s = now_ms / 1000 - 1;
	unsigned i = (unsigned)(s % RATE_BUCKETS);

	return r->sec[i] == s ? r->count[i] : 0;
}
