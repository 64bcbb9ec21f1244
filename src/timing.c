/* timing.c: per-topic timing records: a window of intervals, duplicates, payload timestamps. */
#include "mqscope/timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/timestamp.h"
#include "mqscope/util.h"

#define CHUNK_BITS 8
#define CHUNK_RECS ((size_t)1 << CHUNK_BITS)

/*
 * Searching every JSON payload for a timestamp would cost a byte scan per
 * message; a topic instead learns whether its payloads carry one. It is
 * probed on its first messages, then on every one while they do, and only
 * on every PROBE_EVERY-th once they do not.
 */
#define PROBE_FIRST 4
#define PROBE_LOSE  16
#define PROBE_EVERY 64

enum ts_state { TS_PROBE, TS_YES, TS_NO };

/*
 * What every message reads and writes, then its window of intervals: two
 * cache lines a message. The timestamp figures live apart (struct stamp),
 * for the topics that have them.
 */
struct rec {
	int64_t last_ms; /* arrival of the latest message; 0 = none to measure from */
	uint64_t hash;   /* of the latest payload */
	uint64_t msgs;
	uint32_t dups;  /* saturating */
	uint32_t nint;  /* intervals in all, saturating */
	uint32_t stamp; /* its struct stamp + 1, or 0 */
	float jitter;
	uint16_t prev_iv; /* the latest interval, encoded */
	uint8_t head;     /* next slot of iv */
	uint8_t ts_state;
	uint8_t ts_miss;
	uint8_t has_hash;
	uint16_t iv[TIMING_WINDOW]; /* encoded (iv_encode) */
} __attribute__((aligned(64)));

/* A topic's payload timestamps. */
struct stamp {
	int64_t last_ts; /* the newest seen */
	uint64_t stamped, ooo;
	int64_t delay_sum;
	int32_t delay_last, delay_min, delay_max; /* ms, saturating */
};

struct timing {
	uint32_t *idx; /* per node id: record number + 1, or 0 */
	size_t idx_cap;
	struct rec **chunks;
	size_t nchunks, nrecs;
	struct stamp *stamps;
	size_t nstamps, stamps_cap;
	uint64_t refused;
};

/*
 * Intervals in 16 bits, in an order-keeping code: exact below 8192 ms, then
 * 12 significant bits (0.02%) with a 4-bit exponent, up to 37 hours.
 */
static uint16_t iv_encode(int64_t ms)
{
	int e;

	if (ms <= 0)
		return 0;
	if (ms < 4096)
		return (uint16_t)ms;
	e = 63 - __builtin_clzll((uint64_t)ms) - 11;
	if (e > 15)
		return UINT16_MAX;
	return (uint16_t)(e << 12 | (int)((ms >> (e - 1)) - 4096));
}

static int64_t iv_decode(uint16_t c)
{
	int e = c >> 12;
	int64_t m = c & 0xfff;

	return e == 0 ? m : (4096 + m) << (e - 1);
}

struct timing *timing_new(void)
{
	return xcalloc(1, sizeof(struct timing));
}

void timing_free(struct timing *tm)
{
	if (tm == NULL)
		return;
	for (size_t i = 0; i < tm->nchunks; i++)
		free(tm->chunks[i]);
	free(tm->chunks);
	free(tm->idx);
	free(tm->stamps);
	free(tm);
}

static struct rec *rec_at(const struct timing *tm, size_t r)
{
	return &tm->chunks[r >> CHUNK_BITS][r & (CHUNK_RECS - 1)];
}

static struct rec *rec_of(const struct timing *tm, tree_id id)
{
	if (id >= tm->idx_cap || tm->idx[id] == 0)
		return NULL;
	return rec_at(tm, tm->idx[id] - 1);
}

/* A new zeroed record for id, or NULL when memory ran out. */
static struct rec *rec_new(struct timing *tm, tree_id id)
{
	struct rec *r;

	if (id >= tm->idx_cap) {
		size_t ncap = tm->idx_cap ? tm->idx_cap : 1024;
		uint32_t *ni;

		while (ncap <= id)
			ncap *= 2;
		ni = realloc(tm->idx, ncap * sizeof(*ni));
		if (ni == NULL)
			return NULL;
		memset(ni + tm->idx_cap, 0, (ncap - tm->idx_cap) * sizeof(*ni));
		tm->idx = ni;
		tm->idx_cap = ncap;
	}
	if ((tm->nrecs & (CHUNK_RECS - 1)) == 0) {
		struct rec **nc = realloc(tm->chunks, (tm->nchunks + 1) * sizeof(*nc));

		if (nc == NULL)
			return NULL;
		tm->chunks = nc;
		tm->chunks[tm->nchunks] = aligned_alloc(64, CHUNK_RECS * sizeof(struct rec));
		if (tm->chunks[tm->nchunks] == NULL)
			return NULL;
		tm->nchunks++;
	}
	r = rec_at(tm, tm->nrecs);
	memset(r, 0, sizeof(*r));
	tm->idx[id] = (uint32_t)++tm->nrecs;
	return r;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t fold(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x100000001b3ull;
	return h ^ h >> 29;
}

/* Folds len bytes at p into h, eight at a time; a short end is read as the last eight. */
static uint64_t hash_bytes(uint64_t h, const unsigned char *p, size_t len)
{
	uint64_t w = 0;
	size_t i = 0;

	if (len < 8) {
		for (; i < len; i++)
			w = w << 8 | p[i];
		return fold(h, w);
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = fold(h, w);
	}
	if (i < len) {
		memcpy(&w, p + len - 8, 8);
		h = fold(h, w);
	}
	return h;
}

uint64_t timing_hash(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;

	if (len <= TIMING_HASH_WHOLE)
		return mix(hash_bytes(h, b, len));
	h = hash_bytes(h, b, TIMING_HASH_WHOLE / 2);
	return mix(hash_bytes(h, b + len - TIMING_HASH_WHOLE / 2, TIMING_HASH_WHOLE / 2));
}

/* Adds one interval to the window and the jitter. */
static void add_interval(struct rec *r, int64_t iv)
{
	uint16_t c = iv_encode(iv);

	if (r->nint > 0) {
		float d = (float)iv_decode(c) - (float)iv_decode(r->prev_iv);

		r->jitter += ((d < 0 ? -d : d) - r->jitter) / 16.0f;
	}
	r->iv[r->head] = c;
	r->head = (uint8_t)((r->head + 1) % TIMING_WINDOW);
	r->prev_iv = c;
	if (r->nint < UINT32_MAX)
		r->nint++;
}

/* Whether this message's payload should be searched for a timestamp. */
static bool want_probe(const struct rec *r)
{
	return r->ts_state != TS_NO || r->msgs % PROBE_EVERY == 0;
}

static void note_probe(struct rec *r, bool found)
{
	if (found) {
		r->ts_state = TS_YES;
		r->ts_miss = 0;
		return;
	}
	if (r->ts_miss < UINT8_MAX)
		r->ts_miss++;
	if ((r->ts_state == TS_PROBE && r->ts_miss >= PROBE_FIRST) ||
	    (r->ts_state == TS_YES && r->ts_miss >= PROBE_LOSE))
		r->ts_state = TS_NO;
}

static int32_t clamp32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* The timestamp figures of r, made on its first stamped message; NULL without memory. */
static struct stamp *stamp_of(struct timing *tm, struct rec *r)
{
	struct stamp *st;

	if (r->stamp)
		return &tm->stamps[r->stamp - 1];
	if (tm->nstamps == tm->stamps_cap) {
		size_t ncap = tm->stamps_cap ? tm->stamps_cap * 2 : 64;
		struct stamp *ns = realloc(tm->stamps, ncap * sizeof(*ns));

		if (ns == NULL)
			return NULL;
		tm->stamps = ns;
		tm->stamps_cap = ncap;
	}
	st = &tm->stamps[tm->nstamps];
	memset(st, 0, sizeof(*st));
	st->last_ts = TIMING_NO_TS;
	r->stamp = (uint32_t)++tm->nstamps;
	return st;
}

static void add_stamp(struct timing *tm, struct rec *r, int64_t ts, int64_t arrival)
{
	struct stamp *st = stamp_of(tm, r);
	int32_t delay = clamp32(arrival - ts);

	if (st == NULL)
		return;
	if (st->stamped == 0 || delay < st->delay_min)
		st->delay_min = delay;
	if (st->stamped == 0 || delay > st->delay_max)
		st->delay_max = delay;
	st->delay_last = delay;
	st->delay_sum += delay;
	st->stamped++;
	if (st->last_ts != TIMING_NO_TS && ts < st->last_ts)
		st->ooo++;
	else
		st->last_ts = ts;
}

/*
 * The record of a topic at its second message: the first message's time
 * is the node's first_ms, and its payload the previous history value when
 * the history keeps one. Whether it was retained is known only from that
 * value; without it the first interval is left out.
 */
static struct rec *first_record(struct timing *tm, const struct tree *t, tree_id id)
{
	const struct tree_node *n = tree_node(t, id);
	const struct tree_value *prev = n->msgs == 2 ? tree_value(t, id, 1) : NULL;
	struct rec *r = rec_new(tm, id);

	if (r == NULL)
		return NULL;
	r->msgs = 1;
	if (prev != NULL) {
		r->hash = timing_hash(prev->data, prev->len) ^ prev->orig_len;
		r->has_hash = 1;
		if (!prev->retained)
			r->last_ms = n->first_ms;
	}
	return r;
}

void timing_note(struct timing *tm, const struct tree *t, tree_id id, const struct timing_msg *m,
                 bool grow)
{
	struct rec *r = rec_of(tm, id);
	uint64_t h;
	int64_t ts = m->ts_ms;

	if (r == NULL) {
		if (tree_node(t, id)->msgs < 2)
			return;
		if (!grow) {
			tm->refused++;
			return;
		}
		r = first_record(tm, t, id);
		if (r == NULL) {
			tm->refused++;
			return;
		}
	}
	r->msgs++;
	if (r->last_ms != 0)
		add_interval(r, m->time_ms - r->last_ms);
	r->last_ms = m->time_ms;

	h = timing_hash(m->payload, m->len) ^ m->orig_len;
	if (r->has_hash && h == r->hash && r->dups < UINT32_MAX)
		r->dups++;
	r->hash = h;
	r->has_hash = 1;

	if (ts == TIMING_NO_TS && m->len > 0 && m->len == m->orig_len && want_probe(r)) {
		bool found = timestamp_from_json(m->payload, m->len, &ts);

		note_probe(r, found);
		if (!found)
			ts = TIMING_NO_TS;
	}
	if (ts != TIMING_NO_TS)
		add_stamp(tm, r, ts, m->time_ms);
}

/* Insertion sort: at most TIMING_WINDOW codes. */
static void sort_codes(uint16_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint16_t v = a[i];
		size_t j = i;

		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Copies the window of r into out, sorted (the code keeps the order); returns how many. */
static size_t sorted_window(const struct rec *r, uint16_t *out)
{
	size_t n = r->nint < TIMING_WINDOW ? r->nint : TIMING_WINDOW;

	/* Until the window wraps, the first n slots are the filled ones. */
	memcpy(out, r->iv, n * sizeof(*out));
	sort_codes(out, n);
	return n;
}

static int64_t median_of(const uint16_t *s, size_t n)
{
	if (n % 2)
		return iv_decode(s[n / 2]);
	return (iv_decode(s[n / 2 - 1]) + iv_decode(s[n / 2])) / 2;
}

bool timing_stats(const struct timing *tm, tree_id id, struct timing_stats *out)
{
	const struct rec *r = rec_of(tm, id);
	uint16_t s[TIMING_WINDOW];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return false;
	n = sorted_window(r, s);
	out->msgs = r->msgs;
	out->intervals = (uint32_t)n;
	if (n) {
		size_t p95 = (n * 95 + 99) / 100; /* nearest rank */

		out->iv_min = iv_decode(s[0]);
		out->iv_max = iv_decode(s[n - 1]);
		out->iv_median = median_of(s, n);
		out->iv_p95 = iv_decode(s[p95 - 1]);
	}
	out->jitter_ms = r->nint > 1 ? r->jitter : 0.0;
	out->dups = r->dups;
	if (r->stamp) {
		const struct stamp *st = &tm->stamps[r->stamp - 1];

		out->stamped = st->stamped;
		out->out_of_order = st->ooo;
		out->delay_last = st->delay_last;
		out->delay_min = st->delay_min;
		out->delay_max = st->delay_max;
		out->delay_mean = st->stamped ? st->delay_sum / (int64_t)st->stamped : 0;
	}
	return true;
}

uint32_t timing_intervals(const struct timing *tm, tree_id id)
{
	const struct rec *r = rec_of(tm, id);

	return r ? r->nint : 0;
}

int64_t timing_median(const struct timing *tm, tree_id id)
{
	const struct rec *r = rec_of(tm, id);
	uint16_t s[TIMING_WINDOW];
	size_t n;

	if (r == NULL || (n = sorted_window(r, s)) == 0)
		return -1;
	return median_of(s, n);
}

/*
 * A burst is a run of intervals each under 1/BURST_RATIO of the gap before
 * the run, and all together under 1/BURST_SPAN of it; anything longer is a
 * change of pace, not a burst.
 */
#define BURST_RATIO 8
#define BURST_SPAN  4

int64_t timing_usual(const struct timing *tm, tree_id id)
{
	const struct rec *r = rec_of(tm, id);
	uint16_t p[TIMING_WINDOW];
	size_t n, start, np = 0;
	int64_t ref = 0, span = 0, cur = -1;

	if (r == NULL || r->nint == 0)
		return -1;
	n = r->nint < TIMING_WINDOW ? r->nint : TIMING_WINDOW;
	start = r->nint < TIMING_WINDOW ? 0 : r->head;
	/* The gap before the oldest interval is unknown: the longest stands in for it. */
	for (size_t i = 0; i < n; i++)
		if (iv_decode(r->iv[i]) > ref)
			ref = iv_decode(r->iv[i]);
	for (size_t i = 0; i < n; i++) {
		int64_t iv = iv_decode(r->iv[(start + i) % TIMING_WINDOW]);

		if (iv * BURST_RATIO < ref && (span + iv) * BURST_SPAN <= ref) {
			span += iv;
			if (cur >= 0)
				cur += iv; /* one period: the gap and the burst after it */
			continue;          /* before any gap: a burst begun before the window */
		}
		if (cur >= 0)
			p[np++] = iv_encode(cur);
		cur = ref = iv;
		span = 0;
	}
	p[np++] = iv_encode(cur);
	sort_codes(p, np);
	return median_of(p, np);
}

int64_t timing_last(const struct timing *tm, tree_id id)
{
	const struct rec *r = rec_of(tm, id);

	return r ? r->last_ms : 0;
}

size_t timing_mem_bytes(const struct timing *tm)
{
	return tm->idx_cap * sizeof(*tm->idx) + tm->nchunks * CHUNK_RECS * sizeof(struct rec) +
	       tm->nchunks * sizeof(*tm->chunks) + tm->stamps_cap * sizeof(*tm->stamps);
}

uint64_t timing_refused(const struct timing *tm)
{
	return tm->refused;
}

void timing_fmt_ms(char *buf, size_t cap, int64_t ms)
{
	const char *sign = ms < 0 ? "-" : "";
	uint64_t a = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms, s = a / 1000;

	if (a < 1000)
		snprintf(buf, cap, "%s%llu ms", sign, (unsigned long long)a);
	else if (a < 10000)
		snprintf(buf, cap, "%s%.2f s", sign, (double)a / 1000);
	else if (a < 60000)
		snprintf(buf, cap, "%s%.1f s", sign, (double)a / 1000);
	else if (s < 3600)
		snprintf(buf, cap, "%s%llum%02llus", sign, (unsigned long long)(s / 60),
		         (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, cap, "%s%lluh%02llum", sign, (unsigned long long)(s / 3600),
		         (unsigned long long)(s / 60 % 60));
	else
		snprintf(buf, cap, "%s%llud%02lluh", sign, (unsigned long long)(s / 86400),
		         (unsigned long long)(s / 3600 % 24));
}

void timing_line_intervals(const struct timing_stats *st, char *buf, size_t cap)
{
	char n[32], med[24], lo[24], p95[24], hi[24], jit[24];

	fmt_count(n, sizeof(n), st->msgs ? st->msgs : 1);
	if (st->intervals == 0) {
		snprintf(buf, cap, "%s %s", n, st->msgs > 1 ? "msgs" : "msg");
		return;
	}
	timing_fmt_ms(med, sizeof(med), st->iv_median);
	timing_fmt_ms(lo, sizeof(lo), st->iv_min);
	timing_fmt_ms(p95, sizeof(p95), st->iv_p95);
	timing_fmt_ms(hi, sizeof(hi), st->iv_max);
	timing_fmt_ms(jit, sizeof(jit), (int64_t)(st->jitter_ms + 0.5));
	snprintf(buf, cap, "%s msgs, every %s (min %s, p95 %s, max %s), jitter %s", n, med, lo, p95,
	         hi, jit);
}

void timing_line_payload(const struct timing_stats *st, char *buf, size_t cap)
{
	size_t o = 0;
	int w;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (st->dups) {
		char n[32];

		fmt_count(n, sizeof(n), st->dups);
		w = snprintf(buf, cap, "%s duplicate%s", n, st->dups == 1 ? "" : "s");
		o = w > 0 ? (size_t)w : 0;
	}
	if (st->stamped && o < cap) {
		char mean[24], lo[24], hi[24], last[24];

		timing_fmt_ms(mean, sizeof(mean),
		              st->delay_mean < 0 ? -st->delay_mean : st->delay_mean);
		timing_fmt_ms(lo, sizeof(lo), st->delay_min);
		timing_fmt_ms(hi, sizeof(hi), st->delay_max);
		timing_fmt_ms(last, sizeof(last), st->delay_last);
		w = snprintf(buf + o, cap - o, "%stimestamps %s %s (%s .. %s, last %s)",
		             o ? ", " : "", mean, st->delay_mean < 0 ? "ahead" : "behind", lo, hi,
		             last);
		o += w > 0 ? (size_t)w : 0;
	}
	if (st->out_of_order && o < cap) {
		char n[32];

		fmt_count(n, sizeof(n), st->out_of_order);
		snprintf(buf + o, cap - o, ", %s out of order", n);
	}
}
