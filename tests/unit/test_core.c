/* test_core.c: options and URLs, topic filters, message records, line editing, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/line_edit.h"
#include "mqscope/msg.h"
#include "mqscope/options.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

static enum options_result parse(struct settings *s, const char *line)
{
	char buf[1024], *argv[64];
	int argc = 0;
	FILE *null = fopen("/dev/null", "w");
	enum options_result r;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = "mqscope";
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	settings_init(s);
	r = options_parse(argc, argv, s, null);
	fclose(null);
	return r;
}

static void unit__options__mosquitto_sub_flags(void **state)
{
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, "-h broker.lan -p 1884 -t a/# -t b/+ -i me -u bob -P secret -q "
	                           "1 -V mqttv311 -k 30 -c"),
	                 OPTIONS_OK);
	assert_string_equal(s.host, "broker.lan");
	assert_int_equal(s.port, 1884);
	assert_int_equal(s.ntopics, 2);
	assert_string_equal(s.topics[1], "b/+");
	assert_string_equal(s.client_id, "me");
	assert_string_equal(s.user, "bob");
	assert_string_equal(s.password, "secret");
	assert_int_equal(s.qos, 1);
	assert_int_equal(s.protocol, MQTT_V311);
	assert_int_equal(s.keepalive, 30);
	assert_true(s.persistent);
	assert_true(OPTION_GIVEN(&s, OPT_HOST));
	assert_false(OPTION_GIVEN(&s, OPT_CAFILE));
	settings_finish(&s);
	assert_false(s.demo);
	settings_free(&s);
}

static void unit__options__defaults_pick_demo_and_subscriptions(void **state)
{
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, ""), OPTIONS_OK);
	settings_finish(&s);
	assert_true(s.demo);
	assert_int_equal(s.ntopics, 2);
	assert_string_equal(s.topics[0], "#");
	assert_string_equal(s.topics[1], "$SYS/#");
	settings_free(&s);
	assert_int_equal(parse(&s, "--cafile /etc/ca.pem -h x"), OPTIONS_OK);
	settings_finish(&s);
	assert_int_equal(s.port, 8883);
	settings_free(&s);
}

static void unit__options__bad_flags_fail(void **state)
{
	struct settings s;
	const char *bad[] = {"--nope",
	                     "-p 0",
	                     "-p 70000",
	                     "-p abc",
	                     "-q 3",
	                     "-V mqttv6",
	                     "-t",
	                     "-k 2",
	                     "extra",
	                     "-L http://x",
	                     "-L mqtt://h:99999",
	                     "--tls-version ssl3"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&s, bad[i]), OPTIONS_ERROR);
		settings_free(&s);
	}
}

static void unit__options__url(void **state)
{
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, "-L mqtts://alice:pw@example.com:8884/sensors/#"), OPTIONS_OK);
	assert_true(s.tls_by_url);
	assert_string_equal(s.user, "alice");
	assert_string_equal(s.password, "pw");
	assert_string_equal(s.host, "example.com");
	assert_int_equal(s.port, 8884);
	assert_int_equal(s.ntopics, 1);
	assert_string_equal(s.topics[0], "sensors/#");
	settings_free(&s);
	assert_int_equal(parse(&s, "-L mqtt://[::1]:1999"), OPTIONS_OK);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.port, 1999);
	settings_free(&s);
}

static void unit__topic__spec_matching(void **state)
{
	static const struct {
		const char *filter, *topic;
		bool match;
	} cases[] = {
	    {"sport/tennis/player1/#", "sport/tennis/player1", true},
	    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
	    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
	    {"sport/#", "sport", true},
	    {"#", "anything/at/all", true},
	    {"#", "/leading", true},
	    {"sport/tennis/+", "sport/tennis/player1", true},
	    {"sport/tennis/+", "sport/tennis/player1/ranking", false},
	    {"sport/+", "sport", false},
	    {"sport/+", "sport/", true},
	    {"+/+", "/finance", true},
	    {"/+", "/finance", true},
	    {"+", "/finance", false},
	    {"+/monitor/Clients", "$SYS/monitor/Clients", false},
	    {"#", "$SYS/broker/uptime", false},
	    {"$SYS/#", "$SYS/broker/uptime", true},
	    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
	    {"a/b", "a/b", true},
	    {"a/b", "a/b/c", false},
	    {"a/b/c", "a/b", false},
	    {"a//b", "a//b", true},
	    {"a/+/b", "a//b", true},
	    {"A/b", "a/b", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m = topic_matches(cases[i].filter, cases[i].topic, strlen(cases[i].topic));
		if (m != cases[i].match)
			fail_msg("%s vs %s: got %d", cases[i].filter, cases[i].topic, m);
	}
	assert_true(topic_filter_valid("a/+/b/#"));
	assert_false(topic_filter_valid("a/b#"));
	assert_false(topic_filter_valid("a/#/b"));
	assert_false(topic_filter_valid("a+/b"));
	assert_false(topic_filter_valid(""));
}

static void unit__msg__record_and_props_round_trip(void **state)
{
	uint8_t props[256], rec[512];
	size_t off = 0;
	struct msg_head h = {
	    .time_ms = 42, .topic_len = 3, .len = 4, .orig_len = 10, .qos = 2, .retain = 1};
	struct msg_view v;
	struct prop p;

	(void)state;
	assert_true(props_put_str(props, sizeof(props), &off, PROP_CONTENT_TYPE, "text/plain", 10));
	assert_true(props_put_num(props, sizeof(props), &off, PROP_MESSAGE_EXPIRY, 3600));
	assert_true(props_put_pair(props, sizeof(props), &off, "k", 1, "v\0x", 3));
	assert_true(
	    props_put_str(props, sizeof(props), &off, PROP_CORRELATION_DATA, "\x00\x01", 2));
	h.props_len = (uint32_t)off;
	assert_true(msg_record_size(3, 4, off) <= sizeof(rec));
	msg_write(rec, &h, "a/b", "\x00\xff\x01\x02", props);
	assert_true(msg_read(rec, msg_record_size(3, 4, off), &v));
	assert_false(msg_read(rec, msg_record_size(3, 4, off) - 1, &v));
	assert_true(msg_read(rec, msg_record_size(3, 4, off), &v));
	assert_memory_equal(v.topic, "a/b", 3);
	assert_memory_equal(v.payload, "\x00\xff\x01\x02", 4);
	assert_int_equal(v.h->orig_len, 10);
	off = 0;
	assert_true(props_next(v.props, v.h->props_len, &off, &p));
	assert_int_equal(p.id, PROP_CONTENT_TYPE);
	assert_memory_equal(p.s, "text/plain", p.slen);
	assert_true(props_next(v.props, v.h->props_len, &off, &p));
	assert_int_equal(p.num, 3600);
	assert_true(props_next(v.props, v.h->props_len, &off, &p));
	assert_int_equal(p.id, PROP_USER_PROPERTY);
	assert_int_equal(p.vlen, 3);
	assert_true(props_next(v.props, v.h->props_len, &off, &p));
	assert_int_equal(p.slen, 2);
	assert_false(props_next(v.props, v.h->props_len, &off, &p));
	/* Truncated input is rejected, not over-read. */
	off = 0;
	assert_false(props_next(v.props, 5, &off, &p));
	/* Encoders refuse what does not fit. */
	off = 0;
	assert_false(props_put_str(props, 4, &off, PROP_CONTENT_TYPE, "long", 4));
}

static void unit__line_edit__utf8_editing(void **state)
{
	struct line_edit e;

	(void)state;
	line_edit_init(&e);
	line_edit_set(&e, "house");
	line_edit_insert(&e, '/');
	line_edit_insert(&e, 0x00e9); /* é */
	assert_string_equal(e.buf, "house/\xc3\xa9");
	line_edit_backspace(&e);
	assert_string_equal(e.buf, "house/");
	line_edit_home(&e);
	line_edit_delete(&e);
	assert_string_equal(e.buf, "ouse/");
	line_edit_end(&e);
	line_edit_insert(&e, 0x65e5); /* 日 */
	line_edit_left(&e);
	assert_int_equal(e.cur, 5);
	line_edit_right(&e);
	assert_int_equal(e.cur, e.len);
	line_edit_delete_word(&e);
	assert_string_equal(e.buf, "ouse/");
	line_edit_kill_start(&e);
	assert_string_equal(e.buf, "");
	for (int i = 0; i < 10000; i++)
		line_edit_insert(&e, 'x');
	assert_int_equal(e.len, 10000);
	line_edit_free(&e);
}

static void unit__util__formatting(void **state)
{
	char b[64];
	size_t sz;
	long v;

	(void)state;
	fmt_count(b, sizeof(b), 1234567);
	assert_string_equal(b, "1,234,567");
	fmt_count(b, sizeof(b), 12);
	assert_string_equal(b, "12");
	assert_string_equal(fmt_things(b, sizeof(b), 1, "topic", "topics"), "1 topic");
	assert_string_equal(fmt_things(b, sizeof(b), 0, "topic", "topics"), "0 topics");
	assert_string_equal(fmt_things(b, sizeof(b), 12345, "line was", "lines were"),
	                    "12,345 lines were");
	fmt_short(b, sizeof(b), 1500);
	assert_string_equal(b, "1.5k");
	fmt_short(b, sizeof(b), 2500000);
	assert_string_equal(b, "2.5M");
	fmt_bytes(b, sizeof(b), 2048);
	assert_string_equal(b, "2.0 KiB");
	fmt_age(b, sizeof(b), 125000);
	assert_string_equal(b, "2m");
	assert_true(parse_size("64M", &sz));
	assert_int_equal(sz, 64u << 20);
	assert_false(parse_size("12Q", &sz));
	assert_true(parse_long("-5", -10, 10, &v));
	assert_false(parse_long("5x", -10, 10, &v));
}

/* Two filters overlap when some topic matches both: checked against topic_matches on examples. */
static void unit__topic__filters_that_overlap(void **state)
{
	static const struct {
		const char *a, *b;
		bool overlap;
	} cases[] = {
	    {"#", "audit/#", true},   {"audit/#", "audit", true},
	    {"a/+/c", "a/b/+", true}, {"a/b", "a/b", true},
	    {"a/b", "a/c", false},    {"a/+", "a/b/c", false},
	    {"+/+", "a/b", true},     {"#", "$SYS/#", false},
	    {"+/x", "$SYS/x", false}, {"$SYS/#", "$SYS/broker", true},
	    {"a/#", "b/#", false},    {"a", "a/b", false},
	    {"a/+", "a", false},      {"+", "a", true},
	    {"a/b/#", "a/+/c", true},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (topic_filters_overlap(cases[i].a, cases[i].b) != cases[i].overlap)
			fail_msg("%s and %s: expected %d", cases[i].a, cases[i].b,
			         cases[i].overlap);
		if (topic_filters_overlap(cases[i].b, cases[i].a) != cases[i].overlap)
			fail_msg("%s and %s: expected %d", cases[i].b, cases[i].a,
			         cases[i].overlap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__options__mosquitto_sub_flags),
	    cmocka_unit_test(unit__options__defaults_pick_demo_and_subscriptions),
	    cmocka_unit_test(unit__options__bad_flags_fail),
	    cmocka_unit_test(unit__options__url),
	    cmocka_unit_test(unit__topic__spec_matching),
	    cmocka_unit_test(unit__msg__record_and_props_round_trip),
	    cmocka_unit_test(unit__line_edit__utf8_editing),
	    cmocka_unit_test(unit__util__formatting),
	    cmocka_unit_test(unit__topic__filters_that_overlap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
