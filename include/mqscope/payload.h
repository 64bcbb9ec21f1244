/* payload.h: what a payload is (text, JSON, binary) and its documents: text, pretty JSON, hex.
 * Numbers in payloads: payload_number.h; diffs of documents: diff.h. */
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
/* Whether all of s is valid UTF-8 without control characters but tab, CR and LF. */
bool payload_is_text(const char *s, size_t len);
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
/*
 * Appends a line of n bytes of text at depth, of kind, with the colour classes
 * of style (n of them; NULL: all plain). Returns the line's index.
 */
size_t pdoc_add_line(struct pdoc *d, const char *text, size_t n, const uint8_t *style,
                     unsigned depth, enum pline_kind kind);

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

/* Splits a text document's single line at newlines (for diffing text). */
void payload_split_lines(struct pdoc *d);

#endif
