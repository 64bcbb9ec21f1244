/* test_utf8.c: decoding takes exactly the encodings of code points; stepping never splits one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mqscope/utf8.h"

static size_t dec(const char *s, size_t len, uint32_t *cp)
{
	return utf8_decode(s, s + len, cp);
}

static void unit__utf8__decodes_each_length(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(dec("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(dec("\0", 1, &cp), 1);
	assert_int_equal(cp, 0);
	assert_int_equal(dec("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(dec("\xe2\x80\xae", 3, &cp), 3);
	assert_int_equal(cp, 0x202e);
	assert_int_equal(dec("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(dec("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	/* Only the first character is taken. */
	assert_int_equal(dec("\xc3\xa9z", 3, NULL), 2);
}

static void unit__utf8__rejects_malformed_sequences(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
	    {"\x80", 1},                 /* a continuation byte on its own */
	    {"\xbf\x80", 2},             /* another */
	    {"\xc0\x80", 2},             /* overlong NUL */
	    {"\xc1\xbf", 2},             /* overlong '?' */
	    {"\xe0\x80\x80", 3},         /* overlong */
	    {"\xe0\x9f\xbf", 3},         /* overlong, just below U+0800 */
	    {"\xf0\x8f\xbf\xbf", 4},     /* overlong, just below U+10000 */
	    {"\xed\xa0\x80", 3},         /* surrogate U+D800 */
	    {"\xed\xbf\xbf", 3},         /* surrogate U+DFFF */
	    {"\xf4\x90\x80\x80", 4},     /* U+110000 */
	    {"\xf5\x80\x80\x80", 4},     /* lead byte past the range */
	    {"\xf8\x88\x80\x80\x80", 5}, /* a five-byte form */
	    {"\xfe", 1},
	    {"\xff", 1},
	    {"\xc3", 1},             /* cut short */
	    {"\xe2\x80", 2},         /* cut short */
	    {"\xf0\x9f\x98", 3},     /* cut short */
	    {"\xc3\x41", 2},         /* continuation missing */
	    {"\xe2\x28\xa1", 3},     /* continuation missing */
	    {"\xf0\x9f\x98\x28", 4}, /* continuation missing */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec(bad[i].s, bad[i].len, NULL) != 0)
			fail_msg("case %zu decoded", i);
		assert_false(utf8_valid(bad[i].s, bad[i].len));
	}
}

/* Every string of up to three bytes: decoding accepts exactly what encoding produces. */
static void unit__utf8__every_short_sequence_is_decoded_iff_it_is_an_encoding(void **state)
{
	char b[3], e[UTF8_MAX];

	(void)state;
	for (uint32_t v = 0; v < (1u << 24); v++) {
		uint32_t cp;
		size_t n;

		b[0] = (char)(v >> 16), b[1] = (char)(v >> 8), b[2] = (char)v;
		n = dec(b, 3, &cp);
		if (n == 0)
			continue;
		if (utf8_encode(cp, e) != n || memcmp(e, b, n) != 0)
			fail_msg("%02x %02x %02x decoded to U+%04X, which encodes otherwise",
			         v >> 16, (v >> 8) & 0xff, v & 0xff, cp);
	}
	/* Four bytes: every lead byte with every continuation. */
	for (uint32_t v = 0; v < (8u << 18); v++) {
		char f[4] = {(char)(0xf0 | v >> 18), (char)(0x80 | ((v >> 12) & 0x3f)),
		             (char)(0x80 | ((v >> 6) & 0x3f)), (char)(0x80 | (v & 0x3f))};
		uint32_t cp;
		size_t n = dec(f, 4, &cp);

		if (n == 0)
			continue;
		assert_int_equal(n, 4);
		assert_int_equal(utf8_encode(cp, e), 4);
		assert_memory_equal(e, f, 4);
	}
}

/* Every code point encodes and decodes back, but surrogates and values past U+10FFFF. */
static void unit__utf8__every_code_point_round_trips(void **state)
{
	char e[UTF8_MAX];

	(void)state;
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		uint32_t back = 0xffffffff;
		size_t n = utf8_encode(cp, e);

		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
		assert_int_equal(dec(e, n, &back), n);
		assert_int_equal(back, cp);
	}
	assert_int_equal(utf8_encode(0x110000, e), 0);
	assert_int_equal(utf8_encode(0xffffffff, e), 0);
}

static void unit__utf8__valid_checks_a_whole_string(void **state)
{
	const char *good = "caf\xc3\xa9 \xe2\x80\xae \xf0\x9f\x98\x80";

	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid(good, strlen(good)));
	assert_true(utf8_valid("a\0b", 3)); /* NUL is a character; callers that forbid it check */
	assert_false(utf8_valid(good, strlen(good) - 1)); /* the last character cut */
	assert_false(utf8_valid("ok\xffok", 5));
}

static void unit__utf8__steps_by_character(void **state)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; /* a é € 😀 z */
	size_t len = strlen(s);
	size_t starts[] = {0, 1, 3, 6, 10, 11};

	(void)state;
	for (size_t i = 0; i + 1 < sizeof(starts) / sizeof(starts[0]); i++) {
		assert_int_equal(utf8_next(s, len, starts[i]), starts[i + 1]);
		assert_int_equal(utf8_prev(s, starts[i + 1]), starts[i]);
		/* From inside a character, next goes to the following one. */
		for (size_t at = starts[i] + 1; at < starts[i + 1]; at++)
			assert_int_equal(utf8_next(s, len, at), starts[i + 1]);
	}
	assert_int_equal(utf8_next(s, len, len), len);
	assert_int_equal(utf8_prev(s, 0), 0);
	assert_int_equal(utf8_prev(s, len), 10);
	assert_int_equal(utf8_chars(s, len), 5);
	assert_int_equal(utf8_chars("", 0), 0);
	assert_true(utf8_is_cont('\x80'));
	assert_true(utf8_is_cont('\xbf'));
	assert_false(utf8_is_cont('a'));
	assert_false(utf8_is_cont('\xc3'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__utf8__decodes_each_length),
	    cmocka_unit_test(unit__utf8__rejects_malformed_sequences),
	    cmocka_unit_test(unit__utf8__every_short_sequence_is_decoded_iff_it_is_an_encoding),
	    cmocka_unit_test(unit__utf8__every_code_point_round_trips),
	    cmocka_unit_test(unit__utf8__valid_checks_a_whole_string),
	    cmocka_unit_test(unit__utf8__steps_by_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
