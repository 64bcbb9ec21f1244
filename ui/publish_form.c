/* publish_form.c: the publish form modal: fields, bracketed paste, sending, saving to the list. */
#include "mqscope/publish_form.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/line_edit.h"
#include "mqscope/prompt.h"
#include "mqscope/publish.h"
#include "mqscope/sanitize.h"
#include "mqscope/saved.h"
#include "mqscope/text_edit.h"
#include "mqscope/theme.h"
#include "mqscope/topic.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define LABEL_W   16
#define FORM_MAXW 110

enum field { F_TOPIC, F_PAYLOAD, F_QOS, F_RETAIN, F_CTYPE, F_RTOPIC, F_PROPS, F__COUNT };

static const char *const labels[F__COUNT] = {
    "Topic", "Payload", "QoS", "Retain", "Content type", "Response topic", "User props",
};

struct publish_form {
	struct modal m;
	WINDOW *win;
	int wy, wx, wh, ww;
	char title[32];
	struct line_edit topic, ctype, rtopic, props;
	struct text_edit payload;
	int qos;
	bool retain, v5;
	int focus, nfields;
	char status[512];
	bool status_err;
	bool in_paste;
	char *paste;
	size_t paste_len, paste_cap;
	bool cur_on;
	int cur_y, cur_x;
};

/* Key codes for the terminal's bracketed-paste markers, defined once per screen. */
static int paste_start = -1, paste_end = -1;
static int paste_users;

/* A key code nothing is bound to, at or above from. */
static int free_key_code(int from)
{
	for (int c = from; c < from + 512; c++) {
		char *s = keybound(c, 0);

		if (s == NULL && c != paste_start)
			return c;
		free(s);
	}
	return -1;
}

static int paste_code(const char *seq)
{
	int code = key_defined(seq);

	if (code > 0)
		return code;
	code = free_key_code(KEY_MAX + 1);
	if (code > 0 && define_key(seq, code) != OK)
		code = -1;
	return code;
}

/* Asks the terminal to mark pastes, so pasted Tabs and newlines are text, not keys. */
static void paste_mode(bool on)
{
	if (on && paste_users++ == 0) {
		if (paste_start < 0) {
			paste_start = paste_code("\033[200~");
			paste_end = paste_code("\033[201~");
		}
		fputs("\033[?2004h", stdout);
		fflush(stdout);
	} else if (!on && --paste_users == 0) {
		fputs("\033[?2004l", stdout);
		fflush(stdout);
	}
}

static struct line_edit *line_field(struct publish_form *f, int field)
{
	switch (field) {
	case F_TOPIC:
		return &f->topic;
	case F_CTYPE:
		return &f->ctype;
	case F_RTOPIC:
		return &f->rtopic;
	case F_PROPS:
		return &f->props;
	default:
		return NULL;
	}
}

static void set_status(struct publish_form *f, bool err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the form's status line (an error, or a notice). */
static void set_status(struct publish_form *f, bool err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->status, sizeof(f->status), fmt, ap);
	va_end(ap);
	f->status_err = err;
}

/* The form's contents as a draft (strings copied). */
static void to_draft(const struct publish_form *f, struct pub_draft *d)
{
	memset(d, 0, sizeof(*d));
	d->topic = xstrdup(f->topic.buf);
	d->payload = xmalloc(f->payload.e.len + 1);
	memcpy(d->payload, f->payload.e.buf, f->payload.e.len + 1);
	d->len = f->payload.e.len;
	d->qos = f->qos;
	d->retain = f->retain;
	if (f->v5) {
		d->content_type = xstrdup(f->ctype.buf);
		d->response_topic = xstrdup(f->rtopic.buf);
		d->user_props = xstrdup(f->props.buf);
	}
}

/* Sends the form's message; true when the session took it and the form may close. */
static bool send(struct publish_form *f, struct ui *u)
{
	struct pub_draft d;
	struct pub_built b;
	char err[400], label[300], done[400], size[32];
	bool ok = false;

	to_draft(f, &d);
	if (pub_draft_build(&d, f->v5, &b, err, sizeof(err)) != 0) {
		set_status(f, true, "Not sent: %s.", err);
		if (strstr(err, "user property"))
			f->focus = F_PROPS;
		else if (strstr(err, "response topic"))
			f->focus = F_RTOPIC;
		else
			f->focus = F_TOPIC;
		pub_draft_free(&d);
		return false;
	}
	snprintf(label, sizeof(label), "the message to %s", d.topic);
	fmt_bytes(size, sizeof(size), d.len);
	snprintf(done, sizeof(done), "Sent %s to %s (QoS %d%s)", size, d.topic, d.qos,
	         d.retain ? ", retained" : "");
	if (publish_send(u, &b.req, 1, label, done, &d, err, sizeof(err)) == 0)
		set_status(f, true,
		           "Not sent: %s. The form keeps your message: C-s to try again, Esc to "
		           "drop it.",
		           err);
	else
		ok = true;
	pub_built_free(&b);
	pub_draft_free(&d);
	return ok;
}

/* Saves the form's message under the name typed at the prompt ("group: name" sets a group). */
static void save_done(struct ui *u, const char *text, void *data)
{
	struct publish_form *f = data;
	struct saved_msg *list = NULL, m;
	size_t n = 0, i;
	char path[4096], err[600], *copy = xstrdup(text), *name = copy, *group = NULL;
	char *colon = strchr(copy, ':');

	(void)u;
	if (colon != NULL) {
		*colon = '\0';
		group = copy;
		name = colon + 1;
		while (*group == ' ')
			group++;
		for (char *e = colon; e > group && e[-1] == ' ';)
			*--e = '\0';
	}
	while (*name == ' ')
		name++;
	if (*name == '\0') {
		set_status(f, true, "Not saved: the name is empty.");
		goto out;
	}
	saved_default_path(path, sizeof(path));
	if (saved_load(path, &list, &n, err, sizeof(err)) != 0) {
		set_status(f, true, "Not saved: %s", err);
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.name = name;
	m.group = group && *group ? group : NULL;
	m.topic = f->topic.buf;
	m.payload = f->payload.e.buf;
	m.qos = f->qos;
	m.retain = f->retain;
	/* A name already in the file (in the same group) is replaced. */
	for (i = 0; i < n; i++) {
		bool same_group = (list[i].group == NULL && m.group == NULL) ||
		                  (list[i].group && m.group && strcmp(list[i].group, m.group) == 0);

		if (same_group && list[i].name && strcmp(list[i].name, name) == 0) {
			saved_remove(list, &n, i);
			break;
		}
	}
	saved_append(&list, &n, &m);
	if (saved_write(path, list, n, err, sizeof(err)) != 0) {
		set_status(f, true, "Not saved: %s", err);
	} else {
		set_status(f, false, "Saved as '%s' in %s (m lists saved messages).", name, path);
	}
out:
	saved_free(list, n);
	free(copy);
}

static void save(struct publish_form *f, struct ui *u)
{
	char err[200];

	if (f->topic.len == 0 || topic_has_wildcard(f->topic.buf)) {
		set_status(f, true, "Not saved: give a topic one can publish to first.");
		return;
	}
	if (!saved_payload_ok(f->payload.e.buf, f->payload.e.len, err, sizeof(err))) {
		set_status(f, true, "Not saved: %s.", err);
		return;
	}
	prompt_open(u, "Save as ([group:] name): ", NULL, save_done, f);
}

/* Appends a pasted character (a code point) to the paste buffer as UTF-8. */
static void paste_add(struct publish_form *f, int key)
{
	struct line_edit tmp;

	if (f->paste_len + 5 > f->paste_cap) {
		f->paste_cap = f->paste_cap ? f->paste_cap * 2 : 4096;
		f->paste = xrealloc(f->paste, f->paste_cap);
	}
	/* line_edit knows UTF-8 encoding; borrow it on a scratch buffer. */
	line_edit_init(&tmp);
	line_edit_insert(&tmp, (uint32_t)key);
	memcpy(f->paste + f->paste_len, tmp.buf, tmp.len);
	f->paste_len += tmp.len;
	line_edit_free(&tmp);
}

/* Puts a finished paste into the focused field: verbatim into the payload, one line elsewhere. */
static void paste_apply(struct publish_form *f)
{
	struct line_edit *le = line_field(f, f->focus);

	if (f->focus == F_PAYLOAD) {
		text_edit_paste(&f->payload, f->paste, f->paste_len);
	} else if (le != NULL) {
		for (size_t i = 0; i < f->paste_len; i++)
			if (f->paste[i] != '\r' && f->paste[i] != '\n')
				line_edit_insert_bytes(le, f->paste + i, 1);
	}
	f->paste_len = 0;
}

static bool is_enter(int key, bool fn)
{
	return fn ? key == KEY_ENTER : (key == '\r' || key == '\n');
}

/* Editing keys of the payload; false when the key is not one. */
static bool payload_key(struct text_edit *t, int key, bool fn)
{
	if (fn) {
		switch (key) {
		case KEY_LEFT:
			text_edit_left(t);
			return true;
		case KEY_RIGHT:
			text_edit_right(t);
			return true;
		case KEY_UP:
			text_edit_up(t);
			return true;
		case KEY_DOWN:
			text_edit_down(t);
			return true;
		case KEY_HOME:
			text_edit_home(t);
			return true;
		case KEY_END:
			text_edit_end(t);
			return true;
		case KEY_PPAGE:
			text_edit_page_up(t);
			return true;
		case KEY_NPAGE:
			text_edit_page_down(t);
			return true;
		case KEY_BACKSPACE:
			text_edit_backspace(t);
			return true;
		case KEY_DC:
			text_edit_delete(t);
			return true;
		case KEY_ENTER:
			text_edit_newline(t);
			return true;
		default:
			return false;
		}
	}
	switch (key) {
	case '\r':
	case '\n':
		text_edit_newline(t);
		return true;
	case 127:
	case 8:
		text_edit_backspace(t);
		return true;
	case 1: /* C-a */
		text_edit_home(t);
		return true;
	case 5: /* C-e */
		text_edit_end(t);
		return true;
	case 2: /* C-b */
		text_edit_left(t);
		return true;
	case 6: /* C-f */
		text_edit_right(t);
		return true;
	case 16: /* C-p */
		text_edit_up(t);
		return true;
	case 14: /* C-n */
		text_edit_down(t);
		return true;
	case 4: /* C-d */
		text_edit_delete(t);
		return true;
	case 11: /* C-k */
		text_edit_kill_end(t);
		return true;
	case 21: /* C-u */
		text_edit_kill_start(t);
		return true;
	default:
		if (key >= 32 && key != 127) {
			text_edit_insert(t, (uint32_t)key);
			return true;
		}
		return false;
	}
}

static void move_focus(struct publish_form *f, int by)
{
	f->focus = (f->focus + by + f->nfields) % f->nfields;
}

static bool form_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct publish_form *f = (struct publish_form *)m;
	struct line_edit *le;

	if (fn && key == paste_start && key > 0) {
		f->in_paste = true;
		f->paste_len = 0;
		return true;
	}
	if (f->in_paste) {
		if (fn && key == paste_end) {
			f->in_paste = false;
			paste_apply(f);
		} else if (!fn) {
			paste_add(f, key);
		}
		return true;
	}
	if (!fn && key == 27)
		return false; /* Esc: cancel */
	if (!fn && key == 19) /* C-s */
		return !send(f, u);
	if (!fn && key == 15) { /* C-o */
		save(f, u);
		return true;
	}
	if ((!fn && key == '\t') || (fn && key == KEY_BTAB)) {
		move_focus(f, fn ? -1 : +1);
		return true;
	}
	if (is_enter(key, fn) && f->focus != F_PAYLOAD) {
		if (f->focus == f->nfields - 1)
			return !send(f, u);
		move_focus(f, +1);
		return true;
	}
	if (f->focus == F_PAYLOAD) {
		payload_key(&f->payload, key, fn);
		return true;
	}
	if (fn && (key == KEY_UP || key == KEY_DOWN)) {
		move_focus(f, key == KEY_UP ? -1 : +1);
		return true;
	}
	if (f->focus == F_QOS) {
		if (!fn && key >= '0' && key <= '2')
			f->qos = key - '0';
		else if ((fn && key == KEY_RIGHT) || (!fn && (key == ' ' || key == '+')))
			f->qos = (f->qos + 1) % 3;
		else if ((fn && key == KEY_LEFT) || (!fn && key == '-'))
			f->qos = (f->qos + 2) % 3;
		return true;
	}
	if (f->focus == F_RETAIN) {
		if ((fn && (key == KEY_LEFT || key == KEY_RIGHT)) || (!fn && key == ' '))
			f->retain = !f->retain;
		else if (!fn && (key == 'y' || key == 'Y'))
			f->retain = true;
		else if (!fn && (key == 'n' || key == 'N'))
			f->retain = false;
		return true;
	}
	le = line_field(f, f->focus);
	if (le != NULL)
		field_edit_key(le, key, fn);
	return true;
}

/* Draws a one-line field, scrolled so the cursor shows; returns the cursor's column. */
static int draw_line(WINDOW *w, int y, int x, int width, const struct line_edit *e, attr_t attr)
{
	unsigned flags = draw_san_flags();
	size_t from = 0;
	int c, cur;

	while (from < e->cur && sanitize_width(e->buf + from, e->cur - from, flags) > width - 1) {
		struct san_glyph g;

		from += sanitize_next(e->buf + from, e->buf + e->len, flags, &g);
	}
	wmove(w, y, x);
	c = draw_text(w, e->buf + from, e->cur - from, width, attr);
	cur = x + c;
	c += draw_text(w, e->buf + e->cur, e->len - e->cur, width - c, attr);
	wattrset(w, attr);
	for (; c < width; c++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
	return cur;
}

/* Draws key hints: pairs of key and what it does. */
static void draw_hints(WINDOW *w, int y, int x, int width, const char *const *hints, size_t n)
{
	int used = 0;

	wmove(w, y, x);
	for (size_t i = 0; i + 1 < n && used < width; i += 2) {
		if (used)
			used += draw_str(w, "  ", width - used, A_NORMAL);
		used += draw_str(w, hints[i], width - used, theme_attr(SLOT_HINT_KEY));
		used += draw_str(w, " ", width - used, A_NORMAL);
		used += draw_str(w, hints[i + 1], width - used, theme_attr(SLOT_HINT));
	}
}

static void draw_label(struct publish_form *f, int y, int field)
{
	bool focus = f->focus == field;

	wmove(f->win, y, 1);
	draw_str(f->win, focus ? draw_glyph("collapsed") : " ", 1, theme_attr(SLOT_PROMPT));
	draw_str(f->win, labels[field], LABEL_W - 2,
	         theme_attr(focus ? SLOT_PROMPT : SLOT_META_KEY));
}

static void form_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct publish_form *f = (struct publish_form *)m;
	int ww = cols - 2 > FORM_MAXW ? FORM_MAXW : cols - 2, wh = rows - 2;
	int fixed = 9 + (f->v5 ? 3 : 0), ph = wh - fixed, fx = LABEL_W + 1, fw, y;
	attr_t fattr = A_UNDERLINE;
	char buf[128];

	(void)u;
	if (ww < 30 || ph < 1) {
		ww = cols;
		wh = rows;
		ph = wh - fixed;
		if (ph < 1 || ww < 24) {
			f->cur_on = false;
			return; /* too small to show; the keys still work */
		}
	}
	if (f->win == NULL || f->wh != wh || f->ww != ww) {
		if (f->win)
			delwin(f->win);
		f->wy = (rows - wh) / 2;
		f->wx = (cols - ww) / 2;
		f->win = newwin(wh, ww, f->wy, f->wx);
		f->wh = wh;
		f->ww = ww;
	}
	fw = ww - fx - 1;
	werase(f->win);
	draw_box(f->win, wh, ww, theme_attr(SLOT_BORDER));
	snprintf(buf, sizeof(buf), " %s ", f->title);
	wmove(f->win, 0, 2);
	draw_str(f->win, buf, ww - 4, theme_attr(SLOT_TITLE));
	f->cur_on = false;

	/* topic */
	y = 1;
	draw_label(f, y, F_TOPIC);
	f->cur_x = draw_line(f->win, y, fx, fw, &f->topic, fattr);
	f->cur_y = y;
	f->cur_on = f->focus == F_TOPIC;

	/* payload: soft-wrapped rows */
	y = 2;
	draw_label(f, y, F_PAYLOAD);
	fmt_bytes(buf, sizeof(buf), f->payload.e.len);
	if (ph >= 2) {
		wmove(f->win, y + 1, 3);
		draw_str(f->win, buf, LABEL_W - 3, theme_attr(SLOT_COUNT));
	}
	if (ph >= 3) {
		size_t lines = text_edit_lines(&f->payload);
		snprintf(buf, sizeof(buf), "%zu line%s", lines, lines == 1 ? "" : "s");
		wmove(f->win, y + 2, 3);
		draw_str(f->win, buf, LABEL_W - 3, theme_attr(SLOT_COUNT));
	}
	text_edit_view(&f->payload, fw, ph, draw_san_flags());
	{
		size_t s = f->payload.top, nx;

		for (int r = 0; r < ph; r++) {
			wmove(f->win, y + r, fx);
			wattrset(f->win, A_NORMAL);
			if (s == SIZE_MAX) {
				draw_str(f->win, draw_ascii() ? "~" : "\xc2\xb7", 1,
				         theme_attr(SLOT_COUNT));
				continue;
			}
			size_t e = text_edit_row(&f->payload, s, &nx);
			draw_text(f->win, f->payload.e.buf + s, e - s, fw, A_NORMAL);
			s = nx;
		}
		if (f->focus == F_PAYLOAD) {
			int r, c;

			text_edit_cursor(&f->payload, &r, &c);
			f->cur_on = r < ph;
			f->cur_y = y + r;
			f->cur_x = fx + (c < fw ? c : fw - 1);
		}
	}
	y += ph;

	/* QoS and retain */
	draw_label(f, y, F_QOS);
	wmove(f->win, y, fx);
	for (int q = 0; q < 3; q++) {
		snprintf(buf, sizeof(buf), q == f->qos ? "[%d]" : " %d ", q);
		draw_str(f->win, buf, 4, q == f->qos ? theme_attr(SLOT_SELECTED) : A_NORMAL);
		draw_str(f->win, " ", 1, A_NORMAL);
	}
	draw_str(f->win,
	         f->qos == 0   ? "  at most once"
	         : f->qos == 1 ? "  at least once"
	                       : "  exactly once",
	         fw - 15, theme_attr(SLOT_COUNT));
	y++;
	draw_label(f, y, F_RETAIN);
	wmove(f->win, y, fx);
	draw_str(f->win, f->retain ? "[x] yes" : "[ ] no", fw,
	         f->focus == F_RETAIN ? theme_attr(SLOT_SELECTED) : A_NORMAL);
	draw_str(f->win, f->retain ? "  the broker keeps it for new subscribers" : "", fw - 7,
	         theme_attr(SLOT_COUNT));
	y++;

	if (f->v5) {
		static const int extra[] = {F_CTYPE, F_RTOPIC, F_PROPS};

		for (int i = 0; i < 3; i++, y++) {
			int cx;

			draw_label(f, y, extra[i]);
			cx = draw_line(f->win, y, fx, fw, line_field(f, extra[i]), fattr);
			if (extra[i] == F_PROPS && f->props.len == 0 && f->focus != F_PROPS) {
				wmove(f->win, y, fx);
				draw_str(f->win, "key=value; key=value", fw,
				         theme_attr(SLOT_COUNT) | A_UNDERLINE);
			}
			if (f->focus == extra[i]) {
				f->cur_on = true;
				f->cur_y = y;
				f->cur_x = cx;
			}
		}
	}

	/* status and keys */
	draw_hline(f->win, y, 1, ww - 2, theme_attr(SLOT_BORDER));
	y++;
	if (f->status[0]) {
		size_t len = strlen(f->status);
		int used;

		wmove(f->win, y, 2);
		used = draw_text(f->win, f->status, len, ww - 4,
		                 theme_attr(f->status_err ? SLOT_ERROR : SLOT_NOTICE));
		/* A long status continues on the next row, from a word's start. */
		if (sanitize_width(f->status, len, draw_san_flags()) > used) {
			size_t at = 0, space = 0;
			int w = 0;

			while (at < len) {
				struct san_glyph g;
				size_t n = sanitize_next(
				    f->status + at, f->status + len,
				    draw_san_flags() | (w == 0 ? SAN_LEADING : 0), &g);

				if (w + g.width > used)
					break;
				if (f->status[at] == ' ')
					space = at + 1;
				w += g.width;
				at += n;
			}
			if (space > at / 2 && at < len && f->status[at] != ' ')
				at = space;
			wmove(f->win, y, 2);
			draw_text(f->win, f->status, at, ww - 4,
			          theme_attr(f->status_err ? SLOT_ERROR : SLOT_NOTICE));
			for (int x = getcurx(f->win); x < ww - 2; x++)
				waddch(f->win, ' ');
			while (at < len && f->status[at] == ' ')
				at++;
			wmove(f->win, y + 1, 2);
			draw_text(f->win, f->status + at, len - at, ww - 4,
			          theme_attr(f->status_err ? SLOT_ERROR : SLOT_NOTICE));
		}
	}
	y += 2;
	{
		const char *payload_hints[] = {"C-s",   "send",     "Tab", "next field",
		                               "Enter", "new line", "C-o", "save to list",
		                               "Esc",   "cancel"};
		const char *other_hints[] = {"C-s", "send",         "Tab/Enter", "next field",
		                             "C-o", "save to list", "Esc",       "cancel"};
		const char *choice_hints[] = {"Space", "change", "Tab/Enter", "next field",
		                              "C-s",   "send",   "Esc",       "cancel"};

		if (f->focus == F_PAYLOAD)
			draw_hints(f->win, y, 2, ww - 4, payload_hints, 10);
		else if (f->focus == F_QOS || f->focus == F_RETAIN)
			draw_hints(f->win, y, 2, ww - 4, choice_hints, 8);
		else
			draw_hints(f->win, y, 2, ww - 4, other_hints, 8);
	}
	touchwin(f->win);
	wnoutrefresh(f->win);
}

static bool form_cursor(struct modal *m, int *y, int *x)
{
	struct publish_form *f = (struct publish_form *)m;

	if (!f->cur_on || f->win == NULL)
		return false;
	*y = f->wy + f->cur_y;
	*x = f->wx + f->cur_x;
	return true;
}

static void form_free(struct modal *m)
{
	struct publish_form *f = (struct publish_form *)m;

	paste_mode(false);
	if (f->win)
		delwin(f->win);
	line_edit_free(&f->topic);
	line_edit_free(&f->ctype);
	line_edit_free(&f->rtopic);
	line_edit_free(&f->props);
	text_edit_free(&f->payload);
	free(f->paste);
	free(f);
}

static const struct modal_ops form_ops = {
    .name = "publish",
    .key = form_key,
    .draw = form_draw,
    .cursor = form_cursor,
    .free = form_free,
};

static void open_form(struct ui *u, const struct pub_draft *d, const char *title, int focus,
                      const char *status, bool status_err)
{
	struct publish_form *f = xcalloc(1, sizeof(*f));

	f->m.ops = &form_ops;
	snprintf(f->title, sizeof(f->title), "%s", title);
	line_edit_init(&f->topic);
	line_edit_init(&f->ctype);
	line_edit_init(&f->rtopic);
	line_edit_init(&f->props);
	text_edit_init(&f->payload);
	line_edit_set(&f->topic, d->topic ? d->topic : "");
	text_edit_set(&f->payload, d->payload ? d->payload : "", d->len);
	line_edit_set(&f->ctype, d->content_type ? d->content_type : "");
	line_edit_set(&f->rtopic, d->response_topic ? d->response_topic : "");
	line_edit_set(&f->props, d->user_props ? d->user_props : "");
	f->qos = d->qos;
	f->retain = d->retain;
	f->v5 = ui_app(u)->session && session_protocol(ui_app(u)->session) == MQTT_V5;
	f->nfields = f->v5 ? F__COUNT : F_RETAIN + 1;
	f->focus = focus;
	if (status)
		set_status(f, status_err, "%s", status);
	paste_mode(true);
	ui_open(u, &f->m);
}

void publish_form_open(struct ui *u)
{
	struct app *a = ui_app(u);
	tree_id sel = ui_selected(u);
	struct pub_draft d;
	int focus = F_TOPIC;

	pub_draft_init(&d);
	if (sel != TREE_NONE && sel != TREE_ROOT) {
		const struct tree_node *n = tree_node(a->tree, sel);
		char *topic = publish_topic_of(a->tree, sel);

		free(d.topic);
		if (!(n->flags & TREE_F_VALUE) && n->first_child != TREE_NONE) {
			/* A branch: most likely a topic below it is meant. */
			d.topic = xmalloc(strlen(topic) + 2);
			sprintf(d.topic, "%s/", topic);
			free(topic);
		} else {
			d.topic = topic;
			focus = F_PAYLOAD;
		}
	}
	open_form(u, &d, "Publish", focus, NULL, false);
	pub_draft_free(&d);
}

void publish_form_again(struct ui *u)
{
	struct app *a = ui_app(u);
	tree_id sel = ui_selected(u);
	const struct tree_value *v;
	struct pub_draft d;
	char *topic;

	if (sel == TREE_NONE || sel == TREE_ROOT) {
		ui_notice(u, HINT_ERROR, "Select a topic with a value first");
		return;
	}
	topic = publish_topic_of(a->tree, sel);
	v = (tree_node(a->tree, sel)->flags & TREE_F_VALUE) ? tree_value(a->tree, sel, 0) : NULL;
	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "%s has no value to publish again", topic);
	} else if (v->orig_len > v->len) {
		ui_notice(
		    u, HINT_ERROR,
		    "Only %u of the %u bytes of %s's value were kept (payload_cap): it cannot "
		    "be published again as it was",
		    v->len, v->orig_len, topic);
	} else {
		pub_draft_init(&d);
		pub_draft_from_value(&d, topic, v);
		open_form(u, &d, "Publish again", F_PAYLOAD,
		          "The last value, QoS and retain flag as received: C-s sends it again.",
		          false);
		pub_draft_free(&d);
	}
	free(topic);
}

void publish_form_open_draft(struct ui *u, const struct pub_draft *d, const char *status)
{
	open_form(u, d, "Publish", F_PAYLOAD, status, true);
}
