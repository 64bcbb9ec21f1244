/* record.c: messages to JSON lines and back; the recorder and the paced replay. */
#define _GNU_SOURCE
#include "mqscope/record.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/payload.h"
#include "mqscope/safe_file.h"
#include "mqscope/util.h"

#define REPLAY_LINE_MAX ((size_t)64 << 20)

/* ---- writing ---- */

struct sbuf {
	char **buf;
	size_t *cap;
	size_t len;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > *b->cap) {
		size_t ncap = *b->cap ? *b->cap : 256;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		*b->buf = xrealloc(*b->buf, ncap);
		*b->cap = ncap;
	}
	memcpy(*b->buf + b->len, s, n);
	b->len += n;
	(*b->buf)[b->len] = '\0';
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Whether s can go into a JSON string as it is: valid UTF-8 without NUL. */
static bool plain_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p;
		size_t k;

		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 2;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4;
		else
			return false;
		if ((size_t)(end - p) < k)
			return false;
		for (size_t i = 1; i < k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		/* Overlongs and surrogates: cJSON would not read them back the same. */
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
			return false;
		p += k;
	}
	return true;
}

static void put_escaped(struct sbuf *b, const char *s, size_t n)
{
	size_t from = 0;

	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		put(b, s + from, i - from);
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c == '\n') {
			put(b, "\\n", 2);
		} else if (c == '\t') {
			put(b, "\\t", 2);
		} else if (c == '\r') {
			put(b, "\\r", 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(b, esc, 6);
		}
		from = i + 1;
	}
	put(b, s + from, n - from);
	put(b, "\"", 1);
}

/* "name":"text" when the bytes are text, else "name_base64":"...". */
static void put_bytes(struct sbuf *b, const char *name, const char *s, size_t n)
{
	if (plain_text(s, n)) {
		putf(b, "\"%s\":", name);
		put_escaped(b, s, n);
	} else {
		size_t need = base64_len(n) + 1;
		char *tmp = xmalloc(need);

		base64_encode(s, n, tmp, need);
		putf(b, "\"%s_base64\":\"", name);
		put(b, tmp, need - 1);
		put(b, "\"", 1);
		free(tmp);
	}
}

static void put_props(struct sbuf *b, const uint8_t *props, size_t len)
{
	size_t off = 0, nsub = 0, nuser = 0;
	struct prop p;
	bool first = true;

	if (len == 0)
		return;
	puts_(b, ",\"props\":{");
	while (props_next(props, len, &off, &p)) {
		const char *sep = first ? "" : ",";

		switch (p.id) {
		case PROP_PAYLOAD_FORMAT:
			putf(b, "%s\"payload_format\":%u", sep, p.num);
			break;
		case PROP_MESSAGE_EXPIRY:
			putf(b, "%s\"expiry\":%u", sep, p.num);
			break;
		case PROP_CONTENT_TYPE:
			puts_(b, sep);
			put_bytes(b, "content_type", p.s, p.slen);
			break;
		case PROP_RESPONSE_TOPIC:
			puts_(b, sep);
			put_bytes(b, "response_topic", p.s, p.slen);
			break;
		case PROP_CORRELATION_DATA:
			puts_(b, sep);
			put_bytes(b, "correlation", p.s, p.slen);
			break;
		case PROP_SUBSCRIPTION_ID:
			nsub++;
			continue;
		case PROP_USER_PROPERTY:
			nuser++;
			continue;
		default:
			continue;
		}
		first = false;
	}
	/* Repeated properties become arrays, in their original order. */
	if (nsub) {
		putf(b, "%s\"subscription_ids\":[", first ? "" : ",");
		off = 0;
		for (size_t k = 0; props_next(props, len, &off, &p);) {
			if (p.id != PROP_SUBSCRIPTION_ID)
				continue;
			putf(b, "%s%u", k++ ? "," : "", p.num);
		}
		puts_(b, "]");
		first = false;
	}
	if (nuser) {
		putf(b, "%s\"user\":[", first ? "" : ",");
		off = 0;
		for (size_t k = 0; props_next(props, len, &off, &p);) {
			if (p.id != PROP_USER_PROPERTY)
				continue;
			puts_(b, k++ ? ",{" : "{");
			put_bytes(b, "key", p.s, p.slen);
			puts_(b, ",");
			put_bytes(b, "value", p.v, p.vlen);
			puts_(b, "}");
		}
		puts_(b, "]");
	}
	puts_(b, "}");
}

size_t record_format(const struct msg_view *v, char **buf, size_t *cap)
{
	struct sbuf b = {.buf = buf, .cap = cap, .len = 0};

	putf(&b, "{\"time\":%lld,", (long long)v->h->time_ms);
	put_bytes(&b, "topic", v->topic, v->h->topic_len);
	putf(&b, ",\"qos\":%u,\"retain\":%s,", v->h->qos, v->h->retain ? "true" : "false");
	put_bytes(&b, "payload", v->payload, v->h->len);
	if (v->h->orig_len > v->h->len)
		putf(&b, ",\"size\":%u", v->h->orig_len);
	put_props(&b, v->props, v->h->props_len);
	put(&b, "}\n", 2);
	return b.len;
}

/* ---- reading ---- */

/* Reads name or name_base64 from obj into a new buffer; false when absent or bad. */
static bool get_bytes(const cJSON *obj, const char *name, char **out, size_t *n)
{
	char key[64];
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(it) && it->valuestring) {
		*n = strlen(it->valuestring);
		*out = xmalloc(*n + 1);
		memcpy(*out, it->valuestring, *n + 1);
		return true;
	}
	snprintf(key, sizeof(key), "%s_base64", name);
	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsString(it) && it->valuestring) {
		size_t el = strlen(it->valuestring), cap = el / 4 * 3 + 3;

		*out = xmalloc(cap + 1);
		if (!base64_decode(it->valuestring, el, (uint8_t *)*out, cap, n)) {
			free(*out);
			*out = NULL;
			return false;
		}
		(*out)[*n] = '\0';
		return true;
	}
	return false;
}

static bool get_uint(const cJSON *obj, const char *name, double max, uint32_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0) || it->valuedouble > max)
		return false;
	*out = (uint32_t)it->valuedouble;
	return true;
}

struct pbuf {
	uint8_t *buf;
	size_t cap, off;
};

static void pb_reserve(struct pbuf *pb, size_t n)
{
	if (pb->off + n > pb->cap) {
		pb->cap = (pb->off + n) * 2;
		pb->buf = xrealloc(pb->buf, pb->cap);
	}
}

/* Encodes a "props" object the way the session stores MQTT 5 properties. */
static bool parse_props(const cJSON *pr, struct pbuf *pb)
{
	const cJSON *it;
	uint32_t num;
	char *s = NULL, *v = NULL;
	size_t sl, vl;

	if (!cJSON_IsObject(pr))
		return false;
	if (get_uint(pr, "payload_format", 255, &num)) {
		pb_reserve(pb, 5);
		props_put_num(pb->buf, pb->cap, &pb->off, PROP_PAYLOAD_FORMAT, num);
	}
	if (get_uint(pr, "expiry", 4294967295.0, &num)) {
		pb_reserve(pb, 5);
		props_put_num(pb->buf, pb->cap, &pb->off, PROP_MESSAGE_EXPIRY, num);
	}
	static const struct {
		const char *name;
		uint8_t id;
	} strs[] = {{"content_type", PROP_CONTENT_TYPE},
	            {"response_topic", PROP_RESPONSE_TOPIC},
	            {"correlation", PROP_CORRELATION_DATA}};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (!get_bytes(pr, strs[i].name, &s, &sl))
			continue;
		pb_reserve(pb, 3 + sl);
		bool ok = props_put_str(pb->buf, pb->cap, &pb->off, strs[i].id, s, sl);
		free(s);
		if (!ok)
			return false;
	}
	it = cJSON_GetObjectItemCaseSensitive(pr, "subscription_ids");
	if (cJSON_IsArray(it)) {
		const cJSON *e;

		cJSON_ArrayForEach(e, it)
		{
			if (!cJSON_IsNumber(e) || !(e->valuedouble >= 0) ||
			    e->valuedouble > 268435455)
				return false;
			pb_reserve(pb, 5);
			props_put_num(pb->buf, pb->cap, &pb->off, PROP_SUBSCRIPTION_ID,
			              (uint32_t)e->valuedouble);
		}
	}
	it = cJSON_GetObjectItemCaseSensitive(pr, "user");
	if (cJSON_IsArray(it)) {
		const cJSON *e;

		cJSON_ArrayForEach(e, it)
		{
			if (!get_bytes(e, "key", &s, &sl))
				return false;
			if (!get_bytes(e, "value", &v, &vl)) {
				free(s);
				return false;
			}
			pb_reserve(pb, 5 + sl + vl);
			bool ok = props_put_pair(pb->buf, pb->cap, &pb->off, s, sl, v, vl);
			free(s);
			free(v);
			if (!ok)
				return false;
		}
	}
	return true;
}

bool record_parse(const char *line, size_t len, struct record_msg *out)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *it;
	size_t tl = 0, pl = 0;
	uint32_t num;
	struct pbuf pb = {0};
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		goto done;
	it = cJSON_GetObjectItemCaseSensitive(j, "time");
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0 ||
	    it->valuedouble > 9e15)
		goto done;
	out->h.time_ms = (int64_t)it->valuedouble;
	if (!get_bytes(j, "topic", &out->topic, &tl) || tl > UINT16_MAX)
		goto done;
	if (!get_bytes(j, "payload", &out->payload, &pl) || pl > UINT32_MAX)
		goto done;
	out->h.topic_len = (uint32_t)tl;
	out->h.len = out->h.orig_len = (uint32_t)pl;
	if (get_uint(j, "size", 4294967295.0, &num) && num > pl)
		out->h.orig_len = num;
	if (get_uint(j, "qos", 2, &num))
		out->h.qos = (uint8_t)num;
	it = cJSON_GetObjectItemCaseSensitive(j, "retain");
	out->h.retain = cJSON_IsTrue(it);
	it = cJSON_GetObjectItemCaseSensitive(j, "props");
	if (it != NULL && !parse_props(it, &pb))
		goto done;
	out->props = pb.buf;
	out->h.props_len = (uint32_t)pb.off;
	pb.buf = NULL;
	ok = true;
done:
	cJSON_Delete(j);
	free(pb.buf);
	if (!ok)
		record_msg_free(out);
	return ok;
}

void record_msg_free(struct record_msg *m)
{
	free(m->topic);
	free(m->payload);
	free(m->props);
	memset(m, 0, sizeof(*m));
}

void record_msg_view(const struct record_msg *m, struct msg_view *v)
{
	v->h = &m->h;
	v->topic = m->topic;
	v->payload = m->payload;
	v->props = m->props;
}

/* ---- recorder ---- */

/*
 * The recorder writes whole lines only, with write(2) on an O_APPEND
 * descriptor, so it always knows how much of the file is complete. When a
 * write fails (disk full, file too large, I/O error, the file system gone
 * read-only) recording stops for good, the file is cut back to its last
 * complete line and the reason is kept for the UI to tell, once; monitoring
 * goes on. Nothing is retried: a full disk would make every batch fail again.
 */
#define RECORD_BUF (64 * 1024)

struct recorder {
	int fd;
	char *path;
	char *buf; /* whole lines not written yet */
	size_t len, cap;
	char *line;
	size_t line_cap;
	off_t good;       /* bytes of the file that end with a complete line */
	uint64_t count;   /* messages whose line is in the file */
	uint64_t pending; /* messages in buf */
	int err;          /* errno of the failure, or 0 */
	bool open_failed; /* the file could not even be opened */
};

/* Stops recording for good: keeps the reason, cuts a partial line, closes the file. */
static void fail_with(struct recorder *r, int err)
{
	struct stat st;

	r->err = err ? err : EIO;
	r->pending = 0;
	r->len = 0;
	if (r->fd >= 0) {
		/* Best effort: a regular file is left holding complete lines only. */
		if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > r->good) {
			int rc = ftruncate(r->fd, r->good);

			(void)rc;
		}
		close(r->fd);
		r->fd = -1;
	}
}

struct recorder *recorder_open(const char *path, char *err, size_t cap)
{
	struct recorder *r = xcalloc(1, sizeof(*r));
	off_t end;

	r->path = xstrdup(path);
	/* It holds payloads: 0600 when new, never through a link, never a FIFO or device. */
	r->fd = safe_file_open(path, O_APPEND);
	if (r->fd < 0) {
		r->open_failed = true;
		fail_with(r, errno);
	} else if ((end = lseek(r->fd, 0, SEEK_END)) >= 0) {
		r->good = end;
	}
	if (err && cap) {
		err[0] = '\0';
		if (r->err)
			recorder_describe(r, err, cap);
	}
	return r;
}

/* Writes what is buffered; on a short write, what did reach the file is counted line by line. */
static void write_out(struct recorder *r)
{
	size_t off = 0, done = 0;

	while (off < r->len) {
		ssize_t n = write(r->fd, r->buf + off, r->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;

			/* The complete lines that made it stay recorded. */
			for (size_t i = 0; i < off; i++)
				if (r->buf[i] == '\n') {
					done = i + 1;
					r->count++;
					r->pending--;
				}
			r->good += (off_t)done;
			fail_with(r, e);
			return;
		}
		off += (size_t)n;
	}
	r->good += (off_t)r->len;
	r->count += r->pending;
	r->pending = 0;
	r->len = 0;
}

void recorder_write(struct recorder *r, const struct msg_view *v)
{
	size_t n;

	if (r->err)
		return;
	n = record_format(v, &r->line, &r->line_cap);
	if (r->len + n > r->cap) {
		if (r->len > 0 && r->len + n > RECORD_BUF) {
			write_out(r);
			if (r->err)
				return;
		}
		if (r->len + n > r->cap) {
			r->cap = r->len + n > RECORD_BUF ? r->len + n : RECORD_BUF;
			r->buf = xrealloc(r->buf, r->cap);
		}
	}
	memcpy(r->buf + r->len, r->line, n);
	r->len += n;
	r->pending++;
}

void recorder_flush(struct recorder *r)
{
	if (!r->err && r->len > 0)
		write_out(r);
}

void recorder_close(struct recorder *r)
{
	if (r == NULL)
		return;
	recorder_flush(r);
	if (r->fd >= 0 && close(r->fd) != 0 && !r->err)
		r->err = errno;
	free(r->path);
	free(r->buf);
	free(r->line);
	free(r);
}

uint64_t recorder_count(const struct recorder *r)
{
	return r->count;
}

bool recorder_failed(const struct recorder *r)
{
	return r->err != 0;
}

int recorder_error(const struct recorder *r)
{
	return r->err;
}

size_t recorder_describe(const struct recorder *r, char *buf, size_t cap)
{
	int n;

	if (!r->err)
		n = snprintf(buf, cap, "Recording to %s: %llu messages", r->path,
		             (unsigned long long)r->count);
	else if (r->open_failed)
		n = snprintf(buf, cap, "Not recording: cannot open %s: %s", r->path,
		             safe_file_strerror(r->err));
	else
		n = snprintf(buf, cap, "Recording stopped after %llu messages: %s (%s)",
		             (unsigned long long)r->count, strerror(r->err), r->path);
	return n < 0 ? 0 : (size_t)n;
}

/* ---- replay ---- */

struct replay {
	int fd;
	struct safe_lines lines;
	char *path;
	double speed;
	off_t size, pos;
	uint64_t lineno;
	int err;                /* why reading stopped early (EFBIG: a line too long), or 0 */
	struct record_msg next; /* read ahead: the next message to feed */
	bool have_next, eof;
	bool started;
	int64_t t0, mono0;         /* recording time and monotonic time of the first message */
	int64_t last_t, last_mono; /* of the last message fed */
	uint64_t fed, bad;
};

/*
 * Reads lines until the next message record; false at the end of the file,
 * or when a line is longer than REPLAY_LINE_MAX or reading fails (r->err):
 * the bound is checked while the line is read, so a file of one endless line
 * (/dev/zero) costs REPLAY_LINE_MAX of memory, not all there is.
 */
static bool read_next(struct replay *r)
{
	const char *line;
	size_t n;
	int got;

	r->have_next = false;
	while (!r->eof) {
		got = safe_lines_next(&r->lines, &line, &n);
		if (got <= 0) {
			r->eof = true;
			r->err = got < 0 ? errno : 0;
			break;
		}
		r->lineno++;
		r->pos += (off_t)n + 1;
		while (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (!record_parse(line, n, &r->next)) {
			r->bad++;
			continue;
		}
		r->have_next = true;
		return true;
	}
	return false;
}

struct replay *replay_open(const char *path, double speed, char *err, size_t cap)
{
	struct replay *r;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, cap, "cannot replay %s: %s", path, strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->path = xstrdup(path);
	safe_lines_init(&r->lines, fd, REPLAY_LINE_MAX);
	r->speed = speed > 0 && isfinite(speed) ? speed : 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		r->size = st.st_size;
	read_next(r);
	if (r->err && !r->have_next) {
		replay_describe_error(r, err, cap);
		replay_close(r);
		return NULL;
	}
	return r;
}

size_t replay_describe_error(const struct replay *r, char *buf, size_t cap)
{
	char limit[32];
	int n;

	fmt_bytes(limit, sizeof(limit), REPLAY_LINE_MAX);
	if (r->err == 0)
		n = snprintf(buf, cap, "%s", "");
	else if (r->err == EFBIG)
		n = snprintf(buf, cap,
		             "cannot replay %s: line %llu is longer than %s (not a recording?)",
		             r->path, (unsigned long long)r->lineno + 1, limit);
	else
		n = snprintf(buf, cap, "cannot replay %s: %s", r->path, strerror(r->err));
	return n < 0 ? 0 : (size_t)n;
}

void replay_close(struct replay *r)
{
	if (r == NULL)
		return;
	safe_lines_free(&r->lines);
	close(r->fd);
	free(r->path);
	record_msg_free(&r->next);
	free(r);
}

/* When the read-ahead message is due on the monotonic clock. */
static int64_t due(const struct replay *r)
{
	double dt;

	if (r->speed == 0 || !r->started || r->next.h.time_ms <= r->t0)
		return r->started ? r->mono0 : INT64_MIN;
	dt = (double)(r->next.h.time_ms - r->t0) / r->speed;
	return r->mono0 + (int64_t)dt;
}

int64_t replay_step(struct replay *r, struct app *a, int64_t now_mono, size_t max)
{
	size_t n = 0;

	while (r->have_next && n < max) {
		struct msg_view v;

		if (!r->started) {
			r->started = true;
			r->t0 = r->next.h.time_ms;
			r->mono0 = now_mono;
		}
		if (due(r) > now_mono)
			break;
		record_msg_view(&r->next, &v);
		app_ingest(a, &v, now_mono);
		r->last_t = r->next.h.time_ms;
		r->last_mono = now_mono;
		r->fed++;
		n++;
		record_msg_free(&r->next);
		read_next(r);
	}
	if (n && a->recorder)
		recorder_flush(a->recorder);
	if (r->have_next)
		return due(r) > now_mono ? due(r)
		                         : now_mono; /* now_mono: more are due, come back soon */
	return REPLAY_DONE;
}

int64_t replay_now(const struct replay *r, int64_t now_mono)
{
	double speed = r->speed > 0 ? r->speed : 1;

	if (r->fed == 0)
		return clock_wall_ms();
	return r->last_t + (int64_t)((double)(now_mono - r->last_mono) * speed);
}

bool replay_finished(const struct replay *r)
{
	return !r->have_next;
}

uint64_t replay_fed(const struct replay *r)
{
	return r->fed;
}

uint64_t replay_bad_lines(const struct replay *r)
{
	return r->bad;
}

double replay_speed(const struct replay *r)
{
	return r->speed;
}

int replay_percent(const struct replay *r)
{
	if (!r->have_next)
		return 100;
	if (r->size <= 0)
		return 0;
	return (int)(r->pos * 100 / r->size);
}
