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
	X(URL, "url", 'L', "URL", "broker",                                                        \
	  "mqtt[s]://[user[:password]@]host[:port][/topic], or ws[s]://...[:port][/path] for "     \
	  "MQTT over WebSocket (path default /mqtt)")                                              \
	X(UNIX, "unix", 0, "PATH", "broker", "connect through a unix domain socket")               \
	X(USER, "username", 'u', "USER", "broker", "username")                                     \
	X(PASSWORD, "pw", 'P', "PASSWORD", "broker",                                               \
	  "password ('-' asks without echo; see also MQSCOPE_PASSWORD)")                           \
	X(ID, "id", 'i', "ID", "broker", "client id (default mqscope-<host>-<pid>)")               \
	X(ID_PREFIX, "id-prefix", 'I', "PREFIX", "broker", "client id prefix; the pid is added")   \
	X(KEEPALIVE, "keepalive", 'k', "SECONDS", "broker", "keepalive interval (default 60)")     \
	X(PROTOCOL, "protocol-version", 'V', "VERSION", "broker",                                  \
	  "only mqttv31, mqttv311 or mqttv5 (default: 5, else what the broker has)")               \
	X(PERSISTENT, "disable-clean-session", 'c', NULL, "broker",                                \
	  "persistent session (needs -i; keeps subscriptions while away)")                         \
	X(SESSION_EXPIRY, "session-expiry-interval", 'x', "SECONDS", "broker",                     \
	  "MQTT 5 session expiry; -1 = never (the default with -c)")                               \
	X(TOPIC, "topic", 't', "FILTER", "broker",                                                 \
	  "subscribe to FILTER; repeatable (default '#' and '$SYS/#')")                            \
	X(EXCLUDE, "filter-out", 'T', "FILTER", "broker",                                          \
	  "hide topics matching FILTER; repeatable")                                               \
	X(UNSUBSCRIBE, "unsubscribe", 'U', "FILTER", "broker",                                     \
	  "unsubscribe from FILTER on connect (a persistent session's old one); repeatable")       \
	X(QOS, "qos", 'q', "QOS", "broker", "subscription QoS 0, 1 or 2 (default 0)")              \
	X(BIND, "bind-address", 'A', "ADDRESS", "broker", "connect from this local address")       \
	X(PROXY, "proxy", 0, "URL", "broker",                                                      \
	  "through a proxy: socks5h://[user[:password]@]host[:port] (port 1080), or an HTTP "      \
	  "CONNECT proxy http://[user[:password]@]host[:port] (port 8080)")                        \
	X(WS_HEADER, "ws-header", 0, "HEADER", "broker",                                           \
	  "'Name: value' added to the WebSocket upgrade request (e.g. a token); repeatable")       \
	X(CAFILE, "cafile", 0, "FILE", "tls", "CA certificates to verify the broker")              \
	X(CAPATH, "capath", 0, "DIR", "tls", "directory of CA certificates")                       \
	X(OS_CERTS, "tls-use-os-certs", 0, NULL, "tls",                                            \
	  "trust the system's CA certificates (the default without --cafile)")                     \
	X(CERT, "cert", 0, "FILE", "tls", "client certificate (needs --key)")                      \
	X(KEY, "key", 0, "FILE", "tls", "client private key (needs --cert)")                       \
	X(TLS_VERSION, "tls-version", 0, "VERSION", "tls", "tlsv1.1, tlsv1.2 or tlsv1.3")          \
	X(CIPHERS, "ciphers", 0, "LIST", "tls", "OpenSSL cipher list")                             \
	X(ALPN, "tls-alpn", 0, "PROTOCOL", "tls", "TLS ALPN protocol (e.g. x-amzn-mqtt-ca)")       \
	X(PSK, "psk", 0, "HEX", "tls", "TLS pre-shared key in hex (needs --psk-identity)")         \
	X(PSK_IDENTITY, "psk-identity", 0, "ID", "tls", "TLS-PSK identity")                        \
	X(INSECURE, "insecure", 0, NULL, "tls",                                                    \
	  "do not check the broker's host name; with no CA given, no check at all (unsafe)")       \
	X(NO_TLS, "no-tls", 0, NULL, "tls", "plain TCP even on port 8883")                         \
	/* mosquitto_sub's output and exit options: mqscope log honours them */                    \
	X(VERBOSE, "verbose", 'v', NULL, "compat", "(topics are always shown)")                    \
	X(DEBUG, "debug", 'd', NULL, "compat", "(no debug output: it would hold secrets)")         \
	X(FORMAT, "format", 'F', "FORMAT", "compat",                                               \
	  "(payloads are shown formatted; mqscope log takes --json or --csv instead)")             \
	X(NO_EOL, "no-eol", 'N', NULL, "compat", "log: no newline after a message")                \
	X(PRETTY, "pretty", 0, NULL, "compat", "(JSON is always pretty-printed in the viewer)")    \
	X(QUIET, "quiet", 0, NULL, "compat", "log, dump: no error messages")                       \
	X(NO_STALE, "no-stale", 'R', NULL, "compat",                                               \
	  "log: leave out retained messages (the viewer marks them)")                              \
	X(COUNT, "count", 'C', "COUNT", "compat", "log: exit after COUNT messages")                \
	X(TIMEOUT, "timeout", 'W', "SECONDS", "compat",                                            \
	  "log, dump: exit after SECONDS from connecting, with status 27")                         \
	X(EXIT_AFTER_SUB, "exit-after-subscribe", 'E', NULL, "compat",                             \
	  "log: exit once the broker has acknowledged the subscriptions")                          \
	X(RETAINED_ONLY, "retained-only", 0, NULL, "compat",                                       \
	  "log: only retained messages; exit at the first live one")                               \
	X(RANDOM_FILTER, "random-filter", 0, "PERCENT", "compat",                                  \
	  "log: write only PERCENT of the messages, chosen at random")                             \
	X(RETAIN_AS_PUBLISHED, "retain-as-published", 0, NULL, "compat",                           \
	  "(always on with MQTT 5)")                                                               \
	X(NODELAY, "nodelay", 0, NULL, "compat", "(always on)")                                    \
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
	X(JSON, "json", 0, NULL, "output", "write JSON Lines, the format of --record")             \
	X(CSV, "csv", 0, NULL, "output", "write CSV: time, topic, then the --fields columns")      \
	X(FIELDS, "fields", 0, "LIST", "output",                                                   \
	  "the columns of --csv: JSON field paths or 'payload', comma-separated")                  \
	X(RAW, "raw", 0, NULL, "output", "write bytes as received (not made safe for a terminal)") \
	X(CONFIG, "config", 0, "FILE", "program",                                                  \
	  "config file (default $XDG_CONFIG_HOME/mqscope/config)")                                 \
	X(PROFILE, "profile", 0, "NAME", "program", "broker profile from the config file")         \
	X(THEME, "theme", 0, "NAME", "program",                                                    \
	  "colour theme (default, light, high-contrast, mono)")                                    \
	X(ASCII, "ascii", 0, NULL, "program", "draw without line-drawing or block characters")     \
	X(NO_MOUSE, "no-mouse", 0, NULL, "program",                                                \
	  "keep the mouse for the terminal's own selection (no clicks, no wheel)")                 \
	X(DEMO, "demo", 0, NULL, "program", "start a private demo broker with simulated devices")  \
	X(STATS, "stats", 0, "FILE", "program",                                                    \
	  "write message counts to FILE on exit and on SIGUSR1")                                   \
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

/* Whether the option was given on the command line (not just set by the config file). */
#define OPTION_GIVEN(s, id) (((s)->given[(id) / 64] >> ((id) % 64)) & 1u)

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
/* The option's long name and group ("broker", "tls", "will", "publish", "program", "compat"). */
const char *options_long_name(enum option_id id);
const char *options_group(enum option_id id);
/* Its short letter (0 = none), argument name (NULL = a flag) and help text. */
char options_short(enum option_id id);
const char *options_arg_name(enum option_id id);
const char *options_help(enum option_id id);
/* The groups in display order with their titles; returns how many (at most max). */
size_t options_groups(const char **names, const char **titles, size_t max);
/* The first option of group given on the command line, or -1. */
int options_given_in_group(const struct settings *s, const char *group);
/* "-m/--message" for messages about an option. */
void options_flag_name(enum option_id id, char *buf, size_t cap);
/* Prints --help generated from the table. */
void options_usage(FILE *out);
/*
 * Checks what no single option can: pairs that go together (--cert/--key),
 * -c without a client id, files that cannot be read... on the settings as
 * flags and the config file left them. Returns 0, or -1 with a message.
 */
int options_check(const struct settings *s, char *msg, size_t cap);
/* Overwrites passwords in argv (-P, --psk, -L user:password@) so ps(1) does not show them. */
void options_scrub_argv(int argc, char **argv);

#define OPTIONS_MAX_BROKERS 8
/*
 * Several brokers on one command line (-L or --profile more than once): one
 * argument vector per broker in out (allocated, NULL-terminated, each string
 * a copy), each with every other argument and that broker's own -L or
 * --profile. Returns how many -L and --profile there are; out is filled only
 * when there are 2 to max. More than max: returns max + 1.
 */
size_t options_split_brokers(int argc, char **argv, char ***out, size_t max);
/* Frees what options_split_brokers made. */
void options_free_argv(char **argv);
/*
 * Copies url into buf with the password of user:password@ replaced by ***, for
 * every message that shows a URL. has_path: a -L URL (its path starts at the
 * first '/'); else a --proxy URL, whose password may hold '/'.
 */
void options_redact_url(const char *url, bool has_path, char *buf, size_t cap);
/* Parses a mqtt:// or mqtts:// URL into s. */
int options_parse_url(struct settings *s, const char *url, char *msg, size_t cap);

#endif
