/* diff.c: a line diff of two documents (Myers' algorithm), with context and hunk headers. */
#include "mqscope/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

#define DIFF_DMAX  1000 /* edit distance beyond which a diff falls back to replace-all */
#define DIFF_LINES (1u << 20)

enum { OP_SAME, OP_DEL, OP_ADD };

struct diff_op {
	uint8_t kind;
	uint32_t a, b; /* line in a (SAME, DEL) and in b (SAME, ADD) */
};

struct diff_ctx {
	const struct pdoc *a, *b;
	uint64_t *ha, *hb; /* hashes of the middle lines */
	size_t pre;
	struct diff_op *ops;
	size_t nops, ops_cap;
};

static uint64_t line_hash(const struct pdoc *d, size_t i)
{
	const struct pline *l = &d->lines[i];
	uint64_t h = 1469598103934665603ull ^ l->depth;

	for (uint32_t k = 0; k < l->len; k++)
		h = (h ^ (uint8_t)d->text[l->off + k]) * 1099511628211ull;
	return h;
}

static bool line_eq(const struct pdoc *a, size_t i, const struct pdoc *b, size_t j)
{
	const struct pline *x = &a->lines[i], *y = &b->lines[j];

	return x->len == y->len && x->depth == y->depth &&
	       memcmp(a->text + x->off, b->text + y->off, x->len) == 0;
}

static bool mid_eq(const struct diff_ctx *c, size_t x, size_t y)
{
	return c->ha[x] == c->hb[y] && line_eq(c->a, c->pre + x, c->b, c->pre + y);
}

static void op_push(struct diff_ctx *c, uint8_t kind, size_t a, size_t b)
{
	if (c->nops == c->ops_cap) {
		c->ops_cap = c->ops_cap ? c->ops_cap * 2 : 256;
		c->ops = xrealloc(c->ops, c->ops_cap * sizeof(*c->ops));
	}
	c->ops[c->nops].kind = kind;
	c->ops[c->nops].a = (uint32_t)a;
	c->ops[c->nops].b = (uint32_t)b;
	c->nops++;
}

/*
 * Myers' O(ND) diff of the middle parts (n lines of a, m of b). Appends the
 * script in order; false when the edit distance exceeds DIFF_DMAX.
 */
static bool myers(struct diff_ctx *c, size_t n, size_t m)
{
	long N = (long)n, M = (long)m, max = N + M, dmax = max < DIFF_DMAX ? max : DIFF_DMAX;
	long *v = xcalloc((size_t)(2 * dmax + 3), sizeof(long));
	long *trace = NULL, found = -1;
	size_t trace_len = 0;
	long off = dmax + 1;
	size_t first = c->nops;

	for (long d = 0; d <= dmax && found < 0; d++) {
		/* Keep v[-(d-1)..d-1] as it was before step d: the backtrack needs it. */
		if (d > 0) {
			trace = xrealloc(trace, (trace_len + (size_t)(2 * d - 1)) * sizeof(long));
			memcpy(trace + trace_len, v + off - (d - 1),
			       (size_t)(2 * d - 1) * sizeof(long));
			trace_len += (size_t)(2 * d - 1);
		}
		for (long k = -d; k <= d; k += 2) {
			long x, y;

			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < N && y < M && mid_eq(c, (size_t)x, (size_t)y))
				x++, y++;
			v[off + k] = x;
			if (x >= N && y >= M) {
				found = d;
				break;
			}
		}
	}
	free(v);
	if (found < 0) {
		free(trace);
		return false;
	}
	/* Walk back from (N, M), collecting the script in reverse. */
	long x = N, y = M;
	for (long d = found; d >= 0; d--) {
		long k = x - y, prev_k, prev_x, prev_y;

		if (d == 0) {
			while (x > 0 && y > 0) {
				op_push(c, OP_SAME, (size_t)(x - 1), (size_t)(y - 1));
				x--, y--;
			}
			break;
		}
		const long *tv = trace + (size_t)((d - 1) * (d - 1)); /* v[-(d-1)..d-1] */
#define TV(kk) tv[(kk) + (d - 1)]
		if (k == -d || (k != d && TV(k - 1) < TV(k + 1)))
			prev_k = k + 1;
		else
			prev_k = k - 1;
		prev_x = TV(prev_k);
#undef TV
		prev_y = prev_x - prev_k;
		while (x > prev_x && y > prev_y) {
			op_push(c, OP_SAME, (size_t)(x - 1), (size_t)(y - 1));
			x--, y--;
		}
		if (x == prev_x)
			op_push(c, OP_ADD, (size_t)prev_x, (size_t)prev_y);
		else
			op_push(c, OP_DEL, (size_t)prev_x, (size_t)prev_y);
		x = prev_x;
		y = prev_y;
	}
	free(trace);
	/* Reverse into order. */
	for (size_t i = first, j = c->nops - 1; i < j; i++, j--) {
		struct diff_op t = c->ops[i];
		c->ops[i] = c->ops[j];
		c->ops[j] = t;
	}
	return true;
}

/* Appends line i of src to out as a line of kind. */
static void copy_line(struct pdoc *out, const struct pdoc *src, size_t i, enum pline_kind kind)
{
	const struct pline *l = &src->lines[i];

	pdoc_add_line(out, src->text + l->off, l->len, src->style ? src->style + l->off : NULL,
	              l->depth, kind);
}

size_t diff_docs(const struct pdoc *a, const struct pdoc *b, size_t context, struct pdoc *out)
{
	struct diff_ctx c = {.a = a, .b = b};
	size_t na = a->nlines, nb = b->nlines, pre = 0, suf = 0, changed = 0;

	pdoc_clear(out);
	while (pre < na && pre < nb && line_eq(a, pre, b, pre))
		pre++;
	while (suf < na - pre && suf < nb - pre && line_eq(a, na - 1 - suf, b, nb - 1 - suf))
		suf++;
	for (size_t i = 0; i < pre; i++)
		op_push(&c, OP_SAME, i, i);
	size_t n = na - pre - suf, m = nb - pre - suf;
	c.pre = pre;
	bool exact = false;
	if (n + m > 0 && n + m <= DIFF_LINES) {
		c.ha = xmalloc((n ? n : 1) * sizeof(uint64_t));
		c.hb = xmalloc((m ? m : 1) * sizeof(uint64_t));
		for (size_t i = 0; i < n; i++)
			c.ha[i] = line_hash(a, pre + i);
		for (size_t i = 0; i < m; i++)
			c.hb[i] = line_hash(b, pre + i);
		size_t before = c.nops;
		exact = myers(&c, n, m);
		if (exact) {
			for (size_t i = before; i < c.nops; i++) {
				c.ops[i].a += (uint32_t)pre;
				c.ops[i].b += (uint32_t)pre;
			}
		} else {
			c.nops = before;
		}
		free(c.ha);
		free(c.hb);
	}
	if (!exact) {
		for (size_t i = 0; i < n; i++)
			op_push(&c, OP_DEL, pre + i, pre);
		for (size_t i = 0; i < m; i++)
			op_push(&c, OP_ADD, pre + n, pre + i);
	}
	for (size_t i = 0; i < suf; i++)
		op_push(&c, OP_SAME, na - suf + i, nb - suf + i);

	/* Hunks: changes with context lines around them; close changes share a hunk. */
	for (size_t i = 0; i < c.nops;) {
		size_t start, end, gap = 0, ca = 0, cb = 0, la, lb;
		char hdr[96];
		int hn;

		while (i < c.nops && c.ops[i].kind == OP_SAME)
			i++;
		if (i == c.nops)
			break;
		start = i > context ? i - context : 0;
		end = i;
		while (end < c.nops) {
			if (c.ops[end].kind == OP_SAME) {
				if (gap == 2 * context)
					break; /* too long a gap to bridge: the next change starts a
					          hunk */
				gap++;
			} else {
				gap = 0;
			}
			end++;
		}
		/* Trim the trailing context to at most `context` lines. */
		while (end > i && gap > context) {
			end--;
			gap--;
		}
		la = c.ops[start].a;
		lb = c.ops[start].b;
		for (size_t k = start; k < end; k++) {
			ca += c.ops[k].kind != OP_ADD;
			cb += c.ops[k].kind != OP_DEL;
		}
		hn = snprintf(hdr, sizeof(hdr), "@@ -%zu,%zu +%zu,%zu @@", la + (ca > 0), ca,
		              lb + (cb > 0), cb);
		pdoc_add_line(out, hdr, (size_t)hn, NULL, 0, PL_HUNK);
		for (size_t k = start; k < end; k++) {
			const struct diff_op *op = &c.ops[k];

			if (op->kind == OP_SAME) {
				copy_line(out, b, op->b, PL_SAME);
			} else if (op->kind == OP_DEL) {
				copy_line(out, a, op->a, PL_DEL);
				changed++;
			} else {
				copy_line(out, b, op->b, PL_ADD);
				changed++;
			}
		}
		i = end;
	}
	free(c.ops);
	return changed;
}
