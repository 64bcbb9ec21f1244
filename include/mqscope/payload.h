/* payload.h: what a payload is (text, JSON, binary) and its views: pretty JSON, hex, numbers, diff.
 */
#ifndef MQSCOPE_PAYLOAD_H
#define MQSCOPE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum payload_kind {
	PAYLOAD_EMPTY,
	PAYLOAD_TEXT,   /* valid UTF-8, few control characters */
	PAYLOAD_JSON,   /* a JSON object or array (cJSON accepts the whole of it) */
	PAYLOAD_BINARY, /* anything else */
};

/*
 * Decides how to show a payload. A truncated payload is never JSON (it is
 * cut mid-document); it is text or binary by its bytes.
 */
enum payload_kind payload_detect(const char *s, size_t len, bool truncated);
/* "text", "json", "binary", "empty". */
const char *payload_kind_name(enum payload_kind k);

/* Colour class of each byte of a formatted document. */
enum pstyle {
	PS_PLAIN,
	PS_PUNCT,
	PS_KEY,
	PS_STRING,
	PS_NUMBER,
	PS_BOOL,
	PS_NULL,
};

/* What a line of a formatted document is. */
enum pline_kind {
	PL_PLAIN,
	PL_OPEN,  /* opens a container that closes on a later line: foldable */
	PL_CLOSE, /* closes one */
	PL_SAME,  /* diff: in both */
	PL_ADD,   /* diff: only in the newer value */
	PL_DEL,   /* diff: only in the older value */
	PL_HUNK,  /* diff: "@@ -a,b +c,d @@" */
};

struct pline {
	uint32_t off, len; /* bytes of pdoc.text; the line break is not stored */
	uint32_t link;     /* PL_OPEN: index of its closing line; PL_CLOSE: items inside */
	uint16_t depth;    /* nesting level; drawn as indentation, not stored as spaces */
	uint8_t kind;      /* enum pline_kind */
	uint8_t pad;
};

/*
 * A document ready to lay out: text, an optional colour class per byte,
 * and lines. Indentation is virtual (pline.depth), so pretty-printing a
 * deeply nested document costs no more memory than the document.
 */
struct pdoc {
	char *text;
	size_t len, cap;
	uint8_t *style; /* enum pstyle per byte of text, or NULL */
	struct pline *lines;
	size_t nlines, lines_cap;
};

void pdoc_init(struct pdoc *d);
void pdoc_free(struct pdoc *d);
void pdoc_clear(struct pdoc *d);

/* The payload as one line (its newlines are laid out when drawn). */
void payload_text_doc(const char *s, size_t len, struct pdoc *out);
/* Pretty-prints JSON with colour classes and fold links; false when s is not JSON. */
bool payload_json_doc(const char *s, size_t len, struct pdoc *out);
/*
 * Re-indents JSON that is already known to be valid (no validation): the
 * formatter behind payload_json_doc, safe on any bytes.
 */
void payload_json_format(const char *s, size_t len, struct pdoc *out);
/* Whole hex dump (for diffs of binary values): one line per per_line bytes. */
void payload_hex_doc(const char *s, size_t len, unsigned per_line, struct pdoc *out);

/*
 * One hex dump line for the bytes at off: "00000010  48 65 6c 6c  |Hell|".
 * per_line is 4, 8 or 16. Returns the length written (NUL-terminated).
 */
size_t payload_hex_line(const uint8_t *s, size_t len, size_t off, unsigned per_line, char *out,
                        size_t cap);
/* Columns a hex dump line takes for per_line bytes. */
int payload_hex_width(unsigned per_line);

/*
 * A number from text: "21.5", " -3e2 ", "45 %", "12345 seconds". The number
 * must come first; what follows may only be a short unit without digits.
 */
bool payload_text_number(const char *s, size_t len, double *out);

#define PAYLOAD_PATH_MAX 128

/*
 * The number at path in a JSON payload ("value", "a.b[2].c"), or with an
 * empty path the payload itself as a number (text or JSON). Numbers inside
 * JSON strings ("21.5") count. Payloads over PAYLOAD_NUMBER_MAX are skipped.
 */
bool payload_number(const char *s, size_t len, const char *path, double *out);
#define PAYLOAD_NUMBER_MAX (256 * 1024)

/*
 * A payload's value as text, and as a number when it reads as one. With an
 * empty path it is the whole payload, white space trimmed: *out points into
 * s (no copy). Else it is the JSON member at path, copied into buf (cut to
 * cap - 1 bytes, NUL-ended): strings unquoted, true/false/null as those
 * words, objects and arrays as compact JSON. *outlen is the length (the
 * text may hold NUL bytes). False when the path names nothing.
 */
bool payload_value(const char *s, size_t len, const char *path, char *buf, size_t cap,
                   const char **out, size_t *outlen, double *num, bool *is_num);

/* Fills paths with up to max numeric leaves of a JSON payload, in document order; returns count.
 */
size_t payload_numeric_paths(const char *s, size_t len, char (*paths)[PAYLOAD_PATH_MAX],
                             size_t max);
/*
 * The field a trend should follow by default: "" for a plain number, else the
 * numeric JSON leaf that looks most like a measurement (not a timestamp).
 * False when the payload holds no number.
 */
bool payload_default_path(const char *s, size_t len, char *out, size_t cap);

/*
 * A line diff of a against b (older, newer) into out: PL_SAME/PL_ADD/PL_DEL
 * lines with context lines of context around each change and PL_HUNK headers.
 * Styles and depths of the input lines are kept. Returns the number of
 * changed lines (0: identical). Very different large inputs fall back to
 * "all removed, all added" instead of an exact minimal diff.
 */
size_t payload_diff(const struct pdoc *a, const struct pdoc *b, size_t context, struct pdoc *out);
/* Splits a text document's single line at newlines (for diffing text). */
void payload_split_lines(struct pdoc *d);

/* Standard base64 of n bytes into out (cap >= base64_len(n) + 1); returns the length. */
size_t base64_encode(const void *in, size_t n, char *out, size_t cap);
static inline size_t base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}
/* Decodes standard base64 (padding optional, no whitespace); false on bad input. */
bool base64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen);

#endif
