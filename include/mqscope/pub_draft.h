/* pub_draft.h: a message being written (the publish form's contents), and its MQTT 5 extras. */
#ifndef MQSCOPE_PUB_DRAFT_H
#define MQSCOPE_PUB_DRAFT_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/session.h"
#include "mqscope/tree.h"

struct pub_draft {
	char *topic;
	char *payload; /* len bytes, NUL-terminated for convenience */
	size_t len;
	int qos;
	bool retain;
	/* MQTT 5; NULL or "" = none */
	char *content_type;
	char *response_topic;
	char *user_props; /* "key=value; key=value" */
};

/* A request built from a draft; it borrows the draft's strings. */
struct pub_built {
	struct pub_req req;
	char **pairs; /* key, value, key, value... (owned) */
	size_t npairs;
};

void pub_draft_init(struct pub_draft *d);
void pub_draft_free(struct pub_draft *d);
void pub_draft_copy(struct pub_draft *dst, const struct pub_draft *src);
/* Fills d with topic and a received value: payload, QoS, retain flag, MQTT 5 properties. */
void pub_draft_from_value(struct pub_draft *d, const char *topic, const struct tree_value *v);

/*
 * Parses "key=value; key=value" (spaces around each part ignored, empty parts
 * skipped) into *pairs (key, value, ...; *n pairs). Returns 0, or -1 with the
 * reason in err.
 */
int pub_draft_parse_props(const char *s, char ***pairs, size_t *n, char *err, size_t cap);

/* Checks d and builds the request (with MQTT 5 extras when v5); -1 with the reason in err. */
int pub_draft_build(const struct pub_draft *d, bool v5, struct pub_built *b, char *err, size_t cap);
void pub_built_free(struct pub_built *b);

#endif
