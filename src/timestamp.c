/* timestamp.c: reads the time a payload carries: ISO 8601 text or an epoch number. */
#define _GNU_SOURCE
#include "mqscope/timestamp.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EPOCH_2000_S 946684800.0

/* Reads exactly n digits at *p (advancing it) into *out. */
static bool digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool accept(const char **p, const char *end, char c)
{
	if (*p < end && **p == c) {
		(*p)++;
		return true;
	}
	return false;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

bool timestamp_iso8601(const char *s, size_t len, int64_t *ms)
{
	const char *p = s, *end = s + len;
	int y, mo, d, h, mi, sec = 0, frac_ms = 0, off = 0;

	if (!digits(&p, end, 4, &y) || !accept(&p, end, '-') || !digits(&p, end, 2, &mo) ||
	    !accept(&p, end, '-') || !digits(&p, end, 2, &d))
		return false;
	if (!accept(&p, end, 'T') && !accept(&p, end, 't') && !accept(&p, end, ' '))
		return false;
	if (!digits(&p, end, 2, &h) || !accept(&p, end, ':') || !digits(&p, end, 2, &mi))
		return false;
	if (accept(&p, end, ':')) {
		if (!digits(&p, end, 2, &sec))
			return false;
		if (accept(&p, end, '.') || accept(&p, end, ',')) {
			int scale = 100, n = 0;

			for (; p < end && *p >= '0' && *p <= '9'; p++, n++) {
				frac_ms += (*p - '0') * scale;
				scale /= 10;
			}
			if (n == 0)
				return false;
		}
	}
	if (accept(&p, end, 'Z') || accept(&p, end, 'z')) {
		off = 0;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1, oh, om = 0;

		p++;
		if (!digits(&p, end, 2, &oh))
			return false;
		if (accept(&p, end, ':')) {
			if (!digits(&p, end, 2, &om))
				return false;
		} else if (p < end) {
			if (!digits(&p, end, 2, &om))
				return false;
		}
		if (oh > 23 || om > 59)
			return false;
		off = sign * (oh * 60 + om);
	}
	if (p != end)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return false;
	*ms =
	    ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi - off) * 60000 + sec * 1000LL + frac_ms;
	return true;
}

bool timestamp_epoch(double v, int64_t *ms)
{
	double s;

	if (!isfinite(v) || v <= 0)
		return false;
	if (v < 1e11)
		s = v;
	else if (v < 1e14)
		s = v / 1e3;
	else if (v < 1e17)
		s = v / 1e6;
	else
		s = v / 1e9;
	if (s < EPOCH_2000_S || s >= 1e11)
		return false;
	*ms = (int64_t)llround(s * 1000.0);
	return true;
}

/* Whether the bytes at p (n left) start with key followed by a closing quote, any case. */
static bool key_at(const char *p, size_t n, const char *key)
{
	size_t k = strlen(key);

	if (n < k + 1 || p[k] != '"')
		return false;
	for (size_t i = 0; i < k; i++)
		if (tolower((unsigned char)p[i]) != key[i])
			return false;
	return true;
}

bool timestamp_candidate(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	if (len > TIMESTAMP_PAYLOAD_MAX)
		return false;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || *p != '{')
		return false;
	while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		size_t n = (size_t)(end - ++p);

		if (n > 2 && (*p == 't' || *p == 'T') &&
		    (key_at(p, n, "ts") || key_at(p, n, "time") || key_at(p, n, "timestamp")))
			return true;
	}
	return false;
}

/* The time a JSON member holds, as ISO 8601 text or an epoch number (or text of one). */
static bool member_time(const cJSON *m, int64_t *ms)
{
	if (cJSON_IsNumber(m))
		return timestamp_epoch(m->valuedouble, ms);
	if (cJSON_IsString(m) && m->valuestring != NULL) {
		const char *v = m->valuestring;
		size_t n = strlen(v);
		char *endp;
		double d;

		if (timestamp_iso8601(v, n, ms))
			return true;
		if (n == 0 || n > 32 || !isdigit((unsigned char)v[0]))
			return false;
		d = strtod(v, &endp);
		return *endp == '\0' && timestamp_epoch(d, ms);
	}
	return false;
}

bool timestamp_from_json(const char *s, size_t len, int64_t *ms)
{
	static const char *const keys[] = {"ts", "timestamp", "time"};
	const char *end = NULL;
	cJSON *root;
	bool ok = false;

	if (!timestamp_candidate(s, len))
		return false;
	root = cJSON_ParseWithLengthOpts(s, len, &end, false);
	if (root == NULL)
		return false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !ok; i++) {
		const cJSON *m = cJSON_IsObject(root) ? cJSON_GetObjectItem(root, keys[i]) : NULL;

		ok = m != NULL && member_time(m, ms);
	}
	cJSON_Delete(root);
	return ok;
}
