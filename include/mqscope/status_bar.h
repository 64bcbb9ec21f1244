/* status_bar.h: the top bar (broker, connection, counts) and the bottom hint line. */
#ifndef MQSCOPE_STATUS_BAR_H
#define MQSCOPE_STATUS_BAR_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/session.h"

struct status_info {
	const char *broker;
	bool demo;
	bool offline;
	bool insecure;   /* --insecure: the broker's host name is not checked */
	bool unverified; /* --insecure without a CA: its certificate is not checked at all */
	const struct session_status *st;
	const char *states; /* several brokers: each one's state in a word, instead of st */
	bool all_up, any_down;
	int64_t now_mono;
	uint64_t msgs;
	uint64_t rate;
	uint64_t topics;
	uint64_t drops;
	uint64_t refused_topics; /* messages refused a new topic by max_topics */
	uint64_t refused_names;  /* by the names budget */
	uint64_t refused_deep;   /* over 65,535 levels */
	uint64_t refused_nomem;  /* out of memory */
	size_t max_topics;
	uint64_t cut; /* payloads kept only in part */
	size_t mem;
	const char *mem_each; /* several brokers: "house 1.2 MiB  cloud 3.4 MiB", or NULL */
	bool over_budget;
	uint64_t budget_hits; /* values given up or kept short for memory_budget */
	bool paused;
	uint64_t backlog;        /* messages taken in since the pause began */
	uint64_t broker_dropped; /* the broker's $SYS drop count grew by this since we connected */
	const char *replay;      /* "replay 10x 45%", or NULL */
	const char *filter;      /* the filter as typed ("sensors/#"), or NULL */
	uint64_t filter_matches; /* topics it shows */
	const char *sort;        /* sort order other than by name, or NULL */
	bool recording, record_failed;
	uint64_t silent;          /* topics silent now */
	uint64_t offline_devices; /* devices that left a will */
	const char *alarm; /* the newest watch that holds: "ALARM kitchen > 30: 31.5", or NULL */
};

void status_bar_draw(WINDOW *w, int wd, const struct status_info *si);

enum hint_kind { HINT_KEYS, HINT_NOTICE, HINT_ERROR };

/* Lines a notice of wd columns needs: 1, or 2 when it is longer than one line holds. */
int hint_lines(int wd, const char *text);
/*
 * Draws the bottom line into w (lines tall): a notice, or the most useful
 * keys. A notice never ends cut: on two lines it wraps at a space, and what
 * is still too long is shortened in the middle (the log `c` keeps it whole).
 */
void hint_line_draw(WINDOW *w, int lines, int wd, enum hint_kind kind, const char *text);

#endif
