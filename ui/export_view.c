/* export_view.c: asks where to export, then writes the file a slice per loop turn. */
#include "mqscope/export_view.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/export.h"
#include "mqscope/prompt.h"
#include "mqscope/safe_file.h"
#include "mqscope/ui_api.h"
#include "mqscope/util.h"

#define STEP_MAX 2000 /* messages written per loop turn */

struct export_job {
	struct job j;
	struct export *e;
	struct logfmt fmt;
	struct logfmt_out o;
	char path[4096];
};

/* Writes a slice; at the end closes the file and says how it went. */
static int64_t job_step(struct job *j, struct ui *u, int64_t now)
{
	struct export_job *x = (struct export_job *)j;
	int err;

	if (!export_step(x->e, STEP_MAX) && !ferror(x->o.f))
		return now;
	err = ferror(x->o.f) ? errno : 0;
	if (fclose(x->o.f) != 0 && err == 0)
		err = errno ? errno : EIO;
	x->o.f = NULL;
	if (err)
		ui_notice(u, HINT_ERROR, "Export to %s failed: %s", x->path, strerror(err));
	else
		ui_notice(u, HINT_NOTICE, "Exported %llu message%s to %s",
		          (unsigned long long)export_count(x->e),
		          export_count(x->e) == 1 ? "" : "s", x->path);
	return JOB_DONE;
}

static void job_free(struct job *j)
{
	struct export_job *x = (struct export_job *)j;

	if (x->o.f)
		fclose(x->o.f);
	export_free(x->e);
	logfmt_out_free(&x->o);
	free(x);
}

static const struct job_ops export_ops = {
    .name = "export",
    .step = job_step,
    .free = job_free,
};

/* What to export, carried through the prompt. */
struct request {
	tree_id id;
	enum export_what what;
};

static void export_entered(struct ui *u, const char *text, void *data)
{
	struct request *rq = data;
	struct app *a = ui_app(u);
	struct export_job *x;
	const char *home = getenv("HOME"), *dot;
	size_t len = strlen(text);
	int fd;

	if (len == 0)
		return;
	x = xcalloc(1, sizeof(*x));
	if (text[0] == '~' && text[1] == '/' && home)
		snprintf(x->path, sizeof(x->path), "%s%s", home, text + 1);
	else
		snprintf(x->path, sizeof(x->path), "%s", text);
	/* Private (0600), never through a link, never over an existing file. */
	fd = safe_file_open(x->path, O_EXCL);
	if (fd < 0 || (x->o.f = fdopen(fd, "w")) == NULL) {
		ui_notice(u, HINT_ERROR, "Cannot write %s: %s%s", x->path,
		          safe_file_strerror(errno), errno == EEXIST ? " (not overwritten)" : "");
		if (fd >= 0)
			close(fd);
		free(x);
		return;
	}
	dot = strrchr(x->path, '.');
	x->fmt.kind = dot && strcmp(dot, ".csv") == 0 ? LOGFMT_CSV : LOGFMT_JSON;
	/* JSON as --record writes it; CSV made safe as log --csv does (valid UTF-8, no controls).
	 */
	x->fmt.raw = x->fmt.kind == LOGFMT_JSON;
	x->e = export_new(a->tree, rq->id, rq->what, &x->fmt, &x->o);
	export_set_branches(x->e, a->several);
	x->j.ops = &export_ops;
	ui_start_job(u, &x->j);
}

/* A file name from the topic: its levels joined by '-', other characters as '_'. */
static void default_name(const char *topic, size_t n, const char *suffix, char *out, size_t cap)
{
	size_t j = snprintf(out, cap, "mqscope-");

	for (size_t i = 0; i < n && j + 1 < cap && j < 80; i++) {
		char c = topic[i];

		out[j++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                   (c >= '0' && c <= '9') || c == '_' || c == '.'
		               ? c
		           : c == '/' ? '-'
		                      : '_';
	}
	snprintf(out + j, cap - j, "%s.jsonl", suffix);
}

/* Opens the prompt for exporting the selection; the request lives in a static slot. */
static void ask(struct ui *u, enum export_what what)
{
	static struct request rq;
	struct app *a = ui_app(u);
	tree_id id = ui_selected(u);
	char topic[1024], name[160], label[1200];
	size_t n;

	if (id == TREE_NONE || id == TREE_ROOT) {
		ui_notice(u, HINT_ERROR, "Select a topic or a branch to export first");
		return;
	}
	if (what == EXPORT_HISTORY && tree_value(a->tree, id, 0) == NULL) {
		ui_notice(u, HINT_ERROR, "This topic keeps no values to export");
		return;
	}
	n = tree_path(a->tree, id, topic, sizeof(topic));
	if (n >= sizeof(topic))
		n = sizeof(topic) - 1;
	default_name(topic, n, what == EXPORT_HISTORY ? "-history" : "", name, sizeof(name));
	snprintf(label, sizeof(label), "export %s of %.*s%s to (.csv: CSV): ",
	         what == EXPORT_HISTORY ? "the history" : "the latest values",
	         (int)(n > 200 ? 200 : n), topic, what == EXPORT_HISTORY ? "" : " and below");
	rq.id = id;
	rq.what = what;
	prompt_open(u, label, name, export_entered, &rq);
}

void export_view_latest(struct ui *u)
{
	ask(u, EXPORT_LATEST);
}

void export_view_history(struct ui *u)
{
	ask(u, EXPORT_HISTORY);
}
