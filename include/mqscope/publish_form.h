/* publish_form.h: the publish form: topic, multi-line payload, QoS, retain, MQTT 5 properties. */
#ifndef MQSCOPE_PUBLISH_FORM_H
#define MQSCOPE_PUBLISH_FORM_H

#include "mqscope/pub_draft.h"

struct ui;

/* The "publish" action: a form prefilled with the selected topic. */
void publish_form_open(struct ui *u);
/* The "publish-again" action: the form prefilled with the selected topic's last value. */
void publish_form_again(struct ui *u);
/* Opens the form on a draft with a status line (NULL for none), shown as an error. */
void publish_form_open_draft(struct ui *u, const struct pub_draft *d, const char *status);

#endif
