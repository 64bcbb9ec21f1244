/* help_view.c: draws the help overlay from the action list and current key map. */
#include "mqscope/help_view.h"

#include <stdio.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/keys.h"
#include "mqscope/theme.h"

bool help_view_action(struct help_view *h, enum action a, int key)
{
	switch (a) {
	case ACT_MOVE_DOWN:
		h->scroll++;
		return true;
	case ACT_MOVE_UP:
		h->scroll = h->scroll > 0 ? h->scroll - 1 : 0;
		return true;
	case ACT_PAGE_DOWN:
		h->scroll += 10;
		return true;
	case ACT_PAGE_UP:
		h->scroll = h->scroll > 10 ? h->scroll - 10 : 0;
		return true;
	default:
		break;
	}
	(void)key;
	h->open = false;
	return false;
}

void help_view_draw(struct help_view *h, WINDOW *w, int rows, int cols)
{
	int inner = rows - 2, y;

	werase(w);
	draw_box(w, rows, cols, theme_attr(SLOT_BORDER));
	wmove(w, 0, 2);
	draw_str(w, " mqscope keys (any other key closes) ", cols - 4, theme_attr(SLOT_TITLE));

	h->lines = ACT__COUNT - 1;
	if (h->scroll > h->lines - inner)
		h->scroll = h->lines - inner > 0 ? h->lines - inner : 0;
	y = 1;
	for (int a = 1 + h->scroll; a < ACT__COUNT && y <= inner; a++, y++) {
		char keys[64];
		int used;

		keys_describe((enum action)a, keys, sizeof(keys));
		wmove(w, y, 2);
		used = draw_str(w, keys[0] ? keys : "(unbound)", 14, theme_attr(SLOT_HINT_KEY));
		for (; used < 15; used++)
			waddch(w, ' ');
		draw_str(w, action_help((enum action)a), cols - 19, theme_attr(SLOT_HELP));
	}
}
