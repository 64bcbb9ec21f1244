/* decoded.h: a stored value as the views read it: the decoded document of a binary payload as
 * JSON text when a decoder applies (decode.h), else the value's own bytes. */
#ifndef MQSCOPE_DECODED_H
#define MQSCOPE_DECODED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/decode.h"
#include "mqscope/tree.h"

/*
 * What values are read with: the config's decoder rules and the Sparkplug model (may be NULL).
 * With several brokers each top-level branch is a broker read with its own (brokers, matched by
 * label), and rules and the namespace apply to the topic below that branch.
 */
struct decoders {
	const struct decode_rule *rules;
	size_t nrules;
	const struct spb_model *spb;
	const char *label;              /* the broker's branch (an entry of brokers) */
	const struct decoders *brokers; /* several brokers: one each; NULL with one */
	size_t nbrokers;
};

struct decoded {
	const char *data; /* what the views read: the JSON text, or the value's bytes */
	size_t len;
	char *json;                  /* the decoded document as compact JSON (owned), or NULL */
	struct cJSON *doc;           /* the same as a tree (owned), or NULL */
	struct decode_choice choice; /* format DECODE_NONE: no decoder applies */
	char err[160];               /* a decoder applies but failed: why (data is the bytes) */
	char warning[160];           /* the document's first "$warnings" note, or "" */
	unsigned warnings;           /* how many it has */
};

/* The decoder that applies to value v of node id (a NULL d: none). */
void decoded_choose(const struct decoders *d, const struct tree *t, tree_id id,
                    const struct tree_value *v, struct decode_choice *out);
/*
 * Reads value v of node id through its decoder; with raw, or when none
 * applies or it fails, out holds the bytes. A value cut by payload_cap is
 * not decoded (err says so). Free with decoded_free.
 */
void decoded_read(const struct decoders *d, const struct tree *t, tree_id id,
                  const struct tree_value *v, bool raw, struct decoded *out);
void decoded_free(struct decoded *out);
/* "Sparkplug B", "Protocol Buffers", "CBOR", "MessagePack". */
const char *decoded_format_title(enum decode_format f);
/* Why the decoder applies, in words: "spBv1.0 topic", "content type", "rule lab/#". */
void decoded_reason(const struct decode_choice *c, char *buf, size_t cap);

/*
 * One-line previews of decoded values for the tree's and the history's rows,
 * kept per node and message number so that a row costs one decode per value
 * shown, not one per frame. Direct-mapped: a node may push another's preview out.
 */
#define DECODED_PREVIEW_MAX   160
#define DECODED_PREVIEW_SLOTS 512

struct decoded_preview {
	tree_id id;
	uint64_t msgs; /* the value's message number on id (1 = its first) */
	bool decoded;  /* false: no decoder applies (the row shows the bytes) */
	uint16_t len;
	char text[DECODED_PREVIEW_MAX];
};

struct decoded_previews {
	struct decoded_preview slot[DECODED_PREVIEW_SLOTS];
};

void decoded_previews_init(struct decoded_previews *c);
/*
 * The preview of node id's newest value: a Sparkplug message as "DDATA: Speed
 * 1452, Running false", another format as its compact JSON; NULL when
 * no decoder applies or it fails (the row shows the bytes).
 */
const char *decoded_preview(struct decoded_previews *c, const struct decoders *d,
                            const struct tree *t, tree_id id, size_t *len);
/*
 * The same for value v of id, its message number seq (a node's msgs minus
 * the value's age): the history's rows.
 */
const char *decoded_preview_value(struct decoded_previews *c, const struct decoders *d,
                                  const struct tree *t, tree_id id, const struct tree_value *v,
                                  uint64_t seq, size_t *len);

#endif
