/* transport_ws.h: MQTT over WebSocket (RFC 6455, subprotocol "mqtt"), the client side. */
#ifndef MQSCOPE_TRANSPORT_WS_H
#define MQSCOPE_TRANSPORT_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mqscope/settings.h"
#include "mqscope/transport.h"

/* What went wrong with the WebSocket (the code of CONN_WS). */
enum ws_fail {
	WS_NOT_HTTP,     /* the answer to the upgrade request was not HTTP */
	WS_NOT_UPGRADED, /* an HTTP answer other than 101 Switching Protocols */
	WS_BAD_ACCEPT,   /* Sec-WebSocket-Accept missing or not the one our key asks for */
	WS_BAD_PROTOCOL, /* a subprotocol other than "mqtt", or an extension not asked for */
	WS_FRAMING,      /* a frame against RFC 6455 or MQTT's use of it (text, masked...) */
	WS_CLOSED,       /* the server closed the WebSocket */
	WS_DENIED,       /* HTTP 401 or 403: the server wants credentials (a header, a login) */
};

/*
 * The HTTP/1.1 upgrade on c (after TLS for wss://): path s->ws_path (else
 * /mqtt), subprotocol mqtt, the extra headers of --ws-header; the answer's
 * Sec-WebSocket-Accept is checked against our key. Framing (masks, ping and
 * pong, close) is libwslay's, on top of the layers below. 0, or -1 with c->err.
 */
int ws_connect(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd);
/* Like conn_read and conn_write, in binary frames. */
ssize_t ws_read(struct conn *c, void *buf, size_t n);
ssize_t ws_write(struct conn *c, const void *buf, size_t n);
/* Sends what frames wait to go out; 0, or -1 with c->err. */
int ws_flush(struct conn *c);
/* Unframed bytes waiting for ws_read. */
size_t ws_pending(const struct ws *w);
/* Frames waiting to go out. */
bool ws_wants_write(const struct ws *w);
/* Sends a close frame if it can at once, and frees the framing state. */
void ws_free(struct conn *c);

/* The Sec-WebSocket-Accept a server must answer for key (RFC 6455 4.2.2): 28 chars + NUL. */
void ws_accept_for(const char *key, char out[29]);
/* The upgrade request; its length, 0 when it does not fit in cap. */
size_t ws_request(const char *host, int port, bool tls, const char *path, char *const *headers,
                  size_t nheaders, const char *key, char *out, size_t cap);
/*
 * Checks the answer's head (modified while parsed) against our key: -1 when
 * it opens the WebSocket, else the enum ws_fail, with why.
 */
int ws_check_answer(char *head, size_t len, const char *key, char *why, size_t cap);

#endif
