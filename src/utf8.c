/* utf8.c: UTF-8 decoding, checking, encoding and stepping by character. */
#include "mqscope/utf8.h"

size_t utf8_decode(const char *p, const char *end, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t n;
	uint32_t c, min;

	if (u[0] < 0x80) {
		n = 1, c = u[0], min = 0;
	} else if ((u[0] & 0xe0) == 0xc0) {
		n = 2, c = u[0] & 0x1f, min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3, c = u[0] & 0x0f, min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3f);
	}
	/* Overlong forms would let one character hide behind another's bytes. */
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp)
		*cp = c;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		size_t n = utf8_decode(s, end, NULL);

		if (n == 0)
			return false;
		s += n;
	}
	return true;
}

size_t utf8_encode(uint32_t cp, char out[UTF8_MAX])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

bool utf8_is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

size_t utf8_prev(const char *s, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && utf8_is_cont(s[at]))
		at--;
	return at;
}

size_t utf8_next(const char *s, size_t len, size_t at)
{
	if (at >= len)
		return len;
	at++;
	while (at < len && utf8_is_cont(s[at]))
		at++;
	return at;
}

size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (!utf8_is_cont(s[i]))
			n++;
	return n;
}
