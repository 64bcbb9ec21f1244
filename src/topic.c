/* topic.c: MQTT topic filter matching. */
#include "mqscope/topic.h"

#include <string.h>

bool topic_matches(const char *filter, const char *topic, size_t len)
{
	const char *f = filter, *t = topic, *end = topic + len;

	/* [MQTT-4.7.2-1]: wildcards at the first level never match '$' topics. */
	if (len > 0 && topic[0] == '$' && (f[0] == '+' || f[0] == '#'))
		return false;
	for (;;) {
		const char *fs = strchr(f, '/');
		size_t fl = fs ? (size_t)(fs - f) : strlen(f);
		const char *ts = memchr(t, '/', (size_t)(end - t));
		size_t tl = ts ? (size_t)(ts - t) : (size_t)(end - t);

		if (fl == 1 && f[0] == '#')
			return true; /* matches this level and everything below, parent included */
		if (!(fl == 1 && f[0] == '+') && (fl != tl || memcmp(f, t, fl) != 0))
			return false;
		if (fs == NULL || ts == NULL) {
			/* "a/#" also matches "a" */
			if (fs != NULL && ts == NULL && strcmp(fs, "/#") == 0)
				return true;
			return fs == NULL && ts == NULL;
		}
		f = fs + 1;
		t = ts + 1;
	}
}

bool topic_filter_valid(const char *filter)
{
	size_t n = strlen(filter);

	if (n == 0 || n > 65535)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = filter[i];

		if (c == '#' && (i + 1 != n || (i > 0 && filter[i - 1] != '/')))
			return false;
		if (c == '+' &&
		    ((i > 0 && filter[i - 1] != '/') || (i + 1 < n && filter[i + 1] != '/')))
			return false;
	}
	return true;
}

bool topic_has_wildcard(const char *filter)
{
	return strpbrk(filter, "+#") != NULL;
}
