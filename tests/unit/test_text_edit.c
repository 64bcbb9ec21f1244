/* test_text_edit.c: the multi-line payload editor model: rows, wrapping, moves, paste. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/text_edit.h"

static void type(struct text_edit *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			text_edit_newline(t);
		else
			text_edit_insert(t, (unsigned char)*s);
	}
}

static void unit__text_edit__lines_and_vertical_moves(void **state)
{
	struct text_edit t;
	int r, c;

	(void)state;
	text_edit_init(&t);
	text_edit_view(&t, 40, 10, 0);
	type(&t, "{\n  \"state\": \"ON\",\n  \"x\": 1\n}");
	assert_int_equal(text_edit_lines(&t), 4);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 3);
	assert_int_equal(c, 1);
	/* Up keeps the column; a short line puts the cursor at its end, then it returns. */
	text_edit_up(&t);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 2);
	assert_int_equal(c, 1);
	text_edit_end(&t);
	text_edit_up(&t);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 1);
	assert_int_equal(c, 8);
	text_edit_up(&t);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 0);
	assert_int_equal(c, 1); /* "{" is one column: end of the first line */
	text_edit_down(&t);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 1);
	assert_int_equal(c, 8);
	/* Home/End are the line's; C-k joins lines at the end of one. */
	text_edit_home(&t);
	assert_int_equal(t.e.cur, 2);
	text_edit_end(&t);
	assert_int_equal(t.e.buf[t.e.cur], '\n');
	text_edit_kill_end(&t);
	assert_string_equal(t.e.buf, "{\n  \"state\": \"ON\",  \"x\": 1\n}");
	text_edit_kill_start(&t);
	assert_string_equal(t.e.buf, "{\n  \"x\": 1\n}");
	/* C-w takes the word before the cursor, never more than its line. */
	text_edit_end(&t);
	text_edit_delete_word(&t);
	assert_string_equal(t.e.buf, "{\n  \"x\": \n}");
	text_edit_delete_word(&t);
	assert_string_equal(t.e.buf, "{\n  \n}");
	text_edit_delete_word(&t);
	assert_string_equal(t.e.buf, "{\n\n}");
	text_edit_delete_word(&t);
	assert_string_equal(t.e.buf, "{\n}");
	text_edit_set(&t, "{\n  \"x\": 1\n}", 12);
	text_edit_home(&t);
	/* Down from the last row goes to the end; up from the first to the start. */
	text_edit_down(&t);
	text_edit_down(&t);
	text_edit_down(&t);
	assert_int_equal(t.e.cur, t.e.len);
	text_edit_up(&t);
	text_edit_up(&t);
	text_edit_up(&t);
	assert_int_equal(t.e.cur, 0);
	text_edit_free(&t);
}

static void unit__text_edit__wrapping_and_scrolling(void **state)
{
	struct text_edit t;
	char line[101];
	size_t nx, e;
	int r, c;

	(void)state;
	memset(line, 'a', 100);
	line[100] = '\0';
	text_edit_init(&t);
	text_edit_view(&t, 11, 3, 0); /* rows of 10 columns */
	type(&t, line);
	/* 100 columns: 10 rows of 10, the cursor after the last on the tenth row. */
	e = text_edit_row(&t, 0, &nx);
	assert_int_equal(e, 10);
	assert_int_equal(nx, 10);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 2); /* scrolled: the cursor is on the last visible row */
	assert_int_equal(c, 10);
	assert_int_equal(t.top, 70);
	text_edit_top(&t);
	assert_int_equal(t.top, 0);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 0);
	/* Down on a wrapped line moves one display row, not one line. */
	text_edit_right(&t);
	text_edit_right(&t);
	text_edit_down(&t);
	assert_int_equal(t.e.cur, 12);
	text_edit_page_down(&t);
	assert_int_equal(t.e.cur, 32);
	text_edit_page_up(&t);
	assert_int_equal(t.e.cur, 12);
	/* Wide and escaped characters count their columns: an ESC is drawn as \e (2 columns). */
	text_edit_set(&t, "\x1b\x1b\x1b\x1b\x1b\x1b", 6);
	e = text_edit_row(&t, 0, &nx);
	assert_int_equal(e, 5);
	text_edit_set(&t,
	              "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5",
	              18); /* 6 x 日, 2 columns each */
	e = text_edit_row(&t, 0, &nx);
	assert_int_equal(e, 15);
	/* A trailing newline makes an empty last row where the cursor sits. */
	text_edit_set(&t, "ab\n", 3);
	text_edit_view(&t, 11, 3, 0);
	text_edit_cursor(&t, &r, &c);
	assert_int_equal(r, 1);
	assert_int_equal(c, 0);
	text_edit_free(&t);
}

static void unit__text_edit__paste_long_text(void **state)
{
	struct text_edit t;
	size_t n = 200000;
	char *big = malloc(n);
	int r, c;

	(void)state;
	for (size_t i = 0; i < n; i++)
		big[i] = (i % 100 == 99) ? '\r' : (char)('a' + i % 26);
	text_edit_init(&t);
	text_edit_view(&t, 60, 8, 0);
	type(&t, "[]");
	text_edit_left(&t);
	text_edit_paste(&t, big, n);
	/* CR became LF; the text went in between the brackets; the cursor follows it. */
	assert_int_equal(t.e.len, n + 2);
	assert_int_equal(t.e.buf[0], '[');
	assert_int_equal(t.e.buf[100], '\n');
	assert_int_equal(t.e.buf[t.e.len - 1], ']');
	assert_int_equal(t.e.cur, n + 1);
	assert_int_equal(text_edit_lines(&t), n / 100 + 1);
	text_edit_cursor(&t, &r, &c);
	assert_true(r >= 0 && r < 8);
	text_edit_paste(&t, "x\r\ny", 4);
	assert_int_equal(memcmp(t.e.buf + n + 1, "x\ny]", 4), 0);
	text_edit_free(&t);
	free(big);
}

int main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__text_edit__lines_and_vertical_moves),
	    cmocka_unit_test(unit__text_edit__wrapping_and_scrolling),
	    cmocka_unit_test(unit__text_edit__paste_long_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
