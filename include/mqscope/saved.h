/* saved.h: the saved-messages file mqscope owns and rewrites (the config file it never touches). */
#ifndef MQSCOPE_SAVED_H
#define MQSCOPE_SAVED_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/settings.h"

/* $XDG_CONFIG_HOME/mqscope/messages, else ~/.config/mqscope/messages. */
void saved_default_path(char *buf, size_t cap);

/*
 * Reads the messages in path (the config file's `messages = ( ... )` syntax)
 * into a new list. A missing file is an empty list. Returns 0, or -1 with
 * "file:line: what" in err.
 */
int saved_load(const char *path, struct saved_msg **list, size_t *n, char *err, size_t cap);

/*
 * Replaces path with the list, atomically (a temporary file renamed over it),
 * creating the directory. Returns 0, or -1 with the reason in err.
 */
int saved_write(const char *path, const struct saved_msg *list, size_t n, char *err, size_t cap);

/* Whether a payload can be kept in the file (no NUL bytes); false with why in err. */
bool saved_payload_ok(const char *payload, size_t len, char *err, size_t cap);

/* Appends a copy of m to a list. */
void saved_append(struct saved_msg **list, size_t *n, const struct saved_msg *m);
/* Removes entry i from a list. */
void saved_remove(struct saved_msg *list, size_t *n, size_t i);
void saved_free(struct saved_msg *list, size_t n);

#endif
