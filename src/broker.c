/* broker.c: runs a private mosquitto on loopback, started and stopped by PID. */
#define _GNU_SOURCE
#include "mqscope/broker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/util.h"

const char *broker_find_binary(void)
{
	static char found[512];
	const char *path = getenv("PATH");
	const char *extra[] = {"/usr/sbin", "/usr/local/sbin", "/sbin"};
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof(found), "%s/mosquitto", d);
		if (access(found, X_OK) == 0)
			return found;
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(found, sizeof(found), "%s/mosquitto", extra[i]);
		if (access(found, X_OK) == 0)
			return found;
	}
	return NULL;
}

pid_t spawn_quiet(char *const argv[])
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setsid(); /* keys typed at the terminal must not signal it */
	/* Ignored signals survive exec: give the child the defaults back. */
	signal(SIGUSR1, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	execv(argv[0], argv);
	_exit(127);
}

void stop_child(pid_t pid, int timeout_ms)
{
	struct timespec ts = {0, 10 * 1000000L};

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int port = -1;

	if (fd < 0)
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

int wait_port(int port, int timeout_ms, pid_t pid)
{
	struct timespec ts = {0, 20 * 1000000L};
	int64_t deadline = clock_mono_ms() + timeout_ms;

	while (clock_mono_ms() < deadline) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int rc;

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		if (rc == 0)
			return 0;
		if (pid > 0 && waitpid(pid, NULL, WNOHANG) == pid)
			return -1; /* it died: the port was taken, or the config is bad */
		nanosleep(&ts, NULL);
	}
	return -1;
}

pid_t broker_spawn(const char *dir, char *err, size_t cap)
{
	const char *bin = broker_find_binary();
	char conf[4096], binbuf[512];
	pid_t pid;

	if (bin == NULL) {
		snprintf(err, cap, "mosquitto not found (install the 'mosquitto' package)");
		return -1;
	}
	snprintf(binbuf, sizeof(binbuf), "%s", bin);
	snprintf(conf, sizeof(conf), "%s/mosquitto.conf", dir);
	char *argv[] = {binbuf, "-c", conf, NULL};
	pid = spawn_quiet(argv);
	if (pid < 0)
		snprintf(err, cap, "cannot start mosquitto: %s", strerror(errno));
	return pid;
}

static int launch(struct broker *b, char *err, size_t cap)
{
	b->pid = broker_spawn(b->dir, err, cap);
	if (b->pid < 0)
		return -1;
	if (wait_port(b->port, 5000, b->pid) != 0) {
		stop_child(b->pid, 1000);
		b->pid = -1;
		snprintf(err, cap, "mosquitto did not start on 127.0.0.1:%d (see %s/mosquitto.log)",
		         b->port, b->dir);
		return -1;
	}
	return 0;
}

static int write_config(struct broker *b, const char *extra, char *err, size_t cap)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mosquitto.conf", b->dir);
	f = fopen(path, "w");
	if (f == NULL) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f,
	        "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
	        "log_dest file %s/mosquitto.log\n%s\n",
	        b->port, b->dir, extra ? extra : "");
	fclose(f);
	return 0;
}

int broker_start(struct broker *b, const char *extra, char *err, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	bool fixed = b->port != 0;

	b->pid = -1;
	snprintf(b->dir, sizeof(b->dir), "%s/mqscope-broker-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (strlen(b->dir) + 20 >= sizeof(b->dir))
		snprintf(b->dir, sizeof(b->dir), "/tmp/mqscope-broker-XXXXXX");
	if (mkdtemp(b->dir) == NULL) {
		snprintf(err, cap, "cannot create a directory for the broker: %s", strerror(errno));
		return -1;
	}
	/* A free port can be taken between the check and mosquitto's bind: try a few. */
	for (int tries = 0; tries < 5; tries++) {
		if (!fixed)
			b->port = free_port();
		if (b->port <= 0) {
			snprintf(err, cap, "no free loopback port");
			break;
		}
		if (write_config(b, extra, err, cap) != 0)
			break;
		if (launch(b, err, cap) == 0)
			return 0;
		if (fixed)
			break;
	}
	broker_stop(b);
	return -1;
}

int broker_restart(struct broker *b, char *err, size_t cap)
{
	if (b->pid > 0)
		return 0;
	/* The old socket may linger briefly; mosquitto sets SO_REUSEADDR, so retry a little. */
	for (int tries = 0; tries < 10; tries++)
		if (launch(b, err, cap) == 0)
			return 0;
	return -1;
}

void broker_kill(struct broker *b)
{
	stop_child(b->pid, 3000);
	b->pid = -1;
}

void broker_stop(struct broker *b)
{
	char path[160];

	broker_kill(b);
	if (b->dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/mosquitto.conf", b->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/mosquitto.log", b->dir);
	unlink(path);
	rmdir(b->dir);
	b->dir[0] = '\0';
}
