/* secret.h: where the broker password comes from besides flags: the environment and the terminal.
 */
#ifndef MQSCOPE_SECRET_H
#define MQSCOPE_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/settings.h"

/* The environment variable read when no password is given on the command line. */
#define SECRET_ENV "MQSCOPE_PASSWORD"

/*
 * Takes the password from $MQSCOPE_PASSWORD when no -P (or -L user:password@)
 * was given and a username is set; it then beats the config file's password.
 * The variable is removed from the environment either way, so the demo broker
 * and other children never see it. Returns whether it was used.
 */
bool secret_from_env(struct settings *s);

/*
 * When the password is "-" (-P - or password = "-" in a profile), asks for it
 * on /dev/tty without echo, before curses starts. Returns 0, or -1 with a
 * message (no terminal, or input ended).
 */
int secret_prompt(struct settings *s, char *err, size_t cap);
/* The same for one broker of several: the prompt names it (its label in the tree). */
int secret_prompt_for(struct settings *s, const char *broker, char *err, size_t cap);

/*
 * Reads one line from the terminal with echo off after writing prompt;
 * Ctrl-C restores the terminal before the process dies. Returns 0, or -1
 * with a message.
 */
int secret_read_tty(const char *prompt, char *buf, size_t cap, char *err, size_t errcap);

/*
 * Keeps secrets in this process's memory to itself: not dumpable (no core
 * file; other processes of the same user cannot ptrace it or read its memory
 * through /proc) and a core size limit of 0.
 */
void secret_protect_process(void);

#endif
