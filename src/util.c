/* util.c: allocation, clocks and number formatting. */
#define _GNU_SOURCE
#include "mqscope/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(void)
{
	fputs("mqscope: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	default:
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0')
		return false;
	*out = (size_t)v;
	return true;
}

const char *fmt_things(char *buf, size_t cap, uint64_t n, const char *one, const char *many)
{
	char num[32];

	fmt_count(num, sizeof(num), n);
	snprintf(buf, cap, "%s %s", num, n == 1 ? one : many);
	return buf;
}

const char *fmt_count(char *buf, size_t cap, uint64_t n)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n);
	size_t o = 0;

	for (int i = 0; i < len && o + 1 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0 && o + 2 < cap)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

void fmt_short(char *buf, size_t cap, double n)
{
	if (n < 1000)
		snprintf(buf, cap, "%.0f", n);
	else if (n < 10000)
		snprintf(buf, cap, "%.1fk", n / 1e3);
	else if (n < 1e6)
		snprintf(buf, cap, "%.0fk", n / 1e3);
	else if (n < 1e7)
		snprintf(buf, cap, "%.1fM", n / 1e6);
	else if (n < 1e9)
		snprintf(buf, cap, "%.0fM", n / 1e6);
	else
		snprintf(buf, cap, "%.1fG", n / 1e9);
}

void fmt_bytes(char *buf, size_t cap, uint64_t n)
{
	if (n < 1024)
		snprintf(buf, cap, "%llu B", (unsigned long long)n);
	else if (n < (1u << 20))
		snprintf(buf, cap, "%.1f KiB", n / 1024.0);
	else if (n < (1u << 30))
		snprintf(buf, cap, "%.1f MiB", n / 1048576.0);
	else
		snprintf(buf, cap, "%.1f GiB", n / 1073741824.0);
}

void fmt_rate(char *buf, size_t cap, double r)
{
	char n[32];

	if (!(r >= 0.05)) {
		snprintf(buf, cap, "%s", "");
		return;
	}
	if (r < 9.95)
		snprintf(n, sizeof(n), "%.1f", r);
	else
		fmt_short(n, sizeof(n), r);
	snprintf(buf, cap, "%s/s", n);
}

void fmt_age(char *buf, size_t cap, int64_t ms)
{
	int64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, cap, "now");
	else if (s < 60)
		snprintf(buf, cap, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, cap, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, cap, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, cap, "%lldd", (long long)(s / 86400));
}

void fmt_time(char *buf, size_t cap, int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	char tmp[32];

	localtime_r(&t, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%03d", tmp, (int)(wall_ms % 1000));
}

void fmt_uptime(char *buf, size_t cap, double seconds)
{
	uint64_t v = seconds > 0 ? (uint64_t)seconds : 0;

	if (v >= 86400)
		snprintf(buf, cap, "%llud %lluh %llum", (unsigned long long)(v / 86400),
		         (unsigned long long)(v % 86400 / 3600),
		         (unsigned long long)(v % 3600 / 60));
	else if (v >= 3600)
		snprintf(buf, cap, "%lluh %llum %llus", (unsigned long long)(v / 3600),
		         (unsigned long long)(v % 3600 / 60), (unsigned long long)(v % 60));
	else
		snprintf(buf, cap, "%llum %llus", (unsigned long long)(v / 60),
		         (unsigned long long)(v % 60));
}

bool mem_contains_ci(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j = 0;

		while (j < nlen &&
		       tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == nlen)
			return true;
	}
	return false;
}

int err_fmt(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}
