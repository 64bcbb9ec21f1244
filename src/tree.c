/* tree.c: topic tree with hashed child lookup, subtree counts and bounded value history. */
#define _GNU_SOURCE
#include "mqscope/tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

#define CHUNK_BITS    16
#define CHUNK_NODES   ((size_t)1 << CHUNK_BITS)
#define CHANGES_MAX   256
#define TIGHT_PAYLOAD 256 /* bytes kept per value once over budget */
#define SLAB_STEP     16  /* values up to SLAB_MAX bytes come from slabs in steps of this */
#define SLAB_MAX      512
#define SLAB_CLASSES  (SLAB_MAX / SLAB_STEP)
#define SLAB_BYTES    (64 * 1024)

/* A node as it was when a hold began, and its values then (newest first). */
struct held {
	struct tree_node node;
	struct tree_value **vals;
	tree_id id;
};

struct slot {
	uint32_t id; /* 0 = empty: the root is never a child */
	uint32_t hash;
};

/* What one top-level branch holds (tree_count_branches). */
struct branch_use {
	tree_id id;
	size_t values; /* bytes of its stored values */
	size_t bytes;  /* values, history arrays, nodes and names */
};

struct tree {
	struct tree_node **chunks;
	size_t nchunks;
	size_t nnodes;

	char *names;
	size_t names_len, names_cap;

	struct slot *slots;
	size_t slot_mask; /* slots - 1, power of two */

	/*
	 * Small values (nearly all of them) live in slabs, one free list per
	 * size class: storing one costs no malloc and no allocator header.
	 */
	void *slab_free[SLAB_CLASSES]; /* free blocks, linked through their first word */
	char *slab_cur;                /* the unused end of the newest slab */
	size_t slab_left;
	void *slabs; /* every slab, linked through its first word */
	size_t slab_bytes;
	size_t big_bytes;  /* values above SLAB_MAX, malloc'd one by one */
	size_t ring_bytes; /* history arrays */

	struct tree_limits lim;
	size_t value_bytes;
	size_t extra_bytes; /* held for the tree's topics elsewhere (tree_set_extra_bytes) */
	uint64_t refused[TREE_BOUNDS];
	uint64_t budget_hits; /* older values given up, or values kept short, for the budget */
	bool over_budget;
	bool trim; /* this insert trims: over budget, and its branch past its share */

	/* top-level branches counted on their own (tree_count_branches); acct: the current one */
	bool count_branches;
	struct branch_use branch[TREE_BRANCHES];
	size_t nbranches;
	struct branch_use *acct;

	tree_id changes[CHANGES_MAX];
	size_t nchanges;
	bool changes_overflow;

	/* each broker slot's connection now, and when the hold began; 0: none */
	uint16_t conn[TREE_CONN_SLOTS], hold_conn[TREE_CONN_SLOTS];

	/* a hold: nodes as they were when it began (tree_hold) */
	bool holding;
	size_t hold_nodes; /* nodes that existed then; later ones are hidden */
	struct held *held; /* nodes changed since, as they were */
	size_t nheld, held_cap;
	uint32_t *held_index; /* open addressing: id + 1 -> index into held + 1 */
	size_t held_mask;
	struct tree_value **deferred; /* held values the tree let go of meanwhile */
	size_t ndeferred, deferred_cap;

	/* topics that took a message since the last tree_take_touched, while tracking */
	bool tracking;
	tree_id *touched;
	size_t ntouched, touched_cap;
};

static uint32_t hash_level(tree_id parent, const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)parent * 0xff51afd7ed558ccdull);
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
	h ^= h >> 32;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

struct tree_node *tree_node(const struct tree *t, tree_id id)
{
	return &t->chunks[id >> CHUNK_BITS][id & (CHUNK_NODES - 1)];
}

const char *tree_name(const struct tree *t, tree_id id, size_t *len)
{
	const struct tree_node *n = tree_node(t, id);

	*len = n->name_len;
	return t->names + n->name_off;
}

static bool slots_grow(struct tree *t)
{
	size_t ncap = (t->slot_mask + 1) * 2;
	struct slot *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return false;
	for (size_t i = 0; i <= t->slot_mask; i++) {
		struct slot s = t->slots[i];
		size_t j;

		if (s.id == 0)
			continue;
		for (j = s.hash & (ncap - 1); ns[j].id != 0; j = (j + 1) & (ncap - 1))
			;
		ns[j] = s;
	}
	free(t->slots);
	t->slots = ns;
	t->slot_mask = ncap - 1;
	return true;
}

static tree_id child_find(const struct tree *t, tree_id parent, const char *s, size_t len,
                          uint32_t h)
{
	for (size_t j = h & t->slot_mask;; j = (j + 1) & t->slot_mask) {
		const struct slot *sl = &t->slots[j];
		const struct tree_node *n;

		if (sl->id == 0)
			return TREE_NONE;
		if (sl->hash != h)
			continue;
		n = tree_node(t, sl->id);
		if (n->parent == parent && n->name_len == len &&
		    memcmp(t->names + n->name_off, s, len) == 0)
			return sl->id;
	}
}

static tree_id node_alloc(struct tree *t, tree_id parent, const char *s, size_t len, uint32_t h)
{
	tree_id id = (tree_id)t->nnodes;
	struct tree_node *n, *p;
	size_t j;

	if ((t->nnodes & (CHUNK_NODES - 1)) == 0) {
		struct tree_node **nc = realloc(t->chunks, (t->nchunks + 1) * sizeof(*nc));

		if (nc == NULL)
			return TREE_NONE;
		t->chunks = nc;
		t->chunks[t->nchunks] = malloc(CHUNK_NODES * sizeof(struct tree_node));
		if (t->chunks[t->nchunks] == NULL)
			return TREE_NONE;
		t->nchunks++;
	}
	if (t->names_len + len > t->names_cap) {
		size_t ncap = t->names_cap ? t->names_cap : 4096;
		char *nn;

		while (ncap < t->names_len + len)
			ncap *= 2;
		nn = realloc(t->names, ncap);
		if (nn == NULL)
			return TREE_NONE;
		t->names = nn;
		t->names_cap = ncap;
	}
	/* Up to three quarters full: probes stay short, and a slot is only 8 bytes. */
	if ((t->nnodes + 1) * 4 > (t->slot_mask + 1) * 3 && !slots_grow(t))
		return TREE_NONE;

	n = tree_node(t, id);
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->first_child = TREE_NONE;
	n->next_sibling = TREE_NONE;
	n->name_off = (uint32_t)t->names_len;
	n->name_len = (uint32_t)len;
	if (len)
		memcpy(t->names + t->names_len, s, len);
	t->names_len += len;
	t->nnodes++;

	if (parent != TREE_NONE) {
		p = tree_node(t, parent);
		n->depth = (uint16_t)(p->depth + 1);
		n->next_sibling = p->first_child;
		p->first_child = id;
		p->nchildren++;
		for (j = h & t->slot_mask; t->slots[j].id != 0; j = (j + 1) & t->slot_mask)
			;
		t->slots[j].id = id;
		t->slots[j].hash = h;
	}
	return id;
}

struct tree *tree_new(const struct tree_limits *lim)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->lim = *lim;
	if (t->lim.history < 1)
		t->lim.history = 1;
	if (t->lim.history > 65535)
		t->lim.history = 65535;
	/* Names are found by 32-bit offsets. */
	if (t->lim.name_budget == 0 || t->lim.name_budget > UINT32_MAX)
		t->lim.name_budget = UINT32_MAX;
	t->slots = calloc(1024, sizeof(*t->slots));
	t->slot_mask = 1023;
	t->names_cap = 4096;
	t->names = malloc(t->names_cap); /* never NULL, even while every name is empty */
	if (t->slots == NULL || t->names == NULL ||
	    node_alloc(t, TREE_NONE, "", 0, 0) != TREE_ROOT) {
		tree_free(t);
		return NULL;
	}
	return t;
}

static size_t value_size(const struct tree_value *v)
{
	return sizeof(*v) + v->len + v->props_len;
}

/* Counts n bytes (value: of a stored value) to the branch being changed, if it is counted. */
static void charge(struct tree *t, size_t n, bool value)
{
	if (t->acct) {
		t->acct->bytes += n;
		t->acct->values += value ? n : 0;
	}
}

static void refund(struct tree *t, size_t n, bool value)
{
	if (t->acct) {
		t->acct->bytes -= n;
		t->acct->values -= value ? n : 0;
	}
}

/* The use record of top-level node top, made on its first message; NULL when not counted. */
static struct branch_use *branch_of(struct tree *t, tree_id top)
{
	if (!t->count_branches)
		return NULL;
	for (size_t i = 0; i < t->nbranches; i++)
		if (t->branch[i].id == top)
			return &t->branch[i];
	if (t->nbranches == TREE_BRANCHES)
		return NULL;
	t->branch[t->nbranches] = (struct branch_use){.id = top};
	return &t->branch[t->nbranches++];
}

/*
 * Whether the insert under way trims (keeps one value, cut short): past the
 * budget, and with counted branches only a branch over its share of it, so
 * that one branch's flood cannot take the history of the others.
 */
static bool trims(const struct tree *t)
{
	size_t room;

	if (!t->over_budget || t->acct == NULL || t->nbranches < 2)
		return t->over_budget;
	room = t->lim.value_budget > t->extra_bytes ? t->lim.value_budget - t->extra_bytes : 0;
	return t->acct->values > room / t->nbranches;
}

/* Memory for a value of size bytes: a slab block of its size class, or malloc above SLAB_MAX. */
static void *value_alloc(struct tree *t, size_t size)
{
	size_t c = (size - 1) / SLAB_STEP, block = (c + 1) * SLAB_STEP;
	void *p;

	if (size > SLAB_MAX) {
		p = malloc(size);
		if (p != NULL)
			t->big_bytes += size;
		return p;
	}
	p = t->slab_free[c];
	if (p != NULL) {
		t->slab_free[c] = *(void **)p;
		return p;
	}
	if (t->slab_left < block) {
		char *slab = malloc(SLAB_BYTES);

		if (slab == NULL)
			return NULL;
		*(void **)slab = t->slabs;
		t->slabs = slab;
		t->slab_bytes += SLAB_BYTES;
		t->slab_cur = slab + SLAB_STEP; /* the first step holds the link */
		t->slab_left = SLAB_BYTES - SLAB_STEP;
	}
	p = t->slab_cur;
	t->slab_cur += block;
	t->slab_left -= block;
	return p;
}

/* Gives a value's memory back. */
static void value_release(struct tree *t, struct tree_value *v)
{
	size_t size = value_size(v);

	if (size > SLAB_MAX) {
		t->big_bytes -= size;
		free(v);
		return;
	}
	*(void **)v = t->slab_free[(size - 1) / SLAB_STEP];
	t->slab_free[(size - 1) / SLAB_STEP] = v;
}

/* Takes a value out of the tree: freed, or kept until the hold that shows it ends. */
static void value_drop(struct tree *t, struct tree_value *v)
{
	if (v == NULL)
		return;
	t->value_bytes -= value_size(v);
	refund(t, value_size(v), true);
	if (v->held && t->holding) {
		if (t->ndeferred == t->deferred_cap) {
			size_t cap = t->deferred_cap ? t->deferred_cap * 2 : 256;
			struct tree_value **d = realloc(t->deferred, cap * sizeof(*d));

			if (d == NULL) {
				v->held = 0; /* cannot keep it: the hold shows less */
				value_release(t, v);
				return;
			}
			t->deferred = d;
			t->deferred_cap = cap;
		}
		t->deferred[t->ndeferred++] = v;
		return;
	}
	value_release(t, v);
}

/*
 * Slots of the history array of a node holding len >= 2 values. Arrays
 * grow 2, 4, 8... up to the history cap as values come, so a topic that
 * spoke once costs no array, whatever the cap.
 */
static unsigned ring_size(const struct tree *t, unsigned len)
{
	unsigned n = 2;

	while (n < len)
		n *= 2;
	return n < t->lim.history ? n : t->lim.history;
}

/* Frees every value a node holds (and its history array). */
static void node_clear_values(struct tree *t, struct tree_node *n)
{
	if (n->hist_len >= 2) {
		unsigned size = ring_size(t, n->hist_len);

		for (unsigned a = 0; a < n->hist_len; a++)
			value_drop(t, n->v.ring[(n->hist_head + size - a) % size]);
		free(n->v.ring);
		t->ring_bytes -= size * sizeof(*n->v.ring);
		refund(t, size * sizeof(*n->v.ring), false);
	} else if (n->hist_len == 1) {
		value_drop(t, n->v.one);
	}
	n->v.one = NULL;
	n->hist_len = 0;
}

void tree_free(struct tree *t)
{
	if (t == NULL)
		return;
	tree_hold(t, false);
	t->acct = NULL;
	for (size_t i = 0; i < t->nnodes; i++)
		node_clear_values(t, tree_node(t, (tree_id)i));
	while (t->slabs != NULL) {
		void *next = *(void **)t->slabs;

		free(t->slabs);
		t->slabs = next;
	}
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->names);
	free(t->slots);
	free(t->touched);
	free(t);
}

static void note_change(struct tree *t, tree_id id)
{
	if (t->nchanges < CHANGES_MAX)
		t->changes[t->nchanges++] = id;
	else
		t->changes_overflow = true;
}

size_t tree_take_changes(struct tree *t, tree_id *ids, size_t max, bool *overflow)
{
	size_t n = t->nchanges < max ? t->nchanges : max;

	memcpy(ids, t->changes, n * sizeof(*ids));
	*overflow = t->changes_overflow || n < t->nchanges;
	t->nchanges = 0;
	t->changes_overflow = false;
	return n;
}

/* Copies m into a new value, trimmed to the payload cap (tighter once over budget). */
static struct tree_value *value_new(struct tree *t, const struct tree_msg *m)
{
	size_t cap = t->lim.payload_cap ? t->lim.payload_cap : (size_t)UINT32_MAX;
	size_t len = m->len;
	struct tree_value *v;

	if (t->trim && cap > TIGHT_PAYLOAD) {
		cap = TIGHT_PAYLOAD;
		if (m->len > cap)
			t->budget_hits++;
	}
	if (len > cap)
		len = cap;
	v = value_alloc(t, sizeof(*v) + len + m->props_len);
	if (v == NULL)
		return NULL;
	v->time_ms = m->time_ms;
	v->len = (uint32_t)len;
	v->orig_len = m->orig_len > m->len ? m->orig_len : m->len;
	v->props_len = m->props_len;
	v->qos = m->qos;
	v->retained = m->retained;
	v->held = 0;
	if (len)
		memcpy(v->data, m->payload, len);
	if (m->props_len)
		memcpy(v->data + len, m->props, m->props_len);
	t->value_bytes += value_size(v);
	charge(t, value_size(v), true);
	return v;
}

/* Adds v as the newest value of n, evicting the oldest when the history is full. */
static void node_push_value(struct tree *t, struct tree_node *n, struct tree_value *v)
{
	unsigned cap = t->lim.history, len, size;
	struct tree_value **ring;

	/* Past the budget, keep only the newest value of each topic that speaks. */
	if (cap == 1 || t->trim) {
		if (cap > 1 && n->hist_len > 1)
			t->budget_hits += n->hist_len - 1u; /* the newest is replaced anyway */
		node_clear_values(t, n);
	}
	len = n->hist_len;
	if (len == 0) {
		n->v.one = v;
		n->hist_len = 1;
		return;
	}
	if (len == 1) {
		ring = malloc(2 * sizeof(*ring));
		if (ring == NULL) {
			value_drop(t, n->v.one);
			n->v.one = v;
			return;
		}
		t->ring_bytes += 2 * sizeof(*ring);
		charge(t, 2 * sizeof(*ring), false);
		ring[0] = n->v.one;
		ring[1] = v;
		n->v.ring = ring;
		n->hist_head = 1;
		n->hist_len = 2;
		return;
	}
	size = ring_size(t, len);
	if (len == size && size < cap) {
		/* Full but below the cap: grow, oldest first. */
		unsigned nsize = ring_size(t, len + 1);

		ring = malloc(nsize * sizeof(*ring));
		if (ring != NULL) {
			for (unsigned i = 0; i < len; i++)
				ring[i] = n->v.ring[(n->hist_head + 1 + i) % size];
			free(n->v.ring);
			t->ring_bytes += (nsize - size) * sizeof(*ring);
			charge(t, (nsize - size) * sizeof(*ring), false);
			n->v.ring = ring;
			n->hist_head = (uint16_t)(len - 1);
			size = nsize;
		}
	}
	n->hist_head = (uint16_t)((n->hist_head + 1) % size);
	if (len == size)
		value_drop(t, n->v.ring[n->hist_head]); /* the oldest */
	else
		n->hist_len++;
	n->v.ring[n->hist_head] = v;
}

const struct tree_value *tree_value(const struct tree *t, tree_id id, unsigned age)
{
	const struct tree_node *n = tree_node(t, id);
	unsigned size;

	if (age >= n->hist_len)
		return NULL;
	if (n->hist_len == 1)
		return n->v.one;
	size = ring_size(t, n->hist_len);
	return n->v.ring[(n->hist_head + size - age) % size];
}

double tree_rate(const struct tree *t, tree_id id, int64_t now_ms)
{
	const struct tree_node *n = tree_node(t, id);

	return rate_est_get(&n->rate, n->sub_last_ms, now_ms);
}

/* Adjusts sub_topics by delta from n up to the root, noting the topmost node that appeared or
 * vanished. */
static void propagate_topics(struct tree *t, tree_id id, int delta)
{
	tree_id top = TREE_NONE;

	for (; id != TREE_NONE; id = tree_node(t, id)->parent) {
		struct tree_node *n = tree_node(t, id);
		uint32_t before = n->sub_topics;

		n->sub_topics = (uint32_t)((int64_t)n->sub_topics + delta);
		if ((before == 0) != (n->sub_topics == 0) && id != TREE_ROOT)
			top = id;
	}
	if (top != TREE_NONE)
		note_change(t, top);
}

/* ---- holds ---- */

static const struct tree_node hidden_node = {
    .parent = TREE_NONE, .first_child = TREE_NONE, .next_sibling = TREE_NONE};

/* The slot of id in the held index: where it is, or the empty slot where it would go. */
static size_t held_slot(const struct tree *t, tree_id id)
{
	size_t j = ((size_t)id * 0x9e3779b1u) & t->held_mask;

	while (t->held_index[j] != 0 && t->held[t->held_index[j] - 1].id != id)
		j = (j + 1) & t->held_mask;
	return j;
}

static bool held_index_grow(struct tree *t)
{
	size_t cap = t->held_index ? (t->held_mask + 1) * 2 : 1024;
	uint32_t *old = t->held_index;
	size_t old_cap = old ? t->held_mask + 1 : 0;

	t->held_index = calloc(cap, sizeof(*t->held_index));
	if (t->held_index == NULL) {
		t->held_index = old;
		return false;
	}
	t->held_mask = cap - 1;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			t->held_index[held_slot(t, t->held[old[i] - 1].id)] = old[i];
	free(old);
	return true;
}

/* Keeps node id as it is now, before a message changes it (once per hold). */
static void hold_save(struct tree *t, tree_id id)
{
	struct tree_node *n = tree_node(t, id);
	struct held *h;

	if (id >= t->hold_nodes || (n->flags & TREE_F_HELD))
		return;
	if ((t->nheld + 1) * 2 > (t->held_index ? t->held_mask + 1 : 0) && !held_index_grow(t))
		return;
	if (t->nheld == t->held_cap) {
		size_t cap = t->held_cap ? t->held_cap * 2 : 256;
		struct held *nh = realloc(t->held, cap * sizeof(*nh));

		if (nh == NULL)
			return; /* the node shows as it is: better than nothing */
		t->held = nh;
		t->held_cap = cap;
	}
	h = &t->held[t->nheld];
	h->id = id;
	h->node = *n;
	h->vals = NULL;
	if (n->hist_len) {
		h->vals = malloc(n->hist_len * sizeof(*h->vals));
		if (h->vals == NULL)
			h->node.hist_len = 0;
		for (unsigned a = 0; h->vals && a < n->hist_len; a++) {
			h->vals[a] = (struct tree_value *)tree_value(t, id, a);
			h->vals[a]->held = 1;
		}
	}
	t->nheld++;
	t->held_index[held_slot(t, id)] = (uint32_t)t->nheld;
	n->flags |= TREE_F_HELD;
}

void tree_hold(struct tree *t, bool on)
{
	if (on) {
		if (!t->holding) {
			t->holding = true;
			t->hold_nodes = t->nnodes;
			memcpy(t->hold_conn, t->conn, sizeof(t->conn));
		}
		return;
	}
	if (!t->holding)
		return;
	for (size_t i = 0; i < t->nheld; i++) {
		struct held *h = &t->held[i];

		tree_node(t, h->id)->flags &= (uint8_t)~TREE_F_HELD;
		for (unsigned a = 0; a < h->node.hist_len; a++)
			h->vals[a]->held = 0;
		free(h->vals);
	}
	for (size_t i = 0; i < t->ndeferred; i++)
		value_release(t, t->deferred[i]);
	free(t->held);
	free(t->held_index);
	free(t->deferred);
	t->held = NULL;
	t->held_index = NULL;
	t->deferred = NULL;
	t->nheld = t->held_cap = t->held_mask = t->ndeferred = t->deferred_cap = 0;
	t->holding = false;
}

bool tree_holding(const struct tree *t)
{
	return t->holding;
}

/* The held copy of id, or NULL when it has none. */
static const struct held *held_of(const struct tree *t, tree_id id)
{
	uint32_t i;

	if (!t->holding || id >= t->hold_nodes || !(tree_node(t, id)->flags & TREE_F_HELD))
		return NULL;
	i = t->held_index[held_slot(t, id)];
	return i ? &t->held[i - 1] : NULL;
}

const struct tree_node *tree_shown(const struct tree *t, tree_id id)
{
	const struct held *h;

	if (!t->holding)
		return tree_node(t, id);
	if (id >= t->hold_nodes)
		return &hidden_node;
	h = held_of(t, id);
	return h ? &h->node : tree_node(t, id);
}

const struct tree_value *tree_shown_value(const struct tree *t, tree_id id, unsigned age)
{
	const struct held *h;

	if (!t->holding)
		return tree_value(t, id, age);
	if (id >= t->hold_nodes)
		return NULL;
	h = held_of(t, id);
	if (h == NULL)
		return tree_value(t, id, age);
	return age < h->node.hist_len ? h->vals[age] : NULL;
}

double tree_shown_rate(const struct tree *t, tree_id id, int64_t now_ms)
{
	const struct tree_node *n = tree_shown(t, id);

	return rate_est_get(&n->rate, n->sub_last_ms, now_ms);
}

void tree_set_connection(struct tree *t, unsigned slot, uint16_t conn)
{
	if (slot < TREE_CONN_SLOTS)
		t->conn[slot] = conn;
}

bool tree_shown_stale(const struct tree *t, const struct tree_node *n)
{
	unsigned slot = TREE_CONN_SLOT(n->conn);
	uint16_t now = t->holding ? t->hold_conn[slot] : t->conn[slot];

	return now != 0 && (n->flags & TREE_F_VALUE) && n->conn != now;
}

size_t tree_mark_gone(struct tree *t, unsigned slot,
                      bool (*covered)(void *ctx, const char *topic, size_t len), void *ctx)
{
	size_t marked = 0;
	char stack_path[1024];
	char *path = stack_path;
	size_t cap = sizeof(stack_path);

	if (slot >= TREE_CONN_SLOTS || t->conn[slot] == 0)
		return 0;
	for (tree_id id = 1; id < t->nnodes; id++) {
		struct tree_node *n = tree_node(t, id);
		size_t len;

		if ((n->flags & (TREE_F_VALUE | TREE_F_RETAINED | TREE_F_GONE)) !=
		        (TREE_F_VALUE | TREE_F_RETAINED) ||
		    TREE_CONN_SLOT(n->conn) != slot || n->conn == t->conn[slot])
			continue;
		len = tree_path(t, id, path, cap);
		if (len >= cap) {
			char *big = malloc(len + 1);

			if (big == NULL)
				continue;
			if (path != stack_path)
				free(path);
			path = big;
			cap = len + 1;
			tree_path(t, id, path, cap);
		}
		if (!covered(ctx, path, len))
			continue;
		if (t->holding)
			hold_save(t, id);
		n->flags |= TREE_F_GONE;
		marked++;
	}
	if (path != stack_path)
		free(path);
	return marked;
}

bool tree_shown_hidden(const struct tree *t, tree_id id)
{
	return tree_shown(t, id)->sub_topics == 0;
}

/* Notes a topic that took a message, once until the next tree_take_touched. */
static void touch(struct tree *t, tree_id id, struct tree_node *n)
{
	if (t->ntouched == t->touched_cap) {
		size_t cap = t->touched_cap ? t->touched_cap * 2 : 1024;
		tree_id *nt = realloc(t->touched, cap * sizeof(*nt));

		if (nt == NULL)
			return; /* not noted: the next full sort finds it */
		t->touched = nt;
		t->touched_cap = cap;
	}
	t->touched[t->ntouched++] = id;
	n->flags |= TREE_F_TOUCHED;
}

void tree_track_touched(struct tree *t, bool on)
{
	for (size_t i = 0; i < t->ntouched; i++)
		tree_node(t, t->touched[i])->flags &= (uint8_t)~TREE_F_TOUCHED;
	t->ntouched = 0;
	t->tracking = on;
	if (!on) {
		free(t->touched);
		t->touched = NULL;
		t->touched_cap = 0;
	}
}

size_t tree_take_touched(struct tree *t, tree_id **ids, size_t *cap)
{
	size_t n = t->ntouched;

	if (*cap < n) {
		tree_id *grown = realloc(*ids, n * sizeof(**ids));

		if (grown == NULL) {
			tree_track_touched(t, t->tracking);
			return 0;
		}
		*ids = grown;
		*cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		(*ids)[i] = t->touched[i];
		tree_node(t, t->touched[i])->flags &= (uint8_t)~TREE_F_TOUCHED;
	}
	t->ntouched = 0;
	return n;
}

tree_id tree_insert(struct tree *t, const char *topic, size_t len, const struct tree_msg *m)
{
	tree_id id = TREE_ROOT;
	const char *p = topic, *end = topic + len;
	struct tree_node *n;
	bool had;

	t->acct = NULL;
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t l = slash ? (size_t)(slash - p) : (size_t)(end - p);
		uint32_t h = hash_level(id, p, l);
		tree_id c = child_find(t, id, p, l, h);

		if (c == TREE_NONE) {
			if (t->lim.max_topics && t->nnodes >= t->lim.max_topics + 1) {
				t->refused[TREE_BOUND_TOPICS]++;
				return TREE_NONE;
			}
			if (tree_node(t, id)->depth == UINT16_MAX) {
				t->refused[TREE_BOUND_DEPTH]++;
				return TREE_NONE;
			}
			if (t->names_len + l > t->lim.name_budget) {
				t->refused[TREE_BOUND_NAMES]++;
				return TREE_NONE;
			}
			if (t->holding)
				hold_save(t, id); /* its children change */
			c = node_alloc(t, id, p, l, h);
			if (c == TREE_NONE) {
				t->refused[TREE_BOUND_MEMORY]++;
				return TREE_NONE;
			}
			if (id == TREE_ROOT)
				t->acct = branch_of(t, c);
			charge(t, sizeof(struct tree_node) + l, false);
		} else if (id == TREE_ROOT) {
			t->acct = branch_of(t, c);
		}
		id = c;
		if (slash == NULL)
			break;
		p = slash + 1;
	}

	if (t->holding)
		for (tree_id a = id; a != TREE_NONE; a = tree_node(t, a)->parent)
			hold_save(t, a);
	n = tree_node(t, id);
	had = n->flags & TREE_F_VALUE;
	if (t->tracking && !(n->flags & TREE_F_TOUCHED))
		touch(t, id, n);
	n->msgs++;
	n->qos = m->qos;
	n->conn = m->conn;
	n->flags &= (uint8_t)~TREE_F_GONE; /* the broker has it after all */
	if (n->first_ms == 0)
		n->first_ms = m->time_ms;
	n->last_ms = m->time_ms;
	for (tree_id a = id; a != TREE_NONE; a = tree_node(t, a)->parent) {
		struct tree_node *an = tree_node(t, a);

		an->sub_msgs++;
		rate_est_add(&an->rate, an->sub_last_ms, m->time_ms);
		an->sub_last_ms = m->time_ms;
	}

	if (m->len == 0 && m->orig_len == 0) {
		/* An empty payload clears the topic (how retained messages are deleted). */
		node_clear_values(t, n);
		n->flags &= (uint8_t) ~(TREE_F_VALUE | TREE_F_RETAINED);
		if (had)
			propagate_topics(t, id, -1);
		return id;
	}

	t->over_budget =
	    t->lim.value_budget && t->value_bytes + t->extra_bytes > t->lim.value_budget;
	t->trim = trims(t);
	struct tree_value *v = value_new(t, m);
	if (v != NULL)
		node_push_value(t, n, v);
	n->flags |= TREE_F_VALUE;
	if (m->retained)
		n->flags |= TREE_F_RETAINED;
	else
		n->flags &= (uint8_t)~TREE_F_RETAINED;
	if (!had)
		propagate_topics(t, id, +1);
	return id;
}

tree_id tree_find(const struct tree *t, const char *topic, size_t len)
{
	tree_id id = TREE_ROOT;
	const char *p = topic, *end = topic + len;

	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t l = slash ? (size_t)(slash - p) : (size_t)(end - p);

		id = child_find(t, id, p, l, hash_level(id, p, l));
		if (id == TREE_NONE || slash == NULL)
			return id;
		p = slash + 1;
	}
}

size_t tree_path(const struct tree *t, tree_id id, char *buf, size_t cap)
{
	size_t total = 0, pos;
	tree_id a;

	if (cap == 0)
		return 0;
	for (a = id; a != TREE_ROOT && a != TREE_NONE; a = tree_node(t, a)->parent)
		total += tree_node(t, a)->name_len + (tree_node(t, a)->parent != TREE_ROOT);
	/* Fill from the end so each level is copied once. */
	pos = total;
	for (a = id; a != TREE_ROOT && a != TREE_NONE; a = tree_node(t, a)->parent) {
		const struct tree_node *n = tree_node(t, a);

		pos -= n->name_len;
		for (size_t i = 0; i < n->name_len; i++)
			if (pos + i < cap - 1)
				buf[pos + i] = t->names[n->name_off + i];
		if (n->parent != TREE_ROOT) {
			pos--;
			if (pos < cap - 1)
				buf[pos] = '/';
		}
	}
	buf[total < cap - 1 ? total : cap - 1] = '\0';
	return total;
}

bool tree_hidden(const struct tree *t, tree_id id)
{
	return tree_node(t, id)->sub_topics == 0;
}

bool tree_is_ancestor(const struct tree *t, tree_id a, tree_id id)
{
	for (; id != TREE_NONE; id = tree_node(t, id)->parent)
		if (id == a)
			return true;
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

int tree_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		if (is_digit(a[i]) && is_digit(b[j])) {
			size_t si = i, sj = j, li, lj;

			while (si < alen && a[si] == '0')
				si++;
			while (sj < blen && b[sj] == '0')
				sj++;
			for (li = si; li < alen && is_digit(a[li]); li++)
				;
			for (lj = sj; lj < blen && is_digit(b[lj]); lj++)
				;
			if (li - si != lj - sj)
				return li - si < lj - sj ? -1 : 1;
			int c = memcmp(a + si, b + sj, li - si);
			if (c)
				return c;
			i = li;
			j = lj;
			continue;
		}
		if (lower(a[i]) != lower(b[j]))
			return (uint8_t)lower(a[i]) < (uint8_t)lower(b[j]) ? -1 : 1;
		i++;
		j++;
	}
	if (i < alen || j < blen)
		return i < alen ? 1 : -1;
	/* Equal ignoring case and leading zeros: fall back to bytes for a total order. */
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

static int child_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct tree *t = ctx;
	const struct tree_node *a = tree_node(t, *(const tree_id *)pa);
	const struct tree_node *b = tree_node(t, *(const tree_id *)pb);

	return tree_name_cmp(t->names + a->name_off, a->name_len, t->names + b->name_off,
	                     b->name_len);
}

size_t tree_children_sorted(const struct tree *t, tree_id id, tree_id **out, size_t *cap)
{
	const struct tree_node *n = tree_node(t, id);
	size_t k = 0;

	if (*cap < n->nchildren) {
		size_t nc = n->nchildren + 16;
		tree_id *o = realloc(*out, nc * sizeof(*o));

		if (o == NULL)
			return 0;
		*out = o;
		*cap = nc;
	}
	for (tree_id c = n->first_child; c != TREE_NONE; c = tree_node(t, c)->next_sibling)
		if (!tree_shown_hidden(t, c))
			(*out)[k++] = c;
	if (k > 1)
		qsort_r(*out, k, sizeof(tree_id), child_cmp, (void *)t);
	return k;
}

size_t tree_node_count(const struct tree *t)
{
	return t->nnodes;
}

uint64_t tree_topic_count(const struct tree *t)
{
	return tree_node(t, TREE_ROOT)->sub_topics;
}

uint64_t tree_msg_count(const struct tree *t)
{
	return tree_node(t, TREE_ROOT)->sub_msgs;
}

size_t tree_mem_bytes(const struct tree *t)
{
	size_t held = t->held_cap * sizeof(struct held) + t->deferred_cap * sizeof(void *) +
	              (t->held_index ? (t->held_mask + 1) * sizeof(uint32_t) : 0);

	return t->nchunks * CHUNK_NODES * sizeof(struct tree_node) + t->names_cap +
	       (t->slot_mask + 1) * sizeof(struct slot) + t->slab_bytes + t->big_bytes +
	       t->ring_bytes + held + t->extra_bytes;
}

void tree_count_branches(struct tree *t)
{
	t->count_branches = true;
}

size_t tree_branch_bytes(const struct tree *t, tree_id top)
{
	for (size_t i = 0; i < t->nbranches; i++)
		if (t->branch[i].id == top)
			return t->branch[i].bytes;
	return 0;
}

void tree_set_extra_bytes(struct tree *t, size_t bytes)
{
	t->extra_bytes = bytes;
}

uint64_t tree_refused(const struct tree *t)
{
	uint64_t n = 0;

	for (int b = 0; b < TREE_BOUNDS; b++)
		n += t->refused[b];
	return n;
}

uint64_t tree_refused_by(const struct tree *t, enum tree_bound b)
{
	return t->refused[b];
}

uint64_t tree_budget_hits(const struct tree *t)
{
	return t->budget_hits;
}

bool tree_over_budget(const struct tree *t)
{
	return t->over_budget;
}

unsigned tree_history_cap(const struct tree *t)
{
	return t->lim.history;
}

bool tree_has_retained(const struct tree *t, tree_id id)
{
	const struct tree_node *n = tree_node(t, id);

	if (!(n->flags & TREE_F_VALUE))
		return false;
	if (n->flags & TREE_F_RETAINED)
		return true;
	for (unsigned age = 1; age < n->hist_len; age++) {
		const struct tree_value *v = tree_value(t, id, age);

		if (v && v->retained)
			return true;
	}
	return false;
}

size_t tree_retained_under(const struct tree *t, tree_id root, tree_id **out)
{
	size_t n = 0, cap = 0, sp = 0, scap = 64;
	tree_id *stack = xmalloc(scap * sizeof(*stack));

	*out = NULL;
	stack[sp++] = root;
	while (sp > 0) {
		tree_id id = stack[--sp];

		if (tree_has_retained(t, id)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				*out = xrealloc(*out, cap * sizeof(**out));
			}
			(*out)[n++] = id;
		}
		for (tree_id c = tree_node(t, id)->first_child; c != TREE_NONE;
		     c = tree_node(t, c)->next_sibling) {
			if (tree_hidden(t, c))
				continue;
			if (sp == scap) {
				scap *= 2;
				stack = xrealloc(stack, scap * sizeof(*stack));
			}
			stack[sp++] = c;
		}
	}
	free(stack);
	return n;
}

struct tree_msg tree_msg_of(const struct msg_view *v)
{
	struct tree_msg m = {
	    .payload = v->payload,
	    .len = v->h->len,
	    .orig_len = v->h->orig_len,
	    .props = v->props,
	    .props_len = v->h->props_len,
	    .time_ms = v->h->time_ms,
	    .qos = v->h->qos,
	    .retained = v->h->retain,
	    .conn = v->h->conn,
	};
	return m;
}
