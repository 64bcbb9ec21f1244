/* logfmt.h: a message as one line of output: "topic payload", JSON Lines, or CSV columns. */
#ifndef MQSCOPE_LOGFMT_H
#define MQSCOPE_LOGFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mqscope/msg.h"
#include "mqscope/settings.h"

/*
 * The line formats of `mqscope log` and of exports:
 *
 * - text: "topic payload", as `mosquitto_sub -v` prints it ("(null)" for an
 *   empty payload). Unless raw, both are made safe for a terminal: valid
 *   UTF-8 stays, control characters, escape sequences and invalid bytes
 *   are written as visible escapes (\n, \e, \x9b), so a line is one line.
 * - json: the recording format (record.h), which --replay reads back.
 *   Unless raw, characters a terminal could act on (C1 controls, bidi
 *   controls, invisible and unassigned ones, DEL) are written as \u
 *   escapes: the same JSON, safe to print.
 * - csv: time (ISO 8601, UTC, milliseconds), topic, then one column per
 *   chosen field: a JSON field path ("value", "a.b[0]"), or "payload" for
 *   the whole payload. A field a message lacks is an empty cell. Quoted as
 *   RFC 4180 wants; made safe like text unless raw.
 */
enum logfmt_kind { LOGFMT_TEXT, LOGFMT_JSON, LOGFMT_CSV };

/*
 * A message's decoded document as JSON text, for the JSON line's "decoded"
 * member: appends it to *buf (grown with realloc) and returns its length,
 * or returns 0 when no decoder applies. This is where the binary decoders
 * (Sparkplug B, protobuf, CBOR, MessagePack) plug in; JSON payloads need
 * none (their "payload" is the document).
 */
typedef size_t (*logfmt_decode_fn)(const struct msg_view *v, char **buf, size_t *cap);

struct logfmt {
	enum logfmt_kind kind;
	bool raw;
	bool no_eol;               /* text: no newline after the payload (mosquitto_sub -N) */
	const char *const *fields; /* csv columns after time and topic; none = payload */
	size_t nfields;
	logfmt_decode_fn decode; /* json: NULL = no "decoded" member */
};

struct logfmt_out {
	FILE *f;
	char *buf; /* scratch for JSON lines */
	size_t cap;
	char *doc; /* scratch for decoded documents */
	size_t doc_cap;
};

/*
 * The format --json, --csv, --fields, --raw and -N ask for (text when
 * neither --json nor --csv); -1 with the reason in err when they do not go
 * together. fields point into s.
 */
int logfmt_from_settings(const struct settings *s, struct logfmt *fmt, char *err, size_t cap);

/*
 * Writes JSON text (valid UTF-8 in its strings) with every character a
 * terminal could act on as a \u escape: the same document, safe to print.
 */
void logfmt_json_safe(FILE *f, const char *s, size_t n);

/* Writes the first line of the output: CSV's header; nothing for the other formats. */
void logfmt_header(const struct logfmt *fmt, struct logfmt_out *o);
/* Writes the line for v, newline included. Errors show in ferror(o->f). */
void logfmt_write(const struct logfmt *fmt, struct logfmt_out *o, const struct msg_view *v);
/* The same from one of several brokers (JSON names it: record_format_from; CSV does not). */
void logfmt_write_from(const struct logfmt *fmt, struct logfmt_out *o, const struct msg_view *v,
                       const char *broker, size_t blen);
/* Frees the scratch buffer. */
void logfmt_out_free(struct logfmt_out *o);

#endif
