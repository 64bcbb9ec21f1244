/* message_picker.c: the saved-messages picker: send one, send a group, edit, delete saved ones. */
#include "mqscope/message_picker.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/list_view.h"
#include "mqscope/pub_draft.h"
#include "mqscope/publish.h"
#include "mqscope/publish_form.h"
#include "mqscope/saved.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define PICKER_MIN_W 30
#define PICKER_MIN_H 6

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
	int h, w;
	char path[4096];
	struct saved_msg *user; /* the messages file, read when the picker opens */
	size_t nuser;
	struct entry *entries;
	size_t nentries, nconfig;
	struct row *rows;
	size_t nrows;
	struct list_view lv;
	char status[700];
	bool status_err;
	bool confirm_delete;
	char found[1024]; /* a row's text, for searching */
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
	list_set(&p->lv.l, p->nrows, p->lv.l.height);
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

/*
 * The broker a saved message goes to: the one it names (several brokers), else
 * the selection's; NULL with why in err when it names one that is not open.
 */
static struct app_link *broker_of(struct ui *u, const struct saved_msg *m, char *err, size_t cap)
{
	struct app *a = ui_app(u);
	struct app_link *l;

	if (!a->several || m->broker == NULL)
		return ui_link(u);
	l = app_link_named(a, m->broker);
	if (l == NULL)
		snprintf(err, cap, "no broker '%s' here (the brokers are the top-level branches)",
		         m->broker);
	return l;
}

/* Sends the selected message or group; true when the picker may close. */
static bool send_selected(struct picker *p, struct ui *u)
{
	const struct row *r = &p->rows[p->lv.l.sel];
	char err[400], label[400], done[600];

	if (r->kind == ROW_MSG) {
		const struct saved_msg *m = p->entries[r->entry].m;
		struct app_link *l = broker_of(u, m, err, sizeof(err));
		struct pub_req req;

		if (l == NULL) {
			set_status(p, true, "Not sent: %s", err);
			return false;
		}
		fill_req(&req, m);
		snprintf(label, sizeof(label), "'%s' to %s", m->name, m->topic);
		snprintf(done, sizeof(done), "Sent '%s' to %s (QoS %d%s)", m->name, m->topic,
		         m->qos, m->retain ? ", retained" : "");
		if (publish_send_on(u, l, &req, 1, label, done, NULL, err, sizeof(err)) == 0) {
			set_status(p, true, "Not sent: %s", err);
			return false;
		}
		return true;
	}

	struct pub_req *reqs = xcalloc(r->members, sizeof(*reqs));
	struct app_link **to = xcalloc(r->members, sizeof(*to));
	struct app *a = ui_app(u);
	size_t sent = 0, all = 0;

	for (size_t i = 0; i < p->nentries && all < r->members; i++) {
		if (!same_group(p->entries[i].m->group, r->group))
			continue;
		if ((to[all++] = broker_of(u, p->entries[i].m, err, sizeof(err))) == NULL) {
			set_status(p, true, "Not sent: %s", err);
			free(reqs);
			free(to);
			return false;
		}
	}
	snprintf(label, sizeof(label), "group '%s'", r->group);
	char things[48], of[32];

	/* One batch per broker, in the order of the brokers. */
	for (size_t b = 0; b < a->nlinks; b++) {
		size_t j = 0, took;

		for (size_t i = 0, e = 0; i < p->nentries && e < all; i++) {
			if (!same_group(p->entries[i].m->group, r->group))
				continue;
			if (to[e++] == &a->link[b])
				fill_req(&reqs[j++], p->entries[i].m);
		}
		if (j == 0)
			continue;
		snprintf(done, sizeof(done), "Sent group '%s': %s", r->group,
		         fmt_things(things, sizeof(things), j, "message", "messages"));
		took =
		    publish_send_on(u, &a->link[b], reqs, j, label, done, NULL, err, sizeof(err));
		sent += took;
		if (took < j)
			break;
	}
	free(reqs);
	free(to);
	if (sent == 0) {
		set_status(p, true, "Not sent: %s", err);
		return false;
	}
	if (sent < all)
		ui_notice(u, HINT_ERROR, "Sent %s of the %s of group '%s': %s",
		          fmt_count(of, sizeof(of), sent),
		          fmt_things(things, sizeof(things), all, "message", "messages"), r->group,
		          err);
	return true;
}

/* Opens the selected message in the publish form; true when the picker may close. */
static bool edit_selected(struct picker *p, struct ui *u)
{
	const struct row *r = &p->rows[p->lv.l.sel];
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
	const struct row *r = &p->rows[p->lv.l.sel];
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
		char del[32];

		keys_describe(ACT_MSG_DELETE, del, sizeof(del));
		if (strchr(del, ' '))
			*strchr(del, ' ') = '\0';
		p->confirm_delete = true;
		set_status(p, true,
		           "Delete '%s' from %s? Press %s again to delete, any other key "
		           "to keep it",
		           e->m->name, p->path, del);
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
	enum action a = keys_lookup(MODE_MESSAGES, key, fn);

	p->confirm_delete = false;
	if (a == ACT_MSG_CLOSE)
		return false;
	if (p->nrows == 0) {
		list_view_action(&p->lv, u, a);
		return true; /* nothing to pick: only closing does something */
	}
	switch (a) {
	case ACT_MSG_SEND:
		return !send_selected(p, u);
	case ACT_MSG_EDIT:
		return !edit_selected(p, u);
	case ACT_MSG_DELETE:
		p->confirm_delete = confirming;
		delete_selected(p, u);
		return true;
	default:
		if (confirming)
			set_status(p, false, "Kept");
		list_view_action(&p->lv, u, a);
		return true;
	}
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t i)
{
	struct picker *p = ctx;
	const struct row *r = &p->rows[i];
	char buf[160];
	int used = 0;

	(void)y;
	(void)x;
	if (r->kind == ROW_GROUP) {
		snprintf(buf, sizeof(buf), " %s ", draw_glyph("expanded"));
		used += draw_str(w, buf, width, A_NORMAL);
		used += draw_str(w, r->group, width - used, theme_attr(SLOT_BRANCH));
		char k[32];

		fmt_count(k, sizeof(k), r->members);
		snprintf(buf, sizeof(buf), "  (group of %s: Enter sends %s)", k,
		         r->members == 1 ? "it" : "them all");
		draw_str(w, buf, width - used, theme_attr(SLOT_COUNT));
		return;
	}
	const struct entry *e = &p->entries[r->entry];
	const struct saved_msg *m = e->m;
	int namew = width / 4 > 28 ? 28 : width / 4, topw = width / 3;

	used += draw_str(w, r->group ? "     " : "  ", width, A_NORMAL);
	used += draw_str(w, m->name, 2 + namew + 4 - used, theme_attr(SLOT_LEAF));
	for (; used < 2 + namew + 5 && used < width; used++)
		waddch(w, ' ');
	used += draw_str(w, m->topic, topw, theme_attr(SLOT_META_KEY));
	used += draw_str(w, " = ", width - used, A_NORMAL);
	snprintf(buf, sizeof(buf), "  QoS %d%s%s", m->qos, m->retain ? " retained" : "",
	         e->user ? "  saved" : "");
	if (width - used - (int)strlen(buf) > 0)
		used += draw_str(w, m->payload, width - used - (int)strlen(buf),
		                 theme_attr(SLOT_VALUE));
	draw_str(w, buf, width - used, theme_attr(SLOT_COUNT));
}

/* What a row is found by: the group, or the name, topic and payload of a message. */
static const char *row_text(void *ctx, size_t i, size_t *len)
{
	struct picker *p = ctx;
	const struct row *r = &p->rows[i];
	const struct saved_msg *m;

	if (r->kind == ROW_GROUP) {
		*len = strlen(r->group);
		return r->group;
	}
	m = p->entries[r->entry].m;
	snprintf(p->found, sizeof(p->found), "%s %s %s", m->name, m->topic, m->payload);
	*len = strlen(p->found);
	return p->found;
}

static void picker_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	static const struct key_hint hints[] = {
	    {ACT_MSG_SEND, "send (a group: all of it)"},
	    {ACT_MSG_EDIT, "edit in the form"},
	    {ACT_MSG_DELETE, "delete a saved one"},
	    {ACT_MSG_CLOSE, "close"},
	};
	struct picker *p = (struct picker *)m;
	int want = (int)p->nrows + 5, hh, ww = cols - 2 > 110 ? 110 : cols - 2;
	char title[200];

	(void)u;
	if (want < 9)
		want = 9;
	hh = want > rows - 2 ? rows - 2 : want;
	if (hh < PICKER_MIN_H || ww < PICKER_MIN_W) {
		draw_too_small(&p->win, &p->h, &p->w, rows, cols, "Saved messages",
		               PICKER_MIN_H + 2, PICKER_MIN_W + 2, ACT_MSG_CLOSE);
		return;
	}
	char nc[32], nu[32];

	fmt_count(nc, sizeof(nc), p->nconfig);
	fmt_count(nu, sizeof(nu), p->nuser);
	snprintf(title, sizeof(title), " Saved messages (%s from the config file, %s saved) ", nc,
	         nu);
	draw_dialog(&p->win, &p->h, &p->w, hh, ww, rows, cols, title);
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
	list_view_draw(&p->lv, p->win, 1, 1, hh - 5, ww - 2, p->nrows, theme_attr(SLOT_SELECTED));
	draw_hline(p->win, hh - 4, 1, ww - 2, theme_attr(SLOT_BORDER));
	list_view_position(&p->lv, p->win, hh - 4, ww - 2, theme_attr(SLOT_BORDER));
	if (p->status[0]) {
		wmove(p->win, hh - 3, 2);
		draw_str(p->win, p->status, ww - 4,
		         theme_attr(p->status_err ? SLOT_ERROR : SLOT_NOTICE));
	}
	wmove(p->win, hh - 2, 2);
	draw_key_hints(p->win, ww - 4, hints, sizeof(hints) / sizeof(hints[0]));
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
	list_view_init(&p->lv, false, draw_row, row_text, p);
	saved_default_path(p->path, sizeof(p->path));
	if (saved_load(p->path, &p->user, &p->nuser, err, sizeof(err)) != 0)
		set_status(p, true, "%s", err);
	build_rows(p, ui_app(u)->cfg);
	ui_open(u, &p->m);
}
