/* actions.h: every user action, its config name, default keys and help text, in one list. */
#ifndef MQSCOPE_ACTIONS_H
#define MQSCOPE_ACTIONS_H

/*
 * X(id, name, keys, help, handler): name is what the config file binds; keys
 * are the default bindings, space separated (a character, C-x for control, or
 * a name: Up Down Left Right PgUp PgDn Home End Enter Space Tab Esc Del
 * F1..F12). handler is a `void fn(struct ui *)` declared in the header of the
 * UI module that implements the action, or 0 when the loop or the focused
 * pane handles it. The key map, config names and help overlay all come from
 * this list.
 */
#define MQS_ACTIONS(X)                                                                             \
	/* moving around: the tree, or the payload when it has the focus */                        \
	X(MOVE_UP, "move-up", "Up k", "Move the selection up", 0)                                  \
	X(MOVE_DOWN, "move-down", "Down j", "Move the selection down", 0)                          \
	X(PAGE_UP, "page-up", "PgUp C-b", "Move one page up", 0)                                   \
	X(PAGE_DOWN, "page-down", "PgDn C-f", "Move one page down", 0)                             \
	X(FIRST, "first", "Home g", "Go to the first row", 0)                                      \
	X(LAST, "last", "End G", "Go to the last row", 0)                                          \
	X(COLLAPSE, "collapse", "Left h", "Collapse the branch, or go to its parent", 0)           \
	X(EXPAND, "expand", "Right l", "Expand the branch", 0)                                     \
	X(TOGGLE_BRANCH, "toggle-branch", "Enter Space", "Expand or collapse the branch", 0)       \
	X(EXPAND_ALL, "expand-all", "*", "Expand everything below the selection", 0)               \
	X(COLLAPSE_ALL, "collapse-all", "-", "Collapse every branch", 0)                           \
	X(FOCUS_NEXT, "focus-next", "Tab", "Switch focus between the tree and the payload", 0)     \
	/* finding */                                                                              \
	X(SEARCH, "search", "/", "Search topics; Enter jumps to the next match", 0)                \
	X(SEARCH_NEXT, "search-next", "n", "Jump to the next match", 0)                            \
	X(SEARCH_PREV, "search-prev", "N", "Jump to the previous match", 0)                        \
	/* publishing and control */                                                               \
	X(PUBLISH, "publish", "p", "Publish a message (topic, payload, QoS, retain...)",           \
	  publish_form_open)                                                                       \
	X(PUBLISH_AGAIN, "publish-again", "P",                                                     \
	  "Publish the selected topic's last value again (editable first)", publish_form_again)    \
	X(TOGGLE, "toggle", "t", "Toggle the value: ON/OFF, true/false, 1/0, JSON \"state\"...",   \
	  publish_toggle)                                                                          \
	X(MESSAGES, "messages", "m", "Saved messages: send one, or a whole group",                 \
	  message_picker_open)                                                                     \
	X(CLEAR_RETAINED, "clear-retained", "Del d",                                               \
	  "Clear the retained message of the topic, or of every topic in the branch",              \
	  clear_retained_open)                                                                     \
	/* connection and subscriptions */                                                         \
	X(SUBSCRIPTIONS, "subscriptions", "s",                                                     \
	  "Subscriptions: add or remove filters live, see what the broker granted",                \
	  subs_view_open)                                                                          \
	X(LOGIN, "login", "L", "Log in again with another username and password",                  \
	  auth_prompt_open)                                                                        \
	X(CONNECTION_LOG, "connection-log", "c",                                                   \
	  "Connection log: when the broker was lost, why, and the next attempt", conn_log_open)    \
	/* views of the data */                                                                    \
	X(PAYLOAD_VIEW, "payload-view", "v", "Payload as: auto, text, JSON, hex dump",             \
	  payload_view_cycle_format)                                                               \
	X(HISTORY, "history", "H", "Recent values of the topic; Enter shows one",                  \
	  payload_view_history)                                                                    \
	X(OLDER_VALUE, "older-value", "[", "Show the previous value of the topic",                 \
	  payload_view_older)                                                                      \
	X(NEWER_VALUE, "newer-value", "]", "Show the next newer value", payload_view_newer)        \
	X(DIFF, "diff", "D", "Diff the shown value against the one before it", payload_view_diff)  \
	X(CHART, "chart", "C", "Chart the topic's numeric values", payload_view_chart)             \
	X(TREND_FIELD, "trend-field", "F", "Pick the JSON field that trends follow",               \
	  payload_view_trend_field)                                                                \
	X(SORT, "sort", "o", "Sort the tree by name, rate, messages or last update",               \
	  tree_view_sort)                                                                          \
	X(FILTER, "filter", "f", "Show only matching topics: a/+/b, a/#, text, p:payload",         \
	  tree_view_filter)                                                                        \
	X(DASHBOARD, "dashboard", "b", "Broker dashboard from $SYS", dashboard_open)               \
	X(PAUSE, "pause", "z C-p", "Pause the screen; messages are still taken in", 0)             \
	X(COPY_TOPIC, "copy-topic", "y", "Copy the topic to the clipboard (OSC 52, over SSH too)", \
	  clipboard_copy_topic)                                                                    \
	X(COPY_PAYLOAD, "copy-payload", "Y", "Copy the payload to the clipboard (OSC 52)",         \
	  clipboard_copy_payload)                                                                  \
	X(WRITE_PAYLOAD, "write-payload", "w", "Write the payload to a file",                      \
	  clipboard_write_payload)                                                                 \
	/* the program */                                                                          \
	X(HELP, "help", "? F1", "Show this help", help_view_open)                                  \
	X(REDRAW, "redraw", "C-l", "Redraw the screen", 0)                                         \
	X(QUIT, "quit", "q C-c", "Quit", 0)

enum action {
	ACT_NONE,
#define X(id, name, keys, help, handler) ACT_##id,
	MQS_ACTIONS(X)
#undef X
	    ACT__COUNT
};

/* Config name of an action ("move-up"), or NULL. */
const char *action_name(enum action a);
/* Default keys of an action ("Up k"). */
const char *action_default_keys(enum action a);
const char *action_help(enum action a);
/* Action by config name, or ACT_NONE. */
enum action action_by_name(const char *name);

#endif
