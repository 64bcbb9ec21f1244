/* clear_retained.h: clearing retained messages, of one topic or of a whole branch. */
#ifndef MQSCOPE_CLEAR_RETAINED_H
#define MQSCOPE_CLEAR_RETAINED_H

struct ui;

/*
 * The "clear-retained" action: on a topic, publishes an empty retained
 * message; on a branch, asks for confirmation (stating how many retained
 * topics it holds), then clears them in the background with progress on the
 * hint line. Pressed again while that runs, it offers to stop.
 */
void clear_retained_open(struct ui *u);

#endif
