/* export_view.h: exporting from the UI: a prompt for the file, then a job that writes it. */
#ifndef MQSCOPE_EXPORT_VIEW_H
#define MQSCOPE_EXPORT_VIEW_H

struct ui;

/* The latest value of every topic at and below the selection (the "export" action). */
void export_view_latest(struct ui *u);
/* The values the selected topic keeps (the "export-history" action). */
void export_view_history(struct ui *u);

#endif
