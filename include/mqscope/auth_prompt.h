/* auth_prompt.h: asking for a username and password inside the UI when the broker refuses. */
#ifndef MQSCOPE_AUTH_PROMPT_H
#define MQSCOPE_AUTH_PROMPT_H

#include "mqscope/session.h"

struct ui;

/* Asks for a username (prefilled), then the password without showing it (the "login" action).
 */
void auth_prompt_open(struct ui *u);

/*
 * Called by the loop when the connection status changes: the first time the
 * broker refuses the credentials it asks for new ones (or, with another
 * overlay open, says which key does).
 */
struct app_link;
void auth_prompt_on_status(struct ui *u, const struct app_link *l, const struct session_status *st);

#endif
