/* sim_plant.c: demo devices in binary formats: a Sparkplug B edge node (Plant1/Edge1) with a
 * pump and a mixer, a CBOR sensor and a MessagePack meter; they publish and obey commands. */
#define _GNU_SOURCE
#include "mqscope/sim_plant.h"

#include <cbor.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mqscope/decode.h"
#include "mqscope/pbwire.h"
#include "mqscope/sparkplug.h"
#include "mqscope/util.h"
#include "sparkplug_b.pb-c.h"

#define TOPIC(type) "spBv1.0/" SIM_PLANT_GROUP "/" type "/" SIM_PLANT_NODE
#define CBOR_TOPIC  "lab/cbor/sensor1"
#define MP_TOPIC    "lab/msgpack/meter1"

/* Sparkplug data types the demo uses (numbers of the specification). */
enum {
	DT_INT32 = 3,
	DT_INT64 = 4,
	DT_UINT32 = 7,
	DT_UINT64 = 8,
	DT_FLOAT = 9,
	DT_DOUBLE = 10,
	DT_BOOLEAN = 11,
	DT_STRING = 12,
	DT_DATASET = 16,
};

struct metric {
	const char *name;
	uint64_t alias; /* 0: sent by name (bdSeq) */
	uint32_t datatype;
	bool writable;
	double num; /* numbers and booleans */
	const char *str;
	bool dirty; /* changed since the last DATA */
};

enum { NODE_REBIRTH, NODE_MAKE, NODE_UPTIME, NODE_CPU, NODE__N };
enum { PUMP_SPEED, PUMP_PRESSURE, PUMP_RUNNING, PUMP_FLOW, PUMP_STATUS, PUMP_RUNTIME, PUMP__N };
enum { MIX_TEMP, MIX_SETPOINT, MIX_AGITATOR, MIX_LEVEL, MIX_MODE, MIX_BATCH, MIX__N };

struct device {
	const char *name;
	struct metric *m;
	size_t n;
};

struct sim_plant {
	sim_publish_fn publish;
	void *ctx;
	uint64_t bdseq;
	unsigned seq; /* of the next message of the node, 0-255 */
	struct metric node[NODE__N];
	struct metric pump[PUMP__N];
	struct metric mixer[MIX__N];
	struct device devices[2];
	/* the CBOR sensor and the MessagePack meter */
	double temp, hum, power;
	bool sensor_on, meter_on;
};

static double jitter(double span)
{
	return ((double)rand() / RAND_MAX - 0.5) * span;
}

struct sim_plant *sim_plant_new(sim_publish_fn publish, void *ctx)
{
	struct sim_plant *p = xcalloc(1, sizeof(*p));
	const struct metric node[NODE__N] = {
	    {"Node Control/Rebirth", 1, DT_BOOLEAN, true, 0, NULL, false},
	    {"Properties/Hardware Make", 2, DT_STRING, false, 0, "mqscope demo", false},
	    {"Uptime", 3, DT_INT64, false, 0, NULL, false},
	    {"CPU Temperature", 4, DT_FLOAT, false, 41.5, NULL, false},
	};
	const struct metric pump[PUMP__N] = {
	    {"Speed", 10, DT_FLOAT, false, 1450, NULL, false},
	    {"Pressure", 11, DT_DOUBLE, false, 2.5, NULL, false},
	    {"Running", 12, DT_BOOLEAN, true, 1, NULL, false},
	    {"Flow", 13, DT_FLOAT, false, 12.5, NULL, false},
	    {"Status", 14, DT_STRING, false, 0, "running", false},
	    {"Runtime", 15, DT_UINT32, false, 3600, NULL, false},
	};
	const struct metric mixer[MIX__N] = {
	    {"Temperature", 20, DT_DOUBLE, false, 62.0, NULL, false},
	    {"Setpoint", 21, DT_DOUBLE, true, 65.0, NULL, false},
	    {"Agitator", 22, DT_BOOLEAN, true, 1, NULL, false},
	    {"Level", 23, DT_INT32, false, 70, NULL, false},
	    {"Mode", 24, DT_STRING, false, 0, "auto", false},
	    {"Batch", 25, DT_DATASET, false, 0, NULL, false},
	};

	p->publish = publish;
	p->ctx = ctx;
	memcpy(p->node, node, sizeof(node));
	memcpy(p->pump, pump, sizeof(pump));
	memcpy(p->mixer, mixer, sizeof(mixer));
	p->devices[0] = (struct device){"Pump1", p->pump, PUMP__N};
	p->devices[1] = (struct device){"Mixer1", p->mixer, MIX__N};
	p->temp = 21.5;
	p->hum = 45;
	p->power = 1250;
	p->sensor_on = p->meter_on = true;
	return p;
}

void sim_plant_free(struct sim_plant *p)
{
	free(p);
}

const char *const *sim_plant_topics(size_t *n)
{
	static const char *const topics[] = {
	    TOPIC("NCMD"),     TOPIC("DCMD") "/+", CBOR_TOPIC,
	    CBOR_TOPIC "/set", MP_TOPIC,           MP_TOPIC "/set",
	};

	*n = sizeof(topics) / sizeof(topics[0]);
	return topics;
}

/* ---- Sparkplug B ---- */

/* The Batch recipe: a DataSet of three steps. */
static Spb__Payload__DataSet *batch(void)
{
	static char *columns[] = {"Step", "Temp", "Minutes"};
	static uint32_t types[] = {DT_INT32, DT_DOUBLE, DT_INT32};
	static const double cells[3][3] = {{1, 45.0, 10}, {2, 65.0, 30}, {3, 30.0, 15}};
	static Spb__Payload__DataSet__DataSetValue values[3][3];
	static Spb__Payload__DataSet__DataSetValue *elems[3][3];
	static Spb__Payload__DataSet__Row rows[3], *rowp[3];
	static Spb__Payload__DataSet ds;

	spb__payload__data_set__init(&ds);
	for (int r = 0; r < 3; r++) {
		spb__payload__data_set__row__init(&rows[r]);
		for (int c = 0; c < 3; c++) {
			Spb__Payload__DataSet__DataSetValue *v = &values[r][c];

			spb__payload__data_set__data_set_value__init(v);
			if (types[c] == DT_DOUBLE) {
				v->value_case =
				    SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_DOUBLE_VALUE;
				v->double_value = cells[r][c];
			} else {
				v->value_case =
				    SPB__PAYLOAD__DATA_SET__DATA_SET_VALUE__VALUE_INT_VALUE;
				v->int_value = (uint32_t)cells[r][c];
			}
			elems[r][c] = v;
		}
		rows[r].n_elements = 3;
		rows[r].elements = elems[r];
		rowp[r] = &rows[r];
	}
	ds.has_num_of_columns = true;
	ds.num_of_columns = 3;
	ds.n_columns = 3;
	ds.columns = columns;
	ds.n_types = 3;
	ds.types = types;
	ds.n_rows = 3;
	ds.rows = rowp;
	return &ds;
}

/* Fills m from src: name, alias and datatype in a BIRTH, the alias alone in DATA. */
static void fill(Spb__Payload__Metric *m, const struct metric *src, bool birth, uint64_t ts)
{
	spb__payload__metric__init(m);
	if (birth || src->alias == 0) {
		m->name = (char *)src->name;
		m->has_datatype = true;
		m->datatype = src->datatype;
	}
	if (src->alias) {
		m->has_alias = true;
		m->alias = src->alias;
	}
	m->has_timestamp = true;
	m->timestamp = ts;
	switch (src->datatype) {
	case DT_BOOLEAN:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
		m->boolean_value = src->num != 0;
		break;
	case DT_FLOAT:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_FLOAT_VALUE;
		m->float_value = (float)src->num;
		break;
	case DT_DOUBLE:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
		m->double_value = src->num;
		break;
	case DT_INT32:
	case DT_UINT32:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_INT_VALUE;
		m->int_value = (uint32_t)(int32_t)src->num;
		break;
	case DT_INT64:
	case DT_UINT64:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_LONG_VALUE;
		m->long_value = (uint64_t)(int64_t)src->num;
		break;
	case DT_STRING:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_STRING_VALUE;
		m->string_value = (char *)src->str;
		break;
	case DT_DATASET:
		m->value_case = SPB__PAYLOAD__METRIC__VALUE_DATASET_VALUE;
		m->dataset_value = batch();
		break;
	}
}

/*
 * Publishes a payload of the metrics in ms[0..n) (all of them in a BIRTH, the dirty ones in
 * DATA); the node's seq goes up by one per message. Extra is a metric sent first (bdSeq).
 */
static void send_payload(struct sim_plant *p, const char *topic, struct metric *ms, size_t n,
                         bool birth, const struct metric *extra)
{
	Spb__Payload pl = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric m[16], *mp[16];
	Spb__Payload__PropertyValue unit = SPB__PAYLOAD__PROPERTY_VALUE__INIT, *unitp = &unit;
	Spb__Payload__PropertySet props = SPB__PAYLOAD__PROPERTY_SET__INIT;
	static char *keys[] = {"engUnit"};
	uint64_t now = (uint64_t)clock_wall_ms();
	size_t k = 0, len;
	uint8_t *buf;

	if (extra)
		fill(&m[k], extra, true, now), mp[k] = &m[k], k++;
	for (size_t i = 0; i < n && k < 16; i++) {
		if (!birth && !ms[i].dirty)
			continue;
		fill(&m[k], &ms[i], birth, now);
		/* The pump's speed carries its unit, as a PropertySet. */
		if (birth && strcmp(ms[i].name, "Speed") == 0) {
			unit.has_type = true;
			unit.type = DT_STRING;
			unit.value_case = SPB__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE;
			unit.string_value = "rpm";
			props.n_keys = props.n_values = 1;
			props.keys = keys;
			props.values = &unitp;
			m[k].properties = &props;
		}
		ms[i].dirty = false;
		mp[k] = &m[k];
		k++;
	}
	if (k == 0)
		return;
	pl.has_timestamp = true;
	pl.timestamp = now;
	pl.has_seq = true;
	pl.seq = p->seq;
	p->seq = (p->seq + 1) & 255;
	pl.n_metrics = k;
	pl.metrics = mp;
	len = spb__payload__get_packed_size(&pl);
	buf = xmalloc(len);
	spb__payload__pack(&pl, buf);
	p->publish(p->ctx, topic, buf, len, false, NULL);
	free(buf);
}

static void device_topic(char *buf, size_t cap, const char *type, const struct device *d)
{
	snprintf(buf, cap, "spBv1.0/" SIM_PLANT_GROUP "/%s/" SIM_PLANT_NODE "/%s", type, d->name);
}

/* NBIRTH (seq 0) and a DBIRTH per device. */
static void births(struct sim_plant *p)
{
	struct metric bdseq = {"bdSeq", 0, DT_UINT64, false, (double)p->bdseq, NULL, false};
	char t[128];

	p->seq = 0;
	send_payload(p, TOPIC("NBIRTH"), p->node, NODE__N, true, &bdseq);
	for (size_t i = 0; i < 2; i++) {
		device_topic(t, sizeof(t), "DBIRTH", &p->devices[i]);
		send_payload(p, t, p->devices[i].m, p->devices[i].n, true, NULL);
	}
}

/* The metric of d named or aliased as in a command, or NULL. */
static struct metric *lookup(struct metric *ms, size_t n, const Spb__Payload__Metric *cmd)
{
	for (size_t i = 0; i < n; i++)
		if ((cmd->name && strcmp(cmd->name, ms[i].name) == 0) ||
		    (!cmd->name && cmd->has_alias && cmd->alias == ms[i].alias))
			return &ms[i];
	return NULL;
}

/* Applies a write to a writable metric: booleans take booleans, numbers take numbers. */
static bool write_metric(struct metric *m, const Spb__Payload__Metric *cmd)
{
	double v;

	if (!m->writable)
		return false;
	switch (cmd->value_case) {
	case SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
		if (m->datatype != DT_BOOLEAN)
			return false;
		v = cmd->boolean_value ? 1 : 0;
		break;
	case SPB__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
		v = cmd->double_value;
		break;
	case SPB__PAYLOAD__METRIC__VALUE_FLOAT_VALUE:
		v = cmd->float_value;
		break;
	default:
		return false;
	}
	if (m->datatype == DT_BOOLEAN
	        ? (cmd->value_case != SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE)
	        : !isfinite(v))
		return false;
	m->num = v;
	m->dirty = true;
	return true;
}

/* An NCMD (rebirth) or DCMD (writes to a device's metrics). */
static void command(struct sim_plant *p, const struct spb_topic *t, const void *data, size_t len)
{
	Spb__Payload *pl;
	char topic[128];

	if (!pbwire_depth_ok(&spb__payload__descriptor, data, len, DECODE_DEPTH_MAX) ||
	    (pl = spb__payload__unpack(NULL, len, data)) == NULL)
		return;
	if (t->type == SPB_NCMD) {
		for (size_t i = 0; i < pl->n_metrics; i++) {
			const Spb__Payload__Metric *m = pl->metrics[i];

			if (lookup(&p->node[NODE_REBIRTH], 1, m) &&
			    m->value_case == SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE &&
			    m->boolean_value) {
				births(p);
				break;
			}
		}
	} else {
		for (size_t d = 0; d < 2; d++) {
			struct device *dev = &p->devices[d];
			bool any = false;

			if (strlen(dev->name) != t->device_len ||
			    memcmp(dev->name, t->device, t->device_len) != 0)
				continue;
			for (size_t i = 0; i < pl->n_metrics; i++) {
				struct metric *m = lookup(dev->m, dev->n, pl->metrics[i]);

				any |= m && write_metric(m, pl->metrics[i]);
			}
			if (dev->m == p->pump) {
				p->pump[PUMP_STATUS].str =
				    p->pump[PUMP_RUNNING].num ? "running" : "stopped";
				p->pump[PUMP_STATUS].dirty = true;
			}
			if (any) {
				device_topic(topic, sizeof(topic), "DDATA", dev);
				send_payload(p, topic, dev->m, dev->n, false, NULL);
			}
		}
	}
	spb__payload__free_unpacked(pl, NULL);
}

/* New values of the node and its devices, published as DATA with aliases only. */
static void sparkplug_tick(struct sim_plant *p, unsigned long tick)
{
	char t[128];
	struct metric *pump = p->pump, *mix = p->mixer;

	if (tick % 2 != 0)
		return;
	if (pump[PUMP_RUNNING].num) {
		pump[PUMP_SPEED].num = fmax(0, 1450 + jitter(40));
		pump[PUMP_PRESSURE].num = 2.5 + jitter(0.2);
		pump[PUMP_FLOW].num = 12.5 + jitter(1);
		pump[PUMP_RUNTIME].num += 1;
		pump[PUMP_RUNTIME].dirty = true;
	} else {
		pump[PUMP_SPEED].num = 0;
		pump[PUMP_PRESSURE].num = 1.0 + jitter(0.02);
		pump[PUMP_FLOW].num = 0;
	}
	pump[PUMP_SPEED].dirty = pump[PUMP_PRESSURE].dirty = pump[PUMP_FLOW].dirty = true;
	mix[MIX_TEMP].num += (mix[MIX_SETPOINT].num - mix[MIX_TEMP].num) * 0.1 + jitter(0.2);
	mix[MIX_TEMP].dirty = true;
	if (tick % 10 == 0) {
		mix[MIX_LEVEL].num = 60 + rand() % 30;
		mix[MIX_LEVEL].dirty = true;
	}
	for (size_t i = 0; i < 2; i++) {
		device_topic(t, sizeof(t), "DDATA", &p->devices[i]);
		send_payload(p, t, p->devices[i].m, p->devices[i].n, false, NULL);
	}
	if (tick % 10 == 0) {
		p->node[NODE_UPTIME].num = (double)(tick / 2);
		p->node[NODE_CPU].num = 41.5 + jitter(3);
		p->node[NODE_UPTIME].dirty = p->node[NODE_CPU].dirty = true;
		send_payload(p, TOPIC("NDATA"), p->node, NODE__N, false, NULL);
	}
}

/* ---- the CBOR sensor and the MessagePack meter ---- */

static void cbor_pair(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	cbor_map_add(map, (struct cbor_pair){.key = cbor_move(cbor_build_string(key)),
	                                     .value = cbor_move(value)});
}

/* {"temperature": 21.5, "humidity": 45, "state": "on", "ts": 1(epoch)} with libcbor. */
static void publish_sensor(struct sim_plant *p)
{
	cbor_item_t *map = cbor_new_definite_map(4), *ts = cbor_new_tag(1);
	unsigned char *buf = NULL;
	size_t cap = 0, len;

	cbor_tag_set_item(ts, cbor_move(cbor_build_uint32((uint32_t)(clock_wall_ms() / 1000))));
	cbor_pair(map, "temperature", cbor_build_float4((float)(round(p->temp * 10) / 10)));
	cbor_pair(map, "humidity", cbor_build_uint8((uint8_t)p->hum));
	cbor_pair(map, "state", cbor_build_string(p->sensor_on ? "on" : "off"));
	cbor_pair(map, "ts", ts);
	len = cbor_serialize_alloc(map, &buf, &cap);
	if (len)
		p->publish(p->ctx, CBOR_TOPIC, buf, len, false, "application/cbor");
	free(buf);
	cbor_decref(&map);
}

static void mp_key(msgpack_packer *pk, const char *key)
{
	msgpack_pack_str_with_body(pk, key, strlen(key));
}

/* {"power": 1250.5, "voltage": 230, "state": "on", "ts": timestamp} with msgpack-c. */
static void publish_meter(struct sim_plant *p)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int64_t now = clock_wall_ms();
	msgpack_timestamp ts = {.tv_sec = now / 1000, .tv_nsec = (uint32_t)(now % 1000) * 1000000};
	const char *state = p->meter_on ? "on" : "off";

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	mp_key(&pk, "power");
	msgpack_pack_double(&pk, p->meter_on ? round(p->power * 10) / 10 : 0);
	mp_key(&pk, "voltage");
	msgpack_pack_uint16(&pk, 230);
	mp_key(&pk, "state");
	msgpack_pack_str_with_body(&pk, state, strlen(state));
	mp_key(&pk, "ts");
	msgpack_pack_timestamp(&pk, &ts);
	p->publish(p->ctx, MP_TOPIC, sb.data, sb.size, false, "application/msgpack");
	msgpack_sbuffer_destroy(&sb);
}

/* The state a write asks for: a CBOR or MessagePack map's "state", or ON/OFF text. */
static bool wanted_state(const void *data, size_t len, bool cbor, bool *on)
{
	char err[64], text[8];
	cJSON *doc = cbor ? decode_cbor(data, len, err, sizeof(err))
	                  : decode_msgpack(data, len, err, sizeof(err));
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "state");
	bool ok = false;

	if (cJSON_IsString(st)) {
		snprintf(text, sizeof(text), "%s", st->valuestring);
	} else if (cJSON_IsBool(st)) {
		snprintf(text, sizeof(text), "%s", cJSON_IsTrue(st) ? "on" : "off");
	} else if (len > 0 && len < sizeof(text) && doc == NULL) {
		memcpy(text, data, len);
		text[len] = '\0';
	} else {
		text[0] = '\0';
	}
	cJSON_Delete(doc);
	if (!strcasecmp(text, "on") || !strcasecmp(text, "true"))
		*on = true, ok = true;
	else if (!strcasecmp(text, "off") || !strcasecmp(text, "false"))
		*on = false, ok = true;
	return ok;
}

void sim_plant_online(struct sim_plant *p)
{
	p->bdseq++;
	births(p);
	publish_sensor(p);
	publish_meter(p);
}

void sim_plant_tick(struct sim_plant *p, unsigned long tick)
{
	sparkplug_tick(p, tick);
	if (tick % 4 == 1) {
		if (p->sensor_on) {
			p->temp += jitter(0.3);
			p->hum = fmin(95, fmax(20, p->hum + jitter(2)));
		}
		publish_sensor(p);
	}
	if (tick % 4 == 3) {
		p->power = fmax(0, p->power + jitter(80));
		publish_meter(p);
	}
}

bool sim_plant_message(struct sim_plant *p, const char *topic, const void *payload, size_t len)
{
	struct spb_topic t;
	bool on, cbor;

	if (spb_topic_parse(topic, strlen(topic), &t)) {
		if ((t.type == SPB_NCMD || t.type == SPB_DCMD) &&
		    t.group_len == strlen(SIM_PLANT_GROUP) &&
		    memcmp(t.group, SIM_PLANT_GROUP, t.group_len) == 0 &&
		    t.node_len == strlen(SIM_PLANT_NODE) &&
		    memcmp(t.node, SIM_PLANT_NODE, t.node_len) == 0)
			command(p, &t, payload, len);
		return true;
	}
	cbor = strncmp(topic, CBOR_TOPIC, strlen(CBOR_TOPIC)) == 0;
	if (!cbor && strncmp(topic, MP_TOPIC, strlen(MP_TOPIC)) != 0)
		return false;
	/* A state written to the device's topic or to its /set; our own reports change nothing. */
	if (!wanted_state(payload, len, cbor, &on))
		return true;
	if (cbor && on != p->sensor_on) {
		p->sensor_on = on;
		publish_sensor(p);
	} else if (!cbor && on != p->meter_on) {
		p->meter_on = on;
		publish_meter(p);
	}
	return true;
}
