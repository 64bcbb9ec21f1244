/* headless.c: connects for log and dump, follows the session, and turns its fate into exit codes.
 */
#define _GNU_SOURCE
#include "mqscope/headless.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/util.h"

#define SUBS_MAX 256

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

void headless_say(const struct headless *h, const char *fmt, ...)
{
	va_list ap;

	if (h->quiet)
		return;
	fprintf(stderr, "%s: ", h->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int headless_open(struct headless *h, struct settings *cfg, const char *name)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigset_t block;

	memset(h, 0, sizeof(*h));
	h->name = name;
	h->quiet = cfg->out_quiet;
	h->timeout_ms = cfg->out_timeout * 1000;
	h->deadline = INT64_MAX;
	h->ring.wake_fd = -1;
	settings_broker_label(cfg, h->label, sizeof(h->label));
	if (cfg->ntopics == 0)
		settings_add_str(&cfg->topics, &cfg->ntopics, "#");
	h->nsubs = cfg->ntopics;
	/* Output is the whole message, as mosquitto_sub prints it: no cut but the ring's size. */
	cfg->payload_cap = 0;
	if (ring_init(&h->ring, cfg->ring_bytes, cfg->ring_count) != 0) {
		headless_say(h, "out of memory");
		return 1;
	}
	/* SIGINT and SIGTERM are taken only while waiting (ppoll): no wake-up is ever missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	session_lib_init();
	h->lib = true;
	h->ss = session_new(cfg, &h->ring);
	/* libmosquitto has its own copy now. */
	settings_wipe_secrets(cfg);
	if (h->ss == NULL || session_start(h->ss) != 0) {
		headless_say(h, "cannot set up the connection (bad TLS files?)");
		return 1;
	}
	return 0;
}

void headless_close(struct headless *h)
{
	if (h->ss) {
		session_stop(h->ss, 2000);
		session_free(h->ss);
		h->ss = NULL;
	}
	if (h->lib)
		session_lib_cleanup();
	h->lib = false;
	ring_free(&h->ring);
}

/* The exit status of a first connection that failed: the broker's reason code, else 1. */
static int refusal_status(const struct session_status *st)
{
	if ((st->reason == REASON_CONNACK || st->reason == REASON_V5) && st->code > 0 &&
	    st->code < 256)
		return st->code;
	return 1;
}

/* After a SUBACK: whether every filter is answered now, and how many were refused. */
static void note_suback(struct headless *h)
{
	struct session_sub subs[SUBS_MAX];
	size_t n = session_subscriptions(h->ss, subs, SUBS_MAX), pending = 0, refused = 0;

	for (size_t i = 0; i < n && i < SUBS_MAX; i++) {
		if (subs[i].granted < 0)
			pending++;
		else if (subs[i].granted >= 128)
			refused++;
	}
	if (pending || h->subscribed)
		return;
	for (size_t i = 0; i < n && i < SUBS_MAX; i++)
		if (subs[i].granted >= 128)
			headless_say(h,
			             "the broker refused the subscription to %s (reason code %d)",
			             subs[i].filter, subs[i].granted);
	h->subscribed = true;
	h->subscribed_at = clock_mono_ms();
	h->refused = refused;
	h->sub_mark = session_received(h->ss);
}

int headless_poll(struct headless *h)
{
	struct session_status st;
	struct session_event ev;
	char why[200];
	sigset_t pending;

	/* A flood keeps us from waiting, where the signals are let in: look for them here. */
	sigpending(&pending);
	if (stop_asked || sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM))
		return 0;
	session_status(h->ss, &st);
	if (st.connects != h->connects) {
		if (h->connects == 0 && h->timeout_ms)
			h->deadline = clock_mono_ms() + h->timeout_ms;
		h->connects = st.connects;
		h->subscribed = false;
	}
	while (session_next_event(h->ss, &ev))
		if (ev.kind == SESSION_EV_SUBSCRIBED)
			note_suback(h);
	if (h->subscribed && h->refused == h->nsubs && h->nsubs > 0) {
		headless_say(h, "every subscription was refused");
		return 1;
	}
	if (st.state == SESSION_WAITING && h->connects == 0) {
		session_reason_text(st.reason, st.code, why, sizeof(why));
		headless_say(h, "cannot connect to %s: %s", h->label, why);
		return refusal_status(&st);
	}
	if (st.state == SESSION_WAITING && h->connects > 0 && h->lost_said != h->connects) {
		/* Said once per loss; the next connection subscribes again. */
		session_reason_text(st.reason, st.code, why, sizeof(why));
		headless_say(h, "connection to %s lost (%s); connecting again", h->label, why);
		h->lost_said = h->connects;
		h->subscribed = false;
	}
	if (clock_mono_ms() >= h->deadline) {
		headless_say(h, "timed out after %lld s (-W)", (long long)(h->timeout_ms / 1000));
		return HEADLESS_TIMED_OUT;
	}
	return -1;
}

bool headless_next(struct headless *h, struct msg_view *v)
{
	size_t len;
	const void *rec;

	while ((rec = ring_peek(&h->ring, &len)) != NULL) {
		h->taken++;
		if (msg_read(rec, len, v))
			return true;
		ring_release(&h->ring); /* the session writes only well-formed records */
	}
	return false;
}

void headless_release(struct headless *h)
{
	ring_release(&h->ring);
}

bool headless_after_suback(const struct headless *h)
{
	return h->subscribed && h->taken + ring_drops(&h->ring) > h->sub_mark;
}

void headless_wait(struct headless *h, int64_t until)
{
	struct pollfd pfd = {.fd = h->ring.wake_fd, .events = POLLIN};
	int64_t now = clock_mono_ms(), end = until < h->deadline ? until : h->deadline;
	struct timespec ts, *tp = NULL;
	sigset_t open;

	if (!ring_prepare_sleep(&h->ring, false) || stop_asked)
		return;
	if (end != INT64_MAX) {
		int64_t left = end > now ? end - now : 0;

		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		tp = &ts;
	}
	sigprocmask(SIG_SETMASK, NULL, &open);
	sigdelset(&open, SIGINT);
	sigdelset(&open, SIGTERM);
	if (ppoll(&pfd, 1, tp, &open) > 0)
		ring_clear_wake(&h->ring);
}

void headless_check_drops(struct headless *h)
{
	uint64_t d = ring_drops(&h->ring);
	int64_t now;

	if (d == h->drops_said)
		return;
	now = clock_mono_ms();
	if (h->drops_said_at && now - h->drops_said_at < 1000)
		return;
	headless_say(h,
	             "%llu messages lost so far: they came faster than the output took them "
	             "(or were larger than half of ring_bytes)",
	             (unsigned long long)d);
	h->drops_said = d;
	h->drops_said_at = now;
}
