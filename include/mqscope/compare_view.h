/* compare_view.h: the compare window: the selected branch lined up across brokers. */
#ifndef MQSCOPE_COMPARE_VIEW_H
#define MQSCOPE_COMPARE_VIEW_H

struct ui;

/* The "compare" action: opens the window for the selection (several brokers only). */
void compare_view_open(struct ui *u);

#endif
