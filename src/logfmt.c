/* logfmt.c: writes messages as mosquitto_sub -v lines, JSON Lines or CSV rows. */
#define _GNU_SOURCE
#include "mqscope/logfmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mqscope/payload_number.h"
#include "mqscope/record.h"
#include "mqscope/sanitize.h"
#include "mqscope/util.h"

#define FIELD_MAX 4096 /* bytes of one JSON field's value in a CSV cell */

/* Length of the run of printable ASCII at p (without '"' in a CSV cell): safe as it is. */
static size_t ascii_run(const char *p, const char *end, bool csv)
{
	const char *q = p;

	while (q < end && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f &&
	       !(csv && *q == '"'))
		q++;
	return (size_t)(q - p);
}

/* Writes bytes, each unsafe glyph as its visible escape (quotes doubled inside a CSV cell). */
static void put_safe(FILE *f, const char *s, size_t n, bool csv)
{
	const char *p = s, *end = s + n;
	struct san_glyph g;

	while (p < end) {
		size_t run = ascii_run(p, end, csv);

		/* Printable ASCII is most of what comes; whole runs go out at once. */
		if (run) {
			fwrite_unlocked(p, 1, run, f);
			p += run;
			continue;
		}
		p += sanitize_next(p, end, p == s ? SAN_LEADING : 0, &g);
		if (g.kind != SAN_TEXT) {
			fputs_unlocked(g.esc, f);
			continue;
		}
		if (csv && g.len == 1 && *g.s == '"')
			fputc_unlocked('"', f);
		fwrite_unlocked(g.s, 1, g.len, f);
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

void logfmt_json_safe(FILE *f, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	struct san_glyph g;

	while (p < end) {
		const char *q = p;
		size_t used;

		while (q < end && (unsigned char)*q < 0x7f)
			q++;
		fwrite_unlocked(p, 1, (size_t)(q - p), f);
		if (q == end)
			return;
		used = sanitize_next(q, end, 0, &g);
		if (g.kind == SAN_TEXT) {
			fwrite_unlocked(q, 1, used, f);
		} else if (*q == 0x7f || g.esc[1] == 'u' || g.esc[1] == 'U') {
			/* The same character, written so that a terminal cannot act on it. */
			unsigned long c = strtoul(*q == 0x7f ? "7f" : g.esc + 2, NULL, 16);

			if (c > 0xffff)
				fprintf(f, "\\u%04lx\\u%04lx", 0xd800 + ((c - 0x10000) >> 10),
				        0xdc00 + ((c - 0x10000) & 0x3ff));
			else
				fprintf(f, "\\u%04lx", c);
		} else {
			/* Not UTF-8: nothing JSON can hold; the replacement character says so. */
			fputs_unlocked("\\ufffd", f);
		}
		p = q + used;
	}
}

/* JSON text, made safe for a terminal unless raw. */
static void put_json(const struct logfmt *fmt, FILE *f, const char *s, size_t n)
{
	if (fmt->raw)
		fwrite_unlocked(s, 1, n, f);
	else
		logfmt_json_safe(f, s, n);
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
	logfmt_write_from(fmt, o, v, NULL, 0);
}

void logfmt_write_from(const struct logfmt *fmt, struct logfmt_out *o, const struct msg_view *v,
                       const char *broker, size_t blen)
{
	size_t n, dn;

	switch (fmt->kind) {
	case LOGFMT_JSON:
		n = record_format_from(v, broker, blen, &o->buf, &o->cap);
		dn = fmt->decode ? fmt->decode(v, &o->doc, &o->doc_cap) : 0;
		/* The record ends with "}\n": a decoded document goes in before it. */
		put_json(fmt, o->f, o->buf, dn ? n - 2 : n);
		if (dn) {
			fputs_unlocked(",\"decoded\":", o->f);
			put_json(fmt, o->f, o->doc, dn);
			fputs_unlocked("}\n", o->f);
		}
		return;
	case LOGFMT_CSV:
		write_csv(fmt, o->f, v);
		return;
	case LOGFMT_TEXT:
		break;
	}
	if (fmt->raw)
		fwrite_unlocked(v->topic, 1, v->h->topic_len, o->f);
	else
		put_safe(o->f, v->topic, v->h->topic_len, false);
	fputc_unlocked(' ', o->f);
	if (v->h->len == 0)
		fputs_unlocked("(null)", o->f);
	else if (fmt->raw)
		fwrite_unlocked(v->payload, 1, v->h->len, o->f);
	else
		put_safe(o->f, v->payload, v->h->len, false);
	if (!fmt->no_eol)
		fputc_unlocked('\n', o->f);
}

void logfmt_out_free(struct logfmt_out *o)
{
	free(o->buf);
	free(o->doc);
	o->buf = o->doc = NULL;
	o->cap = o->doc_cap = 0;
}

int logfmt_from_settings(const struct settings *s, struct logfmt *fmt, char *err, size_t cap)
{
	memset(fmt, 0, sizeof(*fmt));
	if (s->out_json && s->out_csv)
		return err_fmt(err, cap, "--json and --csv: choose one");
	if (s->nout_fields && !s->out_csv)
		return err_fmt(err, cap, "--fields names the columns of --csv: add --csv");
	fmt->kind = s->out_json ? LOGFMT_JSON : s->out_csv ? LOGFMT_CSV : LOGFMT_TEXT;
	fmt->raw = s->out_raw;
	fmt->no_eol = s->out_no_eol;
	fmt->fields = (const char *const *)s->out_fields;
	fmt->nfields = s->nout_fields;
	return 0;
}
