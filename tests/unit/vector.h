/* vector.h: reading a test vector (tests/vectors/<rel>, made by tests/vectors/make.js). */
#ifndef MQSCOPE_TEST_VECTOR_H
#define MQSCOPE_TEST_VECTOR_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A vector's bytes (at most 64 KiB, allocated); *len its size. Include after cmocka.h. */
static inline uint8_t *vector(const char *rel, size_t *len)
{
	const char *src = getenv("MQSCOPE_TESTS");
	char path[1024];
	uint8_t *buf = malloc(1 << 16);
	FILE *f;

	snprintf(path, sizeof(path), "%s/vectors/%s", src ? src : "tests", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

#endif
