/* timestamp.h: the time a payload says it was taken (JSON ts/time/timestamp), in epoch ms. */
#ifndef MQSCOPE_TIMESTAMP_H
#define MQSCOPE_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Payloads longer than this are not searched for a timestamp. */
#define TIMESTAMP_PAYLOAD_MAX (64 * 1024)

/*
 * An ISO 8601 date and time: "2026-11-22T10:04:05Z", with a space for the
 * T, fractions of a second and an offset (Z, +01:00, -0530) optional. A time
 * without an offset is read as UTC (devices mostly send UTC). Exactly the
 * whole text must be a time.
 */
bool timestamp_iso8601(const char *s, size_t len, int64_t *ms);

/*
 * An epoch time as a number, its unit told by its size: seconds, then
 * milliseconds, microseconds or nanoseconds. Times before 2000 are not
 * taken for timestamps (counters called "time" are common).
 */
bool timestamp_epoch(double v, int64_t *ms);

/*
 * Whether the payload might name a timestamp field: a JSON object with a key
 * ts, time or timestamp in any case. A quick byte scan that never parses,
 * so that payloads without one cost next to nothing.
 */
bool timestamp_candidate(const char *s, size_t len);

/*
 * The timestamp of a JSON object payload: its top-level "ts", "timestamp"
 * or "time" member (first found, any case), an ISO 8601 string or an epoch
 * number (or a string holding one).
 */
bool timestamp_from_json(const char *s, size_t len, int64_t *ms);

#endif
