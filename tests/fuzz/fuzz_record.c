/* fuzz_record.c: ring records and property blobs from arbitrary bytes are read safely. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_view v;
	struct prop p;
	size_t off = 0;
	uint8_t *copy = malloc(size ? size : 1);

	/* Records sit 8-byte aligned in the ring; give the reader the same. */
	memcpy(copy, data, size);
	if (msg_read(copy, size, &v)) {
		volatile char sink = 0;
		for (size_t i = 0; i < v.h->topic_len; i++)
			sink ^= v.topic[i];
		for (size_t i = 0; i < v.h->len; i++)
			sink ^= v.payload[i];
		while (props_next(v.props, v.h->props_len, &off, &p))
			;
		(void)sink;
	}
	off = 0;
	while (props_next(copy, size, &off, &p)) {
		if (off > size)
			abort();
		props_name(p.id);
	}
	free(copy);
	return 0;
}
