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
 * Follows $SYS/broker/publish/messages/dropped and adds up how much it grows
 * while mqscope is connected. The first value of each connection (the
 * retained one, which may include drops from while we were away) is only a
 * baseline.
 */
struct broker_drops {
	tree_id node;
	uint64_t connects;  /* the connection the last value belongs to */
	uint64_t seen_msgs; /* the node's message count when last looked at */
	bool have_last;
	double last;
	uint64_t dropped; /* growth seen while connected */
};

void broker_drops_init(struct broker_drops *d);
/*
 * Looks at the newest value; connects is the session's connection count read
 * after the messages were taken in (so a value of a new connection is never
 * mistaken for one of the old). Returns the drops seen while connected.
 */
uint64_t broker_drops_update(struct broker_drops *d, const struct tree *t, uint64_t connects);

#endif
