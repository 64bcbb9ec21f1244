/* ring.h: bounded lock-free single-producer/single-consumer queue of byte records. */
#ifndef MQSCOPE_RING_H
#define MQSCOPE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Records are stored inline in one contiguous buffer, so pushing never
 * allocates. The producer never waits: a record that does not fit (by bytes
 * or by count) is dropped and counted. The consumer is woken through an
 * eventfd that is written only when the ring goes from empty to non-empty;
 * or, while the consumer says it will come back by itself (lazy, e.g. at its
 * next frame), only once when the ring fills past a quarter of its bytes or
 * records. A flood then costs no wake-up per message.
 */
struct ring {
	uint8_t *buf;
	size_t cap;                      /* bytes, power of two */
	size_t max_count;                /* records */
	int wake_fd;                     /* eventfd, -1 if none */
	size_t hurry_bytes, hurry_count; /* lazy consumers are woken past these */

	/* producer side */
	_Alignas(64) atomic_size_t head; /* bytes published */
	size_t reserve_at;               /* where the reserved record starts */
	size_t reserve_len;
	size_t tail_cache;
	atomic_size_t pushed; /* records published */
	atomic_uint_fast64_t drops;
	atomic_uint_fast64_t drop_bytes;
	atomic_bool hurried; /* a lazy consumer was woken since it last slept */

	/* consumer side */
	_Alignas(64) atomic_size_t tail; /* bytes released */
	atomic_size_t popped;            /* records released */
	size_t head_cache;
	size_t peek_len;
	atomic_bool lazy; /* the consumer comes back by itself soon */
};

/* Creates a ring of at least cap_bytes bytes holding at most max_count records. */
int ring_init(struct ring *r, size_t cap_bytes, size_t max_count);
void ring_free(struct ring *r);

/* Largest record a ring of this size accepts. */
size_t ring_max_record(const struct ring *r);

/* Producer: space for len bytes, or NULL (the drop is counted). */
void *ring_reserve(struct ring *r, size_t len);
/* Producer: space for len bytes, or NULL when full (nothing counted: the caller waits). */
void *ring_try_reserve(struct ring *r, size_t len);
/* Producer: publishes the reserved record and wakes an idle consumer. */
void ring_commit(struct ring *r);
/* Producer: counts a record dropped before reserving (e.g. too large). */
void ring_count_drop(struct ring *r, size_t len);

/* Consumer: the oldest record and its length, or NULL when empty. */
const void *ring_peek(struct ring *r, size_t *len);
/* Consumer: frees the record returned by the last ring_peek. */
void ring_release(struct ring *r);
/* Consumer: clears a pending wake-up before draining. */
void ring_clear_wake(struct ring *r);
/*
 * Consumer, before it sleeps on wake_fd: lazy = it will come back by itself
 * soon, so wake it only when the ring fills up; else wake it for the first
 * record. Returns false when it should not sleep at all (records are waiting,
 * or the ring is already past the point where a lazy consumer is woken).
 */
bool ring_prepare_sleep(struct ring *r, bool lazy);

/* Any thread: totals for the status bar. */
uint64_t ring_drops(const struct ring *r);
size_t ring_count(const struct ring *r);
size_t ring_bytes_used(const struct ring *r);

#endif
