/* ui_api.h: what modules of the UI (views, forms, jobs) may ask of the UI loop. */
#ifndef MQSCOPE_UI_API_H
#define MQSCOPE_UI_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/app.h"
#include "mqscope/modal.h"
#include "mqscope/status_bar.h"
#include "mqscope/tree.h"

struct ui;
struct tree_view;
struct payload_view;

struct app *ui_app(struct ui *u);
/* The broker of the selection (the only one, with one broker). */
struct app_link *ui_link(struct ui *u);
/* Its session, or NULL when offline. */
struct session *ui_session(struct ui *u);
/* The selected node, or TREE_NONE. */
tree_id ui_selected(struct ui *u);
/* Selects a node (expanding its ancestors) and scrolls to it. */
void ui_select(struct ui *u, tree_id id);
struct tree_view *ui_tree_view(struct ui *u);
/* Shows a line on the hint bar until the next key. */
void ui_notice(struct ui *u, enum hint_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A message the bottom line showed, kept to be read whole again (the log, `c`). */
#define UI_MESSAGES_MAX 32
struct ui_message {
	int64_t time_ms; /* wall clock */
	enum hint_kind kind;
	char text[512];
};
/* Copies up to max of the newest messages, oldest first; returns how many were copied. */
size_t ui_messages(struct ui *u, struct ui_message *out, size_t max);
/* Redraws everything in the next frame. */
void ui_dirty(struct ui *u);
/* Puts a modal on top (the UI owns it until it closes). */
void ui_open(struct ui *u, struct modal *m);
/* Closes and frees a modal. */
void ui_close(struct ui *u, struct modal *m);
/* Whether any modal is open. */
bool ui_modal_open(struct ui *u);
/* Starts a background job (the UI owns it until it is done). */
void ui_start_job(struct ui *u, struct job *j);
struct payload_view *ui_payload_view(struct ui *u);
/* Gives the keys to the payload pane (true) or to the tree (false). */
void ui_focus_payload(struct ui *u, bool on);
/*
 * Writes bytes straight to the terminal right after the next frame is
 * flushed, outside curses (OSC 52 clipboard sequences). The bytes must not
 * move the cursor or change what is on screen.
 */
void ui_emit_after_frame(struct ui *u, const char *bytes, size_t len);
/* Messages the broker dropped since mqscope connected ($SYS), as the status bar shows. */
uint64_t ui_broker_dropped(struct ui *u);
/* The wall clock the panes show ages against: now, or the moment of the pause. */
int64_t ui_now(struct ui *u);
/* Screen size. */
int ui_rows(struct ui *u);
int ui_cols(struct ui *u);

#endif
