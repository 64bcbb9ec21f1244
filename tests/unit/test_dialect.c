/* test_dialect.c: each broker recognized from the $SYS topics it really publishes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mqscope/dialect.h"

/* A tree holding these topics (NULL-terminated), each with the value "1". */
static struct tree *tree_of(const char *const *topics)
{
	struct tree_limits lim = {.payload_cap = 1 << 20, .history = 1};
	struct tree *t = tree_new(&lim);
	struct tree_msg m = {.payload = "1", .len = 1, .orig_len = 1, .time_ms = 1000};

	for (; *topics; topics++)
		tree_insert(t, *topics, strlen(*topics), &m);
	return t;
}

static void expect(const char *const *topics, enum dialect_id id, const char *prefix,
                   enum dialect_stat s, const char *topic)
{
	struct tree *t = tree_of(topics);
	struct dialect d;
	char buf[256];

	dialect_detect(&d, t);
	assert_int_equal(d.id, id);
	assert_string_equal(d.prefix, prefix);
	if (topic) {
		assert_true(dialect_topic(&d, s, buf, sizeof(buf)));
		assert_string_equal(buf, topic);
	} else {
		assert_false(dialect_topic(&d, s, buf, sizeof(buf)));
	}
	tree_free(t);
}

static void unit__dialect__mosquitto(void **state)
{
	static const char *const topics[] = {"house/bulb", "$SYS/broker/version",
	                                     "$SYS/broker/clients/connected", NULL};

	(void)state;
	expect(topics, DIALECT_MOSQUITTO, "$SYS/broker/", DS_CLIENTS_CONNECTED,
	       "$SYS/broker/clients/connected");
	expect(topics, DIALECT_MOSQUITTO, "$SYS/broker/", DS_EVENT_CONNECTS, NULL);
	assert_string_equal(dialect_name(DIALECT_MOSQUITTO), "mosquitto");
}

/* What aedes-cli publishes: events under its broker id, no counters. */
static void unit__dialect__aedes(void **state)
{
	static const char *const topics[] = {
	    "$SYS/3f0c6a6e-0b1b-4cd6-a8d2-58a1ad1f2b30/new/subscribes",
	    "$SYS/3f0c6a6e-0b1b-4cd6-a8d2-58a1ad1f2b30/new/clients", NULL};
	static const char *const heartbeat_only[] = {"$SYS/abc/heartbeat", NULL};

	(void)state;
	expect(topics, DIALECT_AEDES, "$SYS/3f0c6a6e-0b1b-4cd6-a8d2-58a1ad1f2b30/",
	       DS_EVENT_SUBSCRIBES, "$SYS/3f0c6a6e-0b1b-4cd6-a8d2-58a1ad1f2b30/new/subscribes");
	expect(heartbeat_only, DIALECT_AEDES, "$SYS/abc/", DS_MESSAGES_IN, NULL);
	assert_true(dialect_events_only(DIALECT_AEDES));
	assert_false(dialect_events_only(DIALECT_MOSQUITTO));
}

static void unit__dialect__emqx(void **state)
{
	static const char *const topics[] = {
	    "$SYS/brokers/emqx@127.0.0.1/version", "$SYS/brokers/emqx@127.0.0.1/uptime",
	    "$SYS/brokers/emqx@127.0.0.1/clients/dev1/connected", "$SYS/brokers", NULL};

	(void)state;
	expect(topics, DIALECT_EMQX, "$SYS/brokers/emqx@127.0.0.1/", DS_MESSAGES_IN,
	       "$SYS/brokers/emqx@127.0.0.1/metrics/messages/received");
	assert_string_equal(dialect_name(DIALECT_EMQX), "EMQX");
}

static void unit__dialect__vernemq(void **state)
{
	static const char *const topics[] = {"$SYS/VerneMQ@127.0.0.1/mqtt/publish/received",
	                                     "$SYS/VerneMQ@127.0.0.1/socket/open", NULL};

	(void)state;
	expect(topics, DIALECT_VERNEMQ, "$SYS/VerneMQ@127.0.0.1/", DS_BYTES_OUT,
	       "$SYS/VerneMQ@127.0.0.1/bytes/sent");
}

static void unit__dialect__nanomq(void **state)
{
	static const char *const topics[] = {"$SYS/brokers/connected", NULL};

	(void)state;
	expect(topics, DIALECT_NANOMQ, "$SYS/brokers/", DS_EVENT_CONNECTS,
	       "$SYS/brokers/connected");
	assert_true(dialect_events_only(DIALECT_NANOMQ));
}

/* RabbitMQ and HiveMQ publish no $SYS: nothing to name, and no topic for anything. */
static void unit__dialect__none_and_unknown(void **state)
{
	static const char *const none[] = {"house/bulb", NULL};
	static const char *const other[] = {"$SYS/something/else", NULL};

	(void)state;
	expect(none, DIALECT_NONE, "", DS_VERSION, NULL);
	expect(other, DIALECT_OTHER, "", DS_VERSION, NULL);
	assert_null(dialect_name(DIALECT_NONE));
}

/* The RabbitMQ note only where RabbitMQ's signature is: MQTT 5 hung up on, no $SYS. */
static void unit__dialect__rabbitmq_quirk(void **state)
{
	(void)state;
	assert_non_null(strstr(dialect_quirk(DIALECT_NONE, true), "retained messages only to"));
	assert_null(dialect_quirk(DIALECT_NONE, false));
	assert_null(dialect_quirk(DIALECT_MOSQUITTO, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__dialect__mosquitto),
	    cmocka_unit_test(unit__dialect__aedes),
	    cmocka_unit_test(unit__dialect__emqx),
	    cmocka_unit_test(unit__dialect__vernemq),
	    cmocka_unit_test(unit__dialect__nanomq),
	    cmocka_unit_test(unit__dialect__none_and_unknown),
	    cmocka_unit_test(unit__dialect__rabbitmq_quirk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
