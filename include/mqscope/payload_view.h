/* payload_view.h: the payload pane: metadata, MQTT 5 properties, the value in several views,
 * history, diff and trends of the selected topic. */
#ifndef MQSCOPE_PAYLOAD_VIEW_H
#define MQSCOPE_PAYLOAD_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqscope/actions.h"
#include "mqscope/decoded.h"
#include "mqscope/list_view.h"
#include "mqscope/payload.h"
#include "mqscope/tree.h"
#include "mqscope/trend.h"

struct ui;
struct timing;
struct silence;

/* Series a chart holds at most (chart-add). */
#define CHART_SERIES_MAX 6

/* A series of the chart: a topic's numbers (a JSON field, or the payload when field is ""). */
struct chart_series {
	tree_id id;
	char field[PAYLOAD_PATH_MAX];
	struct trend tr; /* its numbers, read as values come */
};

/* How the value is shown; AUTO picks by what it is (Sparkplug metrics as a table, another decoded
 * binary format, JSON, text, binary). */
enum pv_format { PV_AUTO, PV_TABLE, PV_DECODED, PV_TEXT, PV_JSON, PV_HEX, PV__FORMATS };
/* What the body of the pane shows. */
enum pv_body { BODY_VALUE, BODY_HISTORY, BODY_DIFF, BODY_CHART };

/* A screen row of the body: a line of the document and where in it the row starts. */
struct pv_row {
	uint32_t line, off;
};

/* What the cached document was made from; any change rebuilds it. */
struct pv_key {
	tree_id id;
	uint64_t msgs;
	uint64_t ord; /* the opened value's place among the topic's messages; 0: the newest */
	int as, body;
	uint16_t hist_len;
};

struct payload_view {
	const struct tree *tree;
	const struct decoders *dec;        /* binary formats are read with these (NULL: none) */
	struct decoded_previews *previews; /* history rows of binary values, with dec */
	const struct timing *timing;       /* intervals, duplicates, delays; or NULL */
	const struct silence *silence;     /* silent topics, offline devices; or NULL */
	/* What a branch holds in memory ("1.2 MiB of 4.6 MiB"), or NULL: a broker's, with several
	 */
	const char *(*branch_memory)(void *ctx, tree_id id);
	void *branch_ctx;
	tree_id shown; /* node the state below belongs to */
	enum pv_format format;
	enum pv_body body;
	/*
	 * A value opened from the history (or with [ and ]) stays on screen until
	 * the user leaves it, even once newer values push it out of the history:
	 * the pane keeps a copy of it and of the value before it (for the diff).
	 */
	struct tree_value *opened, *opened_prev; /* NULL: the newest value, live */
	uint64_t opened_ord;                     /* which of the topic's messages it was */
	struct list_view lv; /* the body's rows; lv.l.sel is the cursor (drawn with the focus) */
	const struct tree_value *drawn; /* the value being drawn, during a draw */
	int width;

	/* the shown value, formatted once per value (not per frame) */
	struct pv_key key;
	bool have_key;
	enum payload_kind kind;      /* what the value is */
	enum pv_format as;           /* how it is shown */
	struct decode_choice choice; /* the decoder that applies to the value (or none) */
	bool warned;                 /* the note is a decoder's warning or error */
	struct pdoc doc;             /* text, pretty JSON or diff; a hex dump is made row by row */
	size_t diff_changed;
	char note[160]; /* why the body looks as it does ("not JSON: shown as text") */

	/* folded JSON containers: a bit per line of doc */
	uint8_t *folded;
	size_t folded_bytes;
	size_t folded_lines; /* doc.nlines the folds were made for */

	/* layout of doc at width */
	struct pv_row *rows;
	size_t nrows, rows_cap;
	int rows_width;
	bool rows_stale;
	unsigned hex_per_line;
	size_t hex_len;

	struct trend trend; /* the numbers of the topic's history */

	/*
	 * A message from the stream shown instead of the topic's own values:
	 * copies, with the message before it on the same topic (for the diff
	 * and the older-value key), or NULL.
	 */
	struct tree_value *pin, *pin_prev;
	tree_id pin_id;
	uint64_t pin_seq;
	size_t pin_cap, pin_prev_cap;

	/* the chart's series besides the selected topic (chart-add) */
	struct chart_series *series_list;
	size_t nseries_list;
};

void payload_view_init(struct payload_view *p, const struct tree *t, const struct decoders *dec);
/* Where the timing lines and the silence of a topic come from. */
void payload_view_set_timing(struct payload_view *p, const struct timing *tm,
                             const struct silence *s);
void payload_view_free(struct payload_view *p);
/* Moves the cursor, scrolls, folds, opens a history row; returns true when handled. */
bool payload_view_action(struct payload_view *p, enum action a);
/* Draws node id (TREE_NONE: nothing selected) into w; ages are measured against now_wall_ms. */
void payload_view_draw(struct payload_view *p, WINDOW *w, int h, int wd, tree_id id, bool focused,
                       int64_t now_wall_ms);
struct stream_msg;
/* Shows message m (and prev, the one before it on its topic, or NULL) until unpinned. */
void payload_view_pin(struct payload_view *p, const struct stream_msg *m,
                      const struct stream_msg *prev);
/* Shows the topics' own values again. */
void payload_view_unpin(struct payload_view *p);

/* The value the pane shows for id (the newest, or the one picked in the history). */
const struct tree_value *payload_view_value(const struct payload_view *p, tree_id id);
/*
 * That value as the pane reads it: its decoded document as JSON when a
 * decoder applies and the pane does not show it as text or hex, else its
 * bytes. NULL when id has no value; free out with decoded_free.
 */
const struct tree_value *payload_view_read(const struct payload_view *p, tree_id id,
                                           struct decoded *out);

/* Opens the value age steps back in id's history (0: the newest, live); false when none. */
bool payload_view_open(struct payload_view *p, tree_id id, unsigned age);
/* Back to the newest value and the value view (Esc); false when it was there already. */
bool payload_view_live(struct payload_view *p);

/* Action handlers. */
void payload_view_cycle_format(struct ui *u);
void payload_view_history(struct ui *u);
void payload_view_older(struct ui *u);
void payload_view_newer(struct ui *u);
void payload_view_diff(struct ui *u);
void payload_view_chart(struct ui *u);
void payload_view_chart_add(struct ui *u);
void payload_view_trend_field(struct ui *u);

#endif
