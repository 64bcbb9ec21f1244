/* test_sys.c: $SYS numbers: counter rates, the rate of a silent counter, the drop watch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mqscope/sys.h"
#include "mqscope/util.h"

#define RECEIVED SYS_BROKER "messages/received"

static struct tree *new_tree(void)
{
	struct tree_limits lim = {.payload_cap = 1024, .history = 32};

	return tree_new(&lim);
}

/* A message on topic with payload text at wall time ms (retained or live). */
static void put(struct tree *t, const char *topic, const char *text, int64_t ms, bool retained)
{
	struct tree_msg m = {.payload = text,
	                     .len = (uint32_t)strlen(text),
	                     .orig_len = (uint32_t)strlen(text),
	                     .time_ms = ms,
	                     .retained = retained};

	assert_int_not_equal(tree_insert(t, topic, strlen(topic), &m), TREE_NONE);
}

static void putn(struct tree *t, const char *topic, double x, int64_t ms, bool retained)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.0f", x);
	put(t, topic, buf, ms, retained);
}

static void unit__sys__number_of_a_topic(void **state)
{
	struct tree *t = new_tree();
	double x = -1;

	(void)state;
	assert_false(sys_number(t, SYS_BROKER "uptime", &x));
	put(t, SYS_BROKER "uptime", "1234 seconds", 1000, true);
	assert_true(sys_number(t, SYS_BROKER "uptime", &x));
	assert_true(x == 1234);
	put(t, SYS_BROKER "version", "mosquitto version 2.0.11", 1000, true);
	assert_false(sys_number(t, SYS_BROKER "version", &x));
	assert_false(sys_number(t, "", &x)); /* a statistic this broker does not publish */
	tree_free(t);
}

static void unit__sys__rates_between_successive_values(void **state)
{
	struct tree *t = new_tree();
	double r[8];
	int64_t interval;
	size_t n;

	(void)state;
	assert_int_equal(sys_rates(t, RECEIVED, r, 8, &interval), 0);
	assert_true(interval == INT64_MAX);
	/* The retained value, then live ones every 2 s: 10/s, then 20/s, then 0/s. */
	putn(t, RECEIVED, 90, 9800, true);
	putn(t, RECEIVED, 100, 10000, false);
	putn(t, RECEIVED, 120, 12000, false);
	putn(t, RECEIVED, 160, 14000, false);
	putn(t, RECEIVED, 160, 16000, false);
	n = sys_rates(t, RECEIVED, r, 8, &interval);
	assert_int_equal(n, 3);
	assert_true(r[0] == 10 && r[1] == 20 && r[2] == 0);
	assert_int_equal(interval, 2000);
	/* At most max, the newest. */
	n = sys_rates(t, RECEIVED, r, 2, &interval);
	assert_int_equal(n, 2);
	assert_true(r[0] == 20 && r[1] == 0);
	tree_free(t);
}

static void unit__sys__retained_first_value_is_only_a_start(void **state)
{
	struct tree *t = new_tree();
	double r[8];
	int64_t interval;

	(void)state;
	/* The retained value came 300 ms before the first live one: its time is when it reached
	 * us, so that interval would give 1,000/s instead of the 10/s the broker saw. */
	putn(t, RECEIVED, 1000, 9700, true);
	putn(t, RECEIVED, 1300, 10000, false);
	putn(t, RECEIVED, 1320, 12000, false);
	assert_int_equal(sys_rates(t, RECEIVED, r, 8, &interval), 1);
	assert_true(r[0] == 10);
	assert_int_equal(interval, 2000);
	tree_free(t);
}

static void unit__sys__counter_reset_and_non_numbers_are_skipped(void **state)
{
	struct tree *t = new_tree();
	double r[8];
	int64_t interval;

	(void)state;
	putn(t, RECEIVED, 400, 900, true);
	putn(t, RECEIVED, 500, 1000, false);
	putn(t, RECEIVED, 600, 2000, false);
	putn(t, RECEIVED, 5, 3000, false); /* the broker restarted */
	put(t, RECEIVED, "n/a", 4000, false);
	putn(t, RECEIVED, 15, 5000, false);
	assert_int_equal(sys_rates(t, RECEIVED, r, 8, &interval), 2);
	assert_true(r[0] == 100);
	assert_true(r[1] == 5); /* 5 -> 15 over the 2 s since the last number */
	tree_free(t);
}

static void unit__sys__a_silent_counter_means_no_traffic(void **state)
{
	struct tree *t = new_tree();
	double r[8];
	int64_t interval;
	size_t n;

	(void)state;
	putn(t, RECEIVED, 100, 10000, false);
	putn(t, RECEIVED, 130, 11000, false);
	n = sys_rates(t, RECEIVED, r, 8, &interval);
	assert_int_equal(n, 1);
	assert_true(sys_rate_now(t, RECEIVED, r, n, interval, 11500) == 30);
	/* Within two intervals and a margin it still counts; past that, nothing moves. */
	assert_true(sys_rate_now(t, RECEIVED, r, n, interval, 11000 + 3500) == 30);
	assert_true(sys_rate_now(t, RECEIVED, r, n, interval, 11000 + 3501) == 0);
	assert_true(sys_rate_now(t, RECEIVED, r, 0, interval, 11500) == 0);
	tree_free(t);
}

static void unit__sys__drops_count_growth_while_connected(void **state)
{
	struct tree *t = new_tree();
	struct sys_drops d;

	(void)state;
	sys_drops_init(&d);
	assert_int_equal(sys_drops_update(&d, t, 1), 0);
	/* The retained value on connecting holds drops from before: a baseline. */
	putn(t, SYS_DROPPED, 40, 1000, true);
	assert_int_equal(sys_drops_update(&d, t, 1), 0);
	putn(t, SYS_DROPPED, 45, 2000, false);
	assert_int_equal(sys_drops_update(&d, t, 1), 5);
	/* Looking again without a new value changes nothing. */
	assert_int_equal(sys_drops_update(&d, t, 1), 5);
	putn(t, SYS_DROPPED, 45, 3000, false);
	assert_int_equal(sys_drops_update(&d, t, 1), 5);
	/* Reconnected: what grew while away is not counted; the first value is a baseline. */
	putn(t, SYS_DROPPED, 90, 9000, true);
	assert_int_equal(sys_drops_update(&d, t, 2), 5);
	putn(t, SYS_DROPPED, 92, 10000, false);
	assert_int_equal(sys_drops_update(&d, t, 2), 7);
	/* A restarted broker counts from 0 again: its new value is the next baseline. */
	putn(t, SYS_DROPPED, 3, 11000, false);
	assert_int_equal(sys_drops_update(&d, t, 2), 7);
	putn(t, SYS_DROPPED, 4, 12000, false);
	assert_int_equal(sys_drops_update(&d, t, 2), 8);
	tree_free(t);
}

static void unit__sys__uptime_in_words(void **state)
{
	char buf[48];

	(void)state;
	fmt_uptime(buf, sizeof(buf), 65);
	assert_string_equal(buf, "1m 5s");
	fmt_uptime(buf, sizeof(buf), 7207);
	assert_string_equal(buf, "2h 0m 7s");
	fmt_uptime(buf, sizeof(buf), 4 * 86400 + 3600 + 30 * 60 + 59);
	assert_string_equal(buf, "4d 1h 30m");
	fmt_uptime(buf, sizeof(buf), -3);
	assert_string_equal(buf, "0m 0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__sys__number_of_a_topic),
	    cmocka_unit_test(unit__sys__rates_between_successive_values),
	    cmocka_unit_test(unit__sys__retained_first_value_is_only_a_start),
	    cmocka_unit_test(unit__sys__counter_reset_and_non_numbers_are_skipped),
	    cmocka_unit_test(unit__sys__a_silent_counter_means_no_traffic),
	    cmocka_unit_test(unit__sys__drops_count_growth_while_connected),
	    cmocka_unit_test(unit__sys__uptime_in_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
