/* toggle.h: one-key toggles: find a value's opposite (bare or in JSON) and where to publish it. */
#ifndef MQSCOPE_TOGGLE_H
#define MQSCOPE_TOGGLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/decode.h"
#include "mqscope/settings.h"

/* What a toggle publishes. */
struct toggle_out {
	char *topic;   /* allocated */
	char *payload; /* allocated, NUL-terminated, len bytes */
	size_t len;
	int qos;
	bool retain;
	char from[64], to[64];          /* the states, for the notice: "OFF" and "ON" */
	const struct toggle_rule *rule; /* the rule applied, or NULL */
};

/*
 * The opposite of a bare value such as "ON" or " true\n" (surrounding white
 * space kept). With on and off given only that pair counts, exactly; else
 * the usual pairs (on/off, true/false, 1/0, open/closed, yes/no,
 * enabled/disabled, locked/unlocked) in any case, answered in the value's
 * own case ("On" -> "Off"). Returns false when the value has no opposite.
 */
bool toggle_flip_word(const char *v, size_t len, const char *on, const char *off, char *out,
                      size_t cap);

/*
 * Flips the state field of a JSON object and leaves every other byte of the
 * document as it was. field is a member name or dotted path ("light.state");
 * NULL tries "state", "power", "switch", "on" and "status" in turn. The
 * field may hold a string with an opposite, a boolean, or the number 1 or 0.
 * Returns an allocated document (its length in *outlen) and the old and new
 * states in from/to (wcap bytes each), or NULL with the reason in err.
 */
char *toggle_flip_json(const char *doc, size_t len, const char *field, const char *on,
                       const char *off, size_t *outlen, char *from, char *to, size_t wcap,
                       char *err, size_t cap);

/*
 * Expands a command-topic template: "{topic}" is the whole topic, "{1}" to
 * "{9}" its levels. Returns 0, or -1 with the reason in err (unknown
 * placeholder, missing level, a result one cannot publish to).
 */
int toggle_command_topic(const char *tmpl, const char *topic, char *out, size_t cap, char *err,
                         size_t ecap);

/* The first rule whose filter matches topic, or NULL. */
const struct toggle_rule *toggle_rule_for(const struct toggle_rule *rules, size_t n,
                                          const char *topic);

/*
 * What toggling topic publishes, given its last value (payload, len), the
 * QoS and retain flag it arrived with, and the config's rules. Without a
 * rule: the same topic, QoS and retain flag. A rule may name a command topic
 * (then retain defaults to off: commands are not retained), a QoS, a retain
 * flag, the value pair and the JSON field. Returns 0, or -1 with why nothing
 * can be sent in err.
 */
int toggle_compute(const struct toggle_rule *rules, size_t n, const char *topic,
                   const void *payload, size_t len, int qos, bool retained, struct toggle_out *out,
                   char *err, size_t cap);
void toggle_out_free(struct toggle_out *o);
/* Where and how toggle_compute sends (rule r or NULL): sets out's topic, QoS and retain flag. */
int toggle_destination(const struct toggle_rule *r, const char *topic, int qos, bool retained,
                       struct toggle_out *out, char *err, size_t cap);

/* A decoded document (JSON text, or NULL when it did not decode) and when its value came. */
struct toggle_doc {
	const char *json;
	size_t len;
	int64_t time_ms;
};
#define TOGGLE_DOCS_MAX 20

/*
 * Toggling a value of binary format f (decode.h), bytes data: a Sparkplug B
 * Boolean metric (the rule's field, else the first that is not a control, as
 * docs[0], the value's own document, or the next ones name it) is written
 * flipped from its newest state in docs[] (a node's or device's BIRTH and
 * DATA) with an NCMD or DCMD, at QoS 0; a CBOR or MessagePack map's state
 * field (as toggle_flip_json finds it) is changed and the map encoded again
 * by its library, sent like toggle_compute sends. Other formats are not
 * written back. Returns 0, or -1 with why in err.
 */
int toggle_decoded(enum decode_format f, const struct toggle_rule *rules, size_t n,
                   const char *topic, const void *data, size_t len, const struct toggle_doc *docs,
                   size_t ndocs, int qos, bool retained, struct toggle_out *out, char *err,
                   size_t cap);

/* The fields a toggle looks for without a rule, in this order. */
extern const char *const toggle_default_fields[5];

#endif
