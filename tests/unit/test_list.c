/* test_list.c: the one paging rule of every list: moves, pages, ends, selection, search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/list.h"

static struct list make(size_t n, size_t h, bool reader)
{
	struct list l;

	list_init(&l, reader);
	list_set(&l, n, h);
	return l;
}

static void unit__list__moves_keep_the_selection_on_screen(void **state)
{
	struct list l = make(100, 10, false);

	(void)state;
	assert_int_equal(l.sel, 0);
	assert_int_equal(l.top, 0);
	for (int i = 0; i < 9; i++)
		list_move(&l, ACT_MOVE_DOWN);
	assert_int_equal(l.sel, 9);
	assert_int_equal(l.top, 0); /* still on screen: no scroll */
	list_move(&l, ACT_MOVE_DOWN);
	assert_int_equal(l.sel, 10);
	assert_int_equal(l.top, 1); /* one row, only as far as needed */
	list_move(&l, ACT_MOVE_UP);
	assert_int_equal(l.sel, 9);
	assert_int_equal(l.top, 1);
	list_move(&l, ACT_FIRST);
	list_move(&l, ACT_MOVE_UP);
	assert_int_equal(l.sel, 0);
	list_move(&l, ACT_LAST);
	assert_int_equal(l.sel, 99);
	assert_int_equal(l.top, 90);
	list_move(&l, ACT_MOVE_DOWN);
	assert_int_equal(l.sel, 99);
	assert_false(list_move(&l, ACT_QUIT));
}

static void unit__list__a_page_moves_view_and_selection_together(void **state)
{
	struct list l = make(100, 10, false);

	(void)state;
	assert_int_equal(list_page(&l), 9);
	list_move(&l, ACT_MOVE_DOWN);
	list_move(&l, ACT_MOVE_DOWN); /* third row on screen */
	list_move(&l, ACT_PAGE_DOWN);
	assert_int_equal(l.top, 9);
	assert_int_equal(l.sel, 11); /* still the third row on screen */
	list_move(&l, ACT_PAGE_DOWN);
	assert_int_equal(l.top, 18);
	assert_int_equal(l.sel, 20);
	list_move(&l, ACT_PAGE_UP);
	assert_int_equal(l.top, 9);
	assert_int_equal(l.sel, 11);
	list_move(&l, ACT_PAGE_UP);
	list_move(&l, ACT_PAGE_UP); /* on the first page: to the first row */
	assert_int_equal(l.top, 0);
	assert_int_equal(l.sel, 0);
}

static void unit__list__the_last_page_ends_on_the_last_row(void **state)
{
	struct list l = make(25, 10, false);

	(void)state;
	list_move(&l, ACT_PAGE_DOWN); /* top 9 */
	list_move(&l, ACT_PAGE_DOWN); /* top would be 18: only 15 can be */
	assert_int_equal(l.top, 15);
	assert_true(l.sel >= l.top && l.sel < l.top + 10);
	list_move(&l, ACT_PAGE_DOWN);
	assert_int_equal(l.sel, 24);
	assert_int_equal(list_bottom(&l), 25);
	/* A list shorter than the screen: a page goes to the end at once. */
	l = make(4, 10, false);
	list_move(&l, ACT_PAGE_DOWN);
	assert_int_equal(l.sel, 3);
	assert_int_equal(l.top, 0);
}

static void unit__list__reader_scrolls_by_the_same_rule(void **state)
{
	struct list l = make(30, 10, true);

	(void)state;
	list_move(&l, ACT_MOVE_DOWN);
	assert_int_equal(l.top, 1);
	list_move(&l, ACT_PAGE_DOWN);
	assert_int_equal(l.top, 10);
	list_move(&l, ACT_LAST);
	assert_int_equal(l.top, 20); /* the last screenful, not the last row alone */
	list_move(&l, ACT_MOVE_DOWN);
	assert_int_equal(l.top, 20);
	list_move(&l, ACT_PAGE_UP);
	assert_int_equal(l.top, 11);
	list_move(&l, ACT_FIRST);
	assert_int_equal(l.top, 0);
	list_select(&l, 15, false);
	assert_int_equal(l.top, 15);
}

static void unit__list__rows_and_height_can_shrink_under_it(void **state)
{
	struct list l = make(100, 10, false);

	(void)state;
	list_move(&l, ACT_LAST);
	list_set(&l, 5, 10);
	assert_int_equal(l.sel, 4);
	assert_int_equal(l.top, 0);
	list_set(&l, 0, 10);
	assert_int_equal(l.sel, 0);
	assert_true(list_move(&l, ACT_MOVE_DOWN));
	assert_int_equal(l.sel, 0);
	list_set(&l, 50, 0); /* no height known yet: one row */
	list_select(&l, 30, false);
	assert_int_equal(l.top, 30);
	list_set(&l, 50, 3);
	assert_true(l.sel >= l.top && l.sel < l.top + 3);
}

static void unit__list__select_scrolls_or_centres(void **state)
{
	struct list l = make(100, 10, false);

	(void)state;
	list_select(&l, 12, false);
	assert_int_equal(l.top, 3);
	list_select(&l, 50, true);
	assert_int_equal(l.sel, 50);
	assert_int_equal(l.top, 45);
	list_select(&l, 52, true); /* on screen: no scroll */
	assert_int_equal(l.top, 45);
	list_select(&l, 1000, true);
	assert_int_equal(l.sel, 99);
	assert_int_equal(l.top, 90);
}

static const char *const words[] = {"alpha", "Beta", "gamma", "beta-two", "delta"};

static const char *word(void *ctx, size_t i, size_t *len)
{
	(void)ctx;
	*len = strlen(words[i]);
	return words[i];
}

static void unit__list__find_wraps_and_ignores_case(void **state)
{
	struct list l = make(5, 3, false);
	bool wrapped;

	(void)state;
	assert_int_equal(list_find(&l, "beta", 0, 1, word, NULL, &wrapped), 1);
	assert_false(wrapped);
	assert_int_equal(list_find(&l, "beta", 2, 1, word, NULL, &wrapped), 3);
	assert_int_equal(list_find(&l, "beta", 4, 1, word, NULL, &wrapped), 1);
	assert_true(wrapped);
	assert_int_equal(list_find(&l, "beta", 2, -1, word, NULL, &wrapped), 1);
	assert_false(wrapped);
	assert_int_equal(list_find(&l, "beta", 0, -1, word, NULL, &wrapped), 3);
	assert_true(wrapped);
	assert_int_equal(list_find(&l, "zeta", 0, 1, word, NULL, &wrapped), SIZE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__list__moves_keep_the_selection_on_screen),
	    cmocka_unit_test(unit__list__a_page_moves_view_and_selection_together),
	    cmocka_unit_test(unit__list__the_last_page_ends_on_the_last_row),
	    cmocka_unit_test(unit__list__reader_scrolls_by_the_same_rule),
	    cmocka_unit_test(unit__list__rows_and_height_can_shrink_under_it),
	    cmocka_unit_test(unit__list__select_scrolls_or_centres),
	    cmocka_unit_test(unit__list__find_wraps_and_ignores_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
