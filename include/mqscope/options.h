/* options.h: the command-line option table; parsing and --help come from it. */
#ifndef MQSCOPE_OPTIONS_H
#define MQSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "mqscope/settings.h"

/*
 * One line per option: id, long name, short letter (0 = none), argument name
 * (NULL = flag), group, help. Flags follow mosquitto_sub where it has them.
 */
#define MQS_OPTIONS(X)                                                                             \
	X(HOST, "host", 'h', "HOST", "broker", "broker host (default localhost)")                  \
	X(PORT, "port", 'p', "PORT", "broker", "broker port (default 1883, 8883 with TLS)")        \
	X(URL, "url", 'L', "URL", "broker", "mqtt[s]://[user[:password]@]host[:port][/topic]")     \
	X(USER, "username", 'u', "USER", "broker", "username")                                     \
	X(PASSWORD, "pw", 'P', "PASSWORD", "broker", "password ('-' asks without echo)")           \
	X(ID, "id", 'i', "ID", "broker", "client id (default mqscope-<host>-<pid>)")               \
	X(ID_PREFIX, "id-prefix", 'I', "PREFIX", "broker", "client id prefix; the pid is added")   \
	X(KEEPALIVE, "keepalive", 'k', "SECONDS", "broker", "keepalive interval (default 60)")     \
	X(PROTOCOL, "protocol-version", 'V', "VERSION", "broker",                                  \
	  "mqttv31, mqttv311 or mqttv5 (default mqttv5)")                                          \
	X(PERSISTENT, "disable-clean-session", 'c', NULL, "broker",                                \
	  "persistent session (keep subscriptions while away)")                                    \
	X(TOPIC, "topic", 't', "FILTER", "broker",                                                 \
	  "subscribe to FILTER; repeatable (default '#' and '$SYS/#')")                            \
	X(EXCLUDE, "filter-out", 'T', "FILTER", "broker",                                          \
	  "hide topics matching FILTER; repeatable")                                               \
	X(QOS, "qos", 'q', "QOS", "broker", "subscription QoS 0, 1 or 2 (default 0)")              \
	X(CAFILE, "cafile", 0, "FILE", "tls",                                                      \
	  "CA certificates to verify the broker (enables TLS)")                                    \
	X(CAPATH, "capath", 0, "DIR", "tls", "directory of CA certificates (enables TLS)")         \
	X(CERT, "cert", 0, "FILE", "tls", "client certificate")                                    \
	X(KEY, "key", 0, "FILE", "tls", "client private key")                                      \
	X(TLS_VERSION, "tls-version", 0, "VERSION", "tls", "tlsv1.2 or tlsv1.3")                   \
	X(INSECURE, "insecure", 0, NULL, "tls", "do not check the broker's host name (unsafe)")    \
	X(WILL_TOPIC, "will-topic", 0, "TOPIC", "will", "last will topic")                         \
	X(WILL_PAYLOAD, "will-payload", 0, "PAYLOAD", "will", "last will payload")                 \
	X(WILL_QOS, "will-qos", 0, "QOS", "will", "last will QoS")                                 \
	X(WILL_RETAIN, "will-retain", 0, NULL, "will", "retain the last will")                     \
	X(MESSAGE, "message", 'm', "PAYLOAD", "publish", "send PAYLOAD")                           \
	X(FILE, "file", 'f', "FILE", "publish", "send the contents of FILE")                       \
	X(STDIN_FILE, "stdin-file", 's', NULL, "publish", "send all of standard input")            \
	X(NULL_MESSAGE, "null-message", 'n', NULL, "publish",                                      \
	  "send an empty message (with -r: clears the retained one)")                              \
	X(RETAIN, "retain", 'r', NULL, "publish", "retain the message")                            \
	X(CONFIG, "config", 0, "FILE", "program",                                                  \
	  "config file (default $XDG_CONFIG_HOME/mqscope/config)")                                 \
	X(PROFILE, "profile", 0, "NAME", "program", "broker profile from the config file")         \
	X(THEME, "theme", 0, "NAME", "program", "colour theme")                                    \
	X(ASCII, "ascii", 0, NULL, "program", "draw without line-drawing or block characters")     \
	X(DEMO, "demo", 0, NULL, "program", "start a private demo broker with simulated devices")  \
	X(STATS, "stats", 0, "FILE", "program", "write message counts to FILE on exit")            \
	X(RECORD, "record", 0, "FILE", "program", "append every message to FILE as JSON lines")    \
	X(REPLAY, "replay", 0, "FILE", "program", "open a --record file instead of a broker")      \
	X(REPLAY_SPEED, "replay-speed", 0, "X", "program",                                         \
	  "replay X times the recorded pace; 0 = all at once (default 1)")                         \
	X(HELP, "help", 0, NULL, "program", "show this help and exit")                             \
	X(VERSION, "version", 0, NULL, "program", "show the version and exit")

enum option_id {
#define X(id, lng, shrt, arg, group, help) OPT_##id,
	MQS_OPTIONS(X)
#undef X
	    OPT__COUNT
};

#define OPTION_GIVEN(s, id) (((s)->given >> (id)) & 1u)

enum options_result {
	OPTIONS_OK,
	OPTIONS_EXIT, /* --help or --version printed: exit 0 */
	OPTIONS_ERROR /* message printed: exit 2 */
};

/*
 * Parses argv (argv[0] is the program or subcommand name) into s, marking
 * each option seen in s->given. Errors go to err as one line.
 */
enum options_result options_parse(int argc, char **argv, struct settings *s, FILE *err);
/* Applies one option by id, as from argv; for the config file too. Returns 0 or -1 with msg. */
int options_apply(struct settings *s, enum option_id id, const char *arg, char *msg, size_t cap);
/* The option with this long name ('_' and '-' alike), or -1. */
int options_find(const char *long_name);
/* Whether the option takes an argument (else it is a flag). */
bool options_takes_arg(enum option_id id);
/* The option's long name and group ("broker", "tls", "will", "publish", "program"). */
const char *options_long_name(enum option_id id);
const char *options_group(enum option_id id);
/* The first option of group given on the command line, or -1. */
int options_given_in_group(const struct settings *s, const char *group);
/* "-m/--message" for messages about an option. */
void options_flag_name(enum option_id id, char *buf, size_t cap);
/* Prints --help generated from the table. */
void options_usage(FILE *out);
/* Parses a mqtt:// or mqtts:// URL into s. */
int options_parse_url(struct settings *s, const char *url, char *msg, size_t cap);

#endif
