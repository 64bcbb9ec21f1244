/* test_fields.c: a status line's fields shortened, then dropped, by priority; never cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mqscope/fields.h"

static struct field field(int prio, const char *a, const char *b, const char *c)
{
	struct field f = {.form = {a, b, c}, .prio = prio};

	for (int i = 0; i < FIELD_FORMS; i++)
		f.width[i] = f.form[i] ? (int)strlen(f.form[i]) : 0;
	return f;
}

/* The line as shown, fields joined by two spaces. */
static void line(const struct field *f, size_t n, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (f[i].chosen < 0)
			continue;
		if (buf[0])
			strncat(buf, "  ", cap - strlen(buf) - 1);
		strncat(buf, f[i].form[f[i].chosen], cap - strlen(buf) - 1);
	}
}

static void unit__fields__shortened_then_dropped_least_important_first(void **state)
{
	struct field f[] = {
	    field(0, "connected", NULL, NULL),
	    field(1, "filter sensors/+ (12)", "f:sensors/+", NULL),
	    field(2, "sort last update", "sort last", NULL),
	    field(5, "msgs 1,234  50/s", "1,234 msgs", NULL),
	    field(6, "mem 12.0 MiB", "12M", NULL),
	};
	size_t n = sizeof(f) / sizeof(f[0]);
	char buf[256];
	int w;

	(void)state;
	w = fields_fit(f, n, 200, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "connected  filter sensors/+ (12)  sort last update  msgs 1,234  50/s  "
	                    "mem 12.0 MiB");
	assert_int_equal(w, (int)strlen(buf));
	/* Memory goes short, then away, before the counts are touched. */
	fields_fit(f, n, 75, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(
	    buf, "connected  filter sensors/+ (12)  sort last update  msgs 1,234  50/s  12M");
	fields_fit(f, n, 70, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "connected  filter sensors/+ (12)  sort last update  msgs 1,234  50/s");
	/* Then the counts, then the sort, then the filter: each shortened before it goes. */
	fields_fit(f, n, 62, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(buf, "connected  filter sensors/+ (12)  sort last update  1,234 msgs");
	fields_fit(f, n, 40, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(buf, "connected  filter sensors/+ (12)");
	fields_fit(f, n, 30, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(buf, "connected  f:sensors/+");
	/* The most important field goes last; nothing is ever cut. */
	w = fields_fit(f, n, 12, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(buf, "connected");
	w = fields_fit(f, n, 5, 2);
	line(f, n, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(w, 0);
}

static void unit__fields__equal_priorities_give_way_from_the_end(void **state)
{
	struct field f[] = {field(3, "q quit", NULL, NULL), field(3, "? help", NULL, NULL),
	                    field(3, "/ search", NULL, NULL)};
	char buf[64];

	(void)state;
	fields_fit(f, 3, 16, 2);
	line(f, 3, buf, sizeof(buf));
	assert_string_equal(buf, "q quit  ? help");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__fields__shortened_then_dropped_least_important_first),
	    cmocka_unit_test(unit__fields__equal_priorities_give_way_from_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
