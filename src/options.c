/* options.c: command-line parsing and --help, both driven by the MQS_OPTIONS table. */
#define _GNU_SOURCE
#include "mqscope/options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

int options_parse_url(struct settings *s, const char *url, char *msg, size_t cap)
{
	const char *p, *at, *slash, *hostend, *colon;
	char *userinfo = NULL;
	long port;

	if (strncmp(url, "mqtt://", 7) == 0) {
		p = url + 7;
	} else if (strncmp(url, "mqtts://", 8) == 0) {
		p = url + 8;
		s->tls = true;
	} else {
		return fail(msg, cap, "-L: '%s' must start with mqtt:// or mqtts://", url);
	}
	slash = strchr(p, '/');
	at = memchr(p, '@', slash ? (size_t)(slash - p) : strlen(p));
	if (at != NULL) {
		userinfo = strndup(p, (size_t)(at - p));
		char *pw = strchr(userinfo, ':');
		if (pw != NULL) {
			*pw++ = '\0';
			settings_set_str(&s->password, pw);
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
	if (colon != NULL) {
		char *ps = strndup(colon + 1, (size_t)(hostend - colon - 1));
		bool ok = parse_long(ps, 1, 65535, &port);
		free(ps);
		if (!ok)
			return fail(msg, cap, "-L: '%s' has a bad port (1-65535)", url);
		s->port = (int)port;
	}
	if (slash != NULL && slash[1] != '\0')
		settings_add_str(&s->topics, &s->ntopics, slash + 1);
	return 0;
}

int options_apply(struct settings *s, enum option_id id, const char *arg, char *msg, size_t cap)
{
	long v;
	char name[40];

	if (table[id].shrt)
		snprintf(name, sizeof(name), "-%c", table[id].shrt);
	else
		snprintf(name, sizeof(name), "--%s", table[id].lng);

	switch (id) {
	case OPT_HOST:
		settings_set_str(&s->host, arg);
		break;
	case OPT_PORT:
		if (!parse_long(arg, 1, 65535, &v))
			return fail(msg, cap, "%s: '%s' is not a port (1-65535)", name, arg);
		s->port = (int)v;
		break;
	case OPT_URL:
		return options_parse_url(s, arg, msg, cap);
	case OPT_USER:
		settings_set_str(&s->user, arg);
		break;
	case OPT_PASSWORD:
		settings_set_str(&s->password, arg);
		break;
	case OPT_ID:
		if (strlen(arg) > 65535)
			return fail(msg, cap, "%s: client id is too long", name);
		settings_set_str(&s->client_id, arg);
		break;
	case OPT_ID_PREFIX:
		settings_set_str(&s->id_prefix, arg);
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
	case OPT_TOPIC:
	case OPT_EXCLUDE:
		if (*arg == '\0')
			return fail(msg, cap, "%s: empty topic filter", name);
		if (id == OPT_TOPIC)
			settings_add_str(&s->topics, &s->ntopics, arg);
		else
			settings_add_str(&s->excludes, &s->nexcludes, arg);
		break;
	case OPT_QOS:
		return qos_arg(arg, &s->qos, name, msg, cap);
	case OPT_CAFILE:
		settings_set_str(&s->cafile, arg);
		break;
	case OPT_CAPATH:
		settings_set_str(&s->capath, arg);
		break;
	case OPT_CERT:
		settings_set_str(&s->cert, arg);
		break;
	case OPT_KEY:
		settings_set_str(&s->key, arg);
		break;
	case OPT_TLS_VERSION:
		if (strcmp(arg, "tlsv1.2") && strcmp(arg, "tlsv1.3"))
			return fail(msg, cap, "%s: '%s' is not tlsv1.2 or tlsv1.3", name, arg);
		settings_set_str(&s->tls_version, arg);
		break;
	case OPT_INSECURE:
		s->insecure = true;
		break;
	case OPT_WILL_TOPIC:
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
		settings_set_str(&s->theme, arg);
		break;
	case OPT_ASCII:
		s->ascii = true;
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

void options_usage(FILE *out)
{
	static const char *groups[][2] = {
	    {"broker", "Broker"},
	    {"tls", "TLS"},
	    {"will", "Last will"},
	    {"publish", "Publish (mqscope pub; -t is the topic, -q its QoS)"},
	    {"program", "Program"}};

	fputs(
	    "Usage: mqscope [OPTIONS]            watch a broker (a demo broker if none is given)\n"
	    "       mqscope pub -t TOPIC (-m PAYLOAD | -f FILE | -s | -n) [-q QOS] [-r] [OPTIONS]\n"
	    "                                    publish one message and exit (0 once the broker\n"
	    "                                    has it; 1 when refused or unreachable)\n"
	    "       mqscope sim [-h HOST] [-p PORT]  run the demo devices against a broker\n",
	    out);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		fprintf(out, "\n%s:\n", groups[g][1]);
		for (int i = 0; i < OPT__COUNT; i++) {
			char left[48];
			int n;

			if (strcmp(table[i].group, groups[g][0]) != 0)
				continue;
			if (table[i].shrt)
				n = snprintf(left, sizeof(left), "-%c, --%s", table[i].shrt,
				             table[i].lng);
			else
				n = snprintf(left, sizeof(left), "    --%s", table[i].lng);
			if (table[i].arg)
				snprintf(left + n, sizeof(left) - (size_t)n, " %s", table[i].arg);
			fprintf(out, "  %-30s %s\n", left, table[i].help);
		}
	}
	fputs("\nKeys inside mqscope: press ? for help.\n", out);
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

	bool seen_topic = false, seen_exclude = false;

	opterr = 0;
	optind = 0; /* 0 makes glibc reset its internal state too */
	while ((c = getopt_long(argc, argv, shorts, longopts, &idx)) != -1) {
		int id = -1;

		if (c == '?' || c == ':') {
			const char *what = argv[optind - 1];

			if (c == ':')
				fprintf(err, "mqscope: option '%s' needs an argument\n", what);
			else if (optopt)
				fprintf(err, "mqscope: unknown option '-%c'\n", optopt);
			else
				fprintf(err, "mqscope: unknown option '%s'\n", what);
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
		s->given |= (uint64_t)1 << id;
		/* Lists given as flags replace the config file's, not add to them. */
		if (id == OPT_TOPIC && !seen_topic) {
			seen_topic = true;
			settings_clear_list(&s->topics, &s->ntopics);
		}
		if (id == OPT_EXCLUDE && !seen_exclude) {
			seen_exclude = true;
			settings_clear_list(&s->excludes, &s->nexcludes);
		}
		if (options_apply(s, (enum option_id)id, optarg, msg, sizeof(msg)) != 0) {
			fprintf(err, "mqscope: %s\n", msg);
			return OPTIONS_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(err, "mqscope: unexpected argument '%s'\nTry 'mqscope --help'.\n",
		        argv[optind]);
		return OPTIONS_ERROR;
	}
	return OPTIONS_OK;
}
