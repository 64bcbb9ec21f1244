/* prompt.h: a one-line input on the bottom line (search, filter, file name...). */
#ifndef MQSCOPE_PROMPT_H
#define MQSCOPE_PROMPT_H

#include <stdbool.h>

#include "mqscope/line_edit.h"

struct ui;

/* Applies a line-editing key (arrows, Home/End, C-a/e/b/f/d/k/u/w, Backspace, text) to e;
 * returns false when the key is not an editing key. Shared by every one-line field. */
bool field_edit_key(struct line_edit *e, int key, bool fn);

/* Called with the text when the user presses Enter (not on Esc). */
typedef void (*prompt_done_fn)(struct ui *u, const char *text, void *data);

/* Opens a prompt showing label, pre-filled with initial (may be NULL). */
void prompt_open(struct ui *u, const char *label, const char *initial, prompt_done_fn done,
                 void *data);

#endif
