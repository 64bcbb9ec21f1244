/* test_transport.c: the WebSocket handshake, HTTP answers, proxy requests and TLS verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/http.h"
#include "mqscope/proxy.h"
#include "mqscope/transport_tls.h"
#include "mqscope/transport_ws.h"

static void unit__transport__websocket_accept_key_as_rfc6455_says(void **state)
{
	char out[29];

	(void)state;
	/* The example of RFC 6455, section 1.3. */
	ws_accept_for("dGhlIHNhbXBsZSBub25jZQ==", out);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void unit__transport__websocket_upgrade_request(void **state)
{
	char buf[1024];
	char *headers[] = {"Authorization: Bearer abc", "X-Tenant: t1"};
	size_t n;

	(void)state;
	n = ws_request("broker.example", 8080, false, "/mqtt", headers, 2, "KEY==", buf,
	               sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(strlen(buf), n);
	assert_non_null(strstr(buf, "GET /mqtt HTTP/1.1\r\n"));
	assert_non_null(strstr(buf, "\r\nHost: broker.example:8080\r\n"));
	assert_non_null(strstr(buf, "\r\nUpgrade: websocket\r\n"));
	assert_non_null(strstr(buf, "\r\nConnection: Upgrade\r\n"));
	assert_non_null(strstr(buf, "\r\nSec-WebSocket-Key: KEY==\r\n"));
	assert_non_null(strstr(buf, "\r\nSec-WebSocket-Version: 13\r\n"));
	assert_non_null(strstr(buf, "\r\nSec-WebSocket-Protocol: mqtt\r\n"));
	assert_non_null(strstr(buf, "\r\nAuthorization: Bearer abc\r\nX-Tenant: t1\r\n\r\n"));
	/* The default port of the scheme stays out of Host; IPv6 goes in brackets. */
	ws_request("b", 443, true, NULL, NULL, 0, "K", buf, sizeof(buf));
	assert_non_null(strstr(buf, "GET /mqtt HTTP/1.1\r\nHost: b\r\n"));
	ws_request("::1", 9001, false, "/", NULL, 0, "K", buf, sizeof(buf));
	assert_non_null(strstr(buf, "GET / HTTP/1.1\r\nHost: [::1]:9001\r\n"));
	assert_int_equal(ws_request("b", 80, false, "/", NULL, 0, "K", buf, 40), 0);
}

/* Checks an answer given as text; returns what ws_check_answer says, with why. */
static int answer(const char *text, const char *key, char *why)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "%s", text);
	return ws_check_answer(buf, strlen(buf), key, why, 160);
}

static void unit__transport__websocket_answers(void **state)
{
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	char why[160];

	(void)state;
	assert_int_equal(answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                        "Connection: Upgrade\r\n"
	                        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	                        "Sec-WebSocket-Protocol: mqtt\r\n\r\n",
	                        key, why),
	                 -1);
	/* Any case in names and tokens; no subprotocol header is allowed. */
	assert_int_equal(
	    answer("HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, "
	           "Upgrade\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
	           key, why),
	    -1);
	assert_int_equal(answer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", key, why),
	                 WS_NOT_UPGRADED);
	assert_string_equal(why, "HTTP 404 Not Found");
	/* A server that wants credentials (a header, a login) says so with 401 or 403. */
	assert_int_equal(answer("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", key, why),
	                 WS_DENIED);
	assert_string_equal(why, "HTTP 401 Unauthorized");
	assert_int_equal(answer("HTTP/1.1 403 Forbidden\r\n\r\n", key, why), WS_DENIED);
	assert_int_equal(answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                        "Connection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n",
	                        key, why),
	                 WS_BAD_ACCEPT);
	assert_int_equal(answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                        "Connection: Upgrade\r\n\r\n",
	                        key, why),
	                 WS_BAD_ACCEPT);
	assert_int_equal(answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                        "Connection: Upgrade\r\n"
	                        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	                        "Sec-WebSocket-Protocol: mqttv3.1\r\n\r\n",
	                        key, why),
	                 WS_BAD_PROTOCOL);
	assert_int_equal(answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                        "Connection: Upgrade\r\n"
	                        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	                        "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
	                        key, why),
	                 WS_BAD_PROTOCOL);
	assert_int_equal(
	    answer("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", key, why),
	    WS_NOT_UPGRADED);
	/* An MQTT port answers with MQTT, or not at all: not HTTP. */
	assert_int_equal(answer("\x20\x02\x00\x00\r\n\r\n", key, why), WS_NOT_HTTP);
}

static void unit__transport__http_heads(void **state)
{
	char buf[512];
	struct http_response r;

	(void)state;
	snprintf(buf, sizeof(buf),
	         "HTTP/1.0 407 Proxy Authentication Required\r\n"
	         "Proxy-Authenticate: Basic realm=\"x\"\r\nVia: a, b\r\n\r\n");
	assert_true(http_parse_response(buf, strlen(buf), &r));
	assert_int_equal(r.status, 407);
	assert_string_equal(r.reason, "Proxy Authentication Required");
	assert_int_equal(r.nheaders, 2);
	assert_string_equal(http_header(&r, "proxy-authenticate"), "Basic realm=\"x\"");
	assert_true(http_has_token(http_header(&r, "Via"), "b"));
	assert_false(http_has_token(http_header(&r, "Via"), "c"));
	assert_null(http_header(&r, "Nope"));
	snprintf(buf, sizeof(buf), "SSH-2.0-OpenSSH\r\n\r\n");
	assert_false(http_parse_response(buf, strlen(buf), &r));
}

static void unit__transport__proxy_requests(void **state)
{
	uint8_t b[600];
	char h[1024];
	size_t n;

	(void)state;
	/* socks5h: the proxy resolves the name. */
	n = proxy_socks5_request("broker.lan", 1883, b, sizeof(b));
	assert_int_equal(n, 4 + 1 + 10 + 2);
	assert_memory_equal(b,
	                    "\x05\x01\x00\x03\x0a"
	                    "broker.lan\x07\x5b",
	                    n);
	n = proxy_socks5_request("10.1.2.3", 8883, b, sizeof(b));
	assert_memory_equal(b, "\x05\x01\x00\x01\x0a\x01\x02\x03\x22\xb3", n);
	n = proxy_socks5_request("::1", 1, b, sizeof(b));
	assert_int_equal(n, 4 + 16 + 2);
	assert_int_equal(b[3], 4);
	/* HTTP CONNECT, with Basic credentials when given. */
	n = proxy_http_request("broker.lan", 8883, "alice", "p:w", h, sizeof(h));
	assert_int_equal(strlen(h), n);
	assert_string_equal(h, "CONNECT broker.lan:8883 HTTP/1.1\r\nHost: broker.lan:8883\r\n"
	                       "Proxy-Authorization: Basic YWxpY2U6cDp3\r\n\r\n");
	proxy_http_request("::1", 443, NULL, NULL, h, sizeof(h));
	assert_string_equal(h, "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
}

static enum tls_fail verdict(long verify, int in, int out, int reason, int ssl_error, int err,
                             bool psk, bool requested, bool sent)
{
	struct tls_facts f = {
	    .verify = verify,
	    .alert_received = in,
	    .alert_sent = out,
	    .lib = reason ? ERR_LIB_SSL : 0,
	    .reason = reason,
	    .ssl_error = ssl_error,
	    .sys_errno = err,
	    .psk = psk,
	    .cert_requested = requested,
	    .cert_sent = sent,
	};

	return tls_verdict(&f);
}

static void unit__transport__tls_verdicts_from_openssl_codes(void **state)
{
	const int ok = X509_V_OK, none = -1, vfail = SSL_R_CERTIFICATE_VERIFY_FAILED;

	(void)state;
	assert_int_equal(verdict(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, none, 48, vfail,
	                         SSL_ERROR_SSL, 0, false, false, false),
	                 TLS_ERR_UNKNOWN_CA);
	assert_int_equal(verdict(X509_V_ERR_HOSTNAME_MISMATCH, none, 42, vfail, SSL_ERROR_SSL, 0,
	                         false, false, false),
	                 TLS_ERR_HOSTNAME);
	assert_int_equal(verdict(X509_V_ERR_CERT_HAS_EXPIRED, none, 45, vfail, SSL_ERROR_SSL, 0,
	                         false, false, false),
	                 TLS_ERR_EXPIRED);
	assert_int_equal(verdict(X509_V_ERR_CERT_REVOKED, none, 44, vfail, SSL_ERROR_SSL, 0, false,
	                         false, false),
	                 TLS_ERR_OTHER);
	/* The broker's alerts about our certificate. */
	assert_int_equal(
	    verdict(ok, SSL_AD_CERTIFICATE_REQUIRED, none, 0, SSL_ERROR_SSL, 0, false, true, false),
	    TLS_ERR_CERT_REQUIRED);
	assert_int_equal(
	    verdict(ok, SSL_AD_HANDSHAKE_FAILURE, none, 0, SSL_ERROR_SSL, 0, false, true, false),
	    TLS_ERR_CERT_REQUIRED);
	assert_int_equal(
	    verdict(ok, SSL_AD_UNKNOWN_CA, none, 0, SSL_ERROR_SSL, 0, false, true, true),
	    TLS_ERR_CERT_REJECTED);
	/* TLS 1.3: it asked for a certificate, then reset the connection under our first bytes. */
	assert_int_equal(
	    verdict(ok, none, none, 0, SSL_ERROR_SYSCALL, ECONNRESET, false, true, false),
	    TLS_ERR_CERT_REQUIRED);
	assert_int_equal(
	    verdict(ok, none, none, 0, SSL_ERROR_SYSCALL, ECONNRESET, false, true, true),
	    TLS_ERR_CERT_REJECTED);
	/* A wrong pre-shared key shows as a failed proof of it. */
	assert_int_equal(
	    verdict(ok, SSL_AD_DECRYPT_ERROR, none, 0, SSL_ERROR_SSL, 0, true, false, false),
	    TLS_ERR_PSK);
	assert_int_equal(
	    verdict(ok, none, SSL_AD_BAD_RECORD_MAC, 0, SSL_ERROR_SSL, 0, true, false, false),
	    TLS_ERR_PSK);
	/* No version or cipher in common. */
	assert_int_equal(
	    verdict(ok, SSL_AD_PROTOCOL_VERSION, none, 0, SSL_ERROR_SSL, 0, false, false, false),
	    TLS_ERR_VERSION);
	assert_int_equal(verdict(ok, none, SSL_AD_PROTOCOL_VERSION, SSL_R_UNSUPPORTED_PROTOCOL,
	                         SSL_ERROR_SSL, 0, false, false, false),
	                 TLS_ERR_VERSION);
	/* Closed during the handshake (a plain port that took our hello as garbage). */
	assert_int_equal(verdict(ok, none, none, 0, SSL_ERROR_SYSCALL, 0, false, false, false),
	                 TLS_ERR_CLOSED);
	assert_int_equal(verdict(ok, none, none, SSL_R_UNEXPECTED_EOF_WHILE_READING, SSL_ERROR_SSL,
	                         0, false, false, false),
	                 TLS_ERR_CLOSED);
	/* Not TLS that came back. */
	assert_int_equal(verdict(ok, none, none, SSL_R_WRONG_VERSION_NUMBER, SSL_ERROR_SSL, 0,
	                         false, false, false),
	                 TLS_ERR_HANDSHAKE);
	assert_int_equal(verdict(ok, none, none, SSL_R_PACKET_LENGTH_TOO_LONG, SSL_ERROR_SSL, 0,
	                         false, false, false),
	                 TLS_ERR_HANDSHAKE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__transport__websocket_accept_key_as_rfc6455_says),
	    cmocka_unit_test(unit__transport__websocket_upgrade_request),
	    cmocka_unit_test(unit__transport__websocket_answers),
	    cmocka_unit_test(unit__transport__http_heads),
	    cmocka_unit_test(unit__transport__proxy_requests),
	    cmocka_unit_test(unit__transport__tls_verdicts_from_openssl_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
