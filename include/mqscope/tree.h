/* tree.h: the topic tree, one node per topic level, owned by the UI thread. */
#ifndef MQSCOPE_TREE_H
#define MQSCOPE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/rate.h"
#include "mqscope/msg.h"

typedef uint32_t tree_id;

#define TREE_ROOT ((tree_id)0)
#define TREE_NONE ((tree_id)UINT32_MAX)

/* One received value, payload (possibly truncated) then encoded properties. */
struct tree_value {
	int64_t time_ms;   /* wall clock, milliseconds */
	uint32_t len;      /* payload bytes stored */
	uint32_t orig_len; /* payload bytes received */
	uint32_t props_len;
	uint8_t qos;
	uint8_t retained;
	uint8_t held; /* shown by a hold (tree_hold): freed when it ends, not before */
	char data[];  /* len payload bytes, then props_len bytes */
};

struct tree_node {
	tree_id parent;
	tree_id first_child;
	tree_id next_sibling;
	uint32_t name_off;
	uint32_t name_len;
	uint32_t nchildren;
	uint32_t sub_topics; /* nodes holding a value in this subtree, self included */
	uint16_t depth;      /* root is 0 */
	uint16_t hist_len;   /* values held, newest at hist_head */
	uint16_t hist_head;
	uint8_t flags;
	uint8_t qos;          /* of the last message */
	uint16_t conn;        /* the connection the last value came on (msg_head.conn) */
	struct rate_est rate; /* messages/s in this subtree, as of sub_last_ms (rate.h) */
	uint64_t msgs;        /* messages on this exact topic */
	uint64_t sub_msgs;    /* messages in this subtree */
	int64_t first_ms;     /* first message on this topic */
	int64_t last_ms;      /* last message on this topic */
	int64_t sub_last_ms;
	union {
		struct tree_value *one; /* hist_len <= 1 */
		struct tree_value *
		    *ring; /* hist_len >= 2: 2, 4, 8... slots up to the history cap */
	} v;
};

#define TREE_F_VALUE    0x01 /* holds a current value */
#define TREE_F_RETAINED 0x02 /* last message had the retain flag */
#define TREE_F_TOUCHED  0x04 /* took a message since the last tree_take_touched */
#define TREE_F_HELD     0x08 /* changed during a hold: the node as it was is kept aside */
#define TREE_F_GONE     0x10 /* retained, and the broker did not send it again on resubscribing */

struct tree_limits {
	size_t max_topics;   /* nodes, 0 = unlimited */
	size_t payload_cap;  /* bytes kept per value */
	unsigned history;    /* values kept per topic, >= 1 */
	size_t value_budget; /* bytes for all stored values; history shrinks past it */
	size_t name_budget;  /* bytes for all level names; 0 = the most the tree can index */
};

/* Why a message was refused a place in the tree. */
enum tree_bound {
	TREE_BOUND_TOPICS, /* max_topics nodes exist */
	TREE_BOUND_NAMES,  /* level names would pass name_budget */
	TREE_BOUND_MEMORY, /* an allocation failed */
	TREE_BOUND_DEPTH,  /* over 65,535 levels (only 65,535 slashes make that many) */
	TREE_BOUNDS
};

/* A message to store; payload and props are copied. */
struct tree_msg {
	const void *payload;
	uint32_t len;
	uint32_t orig_len;
	const void *props;
	uint32_t props_len;
	int64_t time_ms;
	uint8_t qos;
	uint8_t retained;
	uint16_t conn; /* which connection it came on (msg_head.conn) */
};

struct tree;

/* What the tree keeps of a received message; the pointers borrow v's bytes. */
struct tree_msg tree_msg_of(const struct msg_view *v);

struct tree *tree_new(const struct tree_limits *lim);
void tree_free(struct tree *t);

/* Stores a message under topic; returns its node or TREE_NONE when the topic limit bites. */
tree_id tree_insert(struct tree *t, const char *topic, size_t len, const struct tree_msg *m);
/* Finds the node of an exact topic, or TREE_NONE. */
tree_id tree_find(const struct tree *t, const char *topic, size_t len);

struct tree_node *tree_node(const struct tree *t, tree_id id);
const char *tree_name(const struct tree *t, tree_id id, size_t *len);
/* Writes the full topic of id into buf (NUL-terminated, truncated to cap); returns its length. */
size_t tree_path(const struct tree *t, tree_id id, char *buf, size_t cap);
/* The value age steps back from the newest (0), or NULL. */
const struct tree_value *tree_value(const struct tree *t, tree_id id, unsigned age);
/* Messages per second in id's subtree around now_ms (wall clock, like message times). */
double tree_rate(const struct tree *t, tree_id id, int64_t now_ms);
/* Whether id is hidden: neither it nor anything below it holds a value. */
bool tree_hidden(const struct tree *t, tree_id id);
/* Whether a is id or one of its ancestors. */
bool tree_is_ancestor(const struct tree *t, tree_id a, tree_id id);
/*
 * Whether the broker most likely holds a retained message for id: the newest
 * value came retained, or an older one did and no empty message cleared it
 * since (a live message does not replace a retained one).
 */
bool tree_has_retained(const struct tree *t, tree_id id);
/* Every visible topic in the subtree of root (root included) that tree_has_retained, in *out
 * (allocated; NULL when none); returns how many. A walk over the subtree. */
size_t tree_retained_under(const struct tree *t, tree_id root, tree_id **out);

/*
 * A hold (the paused screen): while it lasts, the tree takes messages as
 * always, and the tree_shown functions answer as of its start. A node is
 * copied aside the first time a message changes it (its values stay in memory
 * until the hold ends); nodes made since are hidden. Memory: at most what the
 * tree held when the hold began, again.
 */
void tree_hold(struct tree *t, bool on);
bool tree_holding(const struct tree *t);
/* Node id as shown: as at the start of the hold, or as it is when there is none. */
const struct tree_node *tree_shown(const struct tree *t, tree_id id);
/* Value age steps back from the newest shown, or NULL. */
const struct tree_value *tree_shown_value(const struct tree *t, tree_id id, unsigned age);
/* Messages per second of id's subtree as shown. */
double tree_shown_rate(const struct tree *t, tree_id id, int64_t now_ms);
/*
 * Connections: each message says which connection brought it (tree_msg.conn),
 * as TREE_CONN(broker slot, connection count): several brokers each count
 * their own. A value that came on an earlier connection of its broker than
 * that broker's current one is stale: the broker has not sent it again since
 * it reconnected (a live sensor's next message, or a retained message's
 * resend, makes it current again).
 */
#define TREE_CONN_SLOTS        8
#define TREE_CONN(slot, count) ((uint16_t)(((unsigned)(slot) << 13) | ((count)&0x1fffu)))
#define TREE_CONN_SLOT(conn)   ((unsigned)(conn) >> 13)
/* Top-level branches tree_count_branches counts: one per broker. */
#define TREE_BRANCHES TREE_CONN_SLOTS
/* The current connection of broker slot (TREE_CONN(slot, count)). */
void tree_set_connection(struct tree *t, unsigned slot, uint16_t conn);
/* Whether node n (as shown) holds a value from before the current connection. */
bool tree_shown_stale(const struct tree *t, const struct tree_node *n);
/*
 * Once broker slot has sent what it keeps for the new subscriptions: marks
 * every retained value from its earlier connections whose topic covered() says
 * a subscription of the current one matches as gone from the broker
 * (TREE_F_GONE, until a message comes for it). O(topics): once per reconnect.
 */
size_t tree_mark_gone(struct tree *t, unsigned slot,
                      bool (*covered)(void *ctx, const char *topic, size_t len), void *ctx);
/* Whether id is hidden as shown (nothing below it held a value, or it is newer than a hold). */
bool tree_shown_hidden(const struct tree *t, tree_id id);

/* Orders sibling names the way people expect: "bulb2" before "bulb10". */
int tree_name_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Fills *out (grown with realloc) with the children of id shown (tree_shown_hidden) in name
 * order; returns count. */
size_t tree_children_sorted(const struct tree *t, tree_id id, tree_id **out, size_t *cap);

/*
 * Nodes whose visibility changed since the last call (created, or hidden by
 * an empty message), topmost first per change; *overflow is set when more
 * happened than fit, and then a view should rebuild unconditionally.
 */
size_t tree_take_changes(struct tree *t, tree_id *ids, size_t max, bool *overflow);

/*
 * While tracking, the topics that take a message are noted once each, so a
 * list sorted by traffic (the busiest topics) is kept up to date from what
 * changed rather than from every topic.
 */
void tree_track_touched(struct tree *t, bool on);
/* The topics noted since the last call, into *ids (grown with realloc); returns how many. */
size_t tree_take_touched(struct tree *t, tree_id **ids, size_t *cap);

size_t tree_node_count(const struct tree *t);
uint64_t tree_topic_count(const struct tree *t);
uint64_t tree_msg_count(const struct tree *t);
/* Bytes held by nodes, names, the index and values, and the extra bytes below. */
size_t tree_mem_bytes(const struct tree *t);
/*
 * Bytes that other per-topic stores (timing, silence, watches) hold: they
 * count against the value budget with the values, and in tree_mem_bytes.
 */
void tree_set_extra_bytes(struct tree *t, size_t bytes);
/*
 * From now on (call it on an empty tree) the first TREE_BRANCHES top-level
 * branches each count what they hold, and past the value budget a branch is
 * trimmed only while its values pass its share of the budget: one branch's
 * flood does not take the history of the others.
 */
void tree_count_branches(struct tree *t);
/* Bytes a counted branch holds (values, history arrays, nodes, names); 0 for another node. */
size_t tree_branch_bytes(const struct tree *t, tree_id top);
/* Messages refused a new topic, in all. */
uint64_t tree_refused(const struct tree *t);
/* Messages refused a new topic by one bound. */
uint64_t tree_refused_by(const struct tree *t, enum tree_bound b);
/* Whether the value budget has trimmed history or payloads. */
bool tree_over_budget(const struct tree *t);
/* Values given up (older history) or kept short (256 bytes) because of the value budget. */
uint64_t tree_budget_hits(const struct tree *t);
unsigned tree_history_cap(const struct tree *t);

#endif
