/* theme.h: named colour slots for everything the UI draws (ncurses side). */
#ifndef MQSCOPE_THEME_H
#define MQSCOPE_THEME_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* X(id, name, fg, bg, attrs, mono attrs): the built-in default theme. -1 = terminal default. */
#define MQS_SLOTS(X)                                                                               \
	X(NORMAL, "normal", -1, -1, A_NORMAL, A_NORMAL)                                            \
	X(BAR, "bar", COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE)                                \
	X(BAR_OK, "bar-ok", COLOR_GREEN, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD)                   \
	X(BAR_WARN, "bar-warn", COLOR_YELLOW, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD)              \
	X(BAR_BAD, "bar-bad", COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD)                  \
	X(BORDER, "border", COLOR_BLUE, -1, A_NORMAL, A_NORMAL)                                    \
	X(BRANCH, "branch", COLOR_CYAN, -1, A_BOLD, A_BOLD)                                        \
	X(LEAF, "leaf", -1, -1, A_NORMAL, A_NORMAL)                                                \
	X(COUNT, "count", COLOR_BLUE, -1, A_NORMAL, A_DIM)                                         \
	X(VALUE, "value", COLOR_GREEN, -1, A_NORMAL, A_NORMAL)                                     \
	X(RETAINED, "retained", COLOR_MAGENTA, -1, A_NORMAL, A_DIM)                                \
	X(SELECTED, "selected", COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE)                      \
	X(SELECTED_IDLE, "selected-unfocused", -1, -1, A_UNDERLINE, A_UNDERLINE)                   \
	X(ESCAPE, "escape", COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE)                           \
	X(META_KEY, "meta-key", COLOR_BLUE, -1, A_BOLD, A_BOLD)                                    \
	X(META, "meta", -1, -1, A_NORMAL, A_NORMAL)                                                \
	X(TITLE, "title", COLOR_YELLOW, -1, A_BOLD, A_BOLD)                                        \
	X(HINT, "hint", -1, -1, A_NORMAL, A_NORMAL)                                                \
	X(HINT_KEY, "hint-key", COLOR_CYAN, -1, A_BOLD, A_BOLD)                                    \
	X(PROMPT, "prompt", COLOR_YELLOW, -1, A_BOLD, A_BOLD)                                      \
	X(NOTICE, "notice", COLOR_GREEN, -1, A_BOLD, A_BOLD)                                       \
	X(ERROR, "error", COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE)                               \
	X(MATCH, "match", COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_UNDERLINE)                        \
	X(HELP, "help", -1, -1, A_NORMAL, A_NORMAL)                                                \
	X(JSON_KEY, "json-key", COLOR_BLUE, -1, A_BOLD, A_BOLD)                                    \
	X(JSON_STRING, "json-string", COLOR_GREEN, -1, A_NORMAL, A_NORMAL)                         \
	X(JSON_NUMBER, "json-number", COLOR_CYAN, -1, A_NORMAL, A_NORMAL)                          \
	X(JSON_BOOL, "json-bool", COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL)                           \
	X(JSON_NULL, "json-null", COLOR_RED, -1, A_NORMAL, A_DIM)                                  \
	X(JSON_PUNCT, "json-punct", -1, -1, A_NORMAL, A_NORMAL)                                    \
	X(FOLD, "fold", COLOR_YELLOW, -1, A_NORMAL, A_DIM)                                         \
	X(HEX_OFFSET, "hex-offset", COLOR_BLUE, -1, A_NORMAL, A_DIM)                               \
	X(DIFF_ADD, "diff-add", COLOR_GREEN, -1, A_BOLD, A_BOLD)                                   \
	X(DIFF_DEL, "diff-del", COLOR_RED, -1, A_BOLD, A_UNDERLINE)                                \
	X(DIFF_HUNK, "diff-hunk", COLOR_CYAN, -1, A_NORMAL, A_DIM)                                 \
	X(SPARK, "sparkline", COLOR_YELLOW, -1, A_BOLD, A_BOLD)                                    \
	X(CHANGED, "changed", COLOR_YELLOW, -1, A_BOLD, A_BOLD)                                    \
	X(RATE, "rate", COLOR_CYAN, -1, A_NORMAL, A_NORMAL)                                        \
	X(CURSOR, "cursor", -1, -1, A_REVERSE, A_REVERSE)                                          \
	X(ABSENT, "absent", -1, -1, A_DIM, A_DIM)                                                  \
	X(STALE, "stale", -1, -1, A_DIM, A_DIM)                                                    \
	X(ALARM, "alarm", COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD)

enum theme_slot {
#define X(id, name, fg, bg, attrs, mono) SLOT_##id,
	MQS_SLOTS(X)
#undef X
	    SLOT__COUNT
};

/*
 * Loads theme NAME (see theme_find in theme_file.h; NULL or a missing
 * "default" = the built-in theme above) before curses starts. Returns 0, or
 * -1 with "file:line: what" or where it looked in err.
 */
int theme_load(const char *name, char *err, size_t cap);
/* Slot names by enum theme_slot, as theme files spell them. */
const char *const *theme_slot_names(void);
/* What the loaded theme gives a slot (before fitting to the terminal); color = false: mono. */
void theme_slot_style(enum theme_slot s, short *fg, short *bg, attr_t *attrs, attr_t *mono,
                      bool *color);
/* Sets up colour pairs (or monochrome attributes when colour is off or unavailable). */
void theme_init(bool want_color);
/* The attributes (colour pair included) to draw a slot with. */
attr_t theme_attr(enum theme_slot s);
/* Whether colour is in use. */
bool theme_has_color(void);

#endif
