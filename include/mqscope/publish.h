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
 * refused, retrying in 3s)"). When it took them all, done (e.g. "Toggled
 * house/bulbs/bulb1: OFF -> ON") goes on the hint line at once, and again with
 * ", acknowledged by the broker" once the broker has acknowledged messages
 * sent at QoS 1 or 2. A background job follows the acknowledgements and
 * reports refusals and silence there too; label names the messages in those
 * reports. A draft (one message from the publish form) comes back in the form
 * if the broker refuses it, so nothing typed is lost.
 */
size_t publish_send(struct ui *u, const struct pub_req *reqs, size_t n, const char *label,
                    const char *done, const struct pub_draft *draft, char *err, size_t cap);

/* The same to broker l instead of the selection's. */
struct app_link;
size_t publish_send_on(struct ui *u, struct app_link *l, const struct pub_req *reqs, size_t n,
                       const char *label, const char *done, const struct pub_draft *draft,
                       char *err, size_t cap);

/* The "toggle" action: publishes the opposite of the selected topic's value. */
void publish_toggle(struct ui *u);

#endif
