/* watch.c: watch conditions, which (watch, topic) pairs hold, and the log of firings. */
#define _GNU_SOURCE
#include "mqscope/watch.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/payload_number.h"
#include "mqscope/timing.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

#define MASK_KNOWN ((uint64_t)1 << 63) /* the node's mask has been worked out */

struct watch {
	char *label;
	char *filter;
	char *field; /* NULL = the whole payload */
	struct watch_cond cond;
	bool bell;
	bool removed; /* taken away from the UI: it no longer fires */
};

/* What is known of one watch on one topic. */
struct state {
	uint64_t key;  /* (watch << 32 | id) + 1; 0 = empty slot */
	uint64_t prev; /* hash of the value before (changes) */
	uint8_t active;
	uint8_t has_prev;
};

struct watches {
	struct watch list[WATCH_MAX];
	size_t n;
	bool bell_default;
	bool bell;
	bool branches; /* several brokers: each topic is under its broker's branch in the tree */

	uint64_t *mask; /* per node: bit per watch whose filter matches, MASK_KNOWN once known */
	size_t mask_cap;

	struct state *states;
	size_t states_cap, nstates; /* open addressing, cap a power of two */
	size_t active;
	uint64_t untracked;

	struct watch_event log[WATCH_LOG_MAX];
	size_t log_head, log_len;
	uint64_t log_lost, log_total;
};

/* ---- conditions ---- */

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/*
 * The operand: "quoted text" (\" and \\ escapes) or the rest of the line,
 * trimmed. Sets *quoted; returns NULL (reason in err) when it is missing or
 * the quotes do not close.
 */
static char *operand(const char *s, bool *quoted, char *err, size_t cap)
{
	size_t n;
	char *out;

	s = skip_ws(s);
	*quoted = *s == '"';
	if (*quoted) {
		size_t o = 0;

		out = xmalloc(strlen(s) + 1);
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			out[o++] = *s;
		}
		out[o] = '\0';
		if (*s != '"' || *skip_ws(s + 1) != '\0') {
			free(out);
			err_fmt(err, cap, "a quoted value must end with \" and nothing after it");
			return NULL;
		}
		return out;
	}
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0) {
		err_fmt(err, cap, "the condition needs a value after the operator");
		return NULL;
	}
	out = xmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* Whether s (whole) is a word followed by nothing but space, or by space and more (*rest). */
static bool word(const char *s, const char *w, const char **rest)
{
	size_t n = strlen(w);

	if (strncasecmp(s, w, n) != 0 || (s[n] != '\0' && !isspace((unsigned char)s[n])))
		return false;
	*rest = s + n;
	return true;
}

int watch_cond_parse(const char *s, struct watch_cond *c, char *err, size_t cap)
{
	static const struct {
		const char *tok;
		enum watch_op op;
	} ops[] = {
	    {">=", WATCH_GE}, {"<=", WATCH_LE}, {"==", WATCH_EQ}, {"!=", WATCH_NE},
	    {">", WATCH_GT},  {"<", WATCH_LT},  {"=", WATCH_EQ},
	};
	const char *rest;
	bool quoted;

	memset(c, 0, sizeof(*c));
	s = skip_ws(s);
	if (word(s, "silent", &rest) || word(s, "changes", &rest)) {
		if (*skip_ws(rest) != '\0')
			return err_fmt(err, cap, "'%.*s' takes no value", (int)(rest - s), s);
		c->op = tolower((unsigned char)*s) == 's' ? WATCH_SILENT : WATCH_CHANGES;
		return 0;
	}
	if (word(s, "contains", &rest) || word(s, "matches", &rest)) {
		c->op = tolower((unsigned char)*s) == 'c' ? WATCH_CONTAINS : WATCH_MATCHES;
		c->text = operand(rest, &quoted, err, cap);
		if (c->text == NULL)
			return -1;
		if (c->op == WATCH_MATCHES) {
			int rc = regcomp(&c->re, c->text, REG_EXTENDED | REG_NOSUB);

			if (rc != 0) {
				char why[128];

				regerror(rc, &c->re, why, sizeof(why));
				err_fmt(err, cap, "'%s' is not a regular expression: %s", c->text,
				        why);
				watch_cond_free(c);
				return -1;
			}
			c->has_re = true;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].tok);
		char *endp;

		if (strncmp(s, ops[i].tok, n) != 0)
			continue;
		c->op = ops[i].op;
		c->text = operand(s + n, &quoted, err, cap);
		if (c->text == NULL)
			return -1;
		c->num = strtod(c->text, &endp);
		c->numeric = !quoted && endp != c->text && *endp == '\0' && isfinite(c->num);
		if (!c->numeric && c->op != WATCH_EQ && c->op != WATCH_NE) {
			err_fmt(err, cap, "'%s' compares numbers: '%s' is not one", ops[i].tok,
			        c->text);
			watch_cond_free(c);
			return -1;
		}
		return 0;
	}
	return err_fmt(err, cap,
	               "'%s' is not a condition (> >= < <= == != NUMBER or \"TEXT\", changes, "
	               "contains TEXT, matches REGEX, silent)",
	               s);
}

void watch_cond_free(struct watch_cond *c)
{
	if (c->has_re)
		regfree(&c->re);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

/*
 * Whether a regular expression matches a value, which need not end in a
 * NUL: it is copied into one (up to WATCH_MATCH_MAX bytes; a NUL byte in
 * the value ends it for regexec).
 */
static bool matches(const regex_t *re, const char *v, size_t vlen)
{
	char small[512], *buf = small;
	bool m;

	if (vlen > WATCH_MATCH_MAX)
		vlen = WATCH_MATCH_MAX;
	if (vlen >= sizeof(small))
		buf = xmalloc(vlen + 1);
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	m = regexec(re, buf, 0, NULL, 0) == 0;
	if (buf != small)
		free(buf);
	return m;
}

bool watch_cond_test(const struct watch_cond *c, const char *v, size_t vlen, bool is_num,
                     double num)
{
	size_t tlen = c->text ? strlen(c->text) : 0;

	switch (c->op) {
	case WATCH_GT:
		return is_num && num > c->num;
	case WATCH_GE:
		return is_num && num >= c->num;
	case WATCH_LT:
		return is_num && num < c->num;
	case WATCH_LE:
		return is_num && num <= c->num;
	case WATCH_EQ:
	case WATCH_NE: {
		bool eq = c->numeric && is_num ? num == c->num
		                               : vlen == tlen && memcmp(v, c->text, tlen) == 0;
		return c->op == WATCH_EQ ? eq : !eq;
	}
	case WATCH_CONTAINS:
		return memmem(v, vlen, c->text, tlen) != NULL;
	case WATCH_MATCHES:
		return matches(&c->re, v, vlen);
	case WATCH_CHANGES:
	case WATCH_SILENT:
		break;
	}
	return false;
}

/* ---- a watch typed on one line ---- */

/* Words that start a condition: what comes before them is a field. */
static const char *const cond_words[] = {"changes", "contains", "matches", "silent"};

/* Whether s starts a condition: an operator or one of cond_words. */
static bool starts_condition(const char *s)
{
	if (strchr("<>=!", *s) && *s)
		return true;
	for (size_t i = 0; i < sizeof(cond_words) / sizeof(cond_words[0]); i++) {
		size_t n = strlen(cond_words[i]);

		if (strncmp(s, cond_words[i], n) == 0 &&
		    (s[n] == '\0' || isspace((unsigned char)s[n])))
			return true;
	}
	return false;
}

/* Copies the next word of *s (or a "quoted" one) into out; false when there is none. */
static bool next_word(const char **s, char *out, size_t cap)
{
	const char *p = *s;
	size_t n = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return false;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			if (n + 1 < cap)
				out[n++] = *p;
		if (*p == '"')
			p++;
	} else {
		for (; *p && !isspace((unsigned char)*p); p++)
			if (n + 1 < cap)
				out[n++] = *p;
	}
	out[n] = '\0';
	*s = p;
	return true;
}

int watch_parse_spec(const char *text, char *filter, size_t fcap, char *field, size_t dcap,
                     const char **cond)
{
	const char *p = text, *q;

	field[0] = '\0';
	if (!next_word(&p, filter, fcap))
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return -1;
	if (!starts_condition(p)) {
		q = p;
		next_word(&q, field, dcap);
		while (isspace((unsigned char)*q))
			q++;
		if (*q == '\0')
			return -1;
		p = q;
	}
	*cond = p;
	return 0;
}

/* ---- the set of watches ---- */

struct watches *watch_new(bool bell)
{
	struct watches *w = xcalloc(1, sizeof(*w));

	w->bell_default = bell;
	return w;
}

void watch_free(struct watches *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->list[i].label);
		free(w->list[i].filter);
		free(w->list[i].field);
		watch_cond_free(&w->list[i].cond);
	}
	free(w->mask);
	free(w->states);
	free(w);
}

int watch_add(struct watches *w, const char *name, const char *filter, const char *field,
              const char *cond, int bell, char *err, size_t cap)
{
	struct watch *x;
	char label[512];

	if (w->n == WATCH_MAX)
		return err_fmt(err, cap, "at most %d watches", WATCH_MAX);
	if (filter == NULL || !topic_filter_valid(filter))
		return err_fmt(err, cap, "'%s' is not a valid topic filter", filter ? filter : "");
	if (field && strlen(field) >= PAYLOAD_PATH_MAX)
		return err_fmt(err, cap, "the field name is too long");
	x = &w->list[w->n];
	memset(x, 0, sizeof(*x));
	if (watch_cond_parse(cond ? cond : "", &x->cond, err, cap) != 0)
		return -1;
	if (field && *field && x->cond.op == WATCH_SILENT) {
		watch_cond_free(&x->cond);
		return err_fmt(err, cap, "'silent' is about the topic, not a field");
	}
	x->filter = xstrdup(filter);
	x->field = field && *field ? xstrdup(field) : NULL;
	x->bell = bell < 0 ? w->bell_default : bell != 0;
	if (name && *name)
		snprintf(label, sizeof(label), "%s", name);
	else
		snprintf(label, sizeof(label), "%s%s%s %s", filter, x->field ? " " : "",
		         x->field ? x->field : "", skip_ws(cond));
	x->label = xstrdup(label);
	/* Every node's mask is worked out again for the new watch. */
	if (w->mask)
		memset(w->mask, 0, w->mask_cap * sizeof(*w->mask));
	return (int)w->n++;
}

int watch_add_rules(struct watches *w, const struct watch_rule *r, size_t n, char *err, size_t cap)
{
	for (size_t i = 0; i < n; i++)
		if (watch_add(w, r[i].name, r[i].filter, r[i].field, r[i].condition, r[i].bell, err,
		              cap) < 0)
			return -1;
	return 0;
}

size_t watch_count(const struct watches *w)
{
	return w->n;
}

const char *watch_label(const struct watches *w, size_t i)
{
	return i < w->n ? w->list[i].label : "";
}

/* ---- (watch, topic) states ---- */

static uint64_t state_key(size_t watch, tree_id id)
{
	return ((uint64_t)watch << 32 | id) + 1;
}

static size_t slot_of(uint64_t key, size_t mask)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (size_t)(key >> 32) & mask;
}

/* The state of (watch, id), or NULL. */
static struct state *state_find(const struct watches *w, size_t watch, tree_id id)
{
	uint64_t key = state_key(watch, id);

	if (w->states_cap == 0)
		return NULL;
	for (size_t i = slot_of(key, w->states_cap - 1); w->states[i].key != 0;
	     i = (i + 1) & (w->states_cap - 1))
		if (w->states[i].key == key)
			return &w->states[i];
	return NULL;
}

/* The state of (watch, id); created when make is set and there is room; else NULL. */
static struct state *state_get(struct watches *w, size_t watch, tree_id id, bool make)
{
	uint64_t key = state_key(watch, id);
	struct state *st = state_find(w, watch, id);
	size_t i;

	if (st != NULL || !make)
		return st;
	if (w->nstates >= WATCH_STATE_MAX) {
		w->untracked++;
		return NULL;
	}
	if ((w->nstates + 1) * 2 > w->states_cap) {
		size_t ncap = w->states_cap ? w->states_cap * 2 : 64;
		struct state *ns = xcalloc(ncap, sizeof(*ns));

		for (size_t j = 0; j < w->states_cap; j++) {
			if (w->states[j].key == 0)
				continue;
			for (i = slot_of(w->states[j].key, ncap - 1); ns[i].key != 0;
			     i = (i + 1) & (ncap - 1))
				;
			ns[i] = w->states[j];
		}
		free(w->states);
		w->states = ns;
		w->states_cap = ncap;
	}
	for (i = slot_of(key, w->states_cap - 1); w->states[i].key != 0;
	     i = (i + 1) & (w->states_cap - 1))
		;
	w->states[i].key = key;
	w->nstates++;
	return &w->states[i];
}

static void log_add(struct watches *w, size_t watch, tree_id id, enum watch_kind k, const char *v,
                    size_t vlen, int64_t time_ms)
{
	struct watch_event *e;

	if (w->log_len == WATCH_LOG_MAX) {
		w->log_head = (w->log_head + 1) % WATCH_LOG_MAX;
		w->log_len--;
		w->log_lost++;
	}
	e = &w->log[(w->log_head + w->log_len++) % WATCH_LOG_MAX];
	e->time_ms = time_ms;
	e->id = id;
	e->watch = (uint16_t)watch;
	e->kind = (uint8_t)k;
	e->vlen = (uint8_t)(vlen < WATCH_VALUE_MAX ? vlen : WATCH_VALUE_MAX);
	memcpy(e->value, v, e->vlen);
	w->log_total++;
}

/* Moves (watch, id) to holds; logs and rings when that is a change. */
static void judge(struct watches *w, size_t watch, tree_id id, bool holds, const char *v,
                  size_t vlen, int64_t time_ms)
{
	struct state *st = state_get(w, watch, id, holds);

	if (st == NULL || st->active == holds)
		return;
	st->active = holds;
	if (holds) {
		w->active++;
		if (w->list[watch].bell)
			w->bell = true;
	} else {
		w->active--;
	}
	log_add(w, watch, id, holds ? WATCH_FIRED : WATCH_CLEARED, v, vlen, time_ms);
}

/* The watches whose filter matches id (worked out once per node). */
/*
 * Whether filter matches path, the topic as the tree has it: with several
 * brokers also without its broker's branch, so "house/#" watches every
 * broker's house and "cloud/house/#" only cloud's.
 */
static bool hits(const struct watches *w, const char *filter, const char *path, size_t plen)
{
	const char *sep;

	if (topic_matches(filter, path, plen))
		return true;
	if (!w->branches || (sep = memchr(path, '/', plen)) == NULL)
		return false;
	return topic_matches(filter, sep + 1, plen - (size_t)(sep + 1 - path));
}

void watch_set_branches(struct watches *w, bool on)
{
	w->branches = on;
	if (w->mask)
		memset(w->mask, 0, w->mask_cap * sizeof(*w->mask));
}

static uint64_t mask_of(struct watches *w, const struct tree *t, tree_id id, const char *topic,
                        size_t tlen)
{
	char path[4096];
	uint64_t m = 0;

	if (id >= w->mask_cap) {
		size_t ncap = w->mask_cap ? w->mask_cap : 1024;

		while (ncap <= id)
			ncap *= 2;
		w->mask = xrealloc(w->mask, ncap * sizeof(*w->mask));
		memset(w->mask + w->mask_cap, 0, (ncap - w->mask_cap) * sizeof(*w->mask));
		w->mask_cap = ncap;
	}
	if (w->mask[id] & MASK_KNOWN)
		return w->mask[id];
	/* the topic came without its branch: the tree's path has it */
	if (w->branches) {
		size_t plen = tree_path(t, id, path, sizeof(path));

		if (plen < sizeof(path))
			topic = path, tlen = plen;
	}
	for (size_t i = 0; i < w->n; i++)
		if (!w->list[i].removed && hits(w, w->list[i].filter, topic, tlen))
			m |= (uint64_t)1 << i;
	w->mask[id] = m | MASK_KNOWN;
	return w->mask[id];
}

void watch_note(struct watches *w, const struct tree *t, tree_id id, const char *topic, size_t tlen,
                const char *payload, size_t len, int64_t time_ms)
{
	uint64_t m;

	(void)t;
	if (w->n == 0 || id == TREE_NONE)
		return;
	m = mask_of(w, t, id, topic, tlen) & ~MASK_KNOWN;
	for (size_t i = 0; m != 0; i++, m >>= 1) {
		const struct watch *x = &w->list[i];
		char buf[1024];
		const char *v = "";
		size_t vlen = 0;
		double num = 0;
		bool is_num = false, have;

		if (!(m & 1) || x->cond.op == WATCH_SILENT)
			continue;
		have = payload_value(payload, len, x->field, buf, sizeof(buf), &v, &vlen, &num,
		                     &is_num);
		if (x->cond.op == WATCH_CHANGES) {
			struct state *st = state_get(w, i, id, true);
			uint64_t h = have ? timing_hash(v, vlen) : 0;
			bool changed;

			if (st == NULL)
				continue;
			changed = have && st->has_prev && h != st->prev;
			st->prev = h;
			st->has_prev = have;
			judge(w, i, id, changed, v, vlen, time_ms);
			continue;
		}
		judge(w, i, id, have && watch_cond_test(&x->cond, v, vlen, is_num, num), v, vlen,
		      time_ms);
	}
}

void watch_on_silence(struct watches *w, const struct tree *t, const struct silence_event *e)
{
	static const char *const words[] = {"silent", "talks again", "offline", "online"};
	char topic[4096];
	size_t tlen = 0;
	bool holds = e->kind == SILENCE_SILENT || e->kind == SILENCE_OFFLINE;

	for (size_t i = 0; i < w->n; i++) {
		const char *word = words[e->kind];

		if (w->list[i].cond.op != WATCH_SILENT || w->list[i].removed)
			continue;
		if (tlen == 0)
			tlen = tree_path(t, e->id, topic, sizeof(topic));
		if (tlen >= sizeof(topic) || !hits(w, w->list[i].filter, topic, tlen))
			continue;
		judge(w, i, e->id, holds, word, strlen(word), e->time_ms);
	}
}

int watch_remove(struct watches *w, size_t i, int64_t time_ms)
{
	if (i >= w->n || w->list[i].removed)
		return -1;
	w->list[i].removed = true;
	/* What it holds for clears now; its topics are judged by the others alone. */
	for (size_t j = 0; j < w->states_cap; j++) {
		struct state *st = &w->states[j];

		if (st->key == 0 || (st->key - 1) >> 32 != i || !st->active)
			continue;
		st->active = 0;
		w->active--;
		log_add(w, i, (tree_id)((st->key - 1) & 0xffffffffu), WATCH_CLEARED, "(removed)", 9,
		        time_ms);
	}
	if (w->mask)
		memset(w->mask, 0, w->mask_cap * sizeof(*w->mask));
	return 0;
}

bool watch_removed(const struct watches *w, size_t i)
{
	return i < w->n && w->list[i].removed;
}

size_t watch_active_of(const struct watches *w, size_t i)
{
	size_t n = 0;

	for (size_t j = 0; j < w->states_cap; j++)
		n += w->states[j].key != 0 && (w->states[j].key - 1) >> 32 == i &&
		     w->states[j].active;
	return n;
}

size_t watch_active(const struct watches *w)
{
	return w->active;
}

bool watch_take_bell(struct watches *w)
{
	bool b = w->bell;

	w->bell = false;
	return b;
}

const struct watch_event *watch_alarm(const struct watches *w)
{
	if (w->active == 0)
		return NULL;
	for (size_t i = w->log_len; i-- > 0;) {
		const struct watch_event *e = watch_log_at(w, i);
		const struct state *st;

		if (e->kind != WATCH_FIRED)
			continue;
		st = state_find(w, e->watch, e->id);
		if (st && st->active)
			return e;
	}
	return NULL;
}

size_t watch_log_len(const struct watches *w)
{
	return w->log_len;
}

const struct watch_event *watch_log_at(const struct watches *w, size_t i)
{
	return i < w->log_len ? &w->log[(w->log_head + i) % WATCH_LOG_MAX] : NULL;
}

uint64_t watch_log_lost(const struct watches *w)
{
	return w->log_lost;
}

uint64_t watch_log_total(const struct watches *w)
{
	return w->log_total;
}

size_t watch_mem_bytes(const struct watches *w)
{
	return sizeof(*w) + w->mask_cap * sizeof(*w->mask) + w->states_cap * sizeof(*w->states);
}
