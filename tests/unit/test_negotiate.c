/* test_negotiate.c: the MQTT version offered, and the step down for every way a broker refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mqscope/negotiate.h"

/* What an attempt at version v saw: on_connect's code (-1: none) and the first bytes. */
static struct negotiate_seen seen(int v, int connack, bool ended, const char *bytes, size_t n)
{
	struct negotiate_seen s = {.offered = v, .connack = connack, .ended = ended};

	if (bytes) {
		s.peeked = true;
		s.nfirst = n;
		memcpy(s.first, bytes, n);
	}
	return s;
}

/* aedes, mosquitto 1.x: a 3.1.1 CONNACK with return code 1 (libmosquitto calls it 0x84). */
static void unit__negotiate__connack_code_1_in_the_3_1_1_form(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, 0x84, true, "\x20\x02\x00\x01", 4);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_offer(&n), 5);
	assert_int_equal(negotiate_classify(&s), NEG_RC1);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	assert_int_equal(negotiate_offer(&n), 4);
	s = seen(4, 0, false, "\x20\x02\x00\x00", 4);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
	assert_int_equal(n.agreed, 4);
	/* A reconnect of the same session offers what was agreed. */
	assert_int_equal(negotiate_offer(&n), 4);

	char buf[80];
	negotiate_describe(4, false, n.why, buf, sizeof(buf));
	assert_string_equal(buf, "MQTT 3.1.1: the broker has no MQTT 5");
}

/* Over TLS nothing is peeked: 0x84 alone still steps down. */
static void unit__negotiate__mqtt5_reason_0x84(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, 0x84, true, "\x20\x03\x00\x84\x00", 5);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_classify(&s), NEG_RC84);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	assert_int_equal(negotiate_offer(&n), 4);
	s = seen(5, 0x84, true, NULL, 0);
	assert_int_equal(negotiate_classify(&s), NEG_RC84);
}

/* RabbitMQ 3.10: the socket closes, no byte comes back. */
static void unit__negotiate__close_before_connack(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, -1, true, "", 0);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_classify(&s), NEG_CLOSED);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	assert_int_equal(negotiate_offer(&n), 4);
	assert_int_equal(n.why, NEG_CLOSED);
	/* Over TLS (no peek) a close before CONNACK is the same. */
	s = seen(5, -1, true, NULL, 0);
	assert_int_equal(negotiate_classify(&s), NEG_CLOSED);
}

static void unit__negotiate__close_after_a_partial_connack(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, -1, true, "\x20\x03\x00", 3);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_classify(&s), NEG_PARTIAL);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	assert_int_equal(negotiate_offer(&n), 4);
	s = seen(5, -1, true, "\x20", 1);
	assert_int_equal(negotiate_classify(&s), NEG_PARTIAL);
}

/* A broker that ignores the version byte and accepts in the 3.1.1 format. */
static void unit__negotiate__old_format_connack(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, -1, true, "\x20\x02\x00\x00", 4);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_classify(&s), NEG_OLD_CONNACK);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	assert_int_equal(negotiate_offer(&n), 4);
}

/* A 3.1-only broker refuses 5 and 3.1.1 with code 1; negotiation ends at 3.1. */
static void unit__negotiate__down_to_3_1(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, 0x84, true, "\x20\x02\x00\x01", 4);
	char buf[80];

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	s = seen(4, 1, true, "\x20\x02\x00\x01", 4);
	assert_int_equal(negotiate_classify(&s), NEG_RC1);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	assert_int_equal(negotiate_offer(&n), 3);
	negotiate_describe(3, false, n.why, buf, sizeof(buf));
	assert_string_equal(buf, "MQTT 3.1: the broker has no MQTT 5 or 3.1.1");
	/* Refused at 3.1 too: nothing left; the next cycle starts at 5 again. */
	s = seen(3, 1, true, "\x20\x02\x00\x01", 4);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_REFUSED);
	assert_int_equal(negotiate_offer(&n), 5);
}

/* A close is a version refusal only for MQTT 5: at 3.1.1 it has another cause. */
static void unit__negotiate__a_close_at_3_1_1_is_not_about_the_version(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, -1, true, "", 0);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	s = seen(4, -1, true, "", 0);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
	/* Nothing was agreed: the next cycle offers 5 again. */
	assert_int_equal(negotiate_offer(&n), 5);
}

/* With -V the version is never changed; the refusal is reported instead. */
static void unit__negotiate__fixed_version_never_falls_back(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, 0x84, true, "\x20\x02\x00\x01", 4);

	(void)state;
	negotiate_init(&n, 5, false);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_REFUSED);
	assert_int_equal(negotiate_offer(&n), 5);
	s = seen(5, -1, true, "", 0);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
	assert_int_equal(negotiate_offer(&n), 5);
	negotiate_init(&n, 4, false);
	assert_int_equal(negotiate_offer(&n), 4);
	s = seen(4, 1, true, "\x20\x02\x00\x01", 4);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_REFUSED);
}

/* A password without a username needs MQTT 5: no step down. */
static void unit__negotiate__password_without_username_stays_at_5(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, 0x84, true, "\x20\x02\x00\x01", 4);

	(void)state;
	negotiate_init(&n, 0, true);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_REFUSED);
	s = seen(5, -1, true, "", 0);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
}

/* TLS bytes back mean a TLS port, not a broker without MQTT 5; nothing back means nothing. */
static void unit__negotiate__tls_only_from_tls_bytes(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, -1, true, "\x15\x03\x01\x00\x02\x02\x46", 7);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_classify(&s), NEG_TLS);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
	assert_int_equal(negotiate_offer(&n), 5);
	s = seen(5, -1, true, "\x16\x03\x03\x00\x30", 5);
	assert_int_equal(negotiate_classify(&s), NEG_TLS);
	assert_true(negotiate_looks_tls((const unsigned char *)"\x16", 1));
	assert_false(negotiate_looks_tls((const unsigned char *)"\x20\x02", 2));
	assert_false(negotiate_looks_tls((const unsigned char *)"\x15\x00", 2));
	assert_false(negotiate_looks_tls(NULL, 0));
}

/* Refusals that are not about the version change nothing. */
static void unit__negotiate__other_refusals_keep_the_version(void **state)
{
	struct negotiate n;
	struct negotiate_seen s;

	(void)state;
	negotiate_init(&n, 0, false);
	s = seen(5, 0x86, false, "\x20\x03\x00\x86\x00", 5); /* bad username or password */
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
	assert_int_equal(negotiate_offer(&n), 5);
	s = seen(5, -1, false, NULL, 0); /* never answered: keepalive ran out */
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
	assert_int_equal(negotiate_offer(&n), 5);
	s = seen(5, -1, true, "\x30\x05", 2); /* a PUBLISH first, then a close */
	assert_int_equal(negotiate_classify(&s), NEG_OTHER);
}

/* Agreed versions are kept over reconnects, until the broker could not be reached at all. */
static void unit__negotiate__remembered_until_the_broker_is_gone(void **state)
{
	struct negotiate n;
	struct negotiate_seen s = seen(5, -1, true, "", 0);

	(void)state;
	negotiate_init(&n, 0, false);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_FALLBACK);
	s = seen(4, 0, false, "\x20\x02\x00\x00", 4);
	negotiate_result(&n, &s);
	/* The connection is lost (the broker closed it): the reconnect stays at 3.1.1. */
	s = seen(4, -1, true, "", 0);
	assert_int_equal(negotiate_result(&n, &s), NEG_STEP_CONTINUE);
	assert_int_equal(negotiate_offer(&n), 4);
	/* Connection refused: the broker is down and may come back upgraded. */
	negotiate_unreachable(&n);
	assert_int_equal(negotiate_offer(&n), 5);
	assert_int_equal(n.why, NEG_OTHER);
}

static void unit__negotiate__words(void **state)
{
	char buf[80];

	(void)state;
	negotiate_describe(5, false, NEG_OTHER, buf, sizeof(buf));
	assert_string_equal(buf, "MQTT 5");
	negotiate_describe(4, true, NEG_OTHER, buf, sizeof(buf));
	assert_string_equal(buf, "MQTT 3.1.1");
	negotiate_describe(3, true, NEG_OTHER, buf, sizeof(buf));
	assert_string_equal(buf, "MQTT 3.1");
	assert_string_equal(negotiate_answer_words(NEG_CLOSED),
	                    "it closed the connection without a CONNACK");
	assert_string_equal(negotiate_answer_words(NEG_OTHER), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__negotiate__connack_code_1_in_the_3_1_1_form),
	    cmocka_unit_test(unit__negotiate__mqtt5_reason_0x84),
	    cmocka_unit_test(unit__negotiate__close_before_connack),
	    cmocka_unit_test(unit__negotiate__close_after_a_partial_connack),
	    cmocka_unit_test(unit__negotiate__old_format_connack),
	    cmocka_unit_test(unit__negotiate__down_to_3_1),
	    cmocka_unit_test(unit__negotiate__a_close_at_3_1_1_is_not_about_the_version),
	    cmocka_unit_test(unit__negotiate__fixed_version_never_falls_back),
	    cmocka_unit_test(unit__negotiate__password_without_username_stays_at_5),
	    cmocka_unit_test(unit__negotiate__tls_only_from_tls_bytes),
	    cmocka_unit_test(unit__negotiate__other_refusals_keep_the_version),
	    cmocka_unit_test(unit__negotiate__remembered_until_the_broker_is_gone),
	    cmocka_unit_test(unit__negotiate__words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
