/* fuzz_http.c: any answer to a WebSocket upgrade or an HTTP CONNECT, parsed and checked. */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mqscope/http.h"
#include "mqscope/transport_ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
	char buf[HTTP_HEAD_MAX + 1], copy[HTTP_HEAD_MAX + 1], why[160];
	struct http_response r;
	int v;

	if (size > HTTP_HEAD_MAX)
		size = HTTP_HEAD_MAX;
	memcpy(buf, data, size);
	buf[size] = '\0';
	memcpy(copy, buf, size + 1);
	if (http_parse_response(buf, size, &r)) {
		/* Every header found is a NUL-terminated string inside the buffer. */
		if (r.nheaders > HTTP_HEADERS_MAX)
			abort();
		for (size_t i = 0; i < r.nheaders; i++)
			if (r.headers[i].name < buf || r.headers[i].name > buf + size ||
			    r.headers[i].value < buf || r.headers[i].value > buf + size ||
			    strlen(r.headers[i].name) > size || strlen(r.headers[i].value) > size)
				abort();
		if (r.status < 100 || r.status > 599)
			abort();
	}
	v = ws_check_answer(copy, size, key, why, sizeof(why));
	/* Accepted only with the one right Sec-WebSocket-Accept in it. */
	if (v == -1 && memmem(data, size, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28) == NULL)
		abort();
	if (v != -1 && why[0] == '\0')
		abort();
	return 0;
}
