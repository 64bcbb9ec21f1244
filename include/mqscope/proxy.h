/* proxy.h: the handshake with a SOCKS5 or HTTP CONNECT proxy, on the socket to it. */
#ifndef MQSCOPE_PROXY_H
#define MQSCOPE_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "mqscope/settings.h"
#include "mqscope/transport.h"

#define PROXY_HTTP_BIT 0x100 /* in a CONN_PROXY code: it was an HTTP proxy */

/* What went wrong with the proxy (the code of CONN_PROXY, with PROXY_HTTP_BIT). */
enum proxy_fail {
	PROXY_AUTH,        /* it refused the username or password, or wants one */
	PROXY_UNREACHABLE, /* it could not reach the broker */
	PROXY_REFUSED,     /* it does not allow the connection */
	PROXY_PROTOCOL,    /* it does not speak SOCKS5 or HTTP as it should */
};

/*
 * Asks the proxy on c's socket for a tunnel to s->host:s->port, with the
 * proxy's credentials if any; the host name is resolved by the proxy. 0, or
 * -1 with c->err.
 */
int proxy_handshake(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd);

/* The SOCKS5 request for a connection to host:port (RFC 1928); its length, 0 if too long. */
size_t proxy_socks5_request(const char *host, int port, uint8_t *out, size_t cap);
/* The HTTP CONNECT request, with Basic credentials when user is set; its length, 0 if too long. */
size_t proxy_http_request(const char *host, int port, const char *user, const char *password,
                          char *out, size_t cap);

#endif
