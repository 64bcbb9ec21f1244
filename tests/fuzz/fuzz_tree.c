/* fuzz_tree.c: any sequence of topics and payloads keeps the tree's counts consistent. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/topic.h"
#include "mqscope/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: records of [topic_len:1][payload_len:1][topic][payload]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tree_limits lim = {
	    .max_topics = 64, .payload_cap = 16, .history = 3, .value_budget = 512};
	struct tree *t = tree_new(&lim);
	size_t i = 0;
	uint64_t msgs = 0;
	char path[1024];

	while (i + 2 <= size) {
		size_t tl = data[i], pl = data[i + 1];
		const char *topic = (const char *)data + i + 2;
		struct tree_msg m = {0};
		tree_id id;

		if (i + 2 + tl + pl > size)
			break;
		m.payload = topic + tl;
		m.len = m.orig_len = (uint32_t)pl;
		m.time_ms = (int64_t)i;
		id = tree_insert(t, topic, tl, &m);
		if (id != TREE_NONE) {
			msgs++;
			if (tree_path(t, id, path, sizeof(path)) != tl ||
			    memcmp(path, topic, tl) != 0)
				abort();
			if (tree_find(t, topic, tl) != id)
				abort();
			if (memchr(topic, '\0', tl) == NULL) {
				char *f = strndup(topic, tl);
				if (topic_filter_valid(f))
					topic_matches(f, topic, tl);
				free(f);
			}
		}
		i += 2 + tl + pl;
	}
	if (tree_msg_count(t) != msgs)
		abort();
	if (tree_node(t, TREE_ROOT)->sub_topics > tree_node_count(t))
		abort();
	tree_free(t);
	return 0;
}
