/* subs_view.h: the subscriptions overlay: add and remove filters live, see what the broker
 * granted. */
#ifndef MQSCOPE_SUBS_VIEW_H
#define MQSCOPE_SUBS_VIEW_H

#include <stddef.h>

struct ui;

/* Opens the list of subscriptions (the "subscriptions" action). */
void subs_view_open(struct ui *u);

/* Describes what the broker made of a filter: "QoS 1", "pending", "refused: not authorized". */
void subs_granted_text(int granted, int asked, char *buf, size_t cap);

#endif
