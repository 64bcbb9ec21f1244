/* theme_file.c: theme files of named slots (libconfig), colour names and fallbacks, the search
 * path for themes. */
#define _GNU_SOURCE
#include "mqscope/theme_file.h"

#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mqscope/config.h"

#ifndef MQSCOPE_DATADIR
#define MQSCOPE_DATADIR "/usr/local/share"
#endif

static const char *const color_names[] = {
    "black",        "red",           "green",       "yellow",         "blue",
    "magenta",      "cyan",          "white",       "bright-black",   "bright-red",
    "bright-green", "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan",
    "bright-white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
    {"bold", THEME_BOLD},           {"dim", THEME_DIM},
    {"underline", THEME_UNDERLINE}, {"reverse", THEME_REVERSE},
    {"standout", THEME_STANDOUT},   {"italic", THEME_ITALIC},
    {"blink", THEME_BLINK},         {"normal", 0},
};

/* The xterm palette as RGB, for "#rrggbb" and for fitting 256 colours into 16 or 8. */
static void palette_rgb(int c, int rgb[3])
{
	static const int basic[16][3] = {
	    {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
	    {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
	    {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
	    {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
	};
	static const int level[6] = {0, 95, 135, 175, 215, 255};

	if (c < 16) {
		memcpy(rgb, basic[c], sizeof(basic[c]));
	} else if (c < 232) {
		c -= 16;
		rgb[0] = level[c / 36];
		rgb[1] = level[(c / 6) % 6];
		rgb[2] = level[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

/* The palette entry in [from, to) nearest to rgb. */
static int nearest(const int rgb[3], int from, int to)
{
	int best = from;
	long bd = -1;

	for (int c = from; c < to; c++) {
		int p[3];
		long d = 0;

		palette_rgb(c, p);
		for (int i = 0; i < 3; i++)
			d += (long)(p[i] - rgb[i]) * (p[i] - rgb[i]);
		if (bd < 0 || d < bd) {
			bd = d;
			best = c;
		}
	}
	return best;
}

bool theme_color_parse(const char *s, int *out)
{
	char *end;
	long v;

	if (strcasecmp(s, "default") == 0) {
		*out = THEME_DEFAULT_COLOR;
		return true;
	}
	for (int i = 0; i < 16; i++)
		if (strcasecmp(s, color_names[i]) == 0) {
			*out = i;
			return true;
		}
	if (s[0] == '#' && strlen(s) == 7 && strspn(s + 1, "0123456789abcdefABCDEF") == 6) {
		unsigned long x = strtoul(s + 1, NULL, 16);
		int rgb[3] = {(int)(x >> 16), (int)((x >> 8) & 0xff), (int)(x & 0xff)};

		/* The cube and the greys: the first 16 differ from terminal to terminal. */
		*out = nearest(rgb, 16, 256);
		return true;
	}
	if (strncasecmp(s, "color", 5) == 0)
		s += 5;
	v = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0' && v >= 0 && v <= 255) {
		*out = (int)v;
		return true;
	}
	return false;
}

int theme_color_fit(int c, int ncolors, bool *bold)
{
	int rgb[3];

	*bold = false;
	if (c < 0 || c < ncolors)
		return c;
	if (ncolors >= 16)
		return (palette_rgb(c, rgb), nearest(rgb, 0, 16));
	if (c >= 8 && c < 16) {
		*bold = true; /* the classic way to get a bright foreground */
		return c - 8;
	}
	palette_rgb(c, rgb);
	c = nearest(rgb, 0, 16);
	if (c >= 8) {
		*bold = c != 8; /* bright black is grey: plain black reads better than bold */
		c = c == 8 ? 0 : c - 8;
	}
	return ncolors >= 8 ? c : 7;
}

struct tctx {
	const char *path;
	char *err;
	size_t cap;
};

static int tfail(struct tctx *c, const config_setting_t *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int tfail(struct tctx *c, const config_setting_t *st, const char *fmt, ...)
{
	int n;
	va_list ap;

	n = snprintf(c->err, c->cap, "%s:%d: ", c->path,
	             st ? (int)config_setting_source_line(st) : 0);
	if (n < 0 || (size_t)n >= c->cap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A colour setting: a string or a number 0-255. */
static int get_color(struct tctx *c, const config_setting_t *st, const char *word, int *out)
{
	char hint[96];

	if (config_setting_type(st) == CONFIG_TYPE_INT) {
		int v = config_setting_get_int(st);
		if (v < 0 || v > 255)
			return tfail(c, st, "colour %d is out of range (0-255)", v);
		*out = v;
		return 0;
	}
	if (word == NULL && config_setting_type(st) == CONFIG_TYPE_STRING)
		word = config_setting_get_string(st);
	if (word == NULL)
		return tfail(c, st, "'%s' must be a colour name, 0-255 or \"#rrggbb\"",
		             config_setting_name(st));
	if (theme_color_parse(word, out))
		return 0;
	config_suggest(hint, sizeof(hint), word, color_names, 16);
	return tfail(c, st,
	             "unknown colour '%s'%s (black, red, green, yellow, blue, magenta, cyan, "
	             "white, bright-..., default, 0-255 or #rrggbb)",
	             word, hint);
}

/* One attribute word into bits. */
static int attr_word(struct tctx *c, const config_setting_t *st, const char *w, unsigned *bits)
{
	const char *names[sizeof(attr_names) / sizeof(attr_names[0])];
	char hint[96];

	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		names[i] = attr_names[i].name;
		if (strcasecmp(w, attr_names[i].name) == 0) {
			*bits |= attr_names[i].bit;
			return 0;
		}
	}
	config_suggest(hint, sizeof(hint), w, names, sizeof(names) / sizeof(names[0]));
	return tfail(c, st,
	             "unknown attribute '%s'%s (bold, dim, underline, reverse, standout, "
	             "italic, blink, normal)",
	             w, hint);
}

/* Attributes: "bold underline", "bold, underline" or ["bold", "underline"]. */
static int get_attrs(struct tctx *c, const config_setting_t *st, unsigned *bits)
{
	*bits = 0;
	if (config_setting_type(st) == CONFIG_TYPE_STRING) {
		char buf[256], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", config_setting_get_string(st));
		for (char *t = strtok_r(buf, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
			if (attr_word(c, st, t, bits))
				return -1;
		return 0;
	}
	if (config_setting_is_array(st) || config_setting_is_list(st)) {
		for (int i = 0; i < config_setting_length(st); i++) {
			const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);

			if (config_setting_type(e) != CONFIG_TYPE_STRING)
				return tfail(c, e, "attributes are strings like \"bold\"");
			if (attr_word(c, e, config_setting_get_string(e), bits))
				return -1;
		}
		return 0;
	}
	return tfail(c, st, "'%s' must be attributes like \"bold underline\" or [\"bold\"]",
	             config_setting_name(st));
}

/* The short form: "FG [on BG] [attribute...]", e.g. "yellow on blue bold". */
static int short_style(struct tctx *c, const config_setting_t *st, struct theme_style *out)
{
	char buf[256], *save = NULL;
	bool want_bg = false, seen_fg = false;

	snprintf(buf, sizeof(buf), "%s", config_setting_get_string(st));
	for (char *t = strtok_r(buf, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
		int col;

		if (strcasecmp(t, "on") == 0) {
			want_bg = true;
			continue;
		}
		if (want_bg) {
			if (get_color(c, st, t, &col))
				return -1;
			out->bg = col;
			out->has_bg = true;
			want_bg = false;
		} else if (!seen_fg && theme_color_parse(t, &col)) {
			out->fg = col;
			out->has_fg = seen_fg = true;
		} else {
			if (!out->has_attrs)
				out->attrs = 0;
			out->has_attrs = true;
			if (attr_word(c, st, t, &out->attrs))
				return -1;
		}
	}
	if (want_bg)
		return tfail(c, st, "'on' must be followed by a background colour");
	return 0;
}

static int read_style(struct tctx *c, const config_setting_t *st, struct theme_style *out)
{
	static const char *const keys[] = {"fg", "bg", "attrs", "mono"};
	char hint[96];

	memset(out, 0, sizeof(*out));
	if (config_setting_type(st) == CONFIG_TYPE_STRING)
		return short_style(c, st, out);
	if (config_setting_type(st) != CONFIG_TYPE_GROUP)
		return tfail(c, st,
		             "slot '%s' must be { fg = ...; bg = ...; attrs = ...; mono = ...; } "
		             "or a string like \"yellow on blue bold\"",
		             config_setting_name(st));
	for (int i = 0; i < config_setting_length(st); i++) {
		const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
		const char *n = config_setting_name(e);

		if (!strcmp(n, "fg")) {
			if (get_color(c, e, NULL, &out->fg))
				return -1;
			out->has_fg = true;
		} else if (!strcmp(n, "bg")) {
			if (get_color(c, e, NULL, &out->bg))
				return -1;
			out->has_bg = true;
		} else if (!strcmp(n, "attrs")) {
			if (get_attrs(c, e, &out->attrs))
				return -1;
			out->has_attrs = true;
		} else if (!strcmp(n, "mono")) {
			if (get_attrs(c, e, &out->mono))
				return -1;
			out->has_mono = true;
		} else {
			config_suggest(hint, sizeof(hint), n, keys, 4);
			return tfail(c, e, "unknown slot setting '%s'%s (fg, bg, attrs, mono)", n,
			             hint);
		}
	}
	return 0;
}

static int read_slots(struct tctx *c, const config_setting_t *g, const char *const *names,
                      struct theme_spec *spec)
{
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return tfail(c, g, "'slots' must be a group { normal = ...; bar = ...; }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *st = config_setting_get_elem(g, (unsigned)i);
		char name[64], hint[96];
		size_t k;

		/* libconfig names may hold '-' or '_': both mean the slot's '-'. */
		snprintf(name, sizeof(name), "%s", config_setting_name(st));
		for (char *p = name; *p; p++)
			if (*p == '_')
				*p = '-';
		for (k = 0; k < spec->nslots; k++)
			if (strcmp(name, names[k]) == 0)
				break;
		if (k == spec->nslots) {
			config_suggest(hint, sizeof(hint), name, names, spec->nslots);
			return tfail(c, st, "unknown slot '%s'%s", config_setting_name(st), hint);
		}
		if (read_style(c, st, &spec->styles[k]))
			return -1;
	}
	return 0;
}

int theme_file_load(const char *path, const char *const *names, size_t nslots,
                    struct theme_spec *spec, char *err, size_t cap)
{
	static const char *const known[] = {"description", "color", "slots"};
	struct tctx c = {.path = path, .err = err, .cap = cap};
	const config_setting_t *root, *st;
	config_t cf;
	int rc = 0;

	spec->nslots = nslots;
	spec->color = true;
	spec->description[0] = '\0';
	config_init(&cf);
	if (config_read_bounded(&cf, path, THEME_FILE_MAX, err, cap) != 0) {
		config_destroy(&cf);
		return -1;
	}
	root = config_root_setting(&cf);
	for (int i = 0; i < config_setting_length(root) && rc == 0; i++) {
		const char *n;
		char hint[96];
		size_t k;

		st = config_setting_get_elem(root, (unsigned)i);
		n = config_setting_name(st);
		for (k = 0; k < 3 && strcmp(n, known[k]) != 0; k++)
			;
		if (k == 3) {
			config_suggest(hint, sizeof(hint), n, known, 3);
			rc = tfail(&c, st,
			           "unknown theme setting '%s'%s (description, color, slots)", n,
			           hint);
		} else if (k == 0) {
			if (config_setting_type(st) != CONFIG_TYPE_STRING)
				rc = tfail(&c, st, "'description' must be a string");
			else
				snprintf(spec->description, sizeof(spec->description), "%s",
				         config_setting_get_string(st));
		} else if (k == 1) {
			if (config_setting_type(st) != CONFIG_TYPE_BOOL)
				rc = tfail(&c, st, "'color' must be true or false");
			else
				spec->color = config_setting_get_bool(st);
		} else {
			rc = read_slots(&c, st, names, spec);
		}
	}
	config_destroy(&cf);
	return rc;
}

/* Appends dir to a "looked in" list and, when it is a directory, the themes found there. */
static void note_dir(const char *dir, char *looked, size_t lcap, char *found, size_t fcap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(looked);

	snprintf(looked + n, lcap - n, "%s%.1000s", n ? ", " : "", dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), m = strlen(found);
		char name[256];

		if (len <= 6 || strcmp(e->d_name + len - 6, ".theme") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 6), e->d_name);
		/* A name found in an earlier directory is listed once. */
		char pat[260];
		snprintf(pat, sizeof(pat), ", %s,", name);
		char wrapped[1100];
		snprintf(wrapped, sizeof(wrapped), ", %s,", found);
		if (strstr(wrapped, pat) == NULL)
			snprintf(found + m, fcap - m, "%s%s", m ? ", " : "", name);
	}
	closedir(d);
}

int theme_find(const char *name, char *path, size_t cap, char *err, size_t errcap)
{
	char dirs[3][1024], exe[1024], looked[4096] = "", found[1024] = "";
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	size_t nd = 0;
	ssize_t n;

	if (strchr(name, '/') != NULL) {
		if (access(name, R_OK) != 0) {
			snprintf(err, errcap, "theme file %s: %s", name, strerror(errno));
			return -1;
		}
		snprintf(path, cap, "%s", name);
		return 0;
	}
	if (xdg && *xdg)
		snprintf(dirs[nd++], sizeof(dirs[0]), "%s/mqscope/themes", xdg);
	else if (home && *home)
		snprintf(dirs[nd++], sizeof(dirs[0]), "%s/.config/mqscope/themes", home);
	snprintf(dirs[nd++], sizeof(dirs[0]), "%s/mqscope/themes", MQSCOPE_DATADIR);
	/* Not installed: build/mqscope finds ../themes in the source tree it lives in. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dirs[nd++], sizeof(dirs[0]), "%.1000s/../themes", exe);
		}
	}
	for (size_t i = 0; i < nd; i++) {
		snprintf(path, cap, "%s/%s.theme", dirs[i], name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	for (size_t i = 0; i < nd; i++)
		note_dir(dirs[i], looked, sizeof(looked), found, sizeof(found));
	snprintf(err, errcap, "no theme '%s' (looked in %s); themes there: %s", name, looked,
	         found[0] ? found : "none");
	return -1;
}
