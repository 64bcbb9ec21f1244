/* http.c: reads the head of an HTTP/1.1 answer without reading past it, and parses it. */
#include "mqscope/http.h"

#include <errno.h>
#include <http_parser.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int http_read_head(struct conn *c, char *buf, size_t cap, size_t *len, int64_t deadline,
                   int stop_fd)
{
	size_t n = 0;

	/* Byte by byte: what follows the head belongs to the next layer. */
	while (n + 1 < cap) {
		ssize_t r = conn_raw_read(c, buf + n, 1);
		int w;

		if (r == 1) {
			n++;
			if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0) {
				buf[n] = '\0';
				*len = n;
				return 0;
			}
			continue;
		}
		if (r == 0)
			return conn_fail(c, CONN_CLOSED, 0, NULL);
		if (errno != EAGAIN)
			return -1;
		w = conn_wait(c->fd, c->ssl && c->want ? c->want : POLLIN, deadline, stop_fd);
		if (w < 0)
			return conn_fail(c, CONN_STOPPED, 0, NULL);
		if (w == 0)
			return conn_fail(c, CONN_ERRNO, ETIMEDOUT, NULL);
	}
	return conn_fail(c, CONN_ERRNO, EMSGSIZE, "an HTTP answer of over 16 KiB");
}

/* What the parser's callbacks collect: pieces of the buffer, terminated after parsing. */
struct collect {
	struct http_response *r;
	char *reason;
	size_t reason_len;
	char *field[HTTP_HEADERS_MAX], *value[HTTP_HEADERS_MAX];
	size_t field_len[HTTP_HEADERS_MAX], value_len[HTTP_HEADERS_MAX];
	size_t n;
	bool in_value;
};

static int on_status(http_parser *p, const char *at, size_t len)
{
	struct collect *c = p->data;

	if (c->reason == NULL)
		c->reason = (char *)at;
	c->reason_len += len;
	return 0;
}

static int on_field(http_parser *p, const char *at, size_t len)
{
	struct collect *c = p->data;

	if (c->in_value || c->n == 0) {
		if (c->in_value)
			c->n++;
		if (c->n >= HTTP_HEADERS_MAX)
			return 0; /* the rest is not looked at */
		c->field[c->n] = (char *)at;
		c->field_len[c->n] = 0;
		c->value[c->n] = NULL;
		c->value_len[c->n] = 0;
		c->in_value = false;
	}
	if (c->n < HTTP_HEADERS_MAX)
		c->field_len[c->n] += len;
	return 0;
}

static int on_value(http_parser *p, const char *at, size_t len)
{
	struct collect *c = p->data;

	if (c->n >= HTTP_HEADERS_MAX || c->field[c->n] == NULL)
		return 0;
	if (c->value[c->n] == NULL)
		c->value[c->n] = (char *)at;
	c->value_len[c->n] += len;
	c->in_value = true;
	return 0;
}

/* Only the head is wanted: an answer to CONNECT or an upgrade has no body to wait for. */
static int on_headers_complete(http_parser *p)
{
	struct collect *c = p->data;

	if (c->in_value && c->n < HTTP_HEADERS_MAX)
		c->n++;
	c->in_value = false;
	http_parser_pause(p, 1); /* one answer: what follows is not read as another */
	return 1;
}

bool http_parse_response(char *buf, size_t len, struct http_response *out)
{
	http_parser p;
	http_parser_settings st;
	struct collect c = {.r = out};

	memset(out, 0, sizeof(*out));
	http_parser_init(&p, HTTP_RESPONSE);
	http_parser_settings_init(&st);
	st.on_status = on_status;
	st.on_header_field = on_field;
	st.on_header_value = on_value;
	st.on_headers_complete = on_headers_complete;
	p.data = &c;
	http_parser_execute(&p, &st, buf, len);
	/* http-parser takes a status of fewer than three digits; HTTP does not. */
	if ((HTTP_PARSER_ERRNO(&p) != HPE_OK && HTTP_PARSER_ERRNO(&p) != HPE_PAUSED) ||
	    p.http_major != 1 || p.status_code < 100 || p.status_code > 599)
		return false;
	out->status = (int)p.status_code;
	/* Terminate the pieces in place, now that the parser is done with the bytes after them. */
	if (c.reason) {
		c.reason[c.reason_len] = '\0';
		out->reason = c.reason;
	} else {
		out->reason = "";
	}
	for (size_t i = 0; i < c.n && i < HTTP_HEADERS_MAX; i++) {
		if (c.field[i] == NULL)
			return false;
		if (c.value[i] == NULL)
			c.value[i] = c.field[i] + c.field_len[i]; /* an empty value */
		c.field[i][c.field_len[i]] = '\0';
		c.value[i][c.value_len[i]] = '\0';
		out->headers[i].name = c.field[i];
		out->headers[i].value = c.value[i];
	}
	out->nheaders = c.n < HTTP_HEADERS_MAX ? c.n : HTTP_HEADERS_MAX;
	return true;
}

const char *http_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

bool http_has_token(const char *value, const char *token)
{
	size_t tl = strlen(token);

	for (const char *p = value; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncasecmp(p, token, tl) == 0 &&
		    (p[tl] == '\0' || p[tl] == ',' || p[tl] == ' ' || p[tl] == '\t'))
			return true;
		p = strchr(p, ',');
	}
	return false;
}
