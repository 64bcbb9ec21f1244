/* test_connect_opts.c: one path from flags, config file and profile to connection settings: every
 * way to ask for TLS turns it on for the TUI, pub and sim alike; what a subcommand cannot honour is
 * refused; URLs in messages never show a password; secrets are wiped. */
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

#include "mqscope/connect_opts.h"
#include "mqscope/options.h"

static char dir[128], profile_conf[200], cert[200];

static int group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/mqscope-connect-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	/* No user config file may take part. */
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("MQSCOPE_PASSWORD");
	snprintf(profile_conf, sizeof(profile_conf), "%s/tls.conf", dir);
	f = fopen(profile_conf, "w");
	if (f == NULL)
		return -1;
	fputs(
	    "profiles = { tls = { url = \"mqtts://alice:s3cret@broker.example\"; };\n"
	    "             plain = { host = \"broker.example\"; port = 8883; no-tls = true; }; };\n",
	    f);
	fclose(f);
	chmod(profile_conf, 0600);
	/* Only read for --cafile/--cert/--key checks here, never parsed. */
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	f = fopen(cert, "w");
	if (f == NULL)
		return -1;
	fclose(f);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(profile_conf);
	unlink(cert);
	return rmdir(dir);
}

/* Runs connect_opts_load for cmd over a command line of words; returns its result. */
static int load(struct settings *s, enum connect_cmd cmd, const char *line)
{
	char buf[1024], *argv[64];
	int argc = 0, rc;
	FILE *saved_err = stderr;

	argv[argc++] = (char *)connect_cmd_name(cmd);
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(w, "CERT") == 0   ? cert
		               : strcmp(w, "CONF") == 0 ? profile_conf
		                                        : w;
	argv[argc] = NULL;
	stderr = fopen("/dev/null", "w");
	rc = connect_opts_load(s, cmd, argc, argv, NULL);
	fclose(stderr);
	stderr = saved_err;
	return rc;
}

static const enum connect_cmd all[] = {CONNECT_TUI, CONNECT_PUB, CONNECT_SIM, CONNECT_LOG,
                                       CONNECT_DUMP};
#define NALL (sizeof(all) / sizeof(all[0]))

/* Every way to ask for TLS: each subcommand decides it the same way. */
static void unit__connect_opts__tls_alike_for_every_subcommand(void **state)
{
	static const struct {
		const char *line;
		bool tls;
		int port;
	} cases[] = {
	    {"-h b", false, 1883},
	    {"-h b -p 8883", true, 8883},
	    {"-h b -p 8883 --no-tls", false, 8883},
	    {"-L mqtts://alice:s3cret@b", true, 8883},
	    {"-L mqtts://b:9000", true, 9000},
	    {"-L mqtt://b", false, 1883},
	    {"--config CONF --profile tls", true, 8883},
	    {"--config CONF --profile plain", false, 8883},
	    {"-h b --insecure", true, 8883},
	    {"-h b --tls-use-os-certs", true, 8883},
	    {"-h b --psk abcd --psk-identity me", true, 8883},
	    {"-h b --cert CERT --key CERT", true, 8883},
	    {"-h b --cafile CERT", true, 8883},
	    {"-h b --capath /etc/ssl/certs", true, 8883},
	    {"-h b --tls-version tlsv1.3", true, 8883},
	    {"-h b --ciphers HIGH", true, 8883},
	    {"-h b --tls-alpn x", true, 8883},
	    {"-h b -p 1883 --cafile CERT", true, 1883},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t c = 0; c < NALL; c++) {
			struct settings s;

			assert_int_equal(load(&s, all[c], cases[i].line), -1);
			if (s.tls != cases[i].tls || s.port != cases[i].port)
				fail_msg("'%s' for subcommand %zu: tls %d port %d", cases[i].line,
				         c, s.tls, s.port);
			assert_false(s.demo);
			settings_free(&s);
		}
	}
}

/* What a subcommand cannot honour is refused (exit 2), never ignored. */
static void unit__connect_opts__refuses_what_a_subcommand_cannot_honour(void **state)
{
	static const struct {
		enum connect_cmd cmd;
		const char *line;
	} refused[] = {
	    {CONNECT_TUI, "-h b -m x"},
	    {CONNECT_TUI, "-h b -r"},
	    {CONNECT_PUB, "-t a -m x --theme z"},
	    {CONNECT_PUB, "-t a -m x --record f"},
	    {CONNECT_PUB, "-t a -m x --replay f"},
	    {CONNECT_SIM, "-h b -t a"},
	    {CONNECT_SIM, "-h b -m x"},
	    {CONNECT_SIM, "-h b --stats f"},
	    {CONNECT_SIM, "-h b --json"},
	    {CONNECT_TUI, "-h b --json"},
	    {CONNECT_TUI, "-h b --csv --fields a"},
	    {CONNECT_PUB, "-t a -m x --raw"},
	    {CONNECT_LOG, "-h b -m x"},
	    {CONNECT_LOG, "-h b -F %t"},
	    {CONNECT_LOG, "-h b --record f"},
	    {CONNECT_LOG, "-h b --demo"},
	    {CONNECT_DUMP, "-h b -C 3"},
	    {CONNECT_DUMP, "-h b -R"},
	    {CONNECT_DUMP, "-h b --retained-only"},
	    {CONNECT_DUMP, "-h b -r"},
	};
	struct settings s;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (load(&s, refused[i].cmd, refused[i].line) != 2)
			fail_msg("'%s' was not refused", refused[i].line);
		settings_free(&s);
	}
	/* A socket has no TLS: every subcommand refuses TLS options with --unix. */
	for (size_t c = 0; c < NALL; c++) {
		assert_int_equal(load(&s, all[c], "--unix /tmp/x.sock --cafile CERT"), 2);
		settings_free(&s);
		assert_int_equal(load(&s, all[c], "--unix /tmp/x.sock --insecure"), 2);
		settings_free(&s);
		/* --unix after an mqtts:// URL replaces its host, and its TLS. */
		assert_int_equal(load(&s, all[c], "-L mqtts://b --unix /tmp/x.sock"), -1);
		assert_false(s.tls);
		settings_free(&s);
	}
}

/* log and dump take mosquitto_sub's output flags; the TUI accepts and ignores them. */
static void unit__connect_opts__log_takes_mosquitto_sub_flags(void **state)
{
	struct settings s;

	(void)state;
	assert_int_equal(load(&s, CONNECT_LOG,
	                      "-h b -t a -v -C 10 -W 30 -R -N -E --quiet --random-filter 50 --csv "
	                      "--fields value,a.b --raw"),
	                 -1);
	assert_int_equal(s.out_count, 10);
	assert_int_equal(s.out_timeout, 30);
	assert_true(s.out_no_stale && s.out_no_eol && s.out_exit_after_sub && s.out_quiet);
	assert_true(s.out_csv && s.out_raw && !s.out_json);
	assert_true(s.out_random > 49.9 && s.out_random < 50.1);
	assert_int_equal(s.nout_fields, 2);
	assert_string_equal(s.out_fields[1], "a.b");
	settings_free(&s);
	assert_int_equal(load(&s, CONNECT_DUMP, "-h b -t a --json -W 5"), -1);
	assert_true(s.out_json);
	settings_free(&s);
	assert_int_equal(load(&s, CONNECT_TUI, "-h b -t a -v -C 10 -W 30 -R --retained-only"), -1);
	settings_free(&s);
	assert_int_equal(load(&s, CONNECT_LOG, "-h b --fields a,,b"), 2);
	settings_free(&s);
}

/* The demo is the TUI's alone: pub and sim go to localhost. */
static void unit__connect_opts__demo_only_for_the_tui(void **state)
{
	struct settings s;

	(void)state;
	assert_int_equal(load(&s, CONNECT_TUI, "-t a"), -1);
	assert_true(s.demo);
	settings_free(&s);
	assert_int_equal(load(&s, CONNECT_SIM, ""), -1);
	assert_false(s.demo);
	assert_string_equal(s.host, "localhost");
	assert_int_equal(s.port, 1883);
	settings_free(&s);
}

static void unit__connect_opts__urls_shown_without_password(void **state)
{
	static const struct {
		const char *url;
		bool path;
		const char *shown;
	} cases[] = {
	    {"mqtts://alice:hunter2@broker:88x3/", true, "mqtts://alice:***@broker:88x3/"},
	    {"mqtt://alice@broker/a:b@c", true, "mqtt://alice@broker/a:b@c"},
	    {"mqtt://broker/t", true, "mqtt://broker/t"},
	    {"mqtt://a:p@ss:w@rd@host/x", true, "mqtt://a:***@host/x"},
	    {"socks5h://u:pw/with@slash@proxy:1080", false, "socks5h://u:***@proxy:1080"},
	    {"alice:hunter2@broker", true, "alice:***@broker"},
	};
	char buf[256], msg[512];
	struct settings s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		options_redact_url(cases[i].url, cases[i].path, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].shown);
	}
	/* The messages of bad URLs, -L and --proxy. */
	settings_init(&s);
	assert_int_equal(
	    options_apply(&s, OPT_URL, "mqtts://alice:hunter2@broker:88x3/", msg, sizeof(msg)), -1);
	assert_string_equal(msg, "-L: 'mqtts://alice:***@broker:88x3/' has a bad port (1-65535)");
	assert_int_equal(
	    options_apply(&s, OPT_PROXY, "socks5h://u:hunter2@proxy:99x", msg, sizeof(msg)), -1);
	assert_null(strstr(msg, "hunter2"));
	assert_non_null(strstr(msg, "socks5h://u:***@proxy:99x"));
	assert_int_equal(options_apply(&s, OPT_URL, "ws://alice:hunter2@b:9x/", msg, sizeof(msg)), -1);
	assert_null(strstr(msg, "hunter2"));
	settings_free(&s);
}

static void unit__connect_opts__secrets_wiped(void **state)
{
	struct settings s;

	(void)state;
	settings_init(&s);
	settings_set_secret(&s.password, "one");
	settings_set_secret(&s.password, "two");
	assert_string_equal(s.password, "two");
	settings_set_secret(&s.psk, "abcd");
	settings_set_secret(&s.proxy_password, "pp");
	settings_wipe_secrets(&s);
	assert_null(s.password);
	assert_null(s.psk);
	assert_null(s.proxy_password);
	settings_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__connect_opts__tls_alike_for_every_subcommand),
	    cmocka_unit_test(unit__connect_opts__refuses_what_a_subcommand_cannot_honour),
	    cmocka_unit_test(unit__connect_opts__log_takes_mosquitto_sub_flags),
	    cmocka_unit_test(unit__connect_opts__demo_only_for_the_tui),
	    cmocka_unit_test(unit__connect_opts__urls_shown_without_password),
	    cmocka_unit_test(unit__connect_opts__secrets_wiped),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
