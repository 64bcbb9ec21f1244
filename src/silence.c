/* silence.c: a heap of per-topic deadlines, silent and offline marks, counts up the tree. */
#include "mqscope/silence.h"

#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

#define ST_SILENT  0x01
#define ST_OFFLINE 0x02

struct entry {
	int64_t due;
	tree_id id;
};

struct silence {
	struct silence_cfg cfg;

	struct entry *heap; /* min-heap on due */
	size_t nheap, heap_cap;

	/* per node, grown to the highest id that needed them (parents have lower ids) */
	uint32_t *pos;     /* heap index + 1, 0 = no entry */
	uint32_t *below;   /* silent topics at or below */
	uint32_t *offline; /* offline devices at or below */
	uint8_t *state;
	size_t cap;

	uint64_t nsilent, noffline;

	struct silence_event events[SILENCE_EVENTS_MAX];
	size_t ev_head, ev_len;
	uint64_t ev_lost;

	tree_id changes[SILENCE_CHANGES_MAX];
	size_t nchanges;
	bool overflow;
};

struct silence *silence_new(const struct silence_cfg *cfg)
{
	struct silence *s = xcalloc(1, sizeof(*s));

	s->cfg = *cfg;
	if (!(s->cfg.factor > 1.0))
		s->cfg.factor = SILENCE_FACTOR;
	if (s->cfg.floor_ms < 0)
		s->cfg.floor_ms = 0;
	if (s->cfg.samples < 1)
		s->cfg.samples = 1;
	return s;
}

void silence_free(struct silence *s)
{
	if (s == NULL)
		return;
	free(s->heap);
	free(s->pos);
	free(s->below);
	free(s->offline);
	free(s->state);
	free(s);
}

/* Makes the per-node arrays cover id. */
static void cover(struct silence *s, tree_id id)
{
	size_t ncap, more;

	if (id < s->cap)
		return;
	ncap = s->cap ? s->cap : 1024;
	while (ncap <= id)
		ncap *= 2;
	more = ncap - s->cap;
	s->pos = xrealloc(s->pos, ncap * sizeof(*s->pos));
	s->below = xrealloc(s->below, ncap * sizeof(*s->below));
	s->offline = xrealloc(s->offline, ncap * sizeof(*s->offline));
	s->state = xrealloc(s->state, ncap);
	memset(s->pos + s->cap, 0, more * sizeof(*s->pos));
	memset(s->below + s->cap, 0, more * sizeof(*s->below));
	memset(s->offline + s->cap, 0, more * sizeof(*s->offline));
	memset(s->state + s->cap, 0, more);
	s->cap = ncap;
}

/* ---- the deadline heap ---- */

static void heap_set(struct silence *s, size_t i, struct entry e)
{
	s->heap[i] = e;
	s->pos[e.id] = (uint32_t)(i + 1);
}

static void sift_up(struct silence *s, size_t i)
{
	struct entry e = s->heap[i];

	while (i > 0 && s->heap[(i - 1) / 2].due > e.due) {
		heap_set(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(s, i, e);
}

static void sift_down(struct silence *s, size_t i)
{
	struct entry e = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && s->heap[c + 1].due < s->heap[c].due)
			c++;
		if (s->heap[c].due >= e.due)
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, e);
}

static void heap_push(struct silence *s, tree_id id, int64_t due)
{
	if (s->nheap == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 256;
		s->heap = xrealloc(s->heap, s->heap_cap * sizeof(*s->heap));
	}
	s->heap[s->nheap++] = (struct entry){.due = due, .id = id};
	sift_up(s, s->nheap - 1);
}

static struct entry heap_pop(struct silence *s)
{
	struct entry top = s->heap[0];

	s->pos[top.id] = 0;
	if (--s->nheap > 0) {
		s->heap[0] = s->heap[s->nheap];
		sift_down(s, 0);
	}
	return top;
}

/* ---- marks ---- */

static void push_event(struct silence *s, tree_id id, enum silence_kind k, int64_t time_ms)
{
	struct silence_event *e;

	if (s->ev_len == SILENCE_EVENTS_MAX) {
		s->ev_head = (s->ev_head + 1) % SILENCE_EVENTS_MAX; /* the oldest goes */
		s->ev_len--;
		s->ev_lost++;
	}
	e = &s->events[(s->ev_head + s->ev_len++) % SILENCE_EVENTS_MAX];
	e->time_ms = time_ms;
	e->id = id;
	e->kind = (uint8_t)k;
}

static void note_change(struct silence *s, tree_id id)
{
	if (s->nchanges < SILENCE_CHANGES_MAX)
		s->changes[s->nchanges++] = id;
	else
		s->overflow = true;
}

/* Adds delta to one count of id and its ancestors; notes the topmost node that turned. */
static void roll_up(struct silence *s, const struct tree *t, tree_id id, uint32_t *count, int delta)
{
	tree_id top = TREE_NONE;

	for (tree_id a = id; a != TREE_NONE && a != TREE_ROOT; a = tree_node(t, a)->parent) {
		bool was = s->below[a] > 0 || s->offline[a] > 0;

		count[a] = (uint32_t)((int64_t)count[a] + delta);
		if (was != (s->below[a] > 0 || s->offline[a] > 0))
			top = a;
	}
	if (top != TREE_NONE)
		note_change(s, top);
}

static void set_silent(struct silence *s, const struct tree *t, tree_id id, bool on, int64_t time)
{
	if (on == ((s->state[id] & ST_SILENT) != 0))
		return;
	s->state[id] ^= ST_SILENT;
	s->nsilent += on ? 1 : (uint64_t)-1;
	roll_up(s, t, id, s->below, on ? 1 : -1);
	push_event(s, id, on ? SILENCE_SILENT : SILENCE_SPOKE, time);
}

void silence_set_offline(struct silence *s, const struct tree *t, tree_id id, bool offline,
                         int64_t time_ms)
{
	if (id == TREE_NONE || id == TREE_ROOT)
		return;
	if (!offline && id >= s->cap)
		return;
	cover(s, id);
	if (offline == ((s->state[id] & ST_OFFLINE) != 0))
		return;
	s->state[id] ^= ST_OFFLINE;
	s->noffline += offline ? 1 : (uint64_t)-1;
	roll_up(s, t, id, s->offline, offline ? 1 : -1);
	push_event(s, id, offline ? SILENCE_OFFLINE : SILENCE_ONLINE, time_ms);
}

/* ---- deadlines ---- */

/* How long id may stay quiet, ms, from its recent intervals. */
static int64_t allowance(const struct silence *s, const struct timing *tm, tree_id id)
{
	int64_t med = timing_usual(tm, id);
	double a = (double)(med > 0 ? med : 0) * s->cfg.factor;

	if (a < (double)s->cfg.floor_ms)
		a = (double)s->cfg.floor_ms;
	return a > 1e15 ? (int64_t)1e15 : (int64_t)a;
}

int64_t silence_deadline(const struct silence *s, const struct tree *t, const struct timing *tm,
                         tree_id id)
{
	const struct tree_node *n = tree_node(t, id);
	int64_t due;

	/* Judged once it showed its pace: enough intervals, over at least the floor (so the
	 * first burst of a bursty topic is not taken for its pace). */
	if (timing_intervals(tm, id) < s->cfg.samples || !(n->flags & TREE_F_VALUE) ||
	    n->last_ms - n->first_ms < s->cfg.floor_ms)
		return INT64_MAX;
	due = n->last_ms + allowance(s, tm, id);
	return (due + SILENCE_GRAIN_MS - 1) / SILENCE_GRAIN_MS * SILENCE_GRAIN_MS;
}

void silence_note(struct silence *s, const struct tree *t, const struct timing *tm, tree_id id,
                  bool retained, int64_t time_ms)
{
	if (id < s->cap && (s->state[id] & ST_SILENT))
		set_silent(s, t, id, false, time_ms);
	if (s->noffline > 0 && !retained) {
		/* A device that talks is there, whatever its will said. */
		for (tree_id a = id; a != TREE_NONE && a != TREE_ROOT && a < s->cap;
		     a = tree_node(t, a)->parent)
			if (s->state[a] & ST_OFFLINE)
				silence_set_offline(s, t, a, false, time_ms);
	}
	if (id < s->cap && s->pos[id] != 0)
		return; /* its entry comes due early and is put back then */
	if (timing_intervals(tm, id) < s->cfg.samples)
		return;
	int64_t due = silence_deadline(s, t, tm, id);
	if (due == INT64_MAX)
		return;
	cover(s, id);
	heap_push(s, id, due);
}

int64_t silence_next_due(const struct silence *s)
{
	return s->nheap ? s->heap[0].due : INT64_MAX;
}

size_t silence_check(struct silence *s, const struct tree *t, const struct timing *tm, int64_t now,
                     bool *more)
{
	size_t turned = 0, seen = 0;

	while (s->nheap > 0 && s->heap[0].due <= now && seen < SILENCE_CHECK_MAX) {
		struct entry e = heap_pop(s);
		int64_t due = silence_deadline(s, t, tm, e.id);

		seen++;
		if (due == INT64_MAX)
			continue; /* emptied: judged again when it talks */
		if (due > now) {
			heap_push(s, e.id, due);
			continue;
		}
		set_silent(s, t, e.id, true, due);
		turned++;
	}
	*more = s->nheap > 0 && s->heap[0].due <= now;
	return turned;
}

bool silence_is_silent(const struct silence *s, tree_id id)
{
	return id < s->cap && (s->state[id] & ST_SILENT);
}

bool silence_is_offline(const struct silence *s, tree_id id)
{
	return id < s->cap && (s->state[id] & ST_OFFLINE);
}

uint32_t silence_below(const struct silence *s, tree_id id)
{
	if (id == TREE_ROOT)
		return (uint32_t)s->nsilent;
	return id < s->cap ? s->below[id] : 0;
}

uint32_t silence_offline_below(const struct silence *s, tree_id id)
{
	if (id == TREE_ROOT)
		return (uint32_t)s->noffline;
	return id < s->cap ? s->offline[id] : 0;
}

uint64_t silence_count(const struct silence *s)
{
	return s->nsilent;
}

uint64_t silence_offline_count(const struct silence *s)
{
	return s->noffline;
}

size_t silence_take_events(struct silence *s, struct silence_event *out, size_t max, uint64_t *lost)
{
	size_t n = 0;

	while (n < max && s->ev_len > 0) {
		out[n++] = s->events[s->ev_head];
		s->ev_head = (s->ev_head + 1) % SILENCE_EVENTS_MAX;
		s->ev_len--;
	}
	*lost = s->ev_lost;
	s->ev_lost = 0;
	return n;
}

size_t silence_take_changes(struct silence *s, tree_id *ids, size_t max, bool *overflow)
{
	size_t n = s->nchanges < max ? s->nchanges : max;

	memcpy(ids, s->changes, n * sizeof(*ids));
	*overflow = s->overflow || n < s->nchanges;
	s->nchanges = 0;
	s->overflow = false;
	return n;
}

size_t silence_mem_bytes(const struct silence *s)
{
	return sizeof(*s) + s->heap_cap * sizeof(*s->heap) +
	       s->cap * (sizeof(*s->pos) + sizeof(*s->below) + sizeof(*s->offline) + 1);
}
