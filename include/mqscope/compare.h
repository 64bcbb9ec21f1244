/* compare.h: one topic or branch lined up across brokers: present or missing, same or different. */
#ifndef MQSCOPE_COMPARE_H
#define MQSCOPE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/app.h"

enum compare_state {
	COMPARE_SAME,      /* on every broker, the same last value */
	COMPARE_DIFFERENT, /* on every broker, last values differ */
	COMPARE_MISSING,   /* absent from at least one broker */
};

struct compare_row {
	char *topic;                 /* the topic on each broker */
	tree_id id[APP_MAX_BROKERS]; /* its node under each broker; TREE_NONE where missing */
	enum compare_state state;
	/* The same value on every broker, each taken in live (not with the retain flag, as on
	 * subscribing): the latest arrival minus the earliest (a bridge's delay); -1 otherwise. */
	int64_t delay_ms;
};

struct compare {
	char *base; /* the topic or branch compared; "" for everything */
	struct compare_row *rows;
	size_t n;
	size_t same, different, missing;
	bool truncated; /* more than the walk's bound: some topics were left out */
};

/*
 * Lines up the topics with a value at and below the topic of node sel (on
 * its broker) across every broker of a, sorted by topic, walking at most
 * max_nodes nodes per broker. Needs several brokers; -1 otherwise.
 */
int compare_build(struct app *a, tree_id sel, size_t max_nodes, struct compare *c);
void compare_free(struct compare *c);
/* A word for a state: "same", "differs", "missing". */
const char *compare_state_word(enum compare_state s);

#endif
