/* pub_draft.c: drafts of messages to publish, from received values and into session requests. */
#define _GNU_SOURCE
#include "mqscope/pub_draft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/msg.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

void pub_draft_init(struct pub_draft *d)
{
	memset(d, 0, sizeof(*d));
	d->topic = xstrdup("");
	d->payload = xstrdup("");
}

void pub_draft_free(struct pub_draft *d)
{
	free(d->topic);
	free(d->payload);
	free(d->content_type);
	free(d->response_topic);
	free(d->user_props);
	memset(d, 0, sizeof(*d));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void pub_draft_copy(struct pub_draft *dst, const struct pub_draft *src)
{
	dst->topic = xstrdup(src->topic ? src->topic : "");
	dst->payload = xmalloc(src->len + 1);
	if (src->len)
		memcpy(dst->payload, src->payload, src->len);
	dst->payload[src->len] = '\0';
	dst->len = src->len;
	dst->qos = src->qos;
	dst->retain = src->retain;
	dst->content_type = dup_or_null(src->content_type);
	dst->response_topic = dup_or_null(src->response_topic);
	dst->user_props = dup_or_null(src->user_props);
}

/* Appends "k=v" to *list ("; " between entries). */
static void add_prop(char **list, const char *k, size_t klen, const char *v, size_t vlen)
{
	size_t old = *list ? strlen(*list) : 0;
	char *n = xmalloc(old + klen + vlen + 4);

	if (old) {
		memcpy(n, *list, old);
		memcpy(n + old, "; ", 2);
		old += 2;
	}
	memcpy(n + old, k, klen);
	n[old + klen] = '=';
	memcpy(n + old + klen + 1, v, vlen);
	n[old + klen + 1 + vlen] = '\0';
	free(*list);
	*list = n;
}

void pub_draft_from_value(struct pub_draft *d, const char *topic, const struct tree_value *v)
{
	const uint8_t *props = (const uint8_t *)v->data + v->len;
	size_t off = 0;
	struct prop p;

	pub_draft_free(d);
	d->topic = xstrdup(topic);
	d->payload = xmalloc(v->len + 1);
	memcpy(d->payload, v->data, v->len);
	d->payload[v->len] = '\0';
	d->len = v->len;
	d->qos = v->qos;
	d->retain = v->retained;
	while (props_next(props, v->props_len, &off, &p)) {
		if (p.id == PROP_CONTENT_TYPE && d->content_type == NULL)
			d->content_type = strndup(p.s, p.slen);
		else if (p.id == PROP_RESPONSE_TOPIC && d->response_topic == NULL)
			d->response_topic = strndup(p.s, p.slen);
		else if (p.id == PROP_USER_PROPERTY)
			add_prop(&d->user_props, p.s, p.slen, p.v, p.vlen);
	}
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static void free_pairs(char **pairs, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++)
		free(pairs[i]);
	free(pairs);
}

int pub_draft_parse_props(const char *s, char ***pairs, size_t *n, char *err, size_t cap)
{
	char **out = NULL;
	size_t k = 0;

	*pairs = NULL;
	*n = 0;
	while (s && *s) {
		const char *end = strchr(s, ';'), *eq, *ks = s, *ke, *vs, *ve;

		if (end == NULL)
			end = s + strlen(s);
		eq = memchr(s, '=', (size_t)(end - s));
		ke = eq ? eq : end;
		trim(&ks, &ke);
		if (eq == NULL) {
			if (ks != ke) {
				free_pairs(out, k);
				return err_fmt(err, cap,
				               "user property '%.*s' has no '=' (key=value)",
				               (int)(ke - ks), ks);
			}
		} else if (ks == ke) {
			free_pairs(out, k);
			return err_fmt(err, cap, "a user property has no key (key=value)");
		} else {
			vs = eq + 1;
			ve = end;
			trim(&vs, &ve);
			out = xrealloc(out, (k + 1) * 2 * sizeof(*out));
			out[2 * k] = strndup(ks, (size_t)(ke - ks));
			out[2 * k + 1] = strndup(vs, (size_t)(ve - vs));
			k++;
		}
		s = *end ? end + 1 : end;
	}
	*pairs = out;
	*n = k;
	return 0;
}

int pub_draft_build(const struct pub_draft *d, bool v5, struct pub_built *b, char *err, size_t cap)
{
	memset(b, 0, sizeof(*b));
	if (d->topic == NULL || d->topic[0] == '\0')
		return err_fmt(err, cap, "the topic is empty");
	if (topic_has_wildcard(d->topic))
		return err_fmt(err, cap, "'%s' has + or #: one publishes to a topic, not a filter",
		               d->topic);
	if (d->qos < 0 || d->qos > 2)
		return err_fmt(err, cap, "QoS must be 0, 1 or 2");
	b->req.topic = d->topic;
	b->req.payload = d->payload;
	b->req.len = d->len;
	b->req.qos = d->qos;
	b->req.retain = d->retain;
	if (!v5)
		return 0;
	if (d->response_topic && *d->response_topic && topic_has_wildcard(d->response_topic))
		return err_fmt(err, cap, "response topic '%s' has + or #", d->response_topic);
	if (pub_draft_parse_props(d->user_props, &b->pairs, &b->npairs, err, cap) != 0)
		return -1;
	b->req.content_type = d->content_type;
	b->req.response_topic = d->response_topic;
	b->req.user_props = (const char *const *)b->pairs;
	b->req.nuser_props = b->npairs;
	return 0;
}

void pub_built_free(struct pub_built *b)
{
	free_pairs(b->pairs, b->npairs);
	b->pairs = NULL;
	b->npairs = 0;
}
