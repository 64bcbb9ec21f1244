/* dashboard.h: the broker dashboard built from $SYS (the numbers themselves: sys.h). */
#ifndef MQSCOPE_DASHBOARD_H
#define MQSCOPE_DASHBOARD_H

struct ui;

/* Opens the dashboard overlay (the "dashboard" action). */
void dashboard_open(struct ui *u);

#endif
