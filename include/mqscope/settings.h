/* settings.h: everything a run is configured with, from flags and the config file. */
#ifndef MQSCOPE_SETTINGS_H
#define MQSCOPE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/decode.h"

#define MQTT_AUTO 0 /* no -V: MQTT 5 first, then what the broker has (negotiate.h) */
#define MQTT_V31  3
#define MQTT_V311 4
#define MQTT_V5   5

#define PROXY_SOCKS5 0
#define PROXY_HTTP   1

/* A one-key toggle rule from the config file (see toggle.h). */
struct toggle_rule {
	char *filter;   /* topics it applies to, MQTT wildcards allowed */
	char *command;  /* topic to publish to; "{topic}" is the matched topic; NULL = same */
	char *on, *off; /* the value pair; NULL = detect the usual pairs */
	char *field;    /* JSON field holding the state (default "state") */
	int qos;        /* -1 = same as received */
	int retain;     /* -1 = same as received, 0, 1 */
	int line;
};

/* A named message from the config file, sent from the picker. */
struct saved_msg {
	char *name;
	char *group; /* messages of one group can be sent together; may be NULL */
	char *topic;
	char *payload;
	char *broker; /* with several brokers, the one it goes to (a branch's name); NULL: the
	                 selection's */
	int qos;
	bool retain;
	int line;
};

/* A watch from the config file (see watch.h). */
struct watch_rule {
	char *name;      /* shown in the watch log; NULL = the filter and condition */
	char *filter;    /* topics it applies to, MQTT wildcards allowed */
	char *field;     /* JSON field the condition reads; NULL = the whole payload */
	char *condition; /* "> 30", "== \"OFF\"", "changes", "contains x", "silent"... */
	int bell;        /* -1 = as ui.bell, 0, 1 */
	int line;
};

/* A last-will rule from the config file (see will.h). */
struct will_rule {
	char *filter;  /* status topics it applies to */
	char *field;   /* JSON field holding the state; NULL = the whole payload */
	char *offline; /* the value that says the device is gone */
	char *online;  /* the value that says it is back; may be NULL */
	int line;
};

/* Keys bound to an action in the config file; resolved by the UI. */
struct key_binding {
	char *action;
	char **keys;
	size_t nkeys;
	int line;
};

struct settings {
	/* broker */
	char *host;
	int port;        /* 0 = default for the transport */
	char *unix_path; /* --unix: a local socket instead of host and port */
	char *client_id;
	char *id_prefix;
	char *user;
	char *password;
	int keepalive;
	int protocol;
	bool persistent;        /* -c: no clean session */
	int64_t session_expiry; /* -x: MQTT 5 session expiry in seconds; -1 = not given */
	char **topics;
	size_t ntopics;
	char **excludes; /* -T: topics hidden from the view */
	size_t nexcludes;
	int qos;
	char **unsubs; /* -U: filters to unsubscribe from on connect */
	size_t nunsubs;
	char *bind_address;
	char *proxy_host; /* --proxy: SOCKS5 or HTTP CONNECT */
	int proxy_port;
	int proxy_kind; /* PROXY_SOCKS5, PROXY_HTTP */
	char *proxy_user, *proxy_password;

	/* WebSocket: ws:// and wss:// */
	bool ws;
	char *ws_path;     /* the HTTP path; NULL = /mqtt */
	char **ws_headers; /* --ws-header: "Name: value" added to the upgrade request */
	size_t nws_headers;

	/* TLS */
	bool tls;
	char *cafile;
	char *capath;
	char *cert;
	char *key;
	char *tls_version;
	char *ciphers;
	char *alpn;
	char *psk, *psk_identity;
	bool os_certs;   /* trust the system's CA store */
	bool insecure;   /* no host name check (no check at all without a CA) */
	bool no_tls;     /* plain TCP even where TLS would be the default */
	bool tls_by_url; /* mqtts:// */

	/* will */
	char *will_topic;
	char *will_payload;
	int will_qos;
	bool will_retain;

	/* mqscope pub */
	char *pub_message;
	char *pub_file;
	bool pub_stdin;
	bool pub_null;
	bool pub_retain;

	/* mqscope log and dump */
	bool out_json, out_csv, out_raw;
	char **out_fields; /* --fields: CSV columns */
	size_t nout_fields;
	long out_count;   /* -C: messages, 0 = no limit */
	long out_timeout; /* -W: seconds from connecting, 0 = none */
	bool out_no_stale, out_retained_only, out_exit_after_sub, out_no_eol, out_quiet;
	double out_random; /* --random-filter: percent kept, 0 = all */

	/* program */
	char *config_path;
	char *profile;
	char *theme;
	bool ascii;
	bool demo;
	char *stats_path;
	char *record_path;
	char *replay_path;
	double replay_speed; /* 1 = as recorded, 0 = all at once */
	int fps;
	int tree_width;  /* percent of the columns for the tree, side by side */
	int tree_height; /* percent of the rows for the tree, stacked */
	bool mouse;      /* clicks and the wheel (--no-mouse leaves the mouse to the terminal) */
	unsigned history;
	size_t value_budget;
	size_t payload_cap;
	size_t max_topics;
	size_t ring_bytes;
	size_t ring_count;
	size_t stream_bytes;   /* the message stream's memory */
	bool bell;             /* ring the terminal bell when a watch fires */
	double silence_factor; /* silent after this many times the usual interval */
	int64_t silence_floor; /* ms; never silent sooner than this */

	/* from the config file */
	char *config_file;  /* the file actually read, for messages */
	char *warning;      /* shown once the UI is up (e.g. a password in a world-readable file) */
	bool config_broker; /* a profile named a broker */
	char **brokers;     /* the profile lists other profiles: brokers = ["house", "cloud"] */
	size_t nbrokers;
	struct toggle_rule *toggles;
	size_t ntoggles;
	struct saved_msg *saved;
	size_t nsaved;
	struct key_binding *keys;
	size_t nkeys;
	struct watch_rule *watches;
	size_t nwatches;
	struct will_rule *wills;
	size_t nwills;
	struct decode_rule *decoders; /* which topics hold which binary format (decode.h) */
	size_t ndecoders;

	uint64_t given[2]; /* bit per option id set on the command line */
};

/* Sets every field to its built-in default. */
void settings_init(struct settings *s);
/* Frees every string the settings own. */
void settings_free(struct settings *s);
/* Whether these settings connect with TLS: any TLS option, mqtts://, or port 8883 (not --no-tls).
 */
bool settings_wants_tls(const struct settings *s);
/*
 * The connection decisions every subcommand shares: TLS on or off, the host
 * and the port by transport. connect_opts_load makes them for each one.
 */
void settings_finish_connection(struct settings *s);
/* The TUI's finish: picks demo mode, then the connection, default subscriptions, fps. */
void settings_finish(struct settings *s);
/* Replaces *dst with a copy of src (NULL clears). */
void settings_set_str(char **dst, const char *src);
/* The same for a secret: the old value is overwritten before it is freed. */
void settings_set_secret(char **dst, const char *src);
/*
 * Overwrites and drops the password, PSK and proxy password once libmosquitto
 * has its own copies, so that they do not stay in mqscope's memory for the run.
 */
void settings_wipe_secrets(struct settings *s);
/* Appends a copy of v to a string list. */
void settings_add_str(char ***list, size_t *n, const char *v);
/* Empties a string list. */
void settings_clear_list(char ***list, size_t *n);
/* "host:port" for display. */
void settings_broker_label(const struct settings *s, char *buf, size_t cap);
/*
 * The name of broker i of several (all[0..i]) as its branch in the tree: the
 * profile named on the line, else host:port, with no level separator or
 * wildcard; one taken by an earlier broker gets "-2", "-3"...
 */
void settings_branch_label(const struct settings *const *all, size_t i, char *buf, size_t cap);

#endif
