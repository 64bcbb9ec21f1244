/* actions.c: lookups over the action lists and key modes of actions.h. */
#include "mqscope/actions.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *name, *keys, *help;
	enum key_mode mode;
} table[ACT__COUNT] = {[ACT_NONE] = {NULL, "", "", MODE_NONE},
#define X(id, name, keys, help, handler) [ACT_##id] = {name, keys, help, MODE_MAIN},
                       MQS_ACTIONS(X)
#undef X
#define X(mode, id, name, keys, help) [ACT_##id] = {name, keys, help, MODE_##mode},
                           MQS_MODE_ACTIONS(X)
#undef X
};

static const struct {
	const char *group, *title;
	enum key_mode fallback;
} modes[MODE__COUNT] = {
#define X(id, group, title, fallback) [MODE_##id] = {group, title, MODE_##fallback},
    MQS_MODES(X)
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

enum key_mode action_mode(enum action a)
{
	return a < ACT__COUNT ? table[a].mode : MODE_NONE;
}

enum action action_in_mode(enum key_mode m, const char *name)
{
	for (int a = 1; a < ACT__COUNT; a++)
		if (table[a].mode == m && strcmp(table[a].name, name) == 0)
			return (enum action)a;
	return ACT_NONE;
}

enum action action_by_name(const char *name)
{
	const char *dot = strchr(name, '.');
	char group[32];

	if (dot == NULL) {
		/* The top level: the modes without a group of their own. */
		for (int a = 1; a < ACT__COUNT; a++)
			if (table[a].mode < MODE__COUNT && modes[table[a].mode].group == NULL &&
			    strcmp(table[a].name, name) == 0)
				return (enum action)a;
		return ACT_NONE;
	}
	if ((size_t)(dot - name) >= sizeof(group))
		return ACT_NONE;
	memcpy(group, name, (size_t)(dot - name));
	group[dot - name] = '\0';
	enum key_mode m = mode_by_group(group);
	return m == MODE_NONE ? ACT_NONE : action_in_mode(m, dot + 1);
}

const char *mode_group(enum key_mode m)
{
	return m < MODE__COUNT ? modes[m].group : NULL;
}

const char *mode_title(enum key_mode m)
{
	return m < MODE__COUNT ? modes[m].title : "";
}

enum key_mode mode_fallback(enum key_mode m)
{
	return m < MODE__COUNT ? modes[m].fallback : MODE_NONE;
}

enum key_mode mode_by_group(const char *group)
{
	for (int m = 0; m < MODE__COUNT; m++)
		if (modes[m].group && strcmp(modes[m].group, group) == 0)
			return (enum key_mode)m;
	return MODE_NONE;
}
