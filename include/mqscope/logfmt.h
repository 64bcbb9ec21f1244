/* logfmt.h: a message as one line of output: "topic payload", JSON Lines, or CSV columns. */
#ifndef MQSCOPE_LOGFMT_H
#define MQSCOPE_LOGFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mqscope/msg.h"

/*
 * The line formats of `mqscope log` and of exports:
 *
 * - text: "topic payload", as `mosquitto_sub -v` prints it ("(null)" for an
 *   empty payload). Unless raw, both are made safe for a terminal: valid
 *   UTF-8 stays, control characters, escape sequences and invalid bytes
 *   are written as visible escapes (\n, \e, \x9b), so a line is one line.
 * - json: the recording format (record.h), which --replay reads back.
 * - csv: time (ISO 8601, UTC, milliseconds), topic, then one column per
 *   chosen field: a JSON field path ("value", "a.b[0]"), or "payload" for
 *   the whole payload. A field a message lacks is an empty cell. Quoted as
 *   RFC 4180 wants; made safe like text unless raw.
 */
enum logfmt_kind { LOGFMT_TEXT, LOGFMT_JSON, LOGFMT_CSV };

struct logfmt {
	enum logfmt_kind kind;
	bool raw;
	const char *const *fields; /* csv columns after time and topic; none = payload */
	size_t nfields;
};

struct logfmt_out {
	FILE *f;
	char *buf; /* scratch for JSON lines */
	size_t cap;
};

/* Writes the first line of the output: CSV's header; nothing for the other formats. */
void logfmt_header(const struct logfmt *fmt, struct logfmt_out *o);
/* Writes the line for v, newline included. Errors show in ferror(o->f). */
void logfmt_write(const struct logfmt *fmt, struct logfmt_out *o, const struct msg_view *v);
/* Frees the scratch buffer. */
void logfmt_out_free(struct logfmt_out *o);

#endif
