/* test_theme.c: theme files: the shipped ones load and name every slot, default.theme is the
 * built-in theme, mistakes are reported with file:line, colours fit small terminals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mqscope/theme.h"
#include "mqscope/theme_file.h"

#include "tmpdir.h"

static void shipped(const char *name, char *path, size_t cap)
{
	const char *src = getenv("MQSCOPE_TESTS");

	assert_non_null(src);
	snprintf(path, cap, "%s/../themes/%s.theme", src, name);
}

static void unit__theme__shipped_themes_name_every_slot(void **state)
{
	const char *names[] = {"default", "light", "high-contrast", "mono"};
	char path[512], err[1024];

	(void)state;
	for (size_t t = 0; t < sizeof(names) / sizeof(names[0]); t++) {
		struct theme_style styles[SLOT__COUNT];
		struct theme_spec spec = {.styles = styles};

		memset(styles, 0, sizeof(styles));
		shipped(names[t], path, sizeof(path));
		if (theme_file_load(path, theme_slot_names(), SLOT__COUNT, &spec, err,
		                    sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_true(spec.description[0] != '\0');
		assert_int_equal(spec.color, strcmp(names[t], "mono") != 0);
		for (int i = 0; i < SLOT__COUNT; i++) {
			bool named =
			    spec.color ? styles[i].has_fg || styles[i].has_bg || styles[i].has_attrs
			               : styles[i].has_mono;
			if (!named)
				fail_msg("%s.theme does not set slot '%s'", names[t],
				         theme_slot_names()[i]);
		}
	}
}

static const struct {
	short fg, bg;
	attr_t attrs, mono;
} builtin[SLOT__COUNT] = {
#define X(id, name, fg, bg, attrs, mono) [SLOT_##id] = {fg, bg, attrs, mono},
    MQS_SLOTS(X)
#undef X
};

/* default.theme documents the built-in theme: it must say exactly the same. */
static void unit__theme__default_file_is_the_builtin(void **state)
{
	char path[512], err[1024];

	(void)state;
	shipped("default", path, sizeof(path));
	assert_int_equal(theme_load(path, err, sizeof(err)), 0);
	for (int i = 0; i < SLOT__COUNT; i++) {
		short fg, bg;
		attr_t attrs, mono;
		bool color;

		theme_slot_style((enum theme_slot)i, &fg, &bg, &attrs, &mono, &color);
		if (fg != builtin[i].fg || bg != builtin[i].bg || attrs != builtin[i].attrs ||
		    mono != builtin[i].mono)
			fail_msg("slot '%s' differs from the built-in theme",
			         theme_slot_names()[i]);
	}
	/* And a theme name that does not exist is an error, but "default" needs no file. */
	assert_int_equal(theme_load("no-such-theme-here", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no theme 'no-such-theme-here'"));
	assert_int_equal(theme_load(NULL, err, sizeof(err)), 0);
}

static void expect_error(const char *text, int line, const char *words)
{
	struct theme_style styles[SLOT__COUNT];
	struct theme_spec spec = {.styles = styles};
	char path[256], err[1024], want[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad.theme", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	memset(styles, 0, sizeof(styles));
	if (theme_file_load(path, theme_slot_names(), SLOT__COUNT, &spec, err, sizeof(err)) == 0)
		fail_msg("accepted:\n%s", text);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, words) == NULL)
		fail_msg("for:\n%s\ngot:  %s\nwant: %s...%s", text, err, want, words);
}

static void unit__theme__mistakes_name_file_and_line(void **state)
{
	(void)state;
	expect_error("slots = {\n  bar = { fg = \"white\"; };\n  titel = \"red\";\n};\n", 3,
	             "unknown slot 'titel' (did you mean 'title'?)");
	expect_error("slots = {\n  bar = {\n    fg = \"bleu\";\n  };\n};\n", 3,
	             "unknown colour 'bleu' (did you mean 'blue'?)");
	expect_error("slots = {\n  bar = \"white on\";\n};\n", 2,
	             "'on' must be followed by a background colour");
	expect_error("slots = {\n  bar = \"white on purple\";\n};\n", 2, "unknown colour 'purple'");
	expect_error("slots = {\n  bar = \"white blod\";\n};\n", 2,
	             "unknown attribute 'blod' (did you mean 'bold'?)");
	expect_error("slots = {\n  bar = { fg = 300; };\n};\n", 2, "colour 300 is out of range");
	expect_error("slots = {\n  bar = { fg = true; };\n};\n", 2, "must be a colour name");
	expect_error("slots = {\n  bar = { colour = \"red\"; };\n};\n", 2,
	             "unknown slot setting 'colour'");
	expect_error("slots = {\n  bar = 5;\n};\n", 2, "slot 'bar' must be");
	expect_error("description = \"x\";\ncolour = false;\n", 2,
	             "unknown theme setting 'colour' (did you mean 'color'?)");
	expect_error("color = \"no\";\n", 1, "'color' must be true or false");
	expect_error("slots = {\n  bar = { fg = \"red\" ;; };\n};\n", 2, "syntax error");
}

static void unit__theme__colours(void **state)
{
	int c;
	bool bold;

	(void)state;
	assert_true(theme_color_parse("default", &c));
	assert_int_equal(c, THEME_DEFAULT_COLOR);
	assert_true(theme_color_parse("Red", &c));
	assert_int_equal(c, 1);
	assert_true(theme_color_parse("bright-white", &c));
	assert_int_equal(c, 15);
	assert_true(theme_color_parse("208", &c));
	assert_int_equal(c, 208);
	assert_true(theme_color_parse("color33", &c));
	assert_int_equal(c, 33);
	assert_true(theme_color_parse("#ff0000", &c));
	assert_int_equal(c, 196);
	assert_true(theme_color_parse("#808080", &c));
	assert_int_equal(c, 244);
	assert_false(theme_color_parse("256", &c));
	assert_false(theme_color_parse("#ff00", &c));
	assert_false(theme_color_parse("purple", &c));

	/* 256 colours stay on a 256-colour terminal. */
	assert_int_equal(theme_color_fit(208, 256, &bold), 208);
	assert_false(bold);
	/* On 8 colours: the nearest basic colour; bright ones as bold. */
	assert_int_equal(theme_color_fit(196, 8, &bold), 1); /* red */
	assert_int_equal(theme_color_fit(18, 8, &bold), 4);  /* dark blue */
	assert_int_equal(theme_color_fit(12, 8, &bold), 4);  /* bright blue */
	assert_true(bold);
	assert_int_equal(theme_color_fit(255, 8, &bold), 7); /* near white */
	assert_int_equal(theme_color_fit(16, 8, &bold), 0);
	assert_int_equal(theme_color_fit(THEME_DEFAULT_COLOR, 8, &bold), THEME_DEFAULT_COLOR);
	/* On 16: bright colours are themselves. */
	assert_int_equal(theme_color_fit(12, 16, &bold), 12);
	assert_false(bold);
	assert_int_equal(theme_color_fit(196, 16, &bold), 9);
}

static void unit__theme__found_by_name(void **state)
{
	char conf[200], path[512], err[2048], cmd[1024];

	(void)state;
	snprintf(conf, sizeof(conf), "%s/xdg", tmpdir);
	snprintf(cmd, sizeof(cmd),
	         "mkdir -p '%s/mqscope/themes' && echo 'slots = { bar = \"red\"; };' > "
	         "'%s/mqscope/themes/mine.theme'",
	         conf, conf);
	assert_int_equal(system(cmd), 0);
	setenv("XDG_CONFIG_HOME", conf, 1);
	assert_int_equal(theme_find("mine", path, sizeof(path), err, sizeof(err)), 0);
	assert_non_null(strstr(path, "/xdg/mqscope/themes/mine.theme"));
	assert_int_equal(theme_find("nope", path, sizeof(path), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no theme 'nope' (looked in "));
	assert_non_null(strstr(err, "themes there: mine"));
	/* A path is taken as it is. */
	assert_int_equal(theme_find(path, path, sizeof(path), err, sizeof(err)), -1);
	snprintf(cmd, sizeof(cmd), "%s/mqscope/themes/mine.theme", conf);
	assert_int_equal(theme_find(cmd, path, sizeof(path), err, sizeof(err)), 0);
	unsetenv("XDG_CONFIG_HOME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__theme__shipped_themes_name_every_slot),
	    cmocka_unit_test(unit__theme__default_file_is_the_builtin),
	    cmocka_unit_test(unit__theme__mistakes_name_file_and_line),
	    cmocka_unit_test(unit__theme__colours),
	    cmocka_unit_test(unit__theme__found_by_name),
	};
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
