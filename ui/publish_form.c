/* publish_form.c: the publish form modal: fields, bracketed paste, sending, saving to the list. */
#include "mqscope/publish_form.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/fit.h"
#include "mqscope/keys.h"
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
#define FORM_MINW 30 /* the labels, and a field of 12 columns */

enum field { F_TOPIC, F_PAYLOAD, F_QOS, F_RETAIN, F_CTYPE, F_RTOPIC, F_PROPS, F__COUNT };

static const char *const labels[F__COUNT] = {
    "Topic", "Payload", "QoS", "Retain", "Content type", "Response topic", "User props",
};

struct publish_form {
	struct modal m;
	WINDOW *win;
	int wy, wx, wh, ww;
	char title[96];
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
	/* With several brokers, the message goes back to the one it was written for. */
	m.broker = ui_app(u)->several ? ui_link(u)->label : NULL;
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

/* An editing action (or, with ACT_NONE, a text key) on the payload; false when neither. */
static bool payload_edit(struct text_edit *t, enum action a, int key, bool fn)
{
	switch (a) {
	case ACT_EDIT_LEFT:
		text_edit_left(t);
		return true;
	case ACT_EDIT_RIGHT:
		text_edit_right(t);
		return true;
	case ACT_EDITOR_UP:
		text_edit_up(t);
		return true;
	case ACT_EDITOR_DOWN:
		text_edit_down(t);
		return true;
	case ACT_EDIT_HOME:
		text_edit_home(t);
		return true;
	case ACT_EDIT_END:
		text_edit_end(t);
		return true;
	case ACT_EDITOR_PAGE_UP:
		text_edit_page_up(t);
		return true;
	case ACT_EDITOR_PAGE_DOWN:
		text_edit_page_down(t);
		return true;
	case ACT_EDIT_BACKSPACE:
		text_edit_backspace(t);
		return true;
	case ACT_EDIT_DELETE:
		text_edit_delete(t);
		return true;
	case ACT_EDITOR_NEWLINE:
		text_edit_newline(t);
		return true;
	case ACT_EDIT_KILL_END:
		text_edit_kill_end(t);
		return true;
	case ACT_EDIT_KILL_START:
		text_edit_kill_start(t);
		return true;
	case ACT_EDIT_DELETE_WORD:
		text_edit_delete_word(t);
		return true;
	case ACT_NONE:
		if (!keys_is_text(key, fn))
			return false;
		text_edit_insert(t, (uint32_t)key);
		return true;
	default:
		return false;
	}
}

/* A key on the QoS or Retain field. */
static void choice(struct publish_form *f, enum action a)
{
	if (f->focus == F_QOS) {
		if (a == ACT_CHOICE_NEXT)
			f->qos = (f->qos + 1) % 3;
		else if (a == ACT_CHOICE_PREV)
			f->qos = (f->qos + 2) % 3;
		else if (a == ACT_CHOICE_QOS0 || a == ACT_CHOICE_QOS1 || a == ACT_CHOICE_QOS2)
			f->qos = a == ACT_CHOICE_QOS0 ? 0 : a == ACT_CHOICE_QOS1 ? 1 : 2;
		return;
	}
	if (a == ACT_CHOICE_NEXT || a == ACT_CHOICE_PREV)
		f->retain = !f->retain;
	else if (a == ACT_CHOICE_YES || a == ACT_CHOICE_NO)
		f->retain = a == ACT_CHOICE_YES;
}

static void move_focus(struct publish_form *f, int by)
{
	f->focus = (f->focus + by + f->nfields) % f->nfields;
}

/* The key table of the focused field, looked up before the form's own. */
static enum key_mode field_mode(const struct publish_form *f)
{
	if (f->focus == F_PAYLOAD)
		return MODE_EDITOR;
	if (f->focus == F_QOS || f->focus == F_RETAIN)
		return MODE_CHOICE;
	return MODE_EDIT;
}

static bool form_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct publish_form *f = (struct publish_form *)m;
	struct line_edit *le;
	enum action a;

	/* The terminal's bracketed-paste markers: what comes between them is text, not keys. */
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
	a = keys_lookup(field_mode(f), key, fn);
	if (a == ACT_NONE)
		a = keys_lookup(MODE_FORM, key, fn);
	switch (a) {
	case ACT_FORM_CANCEL:
		return false;
	case ACT_FORM_SEND:
		return !send(f, u);
	case ACT_FORM_SAVE:
		save(f, u);
		return true;
	case ACT_FORM_NEXT:
	case ACT_FORM_PREV:
		move_focus(f, a == ACT_FORM_NEXT ? +1 : -1);
		return true;
	case ACT_FORM_ENTER:
		if (f->focus == f->nfields - 1)
			return !send(f, u);
		move_focus(f, +1);
		return true;
	default:
		break;
	}
	if (f->focus == F_PAYLOAD) {
		payload_edit(&f->payload, a, key, fn);
		return true;
	}
	if (f->focus == F_QOS || f->focus == F_RETAIN) {
		choice(f, a);
		return true;
	}
	le = line_field(f, f->focus);
	if (le != NULL)
		field_edit(le, a, key, fn);
	return true;
}

static void draw_label(struct publish_form *f, int y, int field)
{
	bool focus = f->focus == field;

	wmove(f->win, y, 1);
	draw_str(f->win, focus ? draw_glyph("collapsed") : " ", 1, theme_attr(SLOT_PROMPT));
	draw_str(f->win, labels[field], LABEL_W - 2,
	         theme_attr(focus ? SLOT_PROMPT : SLOT_META_KEY));
}

/* Draws the status, continued on a second line (from a word's start) when long and there is room.
 */
static void draw_status(struct publish_form *f, int y, int width, int lines)
{
	attr_t at = theme_attr(f->status_err ? SLOT_ERROR : SLOT_NOTICE);
	size_t len = strlen(f->status), at1 = 0, next;

	if (lines > 1 && sanitize_width(f->status, len, draw_san_flags()) > width) {
		at1 = fit_wrap(f->status, len, draw_san_flags(), width, &next);
		wmove(f->win, y, 2);
		draw_text(f->win, f->status, at1, width, at);
		wmove(f->win, y + 1, 2);
		draw_text(f->win, f->status + next, len - next, width, at);
		return;
	}
	wmove(f->win, y, 2);
	draw_text(f->win, f->status, len, width, at);
}

/* The keys of the focused field and the form: what the bottom line offers. */
static void draw_form_hints(struct publish_form *f, int y, int width)
{
	static const struct key_hint payload_hints[] = {
	    {ACT_FORM_SEND, "send"},          {ACT_FORM_NEXT, "next field"},
	    {ACT_EDITOR_NEWLINE, "new line"}, {ACT_FORM_SAVE, "save to list"},
	    {ACT_FORM_CANCEL, "cancel"},
	};
	static const struct key_hint line_hints[] = {
	    {ACT_FORM_SEND, "send"},
	    {ACT_FORM_NEXT, "next field"},
	    {ACT_FORM_SAVE, "save to list"},
	    {ACT_FORM_CANCEL, "cancel"},
	};
	static const struct key_hint choice_hints[] = {
	    {ACT_CHOICE_NEXT, "change"},
	    {ACT_FORM_NEXT, "next field"},
	    {ACT_FORM_SEND, "send"},
	    {ACT_FORM_CANCEL, "cancel"},
	};

	wmove(f->win, y, 2);
	if (f->focus == F_PAYLOAD)
		draw_key_hints(f->win, width, payload_hints, 5);
	else if (f->focus == F_QOS || f->focus == F_RETAIN)
		draw_key_hints(f->win, width, choice_hints, 4);
	else
		draw_key_hints(f->win, width, line_hints, 4);
}

/*
 * Lines besides the payload: borders, topic, QoS, retain, the MQTT 5 fields
 * and the status line; a full form adds a rule, a second status line and the
 * key hints (the compact one shows the hints on the status line when it is
 * free).
 */
static int fixed_lines(const struct publish_form *f, bool full)
{
	return 6 + (f->v5 ? 3 : 0) + (full ? 3 : 0);
}

static void form_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct publish_form *f = (struct publish_form *)m;
	int ww = cols - 2 > FORM_MAXW ? FORM_MAXW : cols - 2, wh = rows - 2, ph;
	int fx = LABEL_W + 1, fw, y;
	bool full = true;
	attr_t fattr = A_UNDERLINE;
	char buf[128];

	(void)u;
	/* Centred with a margin; else the whole screen; else without the rule and the hints. */
	if (wh - fixed_lines(f, true) < 1 || ww < FORM_MINW) {
		ww = cols;
		wh = rows;
		full = wh - fixed_lines(f, true) >= 1;
	}
	ph = wh - fixed_lines(f, full);
	if (ph < 1 || ww < FORM_MINW) {
		f->cur_on = false;
		draw_too_small(&f->win, &f->wh, &f->ww, rows, cols, "Publish form",
		               fixed_lines(f, false) + 1, FORM_MINW, ACT_FORM_CANCEL);
		f->wy = rows / 2;
		f->wx = 0;
		return;
	}
	if (f->win == NULL || f->wh != wh || f->ww != ww) {
		if (f->win)
			delwin(f->win);
		f->win = newwin(wh, ww, (rows - wh) / 2, (cols - ww) / 2);
		f->wh = wh;
		f->ww = ww;
	}
	f->wy = (rows - wh) / 2;
	f->wx = (cols - ww) / 2;
	mvwin(f->win, f->wy, f->wx);
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
	f->cur_x = draw_field(f->win, y, fx, fw, f->topic.buf, f->topic.len, f->topic.cur, fattr);
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
			const struct line_edit *le = line_field(f, extra[i]);
			int cx;

			draw_label(f, y, extra[i]);
			cx = draw_field(f->win, y, fx, fw, le->buf, le->len, le->cur, fattr);
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
	if (full) {
		draw_hline(f->win, y, 1, ww - 2, theme_attr(SLOT_BORDER));
		y++;
		if (f->status[0])
			draw_status(f, y, ww - 4, 2);
		draw_form_hints(f, y + 2, ww - 4);
	} else if (f->status[0]) {
		draw_status(f, y, ww - 4, 1);
	} else {
		draw_form_hints(f, y, ww - 4);
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
	if (ui_app(u)->several) /* which broker it goes to */
		snprintf(f->title, sizeof(f->title), "%s on %s", title, ui_link(u)->label);
	else
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
	f->v5 = ui_session(u) && session_protocol(ui_session(u)) == MQTT_V5;
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
		char *topic = app_topic_dup(a, sel);

		free(d.topic);
		if (*topic == '\0') { /* a broker's branch */
			d.topic = topic;
		} else if (!(n->flags & TREE_F_VALUE) && n->first_child != TREE_NONE) {
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
	char *topic, na[32], nb[32];

	if (sel == TREE_NONE || sel == TREE_ROOT) {
		ui_notice(u, HINT_ERROR, "Select a topic with a value first");
		return;
	}
	topic = app_topic_dup(a, sel);
	v = (tree_node(a->tree, sel)->flags & TREE_F_VALUE) ? tree_value(a->tree, sel, 0) : NULL;
	if (v == NULL) {
		ui_notice(u, HINT_ERROR, "%s has no value to publish again", topic);
	} else if (v->orig_len > v->len) {
		ui_notice(
		    u, HINT_ERROR,
		    "Only %s of the %s bytes of %s's value were kept (payload_cap): it cannot "
		    "be published again as it was",
		    fmt_count(na, sizeof(na), v->len), fmt_count(nb, sizeof(nb), v->orig_len),
		    topic);
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
