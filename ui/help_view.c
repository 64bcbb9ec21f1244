/* help_view.c: the help overlay: every key of every mode, from the action tables and the key
 * tables in effect; a scrolling, searchable text, wrapped to the window. */
#include "mqscope/help_view.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/fit.h"
#include "mqscope/keys.h"
#include "mqscope/list_view.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define KEYS_COLS  16 /* the key column; narrower windows give it a third */
#define HELP_W     78
#define HELP_MIN_H 5
#define HELP_MIN_W 24

/* A paragraph: a mode's heading, or an action's keys and description. */
struct entry {
	enum key_mode mode;
	enum action a; /* ACT_NONE: the heading of mode, or the introduction (MODE_NONE) */
	char *text;    /* keys, then a space, then the description; for a heading, the title */
	size_t keys_len;
};

/* A line on screen: a piece of an entry's keys and of its description. */
struct row {
	uint32_t entry;
	uint32_t koff, klen, doff, dlen;
	bool first; /* the entry's first line */
};

struct help_view {
	struct modal m;
	WINDOW *win;
	int h, w;
	struct entry *entries;
	size_t nentries;
	struct row *rows;
	size_t nrows, rows_cap;
	int rows_width, keys_cols;
	struct list_view lv;
};

static void add_entry(struct help_view *h, enum key_mode m, enum action a, const char *keys,
                      const char *desc)
{
	struct entry *e;
	size_t kl = strlen(keys), dl = strlen(desc);

	h->entries = xrealloc(h->entries, (h->nentries + 1) * sizeof(*h->entries));
	e = &h->entries[h->nentries++];
	e->mode = m;
	e->a = a;
	e->keys_len = kl;
	e->text = xmalloc(kl + dl + 2);
	memcpy(e->text, keys, kl);
	e->text[kl] = ' ';
	memcpy(e->text + kl + 1, desc, dl + 1);
}

/* One entry per mode heading and per action, with the keys bound now. */
static void build_entries(struct help_view *h)
{
	char keys[128], desc[512];

	add_entry(h, MODE_NONE, ACT_NONE, "",
	          "The keys in effect. The config file's keys section binds others by the names "
	          "in parentheses; a mode's [group] there holds its keys.");
	for (int m = 0; m < MODE__COUNT; m++) {
		enum key_mode mode = (enum key_mode)m;

		if (mode_group(mode))
			snprintf(desc, sizeof(desc), "%s [%s]", mode_title(mode), mode_group(mode));
		else
			snprintf(desc, sizeof(desc), "%s", mode_title(mode));
		add_entry(h, mode, ACT_NONE, "", desc);
		for (int a = 1; a < ACT__COUNT; a++) {
			if (action_mode((enum action)a) != mode)
				continue;
			keys_describe((enum action)a, keys, sizeof(keys));
			snprintf(desc, sizeof(desc), "%s (%s)", action_help((enum action)a),
			         action_name((enum action)a));
			add_entry(h, mode, (enum action)a, keys[0] ? keys : "(unbound)", desc);
		}
	}
}

static void push_row(struct help_view *h, struct row r)
{
	if (h->nrows == h->rows_cap) {
		h->rows_cap = h->rows_cap ? h->rows_cap * 2 : 256;
		h->rows = xrealloc(h->rows, h->rows_cap * sizeof(*h->rows));
	}
	h->rows[h->nrows++] = r;
}

/* Wraps every entry to width columns: keys in their column, the description beside them. */
static void layout(struct help_view *h, int width)
{
	unsigned flags = draw_san_flags();

	if (h->rows_width == width)
		return;
	h->rows_width = width;
	h->nrows = 0;
	h->keys_cols = width / 3 < KEYS_COLS ? width / 3 : KEYS_COLS;
	for (size_t i = 0; i < h->nentries; i++) {
		const struct entry *e = &h->entries[i];
		const char *keys = e->text, *desc = e->text + e->keys_len + 1;
		size_t kl = e->keys_len, dl = strlen(desc), ko = 0, dof = 0;
		/* Headings and the introduction take the whole width. */
		int kw = e->a == ACT_NONE ? 0 : h->keys_cols, dw = width - (kw ? kw + 1 : 0);
		bool first = true;

		if (e->a == ACT_NONE && i > 0)
			push_row(h, (struct row){.entry = (uint32_t)i}); /* a blank line before */
		while (first || ko < kl || dof < dl) {
			struct row r = {.entry = (uint32_t)i, .first = first};
			size_t next;

			if (ko < kl) {
				r.koff = (uint32_t)ko;
				r.klen = (uint32_t)fit_wrap(keys + ko, kl - ko, flags, kw, &next);
				ko += next;
			}
			if (dof < dl) {
				r.doff = (uint32_t)dof;
				r.dlen = (uint32_t)fit_wrap(desc + dof, dl - dof, flags, dw, &next);
				dof += next;
			}
			push_row(h, r);
			first = false;
		}
	}
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int wd, size_t i)
{
	struct help_view *h = ctx;
	const struct row *r = &h->rows[i];
	const struct entry *e = &h->entries[r->entry];
	const char *desc = e->text + e->keys_len + 1;
	int kw = e->a == ACT_NONE ? 0 : h->keys_cols;

	if (r->klen) {
		wmove(w, y, x);
		draw_text(w, e->text + r->koff, r->klen, kw, theme_attr(SLOT_HINT_KEY));
	}
	if (r->dlen) {
		enum theme_slot slot = e->a != ACT_NONE       ? SLOT_HELP
		                       : e->mode == MODE_NONE ? SLOT_HINT
		                                              : SLOT_TITLE;

		wmove(w, y, x + (kw ? kw + 1 : 0));
		draw_text(w, desc + r->doff, r->dlen, wd - (kw ? kw + 1 : 0), theme_attr(slot));
	}
}

/* The text an entry is found by, on its first line only (one match per entry). */
static const char *row_text(void *ctx, size_t i, size_t *len)
{
	struct help_view *h = ctx;
	const struct row *r = &h->rows[i];

	if (!r->first)
		return NULL;
	*len = strlen(h->entries[r->entry].text);
	return h->entries[r->entry].text;
}

static bool help_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct help_view *h = (struct help_view *)m;
	enum action a = keys_lookup(MODE_HELP, key, fn);

	if (a == ACT_HELP_CLOSE)
		return false;
	list_view_action(&h->lv, u, a);
	return true;
}

static void help_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct help_view *h = (struct help_view *)m;
	int hh = rows - 2, ww = cols - 2 > HELP_W ? HELP_W : cols - 2;
	char title[128], close[64];

	(void)u;
	if (hh < HELP_MIN_H || ww < HELP_MIN_W) {
		draw_too_small(&h->win, &h->h, &h->w, rows, cols, "Help", HELP_MIN_H + 2,
		               HELP_MIN_W + 2, ACT_HELP_CLOSE);
		return;
	}
	layout(h, ww - 4);
	if ((int)h->nrows + 2 < hh)
		hh = (int)h->nrows + 2;
	keys_describe(ACT_HELP_CLOSE, close, sizeof(close));
	snprintf(title, sizeof(title), " mqscope keys (%s closes) ", close[0] ? close : "close");
	draw_dialog(&h->win, &h->h, &h->w, hh, ww, rows, cols, title);
	list_view_draw(&h->lv, h->win, 1, 2, hh - 2, ww - 4, h->nrows, 0);
	list_view_position(&h->lv, h->win, hh - 1, ww - 2, theme_attr(SLOT_BORDER));
	touchwin(h->win);
	wnoutrefresh(h->win);
}

static void help_free(struct modal *m)
{
	struct help_view *h = (struct help_view *)m;

	if (h->win)
		delwin(h->win);
	for (size_t i = 0; i < h->nentries; i++)
		free(h->entries[i].text);
	free(h->entries);
	free(h->rows);
	free(h);
}

static const struct modal_ops help_ops = {
    .name = "help",
    .key = help_key,
    .draw = help_draw,
    .free = help_free,
};

void help_view_open(struct ui *u)
{
	struct help_view *h = xcalloc(1, sizeof(*h));

	h->m.ops = &help_ops;
	build_entries(h);
	list_view_init(&h->lv, true, draw_row, row_text, h);
	ui_open(u, &h->m);
}
