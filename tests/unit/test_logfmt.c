/* test_logfmt.c: message lines for `mqscope log` and exports: text, JSON Lines, CSV. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/logfmt.h"
#include "mqscope/msg.h"
#include "mqscope/record.h"

#define T0 1795341845123LL /* 2026-11-22T10:04:05.123Z */

/* The output of one format for a list of (topic, payload) pairs; the caller frees it. */
static char *run(const struct logfmt *fmt, const char *const *msgs, size_t n, size_t *len)
{
	char *text = NULL;
	struct logfmt_out o = {0};

	o.f = open_memstream(&text, len);
	assert_non_null(o.f);
	logfmt_header(fmt, &o);
	for (size_t i = 0; i < n; i += 2) {
		struct msg_head h = {.time_ms = T0 + (int64_t)i,
		                     .topic_len = (uint32_t)strlen(msgs[i]),
		                     .len = (uint32_t)strlen(msgs[i + 1]),
		                     .orig_len = (uint32_t)strlen(msgs[i + 1]),
		                     .qos = 1};
		struct msg_view v = {.h = &h, .topic = msgs[i], .payload = msgs[i + 1]};

		logfmt_write(fmt, &o, &v);
	}
	fclose(o.f);
	logfmt_out_free(&o);
	return text;
}

static void unit__logfmt__text_like_mosquitto_sub(void **state)
{
	static const char *const msgs[] = {
	    "a/b",        "hello",    "a/c", "",         "a/d",   "x\ny\x1b[31mz",
	    "a/\xc3\xa9", "\xc3\xbc", "bad", "\xff\xfe", "t\x07", "p",
	};
	struct logfmt fmt = {.kind = LOGFMT_TEXT};
	size_t len;
	char *out = run(&fmt, msgs, sizeof(msgs) / sizeof(msgs[0]), &len);

	(void)state;
	assert_string_equal(out, "a/b hello\n"
	                         "a/c (null)\n"
	                         "a/d x\\ny\\e[31mz\n"
	                         "a/\xc3\xa9 \xc3\xbc\n"
	                         "bad \\xff\\xfe\n"
	                         "t\\a p\n");
	free(out);
	fmt.raw = true;
	out = run(&fmt, msgs, 6, &len);
	assert_string_equal(out, "a/b hello\na/c (null)\na/d x\ny\x1b[31mz\n");
	free(out);
}

static void unit__logfmt__json_is_the_recording_format(void **state)
{
	static const char *const msgs[] = {"a/b", "{\"v\":1}", "bin", "\x01\x02\xff"};
	struct logfmt fmt = {.kind = LOGFMT_JSON};
	struct record_msg m;
	size_t len;
	char *out = run(&fmt, msgs, 4, &len), *nl;

	(void)state;
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_true(record_parse(out, (size_t)(nl - out), &m));
	assert_int_equal(m.h.time_ms, T0);
	assert_string_equal(m.topic, "a/b");
	assert_memory_equal(m.payload, "{\"v\":1}", 7);
	assert_int_equal(m.h.qos, 1);
	record_msg_free(&m);
	assert_true(record_parse(nl + 1, strlen(nl + 1) - 1, &m));
	assert_int_equal(m.h.len, 3);
	assert_memory_equal(m.payload, "\x01\x02\xff", 3);
	record_msg_free(&m);
	free(out);
}

static void unit__logfmt__csv_columns(void **state)
{
	static const char *const msgs[] = {
	    "sensors/kitchen",  "{\"value\":21.5,\"unit\":\"C\",\"meta\":{\"id\":[7,8]}}",
	    "sensors/odd,name", "{\"value\":\"say \\\"hi\\\"\",\"unit\":\"a,b\"}",
	    "sensors/plain",    "42",
	    "sensors/esc",      "{\"value\":\"\\u001b[2J\"}",
	};
	const char *fields[] = {"value", "unit", "meta.id[1]", "payload"};
	struct logfmt fmt = {.kind = LOGFMT_CSV, .fields = fields, .nfields = 4};
	size_t len;
	char *out = run(&fmt, msgs, 8, &len);

	(void)state;
	assert_string_equal(
	    out,
	    "time,topic,value,unit,meta.id[1],payload\r\n"
	    "2026-11-22T10:04:05.123Z,sensors/kitchen,21.5,C,8,"
	    "\"{\"\"value\"\":21.5,\"\"unit\"\":\"\"C\"\",\"\"meta\"\":{\"\"id\"\":[7,8]}}\"\r\n"
	    "2026-11-22T10:04:05.125Z,\"sensors/odd,name\",\"say \"\"hi\"\"\",\"a,b\",,"
	    "\"{\"\"value\"\":\"\"say \\\"\"hi\\\"\"\"\",\"\"unit\"\":\"\"a,b\"\"}\"\r\n"
	    "2026-11-22T10:04:05.127Z,sensors/plain,,,,42\r\n"
	    "2026-11-22T10:04:05.129Z,sensors/esc,\\e[2J,,,"
	    "\"{\"\"value\"\":\"\"\\u001b[2J\"\"}\"\r\n");
	free(out);
	/* Without fields: the payload. */
	struct logfmt plain = {.kind = LOGFMT_CSV};
	out = run(&plain, msgs + 4, 2, &len);
	assert_string_equal(out,
	                    "time,topic,payload\r\n2026-11-22T10:04:05.123Z,sensors/plain,42\r\n");
	free(out);
}

/* A decoder for the test: every payload "decodes" to a fixed document. */
static size_t fake_decode(const struct msg_view *v, char **buf, size_t *cap)
{
	static const char doc[] = "{\"n\":1,\"s\":\"\xc2\x9b\"}";

	if (v->h->len == 0)
		return 0;
	if (*cap < sizeof(doc)) {
		*buf = realloc(*buf, sizeof(doc));
		*cap = sizeof(doc);
	}
	memcpy(*buf, doc, sizeof(doc));
	return sizeof(doc) - 1;
}

/* JSON lines: terminal-safe unless raw (the same JSON), and the decoder's seam. */
static void unit__logfmt__json_safe_and_decoded(void **state)
{
	static const char *const msgs[] = {"a/\xe2\x80\xae",
	                                   "c1 \xc2\x9b del \x7f e\xcc\x81 "
	                                   "\xf0\x9f\x98\x80 \xf3\xa0\x80\x81",
	                                   "b", ""};
	struct logfmt fmt = {.kind = LOGFMT_JSON};
	struct record_msg m;
	size_t len;
	char *out = run(&fmt, msgs, 4, &len), *nl;

	(void)state;
	nl = strchr(out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	/* C1, DEL, bidi and tag characters escaped; letters, marks and emoji as they are. */
	assert_non_null(strstr(out, "\"topic\":\"a/\\u202e\""));
	assert_non_null(strstr(out, "\"payload\":\"c1 \\u009b del \\u007f e\xcc\x81 "
	                            "\xf0\x9f\x98\x80 \\udb40\\udc01\""));
	assert_true(record_parse(out, strlen(out), &m));
	assert_memory_equal(m.topic, "a/\xe2\x80\xae", 5);
	assert_int_equal(m.h.len, strlen(msgs[1]));
	assert_memory_equal(m.payload, msgs[1], m.h.len);
	record_msg_free(&m);
	free(out);

	/* --raw: the recording format as it is. */
	fmt.raw = true;
	out = run(&fmt, msgs, 2, &len);
	assert_non_null(strstr(out, "\"topic\":\"a/\xe2\x80\xae\""));
	free(out);

	/* A decoder's document goes in as "decoded", made safe too; the line still parses. */
	fmt.raw = false;
	fmt.decode = fake_decode;
	out = run(&fmt, msgs, 4, &len);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_non_null(strstr(out, ",\"decoded\":{\"n\":1,\"s\":\"\\u009b\"}}\n"));
	assert_true(record_parse(out, (size_t)(nl - out), &m));
	record_msg_free(&m);
	/* No document for the empty payload: no member. */
	assert_null(strstr(nl + 1, "decoded"));
	free(out);
}

/* The flags to a format, and the combinations that are refused. */
static void unit__logfmt__from_settings(void **state)
{
	struct settings s;
	struct logfmt fmt;
	char err[256];
	char *fields[] = {"value", "a.b"};

	(void)state;
	settings_init(&s);
	assert_int_equal(logfmt_from_settings(&s, &fmt, err, sizeof(err)), 0);
	assert_int_equal(fmt.kind, LOGFMT_TEXT);
	s.out_no_eol = true;
	s.out_raw = true;
	assert_int_equal(logfmt_from_settings(&s, &fmt, err, sizeof(err)), 0);
	assert_true(fmt.no_eol && fmt.raw);
	s.out_json = s.out_csv = true;
	assert_int_equal(logfmt_from_settings(&s, &fmt, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "choose one"));
	s.out_json = false;
	s.out_fields = fields;
	s.nout_fields = 2;
	assert_int_equal(logfmt_from_settings(&s, &fmt, err, sizeof(err)), 0);
	assert_int_equal(fmt.kind, LOGFMT_CSV);
	assert_int_equal(fmt.nfields, 2);
	assert_string_equal(fmt.fields[1], "a.b");
	s.out_csv = false;
	assert_int_equal(logfmt_from_settings(&s, &fmt, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "add --csv"));
	s.out_fields = NULL;
	s.nout_fields = 0;
	settings_free(&s);
}

/* -N: no newline after a text line. */
static void unit__logfmt__no_eol(void **state)
{
	static const char *const msgs[] = {"a", "1", "b", "2"};
	struct logfmt fmt = {.kind = LOGFMT_TEXT, .no_eol = true};
	size_t len;
	char *out = run(&fmt, msgs, 4, &len);

	(void)state;
	assert_string_equal(out, "a 1b 2");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__logfmt__json_safe_and_decoded),
	    cmocka_unit_test(unit__logfmt__from_settings),
	    cmocka_unit_test(unit__logfmt__no_eol),
	    cmocka_unit_test(unit__logfmt__text_like_mosquitto_sub),
	    cmocka_unit_test(unit__logfmt__json_is_the_recording_format),
	    cmocka_unit_test(unit__logfmt__csv_columns),
	};

	setlocale(LC_ALL, "C.UTF-8"); /* as mqscope runs: glyph widths come from the locale */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
