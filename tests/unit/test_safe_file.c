/* test_safe_file.c: files mqscope writes are private (0600, or the mode they had), never written
 * through a symbolic link, never a FIFO or device (refused without blocking); files it reads are
 * bounded while reading; the saved-messages file and --stats are rewritten that way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/config.h"
#include "mqscope/safe_file.h"
#include "mqscope/saved.h"
#include "mqscope/theme_file.h"

#include "tmpdir.h"

/* tmpdir/name in a static buffer (one of two, so two can be used at once). */
static const char *in_dir(const char *name)
{
	static char paths[2][256];
	static int k;

	k = !k;
	snprintf(paths[k], sizeof(paths[k]), "%s/%s", tmpdir, name);
	return paths[k];
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void unit__safe_file__open_is_private_and_follows_no_link(void **state)
{
	const char *p = in_dir("new");
	int fd;

	(void)state;
	fd = safe_file_open(p, O_APPEND);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(p), 0600);
	/* An existing file keeps the mode its owner gave it. */
	assert_int_equal(chmod(p, 0640), 0);
	fd = safe_file_open(p, O_APPEND);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(p), 0640);
	/* A link planted at the name: not followed, nothing created where it points. */
	assert_int_equal(symlink(in_dir("elsewhere"), in_dir("link")), 0);
	assert_int_equal(safe_file_open(in_dir("link"), O_APPEND), -1);
	assert_int_equal(errno, ELOOP);
	assert_string_equal(safe_file_strerror(ELOOP), "a symbolic link (not followed)");
	assert_int_equal(access(in_dir("elsewhere"), F_OK), -1);
	/* A FIFO, with and without a reader, and a device: refused at once. */
	assert_int_equal(mkfifo(in_dir("fifo"), 0600), 0);
	alarm(10); /* a blocking open would hang here */
	assert_int_equal(safe_file_open(in_dir("fifo"), O_APPEND), -1);
	assert_int_equal(errno, ENXIO);
	int reader = open(in_dir("fifo"), O_RDONLY | O_NONBLOCK);
	assert_true(reader >= 0);
	assert_int_equal(safe_file_open(in_dir("fifo"), O_APPEND), -1);
	assert_int_equal(errno, ENXIO);
	close(reader);
	alarm(0);
	assert_int_equal(safe_file_open("/dev/null", O_APPEND), -1);
	assert_string_equal(safe_file_strerror(ENXIO), "not a regular file");
	/* O_EXCL: never over an existing file. */
	assert_int_equal(safe_file_open(p, O_EXCL), -1);
	assert_int_equal(errno, EEXIST);
}

static void unit__safe_file__replace_keeps_mode_and_refuses_links(void **state)
{
	const char *p = in_dir("rewritten");
	struct safe_replace r;
	char *text;
	size_t len;
	char err[256];

	(void)state;
	/* New: 0600. */
	assert_int_equal(safe_replace_open(&r, p), 0);
	fputs("one\n", r.f);
	assert_int_equal(safe_replace_commit(&r), 0);
	assert_int_equal(mode_of(p), 0600);
	/* Rewritten: the file keeps its mode (here 0640), and only the new text is there. */
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(safe_replace_open(&r, p), 0);
	fputs("two\n", r.f);
	assert_int_equal(safe_replace_commit(&r), 0);
	assert_int_equal(mode_of(p), 0640);
	assert_int_equal(safe_file_read(p, 100, &text, &len, err, sizeof(err)), 0);
	assert_string_equal(text, "two\n");
	free(text);
	/* A link at the name is refused, the file it points to untouched. */
	write_text(in_dir("target"), "keep", 0644);
	assert_int_equal(symlink(in_dir("target"), in_dir("replace-link")), 0);
	assert_int_equal(safe_replace_open(&r, in_dir("replace-link")), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(safe_file_read(in_dir("target"), 100, &text, &len, err, sizeof(err)), 0);
	assert_string_equal(text, "keep");
	free(text);
	/* Not a regular file: refused. */
	assert_int_equal(mkfifo(in_dir("replace-fifo"), 0600), 0);
	assert_int_equal(safe_replace_open(&r, in_dir("replace-fifo")), -1);
	assert_int_equal(errno, ENXIO);
	/* Abort leaves nothing behind. */
	assert_int_equal(safe_replace_open(&r, in_dir("aborted")), 0);
	safe_replace_abort(&r);
	assert_int_equal(access(in_dir("aborted"), F_OK), -1);
}

/* --stats used to write PATH.tmp with fopen: a link planted there was followed. */
static void unit__safe_file__stats_and_saved_messages_are_private(void **state)
{
	struct settings s;
	struct app a;
	struct saved_msg m = {.name = "n", .topic = "t", .payload = "token=abc123"};
	char err[256];

	(void)state;
	settings_init(&s);
	assert_int_equal(app_init(&a, &s, true), 0);
	write_text(in_dir("victim"), "precious", 0644);
	assert_int_equal(symlink(in_dir("victim"), in_dir("stats.tmp")), 0);
	assert_int_equal(app_write_stats(&a, in_dir("stats")), 0);
	assert_int_equal(mode_of(in_dir("stats")), 0600);
	assert_int_equal(mode_of(in_dir("victim")), 0644);
	{
		char *text;
		size_t len;

		assert_int_equal(
		    safe_file_read(in_dir("victim"), 100, &text, &len, err, sizeof(err)), 0);
		assert_string_equal(text, "precious");
		free(text);
	}
	/* A link as the stats file itself is refused. */
	assert_int_equal(symlink(in_dir("victim"), in_dir("stats-link")), 0);
	assert_int_equal(app_write_stats(&a, in_dir("stats-link")), -1);
	app_free(&a);
	settings_free(&s);

	/* The saved-messages file: new 0600; a 0600 file stays 0600 when rewritten. */
	assert_int_equal(saved_write(in_dir("messages"), &m, 1, err, sizeof(err)), 0);
	assert_int_equal(mode_of(in_dir("messages")), 0600);
	assert_int_equal(saved_write(in_dir("messages"), &m, 1, err, sizeof(err)), 0);
	assert_int_equal(mode_of(in_dir("messages")), 0600);
	assert_int_equal(symlink(in_dir("victim"), in_dir("messages-link")), 0);
	assert_int_equal(saved_write(in_dir("messages-link"), &m, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a symbolic link (not followed)"));
}

static void unit__safe_file__reads_are_bounded(void **state)
{
	char *text, err[256];
	size_t len;
	int fd;

	(void)state;
	write_text(in_dir("ten"), "0123456789", 0600);
	assert_int_equal(safe_file_read(in_dir("ten"), 10, &text, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 10);
	free(text);
	assert_int_equal(safe_file_read(in_dir("ten"), 9, &text, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 9 B"));
	/* A device without end: stopped at the bound. */
	assert_int_equal(
	    safe_file_read("/dev/zero", (size_t)1 << 20, &text, &len, err, sizeof(err)), -1);
	assert_string_equal(err, "/dev/zero: larger than 1.0 MiB");
	fd = open("/dev/zero", O_RDONLY);
	assert_int_equal(safe_file_read_fd(fd, 100000, &text, &len), -1);
	assert_int_equal(errno, EFBIG);
	close(fd);

	/* Config and theme files: the bound, NUL bytes and @include are refused with file:line. */
	{
		config_t cf;

		write_text(in_dir("inc.conf"), "ui = { fps = 10; };\n  @include \"/dev/zero\"\n",
		           0600);
		config_init(&cf);
		assert_int_equal(
		    config_read_bounded(&cf, in_dir("inc.conf"), 1000, err, sizeof(err)), -1);
		config_destroy(&cf);
		assert_non_null(strstr(err, "inc.conf:2: @include is not supported"));
		config_init(&cf);
		assert_int_equal(
		    config_read_bounded(&cf, "/dev/zero", CONFIG_FILE_MAX, err, sizeof(err)), -1);
		config_destroy(&cf);
		assert_string_equal(err, "/dev/zero: larger than 16.0 MiB");
		{
			FILE *f = fopen(in_dir("nul.conf"), "w");

			fputs("a = 1;", f);
			fputc('\0', f);
			fputs("b = 2;", f);
			fclose(f);
		}
		config_init(&cf);
		assert_int_equal(
		    config_read_bounded(&cf, in_dir("nul.conf"), 1000, err, sizeof(err)), -1);
		config_destroy(&cf);
		assert_non_null(strstr(err, "holds NUL bytes"));
	}
	{
		struct settings s;

		settings_init(&s);
		assert_int_equal(config_load_file(&s, "/dev/zero", err, sizeof(err)), -1);
		settings_free(&s);
		assert_non_null(strstr(err, "larger than 16.0 MiB"));
	}
}

static void unit__safe_file__lines_are_bounded(void **state)
{
	struct safe_lines l;
	const char *line;
	size_t len;
	int fd;

	(void)state;
	write_text(in_dir("lines"), "a\n\nbbb\ncccc", 0600);
	fd = open(in_dir("lines"), O_RDONLY);
	safe_lines_init(&l, fd, 4);
	assert_int_equal(safe_lines_next(&l, &line, &len), 1);
	assert_int_equal(len, 1);
	assert_memory_equal(line, "a", 1);
	assert_int_equal(safe_lines_next(&l, &line, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(safe_lines_next(&l, &line, &len), 1);
	assert_memory_equal(line, "bbb", 3);
	/* The last line has no newline. */
	assert_int_equal(safe_lines_next(&l, &line, &len), 1);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "cccc", 4);
	assert_int_equal(safe_lines_next(&l, &line, &len), 0);
	safe_lines_free(&l);
	close(fd);

	/* A line longer than the bound: an error once bound + 1 bytes are read. */
	fd = open("/dev/zero", O_RDONLY);
	safe_lines_init(&l, fd, (size_t)1 << 20);
	assert_int_equal(safe_lines_next(&l, &line, &len), -1);
	assert_int_equal(errno, EFBIG);
	assert_true(l.cap <= ((size_t)1 << 20) + 1);
	safe_lines_free(&l);
	close(fd);

	/* Lines longer than the read chunk, split across reads. */
	{
		FILE *f = fopen(in_dir("long"), "w");

		for (int i = 0; i < 3; i++) {
			for (int k = 0; k < 100000; k++)
				fputc('a' + i, f);
			fputc('\n', f);
		}
		fclose(f);
	}
	fd = open(in_dir("long"), O_RDONLY);
	safe_lines_init(&l, fd, 100000);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(safe_lines_next(&l, &line, &len), 1);
		assert_int_equal(len, 100000);
		assert_true(line[0] == 'a' + i && line[99999] == 'a' + i);
	}
	assert_int_equal(safe_lines_next(&l, &line, &len), 0);
	safe_lines_free(&l);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__safe_file__open_is_private_and_follows_no_link),
	    cmocka_unit_test(unit__safe_file__replace_keeps_mode_and_refuses_links),
	    cmocka_unit_test(unit__safe_file__stats_and_saved_messages_are_private),
	    cmocka_unit_test(unit__safe_file__reads_are_bounded),
	    cmocka_unit_test(unit__safe_file__lines_are_bounded),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
