/* decoded.c: stored values read through the decoder that applies to them, for every view. */
#include "mqscope/decoded.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/sparkplug.h"
#include "mqscope/util.h"

#define TOPIC_STACK 1024 /* topics up to this long need no allocation */

/* The top-level node above id (id itself at depth 1); TREE_NONE for the root. */
static tree_id top_of(const struct tree *t, tree_id id)
{
	const struct tree_node *n = tree_node(t, id);

	if (n->depth < 1)
		return TREE_NONE;
	while (n->depth > 1) {
		id = n->parent;
		n = tree_node(t, id);
	}
	return id;
}

/*
 * The decoders for node id: with several brokers its broker's (NULL above or outside any
 * broker's branch), and *skip the levels of the tree above the broker's topics.
 */
static const struct decoders *decoders_of(const struct decoders *d, const struct tree *t,
                                          tree_id id, unsigned *skip)
{
	const char *name;
	size_t len;
	tree_id top;

	*skip = 0;
	if (d == NULL || d->brokers == NULL)
		return d;
	*skip = 1;
	if (tree_node(t, id)->depth < 2)
		return NULL;
	top = top_of(t, id);
	name = tree_name(t, top, &len);
	for (size_t i = 0; i < d->nbrokers; i++)
		if (d->brokers[i].label && strlen(d->brokers[i].label) == len &&
		    memcmp(d->brokers[i].label, name, len) == 0)
			return &d->brokers[i];
	return NULL;
}

/*
 * The topic of id without its first skip levels in buf, or in an allocated copy when it is
 * longer; *len gets its length. Free the result when it is not buf.
 */
static char *topic_of(const struct tree *t, tree_id id, unsigned skip, char *buf, size_t cap,
                      size_t *len)
{
	size_t n = tree_path(t, id, buf, cap), cut = 0;
	char *s = buf;

	if (n >= cap) {
		s = xmalloc(n + 1);
		tree_path(t, id, s, n + 1);
	}
	for (unsigned i = 0; i < skip; i++) {
		cut += strcspn(s + cut, "/");
		cut += s[cut] == '/';
	}
	memmove(s, s + cut, n - cut + 1);
	*len = n - cut;
	return s;
}

/* Whether id is below the Sparkplug namespace's level (found without building the topic). */
static bool in_namespace(const struct tree *t, tree_id id, unsigned skip)
{
	const struct tree_node *n = tree_node(t, id);
	const char *name;
	size_t len;

	if (n->depth < skip + 2)
		return false;
	while (n->depth > skip + 1) {
		id = n->parent;
		n = tree_node(t, id);
	}
	name = tree_name(t, id, &len);
	return len == sizeof(SPB_NAMESPACE) - 2 && memcmp(name, SPB_NAMESPACE, len) == 0;
}

void decoded_choose(const struct decoders *d, const struct tree *t, tree_id id,
                    const struct tree_value *v, struct decode_choice *out)
{
	char buf[TOPIC_STACK], *topic;
	const char *ct = NULL;
	size_t tlen, ctlen = 0;
	unsigned skip;

	memset(out, 0, sizeof(*out));
	if (v == NULL || (d = decoders_of(d, t, id, &skip)) == NULL)
		return;
	/* Most values have no rule, no properties and no Sparkplug topic: they stay as they are. */
	if (d->nrules == 0 && v->props_len == 0 && !in_namespace(t, id, skip))
		return;
	topic = topic_of(t, id, skip, buf, sizeof(buf), &tlen);
	if (v->props_len && !decode_content_type(v->data + v->len, v->props_len, &ct, &ctlen))
		ct = NULL, ctlen = 0;
	decode_choose(d->rules, d->nrules, topic, tlen, ct, ctlen, v->data, v->len, out);
	if (topic != buf)
		free(topic);
}

void decoded_read(const struct decoders *d, const struct tree *t, tree_id id,
                  const struct tree_value *v, bool raw, struct decoded *out)
{
	char buf[TOPIC_STACK], *topic;
	struct decode_in in;
	cJSON *doc, *warnings;
	size_t tlen;
	unsigned skip;

	memset(out, 0, sizeof(*out));
	if (v == NULL)
		return;
	out->data = v->data;
	out->len = v->len;
	decoded_choose(d, t, id, v, &out->choice);
	if (raw || out->choice.format == DECODE_NONE)
		return;
	if (v->len < v->orig_len) {
		snprintf(out->err, sizeof(out->err),
		         "%s: only %u of %u bytes kept (ui.payload_cap)",
		         decoded_format_title(out->choice.format), v->len, v->orig_len);
		return;
	}
	d = decoders_of(d, t, id, &skip);
	topic = topic_of(t, id, skip, buf, sizeof(buf), &tlen);
	in = (struct decode_in){.data = v->data,
	                        .len = v->len,
	                        .topic = topic,
	                        .topic_len = tlen,
	                        .time_ms = v->time_ms,
	                        .spb = d->spb};
	doc = decode_doc(&out->choice, &in, out->err, sizeof(out->err));
	if (topic != buf)
		free(topic);
	if (doc == NULL)
		return;
	warnings = cJSON_GetObjectItemCaseSensitive(doc, "$warnings");
	out->warnings = (unsigned)cJSON_GetArraySize(warnings);
	if (out->warnings && cJSON_IsString(warnings->child))
		snprintf(out->warning, sizeof(out->warning), "%s", warnings->child->valuestring);
	out->json = decode_json(doc, &out->len);
	out->data = out->json;
	out->doc = doc;
}

void decoded_free(struct decoded *out)
{
	free(out->json);
	cJSON_Delete(out->doc);
	memset(out, 0, sizeof(*out));
}

const char *decoded_format_title(enum decode_format f)
{
	static const char *const titles[DECODE__FORMATS] = {
	    "none", "Sparkplug B", "Protocol Buffers", "CBOR", "MessagePack"};

	return (unsigned)f < DECODE__FORMATS ? titles[f] : "?";
}

void decoded_reason(const struct decode_choice *c, char *buf, size_t cap)
{
	switch (c->reason) {
	case DECODE_BY_RULE:
		snprintf(buf, cap, "rule %s", c->rule ? c->rule->filter : "?");
		break;
	case DECODE_BY_CONTENT_TYPE:
		snprintf(buf, cap, "content type");
		break;
	case DECODE_BY_NAMESPACE:
		snprintf(buf, cap, "spBv1.0 topic");
		break;
	default:
		snprintf(buf, cap, "no decoder");
		break;
	}
}

void decoded_previews_init(struct decoded_previews *c)
{
	for (size_t i = 0; i < DECODED_PREVIEW_SLOTS; i++)
		c->slot[i].id = TREE_NONE;
}

const char *decoded_preview_value(struct decoded_previews *c, const struct decoders *d,
                                  const struct tree *t, tree_id id, const struct tree_value *v,
                                  uint64_t seq, size_t *len)
{
	/* A node's successive values take successive slots: a history page does not collide. */
	struct decoded_preview *p = &c->slot[(id * 2654435761u + seq) % DECODED_PREVIEW_SLOTS];
	struct decoded dv;

	if (v == NULL)
		return NULL;
	if (p->id != id || p->msgs != seq) {
		p->id = id;
		p->msgs = seq;
		p->decoded = false;
		decoded_read(d, t, id, v, false, &dv);
		if (dv.doc) {
			size_t k = dv.choice.format == DECODE_SPARKPLUG
			               ? spb_summary(dv.doc, p->text, sizeof(p->text))
			               : 0;

			if (k == 0) {
				k = dv.len < sizeof(p->text) ? dv.len : sizeof(p->text);
				memcpy(p->text, dv.json, k);
			}
			p->len = (uint16_t)k;
			p->decoded = true;
		}
		decoded_free(&dv);
	}
	*len = p->len;
	return p->decoded ? p->text : NULL;
}

const char *decoded_preview(struct decoded_previews *c, const struct decoders *d,
                            const struct tree *t, tree_id id, size_t *len)
{
	return decoded_preview_value(c, d, t, id, tree_value(t, id, 0), tree_node(t, id)->msgs,
	                             len);
}
