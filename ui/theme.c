/* theme.c: colour pairs for the named slots; monochrome when colour is off. */
#include "mqscope/theme.h"

static const struct {
	short fg, bg;
	attr_t attrs, mono;
} defaults[SLOT__COUNT] = {
#define X(id, name, fg, bg, attrs, mono) [SLOT_##id] = {fg, bg, attrs, mono},
    MQS_SLOTS(X)
#undef X
};

static attr_t slot_attr[SLOT__COUNT];
static bool color_on;

void theme_init(bool want_color)
{
	color_on = want_color && has_colors() && start_color() == OK;
	if (color_on)
		use_default_colors();
	for (int i = 0; i < SLOT__COUNT; i++) {
		if (!color_on || i + 1 >= COLOR_PAIRS) {
			slot_attr[i] = defaults[i].mono;
			continue;
		}
		init_pair((short)(i + 1), defaults[i].fg, defaults[i].bg);
		slot_attr[i] = COLOR_PAIR(i + 1) | defaults[i].attrs;
	}
}

attr_t theme_attr(enum theme_slot s)
{
	return slot_attr[s];
}

bool theme_has_color(void)
{
	return color_on;
}
