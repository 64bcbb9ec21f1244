/* publish.h: publishing from the UI: messages handed to the session and followed up; toggles. */
#ifndef MQSCOPE_PUBLISH_H
#define MQSCOPE_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/pub_draft.h"
#include "mqscope/session.h"
#include "mqscope/tree.h"

struct ui;

/*
 * Hands n messages to the session. Returns how many it took; when it refuses
 * one it stops there, with the reason in err ("not connected (lost: connection
 * refused, retrying in 3s)"). A background job then follows the broker's
 * acknowledgements and reports refusals and silence on the hint line, and
 * the outcome of a group or of a QoS 1/2 message; label names the messages
 * there. A draft (one message from the publish form) comes back in the form
 * if the broker refuses it, so nothing typed is lost.
 */
size_t publish_send(struct ui *u, const struct pub_req *reqs, size_t n, const char *label,
                    const struct pub_draft *draft, char *err, size_t cap);

/* The full topic of a node (allocated). */
char *publish_topic_of(const struct tree *t, tree_id id);

/* The "toggle" action: publishes the opposite of the selected topic's value. */
void publish_toggle(struct ui *u);

#endif
