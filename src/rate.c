/* rate.c: per-second event counts for the status bar, and the rate estimate of a topic. */
#include "mqscope/rate.h"

#include <math.h>

#define GAP_WEIGHT 0.33f /* of the newest gap in the average: it follows within a few messages */

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

/* Messages of the same millisecond (a flood) skip the exp(). */
void rate_est_add(struct rate_est *e, int64_t last_ms, int64_t now_ms)
{
	int64_t dt = now_ms - last_ms;

	if (last_ms == 0 || e->fast == 0.0f) {
		e->fast = 1000.0f / (float)RATE_TAU_MS;
		e->gap = -1.0f;
		return;
	}
	if (dt < 0)
		dt = 0; /* a clock that stepped back */
	if (dt > 0)
		e->fast *= expf(-(float)dt / (float)RATE_TAU_MS);
	e->fast += 1000.0f / (float)RATE_TAU_MS;
	if (e->gap < 0.0f)
		e->gap = (float)dt;
	else
		e->gap += GAP_WEIGHT * ((float)dt - e->gap);
}

double rate_est_get(const struct rate_est *e, int64_t last_ms, int64_t now_ms)
{
	double silence = (double)(now_ms - last_ms), gap = e->gap, r;

	if (last_ms == 0 || e->fast == 0.0f || gap < 0)
		return 0; /* one message has no rate */
	if (silence < 0)
		silence = 0;
	if (silence > (2 * gap > RATE_DEAD_MS ? 2 * gap : RATE_DEAD_MS))
		return 0;
	if (gap >= RATE_SLOW_MS)
		r = 1000.0 / gap;
	else
		r = e->fast * exp(-silence / RATE_TAU_MS);
	/* Longer than usual without a message: no more than one per the silence so far. */
	if (silence > gap && silence >= RATE_SLOW_MS && r > 1000.0 / silence)
		r = 1000.0 / silence;
	return r;
}
