/* message_picker.c: the saved-messages picker: send one, send a group, edit, delete saved ones. */
#include "mqscope/message_picker.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/pub_draft.h"
#include "mqscope/publish.h"
#include "mqscope/publish_form.h"
#include "mqscope/saved.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

enum row_kind { ROW_MSG, ROW_GROUP };

struct row {
	enum row_kind kind;
	size_t entry; /* ROW_MSG: index in entries; ROW_GROUP: first member */
	const char *group;
	size_t members;
};

struct entry {
	const struct saved_msg *m;
	bool user; /* from the messages file (deletable) */
	size_t user_index;
};

struct picker {
	struct modal m;
	WINDOW *win;
	int h, w, inner;
	char path[4096];
	struct saved_msg *user; /* the messages file, read when the picker opens */
	size_t nuser;
	struct entry *entries;
	size_t nentries, nconfig;
	struct row *rows;
	size_t nrows, sel, top;
	char status[700];
	bool status_err;
	bool confirm_delete;
};

static void set_status(struct picker *p, bool err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(struct picker *p, bool err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->status, sizeof(p->status), fmt, ap);
	va_end(ap);
	p->status_err = err;
}

static bool same_group(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Lays out the rows: ungrouped messages first, then each group's header and members. */
static void build_rows(struct picker *p, const struct settings *cfg)
{
	size_t n = 0;

	free(p->entries);
	free(p->rows);
	p->nentries = cfg->nsaved + p->nuser;
	p->nconfig = cfg->nsaved;
	p->entries = xcalloc(p->nentries ? p->nentries : 1, sizeof(*p->entries));
	for (size_t i = 0; i < cfg->nsaved; i++)
		p->entries[n++] = (struct entry){.m = &cfg->saved[i]};
	for (size_t i = 0; i < p->nuser; i++)
		p->entries[n++] = (struct entry){.m = &p->user[i], .user = true, .user_index = i};

	/* At most one row per entry plus one per group. */
	p->rows = xcalloc(2 * p->nentries + 1, sizeof(*p->rows));
	p->nrows = 0;
	for (size_t i = 0; i < p->nentries; i++)
		if (p->entries[i].m->group == NULL)
			p->rows[p->nrows++] = (struct row){.kind = ROW_MSG, .entry = i};
	for (size_t i = 0; i < p->nentries; i++) {
		const char *g = p->entries[i].m->group;
		bool seen = false;
		struct row *hdr;

		if (g == NULL)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = same_group(p->entries[j].m->group, g);
		if (seen)
			continue;
		hdr = &p->rows[p->nrows++];
		*hdr = (struct row){.kind = ROW_GROUP, .entry = i, .group = g};
		for (size_t j = i; j < p->nentries; j++) {
			if (!same_group(p->entries[j].m->group, g))
				continue;
			hdr->members++;
			p->rows[p->nrows++] = (struct row){.kind = ROW_MSG, .entry = j, .group = g};
		}
	}
	if (p->sel >= p->nrows)
		p->sel = p->nrows ? p->nrows - 1 : 0;
}

static void fill_req(struct pub_req *r, const struct saved_msg *m)
{
	memset(r, 0, sizeof(*r));
	r->topic = m->topic;
	r->payload = m->payload;
	r->len = strlen(m->payload);
	r->qos = m->qos;
	r->retain = m->retain;
}

/* Sends the selected message or group; true when the picker may close. */
static bool send_selected(struct picker *p, struct ui *u)
{
	const struct row *r = &p->rows[p->sel];
	char err[400], label[400], done[600];

	if (r->kind == ROW_MSG) {
		const struct saved_msg *m = p->entries[r->entry].m;
		struct pub_req req;

		fill_req(&req, m);
		snprintf(label, sizeof(label), "'%s' to %s", m->name, m->topic);
		snprintf(done, sizeof(done), "Sent '%s' to %s (QoS %d%s)", m->name, m->topic,
		         m->qos, m->retain ? ", retained" : "");
		if (publish_send(u, &req, 1, label, done, NULL, err, sizeof(err)) == 0) {
			set_status(p, true, "Not sent: %s", err);
			return false;
		}
		return true;
	}

	struct pub_req *reqs = xcalloc(r->members, sizeof(*reqs));
	size_t k = 0, sent;

	for (size_t i = 0; i < p->nentries && k < r->members; i++)
		if (same_group(p->entries[i].m->group, r->group))
			fill_req(&reqs[k++], p->entries[i].m);
	snprintf(label, sizeof(label), "group '%s'", r->group);
	snprintf(done, sizeof(done), "Sent group '%s': %zu message%s", r->group, k,
	         k == 1 ? "" : "s");
	sent = publish_send(u, reqs, k, label, done, NULL, err, sizeof(err));
	free(reqs);
	if (sent == 0) {
		set_status(p, true, "Not sent: %s", err);
		return false;
	}
	if (sent < k)
		ui_notice(u, HINT_ERROR, "Sent %zu of the %zu messages of group '%s': %s", sent, k,
		          r->group, err);
	return true;
}

/* Opens the selected message in the publish form; true when the picker may close. */
static bool edit_selected(struct picker *p, struct ui *u)
{
	const struct row *r = &p->rows[p->sel];
	const struct saved_msg *m;
	struct pub_draft d;

	if (r->kind != ROW_MSG) {
		set_status(p, true, "Select one message to edit (a group is sent with Enter)");
		return false;
	}
	m = p->entries[r->entry].m;
	pub_draft_init(&d);
	free(d.topic);
	free(d.payload);
	d.topic = xstrdup(m->topic);
	d.payload = xstrdup(m->payload);
	d.len = strlen(m->payload);
	d.qos = m->qos;
	d.retain = m->retain;
	publish_form_open_draft(u, &d, NULL);
	pub_draft_free(&d);
	return true;
}

static void delete_selected(struct picker *p, struct ui *u)
{
	const struct row *r = &p->rows[p->sel];
	const struct entry *e;
	char err[600];
	size_t idx;

	if (r->kind != ROW_MSG) {
		set_status(p, true, "Select one message to delete");
		return;
	}
	e = &p->entries[r->entry];
	if (!e->user) {
		set_status(
		    p, true, "'%s' is in the config file %s, line %d: edit it there", e->m->name,
		    ui_app(u)->cfg->config_file ? ui_app(u)->cfg->config_file : "", e->m->line);
		return;
	}
	if (!p->confirm_delete) {
		p->confirm_delete = true;
		set_status(p, true,
		           "Delete '%s' from %s? Press x again to delete, any other key "
		           "to keep it",
		           e->m->name, p->path);
		return;
	}
	p->confirm_delete = false;
	idx = e->user_index;
	{
		char name[256];

		snprintf(name, sizeof(name), "%s", p->user[idx].name);
		saved_remove(p->user, &p->nuser, idx);
		if (saved_write(p->path, p->user, p->nuser, err, sizeof(err)) != 0)
			set_status(p, true, "Not deleted: %s", err);
		else
			set_status(p, false, "Deleted '%s'", name);
	}
	build_rows(p, ui_app(u)->cfg);
}

static bool picker_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct picker *p = (struct picker *)m;
	bool confirming = p->confirm_delete;
	enum action a;

	p->confirm_delete = false;
	if (!fn && (key == 27 || key == 'q'))
		return false;
	if (p->nrows == 0)
		return false; /* nothing to pick: any key closes */
	if (!fn && (key == '\r' || key == '\n' || key == ' '))
		return !send_selected(p, u);
	if (fn && key == KEY_ENTER)
		return !send_selected(p, u);
	if (!fn && key == 'e')
		return !edit_selected(p, u);
	if ((!fn && key == 'x') || (fn && key == KEY_DC)) {
		p->confirm_delete = confirming;
		delete_selected(p, u);
		return true;
	}
	if (confirming)
		set_status(p, false, "Kept");
	a = keys_action(fn || key < 256 ? key : -1);
	switch (a) {
	case ACT_MOVE_DOWN:
		if (p->sel + 1 < p->nrows)
			p->sel++;
		break;
	case ACT_MOVE_UP:
		if (p->sel > 0)
			p->sel--;
		break;
	case ACT_PAGE_DOWN:
		p->sel =
		    p->sel + (size_t)p->inner < p->nrows ? p->sel + (size_t)p->inner : p->nrows - 1;
		break;
	case ACT_PAGE_UP:
		p->sel = p->sel > (size_t)p->inner ? p->sel - (size_t)p->inner : 0;
		break;
	case ACT_FIRST:
		p->sel = 0;
		break;
	case ACT_LAST:
		p->sel = p->nrows - 1;
		break;
	default:
		break;
	}
	return true;
}

static void draw_row(struct picker *p, int y, size_t i, int width)
{
	const struct row *r = &p->rows[i];
	bool sel = i == p->sel;
	attr_t base = sel ? theme_attr(SLOT_SELECTED) : A_NORMAL;
	char buf[160];
	int used = 0;

	wmove(p->win, y, 1);
	if (r->kind == ROW_GROUP) {
		snprintf(buf, sizeof(buf), " %s ", draw_glyph("expanded"));
		used += draw_str(p->win, buf, width, base);
		used +=
		    draw_str(p->win, r->group, width - used, sel ? base : theme_attr(SLOT_BRANCH));
		snprintf(buf, sizeof(buf), "  (group of %zu: Enter sends them all)", r->members);
		used += draw_str(p->win, buf, width - used, sel ? base : theme_attr(SLOT_COUNT));
	} else {
		const struct entry *e = &p->entries[r->entry];
		const struct saved_msg *m = e->m;
		int namew = width / 4 > 28 ? 28 : width / 4, topw = width / 3;

		used += draw_str(p->win, r->group ? "     " : "  ", width, base);
		used += draw_str(p->win, m->name, 2 + namew + 4 - used,
		                 sel ? base : theme_attr(SLOT_LEAF));
		for (; used < 2 + namew + 5 && used < width; used++)
			draw_str(p->win, " ", 1, base);
		used += draw_str(p->win, m->topic, topw, sel ? base : theme_attr(SLOT_META_KEY));
		used += draw_str(p->win, " = ", width - used, base);
		snprintf(buf, sizeof(buf), "  QoS %d%s%s", m->qos, m->retain ? " retained" : "",
		         e->user ? "  saved" : "");
		{
			int room = width - used - (int)strlen(buf);

			if (room > 0)
				used += draw_str(p->win, m->payload, room,
				                 sel ? base : theme_attr(SLOT_VALUE));
		}
		used += draw_str(p->win, buf, width - used, sel ? base : theme_attr(SLOT_COUNT));
	}
	wattrset(p->win, base);
	for (; used < width; used++)
		waddch(p->win, ' ');
	wattrset(p->win, A_NORMAL);
}

static void picker_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct picker *p = (struct picker *)m;
	int want = (int)p->nrows + 5, hh, ww = cols - 2 > 110 ? 110 : cols - 2, y;
	char title[200];

	(void)u;
	if (want < 9)
		want = 9;
	hh = want > rows - 2 ? rows - 2 : want;
	if (hh < 6 || ww < 30)
		return;
	snprintf(title, sizeof(title), " Saved messages (%zu from the config file, %zu saved) ",
	         p->nconfig, p->nuser);
	draw_dialog(&p->win, &p->h, &p->w, hh, ww, rows, cols, title);
	p->inner = hh - 5;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + (size_t)p->inner)
		p->top = p->sel - (size_t)p->inner + 1;
	if (p->nrows == 0) {
		wmove(p->win, 1, 2);
		draw_str(p->win, "No saved messages yet.", ww - 4, A_NORMAL);
		wmove(p->win, 2, 2);
		draw_str(p->win,
		         "Save one from the publish form (p, then C-o), or list them in the "
		         "config file:",
		         ww - 4, theme_attr(SLOT_HINT));
		wmove(p->win, 3, 2);
		draw_str(p->win,
		         "messages = ( { name = \"all off\"; group = \"evening\"; topic = "
		         "\"house/bulbs/bulb1\"; payload = \"OFF\"; } );",
		         ww - 4, theme_attr(SLOT_VALUE));
	}
	for (y = 0; y < p->inner && p->top + (size_t)y < p->nrows; y++)
		draw_row(p, 1 + y, p->top + (size_t)y, ww - 2);
	draw_hline(p->win, hh - 4, 1, ww - 2, theme_attr(SLOT_BORDER));
	if (p->status[0]) {
		wmove(p->win, hh - 3, 2);
		draw_str(p->win, p->status, ww - 4,
		         theme_attr(p->status_err ? SLOT_ERROR : SLOT_NOTICE));
	}
	wmove(p->win, hh - 2, 2);
	{
		static const char *const hints[] = {
		    "Enter", "send (a group: all of it)", "e",   "edit in the form",
		    "x",     "delete a saved one",        "Esc", "close"};
		int used = 0;

		for (size_t i = 0; i < 8 && used < ww - 4; i += 2) {
			if (used)
				used += draw_str(p->win, "  ", ww - 4 - used, A_NORMAL);
			used +=
			    draw_str(p->win, hints[i], ww - 4 - used, theme_attr(SLOT_HINT_KEY));
			used += draw_str(p->win, " ", ww - 4 - used, A_NORMAL);
			used +=
			    draw_str(p->win, hints[i + 1], ww - 4 - used, theme_attr(SLOT_HINT));
		}
	}
	touchwin(p->win);
	wnoutrefresh(p->win);
}

static void picker_free(struct modal *m)
{
	struct picker *p = (struct picker *)m;

	if (p->win)
		delwin(p->win);
	saved_free(p->user, p->nuser);
	free(p->entries);
	free(p->rows);
	free(p);
}

static const struct modal_ops picker_ops = {
    .name = "messages",
    .key = picker_key,
    .draw = picker_draw,
    .free = picker_free,
};

void message_picker_open(struct ui *u)
{
	struct picker *p = xcalloc(1, sizeof(*p));
	char err[700];

	p->m.ops = &picker_ops;
	saved_default_path(p->path, sizeof(p->path));
	if (saved_load(p->path, &p->user, &p->nuser, err, sizeof(err)) != 0)
		set_status(p, true, "%s", err);
	build_rows(p, ui_app(u)->cfg);
	ui_open(u, &p->m);
}
