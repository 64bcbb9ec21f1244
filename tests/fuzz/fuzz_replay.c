/* fuzz_replay.c: recording lines from arbitrary bytes are read safely, and what is read writes back
 * to a line that reads the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/msg.h"
#include "mqscope/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_msg m, again;
	struct msg_view v;
	char *line = NULL;
	size_t cap = 0, n;

	if (!record_parse((const char *)data, size, &m))
		return 0;
	record_msg_view(&m, &v);
	n = record_format(&v, &line, &cap);
	if (n == 0 || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		abort();
	if (!record_parse(line, n - 1, &again))
		abort();
	if (again.h.topic_len != m.h.topic_len || again.h.len != m.h.len ||
	    again.h.props_len != m.h.props_len || again.h.time_ms != m.h.time_ms ||
	    memcmp(again.topic, m.topic, m.h.topic_len) != 0 ||
	    (m.h.len && memcmp(again.payload, m.payload, m.h.len) != 0) ||
	    (m.h.props_len && memcmp(again.props, m.props, m.h.props_len) != 0))
		abort();
	record_msg_free(&again);
	record_msg_free(&m);
	free(line);
	return 0;
}
