/* logfmt.c: writes messages as mosquitto_sub -v lines, JSON Lines or CSV rows. */
#include "mqscope/logfmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqscope/payload.h"
#include "mqscope/record.h"
#include "mqscope/sanitize.h"

#define FIELD_MAX 4096 /* bytes of one JSON field's value in a CSV cell */

/* Writes bytes, each unsafe glyph as its visible escape (quotes doubled inside a CSV cell). */
static void put_safe(FILE *f, const char *s, size_t n, bool csv)
{
	const char *p = s, *end = s + n;
	struct san_glyph g;
	bool first = true;

	while (p < end) {
		p += sanitize_next(p, end, first ? SAN_LEADING : 0, &g);
		first = false;
		if (g.kind != SAN_TEXT) {
			fputs(g.esc, f);
			continue;
		}
		if (csv && g.len == 1 && *g.s == '"')
			fputc('"', f);
		fwrite(g.s, 1, g.len, f);
	}
}

/* Writes bytes as they are (quotes doubled inside a CSV cell). */
static void put_raw(FILE *f, const char *s, size_t n, bool csv)
{
	const char *q;

	while (csv && (q = memchr(s, '"', n)) != NULL) {
		fwrite(s, 1, (size_t)(q - s) + 1, f);
		fputc('"', f);
		n -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	fwrite(s, 1, n, f);
}

/* One CSV cell: quoted when it holds a separator, quote or line break. */
static void put_cell(const struct logfmt *fmt, FILE *f, const char *s, size_t n)
{
	bool quote = n > 0 && (memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) ||
	                       memchr(s, '\r', n));

	if (quote)
		fputc('"', f);
	if (fmt->raw)
		put_raw(f, s, n, quote);
	else
		put_safe(f, s, n, quote);
	if (quote)
		fputc('"', f);
}

void logfmt_header(const struct logfmt *fmt, struct logfmt_out *o)
{
	if (fmt->kind != LOGFMT_CSV)
		return;
	fputs("time,topic", o->f);
	if (fmt->nfields == 0)
		fputs(",payload", o->f);
	for (size_t i = 0; i < fmt->nfields; i++) {
		fputc(',', o->f);
		put_cell(fmt, o->f, fmt->fields[i], strlen(fmt->fields[i]));
	}
	fputs("\r\n", o->f);
}

/* "2026-11-22T10:04:05.123Z" */
static void put_time(FILE *f, int64_t ms)
{
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;
	char buf[40];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "%s.%03dZ", buf, (int)((ms % 1000 + 1000) % 1000));
}

static void write_csv(const struct logfmt *fmt, FILE *f, const struct msg_view *v)
{
	put_time(f, v->h->time_ms);
	fputc(',', f);
	put_cell(fmt, f, v->topic, v->h->topic_len);
	if (fmt->nfields == 0) {
		fputc(',', f);
		put_cell(fmt, f, v->payload, v->h->len);
	}
	for (size_t i = 0; i < fmt->nfields; i++) {
		const char *path = strcmp(fmt->fields[i], "payload") ? fmt->fields[i] : "";
		char buf[FIELD_MAX];
		const char *val;
		size_t vlen;
		double num;
		bool is_num;

		fputc(',', f);
		if (payload_value(v->payload, v->h->len, path, buf, sizeof(buf), &val, &vlen, &num,
		                  &is_num))
			put_cell(fmt, f, val, vlen);
	}
	fputs("\r\n", f);
}

void logfmt_write(const struct logfmt *fmt, struct logfmt_out *o, const struct msg_view *v)
{
	size_t n;

	switch (fmt->kind) {
	case LOGFMT_JSON:
		n = record_format(v, &o->buf, &o->cap);
		fwrite(o->buf, 1, n, o->f);
		return;
	case LOGFMT_CSV:
		write_csv(fmt, o->f, v);
		return;
	case LOGFMT_TEXT:
		break;
	}
	if (fmt->raw)
		fwrite(v->topic, 1, v->h->topic_len, o->f);
	else
		put_safe(o->f, v->topic, v->h->topic_len, false);
	fputc(' ', o->f);
	if (v->h->len == 0)
		fputs("(null)", o->f);
	else if (fmt->raw)
		fwrite(v->payload, 1, v->h->len, o->f);
	else
		put_safe(o->f, v->payload, v->h->len, false);
	fputc('\n', o->f);
}

void logfmt_out_free(struct logfmt_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->cap = 0;
}
