/* theme.c: colour pairs for the named slots, from the built-in theme or a theme file; monochrome
 * when colour is off, fitted down on 8- and 16-colour terminals. */
#include "mqscope/theme.h"

#include <stdio.h>
#include <string.h>

#include "mqscope/theme_file.h"

struct slot_style {
	short fg, bg;
	attr_t attrs, mono;
};

static const struct slot_style builtin[SLOT__COUNT] = {
#define X(id, name, fg, bg, attrs, mono) [SLOT_##id] = {fg, bg, attrs, mono},
    MQS_SLOTS(X)
#undef X
};

static const char *const slot_names[SLOT__COUNT] = {
#define X(id, name, fg, bg, attrs, mono) [SLOT_##id] = name,
    MQS_SLOTS(X)
#undef X
};

static struct slot_style styles[SLOT__COUNT];
static bool theme_color = true; /* false: the theme file asked for no colour */
static bool loaded;
static attr_t slot_attr[SLOT__COUNT];
static bool color_on;

/* Our attribute bits in curses terms. */
static attr_t curses_attrs(unsigned bits)
{
	attr_t a = A_NORMAL;

	if (bits & THEME_BOLD)
		a |= A_BOLD;
	if (bits & THEME_DIM)
		a |= A_DIM;
	if (bits & THEME_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & THEME_REVERSE)
		a |= A_REVERSE;
	if (bits & THEME_STANDOUT)
		a |= A_STANDOUT;
	if (bits & THEME_ITALIC)
		a |= A_ITALIC;
	if (bits & THEME_BLINK)
		a |= A_BLINK;
	return a;
}

const char *const *theme_slot_names(void)
{
	return slot_names;
}

int theme_load(const char *name, char *err, size_t cap)
{
	struct theme_style file[SLOT__COUNT];
	struct theme_spec spec = {.styles = file};
	char path[2048];

	memcpy(styles, builtin, sizeof(styles));
	theme_color = true;
	loaded = true;
	if (name == NULL)
		return 0;
	if (theme_find(name, path, sizeof(path), err, cap) != 0) {
		/* The built-in theme needs no file. */
		return strcmp(name, "default") == 0 ? 0 : -1;
	}
	memset(file, 0, sizeof(file));
	if (theme_file_load(path, slot_names, SLOT__COUNT, &spec, err, cap) != 0)
		return -1;
	theme_color = spec.color;
	for (int i = 0; i < SLOT__COUNT; i++) {
		if (file[i].has_fg)
			styles[i].fg = (short)file[i].fg;
		if (file[i].has_bg)
			styles[i].bg = (short)file[i].bg;
		if (file[i].has_attrs)
			styles[i].attrs = curses_attrs(file[i].attrs);
		if (file[i].has_mono)
			styles[i].mono = curses_attrs(file[i].mono);
	}
	return 0;
}

void theme_slot_style(enum theme_slot s, short *fg, short *bg, attr_t *attrs, attr_t *mono,
                      bool *color)
{
	if (!loaded)
		theme_load(NULL, NULL, 0);
	*fg = styles[s].fg;
	*bg = styles[s].bg;
	*attrs = styles[s].attrs;
	*mono = styles[s].mono;
	*color = theme_color;
}

void theme_init(bool want_color)
{
	if (!loaded)
		theme_load(NULL, NULL, 0);
	color_on = want_color && theme_color && has_colors() && start_color() == OK;
	if (color_on)
		use_default_colors();
	for (int i = 0; i < SLOT__COUNT; i++) {
		bool fg_bold, bg_bold;
		short fg, bg;

		if (!color_on || i + 1 >= COLOR_PAIRS) {
			slot_attr[i] = styles[i].mono;
			continue;
		}
		/* A 256-colour theme on an 8-colour terminal: the nearest basic colours. */
		fg = (short)theme_color_fit(styles[i].fg, COLORS, &fg_bold);
		bg = (short)theme_color_fit(styles[i].bg, COLORS, &bg_bold);
		init_pair((short)(i + 1), fg, bg);
		slot_attr[i] = COLOR_PAIR(i + 1) | styles[i].attrs | (fg_bold ? A_BOLD : 0);
	}
}

attr_t theme_attr(enum theme_slot s)
{
	return slot_attr[s];
}

bool theme_has_color(void)
{
	return color_on;
}
