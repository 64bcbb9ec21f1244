/* stream.c: the message stream: an index ring and a byte ring, grown up to a limit. */
#include "mqscope/stream.h"

#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

#define ENTS_MIN  1024
#define BYTES_MIN (64 * 1024)

struct ent {
	int64_t time_ms;
	uint64_t off; /* where the data starts in the byte ring (offsets only grow) */
	uint32_t id, len, orig_len, props_len;
	uint8_t qos, retained;
};

struct stream {
	size_t ents_max, bytes_max; /* the limit, shared out */
	size_t payload_cap;

	struct ent *ents; /* seq & (ecap - 1) */
	size_t ecap;
	uint64_t first, end;

	char *bytes; /* off & (bcap - 1) */
	size_t bcap;
	uint64_t bhead, btail; /* the bytes in use, with the gaps left at the wrap */

	uint64_t cut;
};

static size_t pow2_floor(size_t n)
{
	size_t p = 1;

	while (p * 2 <= n)
		p *= 2;
	return p;
}

struct stream *stream_new(size_t limit, size_t payload_cap)
{
	struct stream *s = xcalloc(1, sizeof(*s));

	/* A quarter for the index (40-byte entries), the rest for payloads. */
	s->ents_max = pow2_floor(limit / 4 / sizeof(struct ent));
	s->bytes_max = pow2_floor(limit - limit / 4);
	if (s->ents_max < ENTS_MIN)
		s->ents_max = ENTS_MIN;
	if (s->bytes_max < BYTES_MIN)
		s->bytes_max = BYTES_MIN;
	s->payload_cap = s->bytes_max / 16;
	if (payload_cap && payload_cap < s->payload_cap)
		s->payload_cap = payload_cap;
	s->ecap = ENTS_MIN;
	s->ents = xmalloc(s->ecap * sizeof(*s->ents));
	s->bcap = BYTES_MIN;
	s->bytes = xmalloc(s->bcap);
	return s;
}

void stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	free(s->ents);
	free(s->bytes);
	free(s);
}

static struct ent *ent_at(const struct stream *s, uint64_t seq)
{
	return &s->ents[seq & (s->ecap - 1)];
}

static size_t ent_size(const struct ent *e)
{
	return (size_t)e->len + e->props_len;
}

/* Drops the oldest message. */
static void drop_oldest(struct stream *s)
{
	s->first++;
	s->bhead = s->first < s->end ? ent_at(s, s->first)->off : s->btail;
}

static void grow_ents(struct stream *s)
{
	size_t ncap = s->ecap * 2;
	struct ent *ne = xmalloc(ncap * sizeof(*ne));

	for (uint64_t q = s->first; q < s->end; q++)
		ne[q & (ncap - 1)] = *ent_at(s, q);
	free(s->ents);
	s->ents = ne;
	s->ecap = ncap;
}

/* Doubles the byte ring, laying the held data out again from offset 0. */
static void grow_bytes(struct stream *s)
{
	size_t ncap = s->bcap * 2;
	char *nb = xmalloc(ncap);
	uint64_t pos = 0;

	for (uint64_t q = s->first; q < s->end; q++) {
		struct ent *e = ent_at(s, q);
		size_t n = ent_size(e);

		if (n)
			memcpy(nb + pos, s->bytes + (e->off & (s->bcap - 1)), n);
		e->off = pos;
		pos += n;
	}
	free(s->bytes);
	s->bytes = nb;
	s->bcap = ncap;
	s->bhead = 0;
	s->btail = pos;
}

/* Where n bytes go: at the tail, or at the start of the ring when they would cross its end. */
static uint64_t place(const struct stream *s, size_t n)
{
	size_t at = s->btail & (s->bcap - 1);

	return at + n > s->bcap ? s->btail + (s->bcap - at) : s->btail;
}

/* Makes room for n bytes, growing the ring while allowed, else dropping the oldest. */
static uint64_t room_for(struct stream *s, size_t n)
{
	uint64_t off;

	for (;;) {
		if (s->first == s->end)
			s->bhead = s->btail = 0; /* empty: start again at the front */
		off = place(s, n);
		if (off + n - s->bhead <= s->bcap)
			return off;
		if (s->bcap < s->bytes_max)
			grow_bytes(s);
		else
			drop_oldest(s);
	}
}

uint64_t stream_push(struct stream *s, tree_id id, int64_t time_ms, const void *payload,
                     uint32_t len, uint32_t orig_len, const void *props, uint32_t props_len,
                     uint8_t qos, uint8_t retained)
{
	struct ent *e;
	uint32_t keep = len;

	if (props_len > s->payload_cap)
		props_len = 0; /* properties are small; a bound keeps the rule simple */
	if ((size_t)keep + props_len > s->payload_cap) {
		keep = (uint32_t)(s->payload_cap - props_len);
		s->cut++;
	}
	if (s->end - s->first == s->ecap) {
		if (s->ecap < s->ents_max)
			grow_ents(s);
		else
			drop_oldest(s);
	}
	e = ent_at(s, s->end);
	e->time_ms = time_ms;
	e->id = id;
	e->len = keep;
	e->orig_len = orig_len > len ? orig_len : len;
	e->props_len = props_len;
	e->qos = qos;
	e->retained = retained;
	/* The entry is not counted yet: room_for may drop older ones first. */
	e->off = room_for(s, (size_t)keep + props_len);
	if (keep)
		memcpy(s->bytes + (e->off & (s->bcap - 1)), payload, keep);
	if (props_len)
		memcpy(s->bytes + (e->off & (s->bcap - 1)) + keep, props, props_len);
	s->btail = e->off + keep + props_len;
	if (s->first == s->end)
		s->bhead = e->off;
	return s->end++;
}

uint64_t stream_first(const struct stream *s)
{
	return s->first;
}

uint64_t stream_end(const struct stream *s)
{
	return s->end;
}

bool stream_get(const struct stream *s, uint64_t seq, struct stream_msg *out)
{
	const struct ent *e;

	if (seq < s->first || seq >= s->end)
		return false;
	e = ent_at(s, seq);
	out->seq = seq;
	out->time_ms = e->time_ms;
	out->id = e->id;
	out->len = e->len;
	out->orig_len = e->orig_len;
	out->props_len = e->props_len;
	out->qos = e->qos;
	out->retained = e->retained;
	out->data = s->bytes + (e->off & (s->bcap - 1));
	return true;
}

bool stream_prev_same(const struct stream *s, uint64_t seq, size_t max_scan, struct stream_msg *out)
{
	tree_id id;

	if (seq < s->first || seq >= s->end)
		return false;
	id = ent_at(s, seq)->id;
	for (uint64_t q = seq; q-- > s->first && seq - q <= max_scan;)
		if (ent_at(s, q)->id == id)
			return stream_get(s, q, out);
	return false;
}

uint64_t stream_dropped(const struct stream *s)
{
	return s->first;
}

uint64_t stream_cut(const struct stream *s)
{
	return s->cut;
}

size_t stream_mem_bytes(const struct stream *s)
{
	return sizeof(*s) + s->ecap * sizeof(*s->ents) + s->bcap;
}
