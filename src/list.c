/* list.c: the selection, scrolling and paging of every list on screen, by one set of rules. */
#include "mqscope/list.h"

#include <stdint.h>
#include <string.h>

#include "mqscope/util.h"

void list_init(struct list *l, bool reader)
{
	memset(l, 0, sizeof(*l));
	l->reader = reader;
}

static size_t rows_on_screen(const struct list *l)
{
	return l->height ? l->height : 1;
}

/* Keeps sel on a row, the view within the rows, and the selection in the view. */
static void clamp(struct list *l)
{
	size_t h = rows_on_screen(l);

	if (l->n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->top + h > l->n)
		l->top = l->n > h ? l->n - h : 0;
	if (l->reader) {
		l->sel = l->top;
		return;
	}
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
}

void list_set(struct list *l, size_t n, size_t height)
{
	l->n = n;
	l->height = height;
	clamp(l);
}

size_t list_page(const struct list *l)
{
	size_t h = rows_on_screen(l);

	return h > 1 ? h - 1 : 1;
}

size_t list_bottom(const struct list *l)
{
	size_t b = l->top + rows_on_screen(l);

	return b < l->n ? b : l->n;
}

/* Moves the view by delta rows (the selection with it); at either end, to the first or last row. */
static void page(struct list *l, long delta)
{
	size_t p = list_page(l), h = rows_on_screen(l);

	if (delta > 0) {
		if (l->top + h >= l->n) {
			l->sel = l->n ? l->n - 1 : 0;
		} else {
			l->top += p;
			l->sel += p;
		}
	} else {
		if (l->top == 0) {
			l->sel = 0;
		} else {
			l->top = l->top > p ? l->top - p : 0;
			l->sel = l->sel > p ? l->sel - p : 0;
		}
	}
}

bool list_move(struct list *l, enum action a)
{
	size_t *at = l->reader ? &l->top : &l->sel;

	switch (a) {
	case ACT_MOVE_UP:
		if (*at > 0)
			(*at)--;
		break;
	case ACT_MOVE_DOWN:
		(*at)++;
		break;
	case ACT_PAGE_UP:
		page(l, -1);
		break;
	case ACT_PAGE_DOWN:
		page(l, +1);
		break;
	case ACT_FIRST:
		l->sel = l->top = 0;
		break;
	case ACT_LAST:
		l->sel = l->top = l->n ? l->n - 1 : 0;
		if (!l->reader)
			l->top = l->n > rows_on_screen(l) ? l->n - rows_on_screen(l) : 0;
		break;
	default:
		return false;
	}
	clamp(l);
	return true;
}

void list_select(struct list *l, size_t row, bool centre)
{
	size_t h = rows_on_screen(l);

	if (l->n == 0)
		return;
	if (row >= l->n)
		row = l->n - 1;
	if (l->reader) {
		l->top = row;
	} else {
		if (centre && (row < l->top || row >= l->top + h))
			l->top = row > h / 2 ? row - h / 2 : 0;
		l->sel = row;
	}
	clamp(l);
}

size_t list_find(const struct list *l, const char *query, size_t from, int dir, list_text_fn text,
                 void *ctx, bool *wrapped)
{
	size_t qlen = strlen(query);

	*wrapped = false;
	if (l->n == 0 || qlen == 0)
		return SIZE_MAX;
	if (from >= l->n)
		from = dir > 0 ? 0 : l->n - 1;
	for (size_t k = 0; k < l->n; k++) {
		size_t i = dir > 0 ? (from + k) % l->n : (from + l->n - k) % l->n;
		size_t len;
		const char *s = text(ctx, i, &len);

		if (s && mem_contains_ci(s, len, query, qlen)) {
			*wrapped = dir > 0 ? i < from : i > from;
			return i;
		}
	}
	return SIZE_MAX;
}
