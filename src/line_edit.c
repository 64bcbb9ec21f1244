/* line_edit.c: cursor movement and edits on a UTF-8 line. */
#include "mqscope/line_edit.h"

#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

static bool is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

void line_edit_init(struct line_edit *e)
{
	e->cap = 64;
	e->buf = xmalloc(e->cap);
	e->buf[0] = '\0';
	e->len = e->cur = 0;
}

void line_edit_free(struct line_edit *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = e->cur = 0;
}

static void reserve(struct line_edit *e, size_t extra)
{
	if (e->len + extra + 1 <= e->cap)
		return;
	while (e->len + extra + 1 > e->cap)
		e->cap *= 2;
	e->buf = xrealloc(e->buf, e->cap);
}

void line_edit_insert_bytes(struct line_edit *e, const char *s, size_t n)
{
	reserve(e, n);
	memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
	memcpy(e->buf + e->cur, s, n);
	e->len += n;
	e->cur += n;
}

void line_edit_set(struct line_edit *e, const char *s)
{
	line_edit_clear(e);
	line_edit_insert_bytes(e, s, strlen(s));
}

void line_edit_clear(struct line_edit *e)
{
	e->len = e->cur = 0;
	e->buf[0] = '\0';
}

void line_edit_insert(struct line_edit *e, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else if (cp <= 0x10ffff) {
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	} else {
		return;
	}
	line_edit_insert_bytes(e, u, n);
}

static size_t prev_boundary(const struct line_edit *e, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && is_cont(e->buf[at]))
		at--;
	return at;
}

static size_t next_boundary(const struct line_edit *e, size_t at)
{
	if (at >= e->len)
		return e->len;
	at++;
	while (at < e->len && is_cont(e->buf[at]))
		at++;
	return at;
}

static void cut(struct line_edit *e, size_t from, size_t to)
{
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	e->cur = from;
}

void line_edit_backspace(struct line_edit *e)
{
	if (e->cur > 0)
		cut(e, prev_boundary(e, e->cur), e->cur);
}

void line_edit_delete(struct line_edit *e)
{
	size_t cur = e->cur;

	if (cur < e->len)
		cut(e, cur, next_boundary(e, cur));
}

void line_edit_left(struct line_edit *e)
{
	e->cur = prev_boundary(e, e->cur);
}

void line_edit_right(struct line_edit *e)
{
	e->cur = next_boundary(e, e->cur);
}

void line_edit_home(struct line_edit *e)
{
	e->cur = 0;
}

void line_edit_end(struct line_edit *e)
{
	e->cur = e->len;
}

void line_edit_delete_word(struct line_edit *e)
{
	size_t at = e->cur;

	while (at > 0 && e->buf[at - 1] == ' ')
		at--;
	while (at > 0 && e->buf[at - 1] != ' ' && e->buf[at - 1] != '/')
		at--;
	if (at == e->cur && at > 0)
		at--; /* a lone separator goes too */
	cut(e, at, e->cur);
}

void line_edit_kill_start(struct line_edit *e)
{
	cut(e, 0, e->cur);
}
