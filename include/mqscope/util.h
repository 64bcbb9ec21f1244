/* util.h: small helpers shared by every module: allocation, clocks, number formatting. */
#ifndef MQSCOPE_UTIL_H
#define MQSCOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that exits with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Monotonic milliseconds, for timers and rates. */
int64_t clock_mono_ms(void);
/* Wall-clock milliseconds since the epoch, for message times. */
int64_t clock_wall_ms(void);

/* Parses a whole decimal integer in [min, max]; false when it is not one. */
bool parse_long(const char *s, long min, long max, long *out);
/* Parses a size with optional K, M or G suffix. */
bool parse_size(const char *s, size_t *out);

/* Whether hay[0..hlen) contains needle[0..nlen), ignoring ASCII case (searches). */
bool mem_contains_ci(const char *hay, size_t hlen, const char *needle, size_t nlen);

/* 1234567 -> "1,234,567". Returns buf. */
const char *fmt_count(char *buf, size_t cap, uint64_t n);
/* (1, "topic", "topics") -> "1 topic"; (1234, ...) -> "1,234 topics". Returns buf. */
const char *fmt_things(char *buf, size_t cap, uint64_t n, const char *one, const char *many);
/* 1234567 -> "1.2M"; compact form for narrow columns. */
void fmt_short(char *buf, size_t cap, double n);
/* Bytes -> "512 B", "4.1 KiB", "12.0 MiB". */
void fmt_bytes(char *buf, size_t cap, uint64_t n);
/* Events per second -> "0.4/s", "12/s", "1.2k/s"; "" below 0.05/s. */
void fmt_rate(char *buf, size_t cap, double per_s);
/* Milliseconds of age -> "now", "12s", "3m", "2h", "5d". */
void fmt_age(char *buf, size_t cap, int64_t ms);
/* Wall-clock ms -> "2026-11-22 10:04:05.123" in local time. */
void fmt_time(char *buf, size_t cap, int64_t wall_ms);
/* Seconds up -> "3m 5s", "2h 0m 7s", "4d 1h 30m". */
void fmt_uptime(char *buf, size_t cap, double seconds);

/* Formats a reason into err (cap bytes; nothing when cap is 0) and returns -1. */
int err_fmt(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
