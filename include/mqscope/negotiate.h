/* negotiate.h: which MQTT version to offer a broker, and what its answer says about the next. */
#ifndef MQSCOPE_NEGOTIATE_H
#define MQSCOPE_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Without -V mqscope offers MQTT 5 and steps down to 3.1.1, then 3.1, as
 * soon as a broker shows it lacks the version offered; with -V it offers
 * that version alone. Brokers refuse a version in several ways:
 *   - a CONNACK "unacceptable protocol version" in the 3.1.1 form (return
 *     code 1): aedes, mosquitto 1.x, most embedded brokers;
 *   - an MQTT 5 CONNACK with reason 0x84 (a broker with MQTT 5 that refuses
 *     it for this listener);
 *   - a close before any CONNACK: RabbitMQ before 3.13, many cloud gateways;
 *   - a close in the middle of a CONNACK;
 *   - a CONNACK in the 3.1.1 form that accepts (a broker that ignores the
 *     version byte): libmosquitto cannot read it as MQTT 5.
 * The module only decides; the session tells it what happened.
 */

#define NEGOTIATE_FIRST_MAX 8 /* bytes of the broker's answer looked at */

/* What one attempt saw, as far as the connection let us see it. */
struct negotiate_seen {
	int offered; /* the version the CONNECT carried: 5, 4 (3.1.1) or 3 (3.1) */
	int connack; /* libmosquitto's on_connect code; -1 when it never called it */
	bool ended;  /* the connection ended (closed, reset, unreadable) without an accepted CONNACK
	              */
	bool peeked; /* first[] holds the broker's first bytes (plain TCP) */
	size_t nfirst; /* how many; 0 when it closed without a byte */
	unsigned char first[NEGOTIATE_FIRST_MAX];
};

/* How the broker answered the version offered. */
enum negotiate_answer {
	NEG_OTHER,       /* nothing about the version: connected, refused a login, unreachable... */
	NEG_RC1,         /* CONNACK 3.1.1 form, return code 1 */
	NEG_RC84,        /* MQTT 5 CONNACK, reason 0x84 */
	NEG_CLOSED,      /* closed before any byte of a CONNACK */
	NEG_PARTIAL,     /* closed in the middle of a CONNACK */
	NEG_OLD_CONNACK, /* a 3.1.1-form CONNACK to an MQTT 5 CONNECT */
	NEG_TLS,         /* the first bytes are a TLS record: a TLS port spoken to in plain */
};

/* What the session does next. */
enum negotiate_step {
	NEG_STEP_CONTINUE, /* not about the version: go on as usual (backoff, words) */
	NEG_STEP_FALLBACK, /* connect again at once with negotiate_offer() */
	NEG_STEP_REFUSED,  /* the version was refused and there is nothing lower to try */
};

struct negotiate {
	int fixed;                 /* the version -V or the profile asked for; 0: negotiate */
	int floor;                 /* the lowest version negotiation may reach */
	int offer;                 /* the version the next attempt offers */
	int agreed;                /* the version the broker accepted last; 0 before that */
	enum negotiate_answer why; /* the answer that made offer lower than 5 */
};

/*
 * fixed: the version asked for (3, 4 or 5), or 0 to negotiate. v5_only: a
 * password without a username, which only MQTT 5 can send, keeps
 * negotiation at 5.
 */
void negotiate_init(struct negotiate *n, int fixed, bool v5_only);
/* The version the next attempt offers. */
int negotiate_offer(const struct negotiate *n);
/* How the broker answered, from what an attempt saw. */
enum negotiate_answer negotiate_classify(const struct negotiate_seen *s);
/* Takes an attempt's outcome; says whether to fall back at once. */
enum negotiate_step negotiate_result(struct negotiate *n, const struct negotiate_seen *s);
/*
 * The broker could not be reached at all (refused, unreachable, no name):
 * it may come back as another broker or version, so the next attempt that
 * reaches it offers MQTT 5 again.
 */
void negotiate_unreachable(struct negotiate *n);
/* Whether the first bytes of an answer are a TLS record header (alert or handshake). */
bool negotiate_looks_tls(const unsigned char *b, size_t n);

/* "3.1.1" for 4, "5" for 5, "3.1" for 3. */
const char *negotiate_version_name(int version);
/* How an answer refused a version, in words: "it closed the connection without a CONNACK". */
const char *negotiate_answer_words(enum negotiate_answer a);
/*
 * The version in use and why, for the status bar and the log:
 * "MQTT 5", "MQTT 3.1.1 (-V)", "MQTT 3.1.1: the broker has no MQTT 5".
 * version and why as negotiate_offer() and n->why were when it connected
 * (fixed: whether -V chose it).
 */
void negotiate_describe(int version, bool fixed, enum negotiate_answer why, char *buf, size_t cap);

#endif
