/* stream.h: every message in arrival order, bounded by bytes; what falls out is counted. */
#ifndef MQSCOPE_STREAM_H
#define MQSCOPE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/tree.h"

/*
 * Messages are numbered from 0 in arrival order (their sequence number).
 * The stream keeps the newest of them: an index ring of entries and a
 * byte ring of their payloads and properties, both grown on demand up to
 * a byte limit; the oldest give way to the newest. A payload is kept up to
 * a per-message cap (a sixteenth of the limit at most), so one huge message
 * cannot push out everything else; its size as received is kept.
 */

/* One message of the stream; data points into the stream and stays valid until the next push. */
struct stream_msg {
	uint64_t seq;
	int64_t time_ms;
	tree_id id; /* its topic */
	uint32_t len, orig_len, props_len;
	uint8_t qos, retained;
	const char *data; /* len payload bytes, then props_len bytes of properties */
};

struct stream;

/* A stream of at most limit bytes (index and payloads); payload_cap bytes per message at most. */
struct stream *stream_new(size_t limit, size_t payload_cap);
void stream_free(struct stream *s);

/* Appends a message stored on id; returns its sequence number. */
uint64_t stream_push(struct stream *s, tree_id id, int64_t time_ms, const void *payload,
                     uint32_t len, uint32_t orig_len, const void *props, uint32_t props_len,
                     uint8_t qos, uint8_t retained);

/* Sequence numbers held: [stream_first, stream_end). Equal when empty. */
uint64_t stream_first(const struct stream *s);
uint64_t stream_end(const struct stream *s);
/* The message seq, or false when it fell out (or is not there yet). */
bool stream_get(const struct stream *s, uint64_t seq, struct stream_msg *out);
/*
 * The message before seq on the same topic, searched back at most max_scan
 * messages; false when there is none in the stream.
 */
bool stream_prev_same(const struct stream *s, uint64_t seq, size_t max_scan,
                      struct stream_msg *out);
/* Messages that fell out for room, in all (== stream_first). */
uint64_t stream_dropped(const struct stream *s);
/* Messages kept with a shortened payload. */
uint64_t stream_cut(const struct stream *s);
/* Bytes allocated. */
size_t stream_mem_bytes(const struct stream *s);

#endif
