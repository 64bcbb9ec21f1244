/* decode_sparkplug.c: a Sparkplug B payload (libprotobuf-c, the schema compiled from
 * sparkplug_b.proto) or STATE message as a document: metrics keyed by name, values typed by
 * their datatype, aliases resolved from the last BIRTH, the model's notes as warnings. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/decode.h"
#include "mqscope/payload.h"
#include "mqscope/pbwire.h"
#include "mqscope/sparkplug.h"
#include "sparkplug_b.pb-c.h"

/* Data type numbers of the specification that decoding treats apart. */
enum {
	DT_INT8 = 1,
	DT_INT16 = 2,
	DT_INT32 = 3,
	DT_INT64 = 4,
	DT_UINT8 = 5,
	DT_UINT16 = 6,
	DT_UINT32 = 7,
	DT_UINT64 = 8,
	DT_FLOAT = 9,
	DT_DOUBLE = 10,
	DT_BOOLEAN = 11,
	DT_DATETIME = 13,
	DT_INT8_ARRAY = 22,
	DT_INT16_ARRAY = 23,
	DT_INT32_ARRAY = 24,
	DT_INT64_ARRAY = 25,
	DT_UINT8_ARRAY = 26,
	DT_UINT16_ARRAY = 27,
	DT_UINT32_ARRAY = 28,
	DT_UINT64_ARRAY = 29,
	DT_FLOAT_ARRAY = 30,
	DT_DOUBLE_ARRAY = 31,
	DT_BOOLEAN_ARRAY = 32,
	DT_STRING_ARRAY = 33,
	DT_DATETIME_ARRAY = 34,
};

/* The one value of a Metric, PropertyValue, Parameter or DataSetValue (each has its own oneof). */
struct value {
	enum { V_NONE, V_INT, V_LONG, V_FLOAT, V_DOUBLE, V_BOOL, V_STRING, V_BYTES, V_OTHER } kind;
	uint64_t u;
	float f;
	double d;
	const char *s;
	const uint8_t *bytes;
	size_t len;
};

/*
 * The one value of a Metric, PropertyValue, Parameter or DataSetValue: which = its oneof case,
 * the field number of the member that is set, whose type says how to read it.
 */
static struct value value_of(const ProtobufCMessage *msg, uint32_t which)
{
	const ProtobufCFieldDescriptor *f =
	    which ? protobuf_c_message_descriptor_get_field(msg->descriptor, which) : NULL;
	const char *p = f ? (const char *)msg + f->offset : NULL;
	struct value v = {0};

	if (f == NULL)
		return v;
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
		v.kind = V_INT, v.u = *(const uint32_t *)p;
		break;
	case PROTOBUF_C_TYPE_UINT64:
		v.kind = V_LONG, v.u = *(const uint64_t *)p;
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		v.kind = V_FLOAT, v.f = *(const float *)p;
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		v.kind = V_DOUBLE, v.d = *(const double *)p;
		break;
	case PROTOBUF_C_TYPE_BOOL:
		v.kind = V_BOOL, v.u = *(const protobuf_c_boolean *)p != 0;
		break;
	case PROTOBUF_C_TYPE_STRING:
		v.kind = V_STRING, v.s = *(char *const *)p;
		break;
	case PROTOBUF_C_TYPE_BYTES:
		v.kind = V_BYTES, v.bytes = ((const ProtobufCBinaryData *)p)->data;
		v.len = ((const ProtobufCBinaryData *)p)->len;
		break;
	default: /* a DataSet, Template, PropertySet or extension: the caller's */
		v.kind = V_OTHER;
		break;
	}
	return v;
}

struct ctx {
	cJSON *doc;
	struct decode_budget budget;
	bool spent;
	const struct decode_in *in;
	struct spb_topic topic;
	bool have_topic;
};

static cJSON *metrics(struct ctx *c, Spb__Payload__Metric **m, size_t n, unsigned depth);

/* A name for a datatype, or its number when the specification has none. */
static cJSON *datatype(uint32_t dt)
{
	const char *name = spb_datatype_name(dt);

	return name ? decode_string(name, strlen(name)) : decode_uint(dt);
}

/* An integer read by its datatype: signed types come as two's complement of their width. */
static cJSON *integer(uint32_t dt, uint64_t u)
{
	switch (dt) {
	case DT_INT8:
		return decode_int((int8_t)u);
	case DT_INT16:
		return decode_int((int16_t)u);
	case DT_INT32:
		return decode_int((int32_t)u);
	case DT_INT64:
		return decode_int((int64_t)u);
	default:
		return decode_uint(u);
	}
}

/* Little-endian unsigned integer of n bytes. */
static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* An array datatype (22-34): its packed little-endian bytes as a JSON array; NULL on a bad size. */
static cJSON *array(struct ctx *c, uint32_t dt, const uint8_t *p, size_t len)
{
	static const uint8_t width[] = {1, 2, 4, 8, 1, 2, 4, 8, 4, 8};
	cJSON *a;

	if (dt == DT_STRING_ARRAY) {
		/* NUL-terminated strings, one after the other. */
		if (len && p[len - 1] != '\0')
			return NULL;
		a = decode_array();
		for (size_t i = 0; i < len && !c->spent;) {
			size_t n = strlen((const char *)p + i);

			c->spent = !decode_spend(&c->budget);
			cJSON_AddItemToArray(a, decode_string((const char *)p + i, n));
			i += n + 1;
		}
		return a;
	}
	if (dt == DT_BOOLEAN_ARRAY) {
		/* A four-byte count, then the values one bit each, the first in the top bit. */
		uint64_t count;

		if (len < 4)
			return NULL;
		count = le(p, 4);
		if ((count + 7) / 8 != len - 4)
			return NULL;
		a = decode_array();
		for (uint64_t i = 0; i < count && !c->spent; i++) {
			c->spent = !decode_spend(&c->budget);
			cJSON_AddItemToArray(a, decode_bool(p[4 + i / 8] >> (7 - i % 8) & 1));
		}
		return a;
	}
	{
		unsigned w = dt == DT_DATETIME_ARRAY ? 8 : width[dt - DT_INT8_ARRAY];

		if (len % w)
			return NULL;
		a = decode_array();
		for (size_t i = 0; i < len && !c->spent; i += w) {
			uint64_t u = le(p + i, w);
			cJSON *v;

			c->spent = !decode_spend(&c->budget);
			if (dt == DT_FLOAT_ARRAY) {
				uint32_t b = (uint32_t)u;
				float f;

				memcpy(&f, &b, sizeof(f));
				v = decode_float(f);
			} else if (dt == DT_DOUBLE_ARRAY) {
				double d;

				memcpy(&d, &u, sizeof(d));
				v = decode_double(d);
			} else if (dt == DT_DATETIME_ARRAY) {
				v = decode_uint(u);
			} else {
				/* Int8Array..UInt64Array in the order of the scalar types. */
				v = integer(DT_INT8 + (dt - DT_INT8_ARRAY), u);
			}
			cJSON_AddItemToArray(a, v);
		}
		return a;
	}
}

/* A scalar value as its datatype says. */
static cJSON *scalar(struct ctx *c, uint32_t dt, const struct value *v)
{
	cJSON *a;

	switch (v->kind) {
	case V_INT:
	case V_LONG:
		return integer(dt, v->u);
	case V_FLOAT:
		return decode_float(v->f);
	case V_DOUBLE:
		return decode_double(v->d);
	case V_BOOL:
		return decode_bool(v->u != 0);
	case V_STRING:
		return decode_string(v->s, strlen(v->s));
	case V_BYTES:
		if (dt >= DT_INT8_ARRAY && dt <= DT_DATETIME_ARRAY) {
			if ((a = array(c, dt, v->bytes, v->len)) != NULL)
				return a;
			decode_warn(c->doc, "a %s value of %zu bytes does not divide into elements",
			            spb_datatype_name(dt), v->len);
		}
		return decode_bytes(v->len ? v->bytes : (const uint8_t *)"", v->len);
	default:
		return decode_null();
	}
}

static cJSON *property_set(struct ctx *c, const Spb__Payload__PropertySet *ps, unsigned depth);

/* {"value": v, "type": "Int32"}: a PropertyValue. */
static cJSON *property_value(struct ctx *c, const Spb__Payload__PropertyValue *pv, unsigned depth)
{
	cJSON *o = decode_object(), *v;
	struct value val = value_of(&pv->base, pv->value_case);

	if (pv->has_is_null && pv->is_null)
		v = decode_null();
	else if (pv->value_case == SPB__PAYLOAD__PROPERTY_VALUE__VALUE_PROPERTYSET_VALUE)
		v = property_set(c, pv->propertyset_value, depth + 1);
	else if (pv->value_case == SPB__PAYLOAD__PROPERTY_VALUE__VALUE_PROPERTYSETS_VALUE) {
		v = decode_array();
		for (size_t i = 0; i < pv->propertysets_value->n_propertyset; i++)
			cJSON_AddItemToArray(
			    v, property_set(c, pv->propertysets_value->propertyset[i], depth + 1));
	} else
		v = scalar(c, pv->has_type ? pv->type : 0, &val);
	cJSON_AddItemToObject(o, "value", v);
	if (pv->has_type)
		cJSON_AddItemToObject(o, "type", datatype(pv->type));
	return o;
}

/* {key: {"value": v, "type": t}, ...}: a PropertySet. */
static cJSON *property_set(struct ctx *c, const Spb__Payload__PropertySet *ps, unsigned depth)
{
	cJSON *o = decode_object();

	if (depth > DECODE_DEPTH_MAX)
		return o;
	if (ps->n_keys != ps->n_values)
		decode_warn(c->doc, "a PropertySet with %zu keys and %zu values", ps->n_keys,
		            ps->n_values);
	for (size_t i = 0; i < ps->n_keys && i < ps->n_values && !c->spent; i++) {
		c->spent = !decode_spend(&c->budget);
		decode_add(o, ps->keys[i], strlen(ps->keys[i]),
		           property_value(c, ps->values[i], depth));
	}
	return o;
}

/* {"columns": [...], "types": [...], "rows": [[...], ...]}: a DataSet, cells typed by column. */
static cJSON *dataset(struct ctx *c, const Spb__Payload__DataSet *ds)
{
	cJSON *o = decode_object(), *cols = decode_array(), *types = decode_array(),
	      *rows = decode_array();

	if (ds->has_num_of_columns)
		cJSON_AddItemToObject(o, "num_of_columns", decode_uint(ds->num_of_columns));
	for (size_t i = 0; i < ds->n_columns; i++)
		cJSON_AddItemToArray(cols, decode_string(ds->columns[i], strlen(ds->columns[i])));
	for (size_t i = 0; i < ds->n_types; i++)
		cJSON_AddItemToArray(types, datatype(ds->types[i]));
	cJSON_AddItemToObject(o, "columns", cols);
	cJSON_AddItemToObject(o, "types", types);
	if (ds->has_num_of_columns &&
	    (ds->num_of_columns != ds->n_columns || ds->num_of_columns != ds->n_types))
		decode_warn(c->doc, "a DataSet of %llu columns with %zu names and %zu types",
		            (unsigned long long)ds->num_of_columns, ds->n_columns, ds->n_types);
	for (size_t r = 0; r < ds->n_rows && !c->spent; r++) {
		const Spb__Payload__DataSet__Row *row = ds->rows[r];
		cJSON *cells = decode_array();

		for (size_t i = 0; i < row->n_elements && !c->spent; i++) {
			const Spb__Payload__DataSet__DataSetValue *dv = row->elements[i];
			struct value val = value_of(&dv->base, dv->value_case);

			c->spent = !decode_spend(&c->budget);
			cJSON_AddItemToArray(cells,
			                     scalar(c, i < ds->n_types ? ds->types[i] : 0, &val));
		}
		cJSON_AddItemToArray(rows, cells);
	}
	cJSON_AddItemToObject(o, "rows", rows);
	return o;
}

/* A Template: its reference or definition, parameters and metrics. */
static cJSON *template(struct ctx *c, const Spb__Payload__Template *t, unsigned depth)
{
	cJSON *o = decode_object();

	if (t->template_ref)
		cJSON_AddItemToObject(o, "template_ref",
		                      decode_string(t->template_ref, strlen(t->template_ref)));
	if (t->version)
		cJSON_AddItemToObject(o, "version", decode_string(t->version, strlen(t->version)));
	if (t->has_is_definition)
		cJSON_AddItemToObject(o, "is_definition", decode_bool(t->is_definition));
	if (t->n_parameters) {
		cJSON *ps = decode_object();

		for (size_t i = 0; i < t->n_parameters && !c->spent; i++) {
			const Spb__Payload__Template__Parameter *p = t->parameters[i];
			cJSON *po = decode_object();
			struct value val = value_of(&p->base, p->value_case);

			c->spent = !decode_spend(&c->budget);
			cJSON_AddItemToObject(po, "value",
			                      scalar(c, p->has_type ? p->type : 0, &val));
			if (p->has_type)
				cJSON_AddItemToObject(po, "type", datatype(p->type));
			decode_add(ps, p->name ? p->name : "", p->name ? strlen(p->name) : 0, po);
		}
		cJSON_AddItemToObject(o, "parameters", ps);
	}
	cJSON_AddItemToObject(o, "metrics", metrics(c, t->metrics, t->n_metrics, depth + 1));
	return o;
}

/* The present fields of a MetaData. */
static cJSON *metadata(const Spb__Payload__MetaData *md)
{
	cJSON *o = decode_object();
	const struct {
		const char *key, *s;
	} strs[] = {
	    {"content_type", md->content_type}, {"file_name", md->file_name},
	    {"file_type", md->file_type},       {"md5", md->md5},
	    {"description", md->description},
	};

	if (md->has_is_multi_part)
		cJSON_AddItemToObject(o, "is_multi_part", decode_bool(md->is_multi_part));
	if (md->has_size)
		cJSON_AddItemToObject(o, "size", decode_uint(md->size));
	if (md->has_seq)
		cJSON_AddItemToObject(o, "seq", decode_uint(md->seq));
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].s)
			cJSON_AddItemToObject(o, strs[i].key,
			                      decode_string(strs[i].s, strlen(strs[i].s)));
	return o;
}

/* One metric: {"value": v, "datatype": "Double", "alias": 3, "timestamp": t, ...}. */
static cJSON *metric(struct ctx *c, const Spb__Payload__Metric *m, uint32_t dt, unsigned depth)
{
	cJSON *o = decode_object(), *v = NULL;
	struct value val = value_of(&m->base, m->value_case);

	if (m->value_case == SPB__PAYLOAD__METRIC__VALUE_DATASET_VALUE)
		v = dataset(c, m->dataset_value);
	else if (m->value_case == SPB__PAYLOAD__METRIC__VALUE_TEMPLATE_VALUE)
		v = template(c, m->template_value, depth);
	if (m->has_is_null && m->is_null) {
		cJSON_Delete(v);
		v = decode_null();
	} else if (v == NULL && val.kind != V_NONE && val.kind != V_OTHER) {
		v = scalar(c, dt, &val);
	}
	if (v)
		cJSON_AddItemToObject(o, "value", v);
	if (dt || m->has_datatype)
		cJSON_AddItemToObject(o, "datatype", datatype(dt));
	if (m->has_alias)
		cJSON_AddItemToObject(o, "alias", decode_uint(m->alias));
	if (m->has_timestamp)
		cJSON_AddItemToObject(o, "timestamp", decode_uint(m->timestamp));
	if (m->has_is_historical && m->is_historical)
		cJSON_AddItemToObject(o, "is_historical", decode_bool(true));
	if (m->has_is_transient && m->is_transient)
		cJSON_AddItemToObject(o, "is_transient", decode_bool(true));
	if (m->metadata)
		cJSON_AddItemToObject(o, "metadata", metadata(m->metadata));
	if (m->properties)
		cJSON_AddItemToObject(o, "properties", property_set(c, m->properties, depth + 1));
	return o;
}

/* Metrics keyed by name; a metric sent by alias alone takes the name its BIRTH gave it. */
static cJSON *metrics(struct ctx *c, Spb__Payload__Metric **m, size_t n, unsigned depth)
{
	cJSON *o = decode_object();

	if (depth > DECODE_DEPTH_MAX)
		return o;
	for (size_t i = 0; i < n && !c->spent; i++) {
		const char *name = m[i]->name;
		uint32_t dt = m[i]->has_datatype ? m[i]->datatype : 0, bdt = 0;
		char key[48];

		c->spent = !decode_spend(&c->budget);
		if (name == NULL && m[i]->has_alias) {
			enum spb_alias_result r = SPB_ALIAS_NO_BIRTH;

			if (c->in->spb && c->have_topic && depth == 0)
				r = spb_model_alias(c->in->spb, &c->topic, m[i]->alias, &name,
				                    &bdt);
			if (r == SPB_ALIAS_FOUND) {
				if (!m[i]->has_datatype)
					dt = bdt;
			} else {
				snprintf(key, sizeof(key), "alias %llu",
				         (unsigned long long)m[i]->alias);
				name = key;
				if (c->have_topic && depth == 0)
					decode_warn(c->doc,
					            r == SPB_ALIAS_UNKNOWN
					                ? "alias %llu is not in the last BIRTH"
					                : "alias %llu: no BIRTH seen to name it",
					            (unsigned long long)m[i]->alias);
			}
		}
		decode_add(o, name ? name : "", name ? strlen(name) : 0,
		           metric(c, m[i], dt, depth));
	}
	return o;
}

/* STATE: {"online": true, "timestamp": t} in 3.0, ONLINE or OFFLINE in 2.2. */
static cJSON *state(const struct decode_in *in, const struct spb_topic *t, char *err, size_t cap)
{
	const char *p = in->data;
	cJSON *doc, *json = NULL;

	if (!payload_is_text(p, in->len)) {
		decode_error(err, cap, "Sparkplug STATE", "not text");
		return NULL;
	}
	doc = decode_object();
	cJSON_AddItemToObject(doc, "message", decode_string("STATE", 5));
	cJSON_AddItemToObject(doc, "host", decode_string(t->host, t->host_len));
	if (in->len == 6 && memcmp(p, "ONLINE", 6) == 0) {
		cJSON_AddItemToObject(doc, "online", decode_bool(true));
	} else if (in->len == 7 && memcmp(p, "OFFLINE", 7) == 0) {
		cJSON_AddItemToObject(doc, "online", decode_bool(false));
	} else if (payload_detect(p, in->len, false) == PAYLOAD_JSON &&
	           (json = cJSON_ParseWithLength(p, in->len)) != NULL && cJSON_IsObject(json)) {
		/* The fields as sent: "online", "timestamp". */
		while (json->child) {
			cJSON *f = cJSON_DetachItemViaPointer(json, json->child);

			cJSON_AddItemToObject(doc, f->string, f);
		}
		if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(doc, "online")))
			decode_warn(doc, "a STATE without a boolean \"online\"");
	} else {
		decode_error(err, cap, "Sparkplug STATE",
		             "neither ONLINE/OFFLINE nor a JSON object");
		cJSON_Delete(json);
		cJSON_Delete(doc);
		return NULL;
	}
	cJSON_Delete(json);
	return doc;
}

struct cJSON *decode_sparkplug(const struct decode_in *in, char *err, size_t cap)
{
	struct ctx c = {.in = in};
	Spb__Payload *p;
	char notes[8][160];
	size_t nn;

	c.have_topic = in->topic && spb_topic_parse(in->topic, in->topic_len, &c.topic);
	if (!c.have_topic && in->topic &&
	    spb_topic_parse_legacy_state(in->topic, in->topic_len, &c.topic))
		return state(in, &c.topic, err, cap);
	if (c.have_topic && c.topic.type == SPB_STATE)
		return state(in, &c.topic, err, cap);
	if (!pbwire_depth_ok(&spb__payload__descriptor, in->data, in->len, DECODE_DEPTH_MAX)) {
		decode_error(err, cap, "Sparkplug",
		             "not a Sparkplug B payload (malformed protobuf)");
		return NULL;
	}
	p = spb__payload__unpack(NULL, in->len, in->data);
	if (p == NULL) {
		decode_error(err, cap, "Sparkplug", "not a Sparkplug B payload");
		return NULL;
	}
	c.doc = decode_object();
	if (c.have_topic)
		cJSON_AddItemToObject(c.doc, "message",
		                      decode_string(spb_type_name(c.topic.type),
		                                    strlen(spb_type_name(c.topic.type))));
	if (p->has_timestamp)
		cJSON_AddItemToObject(c.doc, "timestamp", decode_uint(p->timestamp));
	if (p->has_seq)
		cJSON_AddItemToObject(c.doc, "seq", decode_uint(p->seq));
	if (p->uuid)
		cJSON_AddItemToObject(c.doc, "uuid", decode_string(p->uuid, strlen(p->uuid)));
	/* The model's notes on this message come first, then what reading it finds. */
	if (c.have_topic && in->spb) {
		nn = spb_model_notes(in->spb, &c.topic, in->time_ms, p->seq, p->has_seq, notes, 8);
		for (size_t i = 0; i < nn; i++)
			decode_warn(c.doc, "%s", notes[i]);
	}
	cJSON_AddItemToObject(c.doc, "metrics", metrics(&c, p->metrics, p->n_metrics, 0));
	if (p->has_body)
		cJSON_AddItemToObject(
		    c.doc, "body",
		    decode_bytes(p->body.len ? p->body.data : (uint8_t *)"", p->body.len));
	if (p->base.n_unknown_fields)
		decode_warn(c.doc, "%u fields this schema does not know (extensions) not shown",
		            p->base.n_unknown_fields);
	spb__payload__free_unpacked(p, NULL);
	if (c.spent) {
		decode_error(err, cap, "Sparkplug", "more than %d values", DECODE_NODES_MAX);
		cJSON_Delete(c.doc);
		return NULL;
	}
	return c.doc;
}
