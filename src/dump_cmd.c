/* dump_cmd.c: `mqscope dump`: the retained state of a subtree, each topic once, and exit. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/connect_opts.h"
#include "mqscope/export.h"
#include "mqscope/headless.h"
#include "mqscope/log_cmd.h"
#include "mqscope/logfmt.h"
#include "mqscope/topic.h"
#include "mqscope/tree.h"
#include "mqscope/util.h"

/*
 * When the dump has every retained message. A broker sends the retained
 * messages of a subscription right after its SUBACK, ahead of anything
 * published later. So once every filter is acknowledged, the dump is
 * complete at whichever comes first:
 *   - a message without the retain flag that arrived after the last SUBACK
 *     (live traffic: the stored messages are all in before it), or
 *   - DUMP_QUIET_MS with no message at all (a quiet broker).
 * Retained messages that arrive meanwhile (published with retain while we
 * wait) replace the older value of their topic. -W bounds the whole wait:
 * then what came is written and the exit status is 27.
 */
#define DUMP_QUIET_MS 1000

#define BATCH 4096

/* Checks the output options: a tree, JSON Lines or CSV; -1 with the problem in err. */
static int check(const struct settings *cfg, char *err, size_t cap)
{
	struct logfmt fmt;

	if (cfg->out_raw && !cfg->out_csv && !cfg->out_json)
		return err_fmt(err, cap, "--raw applies to --json and --csv output");
	return logfmt_from_settings(cfg, &fmt, err, cap);
}

/* Stores a retained message; -T topics are left out. */
static void store(struct tree *t, const struct settings *cfg, const struct msg_view *v)
{
	struct tree_msg m = tree_msg_of(v);

	m.retained = 1;

	for (size_t i = 0; i < cfg->nexcludes; i++)
		if (topic_matches(cfg->excludes[i], v->topic, v->h->topic_len))
			return;
	tree_insert(t, v->topic, v->h->topic_len, &m);
}

/* Takes retained messages until the rule above says the dump is complete; the exit status. */
static int collect(struct headless *h, struct tree *t, const struct settings *cfg)
{
	int64_t last = clock_mono_ms(), quiet_from;
	struct msg_view v;
	int rc;

	for (;;) {
		size_t n = 0;

		if ((rc = headless_poll(h)) >= 0)
			return rc == HEADLESS_TIMED_OUT ? rc : rc ? rc : 1;
		while (n < BATCH && headless_next(h, &v)) {
			bool live = !v.h->retain && headless_after_suback(h);

			n++;
			if (v.h->retain)
				store(t, cfg, &v);
			headless_release(h);
			if (live)
				return 0;
		}
		if (n) {
			last = clock_mono_ms();
			continue;
		}
		/* Quiet since the last message or the last SUBACK, whichever came later. */
		quiet_from = h->subscribed_at > last ? h->subscribed_at : last;
		if (h->subscribed && clock_mono_ms() - quiet_from >= DUMP_QUIET_MS)
			return 0;
		headless_wait(h, h->subscribed ? quiet_from + DUMP_QUIET_MS : INT64_MAX);
	}
}

/* Writes the dump in the chosen format; false when it could not be written. */
static bool write_dump(const struct tree *t, const struct settings *cfg)
{
	struct logfmt fmt;
	struct logfmt_out o = {.f = stdout};
	struct export *e;
	char err[256];

	logfmt_from_settings(cfg, &fmt, err, sizeof(err));
	if (!cfg->out_json && !cfg->out_csv)
		return export_json_tree(t, TREE_ROOT, cfg->out_raw, stdout) == 0 &&
		       fflush(stdout) == 0;
	e = export_new(t, TREE_ROOT, EXPORT_LATEST, &fmt, &o);
	while (!export_step(e, BATCH))
		;
	export_free(e);
	logfmt_out_free(&o);
	return fflush(stdout) == 0 && !ferror(stdout);
}

int dump_main(int argc, char **argv)
{
	struct tree_limits lim = {.history = 1};
	struct settings cfg;
	struct headless h;
	struct tree *t;
	uint64_t lost;
	int rc;

	rc = connect_opts_load(&cfg, CONNECT_DUMP, argc, argv, check);
	if (rc >= 0) {
		settings_free(&cfg);
		return rc;
	}
	t = tree_new(&lim);
	rc = t ? headless_open(&h, &cfg, "mqscope dump") : 1;
	if (rc == 0) {
		rc = collect(&h, t, &cfg);
		if (rc == 0 || rc == HEADLESS_TIMED_OUT) {
			lost = ring_drops(&h.ring);
			if (lost) {
				headless_say(
				    &h,
				    "%llu messages were lost (larger than half of ring_bytes, "
				    "or the ring was full): the dump is incomplete",
				    (unsigned long long)lost);
				rc = 1;
			}
			if (!write_dump(t, &cfg)) {
				headless_say(&h, "cannot write the output");
				rc = 1;
			}
		}
	}
	if (t)
		headless_close(&h);
	tree_free(t);
	settings_free(&cfg);
	return rc;
}
