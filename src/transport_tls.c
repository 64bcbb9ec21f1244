/* transport_tls.c: TLS with OpenSSL; each failure judged from OpenSSL's codes. */
#define _GNU_SOURCE
#include "mqscope/transport_tls.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

struct tls_client {
	SSL_CTX *ctx;
	uint8_t psk_key[256];
	size_t psk_len;
	char psk_identity[256];
	bool psk, have_cert;
	bool cert_requested;
	int alert_received, alert_sent;
	long first_verify; /* the first error the certificate check met */
	bool got_data;     /* application data came: alerts after that are not the handshake's */
};

/* Alerts (RFC 8446 6.2) that say the broker did not take our certificate. */
static bool is_cert_alert(int a)
{
	return a == SSL_AD_BAD_CERTIFICATE || a == SSL_AD_UNSUPPORTED_CERTIFICATE ||
	       a == SSL_AD_CERTIFICATE_REVOKED || a == SSL_AD_CERTIFICATE_EXPIRED ||
	       a == SSL_AD_CERTIFICATE_UNKNOWN || a == SSL_AD_UNKNOWN_CA ||
	       a == SSL_AD_ACCESS_DENIED;
}

/* The broker's certificate check's result in our terms. */
static enum tls_fail verify_verdict(long v)
{
	switch (v) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return TLS_ERR_HOSTNAME;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLS_ERR_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		return TLS_ERR_UNKNOWN_CA;
	default:
		return TLS_ERR_OTHER;
	}
}

enum tls_fail tls_verdict(const struct tls_facts *f)
{
	int in = f->alert_received, out = f->alert_sent;
	bool ssl_lib = f->lib == ERR_LIB_SSL;

	if (f->verify != X509_V_OK &&
	    ((ssl_lib && f->reason == SSL_R_CERTIFICATE_VERIFY_FAILED) || is_cert_alert(out)))
		return verify_verdict(f->verify);
	/* With a PSK both sides prove the key in the handshake; a wrong one fails it there. */
	if (f->psk && (in == SSL_AD_DECRYPT_ERROR || in == SSL_AD_ILLEGAL_PARAMETER ||
	               in == SSL_AD_BAD_RECORD_MAC || in == SSL_AD_HANDSHAKE_FAILURE ||
	               in == SSL_AD_UNKNOWN_PSK_IDENTITY || out == SSL_AD_DECRYPT_ERROR ||
	               out == SSL_AD_BAD_RECORD_MAC))
		return TLS_ERR_PSK;
	if (in == SSL_AD_CERTIFICATE_REQUIRED ||
	    (f->cert_requested && !f->cert_sent &&
	     (in == SSL_AD_HANDSHAKE_FAILURE || is_cert_alert(in))))
		return TLS_ERR_CERT_REQUIRED;
	if (is_cert_alert(in))
		return f->cert_sent ? TLS_ERR_CERT_REJECTED : TLS_ERR_OTHER;
	if (in == SSL_AD_PROTOCOL_VERSION || in == SSL_AD_INSUFFICIENT_SECURITY ||
	    in == SSL_AD_HANDSHAKE_FAILURE || out == SSL_AD_PROTOCOL_VERSION ||
	    (ssl_lib &&
	     (f->reason == SSL_R_UNSUPPORTED_PROTOCOL ||
	      f->reason == SSL_R_NO_PROTOCOLS_AVAILABLE || f->reason == SSL_R_NO_SHARED_CIPHER ||
	      f->reason == SSL_R_NO_CIPHERS_AVAILABLE ||
	      f->reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)))
		return TLS_ERR_VERSION;
	if ((ssl_lib && f->reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) ||
	    (f->ssl_error == SSL_ERROR_SYSCALL && f->lib == 0 &&
	     (f->sys_errno == 0 || f->sys_errno == ECONNRESET || f->sys_errno == EPIPE))) {
		/*
		 * TLS 1.3: the broker judges our certificate after our side of the
		 * handshake is done, and its alert can be lost when it resets the
		 * connection under our first bytes. It had asked for a certificate:
		 * that is what it refused.
		 */
		if (f->cert_requested && !f->got_data)
			return f->cert_sent ? TLS_ERR_CERT_REJECTED : TLS_ERR_CERT_REQUIRED;
		return TLS_ERR_CLOSED;
	}
	/* What came back was not TLS: a plain MQTT or HTTP port. */
	if ((ssl_lib && (f->reason == SSL_R_WRONG_VERSION_NUMBER ||
	                 f->reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
	                 f->reason == SSL_R_HTTP_REQUEST || f->reason == SSL_R_UNKNOWN_PROTOCOL)) ||
	    out == SSL_AD_UNEXPECTED_MESSAGE || out == SSL_AD_DECODE_ERROR)
		return TLS_ERR_HANDSHAKE;
	return TLS_ERR_OTHER;
}

static int tls_index = -1;

static void make_index(void)
{
	tls_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* Where an SSL connection keeps its tls_client (one index for the process). */
static int ex_index(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, make_index);
	return tls_index;
}

static struct tls_client *client_of(const SSL *ssl)
{
	return SSL_get_ex_data(ssl, ex_index());
}

/* Notes each alert as it goes by: the verdict reads them as codes. */
static void info_cb(const SSL *ssl, int where, int ret)
{
	struct tls_client *t = client_of(ssl);

	if (t == NULL || !(where & SSL_CB_ALERT) || t->got_data)
		return;
	if ((where & SSL_CB_READ) && t->alert_received < 0)
		t->alert_received = ret & 0xff;
	else if ((where & SSL_CB_WRITE) && t->alert_sent < 0)
		t->alert_sent = ret & 0xff;
}

/* Keeps the first problem of the certificate chain; OpenSSL decides, as configured. */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_client *t = ssl ? client_of(ssl) : NULL;

	if (!ok && t && t->first_verify == X509_V_OK)
		t->first_verify = X509_STORE_CTX_get_error(x);
	return ok;
}

/* The broker asks for a client certificate (called only then). */
static int cert_cb(SSL *ssl, void *arg)
{
	struct tls_client *t = client_of(ssl);

	(void)arg;
	if (t)
		t->cert_requested = true;
	return 1;
}

static unsigned int psk_cb(SSL *ssl, const char *hint, char *identity,
                           unsigned int max_identity_len, unsigned char *psk,
                           unsigned int max_psk_len)
{
	struct tls_client *t = client_of(ssl);

	(void)hint;
	if (t == NULL || strlen(t->psk_identity) >= max_identity_len || t->psk_len > max_psk_len)
		return 0;
	memcpy(identity, t->psk_identity, strlen(t->psk_identity) + 1);
	memcpy(psk, t->psk_key, t->psk_len);
	return (unsigned int)t->psk_len;
}

/* An encrypted key would make OpenSSL ask on the terminal, under the screen: refuse instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Fails set-up with OpenSSL's reason as the detail. */
static int setup_fail(struct conn *c, enum tls_fail f, const char *what)
{
	char d[CONN_DETAIL_MAX];
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(d, sizeof(d), "%s%s%s", what, r ? ": " : "", r ? r : "");
	ERR_clear_error();
	return conn_fail(c, CONN_TLS, f, d);
}

/* The TLS version floor and ceiling: --tls-version asks for one exactly; else 1.2 and up. */
static bool set_versions(SSL_CTX *ctx, const char *v)
{
	int ver = TLS1_2_VERSION;

	if (v == NULL)
		return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1;
	if (strcmp(v, "tlsv1.3") == 0)
		ver = TLS1_3_VERSION;
	else if (strcmp(v, "tlsv1.2") == 0)
		ver = TLS1_2_VERSION;
	else if (strcmp(v, "tlsv1.1") == 0)
		ver = TLS1_1_VERSION;
	else
		return false;
	return SSL_CTX_set_min_proto_version(ctx, ver) == 1 &&
	       SSL_CTX_set_max_proto_version(ctx, ver) == 1;
}

/* Whether dir holds OpenSSL's hashed names (8 hex digits, a dot, a digit). */
static bool hashed_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		found = n == 10 && e->d_name[8] == '.' && isdigit((unsigned char)e->d_name[9]) &&
		        strspn(e->d_name, "0123456789abcdef") == 8;
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * The system's CAs, looked up by hash in their directory as each is needed
 * (parsing the whole bundle for every connection would cost more than the
 * handshake); the bundle file where there is no hashed directory, or where
 * SSL_CERT_FILE names one.
 */
static bool system_cas(SSL_CTX *ctx)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());
	const char *file = getenv(X509_get_default_cert_file_env());

	if (dir == NULL || *dir == '\0')
		dir = X509_get_default_cert_dir();
	if (file && *file && SSL_CTX_load_verify_file(ctx, file) != 1)
		return false;
	if (hashed_dir(dir))
		return SSL_CTX_load_verify_dir(ctx, dir) == 1;
	return file || SSL_CTX_load_verify_file(ctx, X509_get_default_cert_file()) == 1;
}

/* The context for one connection, as the settings say. */
static int make_ctx(struct conn *c, struct tls_client *t, const struct settings *s)
{
	bool have_ca = s->cafile || s->capath;

	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL)
		return setup_fail(c, TLS_ERR_OTHER, "no TLS context");
	SSL_CTX_set_default_passwd_cb(t->ctx, no_passphrase);
	SSL_CTX_set_mode(t->ctx,
	                 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_info_callback(t->ctx, info_cb);
	if (!set_versions(t->ctx, s->tls_version))
		return setup_fail(c, TLS_ERR_VERSION, "--tls-version");
	if (s->ciphers && SSL_CTX_set_cipher_list(t->ctx, s->ciphers) != 1)
		return setup_fail(c, TLS_ERR_VERSION, "--ciphers");
	if (s->psk) {
		size_t n = strlen(s->psk);

		if (n % 2 || n / 2 > sizeof(t->psk_key) || !s->psk_identity ||
		    strlen(s->psk_identity) >= sizeof(t->psk_identity))
			return conn_fail(c, CONN_TLS, TLS_ERR_PSK, "--psk is not a hex key");
		for (size_t i = 0; i < n / 2; i++) {
			int hi = hexval(s->psk[2 * i]), lo = hexval(s->psk[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return conn_fail(c, CONN_TLS, TLS_ERR_PSK,
				                 "--psk is not a hex key");
			t->psk_key[i] = (uint8_t)(hi << 4 | lo);
		}
		t->psk_len = n / 2;
		memcpy(t->psk_identity, s->psk_identity, strlen(s->psk_identity) + 1);
		t->psk = true;
		SSL_CTX_set_psk_client_callback(t->ctx, psk_cb);
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	/* --insecure without a CA checks nothing (like curl -k); with one, only the name goes. */
	SSL_CTX_set_verify(t->ctx, s->insecure && !have_ca ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
	                   verify_cb);
	if (have_ca && SSL_CTX_load_verify_locations(t->ctx, s->cafile, s->capath) != 1)
		return setup_fail(c, TLS_ERR_CA, s->cafile ? s->cafile : s->capath);
	if (((!have_ca && !s->insecure) || s->os_certs) && !system_cas(t->ctx))
		return setup_fail(c, TLS_ERR_CA, "the system's CA store");
	if (s->cert || s->key) {
		if (!s->cert || !s->key)
			return conn_fail(c, CONN_TLS, TLS_ERR_BAD_KEY,
			                 "--cert and --key go together");
		if (SSL_CTX_use_certificate_chain_file(t->ctx, s->cert) != 1)
			return setup_fail(c, TLS_ERR_BAD_KEY, s->cert);
		if (SSL_CTX_use_PrivateKey_file(t->ctx, s->key, SSL_FILETYPE_PEM) != 1)
			return setup_fail(c, TLS_ERR_BAD_KEY, s->key);
		if (SSL_CTX_check_private_key(t->ctx) != 1)
			return setup_fail(c, TLS_ERR_BAD_KEY, "not the key of --cert");
		t->have_cert = true;
	}
	SSL_CTX_set_cert_cb(t->ctx, cert_cb, NULL);
	return 0;
}

/* ALPN protocols "a,b" in the wire's length-prefixed form. */
static size_t alpn_wire(const char *list, unsigned char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l > 0 && l < 256 && n + 1 + l <= cap) {
			out[n++] = (unsigned char)l;
			memcpy(out + n, p, l);
			n += l;
		}
		p += l + (e ? 1 : 0);
	}
	return n;
}

/* Collects what OpenSSL said about the failed call that returned ret. */
static void facts_of(struct conn *c, int ret, struct tls_facts *f)
{
	struct tls_client *t = c->tls;
	unsigned long e = ERR_peek_last_error();

	memset(f, 0, sizeof(*f));
	f->sys_errno = errno;
	f->ssl_error = SSL_get_error(c->ssl, ret);
	f->verify = t->first_verify != X509_V_OK ? t->first_verify : SSL_get_verify_result(c->ssl);
	f->alert_received = t->alert_received;
	f->alert_sent = t->alert_sent;
	f->lib = e ? ERR_GET_LIB(e) : 0;
	f->reason = e ? ERR_GET_REASON(e) : 0;
	f->psk = t->psk;
	f->cert_requested = t->cert_requested;
	f->cert_sent = t->cert_requested && t->have_cert;
	f->got_data = t->got_data;
}

/* Ends a failed connection with the verdict; OpenSSL's words go to the detail only. */
static int fail_with_verdict(struct conn *c, int ret)
{
	struct tls_facts f;
	enum tls_fail v;
	char d[CONN_DETAIL_MAX] = "";

	facts_of(c, ret, &f);
	v = tls_verdict(&f);
	if (v == TLS_ERR_OTHER) {
		unsigned long e = ERR_peek_last_error();

		if (f.verify != X509_V_OK)
			snprintf(d, sizeof(d), "%s", X509_verify_cert_error_string(f.verify));
		else if (f.alert_received >= 0)
			snprintf(d, sizeof(d), "the broker sent alert %d (%s)", f.alert_received,
			         SSL_alert_desc_string_long(f.alert_received));
		else if (e && ERR_reason_error_string(e))
			snprintf(d, sizeof(d), "%s", ERR_reason_error_string(e));
	}
	ERR_clear_error();
	return conn_fail(c, CONN_TLS, v, d[0] ? d : NULL);
}

int tls_connect(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd)
{
	struct tls_client *t = xcalloc(1, sizeof(*t));
	const char *host = s->host;
	unsigned char alpn[256];
	struct in6_addr a6;
	struct in_addr a4;
	bool ip = inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1;

	t->alert_received = t->alert_sent = -1;
	t->first_verify = X509_V_OK;
	c->tls = t;
	ERR_clear_error();
	if (make_ctx(c, t, s) < 0)
		return -1;
	c->ssl = SSL_new(t->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return setup_fail(c, TLS_ERR_OTHER, "no TLS connection");
	SSL_set_ex_data(c->ssl, ex_index(), t);
	if (!ip && SSL_set_tlsext_host_name(c->ssl, host) != 1)
		return setup_fail(c, TLS_ERR_OTHER, "server name");
	if (!s->insecure && !s->psk) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);

		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if ((ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, host)
		        : X509_VERIFY_PARAM_set1_host(vp, host, 0)) != 1)
			return setup_fail(c, TLS_ERR_OTHER, "host name check");
	}
	if (s->alpn) {
		size_t n = alpn_wire(s->alpn, alpn, sizeof(alpn));

		if (n == 0 || SSL_set_alpn_protos(c->ssl, alpn, (unsigned)n) != 0)
			return setup_fail(c, TLS_ERR_OTHER, "--tls-alpn");
	}
	for (;;) {
		int r, e, w;

		ERR_clear_error();
		errno = 0;
		r = SSL_connect(c->ssl);
		if (r == 1)
			return 0;
		e = SSL_get_error(c->ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return fail_with_verdict(c, r);
		w = conn_wait(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline,
		              stop_fd);
		if (w < 0)
			return conn_fail(c, CONN_STOPPED, 0, NULL);
		if (w == 0)
			return conn_fail(c, CONN_ERRNO, ETIMEDOUT,
			                 "the TLS handshake took too long");
	}
}

ssize_t tls_read(struct conn *c, void *buf, size_t n)
{
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_read(c->ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);
	if (r > 0) {
		c->want = 0;
		c->tls->got_data = true;
		return r;
	}
	e = SSL_get_error(c->ssl, r);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		c->want = POLLIN;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		c->want = POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0; /* close_notify */
	default:
		/* TLS 1.3: the broker judges our certificate after our side is done; its alert
		 * comes with the first read. A plain end of stream is an end, not a failure. */
		if (c->tls->alert_received >= 0 && !c->tls->got_data)
			return fail_with_verdict(c, r);
		{
			struct tls_facts f;

			facts_of(c, r, &f);
			if (tls_verdict(&f) == TLS_ERR_CLOSED) {
				ERR_clear_error();
				return 0;
			}
		}
		return fail_with_verdict(c, r);
	}
}

ssize_t tls_write(struct conn *c, const void *buf, size_t n)
{
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_write(c->ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);
	if (r > 0) {
		c->want = 0;
		return r;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		errno = EAGAIN;
		return -1;
	}
	return fail_with_verdict(c, r);
}

void tls_free(struct conn *c)
{
	if (c->ssl) {
		/* One close_notify, not waiting for the broker's. */
		ERR_clear_error();
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->tls) {
		SSL_CTX_free(c->tls->ctx);
		explicit_bzero(c->tls->psk_key, sizeof(c->tls->psk_key));
		free(c->tls);
		c->tls = NULL;
	}
	ERR_clear_error();
}

size_t tls_describe(const struct conn *c, char *buf, size_t cap)
{
	const SSL_CIPHER *ci = c->ssl ? SSL_get_current_cipher(c->ssl) : NULL;
	int n = snprintf(buf, cap, "%s%s%s", c->ssl ? SSL_get_version(c->ssl) : "TLS",
	                 ci ? " " : "", ci ? SSL_CIPHER_get_name(ci) : "");

	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
