/* test_base64.c: base64 encodes and decodes, and refuses what does not fit or is not base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mqscope/base64.h"

static void unit__base64__round_trip_and_bad_input(void **state)
{
	char enc[64];
	uint8_t dec[64];
	size_t n;
	static const uint8_t bin[] = {0, 1, 2, 0xff, 0xfe, 0x80, 'x'};

	(void)state;
	assert_int_equal(base64_encode("hello", 5, enc, sizeof(enc)), 8);
	assert_string_equal(enc, "aGVsbG8=");
	base64_encode("", 0, enc, sizeof(enc));
	assert_string_equal(enc, "");
	base64_encode(bin, sizeof(bin), enc, sizeof(enc));
	assert_true(base64_decode(enc, strlen(enc), dec, sizeof(dec), &n));
	assert_int_equal(n, sizeof(bin));
	assert_memory_equal(dec, bin, sizeof(bin));
	assert_false(base64_decode("a$==", 4, dec, sizeof(dec), &n));
	assert_false(base64_decode("aGVsbG8=", 8, dec, 3, &n)); /* does not fit */
	assert_int_equal(base64_encode("hello", 5, enc, 8), 0); /* no room for the NUL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__base64__round_trip_and_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
