/* test_demo.c: the demo broker is private: only its socket, only its password, in a directory of
 * its own; the readiness check tells it from a process that got to the socket first; stale
 * directories of killed runs are removed, live ones kept. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mqscope/broker.h"
#include "mqscope/demo.h"
#include "mqscope/util.h"

static char tmp[128];

static int group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	/* A place of our own, short enough for socket paths. */
	snprintf(tmp, sizeof(tmp), "%s/mqd-XXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
	if (mkdtemp(tmp) == NULL)
		return -1;
	setenv("TMPDIR", tmp, 1);
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static mode_t mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

/* The password the demo wrote for its user's other programs. */
static void read_password(const struct demo *d, char *buf, size_t cap)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/password", d->dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)cap, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void integration__demo__broker_is_private(void **state)
{
	struct demo d;
	char err[256], pw[64], dir[sizeof(d.dir)];

	(void)state;
	assert_int_equal(demo_start_broker(&d, err, sizeof(err)), 0);
	snprintf(dir, sizeof(dir), "%s", d.dir);
	/* Only its owner may even reach the socket. */
	assert_int_equal(mode_of(dir, ".") & 0777, 0700);
	assert_true(S_ISSOCK(mode_of(dir, "mqtt.sock")));
	const char *files[] = {"mosquitto.conf", "passwd", "password", "mqscope.conf", "owner"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_int_equal(mode_of(dir, files[i]) & 0777, 0600);

	read_password(&d, pw, sizeof(pw));
	assert_int_equal(strlen(pw), 48);
	assert_int_equal(demo_probe(d.sock, d.broker_pid, DEMO_USER, pw, err, sizeof(err)), 0);
	/* Without the password, or with another one: refused. */
	assert_int_equal(demo_probe(d.sock, d.broker_pid, DEMO_USER, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refused"));
	assert_int_equal(demo_probe(d.sock, d.broker_pid, "other", pw, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refused"));
	/* The broker is not the process we think it is: not our broker. */
	assert_int_equal(demo_probe(d.sock, getpid(), DEMO_USER, pw, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not by the demo broker"));
	/* Nothing listens but the socket: the config has no other listener. */
	{
		char path[256], line[256];
		FILE *f;
		int listeners = 0;

		snprintf(path, sizeof(path), "%s/mosquitto.conf", dir);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "listener ", 9) == 0) {
				listeners++;
				assert_non_null(strstr(line, "listener 0 "));
			}
		fclose(f);
		assert_int_equal(listeners, 1);
	}
	demo_stop(&d);
	/* Stopped: the directory is gone with its password. */
	assert_int_equal(access(dir, F_OK), -1);
}

/* A process that takes the socket and says yes to every login. */
static pid_t squatter(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	pid_t pid;

	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The peer credentials of a socket are those of the process that listens on it. */
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    listen(fd, 4) != 0)
			_exit(1);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			char buf[512];

			if (c < 0)
				_exit(0);
			if (read(c, buf, sizeof(buf)) > 0 && write(c, "\x20\x02\x00\x00", 4) != 4)
				_exit(1);
			close(c);
		}
	}
	return pid;
}

static void integration__demo__probe_is_not_fooled_by_a_squatter(void **state)
{
	char path[200], err[256];
	pid_t pid;
	int status;

	(void)state;
	snprintf(path, sizeof(path), "%s/squat.sock", tmp);
	pid = squatter(path);
	/* It answers CONNACK 0 to anyone (once it listens): a login alone would not tell. */
	for (int64_t deadline = clock_mono_ms() + 5000;
	     demo_probe(path, pid, DEMO_USER, "any", err, sizeof(err)) != 0;) {
		assert_true(clock_mono_ms() < deadline);
		usleep(10000);
	}
	/* But it is not the broker we started. */
	assert_int_equal(demo_probe(path, pid + 100000, DEMO_USER, "any", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is served by process"));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	unlink(path);
}

/* A demo directory as a run of mqscope leaves it: the owner file names PID and start time. */
static void make_demo_dir(const char *name, const char *owner)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/password", tmp, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("old\n", f);
	fclose(f);
	if (owner == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s/owner", tmp, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(owner, f);
	fclose(f);
}

static void integration__demo__stale_directories_removed(void **state)
{
	char owner[64], path[256], stat_line[1024], *p;
	unsigned long long start = 0;
	FILE *f;

	(void)state;
	/* Our own start time, as the demo writes it for a live owner. */
	f = fopen("/proc/self/stat", "r");
	assert_non_null(f);
	assert_non_null(fgets(stat_line, sizeof(stat_line), f));
	fclose(f);
	p = strrchr(stat_line, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	assert_non_null(p);
	start = strtoull(p + 1, NULL, 10);
	snprintf(owner, sizeof(owner), "%d %llu\n", (int)getpid(), start);
	make_demo_dir("mqscope-demo-live01", owner);
	/* Same PID, another start time: the PID was reused, the owner is gone. */
	snprintf(owner, sizeof(owner), "%d %llu\n", (int)getpid(), start + 1);
	make_demo_dir("mqscope-demo-reused", owner);
	make_demo_dir("mqscope-demo-dead01", "2147483 1\n");
	make_demo_dir("mqscope-demo-young1", NULL); /* being made right now */
	make_demo_dir("other-dir", "2147483 1\n");

	demo_clean_stale(tmp);
	snprintf(path, sizeof(path), "%s/mqscope-demo-live01", tmp);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/mqscope-demo-young1", tmp);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/other-dir", tmp);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/mqscope-demo-reused", tmp);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/mqscope-demo-dead01", tmp);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(integration__demo__broker_is_private),
	    cmocka_unit_test(integration__demo__probe_is_not_fooled_by_a_squatter),
	    cmocka_unit_test(integration__demo__stale_directories_removed),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
