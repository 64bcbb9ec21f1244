/* fuzz_screen.h: a curses screen for the UI harnesses (fuzz_view, fuzz_treeview), writing to
 * /dev/null, and the check of what a pane left in its window. */
#ifndef MQSCOPE_FUZZ_SCREEN_H
#define MQSCOPE_FUZZ_SCREEN_H

#include <curses.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mqscope/actions.h"
#include "mqscope/sanitize.h"
#include "mqscope/theme.h"

/* Starts curses once, in colour, on a terminal that goes nowhere. */
static inline void fuzz_screen_init(void)
{
	static bool done;

	if (done)
		return;
	setlocale(LC_ALL, "C.UTF-8");
	FILE *out = fopen("/dev/null", "w"), *kbd = fopen("/dev/null", "r");
	if (out == NULL || kbd == NULL || newterm("xterm-256color", out, kbd) == NULL)
		abort();
	theme_init(true);
	done = true;
}

/* Every cell holds what the sanitizer would draw as text: no control character, no invalid or
 * deceptive character from the network. */
static inline void fuzz_check_cells(WINDOW *w, int h, int wd)
{
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < wd; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t attrs;
			short pair;

			if (mvwin_wch(w, y, x, &cc) == ERR)
				abort();
			if (getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
				abort();
			for (int i = 0; i < CCHARW_MAX && wch[i]; i++) {
				char mb[MB_LEN_MAX];
				mbstate_t st;
				size_t n;
				struct san_glyph g;

				if (wch[i] < 0x20 || (wch[i] >= 0x7f && wch[i] < 0xa0))
					abort(); /* a control character on screen */
				memset(&st, 0, sizeof(st));
				n = wcrtomb(mb, wch[i], &st);
				if (n == (size_t)-1)
					abort();
				if (sanitize_next(mb, mb + n, 0, &g) != n || g.kind != SAN_TEXT)
					abort(); /* something the sanitizer would have escaped */
			}
		}
	}
}

/*
 * The action a step's byte stands for: the main screen's actions in the order
 * the action list had when the corpora and regressions were made, so that
 * they keep meaning the same key presses.
 */
static inline enum action fuzz_action(unsigned b)
{
	static const enum action acts[] = {
	    ACT_NONE,           ACT_MOVE_UP,       ACT_MOVE_DOWN,   ACT_PAGE_UP,
	    ACT_PAGE_DOWN,      ACT_FIRST,         ACT_LAST,        ACT_COLLAPSE,
	    ACT_EXPAND,         ACT_TOGGLE_BRANCH, ACT_EXPAND_ALL,  ACT_COLLAPSE_ALL,
	    ACT_FOCUS_NEXT,     ACT_SEARCH,        ACT_SEARCH_NEXT, ACT_SEARCH_PREV,
	    ACT_PUBLISH,        ACT_PUBLISH_AGAIN, ACT_TOGGLE,      ACT_MESSAGES,
	    ACT_CLEAR_RETAINED, ACT_SUBSCRIPTIONS, ACT_LOGIN,       ACT_CONNECTION_LOG,
	    ACT_PAYLOAD_VIEW,   ACT_HISTORY,       ACT_OLDER_VALUE, ACT_NEWER_VALUE,
	    ACT_DIFF,           ACT_CHART,         ACT_TREND_FIELD, ACT_SORT,
	    ACT_FILTER,         ACT_DASHBOARD,     ACT_PAUSE,       ACT_COPY_TOPIC,
	    ACT_COPY_PAYLOAD,   ACT_WRITE_PAYLOAD, ACT_HELP,        ACT_REDRAW,
	    ACT_QUIT,
	};

	return acts[b % (sizeof(acts) / sizeof(acts[0]))];
}

#endif
