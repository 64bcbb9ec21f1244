/* draw.c: sanitized, column-clipped text output and line glyphs. */
#include "mqscope/draw.h"

#include <string.h>

#include "mqscope/fit.h"
#include "mqscope/keys.h"
#include "mqscope/sanitize.h"
#include "mqscope/theme.h"

static bool ascii_mode;

void draw_set_ascii(bool ascii)
{
	ascii_mode = ascii;
}

bool draw_ascii(void)
{
	return ascii_mode;
}

unsigned draw_san_flags(void)
{
	return ascii_mode ? SAN_ASCII : 0;
}

/* Draws glyphs of s[0..len) at the cursor, each safe; returns the columns used. */
static int put_glyphs(WINDOW *w, const char *s, size_t len, attr_t attr)
{
	const char *p = s, *end = s + len;
	unsigned flags = draw_san_flags();
	int cols = 0;
	struct san_glyph g;

	while (p < end) {
		/* A zero-width mark first in the run is escaped: it would join what is on screen.
		 */
		p += sanitize_next(p, end, cols == 0 ? flags | SAN_LEADING : flags, &g);
		if (g.kind == SAN_TEXT) {
			wattrset(w, attr);
			waddnstr(w, g.s, (int)g.len);
		} else {
			wattrset(w, theme_attr(SLOT_ESCAPE));
			waddstr(w, g.esc);
		}
		cols += g.width;
	}
	return cols;
}

int draw_text(WINDOW *w, const char *s, size_t len, int maxcols, attr_t attr)
{
	struct fit f = fit_text(s, len, draw_san_flags(), maxcols);
	int cols = put_glyphs(w, s, f.bytes, attr);

	if (f.cut) {
		wattrset(w, attr);
		waddstr(w, draw_glyph("ellipsis"));
		cols++;
	}
	wattrset(w, A_NORMAL);
	return cols;
}

int draw_str(WINDOW *w, const char *s, int maxcols, attr_t attr)
{
	return draw_text(w, s, strlen(s), maxcols, attr);
}

void draw_fill(WINDOW *w, int width, attr_t attr)
{
	int y, x;

	getyx(w, y, x);
	(void)y;
	wattrset(w, attr);
	for (; x < width; x++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
}

void draw_hline(WINDOW *w, int y, int x, int n, attr_t attr)
{
	/* UTF-8 line glyphs rather than the alternate charset: they survive every terminal and
	 * capture. */
	wattrset(w, attr);
	wmove(w, y, x);
	for (int i = 0; i < n; i++)
		waddstr(w, ascii_mode ? "-" : "\xe2\x94\x80");
	wattrset(w, A_NORMAL);
}

void draw_vline(WINDOW *w, int y, int x, int n, attr_t attr)
{
	wattrset(w, attr);
	for (int i = 0; i < n; i++)
		mvwaddstr(w, y + i, x, ascii_mode ? "|" : "\xe2\x94\x82");
	wattrset(w, A_NORMAL);
}

void draw_box(WINDOW *w, int h, int wd, attr_t attr)
{
	const char *tl = ascii_mode ? "+" : "\xe2\x94\x8c", *tr = ascii_mode ? "+" : "\xe2\x94\x90";
	const char *bl = ascii_mode ? "+" : "\xe2\x94\x94", *br = ascii_mode ? "+" : "\xe2\x94\x98";

	draw_hline(w, 0, 1, wd - 2, attr);
	draw_hline(w, h - 1, 1, wd - 2, attr);
	draw_vline(w, 1, 0, h - 2, attr);
	draw_vline(w, 1, wd - 1, h - 2, attr);
	wattrset(w, attr);
	mvwaddstr(w, 0, 0, tl);
	mvwaddstr(w, 0, wd - 1, tr);
	mvwaddstr(w, h - 1, 0, bl);
	mvwaddstr(w, h - 1, wd - 1, br);
	wattrset(w, A_NORMAL);
}

const char *draw_glyph(const char *role)
{
	static const struct {
		const char *role, *utf8, *ascii;
	} glyphs[] = {
	    {"expanded", "\xe2\x96\xbe", "-"},  /* ▾ */
	    {"collapsed", "\xe2\x96\xb8", "+"}, /* ▸ */
	    {"retained", "\xc2\xae", "R"},      /* ® */
	    {"dot", "\xe2\x97\x8f", "*"},       /* ● */
	    {"ellipsis", "\xe2\x80\xa6", "~"},  /* … */
	    {"sep", "\xe2\x94\x82", "|"},       /* │ */
	};

	for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++)
		if (strcmp(glyphs[i].role, role) == 0)
			return ascii_mode ? glyphs[i].ascii : glyphs[i].utf8;
	return "?";
}

const char *draw_eighths(int e)
{
	static const char *const blocks[9] = {
	    " ",
	    "\xe2\x96\x81",
	    "\xe2\x96\x82",
	    "\xe2\x96\x83",
	    "\xe2\x96\x84",
	    "\xe2\x96\x85",
	    "\xe2\x96\x86",
	    "\xe2\x96\x87",
	    "\xe2\x96\x88",
	};
	static const char *const ascii[9] = {" ", "_", ".", ",", "-", "=", "+", "*", "#"};

	if (e < 0)
		e = 0;
	if (e > 8)
		e = 8;
	return ascii_mode ? ascii[e] : blocks[e];
}

int draw_spark(WINDOW *w, const double *v, size_t n, int width, double lo, double hi, attr_t attr)
{
	size_t from = n > (size_t)width ? n - (size_t)width : 0;
	int cols = 0;

	wattrset(w, attr);
	for (size_t i = from; i < n; i++, cols++) {
		/* Levels 1..8: the lowest value still shows as a mark, not as nothing. */
		int level = hi > lo ? 1 + (int)((v[i] - lo) / (hi - lo) * 7.0 + 0.5) : 4;

		waddstr(w, draw_eighths(level));
	}
	wattrset(w, A_NORMAL);
	return cols;
}

void draw_dialog(WINDOW **win, int *h, int *w, int hh, int ww, int rows, int cols,
                 const char *title)
{
	if (*win == NULL || *h != hh || *w != ww) {
		if (*win)
			delwin(*win);
		*win = newwin(hh, ww, (rows - hh) / 2, (cols - ww) / 2);
		*h = hh;
		*w = ww;
	}
	werase(*win);
	draw_box(*win, hh, ww, theme_attr(SLOT_BORDER));
	wmove(*win, 0, 2);
	draw_str(*win, title, ww - 4, theme_attr(SLOT_TITLE));
}

void draw_too_small(WINDOW **win, int *h, int *w, int rows, int cols, const char *what,
                    int need_rows, int need_cols, enum action close)
{
	char msg[256], keys[64] = "";
	size_t o;

	if (rows < 1 || cols < 1)
		return;
	if (*win == NULL || *h != 1 || *w != cols) {
		if (*win)
			delwin(*win);
		*win = newwin(1, cols, rows / 2, 0);
		*h = 1;
		*w = cols;
	}
	mvwin(*win, rows / 2, 0);
	o = (size_t)snprintf(msg, sizeof(msg), "%s: needs %dx%d", what, need_cols, need_rows);
	if (close != ACT_NONE)
		keys_first(close, keys, sizeof(keys)); /* the first key is enough here */
	if (keys[0] && o < sizeof(msg))
		snprintf(msg + o, sizeof(msg) - o, " (%s closes)", keys);
	werase(*win);
	wmove(*win, 0, 0);
	draw_str(*win, msg, cols, theme_attr(SLOT_ERROR));
	touchwin(*win);
	wnoutrefresh(*win);
}

int draw_key_hints(WINDOW *w, int maxcols, const struct key_hint *hints, size_t n)
{
	int used = 0;

	/* A group: keys without a label share the next hint's ("0 1 2 QoS"); whole or not at all.
	 */
	for (size_t i = 0; i < n;) {
		char keys[8][64];
		size_t end = i, k = 0;
		int need = used ? 2 : 0;

		while (end + 1 < n && hints[end].label == NULL)
			end++;
		for (size_t j = i; j <= end && k < 8; j++) {
			keys_first(hints[j].a, keys[k], sizeof(keys[k]));
			if (keys[k][0] == '\0')
				continue;
			need += (k ? 1 : 0) +
			        sanitize_width(keys[k], strlen(keys[k]), draw_san_flags());
			k++;
		}
		if (k && hints[end].label)
			need += 1 + sanitize_width(hints[end].label, strlen(hints[end].label),
			                           draw_san_flags());
		i = end + 1;
		if (k == 0)
			continue;
		if (used + need > maxcols)
			break;
		if (used)
			used += draw_str(w, "  ", maxcols - used, A_NORMAL);
		for (size_t j = 0; j < k; j++) {
			if (j)
				used += draw_str(w, " ", maxcols - used, A_NORMAL);
			used += draw_str(w, keys[j], maxcols - used, theme_attr(SLOT_HINT_KEY));
		}
		if (hints[end].label) {
			used += draw_str(w, " ", maxcols - used, A_NORMAL);
			used +=
			    draw_str(w, hints[end].label, maxcols - used, theme_attr(SLOT_HINT));
		}
	}
	return used;
}

int draw_field(WINDOW *w, int y, int x, int width, const char *buf, size_t len, size_t cur,
               attr_t attr)
{
	unsigned flags = draw_san_flags();
	size_t from = 0;
	int before = sanitize_width(buf, cur, flags), c, at;

	/* Scroll by glyphs until the text before the cursor leaves a column for it. */
	while (from < cur && before > width - 1) {
		struct san_glyph g;

		from += sanitize_next(buf + from, buf + cur,
		                      from == 0 ? flags | SAN_LEADING : flags, &g);
		before -= g.width;
		if (before <= width - 1) /* exact again: the new first glyph starts the run */
			before = sanitize_width(buf + from, cur - from, flags);
	}
	wmove(w, y, x);
	c = draw_text(w, buf + from, cur - from, width, attr);
	at = x + c;
	c += draw_text(w, buf + cur, len - cur, width - c, attr);
	wattrset(w, attr);
	for (; c < width; c++)
		waddch(w, ' ');
	wattrset(w, A_NORMAL);
	return at;
}
