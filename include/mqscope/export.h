/* export.h: a subtree's latest values, or a topic's history, written out a slice at a time. */
#ifndef MQSCOPE_EXPORT_H
#define MQSCOPE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/logfmt.h"
#include "mqscope/tree.h"

enum export_what {
	EXPORT_LATEST,  /* the current value of every topic at or below the node, in tree order */
	EXPORT_HISTORY, /* the values the node's own topic holds, oldest first */
};

/*
 * An export in progress. Each message is written as a line of the format
 * (JSON Lines: the recording format, which --replay reads). It walks the
 * tree a slice at a time, so a large subtree does not hold up the screen;
 * topics that appear meanwhile may or may not be in it, and values are
 * those at the moment their topic is reached.
 */
struct export;

/* An export of root's subtree (or history) to o->f; nothing is written yet (not even a header). */
struct export *export_new(const struct tree *t, tree_id root, enum export_what what,
                          const struct logfmt *fmt, struct logfmt_out *o);
/* Several brokers: each line names its broker, the topic's first level (as --record does). */
void export_set_branches(struct export *e, bool on);
void export_free(struct export *e);
/*
 * Writes up to max more messages (the header first; a history all at once);
 * returns true once everything is written.
 */
bool export_step(struct export *e, size_t max);
/* Messages written so far. */
uint64_t export_count(const struct export *e);

/* Levels nested in a JSON tree; deeper topics go flat, keyed by the rest of their topic. */
#define EXPORT_TREE_DEPTH 64

/*
 * Writes the latest values at and below root as one JSON document, a key
 * per topic level: {"house":{"bulbs":{"bulb1":"ON"}}}. A value is its JSON
 * when the payload is JSON (documents, numbers, true/false/null), else a
 * string, or {"base64":"..."} for bytes that are not UTF-8 text. A topic
 * that also has subtopics keeps its own value under "#" (no topic level can
 * be "#"). Level names that are not UTF-8 show their bad bytes as the text
 * \xNN. Unless raw, made safe for a terminal (logfmt_json_safe). -1 when
 * writing failed.
 */
int export_json_tree(const struct tree *t, tree_id root, bool raw, FILE *f);

#endif
