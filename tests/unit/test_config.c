/* test_config.c: the config file (every error names file:line), profiles under flags, the
 * shipped example; the mosquitto_sub flags, their cross-checks, and where passwords come from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/actions.h"
#include "mqscope/config.h"
#include "mqscope/negotiate.h"
#include "mqscope/options.h"
#include "mqscope/secret.h"
#include "mqscope/transport_tls.h"
#include "mqscope/session.h"

#include "tmpdir.h"

/* Writes text to tmpdir/name with mode; returns the path (static buffer). */
static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Loads text as a config file into s (fresh); returns config_load_file's result. */
static int load(struct settings *s, const char *text, char *err, size_t cap)
{
	const char *path = write_file("config", text, 0600);

	settings_init(s);
	err[0] = '\0';
	return config_load_file(s, path, err, cap);
}

/* Expects text to fail with an error starting "config:line: " and holding words. */
static void expect_error(const char *text, int line, const char *words)
{
	struct settings s;
	char err[1024], want[300];

	if (load(&s, text, err, sizeof(err)) != -1)
		fail_msg("accepted:\n%s", text);
	if (line > 0)
		snprintf(want, sizeof(want), "%s/config:%d: ", tmpdir, line);
	else
		snprintf(want, sizeof(want), "%s/config: ", tmpdir);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, words) == NULL)
		fail_msg("for:\n%s\ngot:  %s\nwant: %s...%s", text, err, want, words);
	settings_free(&s);
}

static void unit__config__errors_name_file_and_line(void **state)
{
	(void)state;
	/* libconfig's own: syntax */
	expect_error("profiles = {\n  home = {\n    host = ;\n  };\n};\n", 3, "syntax error");
	expect_error("ui = { fps = 20; };\nprofils = {};\n", 2,
	             "unknown top-level setting 'profils' (did you mean 'profiles'?)");
	expect_error("profiles = { a = {\n host = \"h\";\n hots = \"x\";\n}; };\n", 3,
	             "unknown profile setting 'hots' (did you mean 'host'?)");
	/* Program options are not profile settings. */
	expect_error("profiles = { a = {\n theme = \"x\"; }; };\n", 2,
	             "unknown profile setting 'theme'");
	/* wrong types */
	expect_error("profiles = { a = {\n host = \"h\";\n persistent = \"yes\";\n}; };\n", 3,
	             "'persistent' must be true or false, not a string");
	expect_error("ui = {\n  fps = \"fast\";\n};\n", 2, "'fps' must be a number, not a string");
	expect_error("profiles = { a = {\n  host = [\"a\", \"b\"];\n}; };\n", 2,
	             "'host' takes one value, not an array");
	expect_error("profiles = 5;\n", 1, "'profiles' must be a group { ... }, not a number");
	/* values checked by the same code as the flags */
	expect_error("profiles = { a = {\n  port = 99999;\n}; };\n", 2,
	             "-p: '99999' is not a port (1-65535)");
	expect_error("profiles = { a = {\n  topics = [ \"ok/#\",\n \"bad/#/x\" ];\n}; };\n", 3,
	             "'bad/#/x' is not a valid topic filter");
	expect_error("profiles = { a = {\n  protocol = \"mqttv4\";\n}; };\n", 2,
	             "is not mqttv31, mqttv311 or mqttv5");
	expect_error("ui = {\n  fps = 500;\n};\n", 2, "'fps' must be between 1 and 120");
	expect_error("ui = {\n  memory_budget = \"lots\";\n};\n", 2, "must be a size like 64M");
	expect_error("ui = {\n  colour = true;\n};\n", 2, "unknown ui setting 'colour'");
	expect_error("keys = {\n  qiut = \"q\";\n};\n", 2,
	             "unknown action 'qiut' (did you mean 'quit'?)");
	expect_error("toggles = (\n { filter = \"a/#/b\"; }\n);\n", 2, "not a valid topic filter");
	expect_error("messages = (\n { name = \"x\"; }\n);\n", 2, "a message needs topic");
	expect_error("messages = (\n { topic = \"a/+\"; }\n);\n", 2,
	             "is not a topic one can publish to");
	expect_error("decoders = (\n { filter = \"a/#\";\n format = \"cbr\"; }\n);\n", 3,
	             "unknown format 'cbr' (did you mean 'cbor'?)");
	expect_error("decoders = (\n { format = \"cbor\"; }\n);\n", 2, "a decoder needs filter");
	expect_error("decoders = (\n { filter = \"a/#\"; }\n);\n", 2, "a decoder needs format");
	expect_error("decoders = (\n { filter = \"a/#/b\"; format = \"cbor\"; }\n);\n", 2,
	             "not a valid topic filter");
	expect_error(
	    "decoders = (\n { filter = \"a\"; format = \"cbor\";\n message = \"x.Y\"; }\n);\n", 3,
	    "'message' is only for format = \"protobuf\"");
	expect_error(
	    "decoders = (\n { filter = \"a\"; format = \"protobuf\";\n message = \"x.Y\"; }\n);\n",
	    3, "'message' needs schema");
	expect_error(
	    "decoders = (\n { filter = \"a\"; format = \"protobuf\";\n schema = \"nope.desc\";\n "
	    "message = \"x.Y\"; }\n);\n",
	    3, "nope.desc: cannot read");
	expect_error("decoders = (\n { filter = \"a\"; formt = \"cbor\"; }\n);\n", 2,
	             "unknown decoder setting 'formt' (did you mean 'format'?)");
	expect_error("decoders = { a = 1; };\n", 1, "'decoders' must be a list");
}

/* A protobuf rule's schema is a descriptor set next to the file; its message type must be in it. */
static void unit__config__decoder_rules(void **state)
{
	const char *src = getenv("MQSCOPE_TESTS");
	char cmd[1024], err[1024];
	struct settings s;

	(void)state;
	assert_non_null(src);
	snprintf(cmd, sizeof(cmd), "cp '%s/vectors/protobuf/telemetry.desc' '%s/t.desc'", src,
	         tmpdir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(load(&s,
	                      "decoders = (\n"
	                      "  { filter = \"plant/+/telemetry\"; format = \"protobuf\";\n"
	                      "    schema = \"t.desc\"; message = \"demo.Telemetry\"; },\n"
	                      "  { filter = \"lab/#\"; format = \"MessagePack\"; },\n"
	                      "  { filter = \"spBv1.0/x/#\"; format = \"none\"; }\n"
	                      ");\n",
	                      err, sizeof(err)),
	                 0);
	assert_int_equal(s.ndecoders, 3);
	assert_int_equal(s.decoders[0].format, DECODE_PROTOBUF);
	assert_non_null(s.decoders[0].schema);
	assert_string_equal(s.decoders[0].message, "demo.Telemetry");
	assert_int_equal(s.decoders[0].line, 2);
	assert_int_equal(s.decoders[1].format, DECODE_MSGPACK);
	assert_null(s.decoders[1].schema);
	assert_int_equal(s.decoders[2].format, DECODE_NONE);
	settings_free(&s);
	/* A type the schema does not have: the closest one is suggested. */
	expect_error(
	    "decoders = (\n { filter = \"a\"; format = \"protobuf\"; schema = \"t.desc\";\n"
	    " message = \"demo.Telemetri\"; }\n);\n",
	    3, "no message type 'demo.Telemetri' in");
	expect_error(
	    "decoders = (\n { filter = \"a\"; format = \"protobuf\"; schema = \"t.desc\";\n"
	    " message = \"demo.Telemetri\"; }\n);\n",
	    3, "(did you mean 'demo.Telemetry'?)");
	/* No message type: the ones in the schema are listed. */
	expect_error("decoders = (\n { filter = \"a\"; format = \"protobuf\";\n schema = "
	             "\"t.desc\"; }\n);\n",
	             3, "demo.Location, demo.Telemetry");
	/* A FIFO is refused at once, not waited on. */
	snprintf(cmd, sizeof(cmd), "%s/fifo.desc", tmpdir);
	assert_int_equal(mkfifo(cmd, 0600), 0);
	expect_error(
	    "decoders = (\n { filter = \"a\"; format = \"protobuf\";\n schema = \"fifo.desc\";"
	    " message = \"a.B\"; }\n);\n",
	    3, "not a regular file");
	/* Not a descriptor set. */
	write_file("junk.desc", "this is text", 0600);
	expect_error(
	    "decoders = (\n { filter = \"a\"; format = \"protobuf\";\n schema = \"junk.desc\";"
	    " message = \"a.B\"; }\n);\n",
	    3, "not a FileDescriptorSet");
	expect_error("watches = (\n { filter = \"a/#\";\n condition = \"> hot\"; }\n);\n", 3,
	             "'>' compares numbers: 'hot' is not one");
	expect_error("watches = (\n { filter = \"a/#\"; }\n);\n", 2, "a watch needs condition");
	expect_error("watches = (\n { condition = \"> 1\"; }\n);\n", 2, "a watch needs filter");
	expect_error(
	    "watches = (\n { filter = \"a\";\n  condition = \"> 1\";\n  bel = true; }\n);\n", 4,
	    "unknown watch setting 'bel' (did you mean 'bell'?)");
	expect_error("watches = (\n { filter = \"a/#/b\";\n condition = \"> 1\"; }\n);\n", 2,
	             "'a/#/b' is not a valid topic filter");
	expect_error(
	    "watches = (\n { filter = \"a\";\n field = \"v\";\n condition = \"silent\"; }\n);\n", 3,
	    "'silent' is about the topic, not a field");
	expect_error("watches = (\n { filter = \"a\"; condition = \"matches (\"; }\n);\n", 2,
	             "is not a regular expression");
	expect_error("watches = { a = 1; };\n", 1, "'watches' must be a list");
	expect_error("wills = (\n { filter = \"a/+/LWT\"; }\n);\n", 2, "a will needs offline");
	expect_error("wills = (\n { filter = \"a\"; offline = \"x\"; onlin = \"y\"; }\n);\n", 2,
	             "unknown will setting 'onlin' (did you mean 'online'?)");
	expect_error("ui = {\n  silence_factor = 1.0;\n};\n", 2,
	             "'silence_factor' must be between 1.5 and 100");
	expect_error("ui = {\n  silence_factor = \"x\";\n};\n", 2, "must be a number");
	expect_error("ui = {\n  bell = 1;\n};\n", 2, "'bell' must be true or false");
}

static void unit__config__keys_of_every_mode_can_be_bound(void **state)
{
	struct settings s;
	char err[1024];

	(void)state;
	assert_int_equal(load(&s,
	                      "keys = {\n  move_down = \"J\";\n"
	                      "  form = { send = [\"C-s\", \"F2\"]; next_field = \"Tab\"; };\n"
	                      "  help_window = { close = \"x\"; };\n  help = \"F2\";\n};\n",
	                      err, sizeof(err)),
	                 0);
	assert_int_equal(s.nkeys, 5);
	assert_string_equal(s.keys[0].action, "move-down");
	assert_string_equal(s.keys[1].action, "form.send");
	assert_int_equal(s.keys[1].nkeys, 2);
	assert_int_equal(s.keys[1].line, 3);
	assert_string_equal(s.keys[2].action, "form.next-field");
	assert_string_equal(s.keys[3].action, "help_window.close");
	assert_string_equal(s.keys[4].action, "help");
	for (size_t i = 0; i < s.nkeys; i++)
		assert_int_not_equal(action_by_name(s.keys[i].action), ACT_NONE);
	assert_int_equal(action_by_name("form.send"), ACT_FORM_SEND);
	assert_int_equal(action_mode(ACT_FORM_SEND), MODE_FORM);
	assert_int_equal(action_by_name("send"), ACT_NONE); /* not at the top level */
	assert_int_equal(action_by_name("nosuch.send"), ACT_NONE);
	/* A mode's group is never a top-level action's name: both can be set in one file. */
	for (int m = 0; m < MODE__COUNT; m++)
		if (mode_group((enum key_mode)m))
			assert_int_equal(action_by_name(mode_group((enum key_mode)m)), ACT_NONE);
	settings_free(&s);

	expect_error("keys = {\n  form = {\n    sedn = \"C-s\";\n  };\n};\n", 3,
	             "unknown action 'sedn' in keys.form (did you mean 'send'?)");
	expect_error("keys = {\n  frm = { send = \"C-s\"; };\n};\n", 2,
	             "unknown key group 'frm' (did you mean 'form'?)");
	/* A modal action is not a top-level name. */
	expect_error("keys = {\n  send = \"C-s\";\n};\n", 2, "unknown action 'send'");
}

static void unit__config__missing_profile_lists_the_others(void **state)
{
	struct settings s;
	char err[1024];

	(void)state;
	/* default_profile names one that is not there: the error points at that line. */
	expect_error("profiles = {\n  home = { host = \"h\"; };\n  work = { host = \"w\"; };\n};\n"
	             "default_profile = \"office\";\n",
	             5, "no profile 'office'; profiles here: home, work");

	/* --profile: the profiles group's line. */
	settings_init(&s);
	settings_set_str(&s.profile, "lab");
	assert_int_equal(
	    config_load_file(
	        &s,
	        write_file("config", "# mine\nprofiles = {\n  home = { port = 1; };\n};\n", 0600),
	        err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "/config:2: no profile 'lab'; profiles here: home"));
	settings_free(&s);

	/* A file without profiles says so, with no line to point at. */
	settings_init(&s);
	settings_set_str(&s.profile, "lab");
	assert_int_equal(config_load_file(&s, write_file("config", "ui = { fps = 10; };\n", 0600),
	                                  err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "/config: no profile 'lab'; this file has no profiles"));
	settings_free(&s);

	/* A config file that does not exist. */
	settings_init(&s);
	settings_set_str(&s.config_path, "/nonexistent/mqscope.conf");
	assert_int_equal(config_load(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/mqscope.conf: cannot read"));
	settings_free(&s);
}

static enum options_result parse_into(struct settings *s, const char *line)
{
	char buf[1024], *argv[64];
	int argc = 0;
	FILE *null = fopen("/dev/null", "w");
	enum options_result r;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = "mqscope";
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	r = options_parse(argc, argv, s, null);
	fclose(null);
	return r;
}

/* The file's profile, then the flags over it, as main() does. */
static void unit__config__flags_override_the_profile(void **state)
{
	struct settings s;
	char err[1024];

	(void)state;
	assert_int_equal(
	    load(&s,
	         "default_profile = \"home\";\n"
	         "profiles = { home = {\n"
	         "  host = \"broker.lan\"; port = 1884; user = \"alice\";\n"
	         "  topics = [ \"home/#\", \"zigbee/#\" ]; exclude = \"home/noise/#\";\n"
	         "  protocol = \"mqttv311\"; clean_session = false; id = \"me\";\n"
	         "  qos = 1; keepalive = 30; cafile = \"~/ca.pem\";\n"
	         "  unsubscribe = [ \"old/#\", \"older/#\" ];\n"
	         "}; };\n",
	         err, sizeof(err)),
	    0);
	assert_string_equal(s.profile, "home");
	assert_true(s.config_broker);
	assert_int_equal(s.ntopics, 2);
	assert_true(s.persistent);
	assert_int_equal(s.protocol, MQTT_V311);
	assert_string_equal(s.excludes[0], "home/noise/#");
	assert_int_equal(s.nunsubs, 2);
	{
		char want[512];
		snprintf(want, sizeof(want), "%s/ca.pem", getenv("HOME"));
		assert_string_equal(s.cafile, want);
	}
	/* Flags win; a list given as flags replaces the profile's. */
	assert_int_equal(parse_into(&s, "-p 1999 -t only/# -V mqttv5 -u bob"), OPTIONS_OK);
	assert_int_equal(s.port, 1999);
	assert_string_equal(s.host, "broker.lan");
	assert_string_equal(s.user, "bob");
	assert_int_equal(s.ntopics, 1);
	assert_string_equal(s.topics[0], "only/#");
	assert_int_equal(s.nexcludes, 1); /* not given as a flag: the profile's stays */
	assert_int_equal(s.protocol, MQTT_V5);
	assert_int_equal(s.keepalive, 30);
	/* A -L with a topic also replaces the profile's topics; its port resets to the scheme's. */
	assert_int_equal(parse_into(&s, "-L mqtts://other.example/x/#"), OPTIONS_OK);
	settings_finish(&s);
	assert_int_equal(s.ntopics, 1);
	assert_string_equal(s.topics[0], "x/#");
	assert_int_equal(s.port, 8883);
	assert_true(s.tls);
	settings_free(&s);
}

static void unit__config__password_in_a_readable_file_warns(void **state)
{
	struct settings s;
	char err[1024];
	const char *text = "default_profile = \"p\";\nprofiles = { p = { host = \"h\"; user = "
	                   "\"u\"; password = \"pw\"; }; };\n";

	(void)state;
	settings_init(&s);
	assert_int_equal(config_load_file(&s, write_file("config", text, 0644), err, sizeof(err)),
	                 0);
	assert_non_null(s.warning);
	assert_non_null(strstr(s.warning, "holds a password and is readable by others"));
	assert_null(strstr(s.warning, "pw\"")); /* never the password itself */
	settings_free(&s);
	settings_init(&s);
	assert_int_equal(config_load_file(&s, write_file("config", text, 0600), err, sizeof(err)),
	                 0);
	assert_null(s.warning);
	assert_string_equal(s.password, "pw");
	settings_free(&s);
}

/* The documented example in the repository loads, and so does each of its profiles. */
static void unit__config__shipped_example_loads(void **state)
{
	const char *src = getenv("MQSCOPE_TESTS");
	const char *profiles[] = {NULL, "local", "home", "cloud", "factory"};
	char path[512], err[1024];

	(void)state;
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/../mqscope.conf.example", src);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct settings s;

		settings_init(&s);
		settings_set_str(&s.profile, profiles[i]);
		if (config_load_file(&s, path, err, sizeof(err)) != 0)
			fail_msg("%s: %s", profiles[i] ? profiles[i] : "(default)", err);
		assert_true(s.config_broker);
		assert_true(s.ntopics >= 1);
		assert_true(s.nkeys >= 1 && s.ntoggles >= 1 && s.nsaved >= 1 && s.ndecoders >= 1);
		assert_true(s.nwatches >= 4 && s.nwills >= 1);
		assert_true(s.bell);
		assert_true(s.silence_factor == 2.5 && s.silence_floor == 1000);
		assert_int_equal(s.watches[1].bell, 0);
		assert_string_equal(s.watches[1].condition, "== \"OFF\"");
		if (profiles[i] && !strcmp(profiles[i], "factory")) {
			assert_true(s.persistent);
			assert_int_equal(s.session_expiry, 3600);
			settings_finish(&s);
			assert_true(s.tls);
		}
		if (profiles[i] && !strcmp(profiles[i], "cloud")) {
			settings_finish(&s);
			assert_true(s.tls);
			assert_int_equal(s.port, 8883);
			assert_string_equal(s.user, "alice");
		}
		settings_free(&s);
	}
}

static enum options_result parse(struct settings *s, const char *line)
{
	settings_init(s);
	return parse_into(s, line);
}

/* Typical mosquitto_sub lines work with only the program name changed. */
static void unit__options__mosquitto_sub_lines(void **state)
{
	static const char *lines[] = {
	    "-h test.mosquitto.org -t # -v",
	    "-h localhost -t sensors/+/temp -v -C 10 -W 30",
	    "-h b -p 8883 --cafile /etc/ssl/certs/ca-certificates.crt -t a -d",
	    "-L mqtt://user:pass@host:1884/some/topic -F %t:%p -N --pretty --quiet",
	    "-h b -t a -R --retained-only -E --random-filter 50 --nodelay",
	    "-h b -t a -c -i keeper -x 3600 -U old/# -A 127.0.0.1 --retain-as-published",
	    "-h b -t a --tls-use-os-certs --tls-alpn x-amzn-mqtt-ca --ciphers HIGH",
	    "-h b -t a --psk 0a1b2c --psk-identity me -V 311 -u u",
	    "--unix /run/mosquitto.sock -t a",
	    "-h b -t a --proxy socks5h://u:p%40ss@proxy.lan",
	    "-h b -t a --will-topic w --will-payload bye --will-qos 1 --will-retain",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct settings s;
		char msg[512];

		if (parse(&s, lines[i]) != OPTIONS_OK)
			fail_msg("rejected: %s", lines[i]);
		/* Files are checked for real; this test has none. */
		settings_set_str(&s.cafile, NULL);
		if (options_check(&s, msg, sizeof(msg)) != 0)
			fail_msg("%s: %s", lines[i], msg);
		settings_free(&s);
	}
}

static void unit__options__values_and_defaults(void **state)
{
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, "-h b -x -1 -c -i k -U a/# -U b/+ -A 10.0.0.1 -q 2"),
	                 OPTIONS_OK);
	assert_int_equal(s.session_expiry, UINT32_MAX);
	assert_int_equal(s.nunsubs, 2);
	assert_string_equal(s.bind_address, "10.0.0.1");
	settings_free(&s);
	assert_int_equal(parse(&s, "-h b -x 0"), OPTIONS_OK);
	assert_int_equal(s.session_expiry, 0);
	settings_free(&s);

	/* TLS: on with any TLS option, mqtts:// or port 8883; off with --no-tls. */
	assert_int_equal(parse(&s, "-h b -p 8883"), OPTIONS_OK);
	settings_finish(&s);
	assert_true(s.tls);
	settings_free(&s);
	assert_int_equal(parse(&s, "-h b -p 8883 --no-tls"), OPTIONS_OK);
	settings_finish(&s);
	assert_false(s.tls);
	settings_free(&s);
	assert_int_equal(parse(&s, "-h b --insecure"), OPTIONS_OK);
	settings_finish(&s);
	assert_true(s.tls);
	assert_int_equal(s.port, 8883);
	settings_free(&s);
	assert_int_equal(parse(&s, "-h b -p 1883"), OPTIONS_OK);
	settings_finish(&s);
	assert_false(s.tls);
	settings_free(&s);

	/* -I: the prefix; the pid is added at connect time. -i after -I (from a file) wins. */
	assert_int_equal(parse(&s, "-h b -I mon-"), OPTIONS_OK);
	assert_string_equal(s.id_prefix, "mon-");
	assert_null(s.client_id);
	settings_free(&s);

	/* SOCKS5: user and password %-decoded, port 1080 unless given. */
	assert_int_equal(parse(&s, "-h b --proxy socks5h://bob:p%40ss@proxy.lan"), OPTIONS_OK);
	assert_string_equal(s.proxy_host, "proxy.lan");
	assert_int_equal(s.proxy_port, 1080);
	assert_string_equal(s.proxy_user, "bob");
	assert_string_equal(s.proxy_password, "p@ss");
	settings_free(&s);
	assert_int_equal(parse(&s, "-h b --proxy socks5h://proxy.lan:9050"), OPTIONS_OK);
	assert_int_equal(s.proxy_port, 9050);
	assert_null(s.proxy_user);
	settings_free(&s);

	/* URL forms. */
	assert_int_equal(parse(&s, "-L mqtt://u:p@ss@host/t"), OPTIONS_OK);
	assert_string_equal(s.user, "u");
	assert_string_equal(s.password, "p@ss"); /* the last @ ends the user info */
	assert_string_equal(s.host, "host");
	assert_true(OPTION_GIVEN(&s, OPT_PASSWORD));
	settings_finish(&s);
	assert_int_equal(s.port, 1883);
	settings_free(&s);
	assert_int_equal(parse(&s, "-L MQTTS://h"), OPTIONS_OK);
	settings_finish(&s);
	assert_int_equal(s.port, 8883);
	assert_int_equal(s.ntopics, 2); /* no topic in the URL: the defaults */
	settings_free(&s);
}

static void unit__options__websocket_and_proxy_urls(void **state)
{
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, "-L wss://alice@broker.example/ws/mqtt?x=1 -t a/#"), OPTIONS_OK);
	settings_finish(&s);
	assert_true(s.ws);
	assert_true(s.tls);
	assert_int_equal(s.port, 443);
	assert_string_equal(s.ws_path, "/ws/mqtt?x=1");
	assert_string_equal(s.user, "alice");
	assert_int_equal(s.ntopics, 1); /* the path is not a topic */
	settings_free(&s);
	assert_int_equal(parse(&s, "-L ws://h --ws-header X-A:1 --ws-header Authorization:Bt"),
	                 OPTIONS_OK);
	settings_finish(&s);
	assert_true(s.ws);
	assert_false(s.tls);
	assert_int_equal(s.port, 80);
	assert_null(s.ws_path); /* /mqtt when the request is made */
	assert_int_equal(s.nws_headers, 2);
	settings_free(&s);
	assert_int_equal(parse(&s, "-h b --proxy http://u:p%40w@proxy.corp:3128"), OPTIONS_OK);
	assert_int_equal(s.proxy_kind, PROXY_HTTP);
	assert_int_equal(s.proxy_port, 3128);
	assert_string_equal(s.proxy_password, "p@w");
	settings_free(&s);
	assert_int_equal(parse(&s, "-h b --proxy socks5h://proxy.corp"), OPTIONS_OK);
	assert_int_equal(s.proxy_kind, PROXY_SOCKS5);
	assert_int_equal(s.proxy_port, 1080);
	settings_free(&s);
	/* Back to mqtt://: no WebSocket left over. */
	assert_int_equal(parse(&s, "-L ws://h/p -L mqtt://h/t"), OPTIONS_OK);
	assert_false(s.ws);
	assert_null(s.ws_path);
	settings_free(&s);
}

static void unit__options__bad_values_and_combinations(void **state)
{
	static const char *bad[] = {
	    "-i a -I b",
	    "-t a/#/b",
	    "-T a+",
	    "-U #/a",
	    "-x soon",
	    "-x 4294967296",
	    "-C 0",
	    "-W x",
	    "--random-filter 200",
	    "--tls-version tlsv1.0",
	    "--psk 0xzz",
	    "-L http://h/t",
	    "-L mqtt://h/a/#/b",
	    "--will-topic a/#",
	    "-D connect user-property a b",
	    "--remove-retained",
	    "--proxy ftp://p",
	    "--ws-header NoColon",
	    "--ws-header Bad\\ Name:x",
	    "--proxy socks5h://u@:99",
	    "--proxy socks5h://h:0",
	    "-h",
	};
	static const struct {
		const char *line, *words;
	} unchecked[] = {
	    {"-h b -c", "-c (persistent session) needs a fixed client id"},
	    {"-h b -c -I pre", "-c (persistent session) needs a fixed client id"},
	    {"-h b -x -1", "needs a fixed client id"},
	    {"-h b --cert c.pem", "--cert and --key go together"},
	    {"-h b --will-payload x", "need --will-topic"},
	    {"-h b --psk 00 --psk-identity i --cafile x", "--psk cannot be used with"},
	    {"-h b --psk 00", "--psk and --psk-identity go together"},
	    {"-h b -P pw -V mqttv311", "sends a password only with a username"},
	    {"-h b --cafile /nonexistent/ca.pem", "--cafile /nonexistent/ca.pem: No such file"},
	    {"-h b --capath /etc/passwd", "--capath /etc/passwd: not a directory"},
	    {"-h b --no-tls --cafile /etc/passwd", "--no-tls contradicts"},
	};
	struct settings s;
	char msg[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&s, bad[i]) != OPTIONS_ERROR)
			fail_msg("accepted: %s", bad[i]);
		settings_free(&s);
	}
	for (size_t i = 0; i < sizeof(unchecked) / sizeof(unchecked[0]); i++) {
		assert_int_equal(parse(&s, unchecked[i].line), OPTIONS_OK);
		if (options_check(&s, msg, sizeof(msg)) == 0 || !strstr(msg, unchecked[i].words))
			fail_msg("%s: '%s'", unchecked[i].line, msg);
		settings_free(&s);
	}
	/* A password without a username is fine in MQTT 5. */
	assert_int_equal(parse(&s, "-h b -P pw"), OPTIONS_OK);
	assert_int_equal(options_check(&s, msg, sizeof(msg)), 0);
	settings_free(&s);
}

/* An unsupported mosquitto_sub option says why, not just "unknown". */
static void unit__options__unsupported_options_explained(void **state)
{
	char *argv[] = {"mqscope", "--remove-retained", NULL};
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct settings s;

	(void)state;
	settings_init(&s);
	assert_int_equal(options_parse(2, argv, &s, f), OPTIONS_ERROR);
	fclose(f);
	assert_non_null(strstr(buf, "--remove-retained"));
	assert_non_null(strstr(buf, "clear retained messages from inside mqscope"));
	settings_free(&s);
}

static void unit__options__passwords_scrubbed_from_argv(void **state)
{
	char a[][48] = {"mqscope",
	                "-P",
	                "hunter2",
	                "-L",
	                "mqtt://bob:topsecret@h/t",
	                "-cPsecret3",
	                "--pw=secret4",
	                "--url",
	                "mqtts://x:y@h",
	                "--psk",
	                "abcd",
	                "-u",
	                "bob",
	                "-t",
	                "-P",
	                "--proxy",
	                "socks5h://u:pw@p"};
	char *argv[sizeof(a) / sizeof(a[0]) + 1];
	int argc = (int)(sizeof(a) / sizeof(a[0]));

	(void)state;
	for (int i = 0; i < argc; i++)
		argv[i] = a[i];
	argv[argc] = NULL;
	options_scrub_argv(argc, argv);
	assert_string_equal(argv[2], "*******");
	assert_string_equal(argv[4], "mqtt://bob:*********@h/t");
	assert_string_equal(argv[5], "-cP*******");
	assert_string_equal(argv[6], "--pw=*******");
	assert_string_equal(argv[8], "mqtts://x:*@h");
	assert_string_equal(argv[10], "****");
	assert_string_equal(argv[12], "bob");
	assert_string_equal(argv[14], "-P"); /* the topic named "-P" is not a password */
	assert_string_equal(argv[16], "socks5h://u:**@p");
}

/* Found by fuzz_options: a --proxy password holding '/' stayed readable in ps(1). */
static void unit__options__proxy_password_with_slash_scrubbed(void **state)
{
	char a[][48] = {"mqscope", "--proxy", "socks5h://u:pa/ss@127.0.0.1:1080", "-L",
	                "mqtt://h/a@b"};
	char *argv[6];

	(void)state;
	for (int i = 0; i < 5; i++)
		argv[i] = a[i];
	argv[5] = NULL;
	options_scrub_argv(5, argv);
	assert_string_equal(argv[2], "socks5h://u:*****@127.0.0.1:1080");
	assert_string_equal(argv[4], "mqtt://h/a@b"); /* '@' in the topic: no password */
}

static void unit__secret__environment_password(void **state)
{
	struct settings s;

	(void)state;
	/* Used when no -P and a username: it beats the config file's password. */
	settings_init(&s);
	settings_set_str(&s.user, "alice");
	settings_set_str(&s.password, "from-file");
	setenv(SECRET_ENV, "from-env", 1);
	assert_true(secret_from_env(&s));
	assert_string_equal(s.password, "from-env");
	assert_null(getenv(SECRET_ENV)); /* children never see it */
	settings_free(&s);

	/* -P wins. */
	assert_int_equal(parse(&s, "-u alice -P from-flag"), OPTIONS_OK);
	setenv(SECRET_ENV, "from-env", 1);
	assert_false(secret_from_env(&s));
	assert_string_equal(s.password, "from-flag");
	assert_null(getenv(SECRET_ENV));
	settings_free(&s);

	/* No username: not used (it is the password of a user). */
	settings_init(&s);
	setenv(SECRET_ENV, "from-env", 1);
	assert_false(secret_from_env(&s));
	assert_null(s.password);
	settings_free(&s);
}

/* What the status bar says for what a broker answers. */
static void unit__session__reasons_in_words(void **state)
{
	static const struct {
		enum session_reason r;
		int code;
		const char *words;
		bool auth;
	} cases[] = {
	    {REASON_CONNACK, 4, "bad username or password", true},
	    {REASON_CONNACK, 5, "not authorized", true},
	    {REASON_CONNACK, 3, "server unavailable", false},
	    {REASON_CONNACK, 1, "protocol version not supported by the broker", false},
	    {REASON_V5, 0x86, "bad username or password", true},
	    {REASON_V5, 0x87, "not authorized", true},
	    {REASON_V5, 0x89, "server busy", false},
	    {REASON_V5, 0x8A, "banned by the broker", false},
	    {REASON_V5, 0x8E, "session taken over by another client with this id", false},
	    {REASON_V5, 0x9C, "use another server", false},
	    {REASON_V5, 0x9D, "server moved", false},
	    {REASON_V5, 0x9F, "connection rate exceeded", false},
	    {REASON_TLS, TLS_ERR_UNKNOWN_CA, "broker certificate not trusted (unknown CA", false},
	    {REASON_TLS, TLS_ERR_HOSTNAME, "does not match the host name", false},
	    {REASON_TLS, TLS_ERR_BAD_KEY, "client key unusable", false},
	    {REASON_ERRNO, 111 /* ECONNREFUSED */, "connection refused", false},
	    {REASON_CLOSED, CLOSED_PLAIN, "closed the connection before answering", false},
	    {REASON_CLOSED, CLOSED_TLS, "answered in TLS: a TLS port (use mqtts://", false},
	    {REASON_CLOSED, CLOSED_FIXED_V5, "no MQTT 5? leave out -V", false},
	    {REASON_VERSION, 5 | 0x100, "refused MQTT 5 (asked for with -V", false},
	    {REASON_VERSION, 4 | 0x100, "refused MQTT 3.1.1", false},
	    {REASON_VERSION, 3, "accepts none of MQTT 5, 3.1.1 and 3.1", false},
	    {REASON_VERSION, 5, "only MQTT 5 sends a password without a username", false},
	    {REASON_PEER, PEER_KEEPALIVE, "keepalive timeout: the broker did not answer PINGREQ",
	     false},
	    {REASON_PEER, PEER_BAD_UTF8, "topic with invalid UTF-8", false},
	    {REASON_PEER, PEER_UNKNOWN_PROPERTY, "unknown MQTT 5 property", false},
	    {REASON_PEER, PEER_CLOSED_AT_ONCE, "closed the connection right after CONNACK", false},
	};
	struct session_status st;
	char buf[300];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		session_reason_text(cases[i].r, cases[i].code, buf, sizeof(buf));
		if (strstr(buf, cases[i].words) == NULL)
			fail_msg("reason %d/%d: '%s'", cases[i].r, cases[i].code, buf);
		assert_int_equal(session_reason_is_auth(cases[i].r, cases[i].code), cases[i].auth);
	}
	/* The broker's own words (reason string, server reference) follow ours. */
	memset(&st, 0, sizeof(st));
	st.state = SESSION_WAITING;
	st.reason = REASON_V5;
	st.code = 0x9C;
	st.connects = 1;
	st.retry_at_ms = 4000;
	snprintf(st.detail, sizeof(st.detail), "try other.example.com:1883");
	session_describe(&st, 0, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "lost: use another server: try other.example.com:1883, retrying in 4s");
	/* Connected: the version only when it is not MQTT 5, and why. */
	memset(&st, 0, sizeof(st));
	st.state = SESSION_CONNECTED;
	st.protocol = 5;
	session_describe(&st, 0, buf, sizeof(buf));
	assert_string_equal(buf, "connected");
	st.protocol = 4;
	st.protocol_why = NEG_CLOSED;
	session_describe(&st, 0, buf, sizeof(buf));
	assert_string_equal(buf, "connected MQTT 3.1.1: the broker has no MQTT 5");
	st.protocol_fixed = true;
	session_describe(&st, 0, buf, sizeof(buf));
	assert_string_equal(buf, "connected MQTT 3.1.1");
}

static void unit__session__log_events_in_words(void **state)
{
	struct session_log_entry e;
	char buf[400];

	(void)state;
	memset(&e, 0, sizeof(e));
	e.kind = SESSION_LOG_CONNECTED;
	e.connection = 3;
	session_log_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "connected (connection 3)");
	e.protocol = 4;
	e.protocol_why = NEG_CLOSED;
	session_log_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "connected (connection 3); MQTT 3.1.1: the broker has no MQTT 5");
	e.protocol_fixed = true;
	session_log_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "connected (connection 3); MQTT 3.1.1");
	e.kind = SESSION_LOG_FALLBACK;
	e.code = 5;
	e.protocol_why = NEG_RC1;
	session_log_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "MQTT 5 refused, MQTT 3.1.1 at once: it answered CONNACK "
	                         "'unacceptable protocol version'");
	e.protocol = 0;
	e.protocol_why = 0;
	e.protocol_fixed = false;
	e.kind = SESSION_LOG_LOST;
	e.reason = REASON_PEER;
	e.code = PEER_KEEPALIVE;
	e.lasted_ms = 10250;
	e.retry_ms = 2000;
	session_log_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "lost after 10s: keepalive timeout: the broker did not answer "
	                         "PINGREQ; next attempt in 2s");
	e.kind = SESSION_LOG_FAILED;
	e.reason = REASON_ERRNO;
	e.code = 111; /* ECONNREFUSED */
	e.retry_ms = 30000;
	snprintf(e.detail, sizeof(e.detail), "more");
	session_log_describe(&e, buf, sizeof(buf));
	assert_string_equal(buf, "failed: connection refused: more; next attempt in 30s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__config__errors_name_file_and_line),
	    cmocka_unit_test(unit__config__decoder_rules),
	    cmocka_unit_test(unit__config__keys_of_every_mode_can_be_bound),
	    cmocka_unit_test(unit__config__missing_profile_lists_the_others),
	    cmocka_unit_test(unit__config__flags_override_the_profile),
	    cmocka_unit_test(unit__config__password_in_a_readable_file_warns),
	    cmocka_unit_test(unit__config__shipped_example_loads),
	    cmocka_unit_test(unit__options__mosquitto_sub_lines),
	    cmocka_unit_test(unit__options__values_and_defaults),
	    cmocka_unit_test(unit__options__websocket_and_proxy_urls),
	    cmocka_unit_test(unit__options__bad_values_and_combinations),
	    cmocka_unit_test(unit__options__unsupported_options_explained),
	    cmocka_unit_test(unit__options__passwords_scrubbed_from_argv),
	    cmocka_unit_test(unit__options__proxy_password_with_slash_scrubbed),
	    cmocka_unit_test(unit__secret__environment_password),
	    cmocka_unit_test(unit__session__reasons_in_words),
	    cmocka_unit_test(unit__session__log_events_in_words),
	};
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
