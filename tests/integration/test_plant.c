/* test_plant.c: the demo's binary devices on a real mosquitto, read the way mqscope reads them:
 * the Sparkplug B edge node is born and its DATA resolve by alias, it obeys a rebirth and a write
 * to a boolean metric; the CBOR sensor and MessagePack meter say what they are in their content
 * type and take a new state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app_wait.h"
#include "mqscope/app.h"
#include "mqscope/broker.h"
#include "mqscope/decode.h"
#include "mqscope/sparkplug.h"
#include "mqscope/util.h"
#include "sparkplug_b.pb-c.h"

#define NODE  "spBv1.0/Plant1/%s/Edge1"
#define PUMP  "spBv1.0/Plant1/DDATA/Edge1/Pump1"
#define CBOR  "lab/cbor/sensor1"
#define METER "lab/msgpack/meter1"

struct fixture {
	struct broker broker;
	struct settings cfg;
	struct app app;
	pid_t sim;
};

/* Publishes through mqscope's own session, as its publish form does; false when not connected. */
static bool publish(struct fixture *f, const char *topic, const void *payload, size_t len)
{
	struct pub_req req = {.topic = topic, .payload = payload, .len = len, .qos = 1};
	char err[128];
	int mid;

	return session_publish(f->app.session, &req, &mid, err, sizeof(err)) == 0;
}

/* The newest value of topic decoded as mqscope would choose to; NULL when there is none. */
static cJSON *decoded(struct fixture *f, const char *topic, enum decode_format *format)
{
	tree_id id = tree_find(f->app.tree, topic, strlen(topic));
	const struct tree_value *v = id == TREE_NONE ? NULL : tree_value(f->app.tree, id, 0);
	const char *ct = NULL;
	size_t ctlen = 0;
	struct decode_choice c;
	char err[256];
	struct decode_in in;
	cJSON *doc, *back;
	size_t len;
	char *text;

	if (v == NULL)
		return NULL;
	decode_content_type(v->data + v->len, v->props_len, &ct, &ctlen);
	decode_choose(NULL, 0, topic, strlen(topic), ct, ctlen, v->data, v->len, &c);
	*format = c.format;
	in = (struct decode_in){.data = v->data,
	                        .len = v->len,
	                        .topic = topic,
	                        .topic_len = strlen(topic),
	                        .time_ms = v->time_ms,
	                        .spb = f->app.link[0].spb};
	doc = decode_doc(&c, &in, err, sizeof(err));
	if (doc == NULL)
		return NULL;
	/* As the views get it: JSON text. */
	text = decode_json(doc, &len);
	back = cJSON_ParseWithLength(text, len);
	free(text);
	cJSON_Delete(doc);
	return back;
}

static struct app *fixture_app(struct fixture *f)
{
	return &f->app;
}

/* A path to look up and the JSON text its value must print as. */
struct want {
	const char *topic, *path, *value;
	enum decode_format format;
};

/* Whether the newest value of the topic, decoded, holds value at path ("a.b.c"). */
static bool holds(struct fixture *f, const void *arg)
{
	const struct want *w = arg;
	enum decode_format format;
	cJSON *doc = decoded(f, w->topic, &format), *n = doc;
	char path[256], *save = NULL;
	bool ok = false;

	if (doc == NULL || format != w->format) {
		cJSON_Delete(doc);
		return false;
	}
	snprintf(path, sizeof(path), "%s", w->path);
	for (char *k = strtok_r(path, ".", &save); k && n; k = strtok_r(NULL, ".", &save))
		n = cJSON_GetObjectItemCaseSensitive(n, k);
	if (n) {
		char *t = cJSON_PrintUnformatted(n);

		ok = strcmp(t, w->value) == 0;
		free(t);
	}
	cJSON_Delete(doc);
	return ok;
}

static bool nodes_born(struct fixture *f, const void *arg)
{
	uint64_t *births = (uint64_t *)arg;
	char t[64];
	tree_id id;

	snprintf(t, sizeof(t), NODE, "NBIRTH");
	id = tree_find(f->app.tree, t, strlen(t));
	return id != TREE_NONE && tree_node(f->app.tree, id)->msgs >= *births;
}

static void fixture_publish(struct fixture *f, const char *topic)
{
	publish(f, topic, "x", 1);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (broker_start(&f->broker, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "broker: %s\n", err);
		free(f);
		return -1;
	}
	settings_for_port(&f->cfg, f->broker.port);
	settings_finish(&f->cfg);
	f->sim = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->sim > 0) {
		kill(f->sim, SIGTERM);
		waitpid(f->sim, NULL, 0);
	}
	if (f->app.session)
		session_stop(f->app.session, 3000);
	app_free(&f->app);
	broker_stop(&f->broker);
	settings_free(&f->cfg);
	free(f);
	return 0;
}

/* Starts `mqscope sim` against the test's broker. */
static pid_t start_sim(int port)
{
	const char *exe = getenv("MQSCOPE");
	char p[16];
	pid_t pid;

	assert_non_null(exe);
	snprintf(p, sizeof(p), "%d", port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(exe, exe, "sim", "-h", "127.0.0.1", "-p", p, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* A DCMD or NCMD with one boolean metric, as a host application writes it. */
static void command(struct fixture *f, const char *topic, const char *metric, bool value)
{
	Spb__Payload p = SPB__PAYLOAD__INIT;
	Spb__Payload__Metric m = SPB__PAYLOAD__METRIC__INIT, *mp = &m;
	uint8_t buf[256];
	size_t len;

	m.name = (char *)metric;
	m.has_datatype = true;
	m.datatype = 11; /* Boolean */
	m.value_case = SPB__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
	m.boolean_value = value;
	p.has_timestamp = true;
	p.timestamp = (uint64_t)clock_wall_ms();
	p.n_metrics = 1;
	p.metrics = &mp;
	len = spb__payload__pack(&p, buf);
	assert_true(publish(f, topic, buf, len));
}

static void integration__plant__devices_read_as_data(void **state)
{
	struct fixture *f = *state;
	uint64_t births = 1;
	char topic[64];
	/* The pump's DDATA carry aliases only: the names come from its DBIRTH. */
	const struct want running = {PUMP, "metrics.Running.value", "false", DECODE_SPARKPLUG};
	const struct want speed = {PUMP, "metrics.Speed.datatype", "\"Float\"", DECODE_SPARKPLUG};
	const struct want sensor = {CBOR, "state", "\"on\"", DECODE_CBOR};
	const struct want sensor_off = {CBOR, "state", "\"off\"", DECODE_CBOR};
	const struct want stamp = {CBOR, "ts.$name", "\"epoch time\"", DECODE_CBOR};
	const struct want meter = {METER, "ts.$name", "\"timestamp\"", DECODE_MSGPACK};
	const struct want meter_off = {METER, "state", "\"off\"", DECODE_MSGPACK};
	enum decode_format format;
	cJSON *doc;

	assert_int_equal(app_init(&f->app, &f->cfg, false), 0);
	assert_int_equal(session_start(f->app.session), 0);
	/* mqscope first, subscribed, so it sees the births. */
	assert_true(publish_until_seen(f, "probe/subscribed", 10000));
	f->sim = start_sim(f->broker.port);
	assert_true(wait_until(f, nodes_born, &births, 10000));
	assert_true(wait_until(f, holds, &speed, 10000));
	doc = decoded(f, PUMP, &format);
	assert_non_null(doc);
	assert_null(cJSON_GetObjectItemCaseSensitive(doc, "$warnings"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "metrics"), "Speed"));
	cJSON_Delete(doc);
	assert_true(wait_until(f, holds, &sensor, 10000));
	assert_true(wait_until(f, holds, &stamp, 10000));
	assert_true(wait_until(f, holds, &meter, 10000));

	/* A write to the pump's boolean metric, as a DCMD. */
	command(f, "spBv1.0/Plant1/DCMD/Edge1/Pump1", "Running", false);
	assert_true(wait_until(f, holds, &running, 10000));
	/* A rebirth, as an NCMD: a second NBIRTH. */
	snprintf(topic, sizeof(topic), NODE, "NCMD");
	command(f, topic, "Node Control/Rebirth", true);
	births = 2;
	assert_true(wait_until(f, nodes_born, &births, 10000));
	/* The sensors take a new state in their own format. */
	assert_true(publish(f, CBOR "/set", "\xa1\x65state\x63off", 11));
	assert_true(wait_until(f, holds, &sensor_off, 10000));
	assert_true(publish(f, METER "/set", "\x81\xa5state\xa3off", 11));
	assert_true(wait_until(f, holds, &meter_off, 10000));
	assert_int_equal(ring_drops(&f->app.ring), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(integration__plant__devices_read_as_data, setup,
	                                    teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
