/* conn_log.h: the connection log overlay: when mqscope connected, lost the broker, and why. */
#ifndef MQSCOPE_CONN_LOG_H
#define MQSCOPE_CONN_LOG_H

struct ui;

/* Opens the connection log (the "connection-log" action). */
void conn_log_open(struct ui *u);

#endif
