/* ui.h: the terminal front end's entry point (no curses types here). */
#ifndef MQSCOPE_UI_H
#define MQSCOPE_UI_H

#include "mqscope/app.h"

/* Runs the UI on the current terminal until the user quits; returns the exit status. */
int ui_run(struct app *app);

#endif
