/* fuzz_toggle.c: toggling any received value ('t'): a bare word flips and flips back, a JSON
 * document comes out as the same document with only the state field changed, command-topic
 * templates give publishable topics, and nothing reads out of bounds.
 *
 * Input: a flags byte, then newline-separated topic, field, on, off, command and rule filter
 * (an empty part is "none"), then the payload: everything after the sixth newline. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mqscope/toggle.h"
#include "mqscope/topic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { P_TOPIC, P_FIELD, P_ON, P_OFF, P_COMMAND, P_FILTER, NPARTS };

/* The item at a dotted path ("a.b"; empty segments skipped, as toggle.c reads them). */
static cJSON *at_path(cJSON *root, const char *path)
{
	char buf[256], *save = NULL;
	cJSON *it = root;
	size_t n = 0;

	if (strlen(path) >= sizeof(buf) || path[0] == '\0')
		return NULL;
	strcpy(buf, path);
	for (char *t = strtok_r(buf, ".", &save); t && n < 16;
	     t = strtok_r(NULL, ".", &save), n++) {
		if (!cJSON_IsObject(it))
			return NULL;
		it = cJSON_GetObjectItemCaseSensitive(it, t);
		if (it == NULL)
			return NULL;
	}
	return n ? it : NULL;
}

/* Whether two documents are the same, member by member in order (duplicate keys included, which
 * cJSON_Compare cannot tell apart). */
static bool same_json(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if ((a->type & 0xff) != (b->type & 0xff))
		return false;
	if ((a->string == NULL) != (b->string == NULL) ||
	    (a->string && strcmp(a->string, b->string) != 0))
		return false;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble ||
		       (a->valuedouble != a->valuedouble && b->valuedouble != b->valuedouble);
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
		if (!same_json(x, y))
			return false;
	return x == NULL && y == NULL;
}

/* A JSON flip changed exactly one of the candidate fields and nothing else. */
static void check_json_flip(const char *doc, size_t len, const char *out, size_t outlen,
                            const char *field, bool must_change)
{
	bool changed = false;

	static const char *const defaults[] = {"state", "power", "switch", "on", "status"};
	const char *const *fields = field ? &field : defaults;
	size_t nfields = field ? 1 : sizeof(defaults) / sizeof(defaults[0]);
	cJSON *a = cJSON_ParseWithLength(doc, len), *b;
	const char *end = NULL;

	if (!cJSON_IsObject(a))
		abort(); /* a flip succeeded on something that is not an object */
	if (out[outlen] != '\0')
		abort();
	/* The document keeps every byte it had, NUL bytes inside strings included. */
	b = cJSON_ParseWithLengthOpts(out, outlen, &end, false);
	if (!cJSON_IsObject(b))
		abort(); /* the result is not a JSON object any more */
	for (size_t f = 0; f < nfields; f++) {
		cJSON *ia = at_path(a, fields[f]), *ib = at_path(b, fields[f]);

		if ((ia == NULL) != (ib == NULL))
			abort(); /* the field appeared or vanished */
		if (ia == NULL || same_json(ia, ib))
			continue;
		changed = true;
		/* The changed field: put the old value back and the documents must be equal. */
		cJSON_free(ib->valuestring);
		ib->valuestring = NULL;
		ib->type = ia->type;
		ib->valuedouble = ia->valuedouble;
		ib->valueint = ia->valueint;
		if (ia->valuestring)
			ib->valuestring = strdup(ia->valuestring);
		if (cJSON_IsObject(ia) || cJSON_IsArray(ia))
			abort(); /* only scalars are flipped */
		break;
	}
	if (!same_json(a, b))
		abort(); /* more than the state field changed */
	if (must_change && !changed)
		abort(); /* said it flipped, but the field the parser sees is as it was */
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* Whether s (or none) has no white space at either end. */
static bool trimmed(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n == 0 || (!strchr(" \t\r\n", s[0]) && !strchr(" \t\r\n", s[n - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *parts[NPARTS] = {0}, *payload, buf[512], back[512], out[1024], err[512];
	const char *p, *end;
	unsigned flags;
	size_t plen;

	if (size < 1 || size > 8192)
		return 0;
	flags = data[0];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	for (int i = 0; i < NPARTS; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 0 && memchr(p, '\0', n) == NULL)
			parts[i] = strndup(p, n);
		p = nl ? nl + 1 : end;
	}
	plen = (size_t)(end - p);
	payload = malloc(plen + 1);
	memcpy(payload, p, plen);
	payload[plen] = '\0';

	/* A bare word flips, and flips back to itself (letter case aside); a rule's pair with white
	 * space around a word cannot come back (values are trimmed before they are compared). */
	const char *on = flags & 1 ? parts[P_ON] : NULL, *off = flags & 1 ? parts[P_OFF] : NULL;
	if (toggle_flip_word(payload, plen, on, off, buf, sizeof(buf)) && trimmed(on) &&
	    trimmed(off)) {
		if (!toggle_flip_word(buf, strlen(buf), on, off, back, sizeof(back)))
			abort();
		if (strlen(back) != plen || strncasecmp(back, payload, plen) != 0)
			abort();
		if (on && off && strcmp(back, payload) != 0)
			abort(); /* an exact pair comes back exactly */
	}

	/* A JSON state: only that field changes. */
	{
		const char *field = flags & 2 ? parts[P_FIELD] : NULL;
		char from[64], to[64];
		size_t outlen = 0;
		char *flipped = toggle_flip_json(payload, plen, field, on, off, &outlen, from, to,
		                                 sizeof(from), err, sizeof(err));

		if (flipped) {
			/* The usual pairs always change the value; a rule's pair may be two
			 * spellings of one value ("2" and "2.", or "2" and "2\f"). */
			check_json_flip(payload, plen, flipped, outlen, field,
			                !(on && off) && strcmp(from, to) != 0);
			free(flipped);
		} else if (err[0] == '\0') {
			abort(); /* a refusal always says why */
		}
	}

	/* Command topics from templates. */
	if (parts[P_COMMAND] && parts[P_TOPIC]) {
		size_t cap = flags & 4 ? 16 : sizeof(out);

		err[0] = '\0';
		if (toggle_command_topic(parts[P_COMMAND], parts[P_TOPIC], out, cap, err,
		                         sizeof(err)) == 0) {
			if (out[0] == '\0' || strlen(out) >= cap || topic_has_wildcard(out))
				abort();
			if (strchr(parts[P_COMMAND], '{') == NULL &&
			    strcmp(out, parts[P_COMMAND]) != 0)
				abort();
		} else if (err[0] == '\0') {
			abort();
		}
	}

	/* The whole step, with and without a rule. */
	if (parts[P_TOPIC]) {
		struct toggle_rule rule = {
		    .filter = parts[P_FILTER] && topic_filter_valid(parts[P_FILTER])
		                  ? parts[P_FILTER]
		                  : "#",
		    .command = flags & 8 ? parts[P_COMMAND] : NULL,
		    .on = flags & 1 ? parts[P_ON] : NULL,
		    .off = flags & 1 ? parts[P_OFF] : NULL,
		    .field = flags & 2 ? parts[P_FIELD] : NULL,
		    .qos = (int)(flags >> 4 & 3) - 1,
		    .retain = (int)(flags >> 6 & 1) - (flags >> 7),
		    .line = 3,
		};
		struct toggle_out o;

		if (on == NULL || off == NULL)
			rule.on = rule.off = NULL;
		for (size_t nrules = 0; nrules < 2; nrules++) {
			err[0] = '\0';
			if (toggle_compute(&rule, nrules, parts[P_TOPIC], payload, plen,
			                   (int)(flags % 3), flags & 16, &o, err,
			                   sizeof(err)) == 0) {
				if (o.topic == NULL || o.topic[0] == '\0' || o.payload == NULL ||
				    o.payload[o.len] != '\0' || o.qos < 0 || o.qos > 2)
					abort();
				toggle_out_free(&o);
			} else if (err[0] == '\0' || o.topic != NULL || o.payload != NULL) {
				abort();
			}
		}
	}

	for (int i = 0; i < NPARTS; i++)
		free(parts[i]);
	free(payload);
	return 0;
}
