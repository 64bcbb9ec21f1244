/* options.c: command-line parsing and --help, both driven by the MQS_OPTIONS table. */
#define _GNU_SOURCE
#include "mqscope/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/topic.h"
#include "mqscope/utf8.h"
#include "mqscope/util.h"

#ifndef MQSCOPE_VERSION
#define MQSCOPE_VERSION "0.0.0"
#endif

struct option_info {
	const char *lng;
	char shrt;
	const char *arg;
	const char *group;
	const char *help;
};

_Static_assert(OPT__COUNT <= 128, "struct settings.given holds 128 option bits");

static const struct option_info table[OPT__COUNT] = {
#define X(id, lng, shrt, arg, group, help) [OPT_##id] = {lng, shrt, arg, group, help},
    MQS_OPTIONS(X)
#undef X
};

static int fail(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
	return -1;
}

static int qos_arg(const char *arg, int *out, const char *name, char *msg, size_t cap)
{
	long v;

	if (!parse_long(arg, 0, 2, &v))
		return fail(msg, cap, "%s: '%s' is not a QoS (0, 1 or 2)", name, arg);
	*out = (int)v;
	return 0;
}

/* Checks a subscription filter the way mosquitto_sub does. */
static int filter_arg(const char *arg, const char *name, char *msg, size_t cap)
{
	if (*arg == '\0')
		return fail(msg, cap, "%s: empty topic filter", name);
	if (!utf8_valid(arg, strlen(arg)))
		return fail(msg, cap, "%s: '%s' is not valid UTF-8", name, arg);
	if (!topic_filter_valid(arg))
		return fail(msg, cap,
		            "%s: '%s' is not a valid topic filter ('+' and '#' must fill a whole "
		            "level, '#' only at the end)",
		            name, arg);
	return 0;
}

/*
 * Where the password of [scheme://]user:password@host... lies, as [*from, *to).
 * A --proxy URL has no path, so there the password may hold '/' (the last '@'
 * of all ends it); a -L URL's path starts at the first '/'.
 */
static bool url_password_span(const char *url, bool has_path, size_t *from, size_t *to)
{
	const char *p = strstr(url, "://"), *end, *at = NULL, *colon;

	p = p ? p + 3 : url;
	end = has_path && strchr(p, '/') ? strchr(p, '/') : p + strlen(p);
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	if (colon == NULL)
		return false;
	*from = (size_t)(colon + 1 - url);
	*to = (size_t)(at - url);
	return true;
}

void options_redact_url(const char *url, bool has_path, char *buf, size_t cap)
{
	size_t from, to;

	if (url_password_span(url, has_path, &from, &to))
		snprintf(buf, cap, "%.*s***%s", (int)from, url, url + to);
	else
		snprintf(buf, cap, "%s", url);
}

int options_parse_url(struct settings *s, const char *raw, char *msg, size_t cap)
{
	const char *p, *at = NULL, *slash, *hostend, *colon, *url = raw;
	char shown[400];

	/* Messages show the URL with its password as ***. */
	options_redact_url(raw, true, shown, sizeof(shown));
	url = shown;

	s->ws = strncasecmp(raw, "ws://", 5) == 0 || strncasecmp(raw, "wss://", 6) == 0;
	if (strncasecmp(raw, "mqtt://", 7) == 0 || strncasecmp(raw, "ws://", 5) == 0) {
		p = strstr(raw, "://") + 3;
		s->tls_by_url = false;
	} else if (strncasecmp(raw, "mqtts://", 8) == 0 || strncasecmp(raw, "wss://", 6) == 0) {
		p = strstr(raw, "://") + 3;
		s->tls_by_url = true;
	} else {
		return fail(msg, cap, "-L: '%s' must start with mqtt://, mqtts://, ws:// or wss://",
		            url);
	}
	slash = strchr(p, '/');
	/* The last '@' before the path: a password may hold '@', a host never does. */
	for (const char *q = p; q < (slash ? slash : p + strlen(p)); q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		char *userinfo = strndup(p, (size_t)(at - p));
		char *pw = strchr(userinfo, ':');

		if (pw != NULL) {
			*pw++ = '\0';
			settings_set_secret(&s->password, pw);
			explicit_bzero(pw, strlen(pw));
		}
		settings_set_str(&s->user, userinfo);
		free(userinfo);
		p = at + 1;
	}
	hostend = slash ? slash : p + strlen(p);
	if (*p == '[') { /* [v6]:port */
		const char *rb = memchr(p, ']', (size_t)(hostend - p));
		if (rb == NULL)
			return fail(msg, cap, "-L: '%s': unterminated [ in host", url);
		char *h = strndup(p + 1, (size_t)(rb - p - 1));
		settings_set_str(&s->host, h);
		free(h);
		colon = rb + 1 < hostend && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(hostend - p));
		char *h = strndup(p, (size_t)((colon ? colon : hostend) - p));
		if (*h == '\0') {
			free(h);
			return fail(msg, cap, "-L: '%s' has no host", url);
		}
		settings_set_str(&s->host, h);
		free(h);
	}
	/* Like mosquitto_sub, the URL sets the port: its own, or the scheme's default. */
	s->port = 0;
	if (colon != NULL) {
		char *ps = strndup(colon + 1, (size_t)(hostend - colon - 1));
		long port;
		bool ok = parse_long(ps, 1, 65535, &port);
		free(ps);
		if (!ok)
			return fail(msg, cap, "-L: '%s' has a bad port (1-65535)", url);
		s->port = (int)port;
	}
	settings_set_str(&s->unix_path, NULL);
	settings_set_str(&s->ws_path, NULL);
	if (s->ws) {
		/* The path is the HTTP one, not a topic. */
		if (slash != NULL) {
			for (const char *q = slash; *q; q++)
				if ((unsigned char)*q <= ' ' || *q == 0x7f)
					return fail(msg, cap,
					            "-L: '%s': the path may not hold spaces or "
					            "control characters",
					            url);
			settings_set_str(&s->ws_path, slash);
		}
		return 0;
	}
	if (slash != NULL && slash[1] != '\0') {
		if (filter_arg(slash + 1, "-L", msg, cap))
			return -1;
		settings_add_str(&s->topics, &s->ntopics, slash + 1);
	}
	return 0;
}

/* --ws-header 'Name: value': an HTTP header line (a token, a colon, printable text). */
static int ws_header_arg(struct settings *s, const char *arg, char *msg, size_t cap)
{
	const char *colon = strchr(arg, ':');

	if (colon == NULL || colon == arg)
		return fail(msg, cap, "--ws-header: '%s' is not 'Name: value'", arg);
	for (const char *q = arg; q < colon; q++)
		if (!isalnum((unsigned char)*q) && !strchr("!#$%&'*+-.^_`|~", *q))
			return fail(msg, cap, "--ws-header: '%.*s' is not a header name",
			            (int)(colon - arg), arg);
	for (const char *q = colon + 1; *q; q++)
		if ((unsigned char)*q < ' ' && *q != '\t')
			return fail(msg, cap, "--ws-header: control characters in '%s'", arg);
	settings_add_str(&s->ws_headers, &s->nws_headers, arg);
	return 0;
}

/* Decodes %XX in place (user names and passwords in URLs); false on a bad escape. */
static bool percent_decode(char *s)
{
	char *out = s;

	for (char *p = s; *p; p++) {
		if (*p == '%') {
			unsigned v;

			if (!p[1] || !p[2] || sscanf(p + 1, "%2x", &v) != 1 || v == 0)
				return false;
			*out++ = (char)v;
			p += 2;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	return true;
}

/*
 * --proxy socks5h://[user[:password]@]host[:port], as mosquitto_sub takes it,
 * or http://[user[:password]@]host[:port] for an HTTP CONNECT proxy.
 */
static int proxy_arg(struct settings *s, const char *raw, char *msg, size_t cap)
{
	const char *p = raw, *at = NULL, *colon, *url;
	char *host = NULL, shown[400];
	long port = 1080;
	int rc = 0;

	options_redact_url(raw, false, shown, sizeof(shown));
	url = shown; /* for messages */
	if (strncasecmp(raw, "socks5h://", 10) == 0) {
		p += 10;
		s->proxy_kind = PROXY_SOCKS5;
	} else if (strncasecmp(raw, "http://", 7) == 0) {
		p += 7;
		port = 8080;
		s->proxy_kind = PROXY_HTTP;
	} else {
		return fail(msg, cap, "--proxy: '%s' must start with socks5h:// or http://", url);
	}
	for (const char *q = p; *q; q++)
		if (*q == '@')
			at = q;
	settings_set_str(&s->proxy_user, NULL);
	settings_set_secret(&s->proxy_password, NULL);
	if (at) {
		char *ui = strndup(p, (size_t)(at - p)), *pw = strchr(ui, ':');

		if (pw) {
			*pw++ = '\0';
			if (!percent_decode(pw))
				rc = fail(msg, cap, "--proxy: bad %%-escape in the password");
			settings_set_secret(&s->proxy_password, pw);
			explicit_bzero(pw, strlen(pw));
		}
		if (rc == 0 && (!percent_decode(ui) || *ui == '\0'))
			rc = fail(msg, cap, "--proxy: '%s': bad user name", url);
		settings_set_str(&s->proxy_user, ui);
		free(ui);
		if (rc)
			return rc;
		p = at + 1;
	}
	colon = strrchr(p, ':');
	host = strndup(p, colon ? (size_t)(colon - p) : strlen(p));
	if (*host == '\0' || strchr(host, '/'))
		rc = fail(msg, cap, "--proxy: '%s' has no host", url);
	else if (colon && !parse_long(colon + 1, 1, 65535, &port))
		rc = fail(msg, cap, "--proxy: '%s' has a bad port (1-65535)", url);
	if (rc == 0) {
		settings_set_str(&s->proxy_host, host);
		s->proxy_port = (int)port;
	}
	free(host);
	return rc;
}

/* Parses -x: seconds, or -1 / 4294967295 / "forever" / "∞" for a session that never expires. */
static int expiry_arg(struct settings *s, const char *arg, const char *name, char *msg, size_t cap)
{
	long long v;
	char *end;

	if (!strcmp(arg, "forever") || !strcmp(arg, "\xe2\x88\x9e") || !strcmp(arg, "-1")) {
		s->session_expiry = UINT32_MAX;
		return 0;
	}
	errno = 0;
	v = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno || v < 0 || v > (long long)UINT32_MAX)
		return fail(msg, cap,
		            "%s: '%s' is not a session expiry (0-4294967295 seconds, or -1 for "
		            "never)",
		            name, arg);
	s->session_expiry = v;
	return 0;
}

/* Applies an option taken from mosquitto_sub: mqscope log honours it, the viewer ignores it. */
static int compat_arg(struct settings *s, enum option_id id, const char *arg, const char *name,
                      char *msg, size_t cap)
{
	long v;
	char *end;
	double d;

	switch (id) {
	case OPT_COUNT:
	case OPT_TIMEOUT:
		if (!parse_long(arg, 1, INT32_MAX, &v))
			return fail(msg, cap, "%s: '%s' is not a positive number", name, arg);
		*(id == OPT_COUNT ? &s->out_count : &s->out_timeout) = v;
		return 0;
	case OPT_RANDOM_FILTER:
		d = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || !(d >= 0.1 && d <= 100.0))
			return fail(msg, cap, "%s: '%s' is not a percentage (0.1-100)", name, arg);
		s->out_random = d;
		return 0;
	case OPT_NO_EOL:
		s->out_no_eol = true;
		return 0;
	case OPT_QUIET:
		s->out_quiet = true;
		return 0;
	case OPT_NO_STALE:
		s->out_no_stale = true;
		return 0;
	case OPT_EXIT_AFTER_SUB:
		s->out_exit_after_sub = true;
		return 0;
	case OPT_RETAINED_ONLY:
		s->out_retained_only = true;
		return 0;
	default:
		return 0;
	}
}

/* --fields: comma-separated CSV columns, each a JSON field path or "payload". */
static int fields_arg(struct settings *s, const char *arg, char *msg, size_t cap)
{
	const char *p = arg;

	settings_clear_list(&s->out_fields, &s->nout_fields);
	for (;;) {
		size_t n = strcspn(p, ",");
		char *f;

		if (n == 0)
			return fail(msg, cap, "--fields: '%s' has an empty column name", arg);
		f = xmalloc(n + 1);
		memcpy(f, p, n);
		f[n] = '\0';
		s->out_fields = xrealloc(s->out_fields, (s->nout_fields + 1) * sizeof(char *));
		s->out_fields[s->nout_fields++] = f;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

int options_apply(struct settings *s, enum option_id id, const char *arg, char *msg, size_t cap)
{
	long v;
	char name[48];

	if (table[id].shrt)
		snprintf(name, sizeof(name), "-%c", table[id].shrt);
	else
		snprintf(name, sizeof(name), "--%s", table[id].lng);

	switch (id) {
	case OPT_HOST:
		if (*arg == '\0')
			return fail(msg, cap, "%s: empty host name", name);
		settings_set_str(&s->host, arg);
		settings_set_str(&s->unix_path, NULL);
		break;
	case OPT_PORT:
		if (!parse_long(arg, 1, 65535, &v))
			return fail(msg, cap, "%s: '%s' is not a port (1-65535)", name, arg);
		s->port = (int)v;
		break;
	case OPT_URL:
		return options_parse_url(s, arg, msg, cap);
	case OPT_UNIX:
		if (*arg == '\0')
			return fail(msg, cap, "%s: empty socket path", name);
		settings_set_str(&s->unix_path, arg);
		/* The socket replaces the host an earlier mqtts:// URL named, and its TLS. */
		s->tls_by_url = false;
		break;
	case OPT_USER:
		settings_set_str(&s->user, arg);
		break;
	case OPT_PASSWORD:
		settings_set_secret(&s->password, arg);
		break;
	case OPT_ID:
		if (*arg == '\0' || strlen(arg) > 65535)
			return fail(msg, cap, "%s: a client id is 1 to 65535 bytes", name);
		if (!utf8_valid(arg, strlen(arg)))
			return fail(msg, cap, "%s: the client id is not valid UTF-8", name);
		settings_set_str(&s->client_id, arg);
		settings_set_str(&s->id_prefix, NULL);
		break;
	case OPT_ID_PREFIX:
		if (!utf8_valid(arg, strlen(arg)) || strlen(arg) > 65000)
			return fail(msg, cap, "%s: the prefix is not valid UTF-8 or too long",
			            name);
		settings_set_str(&s->id_prefix, arg);
		settings_set_str(&s->client_id, NULL);
		break;
	case OPT_KEEPALIVE:
		if (!parse_long(arg, 5, 65535, &v))
			return fail(msg, cap, "%s: '%s' is not a keepalive (5-65535 seconds)", name,
			            arg);
		s->keepalive = (int)v;
		break;
	case OPT_PROTOCOL:
		if (!strcmp(arg, "mqttv31") || !strcmp(arg, "31"))
			s->protocol = MQTT_V31;
		else if (!strcmp(arg, "mqttv311") || !strcmp(arg, "311"))
			s->protocol = MQTT_V311;
		else if (!strcmp(arg, "mqttv5") || !strcmp(arg, "5"))
			s->protocol = MQTT_V5;
		else
			return fail(msg, cap, "%s: '%s' is not mqttv31, mqttv311 or mqttv5", name,
			            arg);
		break;
	case OPT_PERSISTENT:
		s->persistent = true;
		break;
	case OPT_SESSION_EXPIRY:
		return expiry_arg(s, arg, name, msg, cap);
	case OPT_TOPIC:
	case OPT_EXCLUDE:
	case OPT_UNSUBSCRIBE:
		if (filter_arg(arg, name, msg, cap))
			return -1;
		if (id == OPT_TOPIC)
			settings_add_str(&s->topics, &s->ntopics, arg);
		else if (id == OPT_EXCLUDE)
			settings_add_str(&s->excludes, &s->nexcludes, arg);
		else
			settings_add_str(&s->unsubs, &s->nunsubs, arg);
		break;
	case OPT_QOS:
		return qos_arg(arg, &s->qos, name, msg, cap);
	case OPT_BIND:
		if (*arg == '\0')
			return fail(msg, cap, "%s: empty address", name);
		settings_set_str(&s->bind_address, arg);
		break;
	case OPT_PROXY:
		return proxy_arg(s, arg, msg, cap);
	case OPT_WS_HEADER:
		return ws_header_arg(s, arg, msg, cap);
	case OPT_CAFILE:
		settings_set_str(&s->cafile, arg);
		break;
	case OPT_CAPATH:
		settings_set_str(&s->capath, arg);
		break;
	case OPT_OS_CERTS:
		s->os_certs = true;
		break;
	case OPT_CERT:
		settings_set_str(&s->cert, arg);
		break;
	case OPT_KEY:
		settings_set_str(&s->key, arg);
		break;
	case OPT_TLS_VERSION:
		if (strcmp(arg, "tlsv1.1") && strcmp(arg, "tlsv1.2") && strcmp(arg, "tlsv1.3"))
			return fail(msg, cap, "%s: '%s' is not tlsv1.1, tlsv1.2 or tlsv1.3", name,
			            arg);
		settings_set_str(&s->tls_version, arg);
		break;
	case OPT_CIPHERS:
		settings_set_str(&s->ciphers, arg);
		break;
	case OPT_ALPN:
		if (*arg == '\0' || strlen(arg) > 255)
			return fail(msg, cap, "%s: an ALPN protocol is 1 to 255 bytes", name);
		settings_set_str(&s->alpn, arg);
		break;
	case OPT_PSK:
		if (*arg == '\0' || strspn(arg, "0123456789abcdefABCDEF") != strlen(arg))
			return fail(msg, cap, "%s: the key must be hexadecimal digits (no 0x)",
			            name);
		settings_set_secret(&s->psk, arg);
		break;
	case OPT_PSK_IDENTITY:
		settings_set_str(&s->psk_identity, arg);
		break;
	case OPT_INSECURE:
		s->insecure = true;
		break;
	case OPT_NO_TLS:
		s->no_tls = true;
		break;
	case OPT_VERBOSE:
	case OPT_DEBUG:
	case OPT_FORMAT:
	case OPT_NO_EOL:
	case OPT_PRETTY:
	case OPT_QUIET:
	case OPT_NO_STALE:
	case OPT_COUNT:
	case OPT_TIMEOUT:
	case OPT_EXIT_AFTER_SUB:
	case OPT_RETAINED_ONLY:
	case OPT_RANDOM_FILTER:
	case OPT_RETAIN_AS_PUBLISHED:
	case OPT_NODELAY:
		return compat_arg(s, id, arg, name, msg, cap);
	case OPT_JSON:
		s->out_json = true;
		break;
	case OPT_CSV:
		s->out_csv = true;
		break;
	case OPT_FIELDS:
		return fields_arg(s, arg, msg, cap);
	case OPT_RAW:
		s->out_raw = true;
		break;
	case OPT_WILL_TOPIC:
		if (*arg == '\0' || topic_has_wildcard(arg) || !utf8_valid(arg, strlen(arg)))
			return fail(msg, cap, "%s: '%s' is not a topic one can publish to", name,
			            arg);
		settings_set_str(&s->will_topic, arg);
		break;
	case OPT_WILL_PAYLOAD:
		settings_set_str(&s->will_payload, arg);
		break;
	case OPT_WILL_QOS:
		return qos_arg(arg, &s->will_qos, name, msg, cap);
	case OPT_WILL_RETAIN:
		s->will_retain = true;
		break;
	case OPT_MESSAGE:
		settings_set_str(&s->pub_message, arg);
		break;
	case OPT_FILE:
		settings_set_str(&s->pub_file, arg);
		break;
	case OPT_STDIN_FILE:
		s->pub_stdin = true;
		break;
	case OPT_NULL_MESSAGE:
		s->pub_null = true;
		break;
	case OPT_RETAIN:
		s->pub_retain = true;
		break;
	case OPT_CONFIG:
		settings_set_str(&s->config_path, arg);
		break;
	case OPT_PROFILE:
		settings_set_str(&s->profile, arg);
		break;
	case OPT_THEME:
		if (*arg == '\0')
			return fail(msg, cap, "%s: empty theme name", name);
		settings_set_str(&s->theme, arg);
		break;
	case OPT_ASCII:
		s->ascii = true;
		break;
	case OPT_NO_MOUSE:
		s->mouse = false;
		break;
	case OPT_DEMO:
		s->demo = true;
		break;
	case OPT_STATS:
		settings_set_str(&s->stats_path, arg);
		break;
	case OPT_RECORD:
		settings_set_str(&s->record_path, arg);
		break;
	case OPT_REPLAY:
		settings_set_str(&s->replay_path, arg);
		break;
	case OPT_REPLAY_SPEED: {
		char *end;
		double sp = strtod(arg, &end);

		if (end == arg || *end != '\0' || !(sp >= 0) || sp > 1e6)
			return fail(
			    msg, cap,
			    "--replay-speed: '%s' is not a speed (0 = all at once, 1, 10...)", arg);
		s->replay_speed = sp;
		break;
	}
	case OPT_HELP:
	case OPT_VERSION:
	case OPT__COUNT:
		break;
	}
	return 0;
}

int options_find(const char *long_name)
{
	for (int i = 0; i < OPT__COUNT; i++) {
		const char *a = table[i].lng, *b = long_name;

		while (*a && *b && (*a == *b || (*a == '-' && *b == '_')))
			a++, b++;
		if (*a == '\0' && *b == '\0')
			return i;
	}
	return -1;
}

bool options_takes_arg(enum option_id id)
{
	return table[id].arg != NULL;
}

const char *options_long_name(enum option_id id)
{
	return table[id].lng;
}

const char *options_group(enum option_id id)
{
	return table[id].group;
}

int options_given_in_group(const struct settings *s, const char *group)
{
	for (int i = 0; i < OPT__COUNT; i++)
		if (OPTION_GIVEN(s, i) && strcmp(table[i].group, group) == 0)
			return i;
	return -1;
}

void options_flag_name(enum option_id id, char *buf, size_t cap)
{
	if (table[id].shrt)
		snprintf(buf, cap, "-%c/--%s", table[id].shrt, table[id].lng);
	else
		snprintf(buf, cap, "--%s", table[id].lng);
}

char options_short(enum option_id id)
{
	return table[id].shrt;
}

const char *options_arg_name(enum option_id id)
{
	return table[id].arg;
}

const char *options_help(enum option_id id)
{
	return table[id].help;
}

/* Groups in the order --help and the man page show them, with their titles. */
static const char *const group_titles[][2] = {
    {"broker", "Broker"},
    {"tls", "TLS"},
    {"will", "Last will"},
    {"publish", "Publish (mqscope pub; -t is the topic, -q its QoS)"},
    {"program", "Program"},
    {"output", "Output (mqscope log, mqscope dump)"},
    {"compat", "From mosquitto_sub (the viewer accepts them and ignores them)"},
};
#define NTITLES (sizeof(group_titles) / sizeof(group_titles[0]))

size_t options_groups(const char **names, const char **titles, size_t max)
{
	size_t n = 0;

	for (size_t g = 0; g < NTITLES && n < max; g++) {
		names[n] = group_titles[g][0];
		titles[n++] = group_titles[g][1];
	}
	/* A group nobody gave a title yet still shows, after the known ones. */
	for (int i = 0; i < OPT__COUNT && n < max; i++) {
		bool known = false;

		for (size_t g = 0; g < n && !known; g++)
			known = strcmp(names[g], table[i].group) == 0;
		if (!known) {
			names[n] = table[i].group;
			titles[n++] = table[i].group;
		}
	}
	return n;
}

void options_usage(FILE *out)
{
	const char *names[32], *titles[32];
	size_t ng = options_groups(names, titles, 32);

	fputs(
	    "Usage: mqscope [OPTIONS]            watch a broker (a demo broker if none is given)\n"
	    "       mqscope pub -t TOPIC (-m PAYLOAD | -f FILE | -s | -n) [-q QOS] [-r] [OPTIONS]\n"
	    "                                    publish one message and exit (0 once the broker\n"
	    "                                    has it; 1 when refused or unreachable)\n"
	    "       mqscope log [-t FILTER]... [--json | --csv [--fields LIST]] [-C N] [-W "
	    "SECONDS]\n"
	    "                                    print messages as they arrive, like mosquitto_sub "
	    "-v\n"
	    "       mqscope dump [-t FILTER]... [--json | --csv [--fields LIST]] [-W SECONDS]\n"
	    "                                    print the retained messages once (a JSON tree by\n"
	    "                                    default) and exit\n"
	    "       mqscope sim [OPTIONS]            run the demo devices against a broker (the\n"
	    "                                    connection options and profiles of the TUI)\n",
	    out);
	for (size_t g = 0; g < ng; g++) {
		bool any = false;

		for (int i = 0; i < OPT__COUNT; i++) {
			char left[64];
			int n;

			if (strcmp(table[i].group, names[g]) != 0)
				continue;
			if (!any)
				fprintf(out, "\n%s:\n", titles[g]);
			any = true;
			if (table[i].shrt)
				n = snprintf(left, sizeof(left), "-%c, --%s", table[i].shrt,
				             table[i].lng);
			else
				n = snprintf(left, sizeof(left), "    --%s", table[i].lng);
			if (table[i].arg)
				snprintf(left + n, sizeof(left) - (size_t)n, " %s", table[i].arg);
			if (strlen(left) >= 30) /* keep two spaces before the help */
				fprintf(out, "  %s\n  %-30s %s\n", left, "", table[i].help);
			else
				fprintf(out, "  %-30s %s\n", left, table[i].help);
		}
	}
	fputs("\nEnvironment: MQSCOPE_PASSWORD (the password when no -P is given), NO_COLOR,\n"
	      "XDG_CONFIG_HOME. Keys inside mqscope: press ? for help. See mqscope(1).\n",
	      out);
}

/* mosquitto_sub options mqscope does not take, and what to do instead. */
static const char *const unsupported[][2] = {
    {"D", "MQTT 5 properties (-D) are not supported"},
    {"property", "MQTT 5 properties (-D) are not supported"},
    {"remove-retained", "clear retained messages from inside mqscope instead"},
    {"tls-engine", "OpenSSL engines are not supported"},
    {"tls-engine-kpass-sha1", "OpenSSL engines are not supported"},
    {"keyform", "OpenSSL engines are not supported; --key takes a PEM file"},
    {"S", "DNS SRV lookup is not supported; give -h and -p"},
    {"o", "mosquitto options files are not read; use a profile (--config, --profile)"},
    {"ws", "websockets are not supported"},
};

/* Explains a rejected option when mosquitto_sub knows it; else says it is unknown. */
static void unknown_option(FILE *err, const char *arg)
{
	char what[128];
	const char *name = what;

	/* Only the name: a value after '=' may be a secret (--password=...). */
	snprintf(what, sizeof(what), "%.*s", (int)strcspn(arg, "="), arg);

	while (*name == '-')
		name++;
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		size_t n = strlen(unsupported[i][0]);

		if (strncmp(name, unsupported[i][0], n) == 0 &&
		    (name[n] == '\0' || name[n] == '=')) {
			fprintf(err, "mqscope: option '%s': %s\n", what, unsupported[i][1]);
			return;
		}
	}
	fprintf(err, "mqscope: unknown option '%s'\n", what);
}

/* Whether a -L URL names a topic (a WebSocket URL's path is an HTTP path). */
static bool url_has_topic(const char *url)
{
	const char *p = strstr(url, "://"), *slash;

	if (strncasecmp(url, "ws", 2) == 0)
		return false;
	slash = p ? strchr(p + 3, '/') : NULL;
	return slash && slash[1] != '\0';
}

/* Whether a -L URL carries user:password@. */
static bool url_has_password(const char *url)
{
	size_t from, to;

	return strstr(url, "://") != NULL && url_password_span(url, true, &from, &to);
}

enum options_result options_parse(int argc, char **argv, struct settings *s, FILE *err)
{
	struct option longopts[OPT__COUNT + 1];
	char shorts[OPT__COUNT * 2 + 2];
	size_t k = 0;
	char msg[512];
	int c, idx;

	shorts[k++] = ':'; /* report missing arguments as ':' */
	for (int i = 0; i < OPT__COUNT; i++) {
		longopts[i].name = table[i].lng;
		longopts[i].has_arg = table[i].arg ? required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = 256 + i;
		if (table[i].shrt) {
			shorts[k++] = table[i].shrt;
			if (table[i].arg)
				shorts[k++] = ':';
		}
	}
	shorts[k] = '\0';
	memset(&longopts[OPT__COUNT], 0, sizeof(longopts[0]));

	bool seen_topic = false, seen_exclude = false, seen_unsub = false;

	opterr = 0;
	optind = 0; /* 0 makes glibc reset its internal state too */
	while ((c = getopt_long(argc, argv, shorts, longopts, &idx)) != -1) {
		int id = -1;

		if (c == '?' || c == ':') {
			const char *what = argv[optind - 1];
			char shortname[3] = {'-', (char)optopt, '\0'};

			if (c == ':')
				fprintf(err, "mqscope: option '%s' needs an argument\n", what);
			else if (optopt)
				unknown_option(err, shortname);
			else
				unknown_option(err, what);
			fputs("Try 'mqscope --help'.\n", err);
			return OPTIONS_ERROR;
		}
		if (c >= 256) {
			id = c - 256;
		} else {
			for (int i = 0; i < OPT__COUNT; i++)
				if (table[i].shrt == c)
					id = i;
		}
		if (id < 0)
			continue;
		if (id == OPT_HELP) {
			options_usage(stdout);
			return OPTIONS_EXIT;
		}
		if (id == OPT_VERSION) {
			printf("mqscope %s\n", MQSCOPE_VERSION);
			return OPTIONS_EXIT;
		}
		s->given[id / 64] |= (uint64_t)1 << (id % 64);
		/* Lists given as flags replace the config file's, not add to them. */
		if ((id == OPT_TOPIC || (id == OPT_URL && url_has_topic(optarg))) && !seen_topic) {
			seen_topic = true;
			settings_clear_list(&s->topics, &s->ntopics);
		}
		if (id == OPT_EXCLUDE && !seen_exclude) {
			seen_exclude = true;
			settings_clear_list(&s->excludes, &s->nexcludes);
		}
		if (id == OPT_UNSUBSCRIBE && !seen_unsub) {
			seen_unsub = true;
			settings_clear_list(&s->unsubs, &s->nunsubs);
		}
		if (options_apply(s, (enum option_id)id, optarg, msg, sizeof(msg)) != 0) {
			fprintf(err, "mqscope: %s\n", msg);
			return OPTIONS_ERROR;
		}
		/* A password in -L counts as -P: it beats $MQSCOPE_PASSWORD and the file. */
		if (id == OPT_URL && url_has_password(optarg))
			s->given[OPT_PASSWORD / 64] |= (uint64_t)1 << (OPT_PASSWORD % 64);
	}
	if (optind < argc) {
		fprintf(err, "mqscope: unexpected argument '%s'\nTry 'mqscope --help'.\n",
		        argv[optind]);
		return OPTIONS_ERROR;
	}
	if (OPTION_GIVEN(s, OPT_ID) && OPTION_GIVEN(s, OPT_ID_PREFIX)) {
		fputs("mqscope: -i and -I cannot be used together\n", err);
		return OPTIONS_ERROR;
	}
	return OPTIONS_OK;
}

/* Checks that a file option names a readable file (or a directory, for --capath). */
static int check_path(const char *path, const char *name, bool dir, char *msg, size_t cap)
{
	struct stat sb;

	if (path == NULL)
		return 0;
	if (stat(path, &sb) != 0 || access(path, R_OK) != 0)
		return fail(msg, cap, "%s %s: %s", name, path, strerror(errno));
	if (dir && !S_ISDIR(sb.st_mode))
		return fail(msg, cap, "%s %s: not a directory", name, path);
	if (!dir && S_ISDIR(sb.st_mode))
		return fail(msg, cap, "%s %s: is a directory, not a file", name, path);
	return 0;
}

/* The first TLS option set (a socket has no TLS to apply it to), or -1. */
static int unix_tls_option(const struct settings *s)
{
	const struct {
		enum option_id id;
		bool set;
	} tls[] = {
	    {OPT_CAFILE, s->cafile},
	    {OPT_CAPATH, s->capath},
	    {OPT_CERT, s->cert},
	    {OPT_KEY, s->key},
	    {OPT_TLS_VERSION, s->tls_version},
	    {OPT_CIPHERS, s->ciphers},
	    {OPT_ALPN, s->alpn},
	    {OPT_PSK, s->psk},
	    {OPT_PSK_IDENTITY, s->psk_identity},
	    {OPT_OS_CERTS, s->os_certs},
	    {OPT_INSECURE, s->insecure},
	    {OPT_URL, s->tls_by_url},
	};

	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++)
		if (tls[i].set)
			return tls[i].id;
	return -1;
}

int options_check(const struct settings *s, char *msg, size_t cap)
{
	bool v5 = s->protocol == MQTT_V5 || s->protocol == MQTT_AUTO;
	bool endless =
	    v5 && (s->session_expiry == UINT32_MAX || (s->persistent && s->session_expiry < 0));

	if (s->persistent && s->client_id == NULL)
		return fail(
		    msg, cap,
		    "-c (persistent session) needs a fixed client id: add -i ID (the broker "
		    "finds the session by it)");
	if (endless && s->client_id == NULL)
		return fail(
		    msg, cap,
		    "-x -1 (a session that never expires) needs a fixed client id: add -i ID");
	if ((s->cert == NULL) != (s->key == NULL))
		return fail(msg, cap, "--cert and --key go together: give both or neither");
	if (s->will_topic == NULL && (s->will_payload || s->will_retain || s->will_qos))
		return fail(msg, cap,
		            "--will-payload, --will-qos and --will-retain need --will-topic");
	if (s->psk && (s->cafile || s->capath || s->cert))
		return fail(msg, cap, "--psk cannot be used with --cafile, --capath or --cert");
	if ((s->psk == NULL) != (s->psk_identity == NULL))
		return fail(msg, cap, "--psk and --psk-identity go together");
	if (s->password && s->user == NULL && !v5)
		return fail(msg, cap,
		            "MQTT 3.1/3.1.1 sends a password only with a username: add -u USER "
		            "(or use -V mqttv5)");
	if (s->unix_path && unix_tls_option(s) >= 0) {
		char name[48];

		options_flag_name((enum option_id)unix_tls_option(s), name, sizeof(name));
		return fail(msg, cap,
		            "--unix connects through a local socket, without TLS: %s cannot be "
		            "used with it",
		            name);
	}
	if (s->no_tls && (s->tls_by_url || OPTION_GIVEN(s, OPT_CAFILE) ||
	                  OPTION_GIVEN(s, OPT_CAPATH) || OPTION_GIVEN(s, OPT_CERT) ||
	                  OPTION_GIVEN(s, OPT_INSECURE) || OPTION_GIVEN(s, OPT_PSK)))
		return fail(msg, cap, "--no-tls contradicts the TLS options given with it");
	if (check_path(s->cafile, "--cafile", false, msg, cap) ||
	    check_path(s->capath, "--capath", true, msg, cap) ||
	    check_path(s->cert, "--cert", false, msg, cap) ||
	    check_path(s->key, "--key", false, msg, cap))
		return -1;
	return 0;
}

/* Overwrites len bytes of a secret in place with '*'. */
static void scrub(char *p, size_t len)
{
	memset(p, '*', len);
}

/* Overwrites the password of a -L (with a path) or --proxy URL in place. */
static void scrub_url(char *url, bool has_path)
{
	size_t from, to;

	if (strstr(url, "://") != NULL && url_password_span(url, has_path, &from, &to))
		scrub(url + from, to - from);
}

/*
 * The option at argv[*i] as getopt_long reads it, for the options that take
 * a value: its id and in *val the value, which may be the next argument
 * (then *i moves onto it). -1 for anything else, -2 at "--".
 */
static int option_at(int argc, char **argv, int *i, char **val)
{
	char *a = argv[*i];

	*val = NULL;
	if (strcmp(a, "--") == 0)
		return -2;
	if (a[0] != '-' || a[1] == '\0')
		return -1;
	if (a[1] == '-') {
		char *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		int id = -1, matches = 0;

		/* getopt_long takes unambiguous prefixes ("--pw", "--ur"): so do we. */
		for (int o = 0; o < OPT__COUNT; o++) {
			if (strncmp(a + 2, table[o].lng, n) != 0)
				continue;
			if (strlen(table[o].lng) == n) {
				id = o;
				matches = 1;
				break;
			}
			id = o;
			matches++;
		}
		if (matches != 1 || !table[id].arg)
			return -1;
		*val = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
		return id;
	}
	/* A cluster of short options: "-cP secret", "-Psecret", "-L url". */
	for (char *p = a + 1; *p; p++) {
		int id = -1;

		for (int o = 0; o < OPT__COUNT && id < 0; o++)
			if (table[o].shrt == *p)
				id = o;
		if (id < 0 || !table[id].arg)
			continue;
		*val = p[1] ? p + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
		return id;
	}
	return -1;
}

void options_scrub_argv(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *val;
		int id = option_at(argc, argv, &i, &val);

		if (id == -2)
			return;
		if (val && (id == OPT_PASSWORD || id == OPT_PSK))
			scrub(val, strlen(val));
		else if (val && (id == OPT_URL || id == OPT_PROXY))
			scrub_url(val, id == OPT_URL);
	}
}

size_t options_split_brokers(int argc, char **argv, char ***out, size_t max)
{
	int from[OPTIONS_MAX_BROKERS], to[OPTIONS_MAX_BROKERS];
	size_t n = 0;

	if (max > OPTIONS_MAX_BROKERS)
		max = OPTIONS_MAX_BROKERS;
	for (int i = 1; i < argc; i++) {
		int at = i;
		char *val;
		int id = option_at(argc, argv, &i, &val);

		if (id == -2)
			break;
		if (id != OPT_URL && id != OPT_PROFILE)
			continue;
		if (n == max)
			return max + 1;
		from[n] = at;
		to[n++] = i + 1;
	}
	if (n < 2)
		return n;
	/* Each broker's line: the program, every other argument, then its own -L or --profile. */
	for (size_t b = 0; b < n; b++) {
		char **v = xcalloc((size_t)argc + 1, sizeof(*v));
		size_t k = 0;

		v[k++] = xstrdup(argv[0]);
		for (int i = 1; i < argc; i++) {
			bool own = false, other = false;

			for (size_t c = 0; c < n; c++) {
				if (i >= from[c] && i < to[c]) {
					own = c == b;
					other = c != b;
				}
			}
			if (!own && !other)
				v[k++] = xstrdup(argv[i]);
		}
		for (int i = from[b]; i < to[b]; i++)
			v[k++] = xstrdup(argv[i]);
		out[b] = v;
	}
	return n;
}

void options_free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
