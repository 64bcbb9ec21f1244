/* dashboard.h: the broker dashboard built from $SYS, and the watch on messages the broker drops. */
#ifndef MQSCOPE_DASHBOARD_H
#define MQSCOPE_DASHBOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "mqscope/tree.h"

struct ui;

/* Opens the dashboard overlay (the "dashboard" action). */
void dashboard_open(struct ui *u);

/*
 * Follows $SYS/broker/publish/messages/dropped. The first value received
 * after a (re)connection is the baseline; growth past it is what the broker
 * dropped while mqscope was connected.
 */
struct broker_drops {
	uint64_t connects; /* the connection the baseline belongs to */
	bool have_base;
	double base, last;
	tree_id node;
	uint64_t msgs_at_reset; /* the node's count when the baseline was reset */
};

void broker_drops_init(struct broker_drops *d);
/* Messages dropped by the broker since the connection began (0 while unknown). */
uint64_t broker_drops_update(struct broker_drops *d, const struct tree *t, uint64_t connects);

#endif
