/* saved.c: reads and rewrites the saved-messages file that mqscope owns. */
#define _GNU_SOURCE
#include "mqscope/saved.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/config.h"
#include "mqscope/safe_file.h"
#include "mqscope/util.h"

void saved_default_path(char *buf, size_t cap)
{
	config_dir_file(buf, cap, "messages");
}

int saved_load(const char *path, struct saved_msg **list, size_t *n, char *err, size_t cap)
{
	struct settings s;
	int rc;

	*list = NULL;
	*n = 0;
	if (access(path, F_OK) != 0)
		return 0;
	/* Same syntax and checks as the config file's messages, errors with file:line. */
	settings_init(&s);
	rc = config_load_file(&s, path, err, cap);
	if (rc == 0) {
		*list = s.saved;
		*n = s.nsaved;
		s.saved = NULL;
		s.nsaved = 0;
	}
	settings_free(&s);
	return rc;
}

bool saved_payload_ok(const char *payload, size_t len, char *err, size_t cap)
{
	if (memchr(payload, '\0', len) != NULL) {
		err_fmt(err, cap,
		        "the payload holds NUL bytes, which the messages file cannot keep");
		return false;
	}
	return true;
}

/* Writes s as a libconfig string: quotes, backslashes and control bytes escaped. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02X", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

int saved_write(const char *path, const struct saved_msg *list, size_t n, char *err, size_t cap)
{
	struct safe_replace out;
	FILE *f;

	if (safe_make_parents(path) != 0)
		return err_fmt(err, cap, "cannot create the directory of %s: %s", path,
		               strerror(errno));
	/* A new private file renamed over the old one, which keeps its mode (0600 when new). */
	if (safe_replace_open(&out, path) != 0)
		return err_fmt(err, cap, "cannot write %s: %s", path, safe_file_strerror(errno));
	f = out.f;
	fputs("# Messages saved from mqscope's publish form. mqscope rewrites this file;\n"
	      "# messages you write by hand belong in the config file's `messages` list.\n"
	      "messages = (\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		const struct saved_msg *m = &list[i];

		fputs("  { name = ", f);
		put_string(f, m->name ? m->name : m->topic);
		if (m->group) {
			fputs("; group = ", f);
			put_string(f, m->group);
		}
		if (m->broker) {
			fputs("; broker = ", f);
			put_string(f, m->broker);
		}
		fputs(";\n    topic = ", f);
		put_string(f, m->topic);
		fputs(";\n    payload = ", f);
		put_string(f, m->payload ? m->payload : "");
		fprintf(f, ";\n    qos = %d; retain = %s; }%s\n", m->qos,
		        m->retain ? "true" : "false", i + 1 < n ? "," : "");
	}
	fputs(");\n", f);
	if (safe_replace_commit(&out) != 0)
		return err_fmt(err, cap, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void saved_append(struct saved_msg **list, size_t *n, const struct saved_msg *m)
{
	struct saved_msg *d;

	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	d = &(*list)[(*n)++];
	d->name = dup_or_null(m->name);
	d->group = dup_or_null(m->group);
	d->topic = dup_or_null(m->topic);
	d->payload = dup_or_null(m->payload);
	d->broker = dup_or_null(m->broker);
	d->qos = m->qos;
	d->retain = m->retain;
	d->line = m->line;
}

static void free_one(struct saved_msg *m)
{
	free(m->name);
	free(m->group);
	free(m->topic);
	free(m->payload);
	free(m->broker);
}

void saved_remove(struct saved_msg *list, size_t *n, size_t i)
{
	if (i >= *n)
		return;
	free_one(&list[i]);
	memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
	(*n)--;
}

void saved_free(struct saved_msg *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free_one(&list[i]);
	free(list);
}
