/* test_toggle.c: toggle detection, JSON state flipping that keeps the document, rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/toggle.h"

static const char *flip(const char *v, const char *on, const char *off)
{
	static char out[128];

	if (!toggle_flip_word(v, strlen(v), on, off, out, sizeof(out)))
		return NULL;
	return out;
}

static void unit__toggle__usual_pairs_keep_case(void **state)
{
	static const char *const cases[][2] = {
	    {"ON", "OFF"},          {"OFF", "ON"},       {"on", "off"},     {"off", "on"},
	    {"On", "Off"},          {"true", "false"},   {"false", "true"}, {"TRUE", "FALSE"},
	    {"True", "False"},      {"1", "0"},          {"0", "1"},        {"open", "closed"},
	    {"closed", "open"},     {"OPEN", "CLOSED"},  {"yes", "no"},     {"enabled", "disabled"},
	    {"unlocked", "locked"}, {" ON\n", " OFF\n"}, {"oN", "off"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = flip(cases[i][0], NULL, NULL);

		if (got == NULL || strcmp(got, cases[i][1]) != 0)
			fail_msg("'%s' flipped to '%s', wanted '%s'", cases[i][0],
			         got ? got : "(nothing)", cases[i][1]);
	}
}

static void unit__toggle__values_without_opposite(void **state)
{
	static const char *const none[] = {"",     "   ",     "2",       "ONE",    "onn",
	                                   "21.5", "-1",      "running", "ON OFF", "{}",
	                                   "o\0n", "\x1b[2J", "10"};

	(void)state;
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (flip(none[i], NULL, NULL) != NULL)
			fail_msg("'%s' should not be toggleable", none[i]);
	/* Embedded NUL: the whole value counts, not the C string. */
	{
		char out[16];
		assert_false(toggle_flip_word("on\0x", 4, NULL, NULL, out, sizeof(out)));
	}
	/* A result that does not fit is refused, not cut. */
	{
		char out[3];
		assert_false(toggle_flip_word("ON", 2, NULL, NULL, out, sizeof(out)));
	}
}

static void unit__toggle__rule_pair_is_exact(void **state)
{
	(void)state;
	assert_string_equal(flip("heat", "heat", "off"), "off");
	assert_string_equal(flip("off", "heat", "off"), "heat");
	assert_null(flip("OFF", "heat", "off"));
	assert_null(flip("ON", "heat", "off")); /* the usual pairs do not apply under a rule */
}

static char *jflip(const char *doc, const char *field, const char *on, const char *off, char *err,
                   size_t cap)
{
	char from[64], to[64];
	size_t len = 0;
	char *out = toggle_flip_json(doc, strlen(doc), field, on, off, &len, from, to, sizeof(from),
	                             err, cap);

	if (out != NULL)
		assert_int_equal(len, strlen(out));
	return out;
}

static void unit__toggle__json_state_keeps_document(void **state)
{
	static const char *const cases[][2] = {
	    {"{\"state\":\"OFF\",\"brightness\":40}", "{\"state\":\"ON\",\"brightness\":40}"},
	    {"{ \"brightness\": 40.50,\n  \"state\" : \"on\" }\n",
	     "{ \"brightness\": 40.50,\n  \"state\" : \"off\" }\n"},
	    {"{\"power\":true,\"x\":[1,{\"state\":\"ON\"}]}",
	     "{\"power\":false,\"x\":[1,{\"state\":\"ON\"}]}"},
	    {"{\"a\":\"state\",\"state\":1}", "{\"a\":\"state\",\"state\":0}"},
	    {"{\"s\\\"tate\":\"x\",\"state\":\"Closed\"}",
	     "{\"s\\\"tate\":\"x\",\"state\":\"Open\"}"},
	    {"{\"status\":\"online\",\"switch\":\"OFF\"}",
	     "{\"status\":\"online\",\"switch\":\"ON\"}"},
	    {"{\"state\":\"ON\",\"state\":\"x\"}", "{\"state\":\"OFF\",\"state\":\"x\"}"},
	};
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = jflip(cases[i][0], NULL, NULL, NULL, err, sizeof(err));

		if (out == NULL || strcmp(out, cases[i][1]) != 0)
			fail_msg("%s -> %s (%s), wanted %s", cases[i][0], out ? out : "NULL",
			         out ? "" : err, cases[i][1]);
		free(out);
	}
}

static void unit__toggle__json_named_and_nested_field(void **state)
{
	char err[200], *out;

	(void)state;
	out = jflip("{\"light\":{\"on\":\"heat\",\"lvl\":3},\"on\":true}", "light.on", "heat",
	            "off", err, sizeof(err));
	assert_non_null(out);
	assert_string_equal(out, "{\"light\":{\"on\":\"off\",\"lvl\":3},\"on\":true}");
	free(out);
	out = jflip("{\"relay\":0}", "relay", NULL, NULL, err, sizeof(err));
	assert_non_null(out);
	assert_string_equal(out, "{\"relay\":1}");
	free(out);
}

/* Found by fuzz_toggle: white space the text scan did not know (form feed, NUL: cJSON skips every
 * byte up to 32) sent the flip down the rebuild path, which lost the key and, for a nested field,
 * freed a member still linked; or, for NUL, wrote the new value before the old one. The scan now
 * reads white space as the parser does, and keeps every other byte. */
static void unit__toggle__json_unusual_white_space(void **state)
{
#define BYTES(s) s, sizeof(s) - 1
	static const struct {
		const char *doc;
		size_t len;
		const char *field, *want;
		size_t wlen;
	} cases[] = {
	    {BYTES("{\f\"state\":\"ON\"}"), NULL, BYTES("{\f\"state\":\"OFF\"}")},
	    {BYTES("{\"a\":{\f\"state\":\"ON\",\"b\":1},\"c\":2}"), "a.state",
	     BYTES("{\"a\":{\f\"state\":\"OFF\",\"b\":1},\"c\":2}")},
	    {BYTES("{\"a\":{\"x\":0,\v\"state\":true}}"), "a.state",
	     BYTES("{\"a\":{\"x\":0,\v\"state\":false}}")},
	    {BYTES("{\"state\":\0\0\"ON\"}"), NULL, BYTES("{\"state\":\0\0\"OFF\"}")},
	};
#undef BYTES
	char from[64], to[64], err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = 0;
		char *out = toggle_flip_json(cases[i].doc, cases[i].len, cases[i].field, NULL, NULL,
		                             &len, from, to, sizeof(from), err, sizeof(err));

		if (out == NULL)
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(len, cases[i].wlen);
		assert_memory_equal(out, cases[i].want, len);
		free(out);
	}
}

/* Found by fuzz_toggle: a raw NUL byte in a key ends it for the parser; the text scan compared
 * all its bytes, so the value written was the parser's flipped into another member's place. */
static void unit__toggle__json_raw_nul_in_key(void **state)
{
	static const char doc[] = "{\"state\0\":\"ON\",\"state\":\"OFF\"}";
	static const char want[] = "{\"state\0\":\"OFF\",\"state\":\"OFF\"}";
	char from[64], to[64], err[200];
	size_t len = 0;
	char *out = toggle_flip_json(doc, sizeof(doc) - 1, NULL, NULL, NULL, &len, from, to,
	                             sizeof(from), err, sizeof(err));

	(void)state;
	assert_non_null(out);
	assert_int_equal(len, sizeof(want) - 1);
	assert_memory_equal(out, want, len);
	assert_string_equal(from, "ON");
	assert_string_equal(to, "OFF");
	free(out);
}

/* Found by fuzz_toggle: a rule's value that only starts like a number ("4e`") went into the
 * document as it was, leaving invalid JSON. */
static void unit__toggle__json_number_flips_to_whole_numbers_only(void **state)
{
	char err[200], *out;

	(void)state;
	out = jflip("{\"on\":2}", NULL, "4e`", "2", err, sizeof(err));
	assert_null(out);
	assert_non_null(strstr(err, "neither"));
	out = jflip("{\"on\":2}", NULL, "4e1", "2", err, sizeof(err));
	assert_non_null(out);
	assert_string_equal(out, "{\"on\":4e1}");
	free(out);
}

static void unit__toggle__json_not_toggleable_says_why(void **state)
{
	static const struct {
		const char *doc, *field, *why;
	} cases[] = {
	    {"{\"state\":\"running\"}", NULL, "\"state\" is \"running\", which has no opposite"},
	    {"{\"value\":21.5}", NULL, "no \"state\" field"},
	    {"{\"state\":\"OFF\"", NULL, "not a JSON object"},
	    {"[\"ON\"]", NULL, "not a JSON object"},
	    {"{\"state\":\"OFF\"} trailing", NULL, "not a JSON object"},
	    {"{\"state\":{\"on\":true}}", NULL, "\"state\" is an object"},
	    {"{\"state\":2}", NULL, "\"state\" is 2"},
	    {"{\"state\":\"ON\"}", "mode", "no \"mode\" field"},
	    {"{\"state\":null}", NULL, "\"state\" is null"},
	};
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = jflip(cases[i].doc, cases[i].field, NULL, NULL, err, sizeof(err));

		if (out != NULL)
			fail_msg("%s was flipped to %s", cases[i].doc, out);
		if (strstr(err, cases[i].why) == NULL)
			fail_msg("%s: error '%s' lacks '%s'", cases[i].doc, err, cases[i].why);
	}
}

static void unit__toggle__command_templates(void **state)
{
	char out[256], err[256];

	(void)state;
	assert_int_equal(toggle_command_topic("{topic}/set", "house/bulbs/bulb1", out, sizeof(out),
	                                      err, sizeof(err)),
	                 0);
	assert_string_equal(out, "house/bulbs/bulb1/set");
	assert_int_equal(toggle_command_topic("cmnd/{2}/POWER", "stat/plug7/POWER", out,
	                                      sizeof(out), err, sizeof(err)),
	                 0);
	assert_string_equal(out, "cmnd/plug7/POWER");
	assert_int_equal(toggle_command_topic("x/{4}", "a/b", out, sizeof(out), err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "no level 4"));
	assert_int_equal(
	    toggle_command_topic("{name}/set", "a/b", out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown placeholder '{name}'"));
	assert_int_equal(toggle_command_topic("{topic", "a", out, sizeof(out), err, sizeof(err)),
	                 -1);
	assert_int_equal(toggle_command_topic("+/{topic}", "a", out, sizeof(out), err, sizeof(err)),
	                 -1);
	assert_int_equal(toggle_command_topic("{topic}", "a", out, 1, err, sizeof(err)), -1);
}

static void unit__toggle__compute_without_rule_keeps_topic_and_flags(void **state)
{
	struct toggle_out o;
	char err[256];

	(void)state;
	assert_int_equal(
	    toggle_compute(NULL, 0, "house/bulbs/bulb1", "OFF", 3, 1, true, &o, err, sizeof(err)),
	    0);
	assert_string_equal(o.topic, "house/bulbs/bulb1");
	assert_string_equal(o.payload, "ON");
	assert_int_equal(o.len, 2);
	assert_int_equal(o.qos, 1);
	assert_true(o.retain);
	assert_string_equal(o.from, "OFF");
	assert_string_equal(o.to, "ON");
	assert_null(o.rule);
	toggle_out_free(&o);

	assert_int_equal(toggle_compute(NULL, 0, "house/lights/kitchen",
	                                "{\"state\":\"OFF\",\"brightness\":40}", 31, 0, false, &o,
	                                err, sizeof(err)),
	                 0);
	assert_string_equal(o.payload, "{\"state\":\"ON\",\"brightness\":40}");
	assert_false(o.retain);
	toggle_out_free(&o);

	/* Not toggleable: nothing to send, and the reason says what the value was. */
	assert_int_equal(
	    toggle_compute(NULL, 0, "sensors/t", "21.5", 4, 0, false, &o, err, sizeof(err)), -1);
	assert_null(o.payload);
	assert_null(o.topic);
	assert_non_null(strstr(err, "'21.5' has no opposite"));
	assert_int_equal(toggle_compute(NULL, 0, "a", "", 0, 0, false, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no value"));
	assert_int_equal(
	    toggle_compute(NULL, 0, "a", "{\"state\":\"x\"}", 13, 0, false, &o, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "\"state\" is \"x\""));
}

static void unit__toggle__compute_applies_first_matching_rule(void **state)
{
	struct toggle_rule rules[] = {
	    {.filter = "house/lights/+",
	     .command = "{topic}/set",
	     .qos = -1,
	     .retain = -1,
	     .line = 3},
	    {.filter = "climate/#",
	     .on = "heat",
	     .off = "off",
	     .field = "mode",
	     .qos = 2,
	     .retain = 1,
	     .line = 9},
	    {.filter = "#", .command = "{topic}/cmd", .qos = 1, .retain = 1, .line = 12},
	};
	struct toggle_out o;
	char err[256];

	(void)state;
	assert_int_equal(toggle_compute(rules, 3, "house/lights/porch", "{\"state\":\"ON\"}", 14, 0,
	                                true, &o, err, sizeof(err)),
	                 0);
	assert_string_equal(o.topic, "house/lights/porch/set");
	assert_string_equal(o.payload, "{\"state\":\"OFF\"}");
	assert_false(o.retain); /* commands are not retained unless the rule says so */
	assert_int_equal(o.qos, 0);
	assert_ptr_equal(o.rule, &rules[0]);
	toggle_out_free(&o);

	assert_int_equal(toggle_compute(rules, 3, "climate/office", "{\"mode\":\"heat\"}", 15, 0,
	                                false, &o, err, sizeof(err)),
	                 0);
	assert_string_equal(o.topic, "climate/office");
	assert_string_equal(o.payload, "{\"mode\":\"off\"}");
	assert_int_equal(o.qos, 2);
	assert_true(o.retain);
	toggle_out_free(&o);

	/* A rule's field means JSON: a bare word is not accepted. */
	assert_int_equal(
	    toggle_compute(rules, 3, "climate/office", "heat", 4, 0, false, &o, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "line 9"));
	assert_int_equal(toggle_compute(rules, 3, "climate/office", "{\"mode\":\"cool\"}", 15, 0,
	                                false, &o, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "neither heat nor off"));

	assert_int_equal(
	    toggle_compute(rules, 3, "garage/door", "open", 4, 0, false, &o, err, sizeof(err)), 0);
	assert_string_equal(o.topic, "garage/door/cmd");
	assert_string_equal(o.payload, "closed");
	assert_int_equal(o.qos, 1);
	assert_true(o.retain);
	toggle_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__toggle__usual_pairs_keep_case),
	    cmocka_unit_test(unit__toggle__values_without_opposite),
	    cmocka_unit_test(unit__toggle__rule_pair_is_exact),
	    cmocka_unit_test(unit__toggle__json_state_keeps_document),
	    cmocka_unit_test(unit__toggle__json_named_and_nested_field),
	    cmocka_unit_test(unit__toggle__json_unusual_white_space),
	    cmocka_unit_test(unit__toggle__json_raw_nul_in_key),
	    cmocka_unit_test(unit__toggle__json_number_flips_to_whole_numbers_only),
	    cmocka_unit_test(unit__toggle__json_not_toggleable_says_why),
	    cmocka_unit_test(unit__toggle__command_templates),
	    cmocka_unit_test(unit__toggle__compute_without_rule_keeps_topic_and_flags),
	    cmocka_unit_test(unit__toggle__compute_applies_first_matching_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
