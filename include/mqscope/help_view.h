/* help_view.h: the help overlay listing every action and its keys. */
#ifndef MQSCOPE_HELP_VIEW_H
#define MQSCOPE_HELP_VIEW_H

struct ui;

/* Opens the help overlay (the "help" action). */
void help_view_open(struct ui *u);

#endif
