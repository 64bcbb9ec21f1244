/* sparkplug.c: Sparkplug B topics and the model of edge nodes and devices: the last BIRTH of each
 * (aliases), the seq of each node, and notes about messages that broke the rules. */
#define _GNU_SOURCE
#include "mqscope/sparkplug.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/pbwire.h"
#include "mqscope/util.h"
#include "sparkplug_b.pb-c.h"

#define SPB_MODEL_BYTES (64u << 20) /* names and aliases of all BIRTHs held */

static const char *const type_names[SPB__TYPES] = {
    "NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA", "DDATA", "NCMD", "DCMD", "STATE",
};

const char *spb_type_name(enum spb_type t)
{
	return (unsigned)t < SPB__TYPES ? type_names[t] : "?";
}

const char *spb_datatype_name(uint32_t datatype)
{
	static const char *const names[] = {
	    "Unknown",       "Int8",
	    "Int16",         "Int32",
	    "Int64",         "UInt8",
	    "UInt16",        "UInt32",
	    "UInt64",        "Float",
	    "Double",        "Boolean",
	    "String",        "DateTime",
	    "Text",          "UUID",
	    "DataSet",       "Bytes",
	    "File",          "Template",
	    "PropertySet",   "PropertySetList",
	    "Int8Array",     "Int16Array",
	    "Int32Array",    "Int64Array",
	    "UInt8Array",    "UInt16Array",
	    "UInt32Array",   "UInt64Array",
	    "FloatArray",    "DoubleArray",
	    "BooleanArray",  "StringArray",
	    "DateTimeArray",
	};

	return datatype < sizeof(names) / sizeof(names[0]) ? names[datatype] : NULL;
}

/* Splits topic at '/' into at most max levels; returns how many (max + 1 when more). */
static size_t levels(const char *topic, size_t len, const char **lv, size_t *ll, size_t max)
{
	size_t n = 0;
	const char *p = topic, *end = topic + len;

	for (;;) {
		const char *s = memchr(p, '/', (size_t)(end - p));

		if (n == max)
			return max + 1;
		lv[n] = p;
		ll[n] = (size_t)((s ? s : end) - p);
		n++;
		if (s == NULL)
			return n;
		p = s + 1;
	}
}

bool spb_topic_parse(const char *topic, size_t len, struct spb_topic *out)
{
	const char *lv[6];
	size_t ll[6], n;
	const size_t ns = sizeof(SPB_NAMESPACE) - 1;

	if (len <= ns || memcmp(topic, SPB_NAMESPACE, ns) != 0)
		return false;
	n = levels(topic + ns, len - ns, lv, ll, 4);
	memset(out, 0, sizeof(*out));
	if (n == 2 && ll[0] == 5 && memcmp(lv[0], "STATE", 5) == 0 && ll[1] > 0) {
		out->type = SPB_STATE;
		out->host = lv[1];
		out->host_len = ll[1];
		return true;
	}
	if (n < 3 || n > 4 || ll[0] == 0 || ll[2] == 0 || (n == 4 && ll[3] == 0))
		return false;
	for (int t = 0; t < SPB_STATE; t++) {
		bool device = t == SPB_DBIRTH || t == SPB_DDEATH || t == SPB_DDATA || t == SPB_DCMD;

		if (strlen(type_names[t]) != ll[1] || memcmp(type_names[t], lv[1], ll[1]) != 0)
			continue;
		if (device != (n == 4))
			return false;
		out->type = (enum spb_type)t;
		out->group = lv[0];
		out->group_len = ll[0];
		out->node = lv[2];
		out->node_len = ll[2];
		if (device) {
			out->device = lv[3];
			out->device_len = ll[3];
		}
		return true;
	}
	return false;
}

bool spb_topic_parse_legacy_state(const char *topic, size_t len, struct spb_topic *out)
{
	if (len <= 6 || memcmp(topic, "STATE/", 6) != 0 || memchr(topic + 6, '/', len - 6))
		return false;
	memset(out, 0, sizeof(*out));
	out->type = SPB_STATE;
	out->host = topic + 6;
	out->host_len = len - 6;
	return true;
}

/* ---- the model ---- */

struct spb_alias {
	uint64_t alias;
	uint32_t datatype;
	char *name;
};

struct spb_birth {
	bool born;
	struct spb_alias *aliases; /* sorted by alias */
	size_t n;
};

struct spb_device {
	char *name;
	size_t name_len;
	struct spb_birth birth;
};

struct spb_note {
	int64_t time_ms;
	uint64_t seq;
	bool has_seq;
	uint8_t type;         /* enum spb_type */
	uint32_t device_hash; /* of the device name; 0 with device_len 0 for node messages */
	size_t device_len;
	char text[160];
};

struct spb_node {
	char *key; /* "group/node" */
	size_t key_len;
	uint64_t heard; /* model clock of the last message: the least recent is forgotten first */
	size_t bytes;   /* what its births hold */
	struct spb_birth birth;
	int last_seq; /* -1 before any */
	struct spb_device *devices;
	size_t ndevices;
	struct spb_note *notes; /* SPB_NOTES_MAX, allocated with the first */
	unsigned nnotes, note_next;
};

struct spb_model {
	struct spb_node *nodes;
	size_t n, cap, max;
	uint32_t *index; /* open addressing: node index + 1, 0 = empty */
	size_t index_cap;
	uint64_t clock;
	size_t bytes;
};

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void reindex(struct spb_model *m)
{
	memset(m->index, 0, m->index_cap * sizeof(*m->index));
	for (size_t i = 0; i < m->n; i++) {
		size_t j = hash(m->nodes[i].key, m->nodes[i].key_len) & (m->index_cap - 1);

		while (m->index[j])
			j = (j + 1) & (m->index_cap - 1);
		m->index[j] = (uint32_t)(i + 1);
	}
}

struct spb_model *spb_model_new(size_t max_nodes)
{
	struct spb_model *m = xcalloc(1, sizeof(*m));

	m->max = max_nodes ? max_nodes : SPB_NODES_MAX;
	m->index_cap = 16;
	while (m->index_cap < m->max * 2)
		m->index_cap *= 2;
	m->index = xcalloc(m->index_cap, sizeof(*m->index));
	return m;
}

static void birth_clear(struct spb_birth *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->aliases[i].name);
	free(b->aliases);
	memset(b, 0, sizeof(*b));
}

static void node_clear(struct spb_node *n)
{
	free(n->key);
	birth_clear(&n->birth);
	for (size_t i = 0; i < n->ndevices; i++) {
		free(n->devices[i].name);
		birth_clear(&n->devices[i].birth);
	}
	free(n->devices);
	free(n->notes);
	memset(n, 0, sizeof(*n));
}

void spb_model_free(struct spb_model *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		node_clear(&m->nodes[i]);
	free(m->nodes);
	free(m->index);
	free(m);
}

size_t spb_model_nodes(const struct spb_model *m)
{
	return m->n;
}

/* The node "group/node" of t, or NULL. */
static struct spb_node *find_node(const struct spb_model *m, const struct spb_topic *t)
{
	char key[512];
	size_t n = t->group_len + 1 + t->node_len;
	size_t j;

	if (n >= sizeof(key))
		return NULL;
	memcpy(key, t->group, t->group_len);
	key[t->group_len] = '/';
	memcpy(key + t->group_len + 1, t->node, t->node_len);
	for (j = hash(key, n) & (m->index_cap - 1); m->index[j]; j = (j + 1) & (m->index_cap - 1)) {
		struct spb_node *nd = &m->nodes[m->index[j] - 1];

		if (nd->key_len == n && memcmp(nd->key, key, n) == 0)
			return nd;
	}
	return NULL;
}

/* Forgets the node heard least recently. */
static void evict(struct spb_model *m)
{
	size_t old = 0;

	for (size_t i = 1; i < m->n; i++)
		if (m->nodes[i].heard < m->nodes[old].heard)
			old = i;
	m->bytes -= m->nodes[old].bytes;
	node_clear(&m->nodes[old]);
	m->nodes[old] = m->nodes[--m->n];
	memset(&m->nodes[m->n], 0, sizeof(m->nodes[m->n]));
	reindex(m);
}

static struct spb_node *add_node(struct spb_model *m, const struct spb_topic *t)
{
	struct spb_node *nd;
	size_t n = t->group_len + 1 + t->node_len;

	if (n >= 512)
		return NULL;
	if (m->n == m->max)
		evict(m);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		if (m->cap > m->max)
			m->cap = m->max;
		m->nodes = xrealloc(m->nodes, m->cap * sizeof(*m->nodes));
	}
	nd = &m->nodes[m->n++];
	memset(nd, 0, sizeof(*nd));
	nd->key = xmalloc(n + 1);
	memcpy(nd->key, t->group, t->group_len);
	nd->key[t->group_len] = '/';
	memcpy(nd->key + t->group_len + 1, t->node, t->node_len);
	nd->key[n] = '\0';
	nd->key_len = n;
	nd->last_seq = -1;
	reindex(m);
	return nd;
}

static struct spb_device *find_device(const struct spb_node *nd, const char *name, size_t len)
{
	for (size_t i = 0; i < nd->ndevices; i++)
		if (nd->devices[i].name_len == len && memcmp(nd->devices[i].name, name, len) == 0)
			return &nd->devices[i];
	return NULL;
}

static struct spb_device *add_device(struct spb_node *nd, const char *name, size_t len)
{
	struct spb_device *d;

	if (nd->ndevices == SPB_DEVICES_MAX)
		return NULL;
	nd->devices = xrealloc(nd->devices, (nd->ndevices + 1) * sizeof(*nd->devices));
	d = &nd->devices[nd->ndevices++];
	memset(d, 0, sizeof(*d));
	d->name = xmalloc(len + 1);
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	d->name_len = len;
	return d;
}

static int alias_cmp(const void *a, const void *b)
{
	const struct spb_alias *x = a, *y = b;

	return x->alias < y->alias ? -1 : x->alias > y->alias;
}

/* Replaces b with the aliases of a BIRTH payload (none when it did not unpack). */
static void birth_take(struct spb_birth *b, const Spb__Payload *p)
{
	birth_clear(b);
	b->born = true;
	if (p == NULL)
		return;
	b->aliases = xmalloc((p->n_metrics ? p->n_metrics : 1) * sizeof(*b->aliases));
	for (size_t i = 0; i < p->n_metrics && b->n < SPB_ALIASES_MAX; i++) {
		const Spb__Payload__Metric *mt = p->metrics[i];

		if (!mt->has_alias || mt->name == NULL)
			continue;
		b->aliases[b->n].alias = mt->alias;
		b->aliases[b->n].datatype = mt->has_datatype ? mt->datatype : 0;
		b->aliases[b->n].name = xstrdup(mt->name);
		b->n++;
	}
	qsort(b->aliases, b->n, sizeof(*b->aliases), alias_cmp);
}

static size_t birth_bytes(const struct spb_birth *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++)
		n += strlen(b->aliases[i].name) + 1 + sizeof(*b->aliases);
	return n;
}

static void note(struct spb_node *nd, const struct spb_topic *t, int64_t time_ms, uint64_t seq,
                 bool has_seq, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Keeps a note about one message (the oldest note goes when they are SPB_NOTES_MAX). */
static void note(struct spb_node *nd, const struct spb_topic *t, int64_t time_ms, uint64_t seq,
                 bool has_seq, const char *fmt, ...)
{
	struct spb_note *n;
	va_list ap;

	if (nd->notes == NULL)
		nd->notes = xcalloc(SPB_NOTES_MAX, sizeof(*nd->notes));
	n = &nd->notes[nd->note_next];
	nd->note_next = (nd->note_next + 1) % SPB_NOTES_MAX;
	if (nd->nnotes < SPB_NOTES_MAX)
		nd->nnotes++;
	n->time_ms = time_ms;
	n->seq = seq;
	n->has_seq = has_seq;
	n->type = (uint8_t)t->type;
	n->device_len = t->device_len;
	n->device_hash = t->device ? hash(t->device, t->device_len) : 0;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}

/* Checks seq against the node's last one; every message of an edge node but NDEATH has one. */
static void check_seq(struct spb_node *nd, const struct spb_topic *t, int64_t time_ms, uint64_t seq,
                      bool has_seq)
{
	if (!has_seq) {
		note(nd, t, time_ms, 0, false, "%s without seq", spb_type_name(t->type));
		return;
	}
	if (seq > 255) {
		note(nd, t, time_ms, seq, true, "seq %llu is out of range (0-255)",
		     (unsigned long long)seq);
		return;
	}
	if (nd->last_seq >= 0 && seq != (uint64_t)((nd->last_seq + 1) & 255)) {
		unsigned expect = (unsigned)(nd->last_seq + 1) & 255;
		unsigned missing = ((unsigned)seq - expect) & 255;

		note(nd, t, time_ms, seq, true, "seq %llu after %d: expected %u (%u missing)",
		     (unsigned long long)seq, nd->last_seq, expect, missing);
	}
	nd->last_seq = (int)seq;
}

/* Unpacks a BIRTH payload (NULL when it is not one). */
static Spb__Payload *unpack(const void *payload, size_t plen)
{
	if (!pbwire_depth_ok(&spb__payload__descriptor, payload, plen, 64))
		return NULL;
	return spb__payload__unpack(NULL, plen, payload);
}

void spb_model_observe(struct spb_model *m, const char *topic, size_t len, const void *payload,
                       size_t plen, int64_t time_ms)
{
	struct spb_topic t;
	struct spb_node *nd;
	struct spb_device *dev = NULL;
	uint64_t seq = 0;
	bool has_seq;
	Spb__Payload *p;

	if (!spb_topic_parse(topic, len, &t) || t.type == SPB_STATE || t.type == SPB_NCMD ||
	    t.type == SPB_DCMD)
		return;
	nd = find_node(m, &t);
	if (nd == NULL && (nd = add_node(m, &t)) == NULL)
		return;
	nd->heard = ++m->clock;
	if (t.device) {
		dev = find_device(nd, t.device, t.device_len);
		if (dev == NULL)
			dev = add_device(nd, t.device, t.device_len);
	}
	has_seq = pbwire_find_varint(payload, plen, 3, &seq);
	m->bytes -= nd->bytes;
	switch (t.type) {
	case SPB_NBIRTH:
		/* A new NBIRTH voids the node's device births: DBIRTHs follow it. */
		p = unpack(payload, plen);
		birth_take(&nd->birth, p);
		spb__payload__free_unpacked(p, NULL);
		for (size_t i = 0; i < nd->ndevices; i++)
			birth_clear(&nd->devices[i].birth);
		if (has_seq && seq != 0)
			note(nd, &t, time_ms, seq, true, "NBIRTH with seq %llu (must be 0)",
			     (unsigned long long)seq);
		nd->last_seq = has_seq && seq <= 255 ? (int)seq : -1;
		break;
	case SPB_NDEATH:
		birth_clear(&nd->birth);
		for (size_t i = 0; i < nd->ndevices; i++)
			birth_clear(&nd->devices[i].birth);
		nd->last_seq = -1;
		break;
	case SPB_DBIRTH:
		check_seq(nd, &t, time_ms, seq, has_seq);
		if (!nd->birth.born)
			note(nd, &t, time_ms, seq, has_seq, "DBIRTH before any NBIRTH of %s",
			     nd->key);
		if (dev) {
			p = unpack(payload, plen);
			birth_take(&dev->birth, p);
			spb__payload__free_unpacked(p, NULL);
		}
		break;
	case SPB_DDEATH:
		check_seq(nd, &t, time_ms, seq, has_seq);
		if (dev)
			birth_clear(&dev->birth);
		break;
	case SPB_NDATA:
	case SPB_DDATA:
		check_seq(nd, &t, time_ms, seq, has_seq);
		if (!nd->birth.born)
			note(nd, &t, time_ms, seq, has_seq, "%s before any NBIRTH of %s",
			     spb_type_name(t.type), nd->key);
		else if (t.type == SPB_DDATA && (dev == NULL || !dev->birth.born))
			note(nd, &t, time_ms, seq, has_seq, "DDATA before any DBIRTH of %s/%.*s",
			     nd->key, (int)t.device_len, t.device);
		break;
	default:
		break;
	}
	if (t.type == SPB_NBIRTH || t.type == SPB_NDEATH || t.type == SPB_DBIRTH ||
	    t.type == SPB_DDEATH) {
		nd->bytes = birth_bytes(&nd->birth);
		for (size_t i = 0; i < nd->ndevices; i++)
			nd->bytes += birth_bytes(&nd->devices[i].birth);
	}
	m->bytes += nd->bytes;
	/* Births beyond the budget: forget the nodes heard least recently. */
	while (m->bytes > SPB_MODEL_BYTES && m->n > 1)
		evict(m);
}

/* The birth that names the aliases of t's messages: the device's, or the node's. */
static const struct spb_birth *birth_of(const struct spb_model *m, const struct spb_topic *t)
{
	struct spb_node *nd = find_node(m, t);
	const struct spb_device *d;

	if (nd == NULL)
		return NULL;
	if (t->device == NULL)
		return &nd->birth;
	d = find_device(nd, t->device, t->device_len);
	return d ? &d->birth : NULL;
}

bool spb_model_born(const struct spb_model *m, const struct spb_topic *t)
{
	const struct spb_birth *b = birth_of(m, t);

	return b && b->born;
}

enum spb_alias_result spb_model_alias(const struct spb_model *m, const struct spb_topic *t,
                                      uint64_t alias, const char **name, uint32_t *datatype)
{
	const struct spb_birth *b = birth_of(m, t);
	struct spb_alias key = {.alias = alias}, *a;

	if (b == NULL || !b->born)
		return SPB_ALIAS_NO_BIRTH;
	a = bsearch(&key, b->aliases, b->n, sizeof(*b->aliases), alias_cmp);
	if (a == NULL)
		return SPB_ALIAS_UNKNOWN;
	*name = a->name;
	*datatype = a->datatype;
	return SPB_ALIAS_FOUND;
}

size_t spb_model_notes(const struct spb_model *m, const struct spb_topic *t, int64_t time_ms,
                       uint64_t seq, bool has_seq, char (*notes)[160], size_t max)
{
	const struct spb_node *nd = find_node(m, t);
	size_t k = 0;

	if (nd == NULL)
		return 0;
	for (unsigned i = 0; i < nd->nnotes && k < max; i++) {
		const struct spb_note *n = &nd->notes[i];

		if (n->time_ms != time_ms || n->type != t->type || n->has_seq != has_seq ||
		    (has_seq && n->seq != seq) || n->device_len != t->device_len ||
		    (t->device && n->device_hash != hash(t->device, t->device_len)))
			continue;
		snprintf(notes[k++], 160, "%s", n->text);
	}
	return k;
}

uint8_t *spb_write_bool(const char *metric, bool value, uint64_t ts_ms, size_t *len)
{
	Spb__Payload pl = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric m = SPB__PAYLOAD__METRIC__INIT, *mp = &m;
	uint8_t *buf;

	m.name = (char *)metric;
	m.has_timestamp = true;
	m.timestamp = ts_ms;
	m.has_datatype = true;
	m.datatype = 11; /* Boolean */
	m.value_case = SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
	m.boolean_value = value;
	pl.has_timestamp = true;
	pl.timestamp = ts_ms;
	pl.n_metrics = 1;
	pl.metrics = &mp;
	*len = spb__payload__get_packed_size(&pl);
	buf = xmalloc(*len ? *len : 1);
	spb__payload__pack(&pl, buf);
	return buf;
}
