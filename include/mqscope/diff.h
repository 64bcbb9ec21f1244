/* diff.h: a line diff of two payload documents. */
#ifndef MQSCOPE_DIFF_H
#define MQSCOPE_DIFF_H

#include <stddef.h>

#include "mqscope/payload.h"

/*
 * A line diff of a against b (older, newer) into out: PL_SAME/PL_ADD/PL_DEL
 * lines with context lines of context around each change and PL_HUNK headers.
 * Styles and depths of the input lines are kept. Returns the number of
 * changed lines (0: identical). Very different large inputs fall back to
 * "all removed, all added" instead of an exact minimal diff.
 */
size_t diff_docs(const struct pdoc *a, const struct pdoc *b, size_t context, struct pdoc *out);

#endif
