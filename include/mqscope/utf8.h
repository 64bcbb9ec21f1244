/* utf8.h: the one place that knows how UTF-8 is built: decoding, checking, encoding, stepping. */
#ifndef MQSCOPE_UTF8_H
#define MQSCOPE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_MAX 4 /* bytes of the longest sequence */

/*
 * Decodes the character at p (p < end): returns its length (1 to 4) and, when cp
 * is not NULL, its code point. Returns 0 when p does not start a well-formed
 * sequence: a stray continuation byte, an overlong form, a surrogate, a code
 * point past U+10FFFF, or a sequence cut short by end.
 */
size_t utf8_decode(const char *p, const char *end, uint32_t *cp);

/* Whether s[0..len) is well-formed UTF-8 (a NUL byte is U+0000 and counts as valid). */
bool utf8_valid(const char *s, size_t len);

/* Encodes cp into out; returns the bytes written, 0 for a surrogate or a value past U+10FFFF. */
size_t utf8_encode(uint32_t cp, char out[UTF8_MAX]);

/* Whether byte c continues a sequence (10xxxxxx) rather than starting a character. */
bool utf8_is_cont(char c);

/* Where the character before byte offset at starts (0 at the start): for cursor moves. */
size_t utf8_prev(const char *s, size_t at);

/* Where the character after the one at byte offset at starts (len at the end). */
size_t utf8_next(const char *s, size_t len, size_t at);

/* How many characters s[0..len) holds, counting each byte that starts one. */
size_t utf8_chars(const char *s, size_t len);

#endif
