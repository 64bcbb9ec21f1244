/* prompt.c: the bottom-line input modal. */
#include "mqscope/prompt.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
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
	bool fresh; /* the text is a suggestion: typing replaces it, an editing key keeps it */
	int lines;  /* 1, or 2 when the label leaves the input too little room */
};

#define INPUT_MIN 24 /* columns the input keeps beside the label, else it goes below it */

bool field_edit(struct line_edit *e, enum action a, int key, bool fn)
{
	switch (a) {
	case ACT_EDIT_BACKSPACE:
		line_edit_backspace(e);
		return true;
	case ACT_EDIT_DELETE:
		line_edit_delete(e);
		return true;
	case ACT_EDIT_LEFT:
		line_edit_left(e);
		return true;
	case ACT_EDIT_RIGHT:
		line_edit_right(e);
		return true;
	case ACT_EDIT_HOME:
		line_edit_home(e);
		return true;
	case ACT_EDIT_END:
		line_edit_end(e);
		return true;
	case ACT_EDIT_KILL_START:
		line_edit_kill_start(e);
		return true;
	case ACT_EDIT_KILL_END:
		e->len = e->cur;
		e->buf[e->len] = '\0';
		return true;
	case ACT_EDIT_DELETE_WORD:
		line_edit_delete_word(e);
		return true;
	case ACT_NONE:
		if (!keys_is_text(key, fn))
			return false;
		line_edit_insert(e, (uint32_t)key);
		return true;
	default:
		return false;
	}
}

static bool prompt_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct prompt *p = (struct prompt *)m;
	enum action a = keys_lookup(MODE_PROMPT, key, fn);

	if (a == ACT_PROMPT_ENTER) {
		/* Close first: the callback may open another modal or prompt. */
		char *text = xstrdup(p->edit.buf);
		prompt_done_fn done = p->done;
		void *data = p->data;

		ui_close(u, m);
		done(u, text, data);
		free(text);
		return true; /* already closed */
	}
	if (a == ACT_PROMPT_CANCEL)
		return false;
	if (p->fresh && a == ACT_NONE && keys_is_text(key, fn))
		line_edit_set(&p->edit, "");
	p->fresh = false;
	field_edit(&p->edit, a, key, fn);
	return true;
}

static void prompt_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct prompt *p = (struct prompt *)m;
	int lw = sanitize_width(p->label, strlen(p->label), draw_san_flags());
	int lines = lw + INPUT_MIN <= cols - 1 || rows < 4 ? 1 : 2, used, at;

	(void)u;
	if (p->win == NULL || p->cols != cols || p->lines != lines) {
		if (p->win)
			delwin(p->win);
		p->win = newwin(lines, cols, rows - lines, 0);
		p->cols = cols;
		p->lines = lines;
	}
	mvwin(p->win, rows - lines, 0);
	werase(p->win);
	wmove(p->win, 0, 0);
	/* The label whole; when it leaves the input too little room, the input goes below it. */
	used = draw_str(p->win, p->label, lines == 2 ? cols - 1 : cols - INPUT_MIN,
	                theme_attr(SLOT_PROMPT));
	at = lines == 2 ? 0 : used;
	p->cur_x = draw_field(p->win, lines - 1, at, cols - at, p->edit.buf, p->edit.len,
	                      p->edit.cur, p->fresh ? theme_attr(SLOT_META) : A_NORMAL);
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

static void prompt_open_as(struct ui *u, const char *label, const char *initial, bool suggest,
                           prompt_done_fn done, void *data);

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
	prompt_open_as(u, label, initial, false, done, data);
}

void prompt_suggest(struct ui *u, const char *label, const char *suggestion, prompt_done_fn done,
                    void *data)
{
	prompt_open_as(u, label, suggestion, true, done, data);
}

/* Opens a prompt; a suggestion is replaced by the first character typed. */
static void prompt_open_as(struct ui *u, const char *label, const char *initial, bool suggest,
                           prompt_done_fn done, void *data)
{
	struct prompt *p = xcalloc(1, sizeof(*p));

	p->m.ops = &prompt_ops;
	p->label = xstrdup(label);
	p->done = done;
	p->data = data;
	line_edit_init(&p->edit);
	if (initial)
		line_edit_set(&p->edit, initial);
	p->fresh = suggest && initial && initial[0];
	ui_open(u, &p->m);
}
