/* session.h: the broker connection and its network thread; the only user of libmosquitto. */
#ifndef MQSCOPE_SESSION_H
#define MQSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/ring.h"
#include "mqscope/settings.h"

enum session_state {
	SESSION_IDLE,       /* not started */
	SESSION_CONNECTING, /* TCP/TLS/CONNECT under way */
	SESSION_CONNECTED,
	SESSION_WAITING, /* lost or refused; retrying at retry_at_ms */
	SESSION_STOPPED,
};

/* Where the reason for the last loss came from; the code is read in that light. */
enum session_reason {
	REASON_NONE,
	REASON_LIB,     /* libmosquitto error code */
	REASON_ERRNO,   /* system errno */
	REASON_CONNACK, /* MQTT 3.x CONNACK return code */
	REASON_V5,      /* MQTT 5 reason code (CONNACK or DISCONNECT) */
	REASON_TLS,     /* a TLS failure, code from enum tls_fail (transport_tls.h) */
	REASON_CLOSED,  /* the broker closed the connection before its CONNACK; enum session_closed
	                 */
	REASON_VERSION, /* the broker refused the MQTT version: code is the version, | 0x100 when -V
	                   chose it; the detail says how it refused */
	REASON_BOUND,   /* a packet broke a bound of inbound.h; the detail says which */
	REASON_PEER,  /* the broker misbehaved on an open connection; code from enum session_peer */
	REASON_DNS,   /* the host name was not found; code is getaddrinfo's */
	REASON_PROXY, /* the proxy; code from enum proxy_fail (proxy.h) */
	REASON_WS,    /* the WebSocket; code from enum ws_fail (transport_ws.h) */
};

/* What a broker did to an open connection. */
enum session_peer {
	PEER_CLOSED,         /* it closed the connection */
	PEER_CLOSED_AT_ONCE, /* it closed the connection right after accepting it */
	PEER_KEEPALIVE,      /* it stopped answering: no PINGRESP within the keepalive */
	PEER_NO_CONNACK,     /* it took the connection but never answered CONNECT */
	PEER_BAD_UTF8,     /* a topic or string that is not valid UTF-8 or holds NUL or controls */
	PEER_PROTOCOL,     /* a packet against the protocol: QoS 3, packet id 0, lengths... */
	PEER_MALFORMED,    /* a packet libmosquitto could not read */
	PEER_DUP_PROPERTY, /* an MQTT 5 property given twice */
	PEER_UNKNOWN_PROPERTY,     /* an MQTT 5 property the specification does not define */
	PEER_PROPERTY_NOT_ALLOWED, /* an MQTT 5 property in a packet that may not carry it */
	PEER_BAD_PROPERTY,         /* an MQTT 5 property with a value out of range */
};

/* What came back before a close without CONNACK. */
enum session_closed {
	CLOSED_PLAIN,    /* nothing, or nothing that tells */
	CLOSED_TLS,      /* a TLS record: plain MQTT sent to a TLS port */
	CLOSED_FIXED_V5, /* nothing, to an MQTT 5 CONNECT that -V asked for */
};

#define SESSION_DETAIL_MAX 160

struct session_status {
	enum session_state state;
	enum session_reason reason;
	int code;
	int64_t retry_at_ms; /* monotonic */
	unsigned attempt;    /* consecutive failures */
	uint64_t connects;   /* successful connections so far */
	int protocol;        /* the MQTT version offered or in use: 3 (3.1), 4 (3.1.1), 5 */
	int protocol_why;    /* why it is below 5 (enum negotiate_answer); 0 when it is not */
	bool protocol_fixed; /* -V (or the profile) chose it */
	uint64_t gen;        /* changes whenever the network thread reports a new status */
	/* More about the reason: the broker's reason string or server reference, an OpenSSL
	 * message. Untrusted text: draw it sanitized. */
	char detail[SESSION_DETAIL_MAX];
};

/*
 * Threads: the network thread alone calls libmosquitto and opens the
 * connection. The functions below are for the one thread that owns the
 * session (the UI thread): they put commands in one queue to the network
 * thread (with a wake-up) and read one typed stream of events back (status,
 * connection log, acknowledgements, subscription results). Nothing else is
 * shared but the message ring and a few counters.
 */
struct session;

/* Copies what it needs from s; messages go into ring, state changes wake ring's consumer. */
struct session *session_new(const struct settings *s, struct ring *ring);
/* Starts the network thread; connecting and reconnecting happen there. */
int session_start(struct session *ss);
/* Disconnects and joins the network thread (waits at most timeout_ms). */
void session_stop(struct session *ss, int timeout_ms);
void session_free(struct session *ss);

/* The status as the latest event told it (takes in waiting events first). */
void session_status(struct session *ss, struct session_status *out);
/* Describes a status in words, e.g. "connection refused, retrying in 4s". */
void session_describe(const struct session_status *st, int64_t now_ms, char *buf, size_t cap);
/* Describes a loss reason alone, e.g. "not authorized". */
void session_reason_text(enum session_reason r, int code, char *buf, size_t cap);
/* Whether the broker refused our credentials (bad username or password, not authorized). */
bool session_reason_is_auth(enum session_reason r, int code);

/* One connection event: connected, lost, or an attempt that failed. */
enum session_log_kind {
	SESSION_LOG_CONNECTED,
	SESSION_LOG_LOST,     /* a connection that had been accepted ended */
	SESSION_LOG_FAILED,   /* an attempt that never got a CONNACK */
	SESSION_LOG_FALLBACK, /* the broker refused the MQTT version: the next is tried at once */
};

#define SESSION_LOG_MAX 32 /* the newest events kept */

struct session_log_entry {
	int64_t time_ms; /* wall clock */
	enum session_log_kind kind;
	enum session_reason reason; /* lost or failed: why */
	int code;
	uint64_t connection; /* connected: which one (1, 2...); else the connections so far */
	int64_t retry_ms;    /* lost or failed: the wait before the next attempt */
	int64_t lasted_ms;   /* lost: how long the connection had lasted */
	int protocol;        /* connected: the MQTT version (0: not told); fallback: the next one */
	int protocol_why;    /* connected: why that version; fallback: how the last was refused */
	bool protocol_fixed; /* connected: -V (or the profile) chose the version */
	char detail[SESSION_DETAIL_MAX]; /* untrusted text: draw it sanitized */
	char via[96]; /* connected: the transport, e.g. "TLS 1.3 TLS_AES_128_GCM_SHA256, WebSocket"
	               */
};

/* Copies up to max of the newest events, oldest first; returns how many were copied. */
size_t session_log(struct session *ss, struct session_log_entry *out, size_t max);
/* Describes an event in words, e.g. "lost after 12s: keepalive timeout...; next attempt in 2s". */
void session_log_describe(const struct session_log_entry *e, char *buf, size_t cap);

/*
 * New credentials for the next connection attempt (user may be NULL to keep
 * the current one), then an attempt right away instead of after the backoff.
 * From the UI thread; the network thread applies them before it connects.
 * -1 with err when the command queue is full (nothing changes then).
 */
int session_set_login(struct session *ss, const char *user, const char *password, char *err,
                      size_t cap);
/* The username in use (copied into buf; empty when none). */
void session_user(struct session *ss, char *buf, size_t cap);

/* What to publish; strings may be NULL. */
struct pub_req {
	const char *topic;
	const void *payload;
	size_t len;
	int qos;
	bool retain;
	/* MQTT 5 only */
	const char *content_type;
	const char *response_topic;
	const void *correlation;
	size_t correlation_len;
	const char *const *user_props; /* key, value, key, value ... */
	size_t nuser_props;            /* pairs */
	uint32_t expiry;               /* seconds, 0 = none */
};

/*
 * Queues a message for the network thread. Returns 0 with our id for it in
 * *mid (its outcome arrives later as a SESSION_EV_PUBLISHED event with that
 * id), or -1 with the reason in err ("not connected", "topic invalid"...).
 */
int session_publish(struct session *ss, const struct pub_req *req, int *mid, char *err, size_t cap);

/* A subscription filter and what the broker made of it. */
struct session_sub {
	char filter[256];
	int qos;     /* asked for */
	int granted; /* -1 pending, 0..2 granted QoS, >= 128 refused (reason code) */
};

/* Adds a filter and subscribes now if connected (no reconnect). -1 with err if invalid. */
int session_subscribe(struct session *ss, const char *filter, int qos, char *err, size_t cap);
/* Removes a filter and unsubscribes. -1 with err if it is not subscribed. */
int session_unsubscribe(struct session *ss, const char *filter, char *err, size_t cap);
/* Copies of messages left out: delivered again for another of our overlapping filters. */
uint64_t session_duplicates(struct session *ss);
/* Copies up to max current subscriptions; returns how many there are. */
size_t session_subscriptions(struct session *ss, struct session_sub *out, size_t max);

enum session_event_kind {
	SESSION_EV_STATUS,       /* the status changed: in status (session_status has it too) */
	SESSION_EV_LOG,          /* a connection event: in log (session_log has it too) */
	SESSION_EV_PUBLISHED,    /* a publish completed: rc 0, a reason code, or NOT_SENT */
	SESSION_EV_SUBSCRIBED,   /* rc is the granted QoS or refusal; -1: (re)sent, pending */
	SESSION_EV_UNSUBSCRIBED, /* an UNSUBACK came */
};

#define SESSION_PUB_NOT_SENT (-1) /* the connection went before the message could */

struct session_event {
	enum session_event_kind kind;
	int mid; /* PUBLISHED: the id session_publish gave */
	int rc;
	char filter[256]; /* for subscription events */
	unsigned broker;  /* which of the app's brokers (set by the UI loop, not the session) */
	struct session_status status;
	struct session_log_entry log;
};

/* Takes the next event from the network thread; false when none. */
bool session_next_event(struct session *ss, struct session_event *ev);

/* The MQTT version the connection speaks, or the attempt under way offers: 3, 4 (3.1.1), 5, as
 * the latest status event told it. */
int session_protocol(const struct session *ss);

/* Messages the network thread delivered into the ring (or dropped there); any thread. */
uint64_t session_received(const struct session *ss);

/* How bytes reach the tree, counted by the network thread; any thread. */
struct session_net_stats {
	uint64_t direct;  /* QoS 0 messages checked and copied straight into the ring */
	uint64_t via_lib; /* packets handed to libmosquitto over the local channel */
	uint64_t reads;   /* reads of the broker's connection */
	uint64_t read_bytes;
};
void session_net_stats(const struct session *ss, struct session_net_stats *out);

/* Library initialisation for the whole process. */
void session_lib_init(void);
void session_lib_cleanup(void);

#endif
