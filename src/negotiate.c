/* negotiate.c: the MQTT version to offer, stepping down when a broker shows it lacks one. */
#include "mqscope/negotiate.h"

#include <stdio.h>

#define V31  3
#define V311 4
#define V5   5

#define CONNACK_RC_PROTOCOL 1    /* MQTT 3.x: unacceptable protocol version */
#define CONNACK_RC_V5_84    0x84 /* MQTT 5: unsupported protocol version */

void negotiate_init(struct negotiate *n, int fixed, bool v5_only)
{
	n->fixed = fixed;
	n->floor = fixed ? fixed : v5_only ? V5 : V31;
	n->offer = fixed ? fixed : V5;
	n->agreed = 0;
	n->why = NEG_OTHER;
}

int negotiate_offer(const struct negotiate *n)
{
	return n->offer;
}

bool negotiate_looks_tls(const unsigned char *b, size_t n)
{
	/* A TLS record: content type alert (21) or handshake (22), then major version 3. */
	return n >= 1 && (b[0] == 0x15 || b[0] == 0x16) && (n < 2 || b[1] == 0x03);
}

enum negotiate_answer negotiate_classify(const struct negotiate_seen *s)
{
	if (s->connack == CONNACK_RC_V5_84) {
		/* libmosquitto reports a 3.1.1-form "unacceptable protocol version" as 0x84 too. */
		if (s->peeked && s->nfirst >= 2 && s->first[0] == 0x20 && s->first[1] == 2)
			return NEG_RC1;
		return NEG_RC84;
	}
	if (s->connack == CONNACK_RC_PROTOCOL && s->offered != V5)
		return NEG_RC1;
	if (s->connack >= 0)
		return NEG_OTHER; /* accepted, or refused for another reason (login, id...) */
	if (s->peeked && negotiate_looks_tls(s->first, s->nfirst))
		return NEG_TLS;
	if (!s->ended)
		return NEG_OTHER; /* never answered, or never reached */
	if (!s->peeked || s->nfirst == 0)
		return NEG_CLOSED;
	if (s->first[0] != 0x20)
		return NEG_OTHER; /* something else than a CONNACK came first */
	/* A 3.1.1 CONNACK is 2 bytes long; an MQTT 5 one at least 3. */
	if (s->offered == V5 && s->nfirst >= 4 && s->first[1] == 2)
		return NEG_OLD_CONNACK;
	return NEG_PARTIAL;
}

/* The next lower version, or 0. */
static int lower(int v)
{
	return v == V5 ? V311 : v == V311 ? V31 : 0;
}

/* Where the next cycle of attempts starts: what the broker last accepted, else the top. */
static void restart(struct negotiate *n)
{
	n->offer = n->fixed ? n->fixed : n->agreed ? n->agreed : V5;
	if (n->offer == V5)
		n->why = NEG_OTHER;
}

enum negotiate_step negotiate_result(struct negotiate *n, const struct negotiate_seen *s)
{
	enum negotiate_answer a = negotiate_classify(s);
	int next = lower(s->offered);

	if (s->connack == 0) {
		n->agreed = s->offered;
		return NEG_STEP_CONTINUE;
	}
	switch (a) {
	case NEG_OTHER:
	case NEG_TLS:
		restart(n);
		return NEG_STEP_CONTINUE;
	case NEG_CLOSED:
	case NEG_PARTIAL:
		/*
		 * Brokers without MQTT 5 may just hang up on it; one that hangs up on
		 * 3.1.1 too does so for another reason (not MQTT, a TLS port, a full
		 * broker), so a close steps down from 5 only.
		 */
		if (n->fixed || s->offered != V5 || n->floor == V5) {
			restart(n);
			return NEG_STEP_CONTINUE;
		}
		break;
	case NEG_RC1:
	case NEG_RC84:
	case NEG_OLD_CONNACK:
		if (n->fixed || next < n->floor || next == 0) {
			n->agreed = 0;
			restart(n);
			return NEG_STEP_REFUSED;
		}
		break;
	}
	n->offer = next;
	n->why = a;
	return NEG_STEP_FALLBACK;
}

void negotiate_unreachable(struct negotiate *n)
{
	n->agreed = 0;
	restart(n);
}

const char *negotiate_version_name(int version)
{
	return version == V31 ? "3.1" : version == V311 ? "3.1.1" : "5";
}

const char *negotiate_answer_words(enum negotiate_answer a)
{
	switch (a) {
	case NEG_RC1:
		return "it answered CONNACK 'unacceptable protocol version'";
	case NEG_RC84:
		return "it answered 'unsupported protocol version' (reason 0x84)";
	case NEG_CLOSED:
		return "it closed the connection without a CONNACK";
	case NEG_PARTIAL:
		return "it closed the connection in the middle of its CONNACK";
	case NEG_OLD_CONNACK:
		return "it answered with an MQTT 3.1.1 CONNACK";
	case NEG_TLS:
		return "it answered with TLS";
	case NEG_OTHER:
		break;
	}
	return "";
}

void negotiate_describe(int version, bool fixed, enum negotiate_answer why, char *buf, size_t cap)
{
	if (fixed || version == V5 || why == NEG_OTHER)
		snprintf(buf, cap, "MQTT %s", negotiate_version_name(version));
	else if (version == V311)
		snprintf(buf, cap, "MQTT 3.1.1: the broker has no MQTT 5");
	else
		snprintf(buf, cap, "MQTT 3.1: the broker has no MQTT 5 or 3.1.1");
}
