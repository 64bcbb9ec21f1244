/* proxy.c: SOCKS5 (RFC 1928, 1929) and HTTP CONNECT tunnels to the broker. */
#include "mqscope/proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/http.h"
#include "mqscope/util.h"

/* Reads exactly n bytes from the proxy before the deadline; 0, or -1 with c->err. */
static int read_exact(struct conn *c, void *buf, size_t n, int64_t deadline, int stop_fd)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t r = conn_raw_read(c, p, n);
		int w;

		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0)
			return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL,
			                 "the proxy closed the connection during its handshake");
		if (errno != EAGAIN)
			return -1;
		w = conn_wait(c->fd, POLLIN, deadline, stop_fd);
		if (w < 0)
			return conn_fail(c, CONN_STOPPED, 0, NULL);
		if (w == 0)
			return conn_fail(c, CONN_ERRNO, ETIMEDOUT, "no answer from the proxy");
	}
	return 0;
}

size_t proxy_socks5_request(const char *host, int port, uint8_t *out, size_t cap)
{
	struct in_addr a4;
	struct in6_addr a6;
	size_t n = 0, hl = strlen(host);

	if (cap < 4 + 1 + 255 + 2)
		return 0;
	out[n++] = 5; /* version */
	out[n++] = 1; /* CONNECT */
	out[n++] = 0;
	if (inet_pton(AF_INET, host, &a4) == 1) {
		out[n++] = 1;
		memcpy(out + n, &a4, 4);
		n += 4;
	} else if (inet_pton(AF_INET6, host, &a6) == 1) {
		out[n++] = 4;
		memcpy(out + n, &a6, 16);
		n += 16;
	} else {
		if (hl == 0 || hl > 255)
			return 0;
		out[n++] = 3; /* a name the proxy resolves (socks5h) */
		out[n++] = (uint8_t)hl;
		memcpy(out + n, host, hl);
		n += hl;
	}
	out[n++] = (uint8_t)(port >> 8);
	out[n++] = (uint8_t)port;
	return n;
}

/* What a SOCKS5 reply code means for the user. */
static int socks5_reply(struct conn *c, uint8_t rep)
{
	static const char *const why[] = {
	    "succeeded",           "general failure",       "not allowed by its rules",
	    "network unreachable", "host unreachable",      "connection refused by the broker",
	    "TTL expired",         "command not supported", "address type not supported"};
	char d[96];

	snprintf(d, sizeof(d), "SOCKS5: %s", rep < 9 ? why[rep] : "an unknown reply");
	if (rep == 2)
		return conn_fail(c, CONN_PROXY, PROXY_REFUSED, d);
	if (rep == 1 || (rep >= 3 && rep <= 6))
		return conn_fail(c, CONN_PROXY, PROXY_UNREACHABLE, d);
	return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL, d);
}

static int socks5(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd)
{
	uint8_t buf[600], rep[4];
	size_t n, ul = s->proxy_user ? strlen(s->proxy_user) : 0;
	size_t pl = s->proxy_password ? strlen(s->proxy_password) : 0;
	bool auth = s->proxy_user != NULL;
	size_t skip;

	/* Methods: none, and username/password when we have them. */
	memcpy(buf, auth ? "\x05\x02\x00\x02" : "\x05\x01\x00", auth ? 4 : 3);
	if (conn_raw_write_all(c, buf, auth ? 4 : 3, deadline, stop_fd) < 0 ||
	    read_exact(c, rep, 2, deadline, stop_fd) < 0)
		return -1;
	if (rep[0] != 5)
		return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL, "not a SOCKS5 proxy");
	if (rep[1] == 0xff)
		return conn_fail(c, CONN_PROXY, PROXY_AUTH,
		                 auth ? "SOCKS5: it takes none of our login methods"
		                      : "SOCKS5: it wants a username and password");
	if (rep[1] == 2) {
		if (!auth || ul > 255 || pl > 255)
			return conn_fail(c, CONN_PROXY, PROXY_AUTH, "SOCKS5: it wants a login");
		n = 0;
		buf[n++] = 1;
		buf[n++] = (uint8_t)ul;
		memcpy(buf + n, s->proxy_user, ul);
		n += ul;
		buf[n++] = (uint8_t)pl;
		if (pl)
			memcpy(buf + n, s->proxy_password, pl);
		n += pl;
		int w = conn_raw_write_all(c, buf, n, deadline, stop_fd);

		explicit_bzero(buf, sizeof(buf));
		if (w < 0 || read_exact(c, rep, 2, deadline, stop_fd) < 0)
			return -1;
		if (rep[1] != 0)
			return conn_fail(c, CONN_PROXY, PROXY_AUTH, "SOCKS5: login refused");
	} else if (rep[1] != 0) {
		return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL,
		                 "SOCKS5: a login method we did not "
		                 "offer");
	}
	n = proxy_socks5_request(s->host, s->port, buf, sizeof(buf));
	if (n == 0)
		return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL, "SOCKS5: host name over 255 bytes");
	if (conn_raw_write_all(c, buf, n, deadline, stop_fd) < 0 ||
	    read_exact(c, rep, 4, deadline, stop_fd) < 0)
		return -1;
	if (rep[0] != 5)
		return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL, "not a SOCKS5 proxy");
	if (rep[1] != 0)
		return socks5_reply(c, rep[1]);
	/* The address the proxy bound, and its port: read and left. */
	if (rep[3] == 1)
		skip = 4 + 2;
	else if (rep[3] == 4)
		skip = 16 + 2;
	else if (rep[3] == 3 && read_exact(c, rep, 1, deadline, stop_fd) == 0)
		skip = (size_t)rep[0] + 2;
	else
		return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL, "SOCKS5: a malformed reply");
	return read_exact(c, buf, skip, deadline, stop_fd);
}

size_t proxy_http_request(const char *host, int port, const char *user, const char *password,
                          char *out, size_t cap)
{
	bool v6 = strchr(host, ':') != NULL;
	int n =
	    snprintf(out, cap, "CONNECT %s%s%s:%d HTTP/1.1\r\nHost: %s%s%s:%d\r\n", v6 ? "[" : "",
	             host, v6 ? "]" : "", port, v6 ? "[" : "", host, v6 ? "]" : "", port);

	if (n < 0 || (size_t)n >= cap)
		return 0;
	if (user) {
		char cred[600], b64[820];
		int cl = snprintf(cred, sizeof(cred), "%s:%s", user, password ? password : "");

		if (cl < 0 || (size_t)cl >= sizeof(cred))
			return 0;
		EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)cred, cl);
		explicit_bzero(cred, sizeof(cred));
		n += snprintf(out + n, cap - (size_t)n, "Proxy-Authorization: Basic %s\r\n", b64);
		explicit_bzero(b64, sizeof(b64));
		if ((size_t)n >= cap)
			return 0;
	}
	n += snprintf(out + n, cap - (size_t)n, "\r\n");
	return (size_t)n < cap ? (size_t)n : 0;
}

static int http_connect(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd)
{
	char req[2048], head[HTTP_HEAD_MAX], d[CONN_DETAIL_MAX];
	size_t n = proxy_http_request(s->host, s->port, s->proxy_user, s->proxy_password, req,
	                              sizeof(req));
	struct http_response r;
	int w;

	if (n == 0)
		return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL, "host name or login too long");
	w = conn_raw_write_all(c, req, n, deadline, stop_fd);
	explicit_bzero(req, sizeof(req));
	if (w < 0 || http_read_head(c, head, sizeof(head), &n, deadline, stop_fd) < 0)
		return -1;
	if (!http_parse_response(head, n, &r))
		return conn_fail(c, CONN_PROXY, PROXY_PROTOCOL, "not an HTTP proxy");
	if (r.status >= 200 && r.status < 300)
		return 0;
	snprintf(d, sizeof(d), "HTTP %d %s", r.status, r.reason);
	if (r.status == 407 || r.status == 401)
		return conn_fail(c, CONN_PROXY, PROXY_AUTH, d);
	if (r.status == 502 || r.status == 503 || r.status == 504)
		return conn_fail(c, CONN_PROXY, PROXY_UNREACHABLE, d);
	return conn_fail(c, CONN_PROXY, PROXY_REFUSED, d);
}

int proxy_handshake(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd)
{
	if (s->proxy_kind != PROXY_HTTP)
		return socks5(c, s, deadline, stop_fd);
	if (http_connect(c, s, deadline, stop_fd) == 0)
		return 0;
	if (c->err.fail == CONN_PROXY)
		c->err.code |= PROXY_HTTP_BIT;
	return -1;
}
