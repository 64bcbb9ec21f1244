/* fuzz_sanitize.c: no input makes the sanitizer emit a control byte or read out of bounds. */
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	char out[4096];
	const char *p = (const char *)data, *end = p + size;
	struct san_glyph g;

	if (!init) {
		setlocale(LC_ALL, "C.UTF-8");
		init = 1;
	}
	for (unsigned flags = 0; flags < 4; flags++) {
		sanitize_line(p, size, flags, 1000, out, sizeof(out));
		for (const unsigned char *u = (const unsigned char *)out; *u; u++)
			if (*u < 0x20 || *u == 0x7f)
				abort();
		for (const char *q = p; q < end;) {
			size_t n = sanitize_next(q, end, flags, &g);
			if (n == 0 || n > (size_t)(end - q))
				abort();
			if (g.kind == SAN_TEXT)
				for (size_t i = 0; i < g.len; i++)
					if ((unsigned char)g.s[i] < 0x20 ||
					    (unsigned char)g.s[i] == 0x7f)
						abort();
			q += n;
		}
	}
	return 0;
}
