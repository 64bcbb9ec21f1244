/* help_view.c: the help overlay, generated from the action list and the current key map. */
#include "mqscope/help_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

struct help_view {
	struct modal m;
	WINDOW *win;
	int h, w;
	int scroll;
	int inner; /* content rows shown at the last draw */
};

static bool help_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct help_view *h = (struct help_view *)m;
	int max = ACT__COUNT - 1 - h->inner;

	(void)u;
	switch (keys_action(fn || key < 256 ? key : -1)) {
	case ACT_MOVE_DOWN:
		h->scroll++;
		break;
	case ACT_MOVE_UP:
		h->scroll--;
		break;
	case ACT_PAGE_DOWN:
		h->scroll += h->inner;
		break;
	case ACT_PAGE_UP:
		h->scroll -= h->inner;
		break;
	case ACT_FIRST:
		h->scroll = 0;
		break;
	case ACT_LAST:
		h->scroll = max;
		break;
	default:
		return false; /* any other key closes */
	}
	if (h->scroll > max)
		h->scroll = max;
	if (h->scroll < 0)
		h->scroll = 0;
	return true;
}

static void help_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	struct help_view *h = (struct help_view *)m;
	int hh = ACT__COUNT + 1, ww = 76, y = 1;

	(void)u;
	if (hh > rows - 2)
		hh = rows - 2;
	if (ww > cols - 2)
		ww = cols - 2;
	if (hh < 3 || ww < 10)
		return;
	draw_dialog(&h->win, &h->h, &h->w, hh, ww, rows, cols,
	            " mqscope keys (any other key closes) ");
	h->inner = hh - 2;
	for (int a = 1 + h->scroll; a < ACT__COUNT && y <= h->inner; a++, y++) {
		char keys[64];
		int used;

		keys_describe((enum action)a, keys, sizeof(keys));
		wmove(h->win, y, 2);
		used =
		    draw_str(h->win, keys[0] ? keys : "(unbound)", 16, theme_attr(SLOT_HINT_KEY));
		for (; used < 17; used++)
			waddch(h->win, ' ');
		draw_str(h->win, action_help((enum action)a), ww - 21, theme_attr(SLOT_HELP));
	}
	touchwin(h->win);
	wnoutrefresh(h->win);
}

static void help_free(struct modal *m)
{
	struct help_view *h = (struct help_view *)m;

	if (h->win)
		delwin(h->win);
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
	ui_open(u, &h->m);
}
