/* log_cmd.c: `mqscope log`: messages as they arrive, as mosquitto_sub -v lines, JSON Lines or CSV.
 */
#define _GNU_SOURCE
#include "mqscope/log_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/connect_opts.h"
#include "mqscope/headless.h"
#include "mqscope/logfmt.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

/* Messages written between looks at the session (signals, -W). */
#define BATCH 4096

/* Checks that the output options go together; -1 with the problem in err. */
static int check(const struct settings *cfg, char *err, size_t cap)
{
	struct logfmt fmt;

	if (cfg->out_no_stale && cfg->out_retained_only)
		return err_fmt(err, cap,
		               "-R leaves out the retained messages --retained-only asks for");
	return logfmt_from_settings(cfg, &fmt, err, cap);
}

/* Whether a message is written: -T, -R and --random-filter. */
static bool wanted(const struct settings *cfg, const struct msg_view *v)
{
	for (size_t i = 0; i < cfg->nexcludes; i++)
		if (topic_matches(cfg->excludes[i], v->topic, v->h->topic_len))
			return false;
	if (cfg->out_no_stale && v->h->retain)
		return false;
	return cfg->out_random <= 0 ||
	       (double)random() / ((double)RAND_MAX + 1) * 100 < cfg->out_random;
}

/* Flushes the output; false when it cannot be written any more (said unless it is a closed pipe).
 */
static bool flush_out(struct headless *h, FILE *f)
{
	if (fflush(f) == 0 && !ferror(f))
		return true;
	if (errno != EPIPE)
		headless_say(h, "cannot write the output: %s", strerror(errno));
	return false;
}

/* Writes messages until -C, -E, --retained-only, -W, a signal or a failure ends it. */
static int run(struct headless *h, const struct settings *cfg, const struct logfmt *fmt,
               struct logfmt_out *o)
{
	uint64_t written = 0;
	struct msg_view v;
	int rc;

	logfmt_header(fmt, o);
	for (;;) {
		size_t n = 0;

		if ((rc = headless_poll(h)) >= 0)
			return rc;
		if (cfg->out_exit_after_sub && h->subscribed)
			return 0;
		while (n < BATCH && headless_next(h, &v)) {
			n++;
			/* mosquitto_sub: the first live message ends --retained-only. */
			if (cfg->out_retained_only && !v.h->retain) {
				headless_release(h);
				return 0;
			}
			if (wanted(cfg, &v)) {
				logfmt_write(fmt, o, &v);
				written++;
			}
			headless_release(h);
			if (cfg->out_count && written >= (uint64_t)cfg->out_count)
				return 0;
		}
		if (n == BATCH)
			continue;
		/* The ring is empty: what was written goes out before we sleep. */
		if (!flush_out(h, o->f))
			return 1;
		headless_check_drops(h);
		headless_wait(h, INT64_MAX);
	}
}

int log_main(int argc, char **argv)
{
	struct settings cfg;
	struct headless h;
	struct logfmt fmt;
	struct logfmt_out o = {.f = stdout};
	char err[256];
	int rc;

	rc = connect_opts_load(&cfg, CONNECT_LOG, argc, argv, check);
	if (rc >= 0) {
		settings_free(&cfg);
		return rc;
	}
	logfmt_from_settings(&cfg, &fmt, err, sizeof(err));
	/* The binary decoders go in fmt.decode. */
	srandom((unsigned)getpid());
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	rc = headless_open(&h, &cfg, "mqscope log");
	if (rc == 0)
		rc = run(&h, &cfg, &fmt, &o);
	if (!flush_out(&h, stdout) && rc == 0)
		rc = 1;
	headless_check_drops(&h);
	headless_close(&h);
	logfmt_out_free(&o);
	settings_free(&cfg);
	return rc;
}
