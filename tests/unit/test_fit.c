/* test_fit.c: cutting text to a width with an ellipsis, and wrapping it at word boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <string.h>

#include "mqscope/fit.h"
#include "mqscope/sanitize.h"

static struct fit fit(const char *s, int cols)
{
	return fit_text(s, strlen(s), 0, cols);
}

static void unit__fit__text_that_fits_is_whole(void **state)
{
	struct fit f = fit("hello", 5);

	(void)state;
	assert_int_equal(f.bytes, 5);
	assert_int_equal(f.cols, 5);
	assert_false(f.cut);
	f = fit("", 3);
	assert_int_equal(f.bytes, 0);
	assert_false(f.cut);
}

static void unit__fit__a_cut_leaves_one_column_for_the_ellipsis(void **state)
{
	struct fit f = fit("hello world", 8);

	(void)state;
	assert_true(f.cut);
	assert_int_equal(f.bytes, 7); /* "hello w" + ellipsis = 8 columns */
	assert_int_equal(f.cols, 7);
	f = fit("ab", 1);
	assert_true(f.cut);
	assert_int_equal(f.bytes, 0); /* only the ellipsis */
	f = fit("ab", 0);
	assert_false(f.cut);
	assert_int_equal(f.bytes, 0);
}

static void unit__fit__never_splits_wide_characters_or_escapes(void **state)
{
	/* Two CJK characters of two columns each, then more. */
	const char *cjk = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
	struct fit f = fit(cjk, 4);

	(void)state;
	assert_true(f.cut);
	assert_int_equal(f.bytes, 3); /* one character (2 columns) + ellipsis: 3 of 4 */
	assert_int_equal(f.cols, 2);
	/* ESC is drawn as the two columns "\e": never half of it. */
	f = fit("a\x1b"
	        "bcd",
	        3);
	assert_true(f.cut);
	assert_int_equal(f.bytes, 1);
	assert_int_equal(f.cols, 1);
	f = fit("a\x1b", 3);
	assert_false(f.cut);
	assert_int_equal(f.cols, 3);
}

static void unit__fit__combining_mark_stays_with_its_base(void **state)
{
	/* e + COMBINING ACUTE, x, y */
	struct fit f = fit("e\xcc\x81xy", 2);

	(void)state;
	assert_true(f.cut);
	assert_int_equal(f.bytes, 3);
	assert_int_equal(f.cols, 1);
}

/* Wraps s at cols into lines joined by '|'. */
static const char *wrap(const char *s, int cols)
{
	static char out[512];
	size_t len = strlen(s), at = 0, o = 0;

	while (at < len) {
		size_t next, n = fit_wrap(s + at, len - at, 0, cols, &next);

		if (o)
			out[o++] = '|';
		memcpy(out + o, s + at, n);
		o += n;
		assert_true(next > 0);
		at += next;
	}
	out[o] = '\0';
	return out;
}

static void unit__fit__wraps_at_word_boundaries(void **state)
{
	(void)state;
	assert_string_equal(wrap("Clear the retained message of the topic", 12),
	                    "Clear the|retained|message of|the topic");
	assert_string_equal(wrap("one  two", 3), "one|two");
	assert_string_equal(wrap("abc ", 3), "abc");
	assert_string_equal(wrap("short", 40), "short");
}

static void unit__fit__long_word_is_cut_and_newline_is_no_break(void **state)
{
	(void)state;
	assert_string_equal(wrap("abcdefgh", 3), "abc|def|gh");
	/* A newline from the network is drawn as the escape \n (2 columns), never a line of its
	 * own. */
	assert_string_equal(wrap("ab\ncd", 10), "ab\ncd");
	assert_string_equal(wrap("ab\ncd", 3), "ab|\nc|d"); /* the escape takes 2 columns */
	/* A glyph wider than the line still makes progress. */
	assert_string_equal(wrap("\xe6\x97\xa5\xe6\x9c\xac", 1), "\xe6\x97\xa5|\xe6\x9c\xac");
}

static void unit__fit__wrapped_lines_fit(void **state)
{
	const char *s = "Publish the selected topic's last value again (editable first), "
	                "with \xe6\x97\xa5\xe6\x9c\xac and \x1b escapes in it";
	size_t len = strlen(s);

	(void)state;
	for (int cols = 1; cols < 30; cols++) {
		size_t at = 0;

		while (at < len) {
			size_t next, n = fit_wrap(s + at, len - at, 0, cols, &next);
			int w = sanitize_width(s + at, n, 0);

			assert_true(w <= cols || n <= 4); /* one glyph alone may be wider */
			at += next;
		}
	}
}

static void unit__fit__middle_keeps_both_ends(void **state)
{
	const char *s = "demo /tmp/mqscope-demo-Xq3v9L";
	struct fit_mid m = fit_middle(s, strlen(s), 0, 40);

	(void)state;
	assert_false(m.cut);
	assert_int_equal(m.head, strlen(s));
	m = fit_middle(s, strlen(s), 0, 15);
	assert_true(m.cut);
	assert_int_equal(m.cols, 15);
	assert_int_equal(m.head, 7); /* "demo /t" */
	assert_string_equal(s + m.tail, "-Xq3v9L");
	/* Wide characters are never split: the result may be a column short. */
	const char *wide =
	    "\xe6\xb8\xa9\xe5\xba\xa6/\xe6\xb8\xa9\xe5\xba\xa6/\xe6\xb8\xa9\xe5\xba\xa6";
	m = fit_middle(wide, strlen(wide), 0, 8);
	assert_true(m.cols <= 8);
	assert_int_equal(m.head % 3, 0);
	assert_true(m.tail > m.head);
	m = fit_middle(s, strlen(s), 0, 0);
	assert_int_equal(m.cols, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__fit__text_that_fits_is_whole),
	    cmocka_unit_test(unit__fit__a_cut_leaves_one_column_for_the_ellipsis),
	    cmocka_unit_test(unit__fit__never_splits_wide_characters_or_escapes),
	    cmocka_unit_test(unit__fit__combining_mark_stays_with_its_base),
	    cmocka_unit_test(unit__fit__wraps_at_word_boundaries),
	    cmocka_unit_test(unit__fit__long_word_is_cut_and_newline_is_no_break),
	    cmocka_unit_test(unit__fit__wrapped_lines_fit),
	    cmocka_unit_test(unit__fit__middle_keeps_both_ends),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
