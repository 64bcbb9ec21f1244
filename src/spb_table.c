/* spb_table.c: a Sparkplug B document as the payload pane's table: one row per metric with its
 * name (resolved from its alias), datatype, alias and value. */
#include "mqscope/sparkplug.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decode.h"
#include "mqscope/payload.h"
#include "mqscope/utf8.h"
#include "mqscope/util.h"

#define NAME_MAX_COLS 40 /* a longer name takes its width and shifts its row only */
#define TABLE_ROW_MAX 4096

/* A growing line of text with a colour class per byte. */
struct row {
	char text[TABLE_ROW_MAX];
	uint8_t style[TABLE_ROW_MAX];
	size_t n;
};

static void put(struct row *r, const char *s, size_t n, enum pstyle st)
{
	if (n > sizeof(r->text) - r->n)
		n = sizeof(r->text) - r->n;
	memcpy(r->text + r->n, s, n);
	memset(r->style + r->n, st, n);
	r->n += n;
}

/* s, then spaces up to width columns. */
static void cell(struct row *r, const char *s, size_t width, enum pstyle st)
{
	size_t n = strlen(s), cols = utf8_chars(s, n);

	put(r, s, n, st);
	while (cols++ < width + 2)
		put(r, " ", 1, PS_PLAIN);
}

static enum pstyle style_of(const cJSON *v)
{
	if (cJSON_IsNumber(v) || cJSON_IsRaw(v))
		return PS_NUMBER;
	if (cJSON_IsString(v))
		return PS_STRING;
	if (cJSON_IsBool(v))
		return PS_BOOL;
	if (cJSON_IsNull(v))
		return PS_NULL;
	return PS_PLAIN;
}

static void add(struct pdoc *out, const struct row *r)
{
	pdoc_add_line(out, r->text, r->n, r->style, 0, PL_PLAIN);
}

/* A number's text: decoders write exact numbers as raw JSON text. */
static bool number_text(const cJSON *it, char *buf, size_t cap)
{
	if (cJSON_IsRaw(it))
		snprintf(buf, cap, "%s", it->valuestring);
	else if (cJSON_IsNumber(it))
		snprintf(buf, cap, "%.17g", it->valuedouble);
	else
		return false;
	return true;
}

bool spb_table_doc(const struct cJSON *doc, struct pdoc *out)
{
	const cJSON *metrics, *m, *it;
	size_t wname = 6, wtype = 4, walias = 5, count = 0;
	struct row *r;
	char buf[64], num[48];

	metrics = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
	if (!cJSON_IsObject(metrics))
		return false;
	r = xmalloc(sizeof(*r));
	pdoc_clear(out);
	/* The message: type, seq, time, how many metrics. */
	r->n = 0;
	it = cJSON_GetObjectItemCaseSensitive(doc, "message");
	put(r, cJSON_IsString(it) ? it->valuestring : "?",
	    cJSON_IsString(it) ? strlen(it->valuestring) : 1, PS_KEY);
	if (number_text(cJSON_GetObjectItemCaseSensitive(doc, "seq"), num, sizeof(num))) {
		snprintf(buf, sizeof(buf), "  seq %s", num);
		put(r, buf, strlen(buf), PS_PLAIN);
	}
	if (number_text(cJSON_GetObjectItemCaseSensitive(doc, "timestamp"), num, sizeof(num))) {
		unsigned long long ms = strtoull(num, NULL, 10);

		put(r, "  ", 2, PS_PLAIN);
		decode_iso_time((int64_t)(ms / 1000), (uint32_t)(ms % 1000) * 1000000, buf,
		                sizeof(buf));
		put(r, buf, strlen(buf), PS_PLAIN);
	}
	cJSON_ArrayForEach(m, metrics)
	{
		size_t n = utf8_chars(m->string, strlen(m->string));

		count++;
		if (n > wname && n <= NAME_MAX_COLS)
			wname = n;
		it = cJSON_GetObjectItemCaseSensitive(m, "datatype");
		if (cJSON_IsString(it) && strlen(it->valuestring) > wtype)
			wtype = strlen(it->valuestring);
	}
	snprintf(buf, sizeof(buf), "  %zu metric%s", count, count == 1 ? "" : "s");
	put(r, buf, strlen(buf), PS_PLAIN);
	add(out, r);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "$warnings"))
	{
		r->n = 0;
		put(r, "warning: ", 9, PS_NULL);
		if (cJSON_IsString(it))
			put(r, it->valuestring, strlen(it->valuestring), PS_STRING);
		add(out, r);
	}
	r->n = 0;
	cell(r, "metric", wname, PS_PUNCT);
	cell(r, "type", wtype, PS_PUNCT);
	cell(r, "alias", walias, PS_PUNCT);
	put(r, "value", 5, PS_PUNCT);
	add(out, r);
	cJSON_ArrayForEach(m, metrics)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
		const cJSON *dt = cJSON_GetObjectItemCaseSensitive(m, "datatype");
		const cJSON *alias = cJSON_GetObjectItemCaseSensitive(m, "alias");
		char *text;

		r->n = 0;
		cell(r, m->string, wname, PS_KEY);
		cell(r, cJSON_IsString(dt) ? dt->valuestring : "", wtype, PS_PUNCT);
		if (number_text(alias, num, sizeof(num))) {
			snprintf(buf, sizeof(buf), "%*s  ", (int)walias, num);
			put(r, buf, strlen(buf), PS_NUMBER);
		} else {
			cell(r, "", walias, PS_PLAIN);
		}
		if (v == NULL) {
			put(r, "(no value)", 10, PS_NULL);
		} else if (cJSON_IsString(v)) {
			put(r, v->valuestring, strlen(v->valuestring), PS_STRING);
		} else if ((text = cJSON_PrintUnformatted(v)) != NULL) {
			/* DataSets, Templates and arrays on one line: the JSON view has them whole.
			 */
			put(r, text, strlen(text), style_of(v));
			cJSON_free(text);
		}
		add(out, r);
	}
	free(r);
	return true;
}

size_t spb_summary(const struct cJSON *doc, char *buf, size_t cap)
{
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(doc, "metrics"), *m, *it;
	size_t o = 0;
	bool first = true;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		int w_ = snprintf(buf + o, cap - o, __VA_ARGS__);                                  \
		o = w_ < 0 ? o : o + (size_t)w_ < cap ? o + (size_t)w_ : cap - 1;                  \
	} while (0)

	if (!cJSON_IsObject(metrics) || cap == 0)
		return 0;
	buf[0] = '\0';
	it = cJSON_GetObjectItemCaseSensitive(doc, "message");
	ADD("%s:", cJSON_IsString(it) ? it->valuestring : "?");
	cJSON_ArrayForEach(m, metrics)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");

		if (o + 1 >= cap)
			break;
		ADD("%s %s", first ? "" : ",", m->string);
		first = false;
		if (cJSON_IsString(v)) {
			ADD(" %s", v->valuestring);
		} else if (v && !cJSON_IsObject(v) && !cJSON_IsArray(v)) {
			char *t = cJSON_PrintUnformatted(v);

			ADD(" %s", t ? t : "");
			cJSON_free(t);
		} else if (v) {
			ADD(" %s", cJSON_IsArray(v) ? "[...]" : "{...}");
		}
	}
#undef ADD
	return o;
}
