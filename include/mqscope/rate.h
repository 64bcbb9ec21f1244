/* rate.h: events per second: whole-second buckets for the status bar, and a topic's rate. */
#ifndef MQSCOPE_RATE_H
#define MQSCOPE_RATE_H

#include <stdint.h>

#define RATE_BUCKETS 8

struct rate {
	int64_t sec[RATE_BUCKETS];
	uint64_t count[RATE_BUCKETS];
};

void rate_add(struct rate *r, uint64_t n, int64_t now_ms);
/* Events in the last whole second before now. */
uint64_t rate_last_second(const struct rate *r, int64_t now_ms);

/*
 * A topic's message rate in two floats (every tree node keeps one), with
 * the time of its last message kept by the caller:
 * - fast topics (messages under RATE_SLOW_MS apart) by a decaying average
 *   over RATE_TAU_MS, so a change shows within a few seconds;
 * - slow ones by the average gap between messages (one message a minute
 *   reads 0.017/s at once, not after minutes of averaging);
 * - a silence longer than usual lowers the rate (at most one message per
 *   the silence so far), and twice the usual gap (at least RATE_DEAD_MS)
 *   makes it 0: a publisher that stopped does not stay at the top of a
 *   sort by rate.
 */
#define RATE_TAU_MS  1000
#define RATE_SLOW_MS 250
#define RATE_DEAD_MS 1000

struct rate_est {
	float fast; /* messages/s, decaying average as of the last message; 0: none yet */
	float gap;  /* ms between messages, averaged over the last few; < 0: only one so far */
};

/* Counts a message at now_ms; last_ms is the previous one's time (0: this is the first). */
void rate_est_add(struct rate_est *e, int64_t last_ms, int64_t now_ms);
/* Messages per second at now_ms, the last message having come at last_ms. */
double rate_est_get(const struct rate_est *e, int64_t last_ms, int64_t now_ms);

#endif
