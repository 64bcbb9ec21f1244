/* watch.h: watches: a topic filter and a condition on the value or on silence; a bounded log. */
#ifndef MQSCOPE_WATCH_H
#define MQSCOPE_WATCH_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/settings.h"
#include "mqscope/silence.h"
#include "mqscope/tree.h"

/*
 * A watch holds for one topic at a time: "sensors/+/temperature > 30" fires
 * for the kitchen and for the garage separately. It fires once when its
 * condition becomes true on a message (or on silence), is listed in the
 * log with the time and the value, stays active while the condition holds
 * and clears (listed too) when a message makes it false, or a silent topic
 * talks again.
 *
 * Conditions, on the value (the whole payload trimmed, or a JSON field):
 *   > N  >= N  < N  <= N      the value is a number and compares so
 *   == V  != V               V a number (compared as numbers) or text
 *                            ("OFF" in quotes, or a bare word)
 *   changes                  the value differs from the one before on that topic
 *   contains TEXT            the value holds TEXT
 *   matches REGEX            POSIX extended regular expression (on the
 *                            first WATCH_MATCH_MAX bytes of the value)
 *   silent                   the topic turned silent (or a device below the
 *                            filter left a will); clears when it talks
 * A value a condition cannot read (no such field, not a number) makes it false.
 */

#define WATCH_MAX       63 /* watches at once */
#define WATCH_VALUE_MAX 64 /* bytes of a value kept in the log */
#define WATCH_LOG_MAX   1000
#define WATCH_STATE_MAX 65536 /* (watch, topic) pairs tracked */
#define WATCH_MATCH_MAX 65536 /* bytes of a value a regular expression reads */

enum watch_op {
	WATCH_GT,
	WATCH_GE,
	WATCH_LT,
	WATCH_LE,
	WATCH_EQ,
	WATCH_NE,
	WATCH_CHANGES,
	WATCH_CONTAINS,
	WATCH_MATCHES,
	WATCH_SILENT,
};

struct watch_cond {
	enum watch_op op;
	bool numeric; /* the operand is a number */
	double num;
	char *text; /* the operand as text (also for numbers) */
	regex_t re; /* WATCH_MATCHES */
	bool has_re;
};

/*
 * Splits a watch typed on one line, "FILTER [FIELD] CONDITION" (the filter
 * may be "quoted"): the field is there when what follows the filter does not
 * start a condition (an operator, changes, contains, matches, silent). *cond
 * points into text. -1 when the filter or the condition is missing.
 */
int watch_parse_spec(const char *text, char *filter, size_t fcap, char *field, size_t dcap,
                     const char **cond);

/* Parses a condition; -1 with a reason in err. Free with watch_cond_free. */
int watch_cond_parse(const char *s, struct watch_cond *c, char *err, size_t cap);
void watch_cond_free(struct watch_cond *c);
/* Whether a value (text, and number when it is one) meets a value condition. */
bool watch_cond_test(const struct watch_cond *c, const char *v, size_t vlen, bool is_num,
                     double num);

enum watch_kind { WATCH_CLEARED, WATCH_FIRED };

struct watch_event {
	int64_t time_ms;
	tree_id id; /* the topic, or the device node for silence */
	uint16_t watch;
	uint8_t kind; /* enum watch_kind */
	uint8_t vlen;
	char value[WATCH_VALUE_MAX]; /* raw bytes from the network: sanitize to show */
};

struct watches;

/* bell: whether watches ring by default (settings' ui.bell). */
struct watches *watch_new(bool bell);
void watch_free(struct watches *w);

/*
 * Adds a watch; bell -1 = the default. Returns its index, or -1 with a
 * reason in err (bad filter or condition, too many watches).
 */
int watch_add(struct watches *w, const char *name, const char *filter, const char *field,
              const char *cond, int bell, char *err, size_t cap);
/* Adds every watch of the config file. */
int watch_add_rules(struct watches *w, const struct watch_rule *r, size_t n, char *err, size_t cap);

/*
 * Several brokers: topics are under their broker's branch in the tree, and a
 * filter matches a topic with its branch (as the tree, stream and export
 * show it) or without (as its broker has it).
 */
void watch_set_branches(struct watches *w, bool on);

size_t watch_count(const struct watches *w);
/* A watch as one line: its name, or "filter [field] condition". */
const char *watch_label(const struct watches *w, size_t i);

/* Checks a message just stored on id against every watch whose filter matches it. */
void watch_note(struct watches *w, const struct tree *t, tree_id id, const char *topic, size_t tlen,
                const char *payload, size_t len, int64_t time_ms);
/* Checks a silence turn against the silence watches. */
void watch_on_silence(struct watches *w, const struct tree *t, const struct silence_event *e);

/*
 * Takes watch i away: it fires no more, and where it held it is logged as
 * cleared. Its place stays (indexes do not move); -1 when it is gone already.
 */
int watch_remove(struct watches *w, size_t i, int64_t time_ms);
bool watch_removed(const struct watches *w, size_t i);

/* (watch, topic) pairs whose condition holds now. */
size_t watch_active(const struct watches *w);
/* Topics on which watch i holds now (a scan of the states: for views, not per message). */
size_t watch_active_of(const struct watches *w, size_t i);
/* Whether a watch fired with its bell since the last call. */
bool watch_take_bell(struct watches *w);
/* The newest firing that is still active, or NULL (for the status bar). */
const struct watch_event *watch_alarm(const struct watches *w);

/* Log entries, oldest first (0 .. watch_log_len - 1); older ones fall out past WATCH_LOG_MAX. */
size_t watch_log_len(const struct watches *w);
const struct watch_event *watch_log_at(const struct watches *w, size_t i);
/* Entries that fell out of the log, in all. */
uint64_t watch_log_lost(const struct watches *w);
/* Log entries added in all (a view can tell what is new). */
uint64_t watch_log_total(const struct watches *w);

size_t watch_mem_bytes(const struct watches *w);

#endif
