/* clear_retained.c: clearing retained messages: one topic at once, a branch after confirmation. */
#include "mqscope/clear_retained.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/draw.h"
#include "mqscope/fit.h"
#include "mqscope/keys.h"
#include "mqscope/publish.h"
#include "mqscope/theme.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

/*
 * A branch is cleared by a job that hands the session empty retained
 * messages at QoS 0, at most CLEAR_WINDOW not yet written to the socket, and
 * spends at most CLEAR_SLICE_MS per loop turn, so keys and drawing go on.
 * Each clear is confirmed when the broker's echo of it empties the topic in
 * the tree (mqscope subscribes to what it shows).
 *
 * Why not QoS 1: measured against mosquitto with its default settings
 * (Nagle's algorithm on), 10,000 QoS 1 clears took 6 to 15 s, because the
 * PUBACKs come back in bursts held for delayed TCP acknowledgements; at QoS 0
 * they took 0.2 to 0.3 s, and the echo tells the same thing a PUBACK would:
 * the broker has it. One topic alone is cleared at QoS 1 (clear_one), where
 * a refusal can be reported.
 */
#define CLEAR_QOS         0
#define CLEAR_WINDOW      128
#define CLEAR_SLICE_MS    4
#define CLEAR_CONFIRM_MS  3000 /* wait this long for the last echoes */
#define CLEAR_PROGRESS_MS 100
#define CONFIRM_MIN_W     24

/* The whole selection's topic list, confirmed by the user and handed to the job. */
struct clear_plan {
	tree_id *ids;
	size_t n;
	char *branch;
	struct app_link *link; /* the broker that holds them */
};

struct clear_job {
	struct job j;
	struct clear_plan plan;
	size_t next;            /* plan.ids[next] is the next to send */
	size_t verified;        /* plan.ids[0..verified) are empty in the tree */
	int mids[CLEAR_WINDOW]; /* -1 = free slot */
	size_t outstanding;     /* handed to the session, not yet written */
	size_t failed;
	char first_err[200];
	char *topic; /* scratch for tree_path */
	size_t topic_cap;
	int64_t started, last_progress, last_notice;
	bool stop;
};

/* The running branch clear, if any (one at a time). */
static struct clear_job *running;

static void plan_free(struct clear_plan *p)
{
	free(p->ids);
	free(p->branch);
	p->ids = NULL;
	p->branch = NULL;
}

/* A yes/no question; the answer "y" runs yes(), anything else drops the data. */
struct confirm {
	struct modal m;
	WINDOW *win;
	int h, w;
	char lines[4][400];
	int nlines;
	void (*yes)(struct ui *u, void *data);
	void (*drop)(struct ui *u, void *data);
	void *data;
};

static bool confirm_key(struct modal *m, struct ui *u, int key, bool fn)
{
	struct confirm *c = (struct confirm *)m;
	enum action a = keys_lookup(MODE_CONFIRM, key, fn);
	void (*cb)(struct ui *, void *) = a == ACT_CONFIRM_YES ? c->yes : c->drop;
	void *data = c->data;

	if (a != ACT_CONFIRM_YES && a != ACT_CONFIRM_NO)
		return true; /* only an answer closes it */
	/* Close first: the callback may open something else. */
	c->data = NULL;
	ui_close(u, m);
	cb(u, data);
	return true;
}

/* The question's lines wrapped at width; returns how many rows they take (drawn when draw). */
static int question(struct confirm *c, int width, bool draw)
{
	int row = 0;

	for (int i = 0; i < c->nlines; i++) {
		const char *t = c->lines[i];
		size_t len = strlen(t), at = 0;

		do {
			size_t next, n = fit_wrap(t + at, len - at, draw_san_flags(), width, &next);

			if (draw) {
				wmove(c->win, 1 + row, 2);
				draw_text(c->win, t + at, n, width,
				          i == 0 ? theme_attr(SLOT_PROMPT) : A_NORMAL);
			}
			row++;
			at += next;
		} while (at < len);
	}
	return row;
}

static void confirm_draw(struct modal *m, struct ui *u, int rows, int cols)
{
	static const struct key_hint hints[] = {{ACT_CONFIRM_YES, "yes"}, {ACT_CONFIRM_NO, "no"}};
	struct confirm *c = (struct confirm *)m;
	int ww = cols - 4 > 76 ? 76 : cols - 4, hh;

	(void)u;
	hh = question(c, ww - 4, false) + 4; /* borders, a blank line, the keys */
	if (hh > rows)
		hh--; /* no blank line */
	if (hh > rows || ww < CONFIRM_MIN_W) {
		draw_too_small(&c->win, &c->h, &c->w, rows, cols, "Question", hh, CONFIRM_MIN_W + 4,
		               ACT_CONFIRM_NO);
		return;
	}
	draw_dialog(&c->win, &c->h, &c->w, hh, ww, rows, cols, " Clear retained messages ");
	question(c, ww - 4, true);
	wmove(c->win, hh - 2, 2);
	draw_key_hints(c->win, ww - 4, hints, 2);
	touchwin(c->win);
	wnoutrefresh(c->win);
}

static void confirm_free(struct modal *m)
{
	struct confirm *c = (struct confirm *)m;

	if (c->data && c->drop)
		c->drop(NULL, c->data);
	if (c->win)
		delwin(c->win);
	free(c);
}

static const struct modal_ops confirm_ops = {
    .name = "confirm",
    .key = confirm_key,
    .draw = confirm_draw,
    .free = confirm_free,
};

static struct confirm *confirm_new(void (*yes)(struct ui *, void *),
                                   void (*drop)(struct ui *, void *), void *data)
{
	struct confirm *c = xcalloc(1, sizeof(*c));

	c->m.ops = &confirm_ops;
	c->yes = yes;
	c->drop = drop;
	c->data = data;
	return c;
}

/* Topics of the plan that still hold a retained value: a one-off pass at the end. */
static size_t still_retained(const struct clear_job *c, const struct tree *t)
{
	size_t n = 0;

	for (size_t i = 0; i < c->next; i++)
		n += tree_has_retained(t, c->plan.ids[i]);
	return n;
}

/* Sets the hint line to the job's progress or, when finished, its outcome. */
static void show(struct clear_job *c, struct ui *u, bool final)
{
	char done[32], total[32], extra[400] = "";
	size_t o = 0, left = 0, cleared = c->verified;

	fmt_count(total, sizeof(total), c->plan.n);
	if (!final) {
		fmt_count(done, sizeof(done), cleared);
		ui_notice(u, HINT_NOTICE,
		          "Clearing retained messages under %s: %s of %s (d to stop)",
		          c->plan.branch, done, total);
		return;
	}
	left = still_retained(c, ui_app(u)->tree);
	cleared = c->next - left;
	fmt_count(done, sizeof(done), cleared);
	char k[32];

	if (c->failed)
		o += (size_t)snprintf(extra + o, sizeof(extra) - o, "; %s not sent: %s",
		                      fmt_count(k, sizeof(k), c->failed), c->first_err);
	if (left && o < sizeof(extra))
		o += (size_t)snprintf(extra + o, sizeof(extra) - o,
		                      "; %s still retained (published again, refused, or outside "
		                      "the subscriptions)",
		                      fmt_count(k, sizeof(k), left));
	if (c->stop && o < sizeof(extra))
		snprintf(extra + o, sizeof(extra) - o, "; stopped, %s not cleared",
		         fmt_count(k, sizeof(k), c->plan.n - c->next));
	ui_notice(u, c->failed || left ? HINT_ERROR : HINT_NOTICE,
	          "Cleared %s of %s retained topic%s under %s in %.1fs%s", done, total,
	          c->plan.n == 1 ? "" : "s", c->plan.branch,
	          (double)(clock_mono_ms() - c->started) / 1000.0, extra);
}

static int free_slot(const struct clear_job *c)
{
	for (int i = 0; i < CLEAR_WINDOW; i++)
		if (c->mids[i] == -1)
			return i;
	return -1;
}

/*
 * Hands topics to the session while the window has room, for at most until
 * (0: no limit). Returns false when the session is not connected.
 */
static bool refill(struct clear_job *c, struct ui *u, int64_t until)
{
	struct app *a = ui_app(u);
	char err[200];

	while (c->next < c->plan.n && c->outstanding < CLEAR_WINDOW) {
		tree_id id = c->plan.ids[c->next];
		struct pub_req req;
		size_t len;
		int mid;

		if (!tree_has_retained(a->tree, id)) {
			c->next++; /* emptied meanwhile: nothing to send */
			continue;
		}
		len = app_topic(a, id, c->topic, c->topic_cap);
		if (len + 1 > c->topic_cap) {
			c->topic_cap = len + 1;
			c->topic = xrealloc(c->topic, c->topic_cap);
			app_topic(a, id, c->topic, c->topic_cap);
		}
		memset(&req, 0, sizeof(req));
		req.topic = c->topic;
		req.payload = "";
		req.qos = CLEAR_QOS;
		req.retain = true;
		if (c->plan.link->session == NULL ||
		    session_publish(c->plan.link->session, &req, &mid, err, sizeof(err)) != 0) {
			if (c->plan.link->session != NULL && strcmp(err, "not connected") == 0)
				return false;
			if (c->failed++ == 0)
				snprintf(c->first_err, sizeof(c->first_err), "%s",
				         c->plan.link->session ? err : "no session");
			c->next++;
			continue;
		}
		c->mids[free_slot(c)] = mid;
		c->outstanding++;
		c->next++;
		if (until && (c->next & 31) == 0 && clock_mono_ms() >= until)
			break;
	}
	return true;
}

static int64_t clear_step(struct job *j, struct ui *u, int64_t now)
{
	struct clear_job *c = (struct clear_job *)j;
	const struct tree *t = ui_app(u)->tree;
	size_t before = c->verified;

	if (c->stop) {
		show(c, u, true);
		return JOB_DONE;
	}
	if (!refill(c, u, now + CLEAR_SLICE_MS)) {
		ui_notice(u, HINT_ERROR,
		          "Clearing retained messages under %s: waiting for the broker (%zu of %zu "
		          "done; d to stop)",
		          c->plan.branch, c->verified, c->plan.n);
		c->last_progress = now; /* waiting, not stalled */
		return now + 250;
	}
	/* Echoes come back in the order sent: confirm from the front. */
	while (c->verified < c->next && !tree_has_retained(t, c->plan.ids[c->verified]))
		c->verified++;
	if (c->verified != before)
		c->last_progress = now;
	if (c->verified == c->plan.n) {
		show(c, u, true);
		return JOB_DONE;
	}
	if (c->next == c->plan.n && c->outstanding == 0 &&
	    now - c->last_progress > CLEAR_CONFIRM_MS) {
		show(c, u, true);
		return JOB_DONE;
	}
	if (now - c->last_notice >= CLEAR_PROGRESS_MS) {
		show(c, u, false);
		c->last_notice = now;
	}
	if (c->outstanding < CLEAR_WINDOW && c->next < c->plan.n)
		return now;
	return now + 10;
}

/* A clear was written: its slot is refilled at once. */
static void clear_event(struct job *j, struct ui *u, const struct session_event *ev)
{
	struct clear_job *c = (struct clear_job *)j;

	if (ev->kind != SESSION_EV_PUBLISHED ||
	    ev->broker != app_link_index(ui_app(u), c->plan.link))
		return;
	for (int i = 0; i < CLEAR_WINDOW; i++) {
		if (c->mids[i] != ev->mid)
			continue;
		c->mids[i] = -1;
		c->outstanding--;
		if (!c->stop)
			refill(c, u, 0);
		return;
	}
}

static void clear_free(struct job *j)
{
	struct clear_job *c = (struct clear_job *)j;

	if (running == c)
		running = NULL;
	plan_free(&c->plan);
	free(c->topic);
	free(c);
}

static const struct job_ops clear_ops = {
    .name = "clear-retained",
    .step = clear_step,
    .event = clear_event,
    .free = clear_free,
};

static void start_job(struct ui *u, void *data)
{
	struct clear_plan *plan = data;
	struct clear_job *c = xcalloc(1, sizeof(*c));

	c->j.ops = &clear_ops;
	c->plan = *plan;
	free(plan);
	for (int i = 0; i < CLEAR_WINDOW; i++)
		c->mids[i] = -1;
	c->topic_cap = 256;
	c->topic = xmalloc(c->topic_cap);
	c->started = c->last_progress = clock_mono_ms();
	running = c;
	show(c, u, false);
	ui_start_job(u, &c->j);
}

static void drop_plan(struct ui *u, void *data)
{
	struct clear_plan *plan = data;

	if (u != NULL)
		ui_notice(u, HINT_NOTICE, "Nothing cleared");
	plan_free(plan);
	free(plan);
}

static void stop_job(struct ui *u, void *data)
{
	(void)data;
	if (running != NULL)
		running->stop = true;
	else
		ui_notice(u, HINT_NOTICE, "The clearing had finished already");
}

static void keep_job(struct ui *u, void *data)
{
	(void)data;
	if (u != NULL && running != NULL)
		ui_notice(u, HINT_NOTICE, "Clearing goes on");
}

/* Clears one topic's retained message now. */
static void clear_one(struct ui *u, const char *topic)
{
	struct pub_req req;
	char err[400], label[300], done[400];

	memset(&req, 0, sizeof(req));
	req.topic = topic;
	req.payload = "";
	req.qos = 1; /* one message: its PUBACK can say if the broker refused */
	req.retain = true;
	snprintf(label, sizeof(label), "the clearing of %s", topic);
	snprintf(done, sizeof(done), "Cleared the retained message of %s", topic);
	if (publish_send(u, &req, 1, label, done, NULL, err, sizeof(err)) == 0)
		ui_notice(u, HINT_ERROR, "Not cleared: %s", err);
}

void clear_retained_open(struct ui *u)
{
	struct app *a = ui_app(u);
	tree_id sel = ui_selected(u);
	const struct tree_node *n;
	struct clear_plan *plan;
	struct confirm *c;
	char count[32], *topic;
	tree_id *ids;
	size_t k;

	if (running != NULL) {
		c = confirm_new(stop_job, keep_job, NULL);
		snprintf(c->lines[0], sizeof(c->lines[0]),
		         "Stop clearing the retained messages under %s?", running->plan.branch);
		char na[32], nb[32];

		snprintf(c->lines[1], sizeof(c->lines[1]), "%s of %s are cleared so far.",
		         fmt_count(na, sizeof(na), running->verified),
		         fmt_count(nb, sizeof(nb), running->plan.n));
		c->nlines = 2;
		ui_open(u, &c->m);
		return;
	}
	if (sel == TREE_NONE || sel == TREE_ROOT) {
		ui_notice(u, HINT_ERROR, "Select a topic or branch to clear first");
		return;
	}
	n = tree_node(a->tree, sel);
	topic = app_topic_dup(a, sel);
	if (n->sub_topics <= ((n->flags & TREE_F_VALUE) ? 1u : 0u)) {
		/* A topic without topics below it. */
		if (!tree_has_retained(a->tree, sel))
			ui_notice(u, HINT_ERROR,
			          "%s has no retained message (its value arrived live): nothing to "
			          "clear",
			          topic);
		else
			clear_one(u, topic);
		free(topic);
		return;
	}
	k = tree_retained_under(a->tree, sel, &ids);
	if (k == 0) {
		ui_notice(u, HINT_ERROR, "No retained messages under %s: nothing to clear", topic);
		free(ids);
		free(topic);
		return;
	}
	plan = xcalloc(1, sizeof(*plan));
	plan->ids = ids;
	plan->n = k;
	plan->link = ui_link(u);
	if (a->several) { /* which broker it is, said with the branch */
		plan->branch = xmalloc(strlen(topic) + sizeof(plan->link->label) + 8);
		sprintf(plan->branch, "%s%s%s", topic, *topic ? " on " : "", plan->link->label);
		free(topic);
		topic = plan->branch;
	} else {
		plan->branch = topic;
	}
	fmt_count(count, sizeof(count), k);
	c = confirm_new(start_job, drop_plan, plan);
	snprintf(c->lines[0], sizeof(c->lines[0]),
	         "Clear the retained messages of %s topic%s under %s?", count, k == 1 ? "" : "s",
	         topic);
	snprintf(c->lines[1], sizeof(c->lines[1]),
	         "Every client loses them; this cannot be undone.");
	c->nlines = 2;
	ui_open(u, &c->m);
}
