/* help_view.h: the help overlay listing every action and its keys. */
#ifndef MQSCOPE_HELP_VIEW_H
#define MQSCOPE_HELP_VIEW_H

#include <curses.h>
#include <stdbool.h>

#include "mqscope/actions.h"

struct help_view {
	bool open;
	int scroll;
	int lines; /* content lines, set by the last draw */
};

/* Handles a key while open; returns false when the overlay closed. */
bool help_view_action(struct help_view *h, enum action a, int key);
/* Draws the overlay centred on a screen of rows x cols. */
void help_view_draw(struct help_view *h, WINDOW *w, int rows, int cols);

#endif
