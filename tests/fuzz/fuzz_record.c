/* fuzz_record.c: ring records and MQTT 5 property blobs from arbitrary bytes are read safely, and
 * properties taken into the publish form (publish again) come back out as the same user
 * properties. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/msg.h"
#include "mqscope/pub_draft.h"
#include "mqscope/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether a user property survives "k=v; k=v" as it is: no separators, no edge blanks, no NUL. */
static bool plain(const char *s, size_t n, bool key)
{
	if (key && n == 0)
		return false;
	if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ';' || s[i] == '=' || s[i] == '\0')
			return false;
	return true;
}

/* The properties as a received value, into a draft and out as a request. */
static void draft_from(const uint8_t *props, size_t len)
{
	struct tree_value *v = calloc(1, sizeof(*v) + 4 + len);
	struct pub_draft d;
	struct pub_built b;
	struct prop p;
	size_t off = 0, k = 0;
	bool exact = true;
	char err[256];

	memcpy(v->data, "21.5", 4);
	v->len = v->orig_len = 4;
	memcpy(v->data + 4, props, len);
	v->props_len = (uint32_t)len;
	pub_draft_init(&d);
	pub_draft_from_value(&d, "a/b", v);
	if (d.len != 4 || memcmp(d.payload, "21.5", 4) != 0)
		abort();
	while (props_next(props, len, &off, &p))
		if (p.id == PROP_USER_PROPERTY)
			exact = exact && plain(p.s, p.slen, true) && plain(p.v, p.vlen, false);
	if (pub_draft_build(&d, true, &b, err, sizeof(err)) == 0) {
		/* Every pair comes back, in order, when nothing in it could be read two ways. */
		off = 0;
		while (exact && props_next(props, len, &off, &p)) {
			if (p.id != PROP_USER_PROPERTY)
				continue;
			if (k >= b.npairs || strlen(b.pairs[2 * k]) != p.slen ||
			    memcmp(b.pairs[2 * k], p.s, p.slen) != 0 ||
			    strlen(b.pairs[2 * k + 1]) != p.vlen ||
			    memcmp(b.pairs[2 * k + 1], p.v, p.vlen) != 0)
				abort();
			k++;
		}
		if (exact && k != b.npairs)
			abort();
		pub_built_free(&b);
	} else if (exact && !(d.response_topic && strpbrk(d.response_topic, "+#"))) {
		abort(); /* plain properties must always go back out */
	}
	pub_draft_free(&d);
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_view v;
	struct prop p;
	size_t off = 0;
	uint8_t *copy = malloc(size ? size : 1);

	/* Records sit 8-byte aligned in the ring; give the reader the same. */
	memcpy(copy, data, size);
	if (msg_read(copy, size, &v)) {
		volatile char sink = 0;
		for (size_t i = 0; i < v.h->topic_len; i++)
			sink ^= v.topic[i];
		for (size_t i = 0; i < v.h->len; i++)
			sink ^= v.payload[i];
		while (props_next(v.props, v.h->props_len, &off, &p))
			;
		(void)sink;
	}
	off = 0;
	while (props_next(copy, size, &off, &p)) {
		if (off > size)
			abort();
		props_name(p.id);
	}
	draft_from(copy, size);
	free(copy);
	return 0;
}
