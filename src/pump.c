/* pump.c: moves the broker's checked bytes to libmosquitto over a private unix socket, and back. */
#define _GNU_SOURCE
#include "mqscope/pump.h"

#include <errno.h>
#include <limits.h>
#include <mosquitto.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mqscope/negotiate.h"
#include "mqscope/util.h"

#define READ_CHUNK  (64 * 1024)
#define TURN_READS  16           /* reads of the connection per step: then others get a turn */
#define OUT_MAX     (256 * 1024) /* libmosquitto's bytes waiting for the broker */
#define CHANNEL_BUF (1024 * 1024)
#define FIRST_MAX   8

struct pump {
	struct conn *c;
	struct mosquitto *mosq;
	struct pump_sink sink;
	struct inbound *in;
	int fd; /* our end of the local channel */

	/* bytes for libmosquitto, not yet in the channel */
	uint8_t *lib;
	size_t lib_pos, lib_len, lib_cap;
	bool lib_behind; /* written to the channel, perhaps not read by libmosquitto yet */

	/* libmosquitto's bytes for the broker */
	uint8_t out[OUT_MAX];
	size_t out_pos, out_len;
	int version; /* of the CONNECT that went out; 0 before */

	uint8_t first[FIRST_MAX];
	size_t nfirst;
	bool busy;
	enum pump_end end;
	int lib_rc;
	uint64_t reads, bytes;
	int64_t last_out, last_lib; /* monotonic ms: bytes last went out; libmosquitto last read */
	uint8_t rbuf[READ_CHUNK];
};

static void end(struct pump *p, enum pump_end e)
{
	if (p->end == PUMP_OPEN)
		p->end = e;
}

/* Lets libmosquitto read what is in the channel for it, all of it. */
static int lib_read(struct pump *p)
{
	for (int guard = 0; guard < 1 << 20; guard++) {
		int fd = mosquitto_socket(p->mosq), avail = 0, after = 0, rc;

		if (fd < 0 || ioctl(fd, FIONREAD, &avail) != 0 || avail <= 0) {
			p->lib_behind = false;
			return 0;
		}
		rc = mosquitto_loop_read(p->mosq, 1);
		p->last_lib = clock_mono_ms();
		if (rc != MOSQ_ERR_SUCCESS) {
			p->lib_rc = rc;
			end(p, PUMP_LIB);
			return -1;
		}
		fd = mosquitto_socket(p->mosq);
		if (fd >= 0 && ioctl(fd, FIONREAD, &after) == 0 && after == avail)
			return 0; /* it took nothing: it waits for something else */
	}
	return 0;
}

/* Puts the bytes for libmosquitto into the channel and has it read them. */
static int lib_flush(struct pump *p)
{
	while (p->lib_pos < p->lib_len) {
		ssize_t w = send(p->fd, p->lib + p->lib_pos, p->lib_len - p->lib_pos,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			p->lib_pos += (size_t)w;
			p->lib_behind = true;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			end(p, PUMP_CHANNEL);
			return -1;
		}
		/* The channel holds a megabyte; libmosquitto empties it before we go on. */
		if (lib_read(p) < 0)
			return -1;
		if (w <= 0 && p->lib_behind) {
			end(p, PUMP_CHANNEL);
			return -1;
		}
	}
	p->lib_pos = p->lib_len = 0;
	return p->lib_behind ? lib_read(p) : 0;
}

static void to_lib(void *ctx, const void *data, size_t n)
{
	struct pump *p = ctx;

	if (p->lib_len + n > p->lib_cap) {
		size_t c = p->lib_cap ? p->lib_cap : READ_CHUNK;

		if (p->lib_pos > 0) {
			memmove(p->lib, p->lib + p->lib_pos, p->lib_len - p->lib_pos);
			p->lib_len -= p->lib_pos;
			p->lib_pos = 0;
		}
		while (c < p->lib_len + n)
			c *= 2;
		if (c != p->lib_cap) {
			p->lib = xrealloc(p->lib, c);
			p->lib_cap = c;
		}
	}
	memcpy(p->lib + p->lib_len, data, n);
	p->lib_len += n;
	/* Big packets go on as they come rather than pile up here. */
	if (p->lib_len - p->lib_pos >= READ_CHUNK)
		lib_flush(p);
}

/* A QoS 0 message: whatever came before it reaches libmosquitto (and the ring) first. */
static void deliver(void *ctx, const struct inbound_msg *m)
{
	struct pump *p = ctx;

	if ((p->lib_len > p->lib_pos || p->lib_behind) && lib_flush(p) < 0)
		return;
	p->sink.deliver(p->sink.ctx, m);
}

/* The directory for the channel: $XDG_RUNTIME_DIR when it is usable, else /tmp. */
static const char *channel_base(void)
{
	const char *d = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (d && *d == '/' && strlen(d) < 64 && stat(d, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == getuid() && access(d, W_OK | X_OK) == 0)
		return d;
	return "/tmp";
}

/*
 * Makes the local channel: a unix socket in a fresh 0700 directory,
 * libmosquitto connected to it, the path gone again. Our end in p->fd.
 */
static int open_channel(struct pump *p, char *err, size_t cap)
{
	char dir[96], path[128];
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int lfd, rc, bufsz = CHANNEL_BUF;
	struct pollfd pfd;

	snprintf(dir, sizeof(dir), "%s/mqscope-XXXXXX", channel_base());
	if (mkdtemp(dir) == NULL) {
		snprintf(err, cap, "local channel: %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/mqtt", dir);
	memcpy(un.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&un, sizeof(un)) != 0 || listen(lfd, 1) != 0) {
		snprintf(err, cap, "local channel: %s", strerror(errno));
		if (lfd >= 0)
			close(lfd);
		unlink(path);
		rmdir(dir);
		return -1;
	}
	rc = p->sink.lib_connect(p->sink.ctx, path);
	/* Connected or not, the name has done its work. */
	unlink(path);
	rmdir(dir);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, cap, "local channel: libmosquitto did not connect (%s)",
		         mosquitto_strerror(rc));
		close(lfd);
		return -1;
	}
	pfd = (struct pollfd){.fd = lfd, .events = POLLIN};
	if (poll(&pfd, 1, 1000) != 1 ||
	    (p->fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
		snprintf(err, cap, "local channel: no connection from libmosquitto");
		close(lfd);
		return -1;
	}
	close(lfd);
	/* Only our own libmosquitto: the peer must be this very process. */
	if (getsockopt(p->fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 || cred.pid != getpid() ||
	    cred.uid != getuid()) {
		snprintf(err, cap, "local channel: a connection from another process");
		return -1;
	}
	setsockopt(p->fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	return 0;
}

struct pump *pump_open(struct conn *c, struct mosquitto *mosq, size_t payload_cap,
                       const struct pump_sink *sink, char *err, size_t cap)
{
	struct pump *p = xcalloc(1, sizeof(*p));
	struct inbound_sink is = {p, to_lib, deliver};

	p->c = c;
	p->mosq = mosq;
	p->sink = *sink;
	p->fd = -1;
	p->last_out = p->last_lib = clock_mono_ms();
	p->in = inbound_new(payload_cap, &is);
	if (open_channel(p, err, cap) < 0) {
		pump_free(p);
		return NULL;
	}
	return p;
}

void pump_free(struct pump *p)
{
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	inbound_free(p->in);
	free(p->lib);
	free(p);
}

/* The protocol level in the CONNECT at the start of what libmosquitto sends. */
static void note_version(struct pump *p)
{
	const uint8_t *b = p->out;
	size_t i = 1, n = p->out_len;

	while (i < n && i < 5 && (b[i] & 128))
		i++;
	i++;
	if (n < i + 2 || b[0] != 0x10)
		return;
	i += 2 + (size_t)(b[i] << 8 | b[i + 1]);
	if (n > i) {
		p->version = b[i];
		inbound_set_version(p->in, p->version);
	}
}

/* libmosquitto's bytes to the broker, as far as both sides take them now. */
static int to_broker(struct pump *p)
{
	for (;;) {
		ssize_t r;

		if (mosquitto_want_write(p->mosq)) {
			int rc = mosquitto_loop_write(p->mosq, 1);

			if (rc != MOSQ_ERR_SUCCESS) {
				p->lib_rc = rc;
				end(p, PUMP_LIB);
				return -1;
			}
		}
		if (p->out_pos == p->out_len)
			p->out_pos = p->out_len = 0;
		r = p->out_len < OUT_MAX
		        ? recv(p->fd, p->out + p->out_len, OUT_MAX - p->out_len, MSG_DONTWAIT)
		        : 0;
		if (r > 0) {
			p->out_len += (size_t)r;
			if (p->version == 0)
				note_version(p);
		} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
			end(p, PUMP_CHANNEL);
			return -1;
		}
		while (p->out_pos < p->out_len) {
			ssize_t w = conn_write(p->c, p->out + p->out_pos, p->out_len - p->out_pos);

			if (w > 0) {
				p->out_pos += (size_t)w;
				p->last_out = clock_mono_ms();
				continue;
			}
			if (errno == EAGAIN)
				break;
			end(p, PUMP_CONN);
			return -1;
		}
		if (conn_flush(p->c) < 0) {
			end(p, PUMP_CONN);
			return -1;
		}
		/* Stop when the broker's side is full or libmosquitto has nothing more. */
		if (p->out_pos < p->out_len || (r <= 0 && !mosquitto_want_write(p->mosq)))
			return 0;
	}
}

/* The broker's bytes through the checks, for at most a turn's worth of reads. */
static int from_broker(struct pump *p)
{
	p->busy = false;
	for (int i = 0; i < TURN_READS; i++) {
		ssize_t r = conn_read(p->c, p->rbuf, sizeof(p->rbuf));

		if (r == 0) {
			end(p, PUMP_CLOSED);
			return -1;
		}
		if (r < 0) {
			if (errno == EAGAIN)
				return 0;
			end(p, PUMP_CONN);
			return -1;
		}
		p->reads++;
		p->bytes += (uint64_t)r;
		if (p->nfirst < FIRST_MAX) {
			size_t k =
			    FIRST_MAX - p->nfirst < (size_t)r ? FIRST_MAX - p->nfirst : (size_t)r;

			memcpy(p->first + p->nfirst, p->rbuf, k);
			p->nfirst += k;
			/* A plain connection answered with a TLS record (alert or handshake). */
			if (!p->c->ssl && !p->c->ws && negotiate_looks_tls(p->first, p->nfirst)) {
				end(p, PUMP_TLS_ANSWER);
				return -1;
			}
		}
		if (inbound_feed(p->in, p->rbuf, (size_t)r) < 0) {
			end(p, PUMP_INBOUND);
			return -1;
		}
		if (lib_flush(p) < 0 || p->end != PUMP_OPEN)
			return -1;
	}
	p->busy = true; /* more may be there: come back without sleeping */
	return 0;
}

int pump_step(struct pump *p)
{
	if (p->end != PUMP_OPEN)
		return -1;
	if (to_broker(p) < 0 || from_broker(p) < 0 || to_broker(p) < 0)
		return -1;
	if (conn_pending(p->c) > 0)
		p->busy = true;
	return 0;
}

short pump_events(const struct pump *p)
{
	short ev = conn_events(p->c);

	if (p->out_pos < p->out_len)
		ev |= POLLOUT;
	return ev;
}

bool pump_busy(const struct pump *p)
{
	return p->busy || mosquitto_want_write(p->mosq);
}

enum pump_end pump_end(const struct pump *p, int *lib_rc)
{
	if (lib_rc)
		*lib_rc = p->lib_rc;
	return p->end;
}

struct inbound *pump_inbound(const struct pump *p)
{
	return p->in;
}

const uint8_t *pump_first_bytes(const struct pump *p, size_t *n)
{
	*n = p->nfirst;
	return p->first;
}

int pump_version(const struct pump *p)
{
	return p->version;
}

void pump_drain(struct pump *p, int ms)
{
	int64_t deadline = clock_mono_ms() + ms;

	while (p->end == PUMP_OPEN && clock_mono_ms() < deadline) {
		struct pollfd pfd = {.fd = p->c->fd, .events = POLLOUT};

		if (to_broker(p) < 0)
			return;
		if (p->out_pos == p->out_len && !mosquitto_want_write(p->mosq) &&
		    !conn_wants_write(p->c))
			return;
		poll(&pfd, 1, 50);
	}
}

int64_t pump_quiet_since(const struct pump *p)
{
	return p->last_out < p->last_lib ? p->last_out : p->last_lib;
}

void pump_counts(const struct pump *p, uint64_t *reads, uint64_t *bytes)
{
	*reads = p->reads;
	*bytes = p->bytes;
}
