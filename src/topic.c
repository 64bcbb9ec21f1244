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

bool topic_filters_overlap(const char *a, const char *b)
{
	bool wild_a = a[0] == '+' || a[0] == '#', wild_b = b[0] == '+' || b[0] == '#';

	/* A first-level wildcard never matches a '$' topic, and a literal '$' level only those. */
	if ((wild_a && b[0] == '$') || (wild_b && a[0] == '$'))
		return false;
	for (;;) {
		size_t la = strcspn(a, "/"), lb = strcspn(b, "/");

		if ((la == 1 && a[0] == '#') || (lb == 1 && b[0] == '#'))
			return true; /* this level and everything below, parent included */
		if (!(la == 1 && a[0] == '+') && !(lb == 1 && b[0] == '+') &&
		    (la != lb || memcmp(a, b, la) != 0))
			return false;
		a += la;
		b += lb;
		if (*a == '\0' || *b == '\0') {
			/* "a" and "a/#" share the topic "a" */
			return (*a == '\0' && *b == '\0') || strcmp(*a ? a : b, "/#") == 0;
		}
		a++;
		b++;
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
