/* line_edit.c: cursor movement and edits on a UTF-8 line. */
#include "mqscope/line_edit.h"

#include <stdlib.h>
#include <string.h>

#include "mqscope/utf8.h"
#include "mqscope/util.h"

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
	char u[UTF8_MAX];
	size_t n = utf8_encode(cp, u);

	if (n > 0)
		line_edit_insert_bytes(e, u, n);
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
		cut(e, utf8_prev(e->buf, e->cur), e->cur);
}

void line_edit_delete(struct line_edit *e)
{
	size_t cur = e->cur;

	if (cur < e->len)
		cut(e, cur, utf8_next(e->buf, e->len, cur));
}

void line_edit_left(struct line_edit *e)
{
	e->cur = utf8_prev(e->buf, e->cur);
}

void line_edit_right(struct line_edit *e)
{
	e->cur = utf8_next(e->buf, e->len, e->cur);
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
