/* toggle.c: value pairs, JSON state flips that keep the document's bytes, toggle rules. */
#define _GNU_SOURCE
#include "mqscope/toggle.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mqscope/topic.h"
#include "mqscope/util.h"

/* The pairs a toggle knows without a rule, lower case; matched in any case. */
static const char *const pairs[][2] = {
    {"on", "off"},           {"true", "false"},      {"1", "0"}, {"open", "closed"}, {"yes", "no"},
    {"enabled", "disabled"}, {"locked", "unlocked"},
};

/* Fields a JSON state is looked for in when no rule names one. */
const char *const toggle_default_fields[5] = {"state", "power", "switch", "on", "status"};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* White space between JSON tokens as cJSON reads it (every byte up to 32, NUL included): the text
 * scan must see the same tokens as the parser. */
static bool json_ws(char c)
{
	return (unsigned char)c <= 32;
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Writes w (lower case) in the letter case of model: "ON" all upper, "On" capitalised, else lower.
 */
static void match_case(const char *model, size_t mlen, const char *w, char *out, size_t cap)
{
	bool any_lower = false, any_upper = false;
	size_t i;

	for (i = 0; i < mlen; i++) {
		any_lower |= is_lower(model[i]);
		any_upper |= is_upper(model[i]);
	}
	for (i = 0; w[i] && i + 1 < cap; i++) {
		char c = w[i];

		if (is_lower(c) && any_upper && (!any_lower || (i == 0 && is_upper(model[0]))))
			c = (char)(c - 32);
		out[i] = c;
	}
	out[i] = '\0';
}

bool toggle_flip_word(const char *v, size_t len, const char *on, const char *off, char *out,
                      size_t cap)
{
	size_t s = 0, e = len, wl;
	const char *word;
	char res[64];
	int n;

	while (s < e && is_ws(v[s]))
		s++;
	while (e > s && is_ws(v[e - 1]))
		e--;
	wl = e - s;
	word = v + s;
	if (wl == 0 || memchr(word, '\0', wl) != NULL)
		return false;
	if (on != NULL && off != NULL) {
		const char *other;

		if (strlen(on) == wl && memcmp(word, on, wl) == 0)
			other = off;
		else if (strlen(off) == wl && memcmp(word, off, wl) == 0)
			other = on;
		else
			return false;
		n = snprintf(out, cap, "%.*s%s%.*s", (int)s, v, other, (int)(len - e), v + e);
		return n >= 0 && (size_t)n < cap;
	}
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		for (int side = 0; side < 2; side++) {
			const char *p = pairs[i][side];

			if (strlen(p) != wl || strncasecmp(word, p, wl) != 0)
				continue;
			match_case(word, wl, pairs[i][!side], res, sizeof(res));
			n = snprintf(out, cap, "%.*s%s%.*s", (int)s, v, res, (int)(len - e), v + e);
			return n >= 0 && (size_t)n < cap;
		}
	}
	return false;
}

/* The bytes of v without surrounding white space, for messages ("OFF" from " OFF\n"). */
static void trimmed(const char *v, size_t len, char *out, size_t cap)
{
	size_t s = 0, e = len;

	while (s < e && is_ws(v[s]))
		s++;
	while (e > s && is_ws(v[e - 1]))
		e--;
	snprintf(out, cap, "%.*s", (int)(e - s), v + s);
}

/* JSON scanning over the original text, to find the bytes of one member's value. */

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && json_ws(s[i]))
		i++;
	return i;
}

/* Past the string starting at s[i] == '"', or SIZE_MAX. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return SIZE_MAX;
}

/* Past the value starting at or after i, or SIZE_MAX. */
static size_t skip_value(const char *s, size_t len, size_t i)
{
	int depth = 0;

	i = skip_ws(s, len, i);
	do {
		if (i >= len)
			return SIZE_MAX;
		if (s[i] == '"') {
			i = skip_string(s, len, i);
			if (i == SIZE_MAX)
				return SIZE_MAX;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
			i++;
		} else if (s[i] == '}' || s[i] == ']') {
			depth--;
			i++;
		} else if (depth == 0) {
			while (i < len && !json_ws(s[i]) && strchr(",}]", s[i]) == NULL)
				i++;
			return i;
		} else {
			i++;
		}
	} while (depth > 0);
	return i;
}

/* Whether the string token tok (quotes included) spells key. */
static bool key_equals(const char *tok, size_t n, const char *key)
{
	cJSON *j;
	bool eq;

	/* Escapes, and raw NUL bytes (cJSON's key ends at the first), go through the parser. */
	if (memchr(tok, '\\', n) == NULL && memchr(tok, '\0', n) == NULL)
		return n - 2 == strlen(key) && memcmp(tok + 1, key, n - 2) == 0;
	j = cJSON_ParseWithLength(tok, n);
	eq = cJSON_IsString(j) && strcmp(j->valuestring, key) == 0;
	cJSON_Delete(j);
	return eq;
}

/* Finds the first member key of the object at i; its value is s[*vs, *ve). */
static bool find_member(const char *s, size_t len, size_t i, const char *key, size_t *vs,
                        size_t *ve)
{
	i = skip_ws(s, len, i);
	if (i >= len || s[i] != '{')
		return false;
	i++;
	for (;;) {
		size_t ke, v0, v1;
		bool match;

		i = skip_ws(s, len, i);
		if (i >= len || s[i] != '"')
			return false;
		ke = skip_string(s, len, i);
		if (ke == SIZE_MAX)
			return false;
		match = key_equals(s + i, ke - i, key);
		i = skip_ws(s, len, ke);
		if (i >= len || s[i] != ':')
			return false;
		v0 = skip_ws(s, len, i + 1);
		v1 = skip_value(s, len, v0);
		if (v1 == SIZE_MAX)
			return false;
		if (match) {
			*vs = v0;
			*ve = v1;
			return true;
		}
		i = skip_ws(s, len, v1);
		if (i >= len || s[i] != ',')
			return false;
		i++;
	}
}

/* Splits a dotted path into at most max segments (in buf); returns the count, 0 if invalid. */
static size_t split_path(const char *path, char *buf, size_t cap, const char **segs, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	if (snprintf(buf, cap, "%s", path) >= (int)cap || path[0] == '\0')
		return 0;
	for (char *t = strtok_r(buf, ".", &save); t && n < max; t = strtok_r(NULL, ".", &save))
		segs[n++] = t;
	return n;
}

/* The new JSON token for a state value (allocated), or NULL when it has no opposite. */
static char *flip_item(const cJSON *it, const char *raw, size_t rawlen, const char *on,
                       const char *off, char *from, char *to, size_t wcap)
{
	char buf[256];

	if (cJSON_IsBool(it)) {
		bool now = cJSON_IsTrue(it);

		snprintf(from, wcap, "%s", now ? "true" : "false");
		snprintf(to, wcap, "%s", now ? "false" : "true");
		return xstrdup(now ? "false" : "true");
	}
	if (cJSON_IsString(it)) {
		const char *v = it->valuestring;
		cJSON *s;
		char *tok;

		if (!toggle_flip_word(v, strlen(v), on, off, buf, sizeof(buf)))
			return NULL;
		trimmed(v, strlen(v), from, wcap);
		trimmed(buf, strlen(buf), to, wcap);
		s = cJSON_CreateString(buf);
		tok = s ? cJSON_PrintUnformatted(s) : NULL;
		cJSON_Delete(s);
		if (tok == NULL)
			return NULL;
		char *copy = xstrdup(tok);
		cJSON_free(tok);
		return copy;
	}
	if (cJSON_IsNumber(it)) {
		cJSON *num;
		bool ok;

		if (!toggle_flip_word(raw, rawlen, on, off, buf, sizeof(buf)))
			return NULL;
		/* All of it a number: cJSON_Parse reads "4e`" as 4. */
		num = cJSON_ParseWithOpts(buf, NULL, true);
		ok = cJSON_IsNumber(num);
		cJSON_Delete(num);
		if (!ok)
			return NULL;
		trimmed(raw, rawlen, from, wcap);
		trimmed(buf, strlen(buf), to, wcap);
		return xstrdup(buf);
	}
	return NULL;
}

/* A short description of a JSON value for messages: "\"running\"", "42", "an object". */
static void describe(const cJSON *it, const char *raw, size_t rawlen, char *out, size_t cap)
{
	if (cJSON_IsObject(it))
		snprintf(out, cap, "an object");
	else if (cJSON_IsArray(it))
		snprintf(out, cap, "an array");
	else if (cJSON_IsNull(it))
		snprintf(out, cap, "null");
	else
		snprintf(out, cap, "%.*s", rawlen > 40 ? 40 : (int)rawlen, raw);
}

/* Follows the path in the parsed tree and in the text; false when it is not there. The item's
 * parent object goes to *parent. */
static bool locate(const cJSON *root, const char *doc, size_t len, const char *path,
                   const cJSON **item, const cJSON **parent, size_t *vs, size_t *ve, bool *text_ok)
{
	char buf[256];
	const char *segs[16];
	size_t n = split_path(path, buf, sizeof(buf), segs, 16), pos = 0;
	const cJSON *it = root;

	if (n == 0)
		return false;
	*text_ok = true;
	for (size_t i = 0; i < n; i++) {
		if (!cJSON_IsObject(it))
			return false;
		*parent = it;
		it = cJSON_GetObjectItemCaseSensitive(it, segs[i]);
		if (it == NULL)
			return false;
		if (*text_ok && find_member(doc, len, pos, segs[i], vs, ve))
			pos = *vs;
		else
			*text_ok = false;
	}
	*item = it;
	return true;
}

char *toggle_flip_json(const char *doc, size_t len, const char *field, const char *on,
                       const char *off, size_t *outlen, char *from, char *to, size_t wcap,
                       char *err, size_t cap)
{
	const char *const *fields = field ? &field : toggle_default_fields;
	size_t nfields =
	    field ? 1 : sizeof(toggle_default_fields) / sizeof(toggle_default_fields[0]);
	const char *end = NULL, *first_found = NULL;
	char *copy, *tok = NULL, *out = NULL, what[64] = "";
	cJSON *root;
	size_t vs = 0, ve = 0;
	bool text_ok = false;

	copy = xmalloc(len + 1);
	memcpy(copy, doc, len);
	copy[len] = '\0';
	root = cJSON_ParseWithLengthOpts(copy, len, &end, false);
	if (root != NULL && end != NULL) {
		size_t at = skip_ws(copy, len, (size_t)(end - copy));
		if (at != len) {
			cJSON_Delete(root);
			root = NULL;
		}
	}
	if (!cJSON_IsObject(root)) {
		err_fmt(err, cap, "not a JSON object");
		goto out;
	}
	for (size_t f = 0; f < nfields && tok == NULL; f++) {
		const cJSON *it, *parent;

		if (!locate(root, copy, len, fields[f], &it, &parent, &vs, &ve, &text_ok))
			continue;
		if (first_found == NULL) {
			first_found = fields[f];
			describe(it, text_ok ? copy + vs : "?", text_ok ? ve - vs : 1, what,
			         sizeof(what));
		}
		tok = flip_item(it, copy + vs, text_ok ? ve - vs : 0, on, off, from, to, wcap);
		if (tok != NULL && !text_ok) {
			/*
			 * The text scan disagreed with the parser: rebuild the document instead.
			 * The new value takes the old one's place in its own object, under its
			 * key (the first member of that name, the one the path found).
			 */
			cJSON *repl = cJSON_Parse(tok);

			if (repl == NULL || !cJSON_ReplaceItemInObjectCaseSensitive(
			                        (cJSON *)parent, it->string, repl)) {
				cJSON_Delete(repl);
				err_fmt(err, cap, "cannot rebuild the JSON document");
				goto out;
			}
			char *printed = cJSON_PrintUnformatted(root);
			if (printed != NULL) {
				*outlen = strlen(printed);
				out = xstrdup(printed);
				cJSON_free(printed);
			}
			goto out;
		}
	}
	if (tok == NULL) {
		if (first_found == NULL && field != NULL)
			err_fmt(err, cap, "the JSON has no \"%s\" field", field);
		else if (first_found == NULL)
			err_fmt(err, cap,
			        "the JSON has no \"state\" field (nor power, switch, on, status)");
		else if (on && off)
			err_fmt(err, cap, "\"%s\" is %s, neither %s nor %s", first_found, what, on,
			        off);
		else
			err_fmt(err, cap, "\"%s\" is %s, which has no opposite", first_found, what);
		goto out;
	}
	*outlen = vs + strlen(tok) + (len - ve);
	out = xmalloc(*outlen + 1);
	memcpy(out, doc, vs);
	memcpy(out + vs, tok, strlen(tok));
	memcpy(out + vs + strlen(tok), doc + ve, len - ve);
	out[*outlen] = '\0';
out:
	free(tok);
	cJSON_Delete(root);
	free(copy);
	return out;
}

int toggle_command_topic(const char *tmpl, const char *topic, char *out, size_t cap, char *err,
                         size_t ecap)
{
	size_t o = 0;

	for (const char *p = tmpl; *p;) {
		const char *val = p, *close;
		size_t vlen = 1;

		if (*p == '{') {
			close = strchr(p, '}');
			if (close == NULL)
				return err_fmt(err, ecap, "command '%s': '{' without '}'", tmpl);
			if (close - p == 6 && memcmp(p + 1, "topic", 5) == 0) {
				val = topic;
				vlen = strlen(topic);
			} else if (close - p == 2 && p[1] >= '1' && p[1] <= '9') {
				int want = p[1] - '0', lvl = 1;

				val = topic;
				while (lvl < want && (val = strchr(val, '/')) != NULL) {
					val++;
					lvl++;
				}
				if (val == NULL)
					return err_fmt(err, ecap,
					               "command '%s': %s has no level %d", tmpl,
					               topic, want);
				vlen = strcspn(val, "/");
			} else {
				return err_fmt(
				    err, ecap,
				    "command '%s': unknown placeholder '%.*s' (use {topic} "
				    "or {1} to {9})",
				    tmpl, (int)(close - p + 1), p);
			}
			p = close + 1;
		} else {
			p++;
		}
		if (o + vlen >= cap)
			return err_fmt(err, ecap, "command '%s': topic too long", tmpl);
		memcpy(out + o, val, vlen);
		o += vlen;
	}
	out[o] = '\0';
	if (o == 0 || topic_has_wildcard(out))
		return err_fmt(err, ecap, "command '%s' gives '%s', not a topic one can publish to",
		               tmpl, out);
	return 0;
}

const struct toggle_rule *toggle_rule_for(const struct toggle_rule *rules, size_t n,
                                          const char *topic)
{
	for (size_t i = 0; i < n; i++)
		if (rules[i].filter && topic_matches(rules[i].filter, topic, strlen(topic)))
			return &rules[i];
	return NULL;
}

void toggle_out_free(struct toggle_out *o)
{
	free(o->topic);
	free(o->payload);
	o->topic = o->payload = NULL;
}

int toggle_compute(const struct toggle_rule *rules, size_t n, const char *topic,
                   const void *payload, size_t len, int qos, bool retained, struct toggle_out *out,
                   char *err, size_t cap)
{
	const struct toggle_rule *r = toggle_rule_for(rules, n, topic);
	const char *on = r ? r->on : NULL, *off = r ? r->off : NULL, *p = payload;
	size_t wcap = len + (on ? strlen(on) : 0) + (off ? strlen(off) : 0) + 16, at = 0;
	char shown[48];

	memset(out, 0, sizeof(*out));
	out->rule = r;
	if (len == 0)
		return err_fmt(err, cap, "%s has no value to toggle", topic);
	while (at < len && is_ws(p[at]))
		at++;
	if (r == NULL || r->field == NULL) {
		out->payload = xmalloc(wcap);
		if (toggle_flip_word(p, len, on, off, out->payload, wcap)) {
			out->len = strlen(out->payload);
			trimmed(p, len, out->from, sizeof(out->from));
			trimmed(out->payload, out->len, out->to, sizeof(out->to));
		} else {
			free(out->payload);
			out->payload = NULL;
		}
	}
	if (out->payload == NULL && at < len && p[at] == '{') {
		char why[200];

		out->payload =
		    toggle_flip_json(p, len, r ? r->field : NULL, on, off, &out->len, out->from,
		                     out->to, sizeof(out->from), why, sizeof(why));
		if (out->payload == NULL) {
			if (r != NULL)
				return err_fmt(err, cap, "Not toggled: %s (rule at line %d)", why,
				               r->line);
			return err_fmt(err, cap, "Not toggled: %s", why);
		}
	} else if (out->payload == NULL) {
		trimmed(p, len, shown, sizeof(shown));
		if (on && off)
			return err_fmt(
			    err, cap,
			    "Not toggled: '%s' is neither '%s' nor '%s' (rule at line %d)", shown,
			    on, off, r->line);
		if (r != NULL && r->field != NULL)
			return err_fmt(
			    err, cap,
			    "Not toggled: the value is not a JSON object with \"%s\" (rule at "
			    "line %d)",
			    r->field, r->line);
		return err_fmt(
		    err, cap,
		    "Not toggled: '%s' has no opposite (toggles know ON/OFF, true/false, "
		    "1/0, open/closed, yes/no... or a JSON \"state\")",
		    shown);
	}
	return toggle_destination(r, topic, qos, retained, out, err, cap);
}

int toggle_destination(const struct toggle_rule *r, const char *topic, int qos, bool retained,
                       struct toggle_out *out, char *err, size_t cap)
{
	char dest[1024];

	out->rule = r;
	if (r != NULL && r->command != NULL) {
		char why[300];

		if (toggle_command_topic(r->command, topic, dest, sizeof(dest), why, sizeof(why))) {
			toggle_out_free(out);
			return err_fmt(err, cap, "Not toggled: %s (rule at line %d)", why, r->line);
		}
		out->topic = xstrdup(dest);
	} else {
		out->topic = xstrdup(topic);
	}
	out->qos = r && r->qos >= 0 ? r->qos : qos;
	if (r && r->retain >= 0)
		out->retain = r->retain;
	else
		out->retain = r && r->command ? false : retained;
	return 0;
}
