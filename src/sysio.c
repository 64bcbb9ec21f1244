/* sysio.c: read() with read-ahead and packet bounds for the broker socket; write() counting. */
#undef _FORTIFY_SOURCE /* we define read() and write() themselves */
#define _GNU_SOURCE
#include "mqscope/sysio.h"

#include "mqscope/inbound.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <openssl/ssl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define READAHEAD_BYTES (16 * 1024) /* ~200 small packets; little of a large one copied twice */
#define DIRECT_BYTES    (8 * 1024)  /* reads this large skip the buffer: no second copy */

typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*ssl_read_fn)(SSL *, void *, int);

struct readahead {
	int fd;   /* plain TCP: the socket read ahead and bounded; else -1 */
	SSL *ssl; /* TLS: the connection bounded (no read-ahead: OpenSSL buffers); else NULL */
	struct inbound *in; /* between our buffer and libmosquitto */
	size_t pos, len;
	char buf[READAHEAD_BYTES];
};

/* Only the thread that started read-ahead ever sees its buffer. */
static _Thread_local struct readahead *ra;

static atomic_uint_fast64_t ra_syscalls;
static atomic_int count_fd = -1;
static atomic_uint_fast64_t counted;

static ssize_t sys_read(int fd, void *buf, size_t n)
{
	return syscall(SYS_read, fd, buf, n);
}

static ssize_t sys_write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, fd, buf, n);
}

/*
 * The read() we stand in front of: the C library's, or a sanitizer's that
 * checks the buffer and then calls the C library's.
 */
static read_fn next_read(void)
{
	static _Atomic(read_fn) fn;
	read_fn f = atomic_load_explicit(&fn, memory_order_relaxed);

	if (f == NULL) {
		f = (read_fn)dlsym(RTLD_NEXT, "read");
		if (f == NULL)
			f = sys_read;
		atomic_store_explicit(&fn, f, memory_order_relaxed);
	}
	return f;
}

static write_fn next_write(void)
{
	static _Atomic(write_fn) fn;
	write_fn f = atomic_load_explicit(&fn, memory_order_relaxed);

	if (f == NULL) {
		f = (write_fn)dlsym(RTLD_NEXT, "write");
		if (f == NULL)
			f = sys_write;
		atomic_store_explicit(&fn, f, memory_order_relaxed);
	}
	return f;
}

/* The raw bytes of the read-ahead socket, through the buffer. */
static ssize_t readahead_src(void *ctx, void *buf, size_t n)
{
	struct readahead *r = ctx;
	ssize_t got;
	size_t k;

	if (r->pos == r->len) {
		atomic_fetch_add_explicit(&ra_syscalls, 1, memory_order_relaxed);
		if (n >= DIRECT_BYTES)
			return next_read()(r->fd, buf, n);
		got = next_read()(r->fd, r->buf, sizeof(r->buf));
		if (got <= 0)
			return got; /* end of stream, or an error with errno set */
		r->pos = 0;
		r->len = (size_t)got;
	}
	k = r->len - r->pos < n ? r->len - r->pos : n;
	memcpy(buf, r->buf + r->pos, k);
	r->pos += k;
	return (ssize_t)k;
}

ssize_t read(int fd, void *buf, size_t n)
{
	struct readahead *r = ra;

	if (r == NULL || fd != r->fd || n == 0)
		return next_read()(fd, buf, n);
	if (r->in == NULL)
		return readahead_src(r, buf, n);
	return inbound_read(r->in, buf, n, readahead_src, r);
}

static ssl_read_fn next_ssl_read(void)
{
	static _Atomic(ssl_read_fn) fn;
	ssl_read_fn f = atomic_load_explicit(&fn, memory_order_relaxed);

	if (f == NULL) {
		f = (ssl_read_fn)dlsym(RTLD_NEXT, "SSL_read");
		atomic_store_explicit(&fn, f, memory_order_relaxed);
	}
	return f;
}

/*
 * The decrypted bytes of the bounded TLS connection. On 0 or -1 the caller
 * returns at once, and libmosquitto's SSL_get_error() then reads the state
 * this very SSL_read() left.
 */
static ssize_t ssl_src(void *ctx, void *buf, size_t n)
{
	struct readahead *r = ctx;
	int got = next_ssl_read()(r->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);

	if (got < 0)
		errno = EAGAIN;
	return got;
}

/* libmosquitto reads TLS connections through here: the same bounds as for plain TCP. */
int SSL_read(SSL *ssl, void *buf, int num)
{
	struct readahead *r = ra;
	ssize_t got;

	if (r == NULL || ssl != r->ssl || r->in == NULL || num <= 0)
		return next_ssl_read()(ssl, buf, num);
	got = inbound_read(r->in, buf, (size_t)num, ssl_src, r);
	return (int)got; /* 0 and -1 as SSL_read gave them, or -1 for a broken bound */
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t w = next_write()(fd, buf, n);

	if (w > 0 && fd == atomic_load_explicit(&count_fd, memory_order_relaxed))
		atomic_fetch_add_explicit(&counted, (uint64_t)w, memory_order_relaxed);
	return w;
}

int sysio_readahead_start(int fd, size_t payload_cap, bool v5)
{
	if (ra == NULL) {
		ra = calloc(1, sizeof(*ra));
		if (ra == NULL)
			return -1;
	}
	inbound_free(ra->in);
	ra->in = payload_cap ? inbound_new(payload_cap, v5) : NULL;
	ra->fd = fd;
	ra->ssl = NULL;
	ra->pos = ra->len = 0;
	return 0;
}

int sysio_bound_late(size_t payload_cap, bool v5)
{
	if (ra == NULL || ra->in != NULL || payload_cap == 0)
		return -1;
	ra->in = inbound_new(payload_cap, v5);
	return 0;
}

int sysio_bound_tls(void *ssl, size_t payload_cap, bool v5)
{
	if (sysio_readahead_start(-1, payload_cap, v5) != 0)
		return -1;
	ra->ssl = ssl;
	return 0;
}

void sysio_readahead_stop(void)
{
	if (ra != NULL)
		inbound_free(ra->in);
	free(ra);
	ra = NULL;
}

bool sysio_payload_cut(int qos, int mid, uint32_t *orig)
{
	return ra != NULL && ra->in != NULL && inbound_cut_size(ra->in, qos, mid, orig);
}

const char *sysio_stream_error(void)
{
	return ra != NULL && ra->in != NULL ? inbound_error(ra->in) : NULL;
}

size_t sysio_readahead_pending(void)
{
	return ra ? ra->len - ra->pos + (ra->in ? inbound_pending(ra->in) : 0) : 0;
}

uint64_t sysio_readahead_syscalls(void)
{
	return atomic_load_explicit(&ra_syscalls, memory_order_relaxed);
}

void sysio_count_writes(int fd)
{
	atomic_store_explicit(&count_fd, fd, memory_order_relaxed);
}

uint64_t sysio_written(void)
{
	return atomic_load_explicit(&counted, memory_order_relaxed);
}
