/* http.h: the HTTP/1.1 answers of proxies and WebSocket servers, read and parsed. */
#ifndef MQSCOPE_HTTP_H
#define MQSCOPE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/transport.h"

#define HTTP_HEAD_MAX    16384 /* an answer's status line and headers */
#define HTTP_HEADERS_MAX 32

/* A parsed answer; strings point into the caller's buffer, NUL-terminated there. */
struct http_response {
	int status;
	const char *reason;
	size_t nheaders;
	struct {
		const char *name, *value;
	} headers[HTTP_HEADERS_MAX];
};

/*
 * Reads an answer's head, up to and including the empty line, and not a byte
 * more, into buf (at most cap - 1 bytes, NUL-terminated). 0, or -1 with
 * c->err (closed, timed out, too long).
 */
int http_read_head(struct conn *c, char *buf, size_t cap, size_t *len, int64_t deadline,
                   int stop_fd);
/* Parses a head read so (buf is modified); false when it is not HTTP/1.x. */
bool http_parse_response(char *buf, size_t len, struct http_response *out);
/* The value of a header (any case), or NULL. */
const char *http_header(const struct http_response *r, const char *name);
/* Whether a comma-separated header value holds token (any case). */
bool http_has_token(const char *value, const char *token);

#endif
