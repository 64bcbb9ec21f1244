/* test_payload.c: payload detection, pretty JSON, hex dump and numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/payload.h"
#include "mqscope/payload_number.h"

static enum payload_kind detect(const char *s)
{
	return payload_detect(s, strlen(s), false);
}

/* Line i of d as a NUL-terminated string, its indentation written out as two spaces a level. */
static const char *line(const struct pdoc *d, size_t i)
{
	static char buf[4096];
	const struct pline *l = &d->lines[i];
	size_t o = 0;

	for (unsigned k = 0; k < l->depth && o + 2 < sizeof(buf); k++) {
		buf[o++] = ' ';
		buf[o++] = ' ';
	}
	memcpy(buf + o, d->text + l->off, l->len);
	buf[o + l->len] = '\0';
	return buf;
}

static void unit__payload__detects_text_json_binary(void **state)
{
	(void)state;
	assert_int_equal(payload_detect("", 0, false), PAYLOAD_EMPTY);
	assert_int_equal(detect("ON"), PAYLOAD_TEXT);
	assert_int_equal(detect("21.5"), PAYLOAD_TEXT); /* a bare number is shown as text */
	assert_int_equal(detect("{\"a\":1}"), PAYLOAD_JSON);
	assert_int_equal(detect("  [1, 2, {\"b\": null}]\n"), PAYLOAD_JSON);
	assert_int_equal(detect("{\"a\":1"), PAYLOAD_TEXT);           /* unterminated */
	assert_int_equal(detect("{\"a\":1} trailing"), PAYLOAD_TEXT); /* not one document */
	assert_int_equal(detect("{a:1}"), PAYLOAD_TEXT);
	assert_int_equal(detect("[1,]"), PAYLOAD_TEXT);
	/* UTF-8 text and terminal escapes are text (the sanitizer shows the escapes). */
	assert_int_equal(detect("caf\xc3\xa9 \xe2\x82\xac"), PAYLOAD_TEXT);
	assert_int_equal(detect("\x1b]0;owned\x07\x1b[2J"), PAYLOAD_TEXT);
	assert_int_equal(detect("bad\xff\xfe utf8 \xc2\x9b csi \xe2\x80\xae rlo"), PAYLOAD_TEXT);
	/* A C string's trailing NUL does not make it binary. */
	assert_int_equal(payload_detect("21.5", 5, false), PAYLOAD_TEXT);
	/* Bytes of an image or of random data are binary. */
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
	assert_int_equal(payload_detect(png, sizeof(png) - 1, false), PAYLOAD_BINARY);
	char bin[256];
	for (int i = 0; i < 256; i++)
		bin[i] = (char)i;
	assert_int_equal(payload_detect(bin, sizeof(bin), false), PAYLOAD_BINARY);
	/* A truncated JSON document is not JSON; a UTF-8 sequence cut at the end is still text. */
	assert_int_equal(payload_detect("{\"a\":1}", 7, true), PAYLOAD_TEXT);
	assert_int_equal(payload_detect("caf\xc3", 4, true), PAYLOAD_TEXT);
	assert_string_equal(payload_kind_name(PAYLOAD_JSON), "json");
}

static void unit__payload__pretty_json_lines_styles_and_folds(void **state)
{
	const char *src = "{\"name\":\"bulb\",\"on\":true,\"level\":-12.50e1,\"tags\":[],"
	                  "\"nested\":{\"list\":[1,{\"x\":null}]},\"big\":12345678901234567890}";
	struct pdoc d;

	(void)state;
	pdoc_init(&d);
	assert_true(payload_json_doc(src, strlen(src), &d));
	const char *want[] = {
	    "{",
	    "  \"name\": \"bulb\",",
	    "  \"on\": true,",
	    "  \"level\": -12.50e1,",
	    "  \"tags\": [],",
	    "  \"nested\": {",
	    "    \"list\": [",
	    "      1,",
	    "      {",
	    "        \"x\": null",
	    "      }",
	    "    ]",
	    "  },",
	    "  \"big\": 12345678901234567890",
	    "}",
	};
	assert_int_equal(d.nlines, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < d.nlines; i++)
		assert_string_equal(line(&d, i), want[i]);

	/* Folds: each opening line knows its closing line, which knows the item count. */
	assert_int_equal(d.lines[0].kind, PL_OPEN);
	assert_int_equal(d.lines[0].link, 14);
	assert_int_equal(d.lines[14].kind, PL_CLOSE);
	assert_int_equal(d.lines[14].link, 6); /* six keys */
	assert_int_equal(d.lines[5].kind, PL_OPEN);
	assert_int_equal(d.lines[5].link, 12);
	assert_int_equal(d.lines[6].link, 11);
	assert_int_equal(d.lines[11].link, 2);       /* [1, {...}] */
	assert_int_equal(d.lines[4].kind, PL_PLAIN); /* "tags": [] does not fold */

	/* Colour classes: key, string, bool, number, null, punctuation. */
	const char *t = d.text;
	const char *k = strstr(t, "\"name\"");
	assert_int_equal(d.style[k - t], PS_KEY);
	assert_int_equal(d.style[strstr(t, "\"bulb\"") - t], PS_STRING);
	assert_int_equal(d.style[strstr(t, "true") - t], PS_BOOL);
	assert_int_equal(d.style[strstr(t, "-12.50e1") - t], PS_NUMBER);
	assert_int_equal(d.style[strstr(t, "null") - t], PS_NULL);
	assert_int_equal(d.style[strstr(t, ": ") - t], PS_PUNCT);
	/* A number is shown exactly as sent, not as a double would print it. */
	assert_non_null(strstr(t, "12345678901234567890"));

	/* Invalid JSON is refused. */
	assert_false(payload_json_doc("{\"a\":", 5, &d));
	assert_false(payload_json_doc("nope", 4, &d));
	pdoc_free(&d);
}

static void unit__payload__deep_and_huge_json(void **state)
{
	struct pdoc d;
	size_t n = 900, len = 2 * n + 1;
	char *deep = malloc(len + 1);

	(void)state;
	pdoc_init(&d);
	/* 900 levels: valid, laid out with virtual indentation (memory stays ~ the input). */
	for (size_t i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + 1 + i] = ']';
	}
	deep[n] = '1';
	deep[len] = '\0';
	assert_true(payload_json_doc(deep, len, &d));
	assert_int_equal(d.nlines, 2 * n + 1);
	assert_int_equal(d.lines[n].depth, n);
	assert_true(d.len < 2 * len);
	free(deep);

	/* Deeper than cJSON's nesting limit: not JSON, shown as text. */
	n = 5000;
	len = 2 * n;
	deep = malloc(len);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	assert_false(payload_json_doc(deep, len, &d));
	assert_int_equal(payload_detect(deep, len, false), PAYLOAD_TEXT);
	/* The formatter alone copes with it anyway (it never recurses). */
	payload_json_format(deep, len, &d);
	assert_true(d.nlines > 0);
	free(deep);

	/* 4 MB of JSON: one pass, every element on its own line. */
	size_t count = 400000;
	char *big = malloc(count * 10 + 16);
	size_t o = 0;
	big[o++] = '[';
	for (size_t i = 0; i < count; i++)
		o += (size_t)sprintf(big + o, "%s%zu", i ? "," : "", i * 7);
	big[o++] = ']';
	assert_int_equal(payload_detect(big, o, false), PAYLOAD_JSON);
	assert_true(payload_json_doc(big, o, &d));
	assert_int_equal(d.nlines, count + 2);
	assert_string_equal(line(&d, count), "  2799993");
	assert_int_equal(d.lines[count + 1].link, count);
	free(big);
	pdoc_free(&d);
}

static void unit__payload__hex_dump(void **state)
{
	const char *s = "Hello, world!\n\x01\xff tail";
	char out[128];
	size_t n;

	(void)state;
	n = payload_hex_line((const uint8_t *)s, strlen(s), 0, 16, out, sizeof(out));
	assert_string_equal(out, "00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 01 ff  "
	                         "|Hello, world!...|");
	assert_int_equal(n, strlen(out));
	assert_int_equal((int)n, payload_hex_width(16));
	/* The last, partial line keeps the columns aligned. */
	payload_hex_line((const uint8_t *)s, strlen(s), 16, 16, out, sizeof(out));
	assert_string_equal(out, "00000010  20 74 61 69 6c                                    "
	                         "| tail|");
	assert_int_equal(strchr(out, '|') - out, payload_hex_width(16) - 18);
	payload_hex_line((const uint8_t *)s, strlen(s), 8, 8, out, sizeof(out));
	assert_string_equal(out, "00000008  6f 72 6c 64 21 0a 01 ff  |orld!...|");
	assert_int_equal((int)strlen(out), payload_hex_width(8));
	/* A short buffer is cut, still NUL-terminated. */
	payload_hex_line((const uint8_t *)s, strlen(s), 0, 16, out, 12);
	assert_string_equal(out, "00000000  4");

	struct pdoc d;
	pdoc_init(&d);
	payload_hex_doc(s, strlen(s), 16, &d);
	assert_int_equal(d.nlines, 2);
	assert_null(d.style);
	pdoc_free(&d);
}

static void unit__payload__numbers_from_text_and_json(void **state)
{
	double v = 0;
	const char *j = "{\"ts\":1700000000,\"sensor\":{\"temp\":21.5,\"hum\":\"40.5\"},"
	                "\"readings\":[1,2,{\"v\":3e2}],\"name\":\"x\",\"ok\":true,\"inf\":1e999}";
	char paths[16][PAYLOAD_PATH_MAX];
	char def[PAYLOAD_PATH_MAX];

	(void)state;
	assert_true(payload_text_number("21.5", 4, &v));
	assert_true(v == 21.5);
	assert_true(payload_text_number(" -3e2 \n", 7, &v));
	assert_true(v == -300);
	assert_true(payload_text_number("45 %", 4, &v));
	assert_true(v == 45);
	assert_true(payload_text_number("12345 seconds", 13, &v)); /* $SYS/broker/uptime */
	assert_true(v == 12345);
	assert_true(payload_text_number(".5", 2, &v));
	assert_true(v == 0.5);
	assert_false(payload_text_number("1.2.3", 5, &v));
	assert_false(payload_text_number("12 34", 5, &v));
	assert_false(payload_text_number("abc", 3, &v));
	assert_false(payload_text_number("", 0, &v));
	assert_false(payload_text_number("-", 1, &v));
	assert_false(payload_text_number("nan", 3, &v));
	assert_false(payload_text_number("1e999", 5, &v));
	assert_false(payload_text_number("0x10", 4, &v));

	assert_true(payload_number("42", 2, "", &v));
	assert_true(v == 42);
	assert_true(payload_number(j, strlen(j), "sensor.temp", &v));
	assert_true(v == 21.5);
	assert_true(payload_number(j, strlen(j), "sensor.hum", &v)); /* a number in a string */
	assert_true(v == 40.5);
	assert_true(payload_number(j, strlen(j), "readings[1]", &v));
	assert_true(v == 2);
	assert_true(payload_number(j, strlen(j), "readings[2].v", &v));
	assert_true(v == 300);
	assert_false(payload_number(j, strlen(j), "readings[9]", &v));
	assert_false(payload_number(j, strlen(j), "name", &v));
	assert_false(payload_number(j, strlen(j), "ok", &v));
	assert_false(payload_number(j, strlen(j), "inf", &v));
	assert_false(payload_number(j, strlen(j), "sensor", &v));
	assert_false(payload_number(j, strlen(j), "missing.deeper", &v));
	assert_false(payload_number("[1,2", 4, "[0]", &v));
	assert_true(payload_number("[5,6]", 5, "[1]", &v));
	assert_true(v == 6);

	size_t n = payload_numeric_paths(j, strlen(j), paths, 16);
	assert_int_equal(n, 6);
	assert_string_equal(paths[0], "ts");
	assert_string_equal(paths[1], "sensor.temp");
	assert_string_equal(paths[2], "sensor.hum");
	assert_string_equal(paths[3], "readings[0]");
	assert_string_equal(paths[5], "readings[2].v");
	/* The default trend field is a measurement, not the timestamp. */
	assert_true(payload_default_path(j, strlen(j), def, sizeof(def)));
	assert_string_equal(def, "sensor.temp");
	assert_true(payload_default_path("{\"value\":1,\"x\":2}", 17, def, sizeof(def)));
	assert_string_equal(def, "value");
	assert_true(payload_default_path("17.5", 4, def, sizeof(def)));
	assert_string_equal(def, "");
	assert_false(payload_default_path("{\"a\":\"b\"}", 9, def, sizeof(def)));
	assert_false(payload_default_path("hello", 5, def, sizeof(def)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__payload__detects_text_json_binary),
	    cmocka_unit_test(unit__payload__pretty_json_lines_styles_and_folds),
	    cmocka_unit_test(unit__payload__deep_and_huge_json),
	    cmocka_unit_test(unit__payload__hex_dump),
	    cmocka_unit_test(unit__payload__numbers_from_text_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
