/* payload_number.c: numbers in payloads: plain text ("21.5 C") or JSON fields, and the field a
 * trend follows. */
#include "mqscope/payload_number.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

bool payload_text_number(const char *s, size_t len, double *out)
{
	size_t i = 0, start, digits = 0;
	char buf[64], *endp;
	double v;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	start = i;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;

		if (j < len && (s[j] == '-' || s[j] == '+'))
			j++;
		if (j < len && isdigit((unsigned char)s[j])) {
			while (j < len && isdigit((unsigned char)s[j]))
				j++;
			i = j;
		}
	}
	if (i - start >= sizeof(buf))
		return false;
	memcpy(buf, s + start, i - start);
	buf[i - start] = '\0';
	v = strtod(buf, &endp);
	if (*endp != '\0' || !isfinite(v))
		return false;
	/* What follows may be a unit ("C", "%", "seconds"), not more numbers. */
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (len - i > 16)
		return false;
	for (size_t j = i; j < len; j++) {
		unsigned char c = (unsigned char)s[j];

		if (isdigit(c) || c == '{' || c == '[' || c == '"' || c == '\0' || c == ',' ||
		    c == '.' || c == '-' || c == '+')
			return false;
	}
	*out = v;
	return true;
}

static cJSON *parse_whole(const char *s, size_t len)
{
	const char *end = NULL;
	cJSON *j;

	if (len > PAYLOAD_NUMBER_MAX)
		return NULL;
	j = cJSON_ParseWithLengthOpts(s, len, &end, false);
	if (j == NULL)
		return NULL;
	for (size_t i = (size_t)(end - s); i < len; i++) {
		if (!isspace((unsigned char)s[i])) {
			cJSON_Delete(j);
			return NULL;
		}
	}
	return j;
}

static bool json_leaf_number(const cJSON *n, double *out)
{
	if (cJSON_IsNumber(n) && isfinite(n->valuedouble)) {
		*out = n->valuedouble;
		return true;
	}
	if (cJSON_IsString(n) && n->valuestring)
		return payload_text_number(n->valuestring, strlen(n->valuestring), out);
	return false;
}

/* The node at path ("a.b[2]"), or NULL. */
static const cJSON *json_at(const cJSON *root, const char *path)
{
	const cJSON *n = root;
	const char *p = path;
	char key[PAYLOAD_PATH_MAX];

	while (*p && n) {
		if (*p == '.') {
			p++;
		} else if (*p == '[') {
			char *e;
			long idx = strtol(p + 1, &e, 10);

			if (e == p + 1 || *e != ']' || idx < 0 || !cJSON_IsArray(n))
				return NULL;
			n = cJSON_GetArrayItem(n, (int)idx);
			p = e + 1;
		} else {
			size_t k = strcspn(p, ".[");

			if (k >= sizeof(key) || !cJSON_IsObject(n))
				return NULL;
			memcpy(key, p, k);
			key[k] = '\0';
			n = cJSON_GetObjectItemCaseSensitive(n, key);
			p += k;
		}
	}
	return n;
}

bool payload_number(const char *s, size_t len, const char *path, double *out)
{
	cJSON *root;
	const cJSON *n;
	bool ok;

	if (len > PAYLOAD_NUMBER_MAX)
		return false;
	if (path == NULL || path[0] == '\0')
		return payload_text_number(s, len, out);
	root = parse_whole(s, len);
	if (root == NULL)
		return false;
	n = json_at(root, path);
	ok = n != NULL && json_leaf_number(n, out);
	cJSON_Delete(root);
	return ok;
}

/* Copies n bytes into out (cut to cap - 1, NUL-ended); returns the length kept. */
static size_t copy_cut(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

bool payload_value(const char *s, size_t len, const char *path, char *buf, size_t cap,
                   const char **out, size_t *outlen, double *num, bool *is_num)
{
	cJSON *root;
	const cJSON *n;
	char *printed = NULL;
	const char *text;

	*is_num = false;
	if (path == NULL || path[0] == '\0') {
		while (len > 0 && isspace((unsigned char)*s))
			s++, len--;
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		*out = s;
		*outlen = len;
		*is_num = len <= PAYLOAD_NUMBER_MAX && payload_text_number(s, len, num);
		return true;
	}
	if (cap == 0 || (root = parse_whole(s, len)) == NULL)
		return false;
	n = json_at(root, path);
	if (n == NULL) {
		cJSON_Delete(root);
		return false;
	}
	*is_num = json_leaf_number(n, num);
	if (cJSON_IsString(n))
		text = n->valuestring ? n->valuestring : "";
	else if (cJSON_IsTrue(n))
		text = "true";
	else if (cJSON_IsFalse(n))
		text = "false";
	else if (cJSON_IsNull(n))
		text = "null";
	else
		text = printed = cJSON_PrintUnformatted(n);
	*out = buf;
	*outlen = copy_cut(buf, cap, text ? text : "", text ? strlen(text) : 0);
	free(printed);
	cJSON_Delete(root);
	return true;
}

struct path_walk {
	char (*paths)[PAYLOAD_PATH_MAX];
	size_t n, max;
	char cur[PAYLOAD_PATH_MAX];
};

/* Collects numeric leaves below n, whose path is w->cur[0..plen). */
static void walk_numbers(struct path_walk *w, const cJSON *n, size_t plen, int depth)
{
	double v;
	int idx = 0;

	if (w->n >= w->max || depth > 32)
		return;
	if (!cJSON_IsObject(n) && !cJSON_IsArray(n)) {
		if (plen > 0 && json_leaf_number(n, &v)) {
			memcpy(w->paths[w->n], w->cur, plen);
			w->paths[w->n][plen] = '\0';
			w->n++;
		}
		return;
	}
	for (const cJSON *c = n->child; c && w->n < w->max; c = c->next, idx++) {
		int k;

		if (cJSON_IsObject(n)) {
			/* Keys that the path syntax cannot name are left out. */
			if (c->string == NULL || c->string[0] == '\0' || strpbrk(c->string, ".[]"))
				continue;
			k = snprintf(w->cur + plen, sizeof(w->cur) - plen, "%s%s", plen ? "." : "",
			             c->string);
		} else {
			k = snprintf(w->cur + plen, sizeof(w->cur) - plen, "[%d]", idx);
		}
		if (k < 0 || plen + (size_t)k >= sizeof(w->cur))
			continue;
		walk_numbers(w, c, plen + (size_t)k, depth + 1);
	}
}

size_t payload_numeric_paths(const char *s, size_t len, char (*paths)[PAYLOAD_PATH_MAX], size_t max)
{
	struct path_walk w = {.paths = paths, .max = max};
	cJSON *root = parse_whole(s, len);

	if (root == NULL)
		return 0;
	walk_numbers(&w, root, 0, 0);
	cJSON_Delete(root);
	return w.n;
}

/* How much a field name looks like a measurement (higher) or a timestamp/id (lower). */
static int field_score(const char *path)
{
	static const char *const good[] = {"value",    "val",   "reading", "temperature", "temp",
	                                   "humidity", "power", "level",   "load",        "state"};
	static const char *const poor[] = {"ts",   "time",   "timestamp", "epoch",
	                                   "date", "id",     "seq",       "sequence",
	                                   "unix", "uptime", "time_ms",   "t"};
	const char *last = strrchr(path, '.');
	char name[PAYLOAD_PATH_MAX];
	size_t n;

	last = last ? last + 1 : path;
	n = strcspn(last, "[");
	if (n >= sizeof(name))
		return 0;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)last[i]);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!strcmp(name, good[i]))
			return 2;
	for (size_t i = 0; i < sizeof(poor) / sizeof(poor[0]); i++)
		if (!strcmp(name, poor[i]))
			return -1;
	if (n > 3 && (!strcmp(name + n - 3, "_at") || !strcmp(name + n - 3, "_ts") ||
	              !strcmp(name + n - 3, "_id")))
		return -1;
	return 0;
}

bool payload_default_path(const char *s, size_t len, char *out, size_t cap)
{
	char(*paths)[PAYLOAD_PATH_MAX];
	size_t n, best = 0;
	int best_score = -100;
	double v;

	if (cap == 0)
		return false;
	out[0] = '\0';
	if (payload_text_number(s, len, &v))
		return true;
	paths = xmalloc(64 * sizeof(*paths));
	n = payload_numeric_paths(s, len, paths, 64);
	for (size_t i = 0; i < n; i++) {
		int sc = field_score(paths[i]);

		if (sc > best_score) {
			best_score = sc;
			best = i;
		}
	}
	if (n)
		snprintf(out, cap, "%s", paths[best]);
	free(paths);
	return n > 0;
}
