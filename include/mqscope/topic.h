/* topic.h: MQTT topic filter matching, as the MQTT specification defines it. */
#ifndef MQSCOPE_TOPIC_H
#define MQSCOPE_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

/* Whether topic (len bytes) matches filter ('+' one level, '#' the rest; '$' topics need a literal
 * first level). */
bool topic_matches(const char *filter, const char *topic, size_t len);
/* Whether filter is a valid subscription filter. */
bool topic_filter_valid(const char *filter);
/* Whether two valid filters match some topic in common (a message both would deliver). */
bool topic_filters_overlap(const char *a, const char *b);
/* Whether filter has any wildcard. */
bool topic_has_wildcard(const char *filter);

#endif
