/* theme_file.h: reads theme files (libconfig) into colours and attributes per named slot; finds
 * themes by name. No curses here: ui/theme.c turns the result into colour pairs. */
#ifndef MQSCOPE_THEME_FILE_H
#define MQSCOPE_THEME_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Attributes a slot may ask for. */
#define THEME_BOLD      0x01u
#define THEME_DIM       0x02u
#define THEME_UNDERLINE 0x04u
#define THEME_REVERSE   0x08u
#define THEME_STANDOUT  0x10u
#define THEME_ITALIC    0x20u
#define THEME_BLINK     0x40u

#define THEME_DEFAULT_COLOR -1 /* the terminal's own foreground or background */

#define THEME_FILE_MAX ((size_t)1 << 20) /* the most a theme file may hold */

/* What a theme file says about one slot; what it leaves out keeps the built-in value. */
struct theme_style {
	bool has_fg, has_bg, has_attrs, has_mono;
	int fg, bg;     /* THEME_DEFAULT_COLOR or 0-255 (xterm numbering) */
	unsigned attrs; /* with colour */
	unsigned mono;  /* without colour (NO_COLOR, monochrome terminals, color = false) */
};

struct theme_spec {
	bool color; /* false: a monochrome theme, attributes only */
	char description[160];
	struct theme_style *styles; /* one per slot name, in the caller's order */
	size_t nslots;
};

/*
 * Reads path into spec, whose styles array (nslots, zeroed by the caller) is
 * indexed like names. Returns 0, or -1 with "file:line: what" in err: syntax,
 * unknown slots, colours and attributes (with "did you mean" hints), types.
 */
int theme_file_load(const char *path, const char *const *names, size_t nslots,
                    struct theme_spec *spec, char *err, size_t cap);

/* Parses a colour: a name (red, bright-blue, default), 0-255 or #rrggbb. False if none. */
bool theme_color_parse(const char *s, int *out);

/*
 * The colour to use for c (0-255) on a terminal with ncolors colours: itself,
 * or the nearest of the 16 or 8 basic ones. *bold is set when an 8-colour
 * terminal can only show a bright foreground as bold.
 */
int theme_color_fit(int c, int ncolors, bool *bold);

/*
 * Finds theme NAME (or a path, when it holds '/'): in
 * $XDG_CONFIG_HOME/mqscope/themes, then the installed data directory, then
 * themes/ next to the source tree the program was built from. Returns 0 with
 * the path, or -1 with a message naming where it looked and what is there.
 */
int theme_find(const char *name, char *path, size_t cap, char *err, size_t errcap);

#endif
