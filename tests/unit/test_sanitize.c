/* test_sanitize.c: hostile bytes become visible escapes; good text passes with the right width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
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

/* Encodes code point c as UTF-8 into out; returns the length. */
static size_t utf8(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The escape drawn for code point c alone. */
static const char *escape_of(uint32_t c)
{
	char in[4];

	return safe(in, utf8(c, in), 0);
}

static void unit__sanitize__every_bidi_control_is_escaped(void **state)
{
	static const uint32_t bidi[] = {0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066,
	                                0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c};
	char want[16];

	(void)state;
	for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
		snprintf(want, sizeof(want), "\\u%04x", bidi[i]);
		assert_string_equal(escape_of(bidi[i]), want);
	}
	/* Inside text, the override cannot turn what follows around. */
	assert_string_equal(safe("abc\xe2\x80\xae"
	                         "fdp.exe",
	                         13, 0),
	                    "abc\\u202efdp.exe");
}

static void unit__sanitize__zero_width_and_ignorable_characters_are_escaped(void **state)
{
	static const uint32_t invisible[] = {
	    0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, /* zero-width space, joiners, BOM */
	    0x00ad, 0x034f, 0x180e, 0x2061, 0x2064, /* soft hyphen, CGJ, MVS, invisible ops */
	    0xfe00, 0xfe0f, 0x115f, 0x3164, 0xffa0, /* variation selectors, Hangul fillers */
	    0x2028, 0x2029, 0x0600, 0xfff9,         /* separators, format controls */
	};
	char want[16];

	(void)state;
	for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++) {
		snprintf(want, sizeof(want), "\\u%04x", invisible[i]);
		assert_string_equal(escape_of(invisible[i]), want);
	}
	assert_string_equal(escape_of(0xe0041), "\\U000e0041"); /* tag letter A */
	assert_string_equal(escape_of(0xe0100), "\\U000e0100"); /* variation selector 17 */
	assert_string_equal(escape_of(0x1d173), "\\U0001d173"); /* musical format control */
	/* Two topics that would look the same on screen do not. */
	assert_string_equal(safe("a\xe2\x80\x8b/b", 6, 0), "a\\u200b/b");
}

static void unit__sanitize__noncharacters_and_unassigned_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(escape_of(0xfffe), "\\ufffe");
	assert_string_equal(escape_of(0xffff), "\\uffff");
	assert_string_equal(escape_of(0x10ffff), "\\U0010ffff");
}

static void unit__sanitize__combining_mark_is_kept_after_a_base_only(void **state)
{
	struct san_glyph g;
	const char *mark = "\xcc\x81"; /* U+0301 combining acute accent */

	(void)state;
	/* After a letter it joins it: é in one column. */
	assert_string_equal(safe("e\xcc\x81", 3, 0), "e\xcc\x81");
	assert_int_equal(sanitize_width("e\xcc\x81", 3, 0), 1);
	/* First in a run it would join whatever is on screen before it. */
	assert_string_equal(safe(mark, 2, 0), "\\u0301");
	assert_int_equal(sanitize_width(mark, 2, 0), 6);
	sanitize_next(mark, mark + 2, SAN_LEADING, &g);
	assert_int_equal(g.kind, SAN_ESCAPE);
	sanitize_next(mark, mark + 2, 0, &g);
	assert_int_equal(g.kind, SAN_TEXT);
	assert_int_equal(g.width, 0);
}

static void unit__sanitize__terminal_sequences_of_every_kind_are_neutralised(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"\x1b]0;title\x07", "\\e]0;title\\a"},         /* OSC, BEL-terminated */
	    {"\x1b]52;c;aGk=\x1b\\", "\\e]52;c;aGk=\\e\\"}, /* OSC 52 clipboard, ST */
	    {"\x1bP+q544e\x1b\\", "\\eP+q544e\\e\\"},       /* DCS (XTGETTCAP) */
	    {"\x1b_apc\x1b\\", "\\e_apc\\e\\"},             /* APC */
	    {"\x1b^pm\x1b\\", "\\e^pm\\e\\"},               /* PM */
	    {"\x1bXsos\x1b\\", "\\eXsos\\e\\"},             /* SOS */
	    {"\x1b[6n\x1b[2J\x1b[H", "\\e[6n\\e[2J\\e[H"},  /* CSI: DSR, clear, home */
	    {"\x1b"
	     "c",
	     "\\ec"}, /* RIS: full reset */
	    {"\x9b"
	     "6n\x9d"
	     "0;t\x07\x90q",
	     "\\x9b6n\\x9d0;t\\a\\x90q"}, /* 8-bit C1, raw */
	    {"\xc2\x9b"
	     "6n\xc2\x9d",
	     "\\u009b6n\\u009d"},                                  /* C1 as UTF-8 */
	    {"\x0e\x0f\x18\x1a\x7f", "\\x0e\\x0f\\x18\\x1a\\x7f"}, /* shifts, CAN, SUB, DEL */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *out = safe(cases[i].in, strlen(cases[i].in), 0);

		assert_string_equal(out, cases[i].out);
		assert_terminal_safe(out);
		assert_null(strchr(out, 0x1b));
	}
}

/* Whether c must never reach the terminal as itself. */
static bool must_escape(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0x061c ||
	       c == 0xfeff || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xd800 && c <= 0xdfff) ||
	       (c >= 0xe0000 && c <= 0xe0fff);
}

static void unit__sanitize__every_code_point_is_text_with_width_or_ascii_escape(void **state)
{
	char in[4];
	struct san_glyph g;

	(void)state;
	for (uint32_t c = 0; c <= 0x10ffff; c++) {
		size_t n = utf8(c, in);

		sanitize_next(in, in + n, SAN_LEADING, &g);
		if (g.kind == SAN_TEXT) {
			/* Nothing invisible and nothing that moves the cursor. */
			if (must_escape(c))
				fail_msg("U+%04X passed through", c);
			assert_true(g.width >= 1);
			assert_int_equal(g.len, n);
		} else {
			assert_int_equal(g.kind, SAN_ESCAPE);
			assert_int_equal(g.width, (int)strlen(g.esc));
			for (const char *e = g.esc; *e; e++)
				assert_true(*e >= 0x20 && *e < 0x7f);
		}
	}
}

static void unit__sanitize__line_respects_tiny_buffers(void **state)
{
	char out[5];
	int cols;

	(void)state;
	/* An escape that does not fit the buffer is left out whole. */
	cols = sanitize_line("ab\xe2\x80\xae", 5, 0, 100, out, sizeof(out));
	assert_string_equal(out, "ab");
	assert_int_equal(cols, 2);
	cols = sanitize_line("\x1b\x1b\x1b", 3, 0, 100, out, sizeof(out));
	assert_string_equal(out, "\\e\\e");
	assert_int_equal(cols, 4);
	cols = sanitize_line("abc", 3, 0, 100, out, 1);
	assert_string_equal(out, "");
	assert_int_equal(cols, 0);
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
	    cmocka_unit_test(unit__sanitize__every_bidi_control_is_escaped),
	    cmocka_unit_test(unit__sanitize__zero_width_and_ignorable_characters_are_escaped),
	    cmocka_unit_test(unit__sanitize__noncharacters_and_unassigned_are_escaped),
	    cmocka_unit_test(unit__sanitize__combining_mark_is_kept_after_a_base_only),
	    cmocka_unit_test(unit__sanitize__terminal_sequences_of_every_kind_are_neutralised),
	    cmocka_unit_test(unit__sanitize__every_code_point_is_text_with_width_or_ascii_escape),
	    cmocka_unit_test(unit__sanitize__line_respects_tiny_buffers),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
