/* line_edit.h: a one-line UTF-8 text editor for prompts and form fields (no drawing). */
#ifndef MQSCOPE_LINE_EDIT_H
#define MQSCOPE_LINE_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct line_edit {
	char *buf;  /* NUL-terminated UTF-8 */
	size_t len; /* bytes */
	size_t cap;
	size_t cur; /* cursor, byte offset on a character boundary */
};

void line_edit_init(struct line_edit *e);
void line_edit_free(struct line_edit *e);
void line_edit_set(struct line_edit *e, const char *s);
void line_edit_clear(struct line_edit *e);
/* Inserts a Unicode code point at the cursor. */
void line_edit_insert(struct line_edit *e, uint32_t cp);
/* Inserts raw bytes (a paste) at the cursor. */
void line_edit_insert_bytes(struct line_edit *e, const char *s, size_t n);
void line_edit_backspace(struct line_edit *e);
void line_edit_delete(struct line_edit *e);
void line_edit_left(struct line_edit *e);
void line_edit_right(struct line_edit *e);
void line_edit_home(struct line_edit *e);
void line_edit_end(struct line_edit *e);
/* Deletes the word before the cursor (C-w). */
void line_edit_delete_word(struct line_edit *e);
/* Deletes from the start to the cursor (C-u). */
void line_edit_kill_start(struct line_edit *e);

#endif
