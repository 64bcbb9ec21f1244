/* auth_prompt.c: new credentials from inside the UI; the password is never drawn, only counted.
 */
#define _GNU_SOURCE
#include "mqscope/auth_prompt.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/line_edit.h"
#include "mqscope/prompt.h"
#include "mqscope/sanitize.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/utf8.h"
#include "mqscope/util.h"

#define PW_RESERVE 512 /* room up front, so typing never reallocates (and leaves copies) */

struct pw_prompt {
	struct modal m;
	WINDOW *win;
	int cols;
	char user[256];
	struct line_edit edit;
	int cur_x, cur_y;
};

/* Wipes the typed password, then frees the editor. */
static void wipe(struct line_edit *e)
{
	if (e->buf)
		explicit_bzero(e->buf, e->cap);
	line_edit_free(e);
}

static bool pw_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct pw_prompt *p = (struct pw_prompt *)m;
	struct session *ss = ui_session(u);

	char err[128];

	switch (keys_lookup(MODE_LOGIN, key, fn)) {
	case ACT_LOGIN_ENTER:
		if (session_set_login(ss, p->user[0] ? p->user : NULL, p->edit.buf, err,
		                      sizeof(err)) != 0)
			ui_notice(u, HINT_ERROR, "Not logged in again: %s", err);
		else if (p->user[0])
			ui_notice(u, HINT_NOTICE, "Logging in as %s", p->user);
		else
			ui_notice(u, HINT_NOTICE, "Logging in");
		return false;
	case ACT_LOGIN_CANCEL: {
		char k[32];

		keys_describe(ACT_LOGIN, k, sizeof(k));
		ui_notice(u, HINT_NOTICE, "Not logged in again; %s asks again", k[0] ? k : "login");
		return false;
	}
	case ACT_LOGIN_ERASE:
		line_edit_backspace(&p->edit);
		return true;
	case ACT_LOGIN_CLEAR:
		line_edit_clear(&p->edit);
		return true;
	default:
		/* Only what edits at the end: no cursor moves in text one cannot see. */
		if (keys_is_text(key, fn) && p->edit.len + 4 < PW_RESERVE)
			line_edit_insert(&p->edit, (uint32_t)key);
		return true;
	}
}

static void pw_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct pw_prompt *p = (struct pw_prompt *)m;
	char label[400], enter[32], cancel[32];
	int used, room;
	size_t chars;

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
	keys_describe(ACT_LOGIN_ENTER, enter, sizeof(enter));
	keys_describe(ACT_LOGIN_CANCEL, cancel, sizeof(cancel));
	if (strchr(enter, ' '))
		*strchr(enter, ' ') = '\0';
	if (strchr(cancel, ' '))
		*strchr(cancel, ' ') = '\0';
	snprintf(label, sizeof(label),
	         "Password%s%s (%s logs in, %s cancels): ", p->user[0] ? " for " : "", p->user,
	         enter, cancel);
	/* A narrow screen keeps a third of the line for the marks: the label shrinks first. */
	room = cols - (cols / 3 > 12 ? cols / 3 : 12);
	if (sanitize_width(label, strlen(label), draw_san_flags()) > room)
		snprintf(label, sizeof(label), "Password: ");
	used = draw_str(p->win, label, room, theme_attr(SLOT_PROMPT));
	/* One mark per character typed, never the characters. */
	chars = utf8_chars(p->edit.buf, p->edit.len);
	for (size_t i = 0; i < chars && used < cols - 1; i++)
		used += draw_str(p->win, "*", 1, A_NORMAL);
	p->cur_x = used;
	p->cur_y = rows - 1;
	touchwin(p->win);
	wnoutrefresh(p->win);
}

static bool pw_cursor(struct modal *m, int *y, int *x)
{
	struct pw_prompt *p = (struct pw_prompt *)m;

	*y = p->cur_y;
	*x = p->cur_x;
	return true;
}

static void pw_free(struct modal *m)
{
	struct pw_prompt *p = (struct pw_prompt *)m;

	if (p->win)
		delwin(p->win);
	wipe(&p->edit);
	free(p);
}

static const struct modal_ops pw_ops = {
    .name = "password",
    .key = pw_key,
    .draw = pw_draw,
    .cursor = pw_cursor,
    .free = pw_free,
};

/* Opens the masked password line for user (may be empty). */
static void password_open(struct ui *u, const char *user)
{
	struct pw_prompt *p = xcalloc(1, sizeof(*p));
	char room[PW_RESERVE];

	p->m.ops = &pw_ops;
	snprintf(p->user, sizeof(p->user), "%s", user ? user : "");
	line_edit_init(&p->edit);
	memset(room, 'x', sizeof(room) - 1);
	room[sizeof(room) - 1] = '\0';
	line_edit_set(&p->edit, room);
	line_edit_clear(&p->edit);
	ui_open(u, &p->m);
}

static void user_entered(struct ui *u, const char *text, void *data)
{
	(void)data;
	password_open(u, text);
}

void auth_prompt_open(struct ui *u)
{
	char user[256];

	if (ui_session(u) == NULL) {
		ui_notice(u, HINT_ERROR, "Not connected to a broker");
		return;
	}
	session_user(ui_session(u), user, sizeof(user));
	prompt_open(u, "Username (empty for none): ", user, user_entered, NULL);
}

void auth_prompt_on_status(struct ui *u, const struct app_link *l, const struct session_status *st)
{
	static bool asked_of[APP_MAX_BROKERS];
	bool *asked = &asked_of[app_link_index(ui_app(u), l)];
	char user[256], k[32];

	if (st->state == SESSION_CONNECTED)
		*asked = false; /* a later refusal (password changed) asks again */
	if (st->state != SESSION_WAITING || !session_reason_is_auth(st->reason, st->code) || *asked)
		return;
	*asked = true;
	keys_describe(ACT_LOGIN, k, sizeof(k));
	if (ui_app(u)->several) { /* the prompt is for the broker of the selection */
		ui_notice(u, HINT_ERROR, "%s refused the login: %s on its branch to enter another",
		          l->label, k[0] ? k : "the login action");
		return;
	}
	if (ui_modal_open(u)) {
		ui_notice(u, HINT_ERROR, "The broker refused the login: %s to enter another",
		          k[0] ? k : "the login action");
		return;
	}
	session_user(ui_session(u), user, sizeof(user));
	if (user[0])
		password_open(u, user);
	else
		auth_prompt_open(u);
}
