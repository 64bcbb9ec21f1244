/* payload_view.h: the payload pane: metadata and the value of the selected topic. */
#ifndef MQSCOPE_PAYLOAD_VIEW_H
#define MQSCOPE_PAYLOAD_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/actions.h"
#include "mqscope/tree.h"

/* Where each wrapped line of a value starts, cached per value and width. */
struct wrap_cache {
	tree_id id;
	uint64_t msgs;
	int width;
	size_t *starts;
	size_t nlines, cap;
};

struct payload_view {
	const struct tree *tree;
	tree_id shown; /* node the scroll position belongs to */
	size_t scroll; /* first value line on screen */
	int body_height;
	struct wrap_cache wrap;
};

void payload_view_init(struct payload_view *p, const struct tree *t);
void payload_view_free(struct payload_view *p);
/* Scrolls the value; returns true when handled. */
bool payload_view_action(struct payload_view *p, enum action a);
/* Draws node id (TREE_NONE: nothing selected) into w. */
void payload_view_draw(struct payload_view *p, WINDOW *w, int h, int wd, tree_id id, bool focused,
                       int64_t now_wall_ms);

#endif
