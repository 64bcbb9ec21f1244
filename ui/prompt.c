/* prompt.c: the bottom-line input modal. */
#include "mqscope/prompt.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/line_edit.h"
#include "mqscope/sanitize.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

struct prompt {
	struct modal m;
	WINDOW *win;
	int cols;
	char *label;
	struct line_edit edit;
	prompt_done_fn done;
	void *data;
	int cur_x, cur_y;
};

bool field_edit_key(struct line_edit *e, int key, bool fn)
{
	if (fn) {
		switch (key) {
		case KEY_BACKSPACE:
			line_edit_backspace(e);
			return true;
		case KEY_DC:
			line_edit_delete(e);
			return true;
		case KEY_LEFT:
			line_edit_left(e);
			return true;
		case KEY_RIGHT:
			line_edit_right(e);
			return true;
		case KEY_HOME:
			line_edit_home(e);
			return true;
		case KEY_END:
			line_edit_end(e);
			return true;
		default:
			return false;
		}
	}
	switch (key) {
	case 127:
	case 8:
		line_edit_backspace(e);
		return true;
	case 1:
		line_edit_home(e);
		return true; /* C-a */
	case 5:
		line_edit_end(e);
		return true; /* C-e */
	case 2:
		line_edit_left(e);
		return true; /* C-b */
	case 6:
		line_edit_right(e);
		return true; /* C-f */
	case 4:
		line_edit_delete(e);
		return true; /* C-d */
	case 21:
		line_edit_kill_start(e);
		return true; /* C-u */
	case 23:
		line_edit_delete_word(e);
		return true; /* C-w */
	case 11:
		e->len = e->cur;
		e->buf[e->len] = '\0';
		return true; /* C-k */
	default:
		if (key >= 32 && key != 127) {
			line_edit_insert(e, (uint32_t)key);
			return true;
		}
		return false;
	}
}

static bool prompt_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct prompt *p = (struct prompt *)m;

	if ((!fn && (key == '\n' || key == '\r')) || (fn && key == KEY_ENTER)) {
		/* Close first: the callback may open another modal or prompt. */
		char *text = xstrdup(p->edit.buf);
		prompt_done_fn done = p->done;
		void *data = p->data;

		ui_close(u, m);
		done(u, text, data);
		free(text);
		return true; /* already closed */
	}
	if (!fn && (key == 27 || key == 7 || key == 3)) /* Esc, C-g, C-c */
		return false;
	field_edit_key(&p->edit, key, fn);
	return true;
}

static void prompt_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct prompt *p = (struct prompt *)m;
	int used, room;
	size_t from = 0;

	(void)u;
	if (p->win == NULL || p->cols != cols) {
		if (p->win)
			delwin(p->win);
		p->win = newwin(1, cols, rows - 1, 0);
		p->cols = cols;
	}
	mvwin(p->win, rows - 1, 0);
	werase(p->win);
	wmove(p->win, 0, 0);
	used = draw_str(p->win, p->label, cols / 2, theme_attr(SLOT_PROMPT));
	room = cols - used - 1;
	/* Show the end of a long input so the cursor stays visible. */
	while (from < p->edit.cur &&
	       sanitize_width(p->edit.buf + from, p->edit.cur - from, draw_san_flags()) > room)
		from++;
	p->cur_x = used + draw_text(p->win, p->edit.buf + from, p->edit.cur - from, room, A_NORMAL);
	draw_text(p->win, p->edit.buf + p->edit.cur, p->edit.len - p->edit.cur, cols - p->cur_x,
	          A_NORMAL);
	p->cur_y = rows - 1;
	touchwin(p->win);
	wnoutrefresh(p->win);
}

static bool prompt_cursor(struct modal *m, int *y, int *x)
{
	struct prompt *p = (struct prompt *)m;

	*y = p->cur_y;
	*x = p->cur_x;
	return true;
}

static void prompt_free(struct modal *m)
{
	struct prompt *p = (struct prompt *)m;

	if (p->win)
		delwin(p->win);
	line_edit_free(&p->edit);
	free(p->label);
	free(p);
}

static const struct modal_ops prompt_ops = {
    .name = "prompt",
    .key = prompt_key,
    .draw = prompt_draw,
    .cursor = prompt_cursor,
    .free = prompt_free,
};

void prompt_open(struct ui *u, const char *label, const char *initial, prompt_done_fn done,
                 void *data)
{
	struct prompt *p = xcalloc(1, sizeof(*p));

	p->m.ops = &prompt_ops;
	p->label = xstrdup(label);
	p->done = done;
	p->data = data;
	line_edit_init(&p->edit);
	if (initial)
		line_edit_set(&p->edit, initial);
	ui_open(u, &p->m);
}
