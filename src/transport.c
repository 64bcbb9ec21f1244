/* transport.c: opens the connection to the broker, layer by layer, and moves its bytes. */
#define _GNU_SOURCE
#include "mqscope/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mqscope/proxy.h"
#include "mqscope/transport_tls.h"
#include "mqscope/transport_ws.h"
#include "mqscope/util.h"

int conn_wait(int fd, short events, int64_t deadline, int stop_fd)
{
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = events},
		                      {.fd = stop_fd, .events = POLLIN}};
		int64_t left = deadline - clock_mono_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(p, stop_fd >= 0 ? 2 : 1, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR)
			return 0;
		if (n > 0 && stop_fd >= 0 && (p[1].revents & POLLIN))
			return -1;
		if (n > 0 && p[0].revents)
			return 1;
	}
}

int conn_fail(struct conn *c, enum conn_fail f, int code, const char *detail)
{
	c->err.fail = f;
	c->err.code = code;
	snprintf(c->err.detail, sizeof(c->err.detail), "%s", detail ? detail : "");
	return -1;
}

/* A connected, non-blocking socket to one address, or -1 with errno. */
static int connect_addr(const struct sockaddr *sa, socklen_t len, const struct settings *s,
                        int64_t deadline, int stop_fd, bool *stopped)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err = 0, one = 1, w;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return -1;
	if (sa->sa_family != AF_UNIX) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (s->bind_address) {
			struct addrinfo hints = {.ai_family = sa->sa_family,
			                         .ai_socktype = SOCK_STREAM,
			                         .ai_flags = AI_PASSIVE},
			                *local = NULL;

			if (getaddrinfo(s->bind_address, NULL, &hints, &local) != 0 ||
			    local == NULL || bind(fd, local->ai_addr, local->ai_addrlen) != 0) {
				err = local ? errno : EADDRNOTAVAIL;
				if (local)
					freeaddrinfo(local);
				close(fd);
				errno = err;
				return -1;
			}
			freeaddrinfo(local);
		}
	}
	if (connect(fd, sa, len) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	w = conn_wait(fd, POLLOUT, deadline, stop_fd);
	if (w <= 0) {
		*stopped = w < 0;
		close(fd);
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
		close(fd);
		errno = err ? err : ECONNREFUSED;
		return -1;
	}
	return fd;
}

/* The socket: to the proxy when there is one, else to the broker. */
static int open_socket(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd)
{
	const char *host = s->proxy_host ? s->proxy_host : s->host;
	int port = s->proxy_host ? s->proxy_port : s->port;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
	char sport[16];
	bool stopped = false;
	int rc, n = 0, i = 0, err = ECONNREFUSED;

	if (s->unix_path) {
		struct sockaddr_un un = {.sun_family = AF_UNIX};

		if (strlen(s->unix_path) >= sizeof(un.sun_path))
			return conn_fail(c, CONN_ERRNO, ENAMETOOLONG, s->unix_path);
		memcpy(un.sun_path, s->unix_path, strlen(s->unix_path) + 1);
		c->fd = connect_addr((struct sockaddr *)&un, sizeof(un), s, deadline, stop_fd,
		                     &stopped);
		if (c->fd < 0)
			return stopped ? conn_fail(c, CONN_STOPPED, 0, NULL)
			               : conn_fail(c, CONN_ERRNO, errno, NULL);
		return 0;
	}
	snprintf(sport, sizeof(sport), "%d", port);
	rc = getaddrinfo(host, sport, &hints, &res);
	if (rc != 0)
		return conn_fail(c, CONN_DNS, rc, host);
	for (ai = res; ai; ai = ai->ai_next)
		n++;
	/* Each address gets an even share of what is left, so one that hangs leaves time. */
	for (ai = res; ai && c->fd < 0; ai = ai->ai_next, i++) {
		int64_t now = clock_mono_ms();
		int64_t until = now + (deadline - now) / (n - i);

		c->fd = connect_addr(ai->ai_addr, ai->ai_addrlen, s, until, stop_fd, &stopped);
		if (c->fd < 0)
			err = errno;
		if (stopped)
			break;
	}
	freeaddrinfo(res);
	if (stopped)
		return conn_fail(c, CONN_STOPPED, 0, NULL);
	if (c->fd < 0)
		return conn_fail(c, CONN_ERRNO, err, NULL);
	return 0;
}

struct conn *conn_open(const struct settings *s, int stop_fd, int timeout_ms,
                       struct conn_error *err)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	int64_t deadline = clock_mono_ms() + timeout_ms;

	c->fd = -1;
	if (open_socket(c, s, deadline, stop_fd) < 0)
		goto fail;
	if (s->proxy_host && proxy_handshake(c, s, deadline, stop_fd) < 0)
		goto fail;
	if (s->proxy_host)
		c->proxy = s->proxy_kind == PROXY_HTTP ? "an HTTP" : "a SOCKS5";
	if (s->tls && tls_connect(c, s, deadline, stop_fd) < 0)
		goto fail;
	if (s->ws && ws_connect(c, s, deadline, stop_fd) < 0)
		goto fail;
	*err = c->err;
	return c;
fail:
	*err = c->err;
	conn_close(c);
	return NULL;
}

ssize_t conn_raw_read(struct conn *c, void *buf, size_t n)
{
	ssize_t r;

	if (c->ssl)
		return tls_read(c, buf, n);
	r = read(c->fd, buf, n);
	if (r < 0 && errno != EAGAIN && errno != EINTR)
		conn_fail(c, CONN_ERRNO, errno, NULL);
	if (r < 0 && errno == EINTR)
		errno = EAGAIN;
	return r;
}

ssize_t conn_raw_write(struct conn *c, const void *buf, size_t n)
{
	ssize_t w;

	if (c->ssl)
		return tls_write(c, buf, n);
	w = send(c->fd, buf, n, MSG_NOSIGNAL);
	if (w < 0 && errno != EAGAIN && errno != EINTR)
		conn_fail(c, CONN_ERRNO, errno, NULL);
	if (w < 0 && errno == EINTR)
		errno = EAGAIN;
	return w;
}

int conn_raw_write_all(struct conn *c, const void *buf, size_t n, int64_t deadline, int stop_fd)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = conn_raw_write(c, p, n);
		int r;

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN)
			return -1;
		r = conn_wait(c->fd, c->ssl ? c->want : POLLOUT, deadline, stop_fd);
		if (r < 0)
			return conn_fail(c, CONN_STOPPED, 0, NULL);
		if (r == 0)
			return conn_fail(c, CONN_ERRNO, ETIMEDOUT, NULL);
	}
	return 0;
}

ssize_t conn_read(struct conn *c, void *buf, size_t n)
{
	return c->ws ? ws_read(c, buf, n) : conn_raw_read(c, buf, n);
}

ssize_t conn_write(struct conn *c, const void *buf, size_t n)
{
	return c->ws ? ws_write(c, buf, n) : conn_raw_write(c, buf, n);
}

int conn_flush(struct conn *c)
{
	return c->ws ? ws_flush(c) : 0;
}

size_t conn_pending(const struct conn *c)
{
	size_t n = c->ssl ? (size_t)SSL_pending(c->ssl) : 0;

	return n + (c->ws ? ws_pending(c->ws) : 0);
}

bool conn_wants_write(const struct conn *c)
{
	return c->ws && ws_wants_write(c->ws);
}

short conn_events(const struct conn *c)
{
	short ev = POLLIN;

	if (conn_wants_write(c))
		ev |= POLLOUT;
	if (c->ssl && c->want)
		ev |= c->want; /* TLS may need to write to read, or read to write */
	return ev;
}

void conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->ws)
		ws_free(c);
	if (c->ssl || c->tls)
		tls_free(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

void conn_describe(const struct conn *c, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	if (c->ssl)
		n = tls_describe(c, buf, cap);
	if (c->ws)
		n += (size_t)snprintf(buf + n, cap - n, "%sWebSocket", n ? ", " : "");
	else if (n == 0)
		n = (size_t)snprintf(buf, cap, "plain TCP");
	if (c->proxy && n < cap)
		snprintf(buf + n, cap - n, ", through %s proxy", c->proxy);
}
