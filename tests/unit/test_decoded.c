/* test_decoded.c: stored values read through their decoder (what every view reads), payload
 * filters and trends on decoded documents, and toggles written back in each binary format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decoded.h"
#include "mqscope/filter.h"
#include "mqscope/msg.h"
#include "mqscope/sparkplug.h"
#include "mqscope/toggle.h"
#include "mqscope/trend.h"

#include "vector.h"

static struct tree *new_tree(void)
{
	struct tree_limits lim = {.payload_cap = 65536, .history = 8};

	return tree_new(&lim);
}

/* Stores a value; ctype (or NULL) becomes its MQTT 5 content type. */
static tree_id put(struct tree *t, const char *topic, const void *p, size_t len, const char *ctype,
                   int64_t ms)
{
	uint8_t props[128];
	size_t off = 0;
	struct tree_msg m = {
	    .payload = p, .len = (uint32_t)len, .orig_len = (uint32_t)len, .time_ms = ms};
	tree_id id;

	if (ctype) {
		assert_true(props_put_str(props, sizeof(props), &off, PROP_CONTENT_TYPE, ctype,
		                          strlen(ctype)));
		m.props = props;
		m.props_len = (uint32_t)off;
	}
	id = tree_insert(t, topic, strlen(topic), &m);
	assert_int_not_equal(id, TREE_NONE);
	return id;
}

/* Reads the newest value of id; returns its document parsed (NULL when not decoded). */
static cJSON *read_doc(const struct decoders *d, struct tree *t, tree_id id, struct decoded *out)
{
	decoded_read(d, t, id, tree_value(t, id, 0), false, out);
	return out->json ? cJSON_ParseWithLength(out->json, out->len) : NULL;
}

static void unit__decoded__views_read_the_document_where_a_decoder_applies(void **state)
{
	struct tree *t = new_tree();
	struct spb_model *spb = spb_model_new(0);
	struct decode_rule rule = {.filter = "lab/rule/#", .format = DECODE_CBOR, .line = 3};
	struct decoders d = {&rule, 1, spb};
	struct decoded out;
	size_t n1, n2, nc;
	uint8_t *birth = vector("sparkplug/plant-1.pb", &n1),
	        *dbirth = vector("sparkplug/plant-2.pb", &n2);
	uint8_t *cbor = vector("cbor/sensor.cbor", &nc);
	tree_id id;
	cJSON *doc;

	(void)state;
	/* Sparkplug by its namespace, aliases named through the model fed as messages come. */
	spb_model_observe(spb, "spBv1.0/Plant1/NBIRTH/Edge1", 27, birth, n1, 1);
	id = put(t, "spBv1.0/Plant1/NBIRTH/Edge1", birth, n1, NULL, 1);
	doc = read_doc(&d, t, id, &out);
	assert_int_equal(out.choice.format, DECODE_SPARKPLUG);
	assert_int_equal(out.choice.reason, DECODE_BY_NAMESPACE);
	assert_string_equal(cJSON_GetObjectItem(doc, "message")->valuestring, "NBIRTH");
	assert_ptr_equal(out.data, out.json);
	cJSON_Delete(doc);
	decoded_free(&out);
	/* Raw: the bytes, whatever applies. */
	decoded_read(&d, t, id, tree_value(t, id, 0), true, &out);
	assert_null(out.json);
	assert_int_equal(out.len, n1);
	assert_memory_equal(out.data, birth, n1);
	decoded_free(&out);

	/* CBOR by content type, and by a rule. */
	id = put(t, "lab/ct/sensor", cbor, nc, "application/cbor", 2);
	doc = read_doc(&d, t, id, &out);
	assert_int_equal(out.choice.reason, DECODE_BY_CONTENT_TYPE);
	assert_string_equal(cJSON_GetObjectItem(doc, "state")->valuestring, "on");
	cJSON_Delete(doc);
	decoded_free(&out);
	id = put(t, "lab/rule/sensor", cbor, nc, NULL, 2);
	doc = read_doc(&d, t, id, &out);
	assert_int_equal(out.choice.reason, DECODE_BY_RULE);
	assert_ptr_equal(out.choice.rule, &rule);
	assert_non_null(doc);
	cJSON_Delete(doc);
	decoded_free(&out);

	/* The same bytes elsewhere: not guessed at. Text on a Sparkplug topic stays text. */
	id = put(t, "lab/plain/sensor", cbor, nc, NULL, 2);
	decoded_read(&d, t, id, tree_value(t, id, 0), false, &out);
	assert_int_equal(out.choice.format, DECODE_NONE);
	assert_null(out.json);
	decoded_free(&out);
	id = put(t, "spBv1.0/Plant1/NDATA/Notes", "just words", 10, NULL, 3);
	decoded_read(&d, t, id, tree_value(t, id, 0), false, &out);
	assert_int_equal(out.choice.format, DECODE_NONE);
	assert_int_equal(out.len, 10);
	decoded_free(&out);

	/* Bytes that do not decode: the bytes, with why. */
	id = put(t, "lab/rule/bad", "\xff\xff", 2, NULL, 4);
	decoded_read(&d, t, id, tree_value(t, id, 0), false, &out);
	assert_null(out.json);
	assert_true(strlen(out.err) > 0);
	assert_int_equal(out.len, 2);
	decoded_free(&out);

	/* A seq gap is a warning of the document. */
	spb_model_observe(spb, "spBv1.0/Plant1/DBIRTH/Edge1/Pump1", 33, dbirth, n2, 5);
	{
		size_t n3, n4;
		uint8_t *d3 = vector("sparkplug/plant-3.pb", &n3),
		        *d4 = vector("sparkplug/plant-4.pb", &n4);

		spb_model_observe(spb, "spBv1.0/Plant1/DDATA/Edge1/Pump1", 32, d3, n3, 6);
		spb_model_observe(spb, "spBv1.0/Plant1/DDATA/Edge1/Pump1", 32, d4, n4, 7);
		id = put(t, "spBv1.0/Plant1/DDATA/Edge1/Pump1", d3, n3, NULL, 6);
		id = put(t, "spBv1.0/Plant1/DDATA/Edge1/Pump1", d4, n4, NULL, 7);
		doc = read_doc(&d, t, id, &out);
		assert_int_equal(out.warnings, 1);
		assert_string_equal(out.warning, "seq 4 after 2: expected 3 (1 missing)");
		assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "metrics"), "Speed"));
		cJSON_Delete(doc);
		decoded_free(&out);

		/* The trend follows the named metric's value across the history. */
		struct trend tr;

		trend_init(&tr);
		tr.dec = &d;
		trend_update(&tr, t, id);
		assert_string_equal(tr.field_used, "metrics.Speed.value");
		assert_int_equal(tr.n, 2);
		assert_true(tr.v[0] == 1451.25 && tr.v[1] == 1452);
		trend_free(&tr);
		free(d3);
		free(d4);
	}

	/* The tree's previews: a summary of Sparkplug, compact JSON of others, none for the rest;
	 * made once per new value. */
	{
		struct decoded_previews *pv = malloc(sizeof(*pv));
		tree_id pump = tree_find(t, "spBv1.0/Plant1/DDATA/Edge1/Pump1", 32);
		tree_id ct = tree_find(t, "lab/ct/sensor", 13);
		tree_id plain = tree_find(t, "lab/plain/sensor", 16);
		const char *text;
		size_t n;

		decoded_previews_init(pv);
		text = decoded_preview(pv, &d, t, pump, &n);
		assert_non_null(text);
		assert_int_equal(n, strlen("DDATA: Speed 1452"));
		assert_memory_equal(text, "DDATA: Speed 1452", n);
		text = decoded_preview(pv, &d, t, ct, &n);
		assert_non_null(text);
		assert_memory_equal(text, "{\"device\":\"cbor-sensor-1\"", 25);
		assert_null(decoded_preview(pv, &d, t, plain, &n));
		/* A new message on the topic: a new preview. */
		{
			size_t n3;
			uint8_t *d3 = vector("sparkplug/plant-3.pb", &n3);

			put(t, "spBv1.0/Plant1/DDATA/Edge1/Pump1", d3, n3, NULL, 8);
			text = decoded_preview(pv, &d, t, pump, &n);
			assert_int_equal(n, strlen("DDATA: Speed 1451.25, Running false"));
			assert_memory_equal(text, "DDATA: Speed 1451.25, Running false", n);
			free(d3);
		}
		free(pv);
	}

	/* p: finds what only the decoded document says (the tag's name). */
	{
		char err[160];
		struct filter *f = filter_new("p:epoch time", err, sizeof(err));

		assert_non_null(f);
		f->dec = &d;
		filter_apply(f, t);
		assert_int_equal(filter_matches(f), 2); /* by content type and by rule */
		filter_free(f);
	}

	free(birth);
	free(dbirth);
	free(cbor);
	spb_model_free(spb);
	tree_free(t);
}

/* Several brokers: each top-level branch is a broker read with its own rules and Sparkplug
 * model, and both apply to the topic below the branch. */
static void unit__decoded__each_broker_branch_reads_with_its_own_decoders(void **state)
{
	struct tree *t = new_tree();
	struct spb_model *house_spb = spb_model_new(0), *cloud_spb = spb_model_new(0);
	struct decode_rule rule = {.filter = "lab/rule/#", .format = DECODE_CBOR, .line = 3};
	struct decoders per[2] = {{&rule, 1, house_spb, "house", NULL, 0},
	                          {NULL, 0, cloud_spb, "cloud", NULL, 0}};
	struct decoders d = {.brokers = per, .nbrokers = 2};
	struct decoded out;
	size_t n2, n3, nc;
	uint8_t *dbirth = vector("sparkplug/plant-2.pb", &n2),
	        *d3 = vector("sparkplug/plant-3.pb", &n3), *cbor = vector("cbor/sensor.cbor", &nc);
	tree_id id;
	cJSON *doc;

	(void)state;
	/* The second broker's Sparkplug: found below its branch, aliases named by its own model. */
	spb_model_observe(cloud_spb, "spBv1.0/Plant1/DBIRTH/Edge1/Pump1", 33, dbirth, n2, 5);
	id = put(t, "cloud/spBv1.0/Plant1/DDATA/Edge1/Pump1", d3, n3, NULL, 6);
	doc = read_doc(&d, t, id, &out);
	assert_int_equal(out.choice.format, DECODE_SPARKPLUG);
	assert_int_equal(out.choice.reason, DECODE_BY_NAMESPACE);
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "metrics"), "Speed"));
	cJSON_Delete(doc);
	decoded_free(&out);
	/* The first broker never saw that birth: decoded, but its aliases stay unnamed. */
	id = put(t, "house/spBv1.0/Plant1/DDATA/Edge1/Pump1", d3, n3, NULL, 6);
	doc = read_doc(&d, t, id, &out);
	assert_int_equal(out.choice.format, DECODE_SPARKPLUG);
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "metrics"), "Speed"));
	cJSON_Delete(doc);
	decoded_free(&out);

	/* A rule is the broker's own, matched below its branch. */
	id = put(t, "house/lab/rule/sensor", cbor, nc, NULL, 2);
	decoded_read(&d, t, id, tree_value(t, id, 0), false, &out);
	assert_int_equal(out.choice.reason, DECODE_BY_RULE);
	decoded_free(&out);
	id = put(t, "cloud/lab/rule/sensor", cbor, nc, NULL, 2);
	decoded_read(&d, t, id, tree_value(t, id, 0), false, &out);
	assert_int_equal(out.choice.format, DECODE_NONE);
	decoded_free(&out);
	/* No broker of that name (nor the namespace at the top): not decoded. */
	id = put(t, "spBv1.0/Plant1/DDATA/Edge1/Pump1", d3, n3, NULL, 6);
	decoded_read(&d, t, id, tree_value(t, id, 0), false, &out);
	assert_int_equal(out.choice.format, DECODE_NONE);
	decoded_free(&out);

	free(dbirth);
	free(d3);
	free(cbor);
	spb_model_free(house_spb);
	spb_model_free(cloud_spb);
	tree_free(t);
}

/* Decodes a toggle's payload with the format's decoder. */
static cJSON *redecode(enum decode_format f, const struct toggle_out *o)
{
	char err[160];

	return f == DECODE_CBOR ? decode_cbor(o->payload, o->len, err, sizeof(err))
	                        : decode_msgpack(o->payload, o->len, err, sizeof(err));
}

static void unit__decoded__cbor_and_msgpack_toggles_change_only_the_state(void **state)
{
	static const struct {
		enum decode_format f;
		const char *file, *from, *to;
	} cases[] = {{DECODE_CBOR, "cbor/sensor.cbor", "on", "off"},
	             {DECODE_MSGPACK, "msgpack/sensor.msgpack", "off", "on"}};
	char err[300];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		size_t n;
		uint8_t *p = vector(cases[i].file, &n);
		struct toggle_out o;
		cJSON *before, *after;

		assert_int_equal(toggle_decoded(cases[i].f, NULL, 0, "lab/x", p, n, NULL, 0, 1,
		                                true, &o, err, sizeof(err)),
		                 0);
		assert_string_equal(o.topic, "lab/x");
		assert_int_equal(o.qos, 1);
		assert_true(o.retain);
		assert_string_equal(o.from, cases[i].from);
		assert_string_equal(o.to, cases[i].to);
		before = cases[i].f == DECODE_CBOR ? decode_cbor(p, n, err, sizeof(err))
		                                   : decode_msgpack(p, n, err, sizeof(err));
		after = redecode(cases[i].f, &o);
		assert_non_null(after);
		assert_string_equal(cJSON_GetObjectItem(after, "state")->valuestring, cases[i].to);
		/* Everything else as it was. */
		cJSON_ReplaceItemInObject(after, "state", cJSON_CreateString(cases[i].from));
		assert_true(cJSON_Compare(before, after, true));
		cJSON_Delete(before);
		cJSON_Delete(after);
		toggle_out_free(&o);
		free(p);
	}

	/* A rule's field and pair; a map without such a field is refused with why. */
	{
		struct toggle_rule r = {.filter = "lab/#",
		                        .field = "state",
		                        .on = "on",
		                        .off = "off",
		                        .command = "{topic}/set",
		                        .qos = 0,
		                        .retain = 0,
		                        .line = 9};
		size_t n;
		uint8_t *p = vector("cbor/sensor.cbor", &n);
		struct toggle_out o;

		assert_int_equal(toggle_decoded(DECODE_CBOR, &r, 1, "lab/x", p, n, NULL, 0, 1, true,
		                                &o, err, sizeof(err)),
		                 0);
		assert_string_equal(o.topic, "lab/x/set");
		assert_false(o.retain);
		toggle_out_free(&o);
		r.field = "humidity";
		assert_int_equal(toggle_decoded(DECODE_CBOR, &r, 1, "lab/x", p, n, NULL, 0, 1, true,
		                                &o, err, sizeof(err)),
		                 -1);
		assert_non_null(strstr(err, "\"humidity\""));
		assert_non_null(strstr(err, "line 9"));
		free(p);
	}
	assert_int_equal(toggle_decoded(DECODE_MSGPACK, NULL, 0, "x", "\x93\x01\x02\x03", 4, NULL,
	                                0, 0, false, &(struct toggle_out){0}, err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "Not toggled: not a MessagePack map");
	assert_int_equal(toggle_decoded(DECODE_PROTOBUF, NULL, 0, "x", "\x08\x01", 2, NULL, 0, 0,
	                                false, &(struct toggle_out){0}, err, sizeof(err)),
	                 -1);
}

static void unit__decoded__sparkplug_toggle_writes_a_command(void **state)
{
	const char *birth = "{\"message\":\"DBIRTH\",\"metrics\":{\"Device Control/Rebirth\":"
	                    "{\"value\":false},\"Speed\":{\"value\":1.5},\"Running\":{\"value\":"
	                    "true},\"Lamp\":{\"value\":false}}}";
	const char *data = "{\"message\":\"DDATA\",\"metrics\":{\"Running\":{\"value\":false}}}";
	struct toggle_doc docs[] = {{birth, strlen(birth), 100}, {data, strlen(data), 200}};
	struct toggle_rule lamp = {.filter = "spBv1.0/#", .field = "Lamp", .qos = -1, .retain = -1};
	struct toggle_out o;
	char err[300];
	cJSON *cmd;

	(void)state;
	/* The first Boolean that is not a control; its newest state is the DATA's false. */
	assert_int_equal(toggle_decoded(DECODE_SPARKPLUG, NULL, 0, "spBv1.0/G/DBIRTH/N/D", "", 0,
	                                docs, 2, 1, true, &o, err, sizeof(err)),
	                 0);
	assert_string_equal(o.topic, "spBv1.0/G/DCMD/N/D");
	assert_int_equal(o.qos, 0);
	assert_false(o.retain);
	assert_string_equal(o.from, "Running false");
	assert_string_equal(o.to, "Running true");
	{
		struct decode_in in = {.data = o.payload,
		                       .len = o.len,
		                       .topic = o.topic,
		                       .topic_len = strlen(o.topic)};

		cmd = decode_sparkplug(&in, err, sizeof(err));
	}
	assert_non_null(cmd);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(cmd, "metrics"), "Running"), "value")));
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cmd, "metrics"), "Running"),
	                        "datatype")
	        ->valuestring,
	    "Boolean");
	cJSON_Delete(cmd);
	toggle_out_free(&o);

	/* A rule names the metric; a node's topic gets an NCMD. */
	assert_int_equal(toggle_decoded(DECODE_SPARKPLUG, &lamp, 1, "spBv1.0/G/NDATA/N", "", 0,
	                                docs, 1, 1, true, &o, err, sizeof(err)),
	                 0);
	assert_string_equal(o.topic, "spBv1.0/G/NCMD/N");
	assert_string_equal(o.to, "Lamp true");
	toggle_out_free(&o);
	/* Nothing Boolean, or STATE: refused. */
	docs[0] = (struct toggle_doc){data, strlen(data), 1};
	lamp.field = "Speed";
	assert_int_equal(toggle_decoded(DECODE_SPARKPLUG, &lamp, 1, "spBv1.0/G/NDATA/N", "", 0,
	                                docs, 1, 1, true, &o, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "no Boolean metric \"Speed\""));
	assert_int_equal(toggle_decoded(DECODE_SPARKPLUG, NULL, 0, "spBv1.0/STATE/host", "", 0,
	                                docs, 1, 1, true, &o, err, sizeof(err)),
	                 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__decoded__views_read_the_document_where_a_decoder_applies),
	    cmocka_unit_test(unit__decoded__each_broker_branch_reads_with_its_own_decoders),
	    cmocka_unit_test(unit__decoded__cbor_and_msgpack_toggles_change_only_the_state),
	    cmocka_unit_test(unit__decoded__sparkplug_toggle_writes_a_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
