/* sys.h: what a broker says about itself in $SYS: numbers, rates of its counters, its drops. */
#ifndef MQSCOPE_SYS_H
#define MQSCOPE_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/tree.h"

#define SYS_BROKER  "$SYS/broker/"
#define SYS_DROPPED SYS_BROKER "publish/messages/dropped"

/* Topics may be "": a statistic the broker does not publish, always absent. */

/* The newest value of topic as a number; false when absent or not a number. */
bool sys_number(const struct tree *t, const char *topic, double *out);

/*
 * Per-second rates between successive values of a counter topic (its history,
 * oldest first), at most max; returns how many. *interval is the shortest time
 * between two values (the broker's $SYS interval, as far as can be told), or
 * INT64_MAX without any.
 */
size_t sys_rates(const struct tree *t, const char *topic, double *rates, size_t max,
                 int64_t *interval);

/*
 * The rate of a counter now, from the rates sys_rates gave (n > 0): the newest,
 * or 0 once the counter has not been republished for over two intervals (a
 * broker does not republish a counter that stopped moving).
 */
double sys_rate_now(const struct tree *t, const char *topic, const double *rates, size_t n,
                    int64_t interval, int64_t now_wall_ms);

/*
 * Follows $SYS/broker/publish/messages/dropped and adds up how much it grows
 * while mqscope is connected. The first value of each connection (the
 * retained one, which may include drops from while we were away) is only a
 * baseline; a counter that went down is a restarted broker.
 */
struct sys_drops {
	tree_id node;
	uint64_t connects;  /* the connection the last value belongs to */
	uint64_t seen_msgs; /* the node's message count when last looked at */
	bool have_last;
	double last;
	uint64_t dropped; /* growth seen while connected */
};

void sys_drops_init(struct sys_drops *d);
/*
 * Looks at the newest value; connects is the session's connection count read
 * after the messages were taken in (so a value of a new connection is never
 * mistaken for one of the old). Returns the drops seen while connected.
 */
uint64_t sys_drops_update(struct sys_drops *d, const struct tree *t, uint64_t connects);

#endif
