/* fuzz_payload.c: payload detection, pretty JSON, numbers, hex and diff never misbehave on any
 * bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/base64.h"
#include "mqscope/diff.h"
#include "mqscope/payload.h"
#include "mqscope/payload_number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks the invariants every document must keep: lines inside the text, folds pointing forward. */
static void check_doc(const struct pdoc *d)
{
	for (size_t i = 0; i < d->nlines; i++) {
		const struct pline *l = &d->lines[i];

		if ((size_t)l->off + l->len > d->len)
			abort();
		if (l->kind == PL_OPEN &&
		    (l->link <= i || l->link >= d->nlines || d->lines[l->link].kind != PL_CLOSE))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct pdoc a, b, diff;
	char paths[8][PAYLOAD_PATH_MAX], def[PAYLOAD_PATH_MAX], line[256];
	double v;
	size_t half = size / 2;

	pdoc_init(&a);
	pdoc_init(&b);
	pdoc_init(&diff);
	payload_detect(s, size, false);
	payload_detect(s, size, true);
	if (payload_json_doc(s, size, &a))
		check_doc(&a);
	/* The formatter alone, on bytes nobody validated. */
	payload_json_format(s, size, &b);
	check_doc(&b);
	diff_docs(&a, &b, 3, &diff);
	check_doc(&diff);

	payload_text_doc(s, half, &a);
	payload_split_lines(&a);
	payload_text_doc(s + half, size - half, &b);
	payload_split_lines(&b);
	diff_docs(&a, &b, 2, &diff);
	check_doc(&diff);

	payload_text_number(s, size, &v);
	payload_number(s, size, "", &v);
	payload_number(s, size, "a.b[1].c", &v);
	payload_number(s, size, "[0]", &v);
	payload_numeric_paths(s, size, paths, 8);
	payload_default_path(s, size, def, sizeof(def));
	for (size_t off = 0; off < size && off < 64; off += 16)
		payload_hex_line(data, size, off, 16, line, sizeof(line));

	char *enc = malloc(base64_len(size) + 1);
	uint8_t *dec = malloc(size + 3);
	size_t n;
	base64_encode(data, size, enc, base64_len(size) + 1);
	if (!base64_decode(enc, strlen(enc), dec, size + 3, &n) || n != size ||
	    (size && memcmp(dec, data, size) != 0))
		abort();
	base64_decode(s, size, dec, size + 3, &n);
	free(enc);
	free(dec);
	pdoc_free(&a);
	pdoc_free(&b);
	pdoc_free(&diff);
	return 0;
}
