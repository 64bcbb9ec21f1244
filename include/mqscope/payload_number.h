/* payload_number.h: numbers in payloads, as text or JSON fields, for trends and toggles. */
#ifndef MQSCOPE_PAYLOAD_NUMBER_H
#define MQSCOPE_PAYLOAD_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A number from text: "21.5", " -3e2 ", "45 %", "12345 seconds". The number
 * must come first; what follows may only be a short unit without digits.
 */
bool payload_text_number(const char *s, size_t len, double *out);

#define PAYLOAD_PATH_MAX 128

/*
 * The number at path in a JSON payload ("value", "a.b[2].c"), or with an
 * empty path the payload itself as a number (text or JSON). Numbers inside
 * JSON strings ("21.5") count. Payloads over PAYLOAD_NUMBER_MAX are skipped.
 */
bool payload_number(const char *s, size_t len, const char *path, double *out);
#define PAYLOAD_NUMBER_MAX (256 * 1024)

/*
 * A payload's value as text, and as a number when it reads as one. With an
 * empty path it is the whole payload, white space trimmed: *out points into
 * s (no copy). Else it is the JSON member at path, copied into buf (cut to
 * cap - 1 bytes, NUL-ended): strings unquoted, true/false/null as those
 * words, objects and arrays as compact JSON. *outlen is the length (the
 * text may hold NUL bytes). False when the path names nothing.
 */
bool payload_value(const char *s, size_t len, const char *path, char *buf, size_t cap,
                   const char **out, size_t *outlen, double *num, bool *is_num);

/* Fills paths with up to max numeric leaves of a JSON payload, in document order; returns count.
 */
size_t payload_numeric_paths(const char *s, size_t len, char (*paths)[PAYLOAD_PATH_MAX],
                             size_t max);
/*
 * The field a trend should follow by default: "" for a plain number, else the
 * numeric JSON leaf that looks most like a measurement (not a timestamp).
 * False when the payload holds no number.
 */
bool payload_default_path(const char *s, size_t len, char *out, size_t cap);

#endif
