/* sparkplug.h: Sparkplug B topics, payloads as documents, and the model of edge nodes and
 * devices (their last BIRTH, aliases, seq) that DATA messages are read against. */
#ifndef MQSCOPE_SPARKPLUG_H
#define MQSCOPE_SPARKPLUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct decode_in;

enum spb_type {
	SPB_NBIRTH,
	SPB_NDEATH,
	SPB_DBIRTH,
	SPB_DDEATH,
	SPB_NDATA,
	SPB_DDATA,
	SPB_NCMD,
	SPB_DCMD,
	SPB_STATE,
	SPB__TYPES
};

/* A Sparkplug topic: spBv1.0/group/TYPE/node[/device], or spBv1.0/STATE/host. */
struct spb_topic {
	enum spb_type type;
	const char *group, *node, *device, *host; /* borrowed; device NULL for node messages */
	size_t group_len, node_len, device_len, host_len;
};

#define SPB_NAMESPACE "spBv1.0/"

/* Parses a topic of the spBv1.0 namespace; false for any other topic. */
bool spb_topic_parse(const char *topic, size_t len, struct spb_topic *out);
/* Parses STATE/host, Sparkplug 2.2's host state topic (outside the namespace). */
bool spb_topic_parse_legacy_state(const char *topic, size_t len, struct spb_topic *out);
const char *spb_type_name(enum spb_type t);
/* "Int32", "DataSet"...; NULL for numbers the specification does not define. */
const char *spb_datatype_name(uint32_t datatype);

/*
 * The model: per edge node (group/node) and per device, what the last BIRTH
 * said (metric names and datatypes by alias), the last seq, and notes about
 * messages that broke the rules (a seq gap, DATA before any BIRTH), kept
 * with the message's time and seq so the message can be found again when it
 * is shown. Owned by the UI thread; fed every message of the namespace as it
 * is stored; bounded in nodes (the least recently heard is forgotten),
 * devices per node, aliases per BIRTH and notes per node.
 */
struct spb_model;

#define SPB_NODES_MAX   4096
#define SPB_DEVICES_MAX 1024
#define SPB_ALIASES_MAX 65536
#define SPB_NOTES_MAX   32

struct spb_model *spb_model_new(size_t max_nodes);
void spb_model_free(struct spb_model *m);
/* Takes one message of the namespace into account (others are ignored). */
void spb_model_observe(struct spb_model *m, const char *topic, size_t len, const void *payload,
                       size_t plen, int64_t time_ms);
/* Nodes the model holds now. */
size_t spb_model_nodes(const struct spb_model *m);

/* What the model knows about one alias of a node (device NULL) or device. */
enum spb_alias_result {
	SPB_ALIAS_FOUND,
	SPB_ALIAS_NO_BIRTH, /* no BIRTH of that node or device seen */
	SPB_ALIAS_UNKNOWN,  /* a BIRTH was seen, without this alias */
};
enum spb_alias_result spb_model_alias(const struct spb_model *m, const struct spb_topic *t,
                                      uint64_t alias, const char **name, uint32_t *datatype);
/* Whether a BIRTH of the topic's node (and device, for device messages) has been seen. */
bool spb_model_born(const struct spb_model *m, const struct spb_topic *t);

/*
 * Writes the notes about the message on t with this seq and arrival time
 * ("seq 7 after 4: 2 messages missing") into notes; returns how many.
 */
size_t spb_model_notes(const struct spb_model *m, const struct spb_topic *t, int64_t time_ms,
                       uint64_t seq, bool has_seq, char (*notes)[160], size_t max);

/*
 * A Sparkplug payload (or STATE message) as a document: message type,
 * timestamp, seq, metrics keyed by name (aliases resolved through the model
 * when it is given), notes in "$warnings".
 */
struct cJSON *decode_sparkplug(const struct decode_in *in, char *err, size_t cap);

struct pdoc;
/*
 * The payload pane's table of a Sparkplug document (decode_sparkplug's): a line with the message
 * type, seq, time and metric count, its warnings, then one row per metric: name, datatype, alias,
 * value (strings bare, anything else as compact JSON). False when it has no metrics (STATE).
 */
bool spb_table_doc(const struct cJSON *doc, struct pdoc *out);

/* "DDATA: Speed 1452, Running false" of a document, cut to cap - 1 bytes (NUL-terminated);
 * 0 when it has no metrics (STATE). */
size_t spb_summary(const struct cJSON *doc, char *buf, size_t cap);

/* A payload of one Boolean metric named metric (an NCMD/DCMD write, Sparkplug's way to set a
 * value); allocated, its length in *len. */
uint8_t *spb_write_bool(const char *metric, bool value, uint64_t ts_ms, size_t *len);

#endif
