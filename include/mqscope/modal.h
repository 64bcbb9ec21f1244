/* modal.h: overlays that take the keys while open (forms, pickers, dialogs), and background jobs.
 */
#ifndef MQSCOPE_MODAL_H
#define MQSCOPE_MODAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mqscope/session.h"

struct ui;
struct modal;
struct job;

/*
 * A modal is drawn over the panes and gets every key while it is on top.
 * A module embeds struct modal as the first member of its own state.
 */
struct modal_ops {
	const char *name;
	/* Handles a key (a character, or a KEY_* code when fn); returns false to close. */
	bool (*key)(struct modal *m, struct ui *u, int key, bool fn);
	/* Draws on the screen (rows x cols); create windows as needed. */
	void (*draw)(struct modal *m, struct ui *u, int rows, int cols);
	/* Optional: an outcome from the network thread (publish acknowledged...). */
	void (*event)(struct modal *m, struct ui *u, const struct session_event *ev);
	/* Optional: where the terminal cursor goes; false hides it. */
	bool (*cursor)(struct modal *m, int *y, int *x);
	/* Frees everything, the modal included. */
	void (*free)(struct modal *m);
};

struct modal {
	const struct modal_ops *ops;
};

#define JOB_DONE INT64_MAX

/*
 * A job is work spread over many loop turns (clearing ten thousand retained
 * topics) so the UI keeps answering keys. step() does a bounded slice and
 * returns when it wants to run again (monotonic ms; <= now means "soon"), or
 * JOB_DONE when finished.
 */
struct job_ops {
	const char *name;
	int64_t (*step)(struct job *j, struct ui *u, int64_t now_mono);
	void (*event)(struct job *j, struct ui *u, const struct session_event *ev);
	void (*free)(struct job *j);
};

struct job {
	const struct job_ops *ops;
};

#endif
