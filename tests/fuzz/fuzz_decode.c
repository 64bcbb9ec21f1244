/* fuzz_decode.c: every binary payload decoder on any bytes, one harness for all (the first byte
 * picks the decoder, which keeps the suite's fuzzing time down): CBOR, MessagePack, protobuf
 * without and with a schema (the schema is fuzzed too), Sparkplug B through the model, and the
 * choice of decoder. Each document must print as JSON that reads back and lays out. CBOR and
 * MessagePack are toggled too: what a toggle writes must decode in the same format. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decode.h"
#include "mqscope/payload.h"
#include "mqscope/pbschema.h"
#include "mqscope/sparkplug.h"
#include "mqscope/toggle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A document must print as JSON that cJSON reads back and the pretty-printer lays out. */
static void check(cJSON *doc, const char *err)
{
	struct pdoc d;
	size_t len;
	char *text;
	cJSON *back;

	if (doc == NULL) {
		if (err[0] == '\0')
			abort(); /* a failure always says why */
		return;
	}
	text = decode_json(doc, &len);
	back = cJSON_ParseWithLength(text, len);
	if (back == NULL)
		abort();
	cJSON_Delete(back);
	pdoc_init(&d);
	if (!payload_json_doc(text, len, &d) && len > 0 && (text[0] == '{' || text[0] == '['))
		abort();
	pdoc_free(&d);
	free(text);
	cJSON_Delete(doc);
}

/* Sparkplug: the payload as a BIRTH, then read as DATA and command messages of that node. */
static void sparkplug(const uint8_t *p, size_t n, uint8_t how)
{
	static const char *const births[] = {"spBv1.0/G/NBIRTH/N", "spBv1.0/G/DBIRTH/N/D"};
	static const char *const reads[] = {"spBv1.0/G/NDATA/N",  "spBv1.0/G/DDATA/N/D",
	                                    "spBv1.0/G/DCMD/N/D", "spBv1.0/STATE/host",
	                                    "STATE/host",         "not/sparkplug"};
	struct spb_model *m = spb_model_new(4);
	char err[256];

	if (how & 1)
		spb_model_observe(m, births[0], strlen(births[0]), p, n, 1);
	if (how & 2)
		spb_model_observe(m, births[1], strlen(births[1]), p, n, 2);
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		struct decode_in in = {.data = p,
		                       .len = n,
		                       .topic = reads[i],
		                       .topic_len = strlen(reads[i]),
		                       .time_ms = 3,
		                       .spb = m};

		spb_model_observe(m, reads[i], strlen(reads[i]), p, n, 3);
		err[0] = '\0';
		check(decode_sparkplug(&in, err, sizeof(err)), err);
	}
	spb_model_free(m);
}

/* A schema (its length in the first two bytes) and a message for each of its first types. */
static void schema(const uint8_t *p, size_t n)
{
	size_t slen;
	struct pbschema *s;
	char err[256];

	if (n < 2)
		return;
	slen = (size_t)p[0] << 8 | p[1];
	if (slen > n - 2)
		slen = n - 2;
	s = pbschema_parse(p + 2, slen, err, sizeof(err));
	if (s == NULL)
		return;
	for (size_t i = 0; i < pbschema_types(s) && i < 8; i++) {
		err[0] = '\0';
		check(pbschema_decode(s, pbschema_type(s, i), p + 2 + slen, n - 2 - slen, err,
		                      sizeof(err)),
		      err);
	}
	pbschema_free(s);
}

/* The choice: a content type up to the first NUL, then the payload, on a few topics. */
static void choice(const uint8_t *p, size_t n)
{
	static const char *const topics[] = {"spBv1.0/G/NDATA/N", "spBv1.0/STATE/h", "a/b"};
	const uint8_t *nul = memchr(p, 0, n);
	size_t clen = nul ? (size_t)(nul - p) : 0;
	const uint8_t *body = nul ? nul + 1 : p;
	size_t blen = n - (size_t)(body - p);
	struct decode_choice c;
	char err[256];

	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		struct decode_in in = {
		    .data = body, .len = blen, .topic = topics[i], .topic_len = strlen(topics[i])};

		decode_choose(NULL, 0, topics[i], strlen(topics[i]), (const char *)p, clen, body,
		              blen, &c);
		if (c.format == DECODE_NONE)
			continue;
		err[0] = '\0';
		check(decode_doc(&c, &in, err, sizeof(err)), err);
	}
}

/* A toggle either says why not, or writes a map that reads back in its format. */
static void toggled(enum decode_format f, const uint8_t *p, size_t n)
{
	struct toggle_out o;
	char err[300] = "";
	cJSON *back;

	if (toggle_decoded(f, NULL, 0, "t", p, n, NULL, 0, 0, false, &o, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		return;
	}
	back = f == DECODE_CBOR ? decode_cbor(o.payload, o.len, err, sizeof(err))
	                        : decode_msgpack(o.payload, o.len, err, sizeof(err));
	if (!cJSON_IsObject(back))
		abort();
	cJSON_Delete(back);
	toggle_out_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";

	if (size == 0)
		return 0;
	switch (data[0] % 6) {
	case 0:
		check(decode_cbor(data + 1, size - 1, err, sizeof(err)), err);
		toggled(DECODE_CBOR, data + 1, size - 1);
		break;
	case 1:
		check(decode_msgpack(data + 1, size - 1, err, sizeof(err)), err);
		toggled(DECODE_MSGPACK, data + 1, size - 1);
		break;
	case 2:
		check(decode_protobuf_raw(data + 1, size - 1, err, sizeof(err)), err);
		break;
	case 3:
		schema(data + 1, size - 1);
		break;
	case 4:
		sparkplug(data + 1, size - 1, data[0] / 6);
		break;
	default:
		choice(data + 1, size - 1);
		break;
	}
	return 0;
}
