/* rate.h: events per second over whole-second buckets. */
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

#endif
