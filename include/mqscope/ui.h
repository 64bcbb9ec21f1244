/* ui.h: the terminal front end's entry point (no curses types here). */
#ifndef MQSCOPE_UI_H
#define MQSCOPE_UI_H

#include "mqscope/app.h"

/* Checks what only the UI can check in the settings (key names) and loads the theme; -1 with
 * "file:line: ..." in err.
 */
int ui_check_config(const struct settings *cfg, char *err, size_t cap);

/*
 * Runs the UI on the current terminal until the user quits (exit status 0) or
 * SIGTERM, SIGHUP, SIGINT or SIGQUIT arrives (128 + the signal, after leaving
 * curses: the terminal is restored either way).
 */
int ui_run(struct app *app);

#endif
