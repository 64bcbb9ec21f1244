/* keys.h: the key map from terminal keys to actions (ncurses side). */
#ifndef MQSCOPE_KEYS_H
#define MQSCOPE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/actions.h"

/* A key as read: a character below 256, or an ncurses KEY_* code. */
#define KEYMAP_SIZE 1024

/* Loads the default bindings of every action. */
void keys_init(void);
/* Binds a key name ("C-x", "Up", "q") to an action; false when the name is unknown. */
bool keys_bind(const char *name, enum action a);
/* Removes every binding of an action. */
void keys_unbind_all(enum action a);
/* The action bound to key, or ACT_NONE. */
enum action keys_action(int key);
/* Names of the keys bound to a, e.g. "Up k". */
void keys_describe(enum action a, char *buf, size_t cap);
/* Parses a key name; -1 when unknown. */
int keys_parse(const char *name);

#endif
