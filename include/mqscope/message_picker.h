/* message_picker.h: the saved-messages picker (config file's and mqscope's own list). */
#ifndef MQSCOPE_MESSAGE_PICKER_H
#define MQSCOPE_MESSAGE_PICKER_H

struct ui;

/* The "messages" action: lists saved messages and groups; Enter sends. */
void message_picker_open(struct ui *u);

#endif
