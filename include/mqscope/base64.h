/* base64.h: standard base64 (RFC 4648). */
#ifndef MQSCOPE_BASE64_H
#define MQSCOPE_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Standard base64 of n bytes into out (cap >= base64_len(n) + 1); returns the length. */
size_t base64_encode(const void *in, size_t n, char *out, size_t cap);
static inline size_t base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}
/* Decodes standard base64 (padding optional, no whitespace); false on bad input. */
bool base64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen);

#endif
