/* state.h: what mqscope remembers between runs (the pane split), in a file of its own. */
#ifndef MQSCOPE_STATE_H
#define MQSCOPE_STATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The config file is the user's: mqscope never rewrites it (its comments,
 * order and layout stay as written, and it may be read-only or kept in
 * version control). What the user changes on screen goes to
 * $XDG_STATE_HOME/mqscope/state (else ~/.local/state/mqscope/state), a
 * private file mqscope owns and rewrites whole. It also keeps the config's
 * value each one was moved from: once the config says something else, the
 * config wins again.
 */
struct ui_state {
	int tree_width;  /* percent of the columns for the tree, panes side by side; 0: none */
	int tree_height; /* percent of the rows for the tree, panes stacked; 0: none */
	int tree_width_from, tree_height_from; /* the config's values when they were moved */
};

/* $XDG_STATE_HOME/mqscope/state, else ~/.local/state/mqscope/state. */
void state_default_path(char *buf, size_t cap);
/* Reads path (a missing file is no error: *st is zeroed); -1 with "path:line: why". */
int state_load(const char *path, struct ui_state *st, char *err, size_t cap);
/* Writes st to path (0600, replaced whole, directories made 0700); -1 with why. */
int state_save(const char *path, const struct ui_state *st, char *err, size_t cap);
/* The share to use: the remembered one unless the config's value changed since (then cfg). */
int state_pick(int remembered, int from, int cfg);

#endif
