/* test_sanitize.c: hostile bytes become visible escapes; good text passes with the right width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "mqscope/sanitize.h"

static const char *safe(const char *in, size_t len, unsigned flags)
{
	static char out[1024];

	sanitize_line(in, len, flags, 1000, out, sizeof(out));
	return out;
}

/* No byte below 0x20, no DEL, no C1 control (raw or UTF-8 encoded) survives. */
static void assert_terminal_safe(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; u[i]; i++) {
		assert_true(u[i] >= 0x20);
		assert_true(u[i] != 0x7f);
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] < 0xa0)
			fail_msg("C1 control left in output at %zu", i);
	}
}

static void unit__sanitize__plain_ascii_passes(void **state)
{
	(void)state;
	assert_string_equal(safe("hello/world 42", 14, 0), "hello/world 42");
}

static void unit__sanitize__escape_sequences_are_neutralised(void **state)
{
	const char *evil = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\x9b\x90";
	const char *out = safe(evil, strlen(evil), 0);

	(void)state;
	assert_string_equal(out, "\\e]0;owned\\a\\e[2J\\e[31mred\\x9b\\x90");
	assert_terminal_safe(out);
}

static void unit__sanitize__controls_get_readable_names(void **state)
{
	(void)state;
	assert_string_equal(safe("a\nb\tc\rd\0e", 9, 0), "a\\nb\\tc\\rd\\0e");
	assert_string_equal(safe("\x01\x7f", 2, 0), "\\x01\\x7f");
}

static void unit__sanitize__invalid_utf8_is_escaped_bytewise(void **state)
{
	(void)state;
	/* Lone continuation, truncated sequence, overlong '/', surrogate, beyond U+10FFFF. */
	assert_string_equal(safe("\x80", 1, 0), "\\x80");
	assert_string_equal(safe("\xe2\x82", 2, 0), "\\xe2\\x82");
	assert_string_equal(safe("\xc0\xaf", 2, 0), "\\xc0\\xaf");
	assert_string_equal(safe("\xed\xa0\x80", 3, 0), "\\xed\\xa0\\x80");
	assert_string_equal(safe("\xf4\x90\x80\x80", 4, 0), "\\xf4\\x90\\x80\\x80");
	assert_string_equal(safe("\xff", 1, 0), "\\xff");
}

static void unit__sanitize__valid_utf8_and_width(void **state)
{
	struct san_glyph g;
	const char *s = "\xe6\x97\xa5"; /* 日: two columns */

	(void)state;
	assert_string_equal(safe("21.5 \xc2\xb0\x43", 8, 0), "21.5 \xc2\xb0\x43");
	sanitize_next(s, s + 3, 0, &g);
	assert_int_equal(g.kind, SAN_TEXT);
	assert_int_equal(g.width, 2);
	assert_int_equal(sanitize_width("ab\xe6\x97\xa5", 5, 0), 4);
}

static void unit__sanitize__c1_and_bidi_controls_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(safe("\xc2\x9b", 2, 0), "\\u009b");     /* CSI as UTF-8 */
	assert_string_equal(safe("\xe2\x80\xae", 3, 0), "\\u202e"); /* right-to-left override */
	assert_string_equal(safe("\xef\xbb\xbf", 3, 0), "\\ufeff");
}

static void unit__sanitize__ascii_mode_escapes_everything_else(void **state)
{
	(void)state;
	assert_string_equal(safe("\xc2\xb0", 2, SAN_ASCII), "\\u00b0");
	assert_string_equal(safe("\xf0\x9f\x98\x80", 4, SAN_ASCII), "\\U0001f600");
}

static void unit__sanitize__clips_to_columns_without_splitting(void **state)
{
	char out[64];
	int cols;

	(void)state;
	/* An escape is never cut in half: "\e" needs two columns, only one is left. */
	cols = sanitize_line("abc\x1b"
	                     "def",
	                     7, 0, 4, out, sizeof(out));
	assert_string_equal(out, "abc");
	assert_int_equal(cols, 3);
	cols = sanitize_line("abc\x1b"
	                     "def",
	                     7, 0, 5, out, sizeof(out));
	assert_string_equal(out, "abc\\e");
	assert_int_equal(cols, 5);
	cols = sanitize_line("ab\xe6\x97\xa5z", 6, 0, 3, out, sizeof(out));
	assert_string_equal(out, "ab");
	assert_int_equal(cols, 2);
}

static void unit__sanitize__layout_mode_reports_newlines(void **state)
{
	struct san_glyph g;
	const char *s = "\n\t";

	(void)state;
	sanitize_next(s, s + 2, SAN_LAYOUT, &g);
	assert_int_equal(g.kind, SAN_NEWLINE);
	sanitize_next(s + 1, s + 2, SAN_LAYOUT, &g);
	assert_int_equal(g.kind, SAN_TAB);
}

static void unit__sanitize__every_byte_value_is_safe(void **state)
{
	char in[512], out[4096];

	(void)state;
	for (int i = 0; i < 256; i++) {
		in[2 * i] = (char)i;
		in[2 * i + 1] = (char)(255 - i);
	}
	sanitize_line(in, sizeof(in), 0, 100000, out, sizeof(out));
	assert_terminal_safe(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__sanitize__plain_ascii_passes),
	    cmocka_unit_test(unit__sanitize__escape_sequences_are_neutralised),
	    cmocka_unit_test(unit__sanitize__controls_get_readable_names),
	    cmocka_unit_test(unit__sanitize__invalid_utf8_is_escaped_bytewise),
	    cmocka_unit_test(unit__sanitize__valid_utf8_and_width),
	    cmocka_unit_test(unit__sanitize__c1_and_bidi_controls_are_escaped),
	    cmocka_unit_test(unit__sanitize__ascii_mode_escapes_everything_else),
	    cmocka_unit_test(unit__sanitize__clips_to_columns_without_splitting),
	    cmocka_unit_test(unit__sanitize__layout_mode_reports_newlines),
	    cmocka_unit_test(unit__sanitize__every_byte_value_is_safe),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
