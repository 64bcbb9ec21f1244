/* text_edit.c: multi-line editing on top of line_edit, with soft-wrapped display rows. */
#include "mqscope/text_edit.h"

#include <stdlib.h>
#include <string.h>

#include "mqscope/sanitize.h"
#include "mqscope/util.h"

void text_edit_init(struct text_edit *t)
{
	memset(t, 0, sizeof(*t));
	line_edit_init(&t->e);
	t->goal = -1;
	t->width = 80;
	t->height = 1;
}

void text_edit_free(struct text_edit *t)
{
	line_edit_free(&t->e);
}

void text_edit_set(struct text_edit *t, const char *s, size_t len)
{
	line_edit_clear(&t->e);
	line_edit_insert_bytes(&t->e, s, len);
	t->top = 0;
	t->goal = -1;
}

/* Sanitizer flags for a glyph at column cols of a row: as the row is drawn (draw_text). */
static unsigned glyph_flags(const struct text_edit *t, int cols)
{
	unsigned f = t->flags & ~(unsigned)SAN_LAYOUT;

	return cols == 0 ? f | SAN_LEADING : f;
}

static int row_width(const struct text_edit *t)
{
	return t->width > 1 ? t->width - 1 : 1;
}

size_t text_edit_row(const struct text_edit *t, size_t start, size_t *next)
{
	const char *b = t->e.buf, *end = b + t->e.len;
	size_t i = start;
	int cols = 0, w = row_width(t);

	while (i < t->e.len) {
		struct san_glyph g;
		size_t n;

		if (b[i] == '\n') {
			*next = i + 1;
			return i;
		}
		n = sanitize_next(b + i, end, glyph_flags(t, cols), &g);
		if (cols > 0 && cols + g.width > w) {
			*next = i;
			return i;
		}
		cols += g.width;
		i += n;
	}
	*next = SIZE_MAX;
	return i;
}

static size_t line_start(const struct text_edit *t, size_t pos)
{
	while (pos > 0 && t->e.buf[pos - 1] != '\n')
		pos--;
	return pos;
}

static size_t line_end(const struct text_edit *t, size_t pos)
{
	const char *nl = memchr(t->e.buf + pos, '\n', t->e.len - pos);

	return nl ? (size_t)(nl - t->e.buf) : t->e.len;
}

size_t text_edit_row_start(const struct text_edit *t, size_t pos)
{
	size_t s = line_start(t, pos);

	for (;;) {
		size_t nx, e = text_edit_row(t, s, &nx);

		if (pos < e || nx != e)
			return s;
		s = nx;
	}
}

/* Columns from s to p on one row. */
static int cols_between(const struct text_edit *t, size_t s, size_t p)
{
	const char *b = t->e.buf, *end = b + t->e.len;
	int cols = 0;

	while (s < p) {
		struct san_glyph g;

		s += sanitize_next(b + s, end, glyph_flags(t, cols), &g);
		cols += g.width;
	}
	return cols;
}

/* The offset in the row starting at s nearest to column goal, never past the row. */
static size_t pos_at_col(const struct text_edit *t, size_t s, int goal)
{
	const char *b = t->e.buf, *end = b + t->e.len;
	size_t nx, e = text_edit_row(t, s, &nx), i = s, last = s;
	int cols = 0;

	while (i < e) {
		struct san_glyph g;
		size_t n = sanitize_next(b + i, end, glyph_flags(t, cols), &g);

		if (cols + g.width > goal)
			break;
		cols += g.width;
		last = i;
		i += n;
	}
	/* The end of a wrapped row is the start of the next one: stay on this row. */
	if (i == e && nx == e && e > s)
		i = last;
	return i;
}

static void scroll(struct text_edit *t)
{
	size_t cs, s, nx, k = 0;
	int h = t->height > 0 ? t->height : 1;

	t->top = text_edit_row_start(t, t->top < t->e.len ? t->top : t->e.len);
	cs = text_edit_row_start(t, t->e.cur);
	if (cs <= t->top) {
		t->top = cs;
		return;
	}
	for (s = t->top; s != cs && s != SIZE_MAX; s = nx, k++)
		text_edit_row(t, s, &nx);
	while (k >= (size_t)h) {
		text_edit_row(t, t->top, &nx);
		t->top = nx;
		k--;
	}
}

void text_edit_view(struct text_edit *t, int width, int height, unsigned flags)
{
	t->width = width;
	t->height = height;
	t->flags = flags;
	scroll(t);
}

void text_edit_cursor(const struct text_edit *t, int *row, int *col)
{
	size_t cs = text_edit_row_start(t, t->e.cur), s = t->top, nx;
	int r = 0;

	while (s < cs && s != SIZE_MAX && r <= t->height) {
		text_edit_row(t, s, &nx);
		s = nx;
		r++;
	}
	*row = r;
	*col = cols_between(t, cs, t->e.cur);
}

size_t text_edit_lines(const struct text_edit *t)
{
	size_t n = 1;

	for (const char *p = t->e.buf; (p = memchr(p, '\n', t->e.len - (size_t)(p - t->e.buf)));
	     p++)
		n++;
	return n;
}

static void edited(struct text_edit *t)
{
	t->goal = -1;
	scroll(t);
}

void text_edit_insert(struct text_edit *t, uint32_t cp)
{
	line_edit_insert(&t->e, cp);
	edited(t);
}

void text_edit_paste(struct text_edit *t, const char *s, size_t n)
{
	char *buf = xmalloc(n ? n : 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 < n && s[i + 1] == '\n')
				continue;
			buf[o++] = '\n';
		} else {
			buf[o++] = s[i];
		}
	}
	line_edit_insert_bytes(&t->e, buf, o);
	free(buf);
	edited(t);
}

void text_edit_newline(struct text_edit *t)
{
	line_edit_insert_bytes(&t->e, "\n", 1);
	edited(t);
}

void text_edit_backspace(struct text_edit *t)
{
	line_edit_backspace(&t->e);
	edited(t);
}

void text_edit_delete(struct text_edit *t)
{
	line_edit_delete(&t->e);
	edited(t);
}

void text_edit_left(struct text_edit *t)
{
	line_edit_left(&t->e);
	edited(t);
}

void text_edit_right(struct text_edit *t)
{
	line_edit_right(&t->e);
	edited(t);
}

void text_edit_up(struct text_edit *t)
{
	size_t cs = text_edit_row_start(t, t->e.cur);

	if (t->goal < 0)
		t->goal = cols_between(t, cs, t->e.cur);
	if (cs == 0) {
		t->e.cur = 0;
	} else {
		t->e.cur = pos_at_col(t, text_edit_row_start(t, cs - 1), t->goal);
	}
	scroll(t);
}

void text_edit_down(struct text_edit *t)
{
	size_t cs = text_edit_row_start(t, t->e.cur), nx;

	if (t->goal < 0)
		t->goal = cols_between(t, cs, t->e.cur);
	text_edit_row(t, cs, &nx);
	if (nx == SIZE_MAX)
		t->e.cur = t->e.len;
	else
		t->e.cur = pos_at_col(t, nx, t->goal);
	scroll(t);
}

void text_edit_page_up(struct text_edit *t)
{
	for (int i = 0; i < (t->height > 2 ? t->height - 1 : 1); i++)
		text_edit_up(t);
}

void text_edit_page_down(struct text_edit *t)
{
	for (int i = 0; i < (t->height > 2 ? t->height - 1 : 1); i++)
		text_edit_down(t);
}

void text_edit_home(struct text_edit *t)
{
	t->e.cur = line_start(t, t->e.cur);
	edited(t);
}

void text_edit_end(struct text_edit *t)
{
	t->e.cur = line_end(t, t->e.cur);
	edited(t);
}

void text_edit_top(struct text_edit *t)
{
	t->e.cur = 0;
	edited(t);
}

void text_edit_bottom(struct text_edit *t)
{
	t->e.cur = t->e.len;
	edited(t);
}

/* Removes bytes [from, to) and puts the cursor at from. */
static void cut(struct text_edit *t, size_t from, size_t to)
{
	memmove(t->e.buf + from, t->e.buf + to, t->e.len - to + 1);
	t->e.len -= to - from;
	t->e.cur = from;
	edited(t);
}

void text_edit_kill_end(struct text_edit *t)
{
	size_t e = line_end(t, t->e.cur);

	if (e == t->e.cur && e < t->e.len)
		e++; /* at the end of a line: join the next one */
	cut(t, t->e.cur, e);
}

void text_edit_kill_start(struct text_edit *t)
{
	cut(t, line_start(t, t->e.cur), t->e.cur);
}

void text_edit_delete_word(struct text_edit *t)
{
	size_t start = line_start(t, t->e.cur), at = t->e.cur;

	while (at > start && t->e.buf[at - 1] == ' ')
		at--;
	while (at > start && t->e.buf[at - 1] != ' ' && t->e.buf[at - 1] != '/')
		at--;
	if (at == t->e.cur && at > 0)
		at--; /* a lone separator goes too; at the start of a line, the newline */
	cut(t, at, t->e.cur);
}
