/* toggle_decoded.c: toggles of binary payloads: a Sparkplug B boolean metric written with an
 * NCMD/DCMD, a CBOR or MessagePack map re-encoded by its library with only the state changed. */
#include "mqscope/toggle.h"

#include <cbor.h>
#include <cjson/cJSON.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/sparkplug.h"
#include "mqscope/util.h"

/* Control metrics are commands to the node, not states of it. */
static bool is_control(const char *name)
{
	return strncmp(name, "Node Control/", 13) == 0 || strncmp(name, "Device Control/", 15) == 0;
}

/* The Boolean metric of doc to toggle: named field, else the first that is not a control. */
static cJSON *bool_metric(cJSON *doc, const char *field)
{
	cJSON *m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "metrics"))
	{
		if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(m, "value")) ||
		    m->string == NULL)
			continue;
		if (field ? strcmp(m->string, field) == 0 : !is_control(m->string))
			return m;
	}
	return NULL;
}

/* Sparkplug: a Boolean metric written flipped to the node's or device's command topic. The
 * metric is the first docs[] names; its state, the newest of docs[] that carries it. */
static int toggle_sparkplug(const char *field, const char *topic, const struct toggle_doc *docs,
                            size_t ndocs, struct toggle_out *out, char *err, size_t cap)
{
	struct spb_topic t;
	cJSON *parsed[TOGGLE_DOCS_MAX] = {0}, *pick = NULL;
	char dest[1024], name[256];
	int64_t newest = INT64_MIN;
	bool now = false;
	int rc = -1;

	if (!spb_topic_parse(topic, strlen(topic), &t) || t.type == SPB_STATE) {
		err_fmt(err, cap, "Not toggled: %s is not an edge node's or device's topic", topic);
		goto out;
	}
	if (ndocs > TOGGLE_DOCS_MAX)
		ndocs = TOGGLE_DOCS_MAX;
	for (size_t i = 0; i < ndocs; i++)
		if (docs[i].json)
			parsed[i] = cJSON_ParseWithLength(docs[i].json, docs[i].len);
	for (size_t i = 0; i < ndocs && pick == NULL; i++)
		pick = bool_metric(parsed[i], field);
	if (pick == NULL) {
		if (field)
			err_fmt(err, cap, "Not toggled: no Boolean metric \"%s\" in this message",
			        field);
		else
			err_fmt(
			    err, cap,
			    "Not toggled: no Boolean metric in this message (a BIRTH lists them "
			    "all)");
		goto out;
	}
	snprintf(name, sizeof(name), "%s", pick->string);
	for (size_t i = 0; i < ndocs; i++) {
		cJSON *m = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(parsed[i], "metrics"), name);
		cJSON *val = cJSON_GetObjectItemCaseSensitive(m, "value");

		if (cJSON_IsBool(val) && docs[i].time_ms > newest) {
			newest = docs[i].time_ms;
			now = cJSON_IsTrue(val);
		}
	}
	if (t.device)
		snprintf(dest, sizeof(dest), "%s%.*s/DCMD/%.*s/%.*s", SPB_NAMESPACE,
		         (int)t.group_len, t.group, (int)t.node_len, t.node, (int)t.device_len,
		         t.device);
	else
		snprintf(dest, sizeof(dest), "%s%.*s/NCMD/%.*s", SPB_NAMESPACE, (int)t.group_len,
		         t.group, (int)t.node_len, t.node);
	out->topic = xstrdup(dest);
	out->payload = (char *)spb_write_bool(name, !now, (uint64_t)clock_wall_ms(), &out->len);
	/* Sparkplug sends commands at QoS 0, never retained. */
	out->qos = 0;
	out->retain = false;
	snprintf(out->from, sizeof(out->from), "%.40s %s", name, now ? "true" : "false");
	snprintf(out->to, sizeof(out->to), "%.40s %s", name, now ? "false" : "true");
	rc = 0;
out:
	for (size_t i = 0; i < ndocs; i++)
		cJSON_Delete(parsed[i]);
	return rc;
}

/* The opposite of a state value's text; false when it has none. */
static bool flip_text(const char *s, size_t n, const struct toggle_rule *r, char *out, size_t cap,
                      char *from, char *to, size_t wcap)
{
	if (!toggle_flip_word(s, n, r ? r->on : NULL, r ? r->off : NULL, out, cap))
		return false;
	snprintf(from, wcap, "%.*s", (int)(n < wcap - 1 ? n : wcap - 1), s);
	/* Cut to the caller's word buffer, as from is (only words are shown). */
	size_t k = strnlen(out, wcap - 1);
	memcpy(to, out, k);
	to[k] = '\0';
	return true;
}

/* The field names to look for, in order. */
static size_t fields_of(const struct toggle_rule *r, const char *const **names)
{
	static const char *one[1];

	if (r && r->field) {
		one[0] = r->field;
		*names = one;
		return 1;
	}
	*names = toggle_default_fields;
	return sizeof(toggle_default_fields) / sizeof(toggle_default_fields[0]);
}

/*
 * Whether the bytes are a map our own decoder reads. It comes first: the libraries build every
 * array and map at its declared size, so a few bytes claiming 2^28 items would cost gigabytes;
 * once the bounded decoder has read every item, the sizes are real.
 */
static bool decodes(enum decode_format f, const void *data, size_t len)
{
	char err[160];
	cJSON *doc = f == DECODE_CBOR ? decode_cbor(data, len, err, sizeof(err))
	                              : decode_msgpack(data, len, err, sizeof(err));
	bool ok = cJSON_IsObject(doc);

	cJSON_Delete(doc);
	return ok;
}

/* CBOR: the map's state value replaced, the rest serialized by libcbor as it was read. */
static char *flip_cbor(const void *data, size_t len, const struct toggle_rule *r, size_t *outlen,
                       char *from, char *to, size_t wcap, char *err, size_t cap)
{
	struct cbor_load_result res;
	cbor_item_t *root = decodes(DECODE_CBOR, data, len) ? cbor_load(data, len, &res) : NULL,
	            *repl = NULL;
	const char *const *names;
	size_t nnames = fields_of(r, &names);
	unsigned char *buf = NULL;
	size_t bufcap = 0;
	char word[256];

	*outlen = 0;
	if (root == NULL || res.read != len || !cbor_isa_map(root)) {
		err_fmt(err, cap, "not a CBOR map");
		goto out;
	}
	for (size_t f = 0; f < nnames && repl == NULL; f++) {
		struct cbor_pair *pairs = cbor_map_handle(root);

		for (size_t i = 0; i < cbor_map_size(root) && repl == NULL; i++) {
			cbor_item_t *k = pairs[i].key, *v = pairs[i].value;

			if (!cbor_isa_string(k) || !cbor_string_is_definite(k) ||
			    cbor_string_length(k) != strlen(names[f]) ||
			    memcmp(cbor_string_handle(k), names[f], strlen(names[f])) != 0)
				continue;
			if (cbor_is_bool(v)) {
				bool b = cbor_get_bool(v);

				snprintf(from, wcap, "%s", b ? "true" : "false");
				snprintf(to, wcap, "%s", b ? "false" : "true");
				repl = cbor_build_bool(!b);
			} else if (cbor_isa_string(v) && cbor_string_is_definite(v) &&
			           flip_text((const char *)cbor_string_handle(v),
			                     cbor_string_length(v), r, word, sizeof(word), from, to,
			                     wcap)) {
				repl = cbor_build_stringn(word, strlen(word));
			} else if (cbor_isa_uint(v) && cbor_get_int(v) <= 1) {
				snprintf(from, wcap, "%d", (int)cbor_get_int(v));
				snprintf(to, wcap, "%d", (int)!cbor_get_int(v));
				repl = cbor_new_int8();
				cbor_set_uint8(repl, (uint8_t)!cbor_get_int(v));
			}
			if (repl) {
				cbor_decref(&pairs[i].value);
				pairs[i].value = repl;
			}
		}
	}
	if (repl == NULL) {
		err_fmt(err, cap, "the CBOR map has no \"%s\" field with an opposite", names[0]);
		goto out;
	}
	*outlen = cbor_serialize_alloc(root, &buf, &bufcap);
	if (*outlen == 0)
		err_fmt(err, cap, "cannot encode the CBOR map again");
out:
	if (root)
		cbor_decref(&root);
	if (*outlen == 0) {
		free(buf);
		return NULL;
	}
	return (char *)buf;
}

/* MessagePack: the map's state value replaced, the rest packed again by msgpack-c. */
static char *flip_msgpack(const void *data, size_t len, const struct toggle_rule *r, size_t *outlen,
                          char *from, char *to, size_t wcap, char *err, size_t cap)
{
	msgpack_unpacked res;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	const char *const *names;
	size_t nnames = fields_of(r, &names), off = 0;
	bool done = false;
	char word[256], *out = NULL;

	*outlen = 0;
	if (!decodes(DECODE_MSGPACK, data, len)) {
		err_fmt(err, cap, "not a MessagePack map");
		return NULL;
	}
	msgpack_unpacked_init(&res);
	if (msgpack_unpack_next(&res, data, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len ||
	    res.data.type != MSGPACK_OBJECT_MAP) {
		err_fmt(err, cap, "not a MessagePack map");
		goto out;
	}
	for (size_t f = 0; f < nnames && !done; f++) {
		msgpack_object_map *map = &res.data.via.map;

		for (uint32_t i = 0; i < map->size && !done; i++) {
			msgpack_object *k = &map->ptr[i].key, *v = &map->ptr[i].val;

			if (k->type != MSGPACK_OBJECT_STR || k->via.str.size != strlen(names[f]) ||
			    memcmp(k->via.str.ptr, names[f], k->via.str.size) != 0)
				continue;
			if (v->type == MSGPACK_OBJECT_BOOLEAN) {
				snprintf(from, wcap, "%s", v->via.boolean ? "true" : "false");
				snprintf(to, wcap, "%s", v->via.boolean ? "false" : "true");
				v->via.boolean = !v->via.boolean;
				done = true;
			} else if (v->type == MSGPACK_OBJECT_STR &&
			           flip_text(v->via.str.ptr, v->via.str.size, r, word, sizeof(word),
			                     from, to, wcap)) {
				size_t n = strlen(word);
				char *copy = msgpack_zone_malloc(res.zone, n ? n : 1);

				memcpy(copy, word, n);
				v->via.str.ptr = copy;
				v->via.str.size = (uint32_t)n;
				done = true;
			} else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= 1) {
				snprintf(from, wcap, "%d", (int)v->via.u64);
				snprintf(to, wcap, "%d", (int)!v->via.u64);
				v->via.u64 = !v->via.u64;
				done = true;
			}
		}
	}
	if (!done) {
		err_fmt(err, cap, "the MessagePack map has no \"%s\" field with an opposite",
		        names[0]);
		goto out;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, res.data);
	out = xmalloc(sb.size ? sb.size : 1);
	memcpy(out, sb.data, sb.size);
	*outlen = sb.size;
	msgpack_sbuffer_destroy(&sb);
out:
	msgpack_unpacked_destroy(&res);
	return out;
}

int toggle_decoded(enum decode_format f, const struct toggle_rule *rules, size_t n,
                   const char *topic, const void *data, size_t len, const struct toggle_doc *docs,
                   size_t ndocs, int qos, bool retained, struct toggle_out *out, char *err,
                   size_t cap)
{
	const struct toggle_rule *r = toggle_rule_for(rules, n, topic);
	char why[200];

	memset(out, 0, sizeof(*out));
	out->rule = r;
	switch (f) {
	case DECODE_SPARKPLUG:
		if (ndocs == 0 || docs[0].json == NULL)
			return err_fmt(err, cap,
			               "Not toggled: the Sparkplug payload does not decode");
		return toggle_sparkplug(r ? r->field : NULL, topic, docs, ndocs, out, err, cap);
	case DECODE_CBOR:
	case DECODE_MSGPACK:
		out->payload = f == DECODE_CBOR
		                   ? flip_cbor(data, len, r, &out->len, out->from, out->to,
		                               sizeof(out->from), why, sizeof(why))
		                   : flip_msgpack(data, len, r, &out->len, out->from, out->to,
		                                  sizeof(out->from), why, sizeof(why));
		if (out->payload == NULL) {
			if (r)
				return err_fmt(err, cap, "Not toggled: %s (rule at line %d)", why,
				               r->line);
			return err_fmt(err, cap, "Not toggled: %s", why);
		}
		return toggle_destination(r, topic, qos, retained, out, err, cap);
	default:
		return err_fmt(err, cap, "Not toggled: %s values are not written back",
		               decode_format_name(f));
	}
}
