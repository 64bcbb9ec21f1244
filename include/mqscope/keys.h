/* keys.h: the key map from terminal keys to actions (ncurses side). */
#ifndef MQSCOPE_KEYS_H
#define MQSCOPE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/actions.h"

/* A key as read: a character below 256, or an ncurses KEY_* code. */
#define KEYMAP_SIZE 1024

/* Loads the default bindings of every action, each in its mode's table. */
void keys_init(void);
/* Binds a key name ("C-x", "Up", "q") to an action in its mode's table; false when unknown. */
bool keys_bind(const char *name, enum action a);
/* Removes every binding of an action. */
void keys_unbind_all(enum action a);
/*
 * The action key is bound to in mode m, or in the modes it falls back to;
 * ACT_NONE when none. fn: key is a KEY_* code (wget_wch's KEY_CODE_YES).
 */
enum action keys_lookup(enum key_mode m, int key, bool fn);
/* keys_lookup on the main screen, for a key below 256 or a KEY_* code. */
enum action keys_action(int key);
/* Whether key is a character to type into a field (a text key, not a control or a function key). */
bool keys_is_text(int key, bool fn);
/* Names of the keys bound to a, e.g. "Up k". */
void keys_describe(enum action a, char *buf, size_t cap);
/* The first of them ("Esc" of "Esc q c"), or "" when the action has no key. */
void keys_first(enum action a, char *buf, size_t cap);
/* Parses a key name; -1 when unknown. */
int keys_parse(const char *name);

#endif
