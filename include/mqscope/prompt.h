/* prompt.h: a one-line input on the bottom line (search, filter, file name...). */
#ifndef MQSCOPE_PROMPT_H
#define MQSCOPE_PROMPT_H

#include <stdbool.h>

#include "mqscope/actions.h"
#include "mqscope/line_edit.h"

struct ui;

/*
 * Applies a text-editing action (mode MODE_EDIT) to e, or with ACT_NONE types
 * key when it is a text key; returns false when it was neither. Shared by
 * every one-line field.
 */
bool field_edit(struct line_edit *e, enum action a, int key, bool fn);

/* Called with the text when the user presses Enter (not on Esc). */
typedef void (*prompt_done_fn)(struct ui *u, const char *text, void *data);

/*
 * Opens a prompt showing label, pre-filled with initial (may be NULL). The
 * label is shown whole: when it leaves the input under 24 columns, the input
 * goes on a line of its own below it.
 */
void prompt_open(struct ui *u, const char *label, const char *initial, prompt_done_fn done,
                 void *data);
/*
 * The same with a suggestion (a file name): the first character typed
 * replaces it; Enter takes it as it is; an editing key (Left, End,
 * Backspace...) keeps it to be edited.
 */
void prompt_suggest(struct ui *u, const char *label, const char *suggestion, prompt_done_fn done,
                    void *data);

#endif
