/* test_diff.c: line diffs of text and pretty JSON, with context, hunks and colours kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/diff.h"
#include "mqscope/payload.h"

/* Joins the diff's lines as "<mark><text>\n" with - + and space marks and @@ headers. */
static const char *render_diff(const struct pdoc *d)
{
	static char buf[8192];
	size_t o = 0;

	for (size_t i = 0; i < d->nlines; i++) {
		const struct pline *l = &d->lines[i];
		char mark = l->kind == PL_ADD ? '+' : l->kind == PL_DEL ? '-' : ' ';

		if (l->kind != PL_HUNK)
			buf[o++] = mark;
		for (unsigned k = 0; k < l->depth; k++)
			o += (size_t)sprintf(buf + o, "  ");
		memcpy(buf + o, d->text + l->off, l->len);
		o += l->len;
		buf[o++] = '\n';
	}
	buf[o] = '\0';
	return buf;
}

static void text_lines(const char *s, struct pdoc *d)
{
	payload_text_doc(s, strlen(s), d);
	payload_split_lines(d);
}

static void unit__diff__lines_with_context_and_hunks(void **state)
{
	struct pdoc a, b, out;

	(void)state;
	pdoc_init(&a);
	pdoc_init(&b);
	pdoc_init(&out);
	text_lines("a\nb\nc\nd\ne\nf\ng\nh\ni\nj", &a);
	text_lines("a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk", &b);
	assert_int_equal(diff_docs(&a, &b, 1, &out), 3);
	assert_string_equal(render_diff(&out), "@@ -3,3 +3,3 @@\n"
	                                       " c\n"
	                                       "-d\n"
	                                       "+D\n"
	                                       " e\n"
	                                       "@@ -10,1 +10,2 @@\n"
	                                       " j\n"
	                                       "+k\n");
	/* Identical: nothing. */
	assert_int_equal(diff_docs(&a, &a, 3, &out), 0);
	assert_int_equal(out.nlines, 0);

	/* Pretty JSON diff: one changed value, with its JSON colours kept. */
	const char *j1 = "{\"state\":\"OFF\",\"brightness\":40,\"color\":\"red\"}";
	const char *j2 = "{\"state\":\"ON\",\"brightness\":40,\"color\":\"red\"}";
	assert_true(payload_json_doc(j1, strlen(j1), &a));
	assert_true(payload_json_doc(j2, strlen(j2), &b));
	assert_int_equal(diff_docs(&a, &b, 3, &out), 2);
	assert_string_equal(render_diff(&out), "@@ -1,5 +1,5 @@\n"
	                                       " {\n"
	                                       "-  \"state\": \"OFF\",\n"
	                                       "+  \"state\": \"ON\",\n"
	                                       "   \"brightness\": 40,\n"
	                                       "   \"color\": \"red\"\n"
	                                       " }\n");
	assert_non_null(out.style);
	assert_int_equal(out.style[out.lines[2].off], PS_KEY);

	/* Everything different and large: still a correct (if not minimal) diff. */
	char *x = malloc(40000), *y = malloc(40000);
	size_t ox = 0, oy = 0;
	for (int i = 0; i < 3000; i++) {
		ox += (size_t)sprintf(x + ox, "x%d\n", i);
		oy += (size_t)sprintf(y + oy, "y%d\n", i);
	}
	payload_text_doc(x, ox, &a);
	payload_split_lines(&a);
	payload_text_doc(y, oy, &b);
	payload_split_lines(&b);
	size_t changed = diff_docs(&a, &b, 3, &out);
	assert_int_equal(changed, a.nlines + b.nlines - 2); /* the last (empty) line is shared */
	free(x);
	free(y);
	pdoc_free(&a);
	pdoc_free(&b);
	pdoc_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__diff__lines_with_context_and_hunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
