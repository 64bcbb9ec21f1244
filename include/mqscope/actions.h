/* actions.h: every user action, its config name, default keys and help text, in one list. */
#ifndef MQSCOPE_ACTIONS_H
#define MQSCOPE_ACTIONS_H

/*
 * X(id, name, keys, help): name is what the config file binds; keys are the
 * default bindings, space separated (a character, C-x for control, or a
 * name: Up Down Left Right PgUp PgDn Home End Enter Space Tab Esc Del F1..F12).
 * The key map and the help overlay are generated from this list.
 */
#define MQS_ACTIONS(X)                                                                             \
	X(MOVE_UP, "move-up", "Up k", "Move the selection up")                                     \
	X(MOVE_DOWN, "move-down", "Down j", "Move the selection down")                             \
	X(PAGE_UP, "page-up", "PgUp C-b", "Move one page up")                                      \
	X(PAGE_DOWN, "page-down", "PgDn C-f", "Move one page down")                                \
	X(FIRST, "first", "Home g", "Go to the first row")                                         \
	X(LAST, "last", "End G", "Go to the last row")                                             \
	X(COLLAPSE, "collapse", "Left h", "Collapse the branch, or go to its parent")              \
	X(EXPAND, "expand", "Right l", "Expand the branch")                                        \
	X(TOGGLE_BRANCH, "toggle-branch", "Enter Space", "Expand or collapse the branch")          \
	X(EXPAND_ALL, "expand-all", "*", "Expand everything below the selection")                  \
	X(COLLAPSE_ALL, "collapse-all", "-", "Collapse every branch")                              \
	X(SEARCH, "search", "/", "Search topics; Enter jumps to the next match")                   \
	X(SEARCH_NEXT, "search-next", "n", "Jump to the next match")                               \
	X(SEARCH_PREV, "search-prev", "N", "Jump to the previous match")                           \
	X(FOCUS_NEXT, "focus-next", "Tab", "Switch focus between the tree and the payload")        \
	X(HELP, "help", "? F1", "Show this help")                                                  \
	X(REDRAW, "redraw", "C-l", "Redraw the screen")                                            \
	X(QUIT, "quit", "q C-c", "Quit")

enum action {
	ACT_NONE,
#define X(id, name, keys, help) ACT_##id,
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
