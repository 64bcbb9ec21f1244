/* test_decode.c: the binary payload decoders against vectors made by independent encoders
 * (tests/vectors/make.js wrote them and the documents they must decode to), Sparkplug aliases
 * and seq through the model, exact numbers, hostile sizes, and which decoder applies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decode.h"
#include "mqscope/msg.h"
#include "mqscope/pbschema.h"
#include "mqscope/sparkplug.h"
#include "sparkplug_b.pb-c.h"

static cJSON *cases;

/* Reads tests/<rel> whole; *len gets its size. */
static uint8_t *slurp(const char *rel, size_t *len)
{
	const char *src = getenv("MQSCOPE_TESTS");
	char path[1024];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", src ? src : "tests", rel);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static uint8_t *vector(const char *file, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "vectors/%s", file);
	return slurp(rel, len);
}

static int group_setup(void **state)
{
	size_t len;
	char *text = (char *)slurp("vectors/cases.json", &len);

	(void)state;
	if (text == NULL)
		return -1;
	cases = cJSON_ParseWithLength(text, len);
	free(text);
	return cases ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	cJSON_Delete(cases);
	return 0;
}

/* Whether got has the same structure and values as want; the first difference is printed. */
static bool same(const cJSON *want, const cJSON *got, const char *where)
{
	char at[512];
	int n = 0;

	if ((want->type & 0xff) != (got->type & 0xff) &&
	    !(cJSON_IsBool(want) && cJSON_IsBool(got))) {
		fprintf(stderr, "%s: type differs\n", where);
		return false;
	}
	if (cJSON_IsBool(want) && cJSON_IsTrue(want) != cJSON_IsTrue(got)) {
		fprintf(stderr, "%s: %s, want %s\n", where, cJSON_IsTrue(got) ? "true" : "false",
		        cJSON_IsTrue(want) ? "true" : "false");
		return false;
	}
	if (cJSON_IsNumber(want) && want->valuedouble != got->valuedouble) {
		fprintf(stderr, "%s: %.17g, want %.17g\n", where, got->valuedouble,
		        want->valuedouble);
		return false;
	}
	if (cJSON_IsString(want) && strcmp(want->valuestring, got->valuestring) != 0) {
		fprintf(stderr, "%s: \"%s\", want \"%s\"\n", where, got->valuestring,
		        want->valuestring);
		return false;
	}
	if (cJSON_IsArray(want) || cJSON_IsObject(want)) {
		if (cJSON_GetArraySize(want) != cJSON_GetArraySize(got)) {
			char *g = cJSON_PrintUnformatted(got);

			fprintf(stderr, "%s: %d members, want %d: %s\n", where,
			        cJSON_GetArraySize(got), cJSON_GetArraySize(want), g);
			free(g);
			return false;
		}
		const cJSON *g = got->child;
		for (const cJSON *w = want->child; w; w = w->next, n++) {
			const cJSON *match = g;

			if (cJSON_IsObject(want)) {
				match = cJSON_GetObjectItemCaseSensitive(got, w->string);
				snprintf(at, sizeof(at), "%s.%s", where, w->string);
			} else {
				snprintf(at, sizeof(at), "%s[%d]", where, n);
				g = g->next;
			}
			if (match == NULL) {
				fprintf(stderr, "%s: missing\n", at);
				return false;
			}
			if (!same(w, match, at))
				return false;
		}
	}
	return true;
}

/* Checks one decoded document (printed and read back, as the views will) against want. */
static void check_doc(const char *name, cJSON *doc, const char *err, const cJSON *want)
{
	size_t len;
	char *text;
	cJSON *back;

	if (doc == NULL)
		fprintf(stderr, "%s: not decoded: %s\n", name, err);
	assert_non_null(doc);
	text = decode_json(doc, &len);
	back = cJSON_ParseWithLength(text, len);
	if (back == NULL)
		fprintf(stderr, "%s: not JSON: %s\n", name, text);
	assert_non_null(back);
	if (!same(want, back, name)) {
		fprintf(stderr, "%s: got %s\n", name, text);
		fail();
	}
	cJSON_Delete(back);
	free(text);
	cJSON_Delete(doc);
}

static void check_error(const char *name, cJSON *doc, const char *err, const char *want)
{
	if (doc) {
		char *t = cJSON_PrintUnformatted(doc);

		fprintf(stderr, "%s: decoded to %s, want the error '%s'\n", name, t, want);
		free(t);
		cJSON_Delete(doc);
		fail();
	}
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "%s: error '%s', want '%s'\n", name, err, want);
		fail();
	}
}

typedef cJSON *(*decoder)(const void *data, size_t len, char *err, size_t cap);

/* Every case of one format with a plain decoder. */
static void run_cases(const char *format, decoder dec)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(cases, format), *c;
	int n = 0;

	assert_non_null(list);
	cJSON_ArrayForEach(c, list)
	{
		const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
		const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "expect");
		const cJSON *error = cJSON_GetObjectItemCaseSensitive(c, "error");
		size_t len;
		uint8_t *data =
		    vector(cJSON_GetObjectItemCaseSensitive(c, "file")->valuestring, &len);
		char err[256] = "";
		cJSON *doc;

		assert_non_null(data);
		doc = dec(data, len, err, sizeof(err));
		if (error)
			check_error(name, doc, err, error->valuestring);
		else
			check_doc(name, doc, err, want);
		free(data);
		n++;
	}
	assert_true(n > 0);
}

static void unit__decode__cbor_vectors(void **state)
{
	(void)state;
	run_cases("cbor", decode_cbor);
}

static void unit__decode__msgpack_vectors(void **state)
{
	(void)state;
	run_cases("msgpack", decode_msgpack);
}

static void unit__decode__protobuf_raw_vectors(void **state)
{
	(void)state;
	run_cases("protobuf", decode_protobuf_raw);
}

static void unit__decode__protobuf_schema_vectors(void **state)
{
	const cJSON *c;
	int n = 0;

	(void)state;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(cases, "protobuf_schema"))
	{
		const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
		char path[1024], err[256] = "";
		const char *src = getenv("MQSCOPE_TESTS");
		struct pbschema *s;
		size_t len;
		uint8_t *data =
		    vector(cJSON_GetObjectItemCaseSensitive(c, "file")->valuestring, &len);

		snprintf(path, sizeof(path), "%s/vectors/%s", src ? src : "tests",
		         cJSON_GetObjectItemCaseSensitive(c, "schema")->valuestring);
		s = pbschema_load(path, err, sizeof(err));
		if (s == NULL)
			fprintf(stderr, "%s: %s\n", name, err);
		assert_non_null(s);
		check_doc(
		    name,
		    pbschema_decode(s, cJSON_GetObjectItemCaseSensitive(c, "message")->valuestring,
		                    data, len, err, sizeof(err)),
		    err, cJSON_GetObjectItemCaseSensitive(c, "expect"));
		pbschema_free(s);
		free(data);
		n++;
	}
	assert_true(n > 0);
}

/* Each scenario's messages go through the model in order; those with an expectation are decoded
 * right after the model has seen them. */
static void unit__decode__sparkplug_scenarios(void **state)
{
	const cJSON *sc;

	(void)state;
	cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(cases, "sparkplug"))
	{
		const char *name = cJSON_GetObjectItemCaseSensitive(sc, "name")->valuestring;
		struct spb_model *m = spb_model_new(0);
		const cJSON *step;
		int i = 0;

		cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(sc, "steps"))
		{
			const char *topic =
			    cJSON_GetObjectItemCaseSensitive(step, "topic")->valuestring;
			const cJSON *want = cJSON_GetObjectItemCaseSensitive(step, "expect");
			const cJSON *error = cJSON_GetObjectItemCaseSensitive(step, "error");
			int64_t t =
			    (int64_t)cJSON_GetObjectItemCaseSensitive(step, "time_ms")->valuedouble;
			size_t len;
			uint8_t *data = vector(
			    cJSON_GetObjectItemCaseSensitive(step, "file")->valuestring, &len);
			struct decode_in in = {.data = data,
			                       .len = len,
			                       .topic = topic,
			                       .topic_len = strlen(topic),
			                       .time_ms = t,
			                       .spb = m};
			char where[128], err[256] = "";

			assert_non_null(data);
			spb_model_observe(m, topic, strlen(topic), data, len, t);
			snprintf(where, sizeof(where), "%s step %d", name, ++i);
			if (error)
				check_error(where, decode_sparkplug(&in, err, sizeof(err)), err,
				            error->valuestring);
			else if (want)
				check_doc(where, decode_sparkplug(&in, err, sizeof(err)), err,
				          want);
			free(data);
		}
		spb_model_free(m);
	}
}

/* Integers beyond 2^53 keep every digit in the JSON text (a double would round them). */
static void unit__decode__exact_numbers(void **state)
{
	static const struct {
		const char *file, *digits[3];
	} want[] = {
	    {"cbor/scalars.cbor",
	     {"18446744073709551615", "-9223372036854775808", "-18446744073709551616"}},
	    {"cbor/tags.cbor", {"1180591620717411303424", "-1180591620717411303424", NULL}},
	    {"msgpack/scalars.msgpack", {"18446744073709551615", "-9223372036854775808", NULL}},
	    {"protobuf/raw-fields.pb", {"18446744073709551615", "4598175219545276416", NULL}},
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t len, tlen;
		uint8_t *data = vector(want[i].file, &len);
		cJSON *doc = strstr(want[i].file, "cbor") ? decode_cbor(data, len, err, 256)
		             : strstr(want[i].file, "msgpack")
		                 ? decode_msgpack(data, len, err, 256)
		                 : decode_protobuf_raw(data, len, err, 256);
		char *text;

		assert_non_null(doc);
		text = decode_json(doc, &tlen);
		for (int k = 0; k < 3 && want[i].digits[k]; k++) {
			if (strstr(text, want[i].digits[k]) == NULL)
				fprintf(stderr, "%s: no %s in %s\n", want[i].file,
				        want[i].digits[k], text);
			assert_non_null(strstr(text, want[i].digits[k]));
		}
		free(text);
		cJSON_Delete(doc);
		free(data);
	}
}

/* A field number seen again becomes an array where the number first appeared. */
static void unit__decode__raw_repeats_keep_their_place(void **state)
{
	/* 3: "IIII", 9: fixed64, 1: 8, 1: 8, 9: fixed64 */
	static const uint8_t msg[] = {0x1a, 0x04, 'I', 'I', 'I', 'I',  0x49, 1,    0,    0,
	                              0,    0,    0,   0,   0,   0x08, 0x08, 0x08, 0x08, 0x49,
	                              2,    0,    0,   0,   0,   0,    0,    0};
	char err[256];
	size_t len;
	cJSON *doc = decode_protobuf_raw(msg, sizeof(msg), err, sizeof(err));
	char *text;

	(void)state;
	assert_non_null(doc);
	text = decode_json(doc, &len);
	assert_string_equal(
	    text, "{\"3\":\"IIII\",\"9\":[{\"fixed64\":1,\"double\":4.94065645841247e-324},"
	          "{\"fixed64\":2,\"double\":9.88131291682493e-324}],\"1\":[8,8]}");
	free(text);
	cJSON_Delete(doc);
}

static void unit__decode__float_text_is_shortest(void **state)
{
	static const struct {
		float f;
		const char *text;
	} want[] = {{0.1f, "0.1"},
	            {1.5f, "1.5"},
	            {-273.15f, "-273.15"},
	            {1e-7f, "0.0000001"},
	            {1e-12f, "1e-12"},
	            {16777216.0f, "16777216"},
	            {3.4028235e38f, "3.4028235e+38"}};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cJSON *n = decode_float(want[i].f);
		size_t len;
		char *t = decode_json(n, &len);

		assert_string_equal(t, want[i].text);
		free(t);
		cJSON_Delete(n);
	}
}

/* Five bytes may claim four billion items: nothing is allocated from a claim. */
static void unit__decode__claims_cost_nothing(void **state)
{
	static const uint8_t mp_map[] = {0xdf, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t cb_map[] = {0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t cb_str[] = {0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t pb_len[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f};
	char err[256];

	(void)state;
	assert_null(decode_msgpack(mp_map, sizeof(mp_map), err, sizeof(err)));
	assert_non_null(strstr(err, "cut short"));
	assert_null(decode_cbor(cb_map, sizeof(cb_map), err, sizeof(err)));
	assert_null(decode_cbor(cb_str, sizeof(cb_str), err, sizeof(err)));
	assert_null(decode_protobuf_raw(pb_len, sizeof(pb_len), err, sizeof(err)));
}

/* A million small values is fine; past DECODE_NODES_MAX the decoder refuses. */
static void unit__decode__value_budget(void **state)
{
	size_t n = DECODE_NODES_MAX + 10;
	uint8_t *buf = malloc(n + 5);
	char err[256];
	cJSON *doc;

	(void)state;
	/* A MessagePack array32 of n nils. */
	buf[0] = 0xdd;
	buf[1] = (uint8_t)(n >> 24);
	buf[2] = (uint8_t)(n >> 16);
	buf[3] = (uint8_t)(n >> 8);
	buf[4] = (uint8_t)n;
	memset(buf + 5, 0xc0, n);
	doc = decode_msgpack(buf, n + 5, err, sizeof(err));
	assert_null(doc);
	assert_non_null(strstr(err, "more than"));
	/* The same in CBOR: an indefinite array of n nulls. */
	buf[0] = 0x9f;
	memset(buf + 1, 0xf6, n);
	buf[n + 1] = 0xff;
	doc = decode_cbor(buf, n + 2, err, sizeof(err));
	assert_null(doc);
	assert_non_null(strstr(err, "too many values"));
	free(buf);
}

/* Templates inside templates 100 deep are refused before libprotobuf-c would recurse into them. */
static void unit__decode__sparkplug_deep_template_refused(void **state)
{
	enum { DEPTH = 100 };
	Spb__Payload p = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric m[DEPTH + 1], *mp[DEPTH + 1];
	Spb__Payload__Template t[DEPTH];
	struct decode_in in = {.topic = "spBv1.0/G/NDATA/N", .topic_len = 17};
	char err[256];
	uint8_t *buf;
	cJSON *doc;

	(void)state;
	for (int i = 0; i <= DEPTH; i++) {
		spb__payload__metric__init(&m[i]);
		mp[i] = &m[i];
		if (i < DEPTH) {
			spb__payload__template__init(&t[i]);
			t[i].n_metrics = 1;
			t[i].metrics = &mp[i + 1];
			m[i].value_case = SPB__PAYLOAD__METRIC__VALUE_TEMPLATE_VALUE;
			m[i].template_value = &t[i];
		}
	}
	p.n_metrics = 1;
	p.metrics = &mp[0];
	in.len = spb__payload__get_packed_size(&p);
	buf = malloc(in.len);
	spb__payload__pack(&p, buf);
	in.data = buf;
	doc = decode_sparkplug(&in, err, sizeof(err));
	assert_null(doc);
	assert_non_null(strstr(err, "malformed"));
	/* 20 deep is a document. */
	t[9].n_metrics = 0;
	free(buf);
	in.len = spb__payload__get_packed_size(&p);
	buf = malloc(in.len);
	spb__payload__pack(&p, buf);
	in.data = buf;
	doc = decode_sparkplug(&in, err, sizeof(err));
	assert_non_null(doc);
	cJSON_Delete(doc);
	free(buf);
}

static void choose(const struct decode_rule *rules, const char *topic, const char *ct,
                   const void *data, size_t len, struct decode_choice *c)
{
	decode_choose(rules, 2, topic, strlen(topic), ct, ct ? strlen(ct) : 0, data, len, c);
}

static void unit__decode__choice(void **state)
{
	struct decode_rule rules[2] = {
	    {.filter = "lab/cbor/#", .format = DECODE_CBOR},
	    {.filter = "lab/text/#", .format = DECODE_NONE},
	};
	static const uint8_t bin[] = {0x08, 0x96, 0x01, 0x12, 0x00};
	struct decode_choice c;
	char msg[64];

#define CHOOSE(topic, ct, data, len) choose(rules, topic, ct, data, len, &c)
	(void)state;
	/* A rule wins over everything, text or not. */
	CHOOSE("lab/cbor/x", "application/msgpack", "hello", 5);
	assert_int_equal(c.format, DECODE_CBOR);
	assert_int_equal(c.reason, DECODE_BY_RULE);
	assert_ptr_equal(c.rule, &rules[0]);
	/* A "none" rule keeps a Sparkplug topic as it is. */
	CHOOSE("lab/text/spBv1.0", NULL, bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_NONE);
	assert_int_equal(c.reason, DECODE_BY_RULE);
	/* The content type, case and parameters aside; +cbor suffixes. */
	CHOOSE("a/b", "Application/CBOR", "text", 4);
	assert_int_equal(c.format, DECODE_CBOR);
	assert_int_equal(c.reason, DECODE_BY_CONTENT_TYPE);
	CHOOSE("a/b", "application/x-msgpack; charset=binary", bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_MSGPACK);
	CHOOSE("a/b", "application/msgpack", bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_MSGPACK);
	CHOOSE("a/b", "application/senml+cbor", bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_CBOR);
	CHOOSE("a/b", "application/vnd.google.protobuf", bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_PROTOBUF);
	assert_null(c.schema);
	CHOOSE("a/b", "application/x-protobuf", bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_PROTOBUF);
	CHOOSE("a/b", "application/json", bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_NONE);
	assert_int_equal(
	    decode_content_format("application/x-protobuf; messageType=\"demo.Telemetry\"", 52, msg,
	                          sizeof(msg)),
	    DECODE_PROTOBUF);
	assert_string_equal(msg, "demo.Telemetry");
	/* The Sparkplug namespace, for binary payloads only: text stays text. */
	CHOOSE("spBv1.0/G/NDATA/N", NULL, bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_SPARKPLUG);
	assert_int_equal(c.reason, DECODE_BY_NAMESPACE);
	CHOOSE("spBv1.0/G/NDATA/N", NULL, "hi", 2);
	assert_int_equal(c.format, DECODE_NONE);
	CHOOSE("spBv1.0/G/NDATA/N", NULL, "{\"a\":1}", 7);
	assert_int_equal(c.format, DECODE_NONE);
	/* STATE is text, and Sparkplug's. */
	CHOOSE("spBv1.0/STATE/host", NULL, "{\"online\":true}", 15);
	assert_int_equal(c.format, DECODE_SPARKPLUG);
	/* Not the namespace: near misses and other topics stay as they are. */
	CHOOSE("spBv1.0", NULL, bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_NONE);
	CHOOSE("spBv1.0/G/NOPE/N", NULL, bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_NONE);
	CHOOSE("spAv1.0/G/NDATA/N", NULL, bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_NONE);
	CHOOSE("STATE/host", NULL, "ONLINE", 6);
	assert_int_equal(c.format, DECODE_NONE);
	/* Binary without a rule, content type or namespace is never guessed. */
	CHOOSE("devices/x", NULL, bin, sizeof(bin));
	assert_int_equal(c.format, DECODE_NONE);
	assert_int_equal(c.reason, DECODE_BY_NOTHING);
#undef CHOOSE
}

/* The content type is found among a message's MQTT 5 properties. */
static void unit__decode__content_type_from_properties(void **state)
{
	uint8_t props[64];
	size_t off = 0, n;
	const char *ct;

	(void)state;
	assert_true(props_put_num(props, sizeof(props), &off, PROP_PAYLOAD_FORMAT, 0));
	assert_true(
	    props_put_str(props, sizeof(props), &off, PROP_CONTENT_TYPE, "application/cbor", 16));
	assert_true(decode_content_type(props, off, &ct, &n));
	assert_int_equal(n, 16);
	assert_memory_equal(ct, "application/cbor", 16);
	assert_false(decode_content_type(props, 0, &ct, &n));
}

static void unit__decode__topics(void **state)
{
	struct spb_topic t;

	(void)state;
	assert_true(spb_topic_parse("spBv1.0/G1/DDATA/E1/D1", 22, &t));
	assert_int_equal(t.type, SPB_DDATA);
	assert_int_equal(t.group_len, 2);
	assert_memory_equal(t.node, "E1", 2);
	assert_memory_equal(t.device, "D1", 2);
	assert_true(spb_topic_parse("spBv1.0/G1/NBIRTH/E1", 20, &t));
	assert_null(t.device);
	assert_false(spb_topic_parse("spBv1.0/G1/NBIRTH/E1/D1", 23, &t)); /* node type, device */
	assert_false(spb_topic_parse("spBv1.0/G1/DDATA/E1", 19, &t));     /* device type, none */
	assert_false(spb_topic_parse("spBv1.0/G1/DDATA/E1/D1/x", 24, &t));
	assert_false(spb_topic_parse("spBv1.0//NDATA/E1", 17, &t));
	assert_true(spb_topic_parse("spBv1.0/STATE/scada", 19, &t));
	assert_int_equal(t.type, SPB_STATE);
	assert_true(spb_topic_parse_legacy_state("STATE/scada", 11, &t));
	assert_false(spb_topic_parse_legacy_state("STATE/a/b", 9, &t));
	assert_string_equal(spb_datatype_name(34), "DateTimeArray");
	assert_null(spb_datatype_name(35));
}

/* The model forgets the least recently heard node when it is full. */
static void unit__decode__model_is_bounded(void **state)
{
	struct spb_model *m = spb_model_new(8);
	static const uint8_t birth[] = {0x18, 0x00}; /* seq 0 */
	char topic[64];
	struct spb_topic t;
	const char *name;
	uint32_t dt;

	(void)state;
	for (int i = 0; i < 100; i++) {
		int n = snprintf(topic, sizeof(topic), "spBv1.0/G/NBIRTH/node%d", i);

		spb_model_observe(m, topic, (size_t)n, birth, sizeof(birth), i);
		assert_true(spb_model_nodes(m) <= 8);
	}
	assert_true(spb_topic_parse("spBv1.0/G/NDATA/node99", 22, &t));
	assert_true(spb_model_born(m, &t));
	assert_true(spb_topic_parse("spBv1.0/G/NDATA/node0", 21, &t));
	assert_false(spb_model_born(m, &t));
	assert_int_equal(spb_model_alias(m, &t, 1, &name, &dt), SPB_ALIAS_NO_BIRTH);
	spb_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__decode__cbor_vectors),
	    cmocka_unit_test(unit__decode__msgpack_vectors),
	    cmocka_unit_test(unit__decode__protobuf_raw_vectors),
	    cmocka_unit_test(unit__decode__protobuf_schema_vectors),
	    cmocka_unit_test(unit__decode__sparkplug_scenarios),
	    cmocka_unit_test(unit__decode__exact_numbers),
	    cmocka_unit_test(unit__decode__raw_repeats_keep_their_place),
	    cmocka_unit_test(unit__decode__float_text_is_shortest),
	    cmocka_unit_test(unit__decode__claims_cost_nothing),
	    cmocka_unit_test(unit__decode__value_budget),
	    cmocka_unit_test(unit__decode__sparkplug_deep_template_refused),
	    cmocka_unit_test(unit__decode__choice),
	    cmocka_unit_test(unit__decode__content_type_from_properties),
	    cmocka_unit_test(unit__decode__topics),
	    cmocka_unit_test(unit__decode__model_is_bounded),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
