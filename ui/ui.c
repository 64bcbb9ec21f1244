/* ui.c: the UI thread's loop: poll, drain the ring, handle keys, draw dirty panes once per frame.
 */
#define _GNU_SOURCE
#include "mqscope/ui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/auth_prompt.h"
#include "mqscope/clipboard.h"
#include "mqscope/dashboard.h"
#include "mqscope/clear_retained.h"
#include "mqscope/compare_view.h"
#include "mqscope/conn_log.h"
#include "mqscope/draw.h"
#include "mqscope/filter.h"
#include "mqscope/fit.h"
#include "mqscope/help_view.h"
#include "mqscope/keys.h"
#include "mqscope/message_picker.h"
#include "mqscope/payload_view.h"
#include "mqscope/prompt.h"
#include "mqscope/recorder.h"
#include "mqscope/replay.h"
#include "mqscope/publish.h"
#include "mqscope/publish_form.h"
#include "mqscope/state.h"
#include "mqscope/status_bar.h"
#include "mqscope/stream_view.h"
#include "mqscope/subs_view.h"
#include "mqscope/sys.h"
#include "mqscope/theme.h"
#include "mqscope/topic.h"
#include "mqscope/tree_view.h"
#include "mqscope/ui_api.h"
#include "mqscope/watch_view.h"
#include "mqscope/export_view.h"
#include "mqscope/silence.h"
#include "mqscope/util.h"
#include "mqscope/watch.h"

#define DIRTY_STATUS  0x01u
#define DIRTY_TREE    0x02u
#define DIRTY_PAYLOAD 0x04u
#define DIRTY_HINT    0x08u
#define DIRTY_LAYOUT  0x10u
#define DIRTY_ALL     0x1fu
#define DIRTY_PANES   (DIRTY_ALL & ~DIRTY_LAYOUT)

#define MODALS_MAX       8
#define JOBS_MAX         8
#define DRAIN_SLICE      512 /* messages between looks at the keyboard */
#define DRAIN_BUDGET_MS  15  /* then draw and poll again */
#define KEY_HANDOFF_US   500 /* off the CPU after a key's frame, before draining again */
#define REPLAY_BATCH     4096
#define MIN_ROWS         6
#define MIN_COLS         20
#define SPLIT_MIN        12     /* columns either pane keeps, side by side */
#define SPLIT_STEP       5      /* percent the divider moves per key */
#define NOTICE_WRAP_ROWS 16     /* from this height a long notice takes a second line */
#define RESYNC_QUIET_MS  1500   /* no retained message this long after the SUBACKs: all were sent */
#define RESYNC_MAX_MS    30000  /* after the SUBACKs, decide then at the latest */
#define STREAM_SIDE      140    /* the stream beside the payload from this width; else above it */
#define PREV_SCAN        100000 /* messages searched back for one on the same topic */

enum focus { FOCUS_TREE, FOCUS_PAYLOAD };

struct ui {
	struct app *app;
	SCREEN *scr;
	WINDOW *bar, *tree_w, *sep_w, *pay_w, *hint_w, *note_w, *input_w;
	int rows, cols;
	bool too_small, side_by_side;
	int tree_h, tree_wd, pay_h, pay_wd;
	int tree_width, tree_height; /* the split: percent for the tree, side by side or stacked */
	struct ui_state state;       /* remembered between runs (state.h) */
	bool state_changed;
	bool dragging; /* the divider is held with the mouse */

	struct tree_view tv;
	struct payload_view pv;
	struct stream_view sv;
	bool stream_mode; /* the stream takes the tree's pane */
	enum focus focus;
	char last_query[512];

	struct modal *modals[MODALS_MAX]; /* the last one is on top and gets the keys */
	int nmodals;
	struct job *jobs[JOBS_MAX];
	int njobs;
	int64_t job_at; /* when the next job wants to run */

	unsigned dirty;
	char notice[512];
	enum hint_kind notice_kind;
	int notice_lines; /* lines the notice took in the last frame (2: over the panes) */
	struct ui_message messages[UI_MESSAGES_MAX];
	uint64_t nmessages; /* ever kept; the newest is messages[(n - 1) % UI_MESSAGES_MAX] */
	int64_t next_frame;
	int frame_ms;
	bool more;            /* the ring still holds records */
	bool key_ready;       /* a drain stopped for a key that waits on the terminal */
	uint64_t key_seen_us; /* when the loop first saw the waiting key (0: none) */
	bool quit;
	int quit_sig;     /* the signal that ended the loop, or 0 */
	bool record_told; /* the recording's failure was reported */

	uint64_t shown_sel_msgs;
	uint64_t shown_rate;

	/*
	 * After a reconnect: the broker sends the retained messages of each
	 * subscription right after its SUBACK. Once every SUBACK is in and no
	 * retained message came for a while, a retained topic it did not send
	 * again is gone from it.
	 */
	struct {
		bool waiting;
		int64_t subacked;  /* monotonic ms when the last SUBACK came; 0: not yet */
	} resync[APP_MAX_BROKERS]; /* each broker's own */

	bool paused;         /* panes frozen; messages are still taken in */
	uint64_t paused_at;  /* messages ingested when the pause began */
	int64_t paused_wall; /* the wall clock then: ages and rates are shown as of it */
	char *emit;          /* bytes for the terminal after the next frame (OSC 52) */
	size_t emit_len, emit_cap;
	struct sys_drops drops;
	uint64_t broker_dropped;
	uint64_t watch_seen; /* watch log entries the status bar has shown */
};

/* Handlers named in the action list: void fn(struct ui *). */
static void (*const handlers[ACT__COUNT])(struct ui *) = {
#define X(id, name, keys, help, handler) [ACT_##id] = handler,
    MQS_ACTIONS(X)
#undef X
};

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_asked;

/* Signals that end mqscope: the loop leaves curses and cleans up, then exits 128 + the signal. */
static bool ending_signal(int sig)
{
	return sig == SIGTERM || sig == SIGHUP || sig == SIGINT || sig == SIGQUIT;
}

/*
 * Only tells the loop (the self-pipe). A second SIGTERM or SIGINT while the
 * first is still being handled (a terminal that blocks our writes) ends the
 * process at once, as if we had no handler; a second SIGHUP does not: a
 * closed terminal sends more than one, and the clean-up must still run.
 */
static void on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;
	ssize_t n;

	if (ending_signal(sig) && sig != SIGHUP) {
		if (stop_asked) {
			signal(sig, SIG_DFL);
			raise(sig);
		}
		stop_asked = 1;
	}
	n = write(sig_pipe[1], &c, 1);
	(void)n;
	errno = saved;
}

/* Keeps the notice for the log; the same words again only move its time. */
static void keep_message(struct ui *u)
{
	struct ui_message *m;

	if (u->nmessages) {
		m = &u->messages[(u->nmessages - 1) % UI_MESSAGES_MAX];
		if (m->kind == u->notice_kind && strcmp(m->text, u->notice) == 0) {
			m->time_ms = clock_wall_ms();
			return;
		}
	}
	m = &u->messages[u->nmessages++ % UI_MESSAGES_MAX];
	m->time_ms = clock_wall_ms();
	m->kind = u->notice_kind;
	snprintf(m->text, sizeof(m->text), "%s", u->notice);
}

void ui_notice(struct ui *u, enum hint_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->notice, sizeof(u->notice), fmt, ap);
	va_end(ap);
	u->notice_kind = kind;
	u->dirty |= DIRTY_HINT;
	keep_message(u);
}

size_t ui_messages(struct ui *u, struct ui_message *out, size_t max)
{
	uint64_t have = u->nmessages < UI_MESSAGES_MAX ? u->nmessages : UI_MESSAGES_MAX;
	size_t n = have < max ? (size_t)have : max;

	for (size_t i = 0; i < n; i++)
		out[i] = u->messages[(u->nmessages - n + i) % UI_MESSAGES_MAX];
	return n;
}

struct app *ui_app(struct ui *u)
{
	return u->app;
}

/* The state of a broker after its branch's name, with several brokers, and its ring's drops. */
static const char *broker_note(void *ctx, tree_id id, bool *bad)
{
	static char buf[64];
	struct ui *u = ctx;
	const struct app_link *l = app_link_of(u->app, id);
	const char *w = app_link_state_word(l);
	uint64_t drops = ring_drops(l->ring);
	char n[32];

	*bad = strcmp(w, "down") == 0 || drops > 0;
	if (drops == 0)
		return strcmp(w, "down") == 0 ? "DOWN" : w;
	fmt_count(n, sizeof(n), drops);
	snprintf(buf, sizeof(buf), "%s, %s dropped", strcmp(w, "down") == 0 ? "DOWN" : w, n);
	return buf;
}

/* The memory a broker's branch holds, its share of the budget (app_link_mem_bytes). */
static size_t broker_bytes(void *ctx, tree_id id)
{
	struct ui *u = ctx;

	return app_link_mem_bytes(u->app, app_link_of(u->app, id));
}

/* A broker's branch: its part of the shared memory and the whole, for the payload pane. */
static const char *broker_memory(void *ctx, tree_id id)
{
	static char buf[80];
	struct ui *u = ctx;
	struct app_link *l = app_link_of(u->app, id);
	char part[32], all[32];

	if (app_link_root(u->app, l) != id)
		return NULL;
	fmt_bytes(part, sizeof(part), app_link_mem_bytes(u->app, l));
	fmt_bytes(all, sizeof(all), app_mem_bytes(u->app));
	snprintf(buf, sizeof(buf), "%s of %s", part, all);
	return buf;
}

struct app_link *ui_link(struct ui *u)
{
	return app_link_of(u->app, ui_selected(u));
}

struct session *ui_session(struct ui *u)
{
	return ui_link(u)->session;
}

tree_id ui_selected(struct ui *u)
{
	struct stream_msg m;

	if (u->stream_mode)
		return stream_view_selected(&u->sv, &m) ? m.id : TREE_NONE;
	tree_view_refresh(&u->tv);
	return u->tv.sel;
}

void ui_select(struct ui *u, tree_id id)
{
	if (u->stream_mode)
		stream_view_toggle(u); /* the tree, to show it in */
	tree_view_select(&u->tv, id);
	u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
}

struct tree_view *ui_tree_view(struct ui *u)
{
	return &u->tv;
}

struct payload_view *ui_payload_view(struct ui *u)
{
	return &u->pv;
}

void ui_focus_payload(struct ui *u, bool on)
{
	u->focus = on ? FOCUS_PAYLOAD : FOCUS_TREE;
	u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
}

void ui_emit_after_frame(struct ui *u, const char *bytes, size_t len)
{
	if (u->emit_len + len > u->emit_cap) {
		u->emit_cap = (u->emit_len + len) * 2;
		u->emit = xrealloc(u->emit, u->emit_cap);
	}
	memcpy(u->emit + u->emit_len, bytes, len);
	u->emit_len += len;
	u->dirty |= DIRTY_HINT; /* a frame makes it go out */
}

uint64_t ui_broker_dropped(struct ui *u)
{
	return u->broker_dropped;
}

/*
 * Sends the queued bytes to the terminal once curses has flushed the frame,
 * so they never land in the middle of a curses escape sequence.
 */
static void flush_emit(struct ui *u)
{
	size_t off = 0;

	if (u->emit_len == 0)
		return;
	fflush(stdout);
	while (off < u->emit_len) {
		ssize_t n = write(STDOUT_FILENO, u->emit + off, u->emit_len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	u->emit_len = 0;
}

void ui_dirty(struct ui *u)
{
	u->dirty |= DIRTY_PANES;
}

int64_t ui_now(struct ui *u)
{
	return u->paused ? u->paused_wall : app_now(u->app);
}

int ui_rows(struct ui *u)
{
	return u->rows;
}

int ui_cols(struct ui *u)
{
	return u->cols;
}

void ui_open(struct ui *u, struct modal *m)
{
	if (u->nmodals == MODALS_MAX) {
		m->ops->free(m);
		return;
	}
	u->modals[u->nmodals++] = m;
	ui_dirty(u);
}

void ui_close(struct ui *u, struct modal *m)
{
	for (int i = 0; i < u->nmodals; i++) {
		if (u->modals[i] != m)
			continue;
		memmove(&u->modals[i], &u->modals[i + 1], (size_t)(u->nmodals - i - 1) * sizeof(m));
		u->nmodals--;
		m->ops->free(m);
		ui_dirty(u);
		return;
	}
}

bool ui_modal_open(struct ui *u)
{
	return u->nmodals > 0;
}

void ui_start_job(struct ui *u, struct job *j)
{
	if (u->njobs == JOBS_MAX) {
		ui_notice(u, HINT_ERROR, "Too many background jobs; try again when one is done");
		j->ops->free(j);
		return;
	}
	u->jobs[u->njobs++] = j;
	u->job_at = 0;
}

/* Runs the jobs that are due; finished ones are freed. */
static void run_jobs(struct ui *u, int64_t now)
{
	u->job_at = INT64_MAX;
	for (int i = 0; i < u->njobs;) {
		struct job *j = u->jobs[i];
		int64_t next = j->ops->step(j, u, now);

		if (next == JOB_DONE) {
			u->jobs[i] = u->jobs[--u->njobs];
			j->ops->free(j);
			ui_dirty(u);
			continue;
		}
		if (next < u->job_at)
			u->job_at = next;
		i++;
	}
}

/* A new connection of broker b: its older values become stale; after a reconnect, look for
 * gone ones. */
static void connected_again(struct ui *u, size_t b, const struct session_status *st)
{
	tree_set_connection(u->app->tree, (unsigned)b, TREE_CONN(b, st->connects));
	u->resync[b].waiting = st->connects > 1;
	u->resync[b].subacked = 0;
	u->dirty |= DIRTY_PANES;
}

/* Whether every subscription of the broker's connection has its SUBACK. */
static bool all_subacked(struct session *ss)
{
	struct session_sub subs[64];
	size_t n = session_subscriptions(ss, subs, 64);

	for (size_t i = 0; i < n && i < 64; i++)
		if (subs[i].granted < 0)
			return false;
	return true;
}

struct cover {
	struct session_sub subs[256];
	size_t n;
	const char *label; /* several brokers: the broker's branch, taken off each path */
};

/* Whether a subscription the broker granted matches topic. */
static bool covered(void *ctx, const char *topic, size_t len)
{
	const struct cover *c = ctx;

	if (c->label) {
		size_t ll = strlen(c->label);

		if (len <= ll || memcmp(topic, c->label, ll) != 0 || topic[ll] != '/')
			return false;
		topic += ll + 1;
		len -= ll + 1;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->subs[i].granted >= 0 && c->subs[i].granted <= 2 &&
		    topic_matches(c->subs[i].filter, topic, len))
			return true;
	return false;
}

/* When broker b's resent retained messages are all in: the rest are marked gone; the next
 * check. */
static int64_t resync_step_one(struct ui *u, size_t b, int64_t now)
{
	struct app_link *l = &u->app->link[b];
	int64_t quiet_from, at;
	struct cover *c;
	size_t gone;
	char n[32];

	if (!u->resync[b].waiting || l->session == NULL)
		return INT64_MAX;
	if (l->st.state != SESSION_CONNECTED) {
		u->resync[b].waiting = false; /* lost again: the next connection starts over */
		return INT64_MAX;
	}
	if (u->resync[b].subacked == 0)
		return INT64_MAX; /* a SUBACK event brings us back */
	quiet_from = l->last_retained_ms > u->resync[b].subacked ? l->last_retained_ms
	                                                         : u->resync[b].subacked;
	at = quiet_from + RESYNC_QUIET_MS;
	if (at > u->resync[b].subacked + RESYNC_MAX_MS)
		at = u->resync[b].subacked + RESYNC_MAX_MS;
	if (now < at)
		return at;
	u->resync[b].waiting = false;
	c = xmalloc(sizeof(*c));
	c->n = session_subscriptions(l->session, c->subs, 256);
	if (c->n > 256)
		c->n = 256;
	c->label = u->app->several ? l->label : NULL;
	gone = tree_mark_gone(u->app->tree, (unsigned)b, covered, c);
	free(c);
	if (gone) {
		fmt_count(n, sizeof(n), gone);
		ui_notice(u, HINT_NOTICE,
		          "%s%s%s retained topic%s the broker no longer has: not sent again after "
		          "reconnecting (marked gone)",
		          u->app->several ? l->label : "", u->app->several ? ": " : "", n,
		          gone == 1 ? "" : "s");
		u->dirty |= DIRTY_PANES;
	}
	return INT64_MAX;
}

/* The earliest of every broker's next resync check. */
static int64_t resync_step(struct ui *u, int64_t now)
{
	int64_t next = INT64_MAX;

	for (size_t b = 0; b < u->app->nlinks; b++) {
		int64_t at = resync_step_one(u, b, now);

		if (at < next)
			next = at;
	}
	return next;
}

/* One event to every modal and job that listens. */
static void dispatch_one(struct ui *u, const struct session_event *ev)
{
	for (int i = 0; i < u->nmodals; i++)
		if (u->modals[i]->ops->event)
			u->modals[i]->ops->event(u->modals[i], u, ev);
	for (int i = 0; i < u->njobs; i++)
		if (u->jobs[i]->ops->event)
			u->jobs[i]->ops->event(u->jobs[i], u, ev);
	u->dirty |= DIRTY_PANES;
}

/* Hands the network threads' outcomes, each marked with its broker, to whoever listens. */
static void dispatch_events(struct ui *u)
{
	struct session_event ev;

	for (size_t b = 0; b < u->app->nlinks; b++) {
		struct session *ss = u->app->link[b].session;

		while (ss && session_next_event(ss, &ev)) {
			ev.broker = (unsigned)b;
			if (ev.kind == SESSION_EV_SUBSCRIBED && u->resync[b].waiting &&
			    all_subacked(ss))
				u->resync[b].subacked = clock_mono_ms();
			dispatch_one(u, &ev);
		}
	}
}

static void free_windows(struct ui *u)
{
	WINDOW **ws[] = {&u->bar, &u->tree_w, &u->sep_w, &u->pay_w, &u->hint_w, &u->note_w};

	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		if (*ws[i])
			delwin(*ws[i]);
		*ws[i] = NULL;
	}
}

/* Splits the screen into panes for the current size. */
static void layout(struct ui *u)
{
	int body;

	free_windows(u);
	getmaxyx(stdscr, u->rows, u->cols);
	u->too_small = u->rows < MIN_ROWS || u->cols < MIN_COLS;
	if (u->too_small)
		return;
	body = u->rows - 2;
	/* The stream's rows are wide: beside the payload only on a wide screen. */
	u->side_by_side = u->cols >= (u->stream_mode ? STREAM_SIDE : 70);
	u->bar = newwin(1, u->cols, 0, 0);
	u->hint_w = newwin(1, u->cols, u->rows - 1, 0);
	u->note_w =
	    newwin(2, u->cols, u->rows - 2, 0); /* a long notice, over the panes' last row */
	if (u->side_by_side) {
		u->tree_wd = (u->cols * u->tree_width + 50) / 100;
		if (u->tree_wd < SPLIT_MIN)
			u->tree_wd = SPLIT_MIN;
		if (u->tree_wd > u->cols - 1 - SPLIT_MIN)
			u->tree_wd = u->cols - 1 - SPLIT_MIN;
		u->tree_h = u->pay_h = body;
		u->pay_wd = u->cols - u->tree_wd - 1;
		u->tree_w = newwin(body, u->tree_wd, 1, 0);
		u->sep_w = newwin(body, 1, 1, u->tree_wd);
		u->pay_w = newwin(body, u->pay_wd, 1, u->tree_wd + 1);
	} else {
		u->tree_h = (body * u->tree_height + 50) / 100;
		if (u->tree_h > body - 2)
			u->tree_h = body - 2;
		if (u->tree_h < 1)
			u->tree_h = 1;
		u->pay_h = body - u->tree_h - 1;
		u->tree_wd = u->pay_wd = u->cols;
		u->tree_w = newwin(u->tree_h, u->cols, 1, 0);
		u->sep_w = newwin(1, u->cols, 1 + u->tree_h, 0);
		u->pay_w = newwin(u->pay_h > 0 ? u->pay_h : 1, u->cols, 2 + u->tree_h, 0);
	}
	u->tv.lv.l.height = (size_t)u->tree_h; /* for paging before the first frame */
	u->sv.lv.l.height = u->tree_h > 1 ? (size_t)u->tree_h - 1 : 1;
	u->dirty = DIRTY_PANES;
}

static void draw_status(struct ui *u, int64_t now)
{
	struct status_info si;
	char replay[96] = "", filter[160] = "", states[400] = "", alarm[512], mem_each[160];
	const struct watch_event *e;
	struct app *a = u->app;

	memset(&si, 0, sizeof(si));
	si.broker = u->app->broker_label;
	si.demo = u->app->cfg->demo;
	si.insecure = u->app->cfg->tls && u->app->cfg->insecure;
	si.unverified = si.insecure && !u->app->cfg->cafile && !u->app->cfg->capath;
	si.offline = a->link[0].session == NULL;
	si.st = &a->link[0].st;
	if (a->several && !si.offline) {
		/* each broker's state in a word: "house up  cloud DOWN" */
		size_t o = 0;

		si.all_up = true;
		for (size_t i = 0; i < a->nlinks && o < sizeof(states); i++) {
			const char *w = app_link_state_word(&a->link[i]);
			int k;

			si.all_up &= strcmp(w, "up") == 0;
			if (strcmp(w, "down") == 0)
				si.any_down = true;
			k = snprintf(states + o, sizeof(states) - o, "%s%s %s", i ? "  " : "",
			             a->link[i].label, strcmp(w, "down") == 0 ? "DOWN" : w);
			if (k < 0)
				break;
			o += (size_t)k;
		}
		si.states = states;
	}
	si.now_mono = now;
	si.msgs = u->app->ingested;
	si.rate = rate_last_second(&u->app->rate, now);
	si.topics = tree_topic_count(u->app->tree);
	si.drops = app_drops(a);
	si.refused_topics = tree_refused_by(u->app->tree, TREE_BOUND_TOPICS);
	si.refused_names = tree_refused_by(u->app->tree, TREE_BOUND_NAMES);
	si.refused_deep = tree_refused_by(u->app->tree, TREE_BOUND_DEPTH);
	si.refused_nomem = tree_refused_by(u->app->tree, TREE_BOUND_MEMORY);
	si.max_topics = u->app->cfg->max_topics;
	si.cut = u->app->cut;
	si.mem = app_mem_bytes(a);
	if (a->several) {
		/* each broker's part: "house 1.2 MiB  cloud 3.4 MiB", or nothing when it is cut */
		size_t o = 0;

		for (size_t i = 0; i < a->nlinks; i++) {
			char b[32];
			int k;

			fmt_bytes(b, sizeof(b), app_link_mem_bytes(a, &a->link[i]));
			k = snprintf(mem_each + o, sizeof(mem_each) - o, "%s%s %s", i ? "  " : "",
			             a->link[i].label, b);
			if (k < 0 || (size_t)k >= sizeof(mem_each) - o) {
				o = 0;
				break;
			}
			o += (size_t)k;
		}
		mem_each[o] = '\0';
		si.mem_each = o ? mem_each : NULL;
	}
	si.over_budget = tree_over_budget(u->app->tree);
	si.budget_hits = tree_budget_hits(u->app->tree);
	si.paused = u->paused;
	si.backlog = u->paused ? u->app->ingested - u->paused_at : 0;
	si.broker_dropped = u->broker_dropped;
	if (u->app->replay) {
		struct replay *r = u->app->replay;
		double sp = replay_speed(r);

		if (replay_finished(r))
			snprintf(replay, sizeof(replay), "replay done");
		else if (sp == 0)
			snprintf(replay, sizeof(replay), "replay %d%%", replay_percent(r));
		else
			snprintf(replay, sizeof(replay), "replay %gx %d%%", sp, replay_percent(r));
		si.replay = replay;
	}
	if (u->app->filter || u->tv.silent_only) {
		snprintf(filter, sizeof(filter), "%s%s%s", u->tv.silent_only ? "is:silent" : "",
		         u->tv.silent_only && u->app->filter ? " " : "",
		         u->app->filter ? u->app->filter->spec : "");
		si.filter = filter;
		si.filter_matches = u->app->filter ? filter_matches(u->app->filter)
		                                   : silence_count(u->app->silence) +
		                                         silence_offline_count(u->app->silence);
	}
	if (u->tv.sort != SORT_NAME)
		si.sort = tree_view_sort_name(u->tv.sort);
	si.recording = u->app->recorder != NULL;
	si.record_failed = u->app->recorder && recorder_failed(u->app->recorder);
	si.silent = silence_count(u->app->silence);
	si.offline_devices = silence_offline_count(u->app->silence);
	if ((e = watch_alarm(u->app->watches)) != NULL) {
		char topic[256];
		size_t tl = tree_path(u->app->tree, e->id, topic, sizeof(topic));

		snprintf(alarm, sizeof(alarm), "ALARM %.*s = %.*s (%s)",
		         (int)(tl < sizeof(topic) ? tl : sizeof(topic) - 1), topic, (int)e->vlen,
		         e->value, watch_label(u->app->watches, e->watch));
		si.alarm = alarm;
	}
	u->shown_rate = si.rate;
	status_bar_draw(u->bar, u->cols, &si);
	wnoutrefresh(u->bar);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* In the stream: shows the selected message in the payload pane; returns its topic. */
static tree_id pin_selected(struct ui *u)
{
	struct stream_msg m, prev;

	if (!stream_view_selected(&u->sv, &m)) {
		payload_view_unpin(&u->pv);
		return TREE_NONE;
	}
	payload_view_pin(&u->pv, &m,
	                 stream_prev_same(u->app->stream, m.seq, PREV_SCAN, &prev) ? &prev : NULL);
	return m.id;
}

/* Draws every dirty pane, then the modals on top, then flushes once. */
static void frame(struct ui *u)
{
	int64_t now = clock_mono_ms();
	struct modal *top = u->nmodals ? u->modals[u->nmodals - 1] : NULL;
	int cy, cx, lines;

	if (u->dirty & DIRTY_LAYOUT)
		layout(u);
	if (u->nmodals)
		u->dirty |= DIRTY_PANES; /* panes under a modal are redrawn with it */
	if (u->too_small) {
		char msg[96];
		size_t len, at = 0;

		u->tv.next_change = INT64_MAX; /* no rows on screen to age */
		werase(stdscr);
		len =
		    (size_t)snprintf(msg, sizeof(msg), "Too small: mqscope needs %dx%d (now %dx%d)",
		                     MIN_COLS, MIN_ROWS, u->cols, u->rows);
		for (int y = 0; y < u->rows && at < len; y++) {
			size_t next, n = fit_wrap(msg + at, len - at, 0, u->cols, &next);

			wmove(stdscr, y, 0);
			draw_text(stdscr, msg + at, y + 1 < u->rows ? n : len - at, u->cols,
			          A_NORMAL);
			at += next;
		}
		wnoutrefresh(stdscr);
		doupdate();
		u->dirty = 0;
		return;
	}
	/*
	 * A notice on two lines covers the panes' last row; they come back when it
	 * goes. A short screen keeps its rows: one line, shortened in the middle
	 * (the log has it whole).
	 */
	lines = u->notice[0] && !u->nmodals && u->rows >= NOTICE_WRAP_ROWS
	            ? hint_lines(u->cols, u->notice)
	            : 1;
	if (lines != u->notice_lines) {
		u->notice_lines = lines;
		u->dirty |= DIRTY_PANES;
	}
	if (lines == 2 && (u->dirty & (DIRTY_TREE | DIRTY_PAYLOAD)))
		u->dirty |= DIRTY_HINT;
	if (u->dirty & DIRTY_STATUS)
		draw_status(u, now);
	if (u->stream_mode)
		stream_view_update(&u->sv, u->app->filter);
	if (u->dirty & DIRTY_TREE) {
		if (u->stream_mode)
			stream_view_draw(&u->sv, u->tree_w, u->tree_h, u->tree_wd,
			                 u->focus == FOCUS_TREE, ui_now(u));
		else
			tree_view_draw(&u->tv, u->tree_w, u->tree_h, u->tree_wd,
			               u->focus == FOCUS_TREE, ui_now(u));
		wnoutrefresh(u->tree_w);
		werase(u->sep_w);
		if (u->side_by_side)
			draw_vline(u->sep_w, 0, 0, u->tree_h, theme_attr(SLOT_BORDER));
		else
			draw_hline(u->sep_w, 0, 0, u->cols, theme_attr(SLOT_BORDER));
		wnoutrefresh(u->sep_w);
	}
	if (u->dirty & (DIRTY_PAYLOAD | DIRTY_TREE)) {
		tree_id sel = u->stream_mode ? pin_selected(u) : u->tv.sel;

		if (u->pay_h > 0) {
			payload_view_draw(&u->pv, u->pay_w, u->pay_h, u->pay_wd, sel,
			                  u->focus == FOCUS_PAYLOAD, ui_now(u));
			wnoutrefresh(u->pay_w);
		}
		u->shown_sel_msgs = sel != TREE_NONE ? tree_node(u->app->tree, sel)->sub_msgs : 0;
	}
	if (u->dirty & DIRTY_HINT) {
		WINDOW *hw = lines == 2 ? u->note_w : u->hint_w;

		hint_line_draw(hw, lines, u->cols, u->notice[0] ? u->notice_kind : HINT_KEYS,
		               u->notice);
		wnoutrefresh(hw);
	}
	for (int i = 0; i < u->nmodals; i++)
		u->modals[i]->ops->draw(u->modals[i], u, u->rows, u->cols);
	if (top && top->ops->cursor && top->ops->cursor(top, &cy, &cx)) {
		curs_set(1);
		setsyx(cy, cx);
	} else {
		curs_set(0);
	}
	doupdate();
	flush_emit(u);
	u->dirty = 0;
}

void stream_view_toggle(struct ui *u)
{
	u->stream_mode = !u->stream_mode;
	if (u->stream_mode) {
		stream_view_freeze(&u->sv, u->paused);
		stream_view_update(&u->sv, u->app->filter);
	} else {
		payload_view_unpin(&u->pv);
	}
	u->focus = FOCUS_TREE;
	u->dirty |= DIRTY_LAYOUT | DIRTY_PANES;
}

/* A frame, timed: drawing and the flush to the terminal. */
static void timed_frame(struct ui *u)
{
	struct ui_stats *st = &u->app->ui;
	uint64_t t0 = mono_us(), us;

	frame(u);
	us = mono_us() - t0;
	st->frames++;
	st->frame_us_sum += us;
	if (us > st->frame_us_max)
		st->frame_us_max = us;
	st->frame_hist[app_frame_bucket(us)]++;
}

/* Counts how long a key waited in mqscope, from the loop seeing it to its frame written. */
static void key_answered(struct ui *u)
{
	struct ui_stats *st = &u->app->ui;
	uint64_t us;

	if (u->key_seen_us == 0)
		return;
	us = mono_us() - u->key_seen_us;
	st->key_frames++;
	if (us > st->key_us_max)
		st->key_us_max = us;
	st->key_hist[app_frame_bucket(us)]++;
}

/* Freezes the panes (messages keep coming in and are counted), or applies all that came. */
static void toggle_pause(struct ui *u)
{
	char n[32];

	u->paused = !u->paused;
	/* The tree keeps taking messages; the panes show it as it is at this moment. */
	tree_hold(u->app->tree, u->paused);
	tree_view_freeze(&u->tv, u->paused);
	stream_view_freeze(&u->sv, u->paused);
	if (u->paused) {
		u->paused_at = u->app->ingested;
		u->paused_wall = app_now(u->app);
		ui_notice(u, HINT_NOTICE,
		          "Paused: the screen stands still, messages are still counted");
	} else {
		fmt_count(n, sizeof(n), u->app->ingested - u->paused_at);
		ui_notice(u, HINT_NOTICE, "Resumed: %s message%s arrived during the pause", n,
		          u->app->ingested - u->paused_at == 1 ? "" : "s");
	}
	u->dirty |= DIRTY_PANES;
}

/* Sets the tree's share of the screen (percent, 10 to 90) in the current direction. */
static void set_split(struct ui *u, int pct)
{
	int *share = u->side_by_side ? &u->tree_width : &u->tree_height;

	if (pct < 10)
		pct = 10;
	if (pct > 90)
		pct = 90;
	if (pct == *share)
		return;
	*share = pct;
	u->state_changed = true;
	u->dirty |= DIRTY_LAYOUT;
}

/* Says where the divider is now. */
static void split_notice(struct ui *u)
{
	char less[32], more[32];

	keys_first(ACT_SHRINK_TREE, less, sizeof(less));
	keys_first(ACT_GROW_TREE, more, sizeof(more));
	ui_notice(u, HINT_NOTICE,
	          "The tree takes %d%% of the %s (%s and %s move it; kept for the next run)",
	          u->side_by_side ? u->tree_width : u->tree_height,
	          u->side_by_side ? "width" : "height", less, more);
}

/* Moves the divider a step: the tree gets more room (dir > 0) or less. */
static void move_split(struct ui *u, int dir)
{
	set_split(u, (u->side_by_side ? u->tree_width : u->tree_height) + dir * SPLIT_STEP);
	split_notice(u);
}

/* Whether screen cell (y, x) is on the divider between the panes. */
static bool on_divider(const struct ui *u, int y, int x)
{
	if (u->side_by_side)
		return x == u->tree_wd && y >= 1 && y <= u->tree_h;
	return y == 1 + u->tree_h;
}

/* The wheel: three rows up or down in whatever list is under the pointer. */
static void mouse_wheel(struct ui *u, int y, int x, int dir)
{
	enum action a = dir < 0 ? ACT_MOVE_UP : ACT_MOVE_DOWN;

	for (int i = 0; i < 3; i++) {
		if (u->nmodals) {
			struct modal *top = u->modals[u->nmodals - 1];

			/* A window takes the wheel as its arrow keys. */
			if (!top->ops->key(top, u, dir < 0 ? KEY_UP : KEY_DOWN, true)) {
				ui_close(u, top);
				break;
			}
			u->dirty |= DIRTY_PANES;
		} else if (u->tree_w && wenclose(u->tree_w, y, x)) {
			if (tree_view_action(&u->tv, a))
				u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
		} else if (u->pay_w && wenclose(u->pay_w, y, x)) {
			if (payload_view_action(&u->pv, a))
				u->dirty |= DIRTY_PAYLOAD;
		}
	}
}

/*
 * A click selects a row or focuses a pane, on a branch marker opens it; a
 * press on the divider and a release elsewhere move it. Windows on top take
 * keys only (their lists take the wheel).
 */
static void mouse_event(struct ui *u, const MEVENT *ev)
{
	int y = ev->y, x = ev->x;

	if (ev->bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		mouse_wheel(u, y, x, ev->bstate & BUTTON4_PRESSED ? -1 : +1);
		return;
	}
	if (ev->bstate & BUTTON1_RELEASED) {
		if (u->dragging && !u->nmodals) {
			int body = u->rows - 2;

			set_split(u, u->side_by_side ? (x * 100 + u->cols / 2) / u->cols
			                             : ((y - 1) * 100 + body / 2) / body);
			split_notice(u);
		}
		u->dragging = false;
		return;
	}
	if (!(ev->bstate & BUTTON1_PRESSED) || u->nmodals)
		return;
	if (on_divider(u, y, x)) {
		u->dragging = true;
	} else if (wmouse_trafo(u->tree_w, &y, &x, FALSE)) {
		u->focus = FOCUS_TREE;
		tree_view_click(&u->tv, y, x, u->tree_wd);
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
	} else if (wenclose(u->pay_w, y, x)) {
		u->focus = FOCUS_PAYLOAD;
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
	}
}

/*
 * Every mouse event curses holds, oldest first: getmouse gives the newest,
 * and a press and its release that came together may make one KEY_MOUSE.
 */
static void handle_mouse(struct ui *u)
{
	MEVENT ev[16];
	int n = 0;

	while (n < 16 && getmouse(&ev[n]) == OK)
		n++;
	while (n-- > 0 && !u->too_small)
		mouse_event(u, &ev[n]);
}

/* Reads the remembered split; the config's value wins once it changed since. */
static void load_state(struct ui *u)
{
	const struct settings *cfg = u->app->cfg;
	char path[4096], err[512];

	u->tree_width = cfg->tree_width;
	u->tree_height = cfg->tree_height;
	state_default_path(path, sizeof(path));
	if (state_load(path, &u->state, err, sizeof(err)) != 0) {
		ui_notice(u, HINT_ERROR, "%s (not used)", err);
		return;
	}
	u->tree_width = state_pick(u->state.tree_width, u->state.tree_width_from, cfg->tree_width);
	u->tree_height =
	    state_pick(u->state.tree_height, u->state.tree_height_from, cfg->tree_height);
}

/* Writes the split to the state file if it was moved; false with why in err. */
static bool save_state(struct ui *u, char *err, size_t cap)
{
	const struct settings *cfg = u->app->cfg;
	char path[4096];

	if (!u->state_changed)
		return true;
	if (u->tree_width != cfg->tree_width || u->state.tree_width) {
		u->state.tree_width = u->tree_width;
		u->state.tree_width_from = cfg->tree_width;
	}
	if (u->tree_height != cfg->tree_height || u->state.tree_height) {
		u->state.tree_height = u->tree_height;
		u->state.tree_height_from = cfg->tree_height;
	}
	state_default_path(path, sizeof(path));
	return state_save(path, &u->state, err, cap) == 0;
}

static void search(struct ui *u, int dir)
{
	bool wrapped;
	tree_id id;

	if (u->last_query[0] == '\0') {
		ui_notice(u, HINT_ERROR, "Nothing to search for yet: press / first");
		return;
	}
	id = tree_view_search(&u->tv, u->last_query, dir, &wrapped);
	if (id == TREE_NONE) {
		if (tree_view_flat(&u->tv))
			ui_notice(
			    u, HINT_ERROR,
			    "No topic in this list matches \"%s\" (sorted by name, the search "
			    "covers the whole tree)",
			    u->last_query);
		else
			ui_notice(u, HINT_ERROR, "No topic matches \"%s\"", u->last_query);
		return;
	}
	ui_select(u, id);
	u->focus = FOCUS_TREE;
	if (wrapped)
		ui_notice(u, HINT_NOTICE, "Search wrapped around");
}

static void search_entered(struct ui *u, const char *text, void *data)
{
	(void)data;
	if (text[0] == '\0')
		return;
	snprintf(u->last_query, sizeof(u->last_query), "%s", text);
	search(u, +1);
}

/* A key for the stream pane: moving, searching; Enter shows the message in the payload pane. */
static bool stream_key(struct ui *u, enum action a)
{
	switch (a) {
	case ACT_TOGGLE_BRANCH:
	case ACT_EXPAND:
		u->focus = FOCUS_PAYLOAD;
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
		return true;
	case ACT_COLLAPSE:
	case ACT_EXPAND_ALL:
	case ACT_COLLAPSE_ALL:
		return true; /* nothing to open or close in the stream */
	default:
		if (!stream_view_action(&u->sv, u, a))
			return false;
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
		return true;
	}
}

static void handle_key(struct ui *u, int key, bool fn)
{
	enum action a;

	if (fn && key == KEY_RESIZE) {
		u->dirty |= DIRTY_LAYOUT;
		return;
	}
	if (fn && key == KEY_MOUSE) {
		handle_mouse(u);
		return;
	}
	if (u->nmodals) {
		struct modal *top = u->modals[u->nmodals - 1];

		if (!top->ops->key(top, u, key, fn))
			ui_close(u, top);
		u->dirty |= DIRTY_PANES;
		return;
	}
	if (u->notice[0]) {
		u->notice[0] = '\0';
		u->dirty |= DIRTY_HINT;
	}
	a = keys_lookup(MODE_MAIN, key, fn);
	if (handlers[a] != NULL) {
		handlers[a](u);
		return;
	}
	if (u->stream_mode && u->focus == FOCUS_TREE && stream_key(u, a))
		return;
	switch (a) {
	case ACT_QUIT:
		u->quit = true;
		return;
	case ACT_SEARCH:
		prompt_open(u, "/", NULL, search_entered, NULL);
		return;
	case ACT_SEARCH_NEXT:
		search(u, +1);
		return;
	case ACT_SEARCH_PREV:
		search(u, -1);
		return;
	case ACT_PAUSE:
		toggle_pause(u);
		return;
	case ACT_FOCUS_NEXT:
		u->focus = u->focus == FOCUS_TREE ? FOCUS_PAYLOAD : FOCUS_TREE;
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
		return;
	case ACT_LIVE:
		if (payload_view_live(&u->pv)) {
			ui_notice(u, HINT_NOTICE, "Live: the newest value");
			u->dirty |= DIRTY_PAYLOAD;
		}
		return;
	case ACT_SHRINK_TREE:
	case ACT_GROW_TREE:
		move_split(u, a == ACT_GROW_TREE ? +1 : -1);
		return;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		u->dirty |= DIRTY_PANES;
		return;
	case ACT_NONE:
		return;
	default:
		break;
	}
	if (u->focus == FOCUS_PAYLOAD) {
		if (payload_view_action(&u->pv, a)) {
			u->dirty |= DIRTY_PAYLOAD;
		} else if (a == ACT_COLLAPSE) {
			u->focus = FOCUS_TREE;
			u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
		}
		return;
	}
	if (tree_view_action(&u->tv, a))
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
}

/* Handles every key the terminal has sent; returns how many there were. */
static int read_keys(struct ui *u)
{
	wint_t wc;
	int r, n = 0;

	while (!u->quit && (r = wget_wch(u->input_w, &wc)) != ERR) {
		handle_key(u, (int)wc, r == KEY_CODE_YES);
		n++;
	}
	u->key_ready = false;
	return n;
}

/* Whether input waits on the terminal, without reading it. */
static bool key_waiting(void)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};

	return poll(&p, 1, 0) > 0;
}

static void handle_signals(struct ui *u)
{
	unsigned char sigs[16];
	ssize_t n = read(sig_pipe[0], sigs, sizeof(sigs));

	for (ssize_t i = 0; i < n; i++) {
		if (sigs[i] == SIGWINCH) {
			struct winsize ws;

			if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
				resizeterm(ws.ws_row, ws.ws_col);
			u->dirty |= DIRTY_LAYOUT;
		} else if (sigs[i] == SIGUSR1) {
			/* Counts on demand, for benchmarks and scripts. */
			if (u->app->cfg->stats_path)
				app_write_stats(u->app, u->app->cfg->stats_path);
		} else if (ending_signal(sigs[i])) {
			u->quit = true;
			if (u->quit_sig == 0)
				u->quit_sig = sigs[i];
		}
	}
}

/* Says once, in words, that the recording stopped and why; the status bar keeps showing it. */
static void check_recorder(struct ui *u)
{
	char why[sizeof(u->notice)];

	if (u->record_told || u->app->recorder == NULL || !recorder_failed(u->app->recorder))
		return;
	u->record_told = true;
	recorder_describe(u->app->recorder, why, sizeof(why));
	ui_notice(u, HINT_ERROR, "%s", why);
	u->dirty |= DIRTY_STATUS;
}

/* Rings the bell once for watches that fired (the byte goes out after the frame). */
static void watch_news(struct ui *u)
{
	uint64_t total = watch_log_total(u->app->watches);

	if (total != u->watch_seen) {
		u->watch_seen = total;
		u->dirty |= DIRTY_STATUS;
	}
	if (watch_take_bell(u->app->watches))
		ui_emit_after_frame(u, "\a", 1);
}

/*
 * Judges silence when a deadline passed: topics that stopped talking turn
 * silent, and the watches hear of it. Nothing runs between deadlines, so an
 * idle mqscope stays asleep.
 */
static void tick_silence(struct ui *u)
{
	int64_t now = app_now(u->app);
	bool more = true, turned = false;

	if (app_next_due(u->app) > now)
		return;
	for (int i = 0; i < 8 && more; i++)
		turned |= app_tick(u->app, now, &more);
	if (!turned)
		return;
	u->dirty |= DIRTY_STATUS;
	tree_view_note_silence(&u->tv, u->app->silence);
	if (!u->paused)
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD;
	watch_news(u);
}

/* Marks what new messages change on screen (only the status bar while paused). */
static void took_messages(struct ui *u)
{
	struct session_status st = {0};

	/* Read after the messages: a value of a new connection then always sees its count. */
	if (u->app->link[0].session)
		session_status(u->app->link[0].session, &st);
	u->broker_dropped = sys_drops_update(&u->drops, u->app->tree, st.connects);
	u->dirty |= DIRTY_STATUS;
	check_recorder(u);
	watch_news(u);
	tree_view_note_changes(&u->tv, u->app->tree, u->app->filter);
	tree_view_note_silence(&u->tv, u->app->silence);
	if (u->paused)
		return;
	u->dirty |= DIRTY_TREE;
	if (u->stream_mode) {
		stream_view_update(&u->sv, u->app->filter);
		u->dirty |= DIRTY_PAYLOAD; /* the newest message, when it follows */
		return;
	}
	if (u->tv.sel != TREE_NONE &&
	    tree_node(u->app->tree, u->tv.sel)->sub_msgs != u->shown_sel_msgs)
		u->dirty |= DIRTY_PAYLOAD;
}

/*
 * Moves what the network thread queued into the tree, in slices, within a
 * time budget; stops early when a key arrives, so that a flood never keeps a
 * key waiting for more than one slice.
 */
static void drain(struct ui *u)
{
	int64_t start = clock_mono_ms();
	size_t total = 0;
	bool more = true;

	while (more) {
		total += app_drain(u->app, DRAIN_SLICE, &more);
		if (!more || clock_mono_ms() - start >= DRAIN_BUDGET_MS)
			break;
		if (key_waiting()) {
			u->key_ready = true;
			u->key_seen_us = mono_us();
			break;
		}
	}
	u->more = more;
	if (total)
		took_messages(u);
}

/* The next moment something on screen changes by itself (countdowns, rates, ages). */
static int64_t next_tick(struct ui *u, int64_t now)
{
	int64_t next_sec = (now / 1000 + 1) * 1000 + 5;
	int64_t tick = INT64_MAX;

	for (size_t i = 0; i < u->app->nlinks; i++)
		if (u->app->link[i].session && u->app->link[i].st.state != SESSION_CONNECTED)
			tick = next_sec; /* countdown to the next retry */
	if (u->shown_rate != 0 || rate_last_second(&u->app->rate, now + 1000) != 0)
		tick = next_sec; /* the rate will change at the second boundary */
	if (u->paused)
		return tick; /* the panes stand still */
	if (u->tv.sel != TREE_NONE) {
		const struct tree_node *n = tree_node(u->app->tree, u->tv.sel);
		int64_t age = app_now(u->app) - n->sub_last_ms;

		if (n->sub_last_ms && age < 60000)
			tick = next_sec; /* "3s ago" */
	}
	/*
	 * Ages, decaying rates and highlights on the tree rows, only while some are
	 * on screen (and not while a redraw is already due: it sets the next one).
	 */
	if (u->tv.next_change != INT64_MAX && !(u->dirty & DIRTY_TREE)) {
		int64_t in = u->tv.next_change - app_now(u->app);
		int64_t at = now + (in > 0 ? in : 0) + 5;

		if (at < tick)
			tick = at;
	}
	int64_t resync = resync_step(u, now);
	if (resync < tick)
		tick = resync;
	/* The next silence deadline (on the app's clock, which a replay sets). */
	int64_t due = app_next_due(u->app);
	if (due != INT64_MAX) {
		int64_t at = now + (due - app_now(u->app));

		if (at < tick)
			tick = at > now ? at : now;
	}
	int64_t sort = tree_view_tick(&u->tv, now, tree_msg_count(u->app->tree));
	if (u->tv.stale)
		u->dirty |= DIRTY_TREE | DIRTY_PAYLOAD; /* time to re-sort */
	if (sort < tick)
		tick = sort;
	return tick;
}

/* Milliseconds poll() may sleep: until the next frame, tick or job, or forever when idle. */
static int poll_timeout(struct ui *u, int64_t now, int64_t tick)
{
	int64_t until = INT64_MAX;

	if (u->more)
		return 0;
	if (u->dirty)
		until = u->next_frame;
	if (tick < until)
		until = tick;
	if (u->njobs && u->job_at < until)
		until = u->job_at;
	if (until == INT64_MAX)
		return -1;
	if (until <= now)
		return 0;
	return until - now > 3600000 ? 3600000 : (int)(until - now);
}

/*
 * Off the CPU a moment after a key's frame, before draining again: its write
 * woke the terminal, usually onto this CPU, and draining at once under a flood
 * held the answer back for a scheduler slice (bench/run keys: p90 4.1 ms
 * against 2.5 ms idle). Another key ends the pause.
 */
static void hand_off(void)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	struct timespec ts = {.tv_nsec = KEY_HANDOFF_US * 1000L};

	ppoll(&p, 1, &ts, NULL);
}

static int loop(struct ui *u)
{
	struct app *a = u->app;
	/* the terminal, the signals, then each broker's ring */
	struct pollfd fds[2 + APP_MAX_BROKERS] = {
	    {.fd = STDIN_FILENO, .events = POLLIN},
	    {.fd = sig_pipe[0], .events = POLLIN},
	};
	nfds_t nfds = 2 + a->nlinks;

	for (size_t i = 0; i < a->nlinks; i++)
		fds[2 + i] = (struct pollfd){.fd = a->link[i].ring->wake_fd, .events = POLLIN};

	u->dirty = DIRTY_PANES;
	while (!u->quit) {
		int64_t now = clock_mono_ms(), tick;
		bool sleep_ok;
		int timeout;

		for (size_t i = 0; i < a->nlinks; i++) {
			struct app_link *l = &a->link[i];
			struct session_status st;

			if (l->session == NULL)
				continue;
			session_status(l->session, &st);
			if (st.gen != l->st.gen) {
				if (st.connects != l->st.connects)
					connected_again(u, i, &st);
				l->st = st;
				u->dirty |= DIRTY_STATUS | (a->several ? DIRTY_TREE : 0);
				auth_prompt_on_status(u, l, &st);
			}
		}
		/* A key that waits makes its own frame right after it is handled. */
		if (u->dirty && now >= u->next_frame && !u->key_ready) {
			timed_frame(u);
			/* Keep the cadence: a frame that came late does not push the next one back.
			 */
			u->next_frame += u->frame_ms;
			if (u->next_frame <= now)
				u->next_frame = now + u->frame_ms;
		}
		tick = next_tick(u, now);
		timeout = poll_timeout(u, now, tick);
		/*
		 * Back within a frame anyway: the network thread need not wake
		 * us for each message, only if the ring fills up meanwhile.
		 */
		sleep_ok = timeout >= 0 && timeout <= u->frame_ms;
		for (size_t i = 0; i < a->nlinks; i++)
			if (!ring_prepare_sleep(a->link[i].ring, sleep_ok))
				timeout = 0;
		if (poll(fds, nfds, timeout) < 0 && errno != EINTR)
			return 1;
		u->app->ui.wakeups++;
		if (fds[1].revents & POLLIN)
			handle_signals(u);
		for (size_t i = 0; i < a->nlinks; i++)
			if (fds[2 + i].revents & POLLIN)
				ring_clear_wake(a->link[i].ring);
		if (fds[0].revents & (POLLHUP | POLLERR))
			u->quit = true; /* the terminal went away */
		if ((fds[0].revents & POLLIN) && u->key_seen_us == 0)
			u->key_seen_us = mono_us();
		/*
		 * A key is answered in the next frame, not at the next tick: the
		 * frame rate limits only what messages redraw.
		 */
		if (read_keys(u) && !u->quit && u->dirty) {
			timed_frame(u);
			u->next_frame = clock_mono_ms() + u->frame_ms;
			key_answered(u);
			hand_off();
		}
		u->key_seen_us = 0;
		if (u->quit)
			break;
		drain(u);
		tick_silence(u);
		dispatch_events(u);
		now = clock_mono_ms();
		if (u->njobs && now >= u->job_at)
			run_jobs(u, now);
		if (now >= tick)
			u->dirty |=
			    u->paused ? DIRTY_STATUS : DIRTY_STATUS | DIRTY_PAYLOAD | DIRTY_TREE;
	}
	return 0;
}

/* Feeds a --replay recording into the tree at its pace, a bounded slice per loop turn. */
static int64_t replay_job_step(struct job *j, struct ui *u, int64_t now)
{
	struct replay *r = u->app->replay;
	uint64_t before = u->app->ingested;
	int64_t next = replay_step(r, u->app, now, REPLAY_BATCH);
	char why[512];

	(void)j;
	if (u->app->ingested != before)
		took_messages(u);
	if (next != REPLAY_DONE)
		return next;
	u->dirty |= DIRTY_STATUS;
	char fed[48], bad[48];

	fmt_things(fed, sizeof(fed), replay_fed(r), "message", "messages");
	fmt_things(bad, sizeof(bad), replay_bad_lines(r), "line was", "lines were");
	if (replay_describe_error(r, why, sizeof(why)) > 0)
		ui_notice(u, HINT_ERROR, "Replay stopped after %s: %s", fed, why);
	else if (replay_bad_lines(r))
		ui_notice(u, HINT_ERROR, "Replay done: %s; %s not messages", fed, bad);
	else
		ui_notice(u, HINT_NOTICE, "Replay done: %s", fed);
	return JOB_DONE;
}

static void replay_job_free(struct job *j)
{
	free(j);
}

static const struct job_ops replay_job_ops = {
    .name = "replay",
    .step = replay_job_step,
    .free = replay_job_free,
};

static struct job *replay_job_new(void)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->ops = &replay_job_ops;
	return j;
}

static const int ui_signals[] = {SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1};

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	stop_asked = 0;
	for (size_t i = 0; i < sizeof(ui_signals) / sizeof(ui_signals[0]); i++)
		sigaction(ui_signals[i], &sa, NULL);
}

/*
 * After the UI: the self-pipe is about to close, and its descriptor number
 * may be reused. What the rest of the shut-down must survive (the terminal
 * hanging up, a resize, a stats request) is ignored; a further SIGTERM,
 * SIGINT or SIGQUIT ends the process as usual.
 */
static void uninstall_signals(void)
{
	signal(SIGWINCH, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
}

/* Applies the config file's key bindings; -1 with "file:line: ..." for an unknown key name. */
static int apply_key_bindings(const struct settings *cfg, char *err, size_t cap)
{
	for (size_t i = 0; i < cfg->nkeys; i++) {
		const struct key_binding *b = &cfg->keys[i];
		enum action a = action_by_name(b->action);

		keys_unbind_all(a);
		for (size_t k = 0; k < b->nkeys; k++) {
			if (!keys_bind(b->keys[k], a)) {
				snprintf(
				    err, cap,
				    "%s:%d: unknown key '%s' for %s (try a character, C-x, Up, "
				    "PgDn, Enter, F5...)",
				    cfg->config_file ? cfg->config_file : "config", b->line,
				    b->keys[k], b->action);
				return -1;
			}
		}
	}
	return 0;
}

int ui_check_config(const struct settings *cfg, char *err, size_t cap)
{
	keys_init();
	if (apply_key_bindings(cfg, err, cap) != 0)
		return -1;
	return theme_load(cfg->theme, err, cap);
}

int ui_run(struct app *app)
{
	struct ui *u = xcalloc(1, sizeof(*u));
	const char *nc = getenv("NO_COLOR");
	char err[512];
	int saved_err = -1, rc;

	keys_init();
	if (apply_key_bindings(app->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "mqscope: %s\n", err);
		free(u);
		return 2;
	}
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(u);
		return 1;
	}
	/* Before curses takes the terminal: from then on a signal must leave it the clean way. */
	install_signals();
	u->app = app;
	u->frame_ms = 1000 / (app->cfg->fps > 0 ? app->cfg->fps : 20);
	u->scr = newterm(NULL, stdout, stdin);
	if (u->scr == NULL) {
		fprintf(stderr, "mqscope: cannot use terminal type '%s'\n",
		        getenv("TERM") ? getenv("TERM") : "(unset)");
		free(u);
		uninstall_signals();
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
		return 1;
	}
	/*
	 * Stray library messages on a terminal stderr would corrupt the screen;
	 * a stderr redirected elsewhere is left alone (tests collect it).
	 */
	if (isatty(STDERR_FILENO)) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		saved_err = dup(STDERR_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDERR_FILENO);
			close(devnull);
		}
	}

	draw_set_ascii(app->cfg->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0);
	raw();
	noecho();
	nonl();
	set_escdelay(25);
	curs_set(0);
	theme_init(nc == NULL || nc[0] == '\0');
	u->input_w = newwin(1, 1, 0, 0);
	keypad(u->input_w, TRUE);
	/*
	 * Home and End have several spellings (tmux and screen send \e[1~ and
	 * \e[4~ whatever TERM says); unknown ones would arrive as a bare Esc.
	 */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[4~", KEY_END);
	define_key("\033[7~", KEY_HOME);
	define_key("\033[8~", KEY_END);
	define_key("\033[H", KEY_HOME);
	define_key("\033[F", KEY_END);
	define_key("\033OH", KEY_HOME);
	define_key("\033OF", KEY_END);
	nodelay(u->input_w, TRUE);
	leaveok(u->input_w, TRUE);
	if (app->cfg->mouse) {
		/* Presses and releases as they come (a drag is the two), no click timing. */
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON4_PRESSED | BUTTON5_PRESSED,
		          NULL);
	}
	wnoutrefresh(u->input_w);

	tree_view_init(&u->tv, app->tree);
	if (app->several) {
		u->tv.top_note = broker_note;
		u->tv.top_bytes = broker_bytes;
		u->tv.top_ctx = u;
	}
	tree_view_set_silence(&u->tv, app->silence);
	tree_view_set_decoders(&u->tv, &app->dec);
	stream_view_init(&u->sv, app->stream, app->tree);
	payload_view_init(&u->pv, app->tree, &app->dec);
	payload_view_set_timing(&u->pv, app->timing, app->silence);
	if (app->several) {
		u->pv.branch_memory = broker_memory;
		u->pv.branch_ctx = u;
	}
	sys_drops_init(&u->drops);
	load_state(u);
	layout(u);
	if (app->replay)
		ui_start_job(u, replay_job_new());
	if (app->cfg->warning)
		ui_notice(u, HINT_ERROR, "%s", app->cfg->warning);
	check_recorder(u);

	rc = loop(u);
	if (rc == 0 && u->quit_sig)
		rc = 128 + u->quit_sig;

	while (u->nmodals)
		ui_close(u, u->modals[u->nmodals - 1]);
	for (int i = 0; i < u->njobs; i++)
		u->jobs[i]->ops->free(u->jobs[i]);
	free_windows(u);
	delwin(u->input_w);
	endwin();
	delscreen(u->scr);
	if (saved_err >= 0) {
		dup2(saved_err, STDERR_FILENO);
		close(saved_err);
	}
	if (!save_state(u, err, sizeof(err)))
		fprintf(stderr, "mqscope: the pane split was not kept: %s\n", err);
	tree_view_free(&u->tv);
	stream_view_free(&u->sv);
	payload_view_free(&u->pv);
	free(u->emit);
	free(u);
	uninstall_signals();
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	return rc;
}
