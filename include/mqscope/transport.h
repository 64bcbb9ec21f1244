/* transport.h: the connection to the broker, opened by mqscope itself: TCP or a unix socket,
 * through a SOCKS5 or HTTP proxy, with TLS, as a WebSocket. */
#ifndef MQSCOPE_TRANSPORT_H
#define MQSCOPE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mqscope/settings.h"

/*
 * Layers, from the socket up: the socket (TCP, or a unix socket); a proxy's
 * handshake on it (proxy.h); TLS (transport_tls.h); WebSocket framing
 * (transport_ws.h). Each is optional but the socket. Once open, conn_read()
 * gives the broker's bytes (MQTT packets) and conn_write() takes ours, both
 * never blocking.
 */

/* Why a connection could not be opened or ended: the session puts it in words. */
enum conn_fail {
	CONN_OK,
	CONN_ERRNO,   /* a system error; code is the errno (refused, unreachable, timed out) */
	CONN_DNS,     /* the host name was not found; code is getaddrinfo's */
	CONN_PROXY,   /* the proxy; code from enum proxy_fail */
	CONN_TLS,     /* TLS; code from enum tls_fail */
	CONN_WS,      /* the WebSocket upgrade or framing; code from enum ws_fail */
	CONN_CLOSED,  /* the other end closed the connection */
	CONN_STOPPED, /* stop was asked for */
};

#define CONN_DETAIL_MAX 160

struct conn_error {
	enum conn_fail fail;
	int code;
	char detail[CONN_DETAIL_MAX]; /* more, e.g. the proxy's answer; untrusted text */
};

struct ws;
struct tls_client;
typedef struct ssl_st SSL;

struct conn {
	int fd;
	struct tls_client *tls; /* TLS: its settings and verdicts; NULL without */
	SSL *ssl;
	struct ws *ws;     /* WebSocket framing; NULL without */
	short want;        /* TLS: what the last call waits for (POLLIN or POLLOUT) */
	const char *proxy; /* "a SOCKS5", "an HTTP": the proxy in the way; NULL without */
	struct conn_error err;
};

/*
 * Opens the connection the settings describe, every layer of it, within
 * timeout_ms; gives up when stop_fd becomes readable. NULL with the reason
 * in *err.
 */
struct conn *conn_open(const struct settings *s, int stop_fd, int timeout_ms,
                       struct conn_error *err);
/*
 * The broker's bytes: > 0 bytes, 0 when it closed the connection, -1 with
 * errno EAGAIN when nothing is there now, else -1 with the reason in c->err.
 */
ssize_t conn_read(struct conn *c, void *buf, size_t n);
/* Takes up to n of our bytes (> 0), -1 with EAGAIN when it cannot now, else -1 (c->err). */
ssize_t conn_write(struct conn *c, const void *buf, size_t n);
/* Sends what the layers hold back (WebSocket frames); 0, or -1 with c->err. */
int conn_flush(struct conn *c);
/* Bytes conn_read gives without waiting (decrypted or unframed already). */
size_t conn_pending(const struct conn *c);
/* Whether bytes taken by conn_write are still waiting to go out. */
bool conn_wants_write(const struct conn *c);
/* What to poll the socket for: reading always, writing when something waits. */
short conn_events(const struct conn *c);
/* Ends the connection politely where that is quick (WebSocket close, TLS close_notify). */
void conn_close(struct conn *c);
/* "TLS 1.3, WebSocket, through an HTTP proxy", for the connection log. */
void conn_describe(const struct conn *c, char *buf, size_t cap);

/* Layers below use these. */

/* Waits until fd is ready for events, the deadline (monotonic ms), or stop_fd: 1, 0, -1. */
int conn_wait(int fd, short events, int64_t deadline, int stop_fd);
/* The bytes under the WebSocket layer: TLS, or the socket. Like conn_read. */
ssize_t conn_raw_read(struct conn *c, void *buf, size_t n);
ssize_t conn_raw_write(struct conn *c, const void *buf, size_t n);
/* Writes all of buf under the WebSocket layer before the deadline; 0, or -1 with c->err. */
int conn_raw_write_all(struct conn *c, const void *buf, size_t n, int64_t deadline, int stop_fd);
/* Sets c->err (and returns -1). */
int conn_fail(struct conn *c, enum conn_fail f, int code, const char *detail);

#endif
