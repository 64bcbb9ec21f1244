/* actions.c: lookups over the MQS_ACTIONS list. */
#include "mqscope/actions.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *name, *keys, *help;
} table[ACT__COUNT] = {[ACT_NONE] = {NULL, "", ""},
#define X(id, name, keys, help, handler) [ACT_##id] = {name, keys, help},
                       MQS_ACTIONS(X)
#undef X
};

const char *action_name(enum action a)
{
	return a < ACT__COUNT ? table[a].name : NULL;
}

const char *action_default_keys(enum action a)
{
	return a < ACT__COUNT ? table[a].keys : "";
}

const char *action_help(enum action a)
{
	return a < ACT__COUNT ? table[a].help : "";
}

enum action action_by_name(const char *name)
{
	for (int a = 1; a < ACT__COUNT; a++)
		if (strcmp(table[a].name, name) == 0)
			return (enum action)a;
	return ACT_NONE;
}
