/* test_tls.c: a real mosquitto with TLS listeners and certificates made here with openssl:
 * connections that should work do, and every failure is reported in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/broker.h"
#include "mqscope/transport_tls.h"
#include "mqscope/util.h"

/* Listeners of the one broker all tests share. */
struct world {
	char dir[128];   /* certificates and keys */
	struct broker b; /* b.port: TLS, server certificate for "localhost" only */
	int need_cert;   /* TLS that requires a client certificate */
	int plain;       /* no TLS */
	int expired;     /* TLS with a certificate that expired in 2020 */
	int psk;         /* TLS-PSK: identity alice, key deadbeef */
	int tls13;       /* TLS 1.3 and up only */
};

static struct world w;

/* Makes a CA, a server certificate (localhost), client certificates and an expired one. */
static const char *const make_certs =
    "set -e\n"
    "ec() { openssl ecparam -name prime256v1 -genkey -noout -out \"$1\"; }\n"
    "sign() { openssl x509 -req -in \"$1.csr\" -CA \"$2.crt\" -CAkey \"$2.key\" "
    "-CAcreateserial -days 2 -out \"$1.crt\" $3; }\n"
    "ec ca.key; openssl req -x509 -new -key ca.key -subj '/CN=mqscope test CA' -days 2 "
    "-out ca.crt\n"
    "ec other.key; openssl req -x509 -new -key other.key -subj '/CN=other CA' -days 2 "
    "-out other.crt\n"
    "printf 'subjectAltName=DNS:localhost\\n' > san.ext\n"
    "for n in server client rogue expired; do ec $n.key; "
    "openssl req -new -key $n.key -subj /CN=$n -out $n.csr; done\n"
    "sign server ca '-extfile san.ext'\n"
    "sign client ca\n"
    "sign rogue other\n"
    "touch index.txt; echo 01 > serial\n"
    "printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\nserial=serial\\nnew_certs_dir=.\\n"
    "default_md=sha256\\npolicy=p\\ncopy_extensions=copy\\n[p]\\ncommonName=supplied\\n' > "
    "ca.cnf\n"
    "openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr "
    "-extfile san.ext -out expired.crt -startdate 20200101000000Z -enddate 20200102000000Z\n"
    "echo 'not a key' > bad.key\n"
    /* a stand-in for the system's CA store (SSL_CERT_DIR) that knows our CA */
    "mkdir sys && cp ca.crt sys/ && openssl rehash sys\n"
    "echo 'alice:deadbeef' > psk.txt\n"
    /* mosquitto started as root reads them as the mosquitto user */
    "chmod 755 . sys && chmod 644 *.* sys/*\n";

/* Starts the broker with its five extra listeners on ports free right now. */
static int start_world_broker(char *extra, size_t cap, char *err, size_t errcap)
{
	w.need_cert = free_port();
	w.plain = free_port();
	w.expired = free_port();
	w.psk = free_port();
	w.tls13 = free_port();
	snprintf(extra, cap,
	         "cafile %1$s/ca.crt\ncertfile %1$s/server.crt\nkeyfile %1$s/server.key\n"
	         "listener %2$d 127.0.0.1\ncafile %1$s/ca.crt\ncertfile %1$s/server.crt\n"
	         "keyfile %1$s/server.key\nrequire_certificate true\n"
	         "listener %3$d 127.0.0.1\n"
	         "listener %4$d 127.0.0.1\ncafile %1$s/ca.crt\ncertfile %1$s/expired.crt\n"
	         "keyfile %1$s/expired.key\n"
	         "listener %5$d 127.0.0.1\npsk_hint mqscope\npsk_file %1$s/psk.txt\n"
	         "listener %6$d 127.0.0.1\ncafile %1$s/ca.crt\ncertfile %1$s/server.crt\n"
	         "keyfile %1$s/server.key\ntls_version tlsv1.3\n",
	         w.dir, w.need_cert, w.plain, w.expired, w.psk, w.tls13);
	return broker_start(&w.b, extra, err, errcap);
}

static int world_setup(void **state)
{
	char cmd[4096], extra[4096], err[256];
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(w.dir, sizeof(w.dir), "%s/mqscope-tls-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(w.dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "cd '%s' && (%s) >/dev/null 2>&1", w.dir, make_certs);
	if (system(cmd) != 0) {
		fprintf(stderr, "openssl could not make the test certificates\n");
		return -1;
	}
	/* A port free now may be taken before mosquitto binds it: try other ports a few times. */
	for (int tries = 0;; tries++) {
		if (tries == 5) {
			fprintf(stderr, "broker: %s\n", err);
			return -1;
		}
		if (start_world_broker(extra, sizeof(extra), err, sizeof(err)) == 0)
			break;
	}
	/* broker_start waited for the first listener; the others open with it. */
	if (wait_port(w.expired, 20000, w.b.pid) != 0 || wait_port(w.psk, 20000, w.b.pid) != 0 ||
	    wait_port(w.tls13, 20000, w.b.pid) != 0)
		return -1;
	return 0;
}

static int world_teardown(void **state)
{
	char cmd[256];

	(void)state;
	broker_stop(&w.b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* One connection attempt's settings; paths are file names inside w.dir. */
struct attempt {
	const char *host;
	int port;
	const char *cafile, *cert, *key;
	bool insecure, os_certs, plain;
	const char *psk; /* identity alice */
	const char *tls_version;
};

struct run {
	struct settings cfg;
	struct app app;
};

static void path_in(char **dst, const char *name)
{
	char p[256];

	if (name == NULL)
		return;
	snprintf(p, sizeof(p), "%s/%s", w.dir, name);
	settings_set_str(dst, p);
}

static void run_start(struct run *r, const struct attempt *a)
{
	settings_init(&r->cfg);
	settings_set_str(&r->cfg.host, a->host);
	r->cfg.port = a->port;
	path_in(&r->cfg.cafile, a->cafile);
	path_in(&r->cfg.cert, a->cert);
	path_in(&r->cfg.key, a->key);
	r->cfg.insecure = a->insecure;
	r->cfg.os_certs = a->os_certs;
	r->cfg.no_tls = a->plain;
	settings_set_str(&r->cfg.tls_version, a->tls_version);
	if (a->psk) {
		settings_set_str(&r->cfg.psk, a->psk);
		settings_set_str(&r->cfg.psk_identity, "alice");
	}
	settings_finish(&r->cfg);
	assert_int_equal(app_init(&r->app, &r->cfg, false), 0);
	assert_int_equal(session_start(r->app.session), 0);
}

/* Waits until attempt n (1-based) connected or failed; returns the status then. */
static struct session_status run_outcome_of(struct run *r, unsigned n)
{
	/* Generous: only a failure waits this long, and valgrind on a busy machine is slow. */
	int64_t deadline = clock_mono_ms() + 30000 + 2000 * (int64_t)n;
	struct session_status st;

	for (;;) {
		struct pollfd pfd = {.fd = r->app.ring.wake_fd, .events = POLLIN};
		bool more;

		ring_clear_wake(&r->app.ring);
		do
			app_drain(&r->app, 1024, &more);
		while (more);
		session_status(r->app.session, &st);
		if (st.state == SESSION_CONNECTED ||
		    (st.state == SESSION_WAITING && st.attempt >= n))
			return st;
		assert_true(clock_mono_ms() < deadline);
		poll(&pfd, 1, 50);
	}
}

/* Waits until the first attempt connected or failed; returns the status then. */
static struct session_status run_outcome(struct run *r)
{
	return run_outcome_of(r, 1);
}

static void run_stop(struct run *r)
{
	session_stop(r->app.session, 10000);
	app_free(&r->app);
	settings_free(&r->cfg);
}

/* Connects as a says and expects a connection. */
static void expect_connected(const struct attempt *a)
{
	struct run r;
	struct session_status st;

	run_start(&r, a);
	assert_true(r.cfg.tls != a->plain);
	st = run_outcome(&r);
	if (st.state != SESSION_CONNECTED) {
		char d[256];
		session_describe(&st, clock_mono_ms(), d, sizeof(d));
		fail_msg("expected a connection, got: %s", d);
	}
	run_stop(&r);
}

/* Connects as a says and expects a failure whose description holds words. */
static void expect_failure(const struct attempt *a, enum session_reason reason, int code,
                           const char *words)
{
	struct run r;
	struct session_status st;
	char d[256];

	run_start(&r, a);
	st = run_outcome(&r);
	session_describe(&st, clock_mono_ms(), d, sizeof(d));
	print_message("%s:%d -> %s\n", a->host, a->port, d);
	assert_int_equal(st.state, SESSION_WAITING);
	assert_int_equal(st.reason, reason);
	assert_int_equal(st.code, code);
	assert_non_null(strstr(d, words));
	assert_non_null(strstr(d, "retrying in"));
	run_stop(&r);
}

static void integration__tls__with_the_ca_connects(void **state)
{
	(void)state;
	expect_connected(&(struct attempt){"localhost", w.b.port, .cafile = "ca.crt"});
}

static void integration__tls__without_the_ca_is_not_trusted(void **state)
{
	(void)state;
	/* The system's CAs do not know ours. */
	expect_failure(&(struct attempt){"localhost", w.b.port, .os_certs = true}, REASON_TLS,
	               TLS_ERR_UNKNOWN_CA, "broker certificate not trusted (unknown CA");
	expect_failure(&(struct attempt){"localhost", w.b.port, .cafile = "other.crt"}, REASON_TLS,
	               TLS_ERR_UNKNOWN_CA, "not trusted (unknown CA");
}

/*
 * With the system's CAs (here SSL_CERT_DIR, standing in for the store) every
 * failure is said in the README's words, on the first attempt and the retries
 * alike (libmosquitto once failed every retry with "invalid function arguments").
 */
static void expect_failure_again(const struct attempt *a, int code, const char *words)
{
	struct run r;
	struct session_status st;
	char d[256];

	run_start(&r, a);
	for (unsigned n = 1; n <= 2; n++) {
		st = run_outcome_of(&r, n);
		session_describe(&st, clock_mono_ms(), d, sizeof(d));
		print_message("system CAs, %s:%d, attempt %u -> %s\n", a->host, a->port, n, d);
		assert_int_equal(st.state, SESSION_WAITING);
		assert_int_equal(st.reason, REASON_TLS);
		assert_int_equal(st.code, code);
		assert_non_null(strstr(d, words));
	}
	run_stop(&r);
}

static void integration__tls__system_cas_say_each_failure_every_time(void **state)
{
	char sys[200];

	(void)state;
	/* No CA given: the system's store, which does not know our CA. */
	expect_failure_again(&(struct attempt){"localhost", w.b.port, .os_certs = true},
	                     TLS_ERR_UNKNOWN_CA, "broker certificate not trusted (unknown CA");
	snprintf(sys, sizeof(sys), "%s/sys", w.dir);
	setenv("SSL_CERT_DIR", sys, 1);
	expect_connected(&(struct attempt){"localhost", w.b.port, .os_certs = true});
	expect_failure_again(&(struct attempt){"127.0.0.1", w.b.port, .os_certs = true},
	                     TLS_ERR_HOSTNAME, "broker certificate does not match the host name");
	expect_failure_again(&(struct attempt){"localhost", w.expired, .os_certs = true},
	                     TLS_ERR_EXPIRED, "broker certificate expired or not yet valid");
	expect_failure_again(&(struct attempt){"localhost", w.need_cert, .os_certs = true},
	                     TLS_ERR_CERT_REQUIRED, "broker requires a client certificate");
	unsetenv("SSL_CERT_DIR");
}

static void integration__tls__host_name_mismatch(void **state)
{
	(void)state;
	/* The certificate names localhost, not 127.0.0.1. */
	expect_failure(&(struct attempt){"127.0.0.1", w.b.port, .cafile = "ca.crt"}, REASON_TLS,
	               TLS_ERR_HOSTNAME, "does not match the host name");
}

static void integration__tls__insecure_connects(void **state)
{
	(void)state;
	/* With the CA: only the host name goes unchecked (as mosquitto_sub --insecure). */
	expect_connected(
	    &(struct attempt){"127.0.0.1", w.b.port, .cafile = "ca.crt", .insecure = true});
	/* Without a CA: nothing is checked. */
	expect_connected(&(struct attempt){"127.0.0.1", w.b.port, .insecure = true});
	/* The expired certificate too. */
	expect_connected(&(struct attempt){"localhost", w.expired, .insecure = true});
}

static void integration__tls__expired_certificate(void **state)
{
	(void)state;
	expect_failure(&(struct attempt){"localhost", w.expired, .cafile = "ca.crt"}, REASON_TLS,
	               TLS_ERR_EXPIRED, "expired or not yet valid");
}

static void integration__tls__client_certificate(void **state)
{
	(void)state;
	expect_failure(&(struct attempt){"localhost", w.need_cert, .cafile = "ca.crt"}, REASON_TLS,
	               TLS_ERR_CERT_REQUIRED, "requires a client certificate");
	expect_connected(&(struct attempt){"localhost", w.need_cert, .cafile = "ca.crt",
	                                   .cert = "client.crt", .key = "client.key"});
	expect_failure(&(struct attempt){"localhost", w.need_cert, .cafile = "ca.crt",
	                                 .cert = "rogue.crt", .key = "rogue.key"},
	               REASON_TLS, TLS_ERR_CERT_REJECTED, "rejected the client certificate");
}

static void integration__tls__unusable_client_key(void **state)
{
	(void)state;
	expect_failure(&(struct attempt){"localhost", w.need_cert, .cafile = "ca.crt",
	                                 .cert = "client.crt", .key = "bad.key"},
	               REASON_TLS, TLS_ERR_BAD_KEY, "client key unusable");
	/* A key that is fine but not the certificate's. */
	expect_failure(&(struct attempt){"localhost", w.need_cert, .cafile = "ca.crt",
	                                 .cert = "client.crt", .key = "rogue.key"},
	               REASON_TLS, TLS_ERR_BAD_KEY, "client key unusable");
}

static void integration__tls__wrong_kind_of_port(void **state)
{
	(void)state;
	expect_failure(&(struct attempt){"localhost", w.plain, .cafile = "ca.crt"}, REASON_TLS,
	               TLS_ERR_CLOSED, "not a TLS port?");
	/*
	 * mosquitto's TLS listener resets a plain CONNECT without sending a byte:
	 * nothing says TLS, so it is not guessed (MQTT 5, then 3.1.1, were tried).
	 */
	expect_failure(&(struct attempt){"localhost", w.b.port, .plain = true}, REASON_CLOSED,
	               CLOSED_PLAIN, "the broker closed the connection before answering");
}

static void integration__tls__pre_shared_key(void **state)
{
	(void)state;
	expect_connected(&(struct attempt){"127.0.0.1", w.psk, .psk = "deadbeef"});
	expect_failure(&(struct attempt){"127.0.0.1", w.psk, .psk = "beefdead"}, REASON_TLS,
	               TLS_ERR_PSK, "rejected the pre-shared key");
}

static void integration__tls__versions(void **state)
{
	(void)state;
	/* Without --tls-version: 1.2 and up, so 1.3 where the broker wants it. */
	expect_connected(&(struct attempt){"localhost", w.tls13, .cafile = "ca.crt"});
	expect_connected(
	    &(struct attempt){"localhost", w.b.port, .cafile = "ca.crt", .tls_version = "tlsv1.2"});
	/* Asked for TLS 1.2 only, from a broker that wants 1.3 at least. */
	expect_failure(
	    &(struct attempt){"localhost", w.tls13, .cafile = "ca.crt", .tls_version = "tlsv1.2"},
	    REASON_TLS, TLS_ERR_VERSION, "no TLS version or cipher both sides accept");
}

static void integration__tls__answer_that_is_not_tls(void **state)
{
	char portbuf[16];
	char *http[] = {"/usr/bin/python3", "-m",        "http.server", portbuf,
	                "--bind",           "127.0.0.1", NULL};
	int port = free_port();
	pid_t pid;

	(void)state;
	/* An HTTP server answers our ClientHello with an HTTP error: not TLS. */
	snprintf(portbuf, sizeof(portbuf), "%d", port);
	pid = spawn_quiet(http);
	assert_int_equal(wait_port(port, 5000, pid), 0);
	expect_failure(&(struct attempt){"localhost", port, .cafile = "ca.crt"}, REASON_TLS,
	               TLS_ERR_HANDSHAKE, "handshake failed (is this a TLS port?)");
	stop_child(pid, 2000);
}

static void integration__tls__unreadable_ca(void **state)
{
	(void)state;
	expect_failure(&(struct attempt){"localhost", w.b.port, .cafile = "no-such-ca.crt"},
	               REASON_TLS, TLS_ERR_CA, "TLS: cannot read the CA certificates");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(integration__tls__with_the_ca_connects),
	    cmocka_unit_test(integration__tls__without_the_ca_is_not_trusted),
	    cmocka_unit_test(integration__tls__host_name_mismatch),
	    cmocka_unit_test(integration__tls__system_cas_say_each_failure_every_time),
	    cmocka_unit_test(integration__tls__insecure_connects),
	    cmocka_unit_test(integration__tls__expired_certificate),
	    cmocka_unit_test(integration__tls__client_certificate),
	    cmocka_unit_test(integration__tls__unusable_client_key),
	    cmocka_unit_test(integration__tls__wrong_kind_of_port),
	    cmocka_unit_test(integration__tls__pre_shared_key),
	    cmocka_unit_test(integration__tls__versions),
	    cmocka_unit_test(integration__tls__answer_that_is_not_tls),
	    cmocka_unit_test(integration__tls__unreadable_ca),
	};
	int rc;

	session_lib_init();
	rc = cmocka_run_group_tests(tests, world_setup, world_teardown);
	session_lib_cleanup();
	return rc;
}
