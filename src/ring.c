/* ring.c: bounded lock-free SPSC record queue between the network and UI threads. */
#include "mqscope/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define HDR       8u
#define F_PAD     1u
#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

struct rec_hdr {
	uint32_t len;
	uint32_t flags;
};

int ring_init(struct ring *r, size_t cap_bytes, size_t max_count)
{
	size_t cap = 4096;

	memset(r, 0, sizeof(*r));
	r->wake_fd = -1;
	while (cap < cap_bytes && cap < ((size_t)1 << 40))
		cap <<= 1;
	r->buf = malloc(cap);
	if (r->buf == NULL)
		return -1;
	r->cap = cap;
	r->max_count = max_count ? max_count : (size_t)-1;
	r->hurry_bytes = cap / 4;
	r->hurry_count = r->max_count / 4 ? r->max_count / 4 : 1;
	r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->wake_fd < 0) {
		free(r->buf);
		r->buf = NULL;
		return -1;
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->popped, 0);
	atomic_init(&r->pushed, 0);
	atomic_init(&r->drops, 0);
	atomic_init(&r->drop_bytes, 0);
	atomic_init(&r->hurried, false);
	atomic_init(&r->lazy, false);
	return 0;
}

void ring_free(struct ring *r)
{
	if (r->wake_fd >= 0)
		close(r->wake_fd);
	free(r->buf);
	r->buf = NULL;
	r->wake_fd = -1;
}

size_t ring_max_record(const struct ring *r)
{
	/* Half the ring, so one record can always follow a wrap-around pad. */
	return r->cap / 2 - HDR;
}

void ring_count_drop(struct ring *r, size_t len)
{
	atomic_fetch_add_explicit(&r->drops, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->drop_bytes, len, memory_order_relaxed);
}

void *ring_reserve(struct ring *r, size_t len)
{
	void *p = ring_try_reserve(r, len);

	if (p == NULL)
		ring_count_drop(r, len);
	return p;
}

void *ring_try_reserve(struct ring *r, size_t len)
{
	size_t need = HDR + ALIGN8(len);
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t pos = head & (r->cap - 1);
	size_t contig = r->cap - pos;
	size_t total = need <= contig ? need : contig + need;
	size_t pushed = atomic_load_explicit(&r->pushed, memory_order_relaxed);
	struct rec_hdr *h;

	if (len > ring_max_record(r) ||
	    pushed - atomic_load_explicit(&r->popped, memory_order_relaxed) >= r->max_count)
		return NULL;
	if (r->cap - (head - r->tail_cache) < total) {
		r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (r->cap - (head - r->tail_cache) < total)
			return NULL;
	}
	r->reserve_at = head;
	if (need > contig) {
		/* Not enough room before the end: pad to the end, start at 0. */
		h = (struct rec_hdr *)(r->buf + pos);
		h->len = (uint32_t)(contig - HDR);
		h->flags = F_PAD;
		head += contig;
		pos = 0;
	}
	h = (struct rec_hdr *)(r->buf + pos);
	h->len = (uint32_t)len;
	h->flags = 0;
	r->reserve_len = head + need - r->reserve_at;
	return r->buf + pos + HDR;
}

static void wake(struct ring *r)
{
	uint64_t one = 1;
	ssize_t n;

	if (r->wake_fd < 0)
		return;
	n = write(r->wake_fd, &one, sizeof(one));
	(void)n;
}

/* Whether a lazy consumer must come now: the ring holds a quarter of its bytes or records. */
static bool over_hurry(const struct ring *r, size_t head, size_t pushed)
{
	return head - atomic_load_explicit(&r->tail, memory_order_relaxed) >= r->hurry_bytes ||
	       pushed - atomic_load_explicit(&r->popped, memory_order_relaxed) >= r->hurry_count;
}

void ring_commit(struct ring *r)
{
	size_t old = r->reserve_at, head = old + r->reserve_len;
	size_t pushed = atomic_load_explicit(&r->pushed, memory_order_relaxed) + 1;

	atomic_store_explicit(&r->head, head, memory_order_release);
	atomic_store_explicit(&r->pushed, pushed, memory_order_relaxed);
	/*
	 * Pairs with the fences in ring_peek and ring_prepare_sleep: either
	 * the consumer sees our record before it sleeps, or we see that it
	 * had emptied the ring (or asked for the first record) and wake it.
	 * Only that transition costs a syscall; a lazy consumer costs one
	 * when the ring fills up, and none otherwise.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&r->lazy, memory_order_relaxed)) {
		if (atomic_load_explicit(&r->tail, memory_order_relaxed) == old)
			wake(r);
	} else if (!atomic_load_explicit(&r->hurried, memory_order_relaxed) &&
	           over_hurry(r, head, pushed) &&
	           !atomic_exchange_explicit(&r->hurried, true, memory_order_relaxed)) {
		wake(r);
	}
}

const void *ring_peek(struct ring *r, size_t *len)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	const struct rec_hdr *h;

	for (;;) {
		if (r->head_cache == tail) {
			r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
			if (r->head_cache == tail) {
				atomic_thread_fence(memory_order_seq_cst);
				r->head_cache =
				    atomic_load_explicit(&r->head, memory_order_acquire);
				if (r->head_cache == tail)
					return NULL;
			}
		}
		h = (const struct rec_hdr *)(r->buf + (tail & (r->cap - 1)));
		if (!(h->flags & F_PAD))
			break;
		tail += HDR + h->len;
		atomic_store_explicit(&r->tail, tail, memory_order_release);
	}
	r->peek_len = HDR + ALIGN8(h->len);
	*len = h->len;
	return (const uint8_t *)h + HDR;
}

void ring_release(struct ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, tail + r->peek_len, memory_order_release);
	atomic_store_explicit(&r->popped,
	                      atomic_load_explicit(&r->popped, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
	r->peek_len = 0;
}

void ring_clear_wake(struct ring *r)
{
	uint64_t v;

	while (r->wake_fd >= 0 && read(r->wake_fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

bool ring_prepare_sleep(struct ring *r, bool lazy)
{
	size_t head, tail;

	atomic_store_explicit(&r->hurried, false, memory_order_relaxed);
	atomic_store_explicit(&r->lazy, lazy, memory_order_relaxed);
	/* Pairs with the fence in ring_commit (see there). */
	atomic_thread_fence(memory_order_seq_cst);
	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	if (!lazy)
		return head == tail;
	return !over_hurry(r, head, atomic_load_explicit(&r->pushed, memory_order_relaxed));
}

uint64_t ring_drops(const struct ring *r)
{
	return atomic_load_explicit(&r->drops, memory_order_relaxed);
}

size_t ring_count(const struct ring *r)
{
	return atomic_load_explicit(&r->pushed, memory_order_relaxed) -
	       atomic_load_explicit(&r->popped, memory_order_relaxed);
}

size_t ring_bytes_used(const struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_relaxed) -
	       atomic_load_explicit(&r->tail, memory_order_relaxed);
}
