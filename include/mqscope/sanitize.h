/* sanitize.h: turns untrusted bytes into glyphs that are safe to draw. */
#ifndef MQSCOPE_SANITIZE_H
#define MQSCOPE_SANITIZE_H

#include <stddef.h>

/* Flags */
#define SAN_ASCII  0x1 /* escape everything outside printable ASCII */
#define SAN_LAYOUT 0x2 /* report newline and tab as layout instead of escaping them */
/* The glyph starts a line or a run drawn on its own: a zero-width (combining) mark there would
 * attach to whatever is already on screen before it, so it is escaped instead. */
#define SAN_LEADING 0x4

enum san_kind {
	SAN_TEXT,    /* printable: s/len are the source bytes */
	SAN_ESCAPE,  /* unsafe: draw esc instead, visibly distinct */
	SAN_NEWLINE, /* only with SAN_LAYOUT */
	SAN_TAB,     /* only with SAN_LAYOUT */
};

struct san_glyph {
	enum san_kind kind;
	const char *s; /* SAN_TEXT: bytes to draw */
	size_t len;
	int width;    /* terminal columns */
	char esc[12]; /* SAN_ESCAPE: NUL-terminated ASCII like \e, \x9b, \u202e */
};

/*
 * Decodes one glyph at p (p < end); returns the bytes consumed (>= 1). Escaped:
 * C0 and C1 controls, DEL, invalid UTF-8 (byte by byte), bidi controls,
 * zero-width and other default-ignorable or format characters, characters
 * with no width (unassigned); with SAN_ASCII everything but printable ASCII.
 */
size_t sanitize_next(const char *p, const char *end, unsigned flags, struct san_glyph *g);

/*
 * Writes a safe single-line rendering of in[0..len) to out (NUL-terminated,
 * at most cap bytes, at most max_cols columns; escapes inline). Returns the
 * columns used. For text that is not styled glyph by glyph.
 */
int sanitize_line(const char *in, size_t len, unsigned flags, int max_cols, char *out, size_t cap);

/* Columns the safe rendering of in[0..len) takes on one line. */
int sanitize_width(const char *in, size_t len, unsigned flags);

#endif
