/* watch_view.h: watches from the UI: adding one on the selected topic, and the watch window. */
#ifndef MQSCOPE_WATCH_VIEW_H
#define MQSCOPE_WATCH_VIEW_H

struct ui;

/* Prompts for a watch, prefilled with the selected topic (the "add-watch" action). */
void watch_view_add(struct ui *u);
/* Opens the window of watches and their log (the "watches" action). */
void watch_view_open(struct ui *u);

#endif
