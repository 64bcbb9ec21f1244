/* record.h: a message as one JSON line and back: what --record writes and --replay reads
 * (recorder.h, replay.h). */
#ifndef MQSCOPE_RECORD_H
#define MQSCOPE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/msg.h"

/*
 * One line per message:
 *   {"time":1732240203535,"topic":"a/b","qos":1,"retain":true,"payload":"21.5"}
 * Bytes that are not UTF-8 text (or hold NUL) go as base64 under the same
 * name with "_base64" appended: "payload_base64", "topic_base64"... "size"
 * is the size received when the payload was truncated for memory; MQTT 5
 * properties go in "props": payload_format, expiry, content_type,
 * response_topic, correlation, subscription_ids [..], user [{"key","value"}].
 */

/* Appends the line for v (newline included) to *buf (grown with realloc); returns its length. */
size_t record_format(const struct msg_view *v, char **buf, size_t *cap);
/*
 * The same with "broker" (blen bytes): the branch the message came under when several
 * brokers were watched (its topic starts with that branch and a '/'), so a
 * replay reads each broker's topics as that broker's; NULL for none.
 */
size_t record_format_from(const struct msg_view *v, const char *broker, size_t blen, char **buf,
                          size_t *cap);

/* A message read back from a line; the buffers are owned. */
struct record_msg {
	struct msg_head h;
	char *topic;
	char *payload;
	uint8_t *props;
	char *broker; /* the broker's branch of a recording of several, or NULL */
	size_t broker_len;
};

/* Parses one line (without its newline). False when it is not a message record. */
bool record_parse(const char *line, size_t len, struct record_msg *out);
void record_msg_free(struct record_msg *m);
/* A view of a parsed message, as the ring would give it. */
void record_msg_view(const struct record_msg *m, struct msg_view *v);

#endif
