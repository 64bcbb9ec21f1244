/* keys.c: key names, the key map and its defaults from the action list. */
#include "mqscope/keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* One table per mode; ACT_NONE: look in the mode it falls back to. */
static enum action keymap[MODE__COUNT][KEYMAP_SIZE];

static const struct {
	const char *name;
	int key;
} named[] = {
    {"Up", KEY_UP},      {"Down", KEY_DOWN},  {"Left", KEY_LEFT}, {"Right", KEY_RIGHT},
    {"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE}, {"Home", KEY_HOME}, {"End", KEY_END},
    {"Enter", '\n'},     {"Space", ' '},      {"Tab", '\t'},      {"BTab", KEY_BTAB},
    {"Esc", 27},         {"Del", KEY_DC},     {"Ins", KEY_IC},    {"Backspace", KEY_BACKSPACE},
};

int keys_parse(const char *name)
{
	size_t n = strlen(name);

	if (n == 1)
		return (unsigned char)name[0];
	if (n == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-') {
		char c = name[2];

		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		if (c >= 'A' && c <= 'Z')
			return c - 'A' + 1;
		return -1;
	}
	if ((name[0] == 'F' || name[0] == 'f') && n <= 3 && name[1] >= '1' && name[1] <= '9') {
		int f = name[1] - '0';

		if (n == 3) {
			if (name[2] < '0' || name[2] > '9')
				return -1;
			f = f * 10 + (name[2] - '0');
		}
		return f <= 12 ? KEY_F(f) : -1;
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcasecmp(name, named[i].name) == 0)
			return named[i].key;
	return -1;
}

static void bind_key(int k, enum action a)
{
	enum action *map = keymap[action_mode(a)];

	if (k >= 0 && k < KEYMAP_SIZE)
		map[k] = a;
	/* Enter arrives as \n, \r or KEY_ENTER depending on the terminal. */
	if (k == '\n') {
		map['\r'] = a;
		map[KEY_ENTER] = a;
	}
	if (k == KEY_BACKSPACE) {
		map[127] = a;
		map[8] = a;
	}
}

bool keys_bind(const char *name, enum action a)
{
	int k = keys_parse(name);

	if (k < 0 || action_mode(a) >= MODE__COUNT)
		return false;
	bind_key(k, a);
	return true;
}

void keys_unbind_all(enum action a)
{
	enum action *map;

	if (action_mode(a) >= MODE__COUNT)
		return;
	map = keymap[action_mode(a)];
	for (int k = 0; k < KEYMAP_SIZE; k++)
		if (map[k] == a)
			map[k] = ACT_NONE;
}

void keys_init(void)
{
	memset(keymap, 0, sizeof(keymap));
	for (int a = 1; a < ACT__COUNT; a++) {
		char buf[128];
		char *save = NULL;

		snprintf(buf, sizeof(buf), "%s", action_default_keys((enum action)a));
		for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
			keys_bind(t, (enum action)a);
	}
}

/* Where key is in a table: characters below 256 and function keys; -1 for other characters. */
static int slot(int key, bool fn)
{
	if (key < 0 || key >= KEYMAP_SIZE)
		return -1;
	return fn || key < 256 ? key : -1;
}

enum action keys_lookup(enum key_mode m, int key, bool fn)
{
	int k = slot(key, fn);

	if (k < 0)
		return ACT_NONE;
	for (; m < MODE__COUNT; m = mode_fallback(m))
		if (keymap[m][k] != ACT_NONE)
			return keymap[m][k];
	return ACT_NONE;
}

enum action keys_action(int key)
{
	return key >= 0 && key < KEYMAP_SIZE ? keys_lookup(MODE_MAIN, key, key >= 256) : ACT_NONE;
}

bool keys_is_text(int key, bool fn)
{
	return !fn && key >= 32 && key != 127;
}

/* The display name of key k. */
static void key_label(int k, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].key == k) {
			snprintf(buf, cap, "%s", named[i].name);
			return;
		}
	if (k >= KEY_F(1) && k <= KEY_F(12))
		snprintf(buf, cap, "F%d", k - KEY_F(0));
	else if (k >= 1 && k <= 26)
		snprintf(buf, cap, "C-%c", 'a' + k - 1);
	else if (k > 32 && k < 127)
		snprintf(buf, cap, "%c", k);
	else
		snprintf(buf, cap, "#%d", k);
}

void keys_first(enum action a, char *buf, size_t cap)
{
	char *sp;

	keys_describe(a, buf, cap);
	sp = strchr(buf, ' ');
	if (sp)
		*sp = '\0';
}

void keys_describe(enum action a, char *buf, size_t cap)
{
	char defaults[128], nm[16];
	char *save = NULL;
	bool listed[KEYMAP_SIZE] = {false};
	const enum action *map;
	size_t o = 0;

	buf[0] = '\0';
	if (action_mode(a) >= MODE__COUNT || cap == 0)
		return;
	map = keymap[action_mode(a)];
	/* Default keys first, in the order the action list gives them. */
	snprintf(defaults, sizeof(defaults), "%s", action_default_keys(a));
	for (char *t = strtok_r(defaults, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		int k = keys_parse(t);

		if (k < 0 || k >= KEYMAP_SIZE || map[k] != a || listed[k] || o + 1 >= cap)
			continue;
		listed[k] = true;
		key_label(k, nm, sizeof(nm));
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? " " : "", nm);
	}
	for (int k = 0; k < KEYMAP_SIZE && o + 1 < cap; k++) {
		if (map[k] != a || listed[k] || k == '\r' || k == KEY_ENTER || k == 127 || k == 8)
			continue;
		key_label(k, nm, sizeof(nm));
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? " " : "", nm);
	}
	if (o >= cap)
		buf[cap - 1] = '\0';
}
