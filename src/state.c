/* state.c: reads and rewrites the state file, which mqscope owns (the config file it never
 * writes). */
#include "mqscope/state.h"

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/safe_file.h"

#define STATE_MAX (64 * 1024)

void state_default_path(char *buf, size_t cap)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg == '/')
		snprintf(buf, cap, "%s/mqscope/state", xdg);
	else
		snprintf(buf, cap, "%s/.local/state/mqscope/state", home && *home ? home : ".");
}

/* A whole share in percent (10 to 90) under name, or 0 when absent or out of range. */
static int share(const config_t *c, const char *name)
{
	int v;

	if (!config_lookup_int(c, name, &v) || v < 10 || v > 90)
		return 0;
	return v;
}

int state_load(const char *path, struct ui_state *st, char *err, size_t cap)
{
	config_t c;
	char *text;
	size_t len;

	memset(st, 0, sizeof(*st));
	if (access(path, F_OK) != 0)
		return 0;
	if (safe_file_read(path, STATE_MAX, &text, &len, err, cap) != 0)
		return -1;
	config_init(&c);
	if (config_read_string(&c, text) != CONFIG_TRUE) {
		snprintf(err, cap, "%s:%d: %s", path, config_error_line(&c), config_error_text(&c));
		config_destroy(&c);
		free(text);
		return -1;
	}
	st->tree_width = share(&c, "tree_width");
	st->tree_height = share(&c, "tree_height");
	st->tree_width_from = share(&c, "tree_width_from");
	st->tree_height_from = share(&c, "tree_height_from");
	config_destroy(&c);
	free(text);
	return 0;
}

int state_save(const char *path, const struct ui_state *st, char *err, size_t cap)
{
	struct safe_replace out;
	FILE *f;

	if (safe_make_parents(path) != 0) {
		snprintf(err, cap, "cannot create the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	if (safe_replace_open(&out, path) != 0) {
		snprintf(err, cap, "cannot write %s: %s", path, safe_file_strerror(errno));
		return -1;
	}
	f = out.f;
	fputs("# What was changed on mqscope's screen, kept for the next run. mqscope rewrites\n"
	      "# this file; delete it to forget. Settings of your own go in the config file\n"
	      "# (ui.tree_width, ui.tree_height), which wins once it says something new.\n",
	      f);
	if (st->tree_width)
		fprintf(f, "tree_width = %d;\ntree_width_from = %d;\n", st->tree_width,
		        st->tree_width_from);
	if (st->tree_height)
		fprintf(f, "tree_height = %d;\ntree_height_from = %d;\n", st->tree_height,
		        st->tree_height_from);
	if (safe_replace_commit(&out) != 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int state_pick(int remembered, int from, int cfg)
{
	return remembered && from == cfg ? remembered : cfg;
}
