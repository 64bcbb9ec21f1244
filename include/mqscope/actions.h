/* actions.h: every user action, its config name, default keys and help text, in one list. */
#ifndef MQSCOPE_ACTIONS_H
#define MQSCOPE_ACTIONS_H

/*
 * Keys are looked up in tables, one per mode (like tig's keymaps): the main
 * screen, every list, and each window or field that takes keys. A key not
 * bound in a mode is looked up in the mode it falls back to (a window with a
 * list falls back to the list keys). Every key is in a table: no view compares
 * key codes, so every key can be rebound and shows in the help and the man page.
 *
 * X(id, group, title, fallback): group names the mode's section inside the
 * config file's `keys` section (NULL: the top level of `keys`), never the name
 * of a top-level action, so both can be set; title heads the mode's part of
 * the help overlay and the man page.
 */
#define MQS_MODES(X)                                                                               \
	X(MAIN, NULL, "The tree and the payload", LIST)                                            \
	X(LIST, NULL, "Every list: the tree, the payload, and lists in windows", NONE)             \
	X(HELP, "help_window", "This help", LIST)                                                  \
	X(LOG, "log_window", "Log: the connection and messages", LIST)                             \
	X(SUBS, "subscriptions_window", "Subscriptions", LIST)                                     \
	X(MESSAGES, "messages_window", "Saved messages", LIST)                                     \
	X(FORM, "form", "Publish form", NONE)                                                      \
	X(EDIT, "edit", "Editing text: form fields and prompts", NONE)                             \
	X(EDITOR, "editor", "The payload field of the publish form (and the text keys)", EDIT)     \
	X(CHOICE, "choice", "The QoS and Retain fields of the publish form", NONE)                 \
	X(PROMPT, "prompt",                                                                        \
	  "Prompts on the bottom line: search, filter, names (and the text keys)", EDIT)           \
	X(LOGIN, "password", "The password prompt (what is typed is never shown)", NONE)           \
	X(CONFIRM, "confirm", "Questions, such as clearing retained messages", NONE)               \
	X(COMPARE, "compare_window", "Compare brokers", LIST)                                      \
	X(DASHBOARD, "dashboard_window", "Broker dashboard", NONE)                                 \
	X(WATCHES, "watch_window", "Watches and their log", LIST)

/*
 * The main screen: X(id, name, keys, help, handler). name is what the config
 * file binds; keys are the default bindings, space separated (a character,
 * C-x for control, or a name: Up Down Left Right PgUp PgDn Home End Enter
 * Space Tab BTab Esc Del Ins Backspace F1..F12). handler is a `void fn(struct
 * ui *)` declared in the header of the UI module that implements the action,
 * or 0 when the loop or the focused pane handles it.
 */
#define MQS_ACTIONS(X)                                                                             \
	/* the tree, or the payload when it has the focus */                                       \
	X(COLLAPSE, "collapse", "Left h",                                                          \
	  "Collapse the branch, or go to its parent (in the payload: fold the JSON, or back to "   \
	  "the tree)",                                                                             \
	  0)                                                                                       \
	X(EXPAND, "expand", "Right l", "Expand the branch (in the payload: unfold the JSON)", 0)   \
	X(TOGGLE_BRANCH, "toggle-branch", "Enter Space",                                           \
	  "Expand or collapse the branch (in the payload: fold or unfold; in the history: show "   \
	  "that value)",                                                                           \
	  0)                                                                                       \
	X(EXPAND_ALL, "expand-all", "*",                                                           \
	  "Expand everything below the selection (in the payload: unfold all)", 0)                 \
	X(COLLAPSE_ALL, "collapse-all", "-", "Collapse every branch (in the payload: fold all)",   \
	  0)                                                                                       \
	X(FOCUS_NEXT, "focus-next", "Tab", "Switch focus between the tree and the payload", 0)     \
	X(SHRINK_TREE, "shrink-tree", "<",                                                         \
	  "Give the tree less room: the divider moves left, or up (remembered for the next run)",  \
	  0)                                                                                       \
	X(GROW_TREE, "grow-tree", ">",                                                             \
	  "Give the tree more room: the divider moves right, or down (remembered)", 0)             \
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
	  "Log: when the broker was lost, why, and the next attempt; and the bottom line's last "  \
	  "messages, whole",                                                                       \
	  conn_log_open)                                                                           \
	/* views of the data */                                                                    \
	X(PAYLOAD_VIEW, "payload-view", "v",                                                       \
	  "Payload as: auto, Sparkplug table, decoded, text, JSON, hex dump (those that apply)",   \
	  payload_view_cycle_format)                                                               \
	X(HISTORY, "history", "H",                                                                 \
	  "Recent values of the topic ([ and ] pick one; in the payload pane, Enter shows one)",   \
	  payload_view_history)                                                                    \
	X(LIVE, "live", "Esc",                                                                     \
	  "Back to the live value: leave the history, a value opened from it, the diff", 0)        \
	X(OLDER_VALUE, "older-value", "[", "Show the previous value of the topic",                 \
	  payload_view_older)                                                                      \
	X(NEWER_VALUE, "newer-value", "]", "Show the next newer value", payload_view_newer)        \
	X(DIFF, "diff", "D", "Diff the shown value against the one before it", payload_view_diff)  \
	X(CHART, "chart", "C", "Chart the topic's numeric values (with the series added by +)",    \
	  payload_view_chart)                                                                      \
	X(CHART_ADD, "chart-add", "+",                                                             \
	  "Add the selected topic (the field the trend follows) to the chart as a series; again "  \
	  "takes it out",                                                                          \
	  payload_view_chart_add)                                                                  \
	X(TREND_FIELD, "trend-field", "F", "Pick the JSON field that trends follow",               \
	  payload_view_trend_field)                                                                \
	X(SORT, "sort", "o", "Sort the tree by name, rate, messages or last update",               \
	  tree_view_sort)                                                                          \
	X(FILTER, "filter", "f", "Show only matching topics: a/+/b, a/#, text, p:payload",         \
	  tree_view_filter)                                                                        \
	X(DASHBOARD, "dashboard", "b", "Broker dashboard from $SYS", dashboard_open)               \
	X(COMPARE, "compare", "=",                                                                 \
	  "Compare the branch across brokers: missing, different, bridge delay",                   \
	  compare_view_open)                                                                       \
	/* debugging sensor traffic */                                                             \
	X(STREAM, "stream", "S",                                                                   \
	  "The message stream: every message in arrival order, newest at the bottom (again: the "  \
	  "tree)",                                                                                 \
	  stream_view_toggle)                                                                      \
	X(ADD_WATCH, "add-watch", "!",                                                             \
	  "Watch the selected topic: an alarm when its value or a field meets a condition, or it " \
	  "goes silent",                                                                           \
	  watch_view_add)                                                                          \
	X(WATCHES, "watches", "W", "The watches and their log: when each fired and cleared",       \
	  watch_view_open)                                                                         \
	X(EXPORT, "export", "e",                                                                   \
	  "Export the latest value of every topic in the branch to a file (.csv: CSV, else JSON "  \
	  "Lines)",                                                                                \
	  export_view_latest)                                                                      \
	X(EXPORT_HISTORY, "export-history", "E",                                                   \
	  "Export the values the topic keeps in its history to a file (.csv: CSV, else JSON "      \
	  "Lines)",                                                                                \
	  export_view_history)                                                                     \
	X(PAUSE, "pause", "z C-p", "Pause the screen; messages are still taken in", 0)             \
	X(COPY_TOPIC, "copy-topic", "y", "Copy the topic to the clipboard (OSC 52, over SSH too)", \
	  clipboard_copy_topic)                                                                    \
	X(COPY_PAYLOAD, "copy-payload", "Y",                                                       \
	  "Copy the payload to the clipboard (OSC 52; a decoded binary format as JSON)",           \
	  clipboard_copy_payload)                                                                  \
	X(WRITE_PAYLOAD, "write-payload", "w", "Write the payload to a file",                      \
	  clipboard_write_payload)                                                                 \
	/* the program */                                                                          \
	X(HELP, "help", "? F1", "Show this help", help_view_open)                                  \
	X(REDRAW, "redraw", "C-l", "Redraw the screen", 0)                                         \
	X(QUIT, "quit", "q C-c", "Quit", 0)

/*
 * Every other mode: X(mode, id, name, keys, help), as above; a view that
 * handles a mode switches on these ids. The list keys serve the tree, the
 * payload and every list in a window (ui/list_view.c).
 */
#define MQS_MODE_ACTIONS(X)                                                                        \
	X(LIST, MOVE_UP, "move-up", "Up k", "Move the selection up (in a text: scroll up)")        \
	X(LIST, MOVE_DOWN, "move-down", "Down j",                                                  \
	  "Move the selection down (in a text: scroll down)")                                      \
	X(LIST, PAGE_UP, "page-up", "PgUp C-b", "One page up")                                     \
	X(LIST, PAGE_DOWN, "page-down", "PgDn C-f", "One page down")                               \
	X(LIST, FIRST, "first", "Home g", "Go to the first row")                                   \
	X(LIST, LAST, "last", "End G", "Go to the last row")                                       \
	X(LIST, SEARCH, "search", "/",                                                             \
	  "Search: topics in the tree, the text in other lists; Enter jumps to the first match")   \
	X(LIST, SEARCH_NEXT, "search-next", "n", "Jump to the next match")                         \
	X(LIST, SEARCH_PREV, "search-prev", "N", "Jump to the previous match")                     \
	X(HELP, HELP_CLOSE, "close", "Esc q ? F1", "Close the help")                               \
	X(LOG, LOG_CLOSE, "close", "Esc q c", "Close the log")                                     \
	X(SUBS, SUBS_ADD, "add", "a + i", "Subscribe to another filter (typed at the prompt)")     \
	X(SUBS, SUBS_REMOVE, "remove", "d x Del", "Unsubscribe from the selected filter")          \
	X(SUBS, SUBS_QOS0, "qos-0", "0", "Subscribe to the selected filter again with QoS 0")      \
	X(SUBS, SUBS_QOS1, "qos-1", "1", "The same with QoS 1")                                    \
	X(SUBS, SUBS_QOS2, "qos-2", "2", "The same with QoS 2")                                    \
	X(SUBS, SUBS_CLOSE, "close", "Esc q s", "Close the subscriptions")                         \
	X(MESSAGES, MSG_SEND, "send", "Enter Space",                                               \
	  "Send the selected message, or every message of the selected group")                     \
	X(MESSAGES, MSG_EDIT, "edit", "e", "Open the selected message in the publish form")        \
	X(MESSAGES, MSG_DELETE, "delete", "x Del",                                                 \
	  "Delete the selected saved message (asks first: press it again)")                        \
	X(MESSAGES, MSG_CLOSE, "close", "Esc q m", "Close the saved messages")                     \
	X(FORM, FORM_SEND, "send", "C-s", "Send the message")                                      \
	X(FORM, FORM_SAVE, "save", "C-o",                                                          \
	  "Save the message to the saved messages, under a name (\"group: name\" puts it in a "    \
	  "group)")                                                                                \
	X(FORM, FORM_NEXT, "next-field", "Tab Down", "Go to the next field")                       \
	X(FORM, FORM_PREV, "prev-field", "BTab Up", "Go to the previous field")                    \
	X(FORM, FORM_ENTER, "enter", "Enter", "Go to the next field; on the last one, send")       \
	X(FORM, FORM_CANCEL, "cancel", "Esc", "Close the form without sending")                    \
	X(EDIT, EDIT_LEFT, "left", "Left C-b", "Move the cursor left")                             \
	X(EDIT, EDIT_RIGHT, "right", "Right C-f", "Move the cursor right")                         \
	X(EDIT, EDIT_HOME, "home", "Home C-a", "To the start of the line")                         \
	X(EDIT, EDIT_END, "end", "End C-e", "To the end of the line")                              \
	X(EDIT, EDIT_BACKSPACE, "backspace", "Backspace",                                          \
	  "Delete the character before the cursor")                                                \
	X(EDIT, EDIT_DELETE, "delete", "Del C-d", "Delete the character under the cursor")         \
	X(EDIT, EDIT_KILL_START, "kill-start", "C-u",                                              \
	  "Delete from the start of the line to the cursor")                                       \
	X(EDIT, EDIT_KILL_END, "kill-end", "C-k", "Delete from the cursor to the end of the line") \
	X(EDIT, EDIT_DELETE_WORD, "delete-word", "C-w", "Delete the word before the cursor")       \
	X(EDITOR, EDITOR_UP, "up", "Up C-p", "Move the cursor one line up")                        \
	X(EDITOR, EDITOR_DOWN, "down", "Down C-n", "Move the cursor one line down")                \
	X(EDITOR, EDITOR_PAGE_UP, "page-up", "PgUp", "Move the cursor one page up")                \
	X(EDITOR, EDITOR_PAGE_DOWN, "page-down", "PgDn", "Move the cursor one page down")          \
	X(EDITOR, EDITOR_NEWLINE, "newline", "Enter", "Start a new line")                          \
	X(CHOICE, CHOICE_NEXT, "next", "Right Space +",                                            \
	  "The next value: QoS 0, 1, 2; retain on or off")                                         \
	X(CHOICE, CHOICE_PREV, "prev", "Left -", "The previous value")                             \
	X(CHOICE, CHOICE_QOS0, "qos-0", "0", "QoS 0: at most once")                                \
	X(CHOICE, CHOICE_QOS1, "qos-1", "1", "QoS 1: at least once")                               \
	X(CHOICE, CHOICE_QOS2, "qos-2", "2", "QoS 2: exactly once")                                \
	X(CHOICE, CHOICE_YES, "yes", "y Y", "Retain: yes")                                         \
	X(CHOICE, CHOICE_NO, "no", "n N", "Retain: no")                                            \
	X(PROMPT, PROMPT_ENTER, "enter", "Enter", "Take what was typed")                           \
	X(PROMPT, PROMPT_CANCEL, "cancel", "Esc C-g C-c", "Close the prompt; nothing is done")     \
	X(LOGIN, LOGIN_ENTER, "enter", "Enter", "Log in with the password typed")                  \
	X(LOGIN, LOGIN_CANCEL, "cancel", "Esc C-g C-c", "Do not log in again now")                 \
	X(LOGIN, LOGIN_ERASE, "erase", "Backspace", "Delete the last character typed")             \
	X(LOGIN, LOGIN_CLEAR, "clear", "C-u C-w", "Delete everything typed")                       \
	X(CONFIRM, CONFIRM_YES, "yes", "y Y", "Yes: do it")                                        \
	X(CONFIRM, CONFIRM_NO, "no", "n N Esc q", "No: nothing is done")                           \
	X(COMPARE, COMPARE_CLOSE, "close", "Esc q =", "Close the compare window")                  \
	X(COMPARE, COMPARE_DIFFERENT, "only-different", "d",                                       \
	  "Show only topics that differ or are missing somewhere (again: every topic)")            \
	X(COMPARE, COMPARE_VALUES, "values", "Enter Space",                                        \
	  "Show each broker's value of the topic and when it came (again: hide)")                  \
	X(DASHBOARD, DASH_NEXT, "next-broker", "Tab",                                              \
	  "With several brokers: the next broker's dashboard")                                     \
	X(DASHBOARD, DASH_ALL, "all-brokers", "a",                                                 \
	  "With several brokers: every broker side by side (again: one broker)")                   \
	X(DASHBOARD, DASH_CLOSE, "close", "Esc q b", "Close the dashboard")                        \
	X(WATCHES, WATCH_GOTO, "go", "Enter", "Select the topic of the entry in the tree")         \
	X(WATCHES, WATCH_REMOVE, "remove", "x Del",                                                \
	  "Remove the watch of the selected row: it fires no more (asks first: press it again)")   \
	X(WATCHES, WATCH_CLOSE, "close", "Esc q W", "Close the watches")

enum key_mode {
#define X(id, group, title, fallback) MODE_##id,
	MQS_MODES(X)
#undef X
	    MODE__COUNT,
	MODE_NONE = MODE__COUNT
};

enum action {
	ACT_NONE,
#define X(id, name, keys, help, handler) ACT_##id,
	MQS_ACTIONS(X)
#undef X
#define X(mode, id, name, keys, help) ACT_##id,
	    MQS_MODE_ACTIONS(X)
#undef X
	        ACT__COUNT
};

/* Config name of an action ("move-up", "close"), or NULL. */
const char *action_name(enum action a);
/* Default keys of an action ("Up k"). */
const char *action_default_keys(enum action a);
const char *action_help(enum action a);
/* The mode whose key table holds the action. */
enum key_mode action_mode(enum action a);
/*
 * Action by config name: "move-up" for the top level of the keys section,
 * "group.name" ("form.send") for a mode's group; ACT_NONE when unknown.
 */
enum action action_by_name(const char *name);
/* Action by name within one mode, or ACT_NONE. */
enum action action_in_mode(enum key_mode m, const char *name);

/* A mode's group in the keys section (NULL: the top level), title and fallback (MODE_NONE). */
const char *mode_group(enum key_mode m);
const char *mode_title(enum key_mode m);
enum key_mode mode_fallback(enum key_mode m);
/* The mode of a group name, or MODE_NONE. */
enum key_mode mode_by_group(const char *group);

#endif
