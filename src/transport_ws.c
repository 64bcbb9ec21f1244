/* transport_ws.c: the WebSocket upgrade, checked; framing by libwslay on the layers below. */
#include "mqscope/transport_ws.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

#include "mqscope/http.h"
#include "mqscope/util.h"

#define WS_GUID      "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define IN_MAX       (256 * 1024)  /* unframed bytes read ahead of conn_read */
#define OUT_QUEUE    (1024 * 1024) /* our frames waiting before ws_write says "later" */
#define WS_OP_CONT   0
#define WS_OP_TEXT   1
#define WS_OP_BINARY 2

struct ws {
	wslay_event_context_ptr ctx;
	struct conn *c;
	uint8_t *in;
	size_t in_pos, in_len, in_cap;
	bool data_frame; /* the frame being received carries MQTT bytes */
	bool eof;        /* the layer below ended */
	bool lower_failed;
	bool bad;     /* a frame broke the rules; c->err says which */
	bool stopped; /* wslay_event_recv failed: it may not be called again */
};

void ws_accept_for(const char *key, char out[29])
{
	unsigned char md[SHA_DIGEST_LENGTH];
	char buf[128];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%s%s", key, WS_GUID);

	EVP_Digest(buf, n < sizeof(buf) ? n : sizeof(buf) - 1, md, NULL, EVP_sha1(), NULL);
	EVP_EncodeBlock((unsigned char *)out, md, SHA_DIGEST_LENGTH);
}

size_t ws_request(const char *host, int port, bool tls, const char *path, char *const *headers,
                  size_t nheaders, const char *key, char *out, size_t cap)
{
	bool v6 = strchr(host, ':') != NULL, default_port = port == (tls ? 443 : 80);
	char portbuf[16] = "";
	size_t n;
	int w;

	if (!default_port)
		snprintf(portbuf, sizeof(portbuf), ":%d", port);
	w = snprintf(out, cap,
	             "GET %s HTTP/1.1\r\nHost: %s%s%s%s\r\nUpgrade: websocket\r\n"
	             "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
	             "Sec-WebSocket-Protocol: mqtt\r\n",
	             path && *path ? path : "/mqtt", v6 ? "[" : "", host, v6 ? "]" : "", portbuf,
	             key);
	if (w < 0 || (size_t)w >= cap)
		return 0;
	n = (size_t)w;
	for (size_t i = 0; i < nheaders; i++) {
		w = snprintf(out + n, cap - n, "%s\r\n", headers[i]);
		if (w < 0 || (size_t)w >= cap - n)
			return 0;
		n += (size_t)w;
	}
	if (cap - n < 3)
		return 0;
	memcpy(out + n, "\r\n", 3);
	return n + 2;
}

int ws_check_answer(char *head, size_t len, const char *key, char *why, size_t cap)
{
	struct http_response r;
	const char *v;
	char want[29];

	if (!http_parse_response(head, len, &r)) {
		snprintf(why, cap, "the answer to the upgrade request is not HTTP");
		return WS_NOT_HTTP;
	}
	if (r.status != 101) {
		snprintf(why, cap, "HTTP %d %s", r.status, r.reason);
		return r.status == 401 || r.status == 403 ? WS_DENIED : WS_NOT_UPGRADED;
	}
	v = http_header(&r, "Upgrade");
	if (v == NULL || !http_has_token(v, "websocket") ||
	    (v = http_header(&r, "Connection")) == NULL || !http_has_token(v, "upgrade")) {
		snprintf(why, cap, "HTTP 101 without Upgrade: websocket");
		return WS_NOT_UPGRADED;
	}
	ws_accept_for(key, want);
	v = http_header(&r, "Sec-WebSocket-Accept");
	if (v == NULL || strcmp(v, want) != 0) {
		snprintf(why, cap,
		         v ? "Sec-WebSocket-Accept is not the one our key asks for"
		           : "no Sec-WebSocket-Accept");
		return WS_BAD_ACCEPT;
	}
	/* RFC 6455 4.1: a subprotocol or extension the client did not offer fails it. */
	v = http_header(&r, "Sec-WebSocket-Protocol");
	if (v != NULL && strcmp(v, "mqtt") != 0) {
		snprintf(why, cap, "subprotocol '%.60s' instead of mqtt", v);
		return WS_BAD_PROTOCOL;
	}
	v = http_header(&r, "Sec-WebSocket-Extensions");
	if (v != NULL && *v) {
		snprintf(why, cap, "extension '%.60s' we did not offer", v);
		return WS_BAD_PROTOCOL;
	}
	return -1;
}

/* wslay reads the layer below through here. */
static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
	struct ws *w = user;
	ssize_t r;

	(void)flags;
	if (w->in_len - w->in_pos >= IN_MAX) {
		/* Enough read ahead: the rest waits in the socket until conn_read takes this. */
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	r = conn_raw_read(w->c, buf, len);
	if (r > 0)
		return r;
	if (r < 0 && errno == EAGAIN) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (r == 0)
		w->eof = true;
	else
		w->lower_failed = true;
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *user)
{
	struct ws *w = user;
	ssize_t r = conn_raw_write(w->c, data, len);

	(void)flags;
	if (r > 0)
		return r;
	if (r < 0 && errno == EAGAIN) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	w->lower_failed = true;
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static int genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
	(void)ctx;
	(void)user;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* MQTT goes in binary frames only (MQTT 5, 6.0.0-1): a text frame ends the connection. */
static void frame_start_cb(wslay_event_context_ptr ctx,
                           const struct wslay_event_on_frame_recv_start_arg *arg, void *user)
{
	struct ws *w = user;

	if (arg->opcode == WS_OP_BINARY)
		w->data_frame = true;
	else if (arg->opcode == WS_OP_TEXT) {
		w->data_frame = false;
		if (!w->bad) {
			w->bad = true;
			conn_fail(w->c, CONN_WS, WS_FRAMING,
			          "a text frame (MQTT uses binary frames)");
			wslay_event_shutdown_read(ctx);
		}
	} else if (arg->opcode != WS_OP_CONT) {
		w->data_frame = false; /* control frames: wslay answers ping and close */
	}
}

/* Unframed MQTT bytes, in the order they came. */
static void frame_chunk_cb(wslay_event_context_ptr ctx,
                           const struct wslay_event_on_frame_recv_chunk_arg *arg, void *user)
{
	struct ws *w = user;

	(void)ctx;
	if (!w->data_frame || w->bad || arg->data_length == 0)
		return;
	if (w->in_pos > 0 && w->in_pos == w->in_len)
		w->in_pos = w->in_len = 0;
	if (w->in_len + arg->data_length > w->in_cap) {
		size_t c = w->in_cap ? w->in_cap : 65536;

		if (w->in_pos > 0) {
			memmove(w->in, w->in + w->in_pos, w->in_len - w->in_pos);
			w->in_len -= w->in_pos;
			w->in_pos = 0;
		}
		while (c < w->in_len + arg->data_length)
			c *= 2;
		if (c != w->in_cap) {
			w->in = xrealloc(w->in, c);
			w->in_cap = c;
		}
	}
	memcpy(w->in + w->in_len, arg->data, arg->data_length);
	w->in_len += arg->data_length;
}

static void msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                   void *user)
{
	(void)ctx;
	(void)arg;
	(void)user;
}

int ws_connect(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd)
{
	static const struct wslay_event_callbacks cbs = {
	    .recv_callback = recv_cb,
	    .send_callback = send_cb,
	    .genmask_callback = genmask_cb,
	    .on_frame_recv_start_callback = frame_start_cb,
	    .on_frame_recv_chunk_callback = frame_chunk_cb,
	    .on_msg_recv_callback = msg_cb,
	};
	unsigned char nonce[16];
	char key[32], req[8192], head[HTTP_HEAD_MAX], why[CONN_DETAIL_MAX];
	size_t n;
	int r;
	struct ws *w;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return conn_fail(c, CONN_WS, WS_FRAMING, "no random bytes for the key");
	EVP_EncodeBlock((unsigned char *)key, nonce, sizeof(nonce));
	n = ws_request(s->host, s->port, s->tls, s->ws_path, s->ws_headers, s->nws_headers, key,
	               req, sizeof(req));
	if (n == 0)
		return conn_fail(c, CONN_WS, WS_NOT_HTTP, "the upgrade request is over 8 KiB");
	if (conn_raw_write_all(c, req, n, deadline, stop_fd) < 0 ||
	    http_read_head(c, head, sizeof(head), &n, deadline, stop_fd) < 0)
		return -1;
	r = ws_check_answer(head, n, key, why, sizeof(why));
	if (r >= 0)
		return conn_fail(c, CONN_WS, r, why);
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	if (wslay_event_context_client_init(&w->ctx, &cbs, w) != 0) {
		free(w);
		return conn_fail(c, CONN_WS, WS_FRAMING, "out of memory");
	}
	/* Frames are handed on as they come: the MQTT layer above bounds packets. */
	wslay_event_config_set_no_buffering(w->ctx, 1);
	c->ws = w;
	return 0;
}

/* The reason the WebSocket stopped, once wslay said so. */
static ssize_t ws_ended(struct conn *c)
{
	struct ws *w = c->ws;
	char d[CONN_DETAIL_MAX];

	if (w->bad || w->lower_failed)
		return -1; /* c->err was set where it happened */
	if (w->eof)
		return 0;
	if (wslay_event_get_close_received(w->ctx)) {
		uint16_t code = wslay_event_get_status_code_received(w->ctx);

		snprintf(d, sizeof(d), "close frame, status %u", code);
		return conn_fail(c, CONN_WS, WS_CLOSED, d);
	}
	return conn_fail(c, CONN_WS, WS_FRAMING, "a frame against RFC 6455");
}

ssize_t ws_read(struct conn *c, void *buf, size_t n)
{
	struct ws *w = c->ws;
	size_t k;

	if (w->in_pos == w->in_len && !w->bad) {
		if (!w->stopped && wslay_event_recv(w->ctx) != 0)
			w->stopped = true;
		/* Pongs and close answers wslay queued go out now. */
		if (!w->stopped && wslay_event_want_write(w->ctx))
			wslay_event_send(w->ctx);
		if (w->in_pos == w->in_len) {
			if (w->stopped || w->bad || w->eof || !wslay_event_get_read_enabled(w->ctx))
				return ws_ended(c);
			errno = EAGAIN;
			return -1;
		}
	}
	if (w->bad && w->in_pos == w->in_len)
		return -1;
	k = w->in_len - w->in_pos < n ? w->in_len - w->in_pos : n;
	memcpy(buf, w->in + w->in_pos, k);
	w->in_pos += k;
	return (ssize_t)k;
}

ssize_t ws_write(struct conn *c, const void *buf, size_t n)
{
	struct ws *w = c->ws;
	struct wslay_event_msg m = {WS_OP_BINARY, buf, n};

	if (wslay_event_get_queued_msg_length(w->ctx) > OUT_QUEUE) {
		if (ws_flush(c) < 0)
			return -1;
		if (wslay_event_get_queued_msg_length(w->ctx) > OUT_QUEUE) {
			errno = EAGAIN;
			return -1;
		}
	}
	if (wslay_event_queue_msg(w->ctx, &m) != 0)
		return conn_fail(c, CONN_WS, WS_CLOSED, "the WebSocket is closing");
	if (ws_flush(c) < 0)
		return -1;
	return (ssize_t)n;
}

int ws_flush(struct conn *c)
{
	struct ws *w = c->ws;

	if (wslay_event_send(w->ctx) != 0)
		return w->lower_failed ? -1 : conn_fail(c, CONN_WS, WS_FRAMING, "cannot send");
	return 0;
}

size_t ws_pending(const struct ws *w)
{
	return w->in_len - w->in_pos;
}

bool ws_wants_write(const struct ws *w)
{
	return wslay_event_want_write(w->ctx) != 0;
}

void ws_free(struct conn *c)
{
	struct ws *w = c->ws;

	if (w == NULL)
		return;
	if (!w->lower_failed && !w->eof && wslay_event_get_write_enabled(w->ctx) &&
	    wslay_event_queue_close(w->ctx, 1000, NULL, 0) == 0)
		wslay_event_send(w->ctx); /* best effort: the socket closes next */
	wslay_event_context_free(w->ctx);
	free(w->in);
	free(w);
	c->ws = NULL;
}
