/* fuzz_view.c: the payload pane draws any topic, payload history and MQTT 5 properties in every
 * view (auto, text, JSON with folds, hex, history, diff, chart) at any size, whatever keys come
 * between frames and whatever arrives between them; and every cell it leaves on the screen is a
 * character the sanitizer lets through as text, never a control or a deceptive character.
 *
 * Input: rows, columns, flags, number of steps, the steps (one byte each), topic length, property
 * bytes length, topic, properties, then values as [length:2 little endian][bytes]. */
#define _XOPEN_SOURCE_EXTENDED 1
#define _GNU_SOURCE
#include <curses.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/actions.h"
#include "mqscope/draw.h"
#include "mqscope/payload_view.h"
#include "mqscope/tree.h"

#include "fuzz_screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_MS 1750000000000LL

struct input {
	const uint8_t *p, *end;
};

/* The next value: its bytes and length, false when there are no more. */
static bool next_value(struct input *in, const char **s, size_t *n)
{
	size_t len;

	if (in->end - in->p < 2)
		return false;
	len = (size_t)in->p[0] | (size_t)in->p[1] << 8;
	in->p += 2;
	if (len > (size_t)(in->end - in->p))
		len = (size_t)(in->end - in->p);
	*s = (const char *)in->p;
	*n = len;
	in->p += len;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, data + size};
	struct tree_limits lim = {
	    .max_topics = 32, .payload_cap = 4096, .history = 8, .value_budget = 1 << 20};
	struct payload_view pv;
	struct tree *t;
	const uint8_t *steps;
	size_t nsteps, tl, pl;
	const char *topic, *s;
	const uint8_t *props;
	unsigned flags;
	int h, wd;
	tree_id id = TREE_NONE;
	WINDOW *w;
	int64_t now = NOW_MS;

	fuzz_screen_init();
	if (size < 6)
		return 0;
	h = 1 + data[0] % 48;
	wd = 1 + data[1] % 160;
	flags = data[2];
	nsteps = data[3] % 32;
	in.p += 4;
	if ((size_t)(in.end - in.p) < nsteps + 2)
		return 0;
	steps = in.p;
	in.p += nsteps;
	tl = in.p[0];
	pl = in.p[1];
	in.p += 2;
	if ((size_t)(in.end - in.p) < tl + pl)
		return 0;
	topic = (const char *)in.p;
	props = in.p + tl;
	in.p += tl + pl;

	draw_set_ascii(flags & 0x20);
	t = tree_new(&lim);
	w = newpad(h, wd);
	if (w == NULL)
		abort();
	payload_view_init(&pv, t, NULL);

	/* Stores the next value under the topic (the properties go with every value). */
#define ARRIVE()                                                                                   \
	do {                                                                                       \
		size_t n_;                                                                         \
		if (!next_value(&in, &s, &n_))                                                     \
			break;                                                                     \
		struct tree_msg m_ = {.payload = s,                                                \
		                      .len = (uint32_t)n_,                                         \
		                      .orig_len = (uint32_t)(flags & 8 ? n_ * 3 + 1 : n_),         \
		                      .props = props,                                              \
		                      .props_len = (uint32_t)pl,                                   \
		                      .time_ms = now,                                              \
		                      .qos = (uint8_t)(flags >> 6 & 3),                            \
		                      .retained = (uint8_t)(flags >> 4 & 1)};                      \
		id = tree_insert(t, topic, tl, &m_);                                               \
		now += 250;                                                                        \
	} while (0)

	for (unsigned i = 0; i < 1 + (flags & 7); i++)
		ARRIVE();
	for (size_t i = 0; i < nsteps; i++) {
		unsigned b = steps[i];

		if (b < 0x40) {
			payload_view_action(&pv, fuzz_action(b));
		} else if (b < 0x50) {
			pv.format = (enum pv_format)(b & 3);
			pv.body = (enum pv_body)(b >> 2 & 3);
		} else if (b < 0x60) {
			payload_view_open(&pv, id, b & 15);
		} else if (b < 0x70) {
			ARRIVE();
		} else {
			payload_view_draw(&pv, w, h, wd, id, b & 1, now);
			fuzz_check_cells(w, h, wd);
		}
	}
	payload_view_draw(&pv, w, h, wd, id, true, now);
	fuzz_check_cells(w, h, wd);
#undef ARRIVE

	payload_view_free(&pv);
	delwin(w);
	tree_free(t);
	return 0;
}
