/* demo.c: starts and stops the private demo broker and the device simulator. */
#define _GNU_SOURCE
#include "mqscope/demo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/broker.h"
#include "mqscope/safe_file.h"
#include "mqscope/util.h"

#define DIR_PREFIX "mqscope-demo-"
#define READY_MS   5000
#define STALE_S    600 /* a directory without its owner file this old is a leftover */

/* The start time of process pid (field 22 of /proc/PID/stat), or 0 when it is gone. */
static unsigned long long process_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The name in parentheses may hold spaces; the fields after it do not. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1,
	                        " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
	                        "%*d %*d %*d %*d %*d %llu",
	                        &start) != 1)
		return 0;
	return start;
}

/* Removes every file in the directory dfd (ours, opened without following links), then it. */
static void remove_dir(int dfd, const char *path)
{
	DIR *dir = fdopendir(dfd);
	struct dirent *e;

	if (dir == NULL) {
		close(dfd);
		return;
	}
	while ((e = readdir(dir)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(dir), e->d_name, 0);
	closedir(dir);
	rmdir(path);
}

/* Whether the demo directory open as dfd belongs to a running mqscope. */
static bool owner_alive(int dfd)
{
	char buf[64];
	int pid = 0;
	unsigned long long start = 0;
	struct stat st;
	ssize_t n;
	int fd = openat(dfd, "owner", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		/* Being set up this very moment, or left half made long ago. */
		return fstat(dfd, &st) != 0 || time(NULL) - st.st_mtime < STALE_S;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (sscanf(buf, "%d %llu", &pid, &start) != 2 || pid <= 0)
		return false;
	return process_start(pid) == start;
}

void demo_clean_stale(const char *tmpdir)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *e;

	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		char path[4096];
		struct stat st;
		int dfd;

		if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name) >= (int)sizeof(path))
			continue;
		dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0)
			continue;
		/* Only our own directories, and only those whose mqscope is gone. */
		if (fstat(dfd, &st) != 0 || st.st_uid != geteuid() || owner_alive(dfd)) {
			close(dfd);
			continue;
		}
		remove_dir(dfd, path);
	}
	closedir(dir);
}

/* Writes a new file name in the demo directory (0600, never over anything). */
static int write_file(const struct demo *d, const char *name, const char *text, char *err,
                      size_t cap)
{
	char path[160];
	size_t len = strlen(text), off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	fd = safe_file_open(path, O_EXCL);
	while (fd >= 0 && off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (fd < 0 || off < len || close(fd) != 0) {
		snprintf(err, cap, "cannot write %s: %s", path, safe_file_strerror(errno));
		if (fd >= 0 && off < len)
			close(fd);
		return -1;
	}
	return 0;
}

/* mosquitto's password file line for user: PBKDF2-SHA512, 101 rounds, as mosquitto_passwd. */
static int password_line(const char *user, const char *password, char *out, size_t cap)
{
	unsigned char salt[12], hash[64];
	unsigned char salt64[4 * ((sizeof(salt) + 2) / 3) + 1],
	    hash64[4 * ((sizeof(hash) + 2) / 3) + 1];

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt) ||
	    PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof(salt), 101,
	                      EVP_sha512(), sizeof(hash), hash) != 1)
		return -1;
	EVP_EncodeBlock(salt64, salt, sizeof(salt));
	EVP_EncodeBlock(hash64, hash, sizeof(hash));
	snprintf(out, cap, "%s:$7$101$%s$%s\n", user, salt64, hash64);
	return 0;
}

/* A new random password as hex. */
static int make_password(char *out, size_t cap)
{
	unsigned char raw[24];

	if (cap < 2 * sizeof(raw) + 1 || getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/* The directory and the files in it: broker config, password file, owner, profile. */
static int make_dir(struct demo *d, char *err, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	char text[1024], line[256];
	int rc;

	/* Its path goes into mosquitto's config and a libconfig string: plain characters only. */
	if (tmp == NULL || *tmp == '\0' || strpbrk(tmp, "\"\\\n\t #") ||
	    strlen(tmp) + strlen("/" DIR_PREFIX "XXXXXX") >= sizeof(d->dir))
		tmp = "/tmp";
	demo_clean_stale(tmp);
	snprintf(d->dir, sizeof(d->dir), "%s/" DIR_PREFIX "XXXXXX", tmp);
	if (mkdtemp(d->dir) == NULL) {
		snprintf(err, cap, "cannot create a directory in %s: %s", tmp, strerror(errno));
		d->dir[0] = '\0';
		return -1;
	}
	snprintf(d->sock, sizeof(d->sock), "%s/mqtt.sock", d->dir);
	snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), process_start(getpid()));
	if (write_file(d, "owner", text, err, cap) != 0)
		return -1;
	if (make_password(d->password, sizeof(d->password)) != 0 ||
	    password_line(DEMO_USER, d->password, line, sizeof(line)) != 0) {
		snprintf(err, cap, "cannot make a password: %s", strerror(errno));
		return -1;
	}
	/*
	 * Run as root, mosquitto would switch to its own user: that would lose the
	 * parent-death signal (the broker would outlive a killed mqscope) and the
	 * right to read this directory.
	 */
	snprintf(text, sizeof(text),
	         "listener 0 %1$s\nallow_anonymous false\npassword_file %2$s/passwd\n"
	         "persistence false\nlog_dest file %2$s/mosquitto.log\nsys_interval 1\n"
	         "max_queued_messages 10000\n%3$s",
	         d->sock, d->dir, geteuid() == 0 ? "user root\n" : "");
	rc = write_file(d, "passwd", line, err, cap) ||
	     write_file(d, "mosquitto.conf", text, err, cap);
	explicit_bzero(line, sizeof(line));
	snprintf(text, sizeof(text), "%s\n", d->password);
	rc = rc || write_file(d, "password", text, err, cap);
	snprintf(text, sizeof(text),
	         "# The demo broker of mqscope %d, for other programs of yours while it runs:\n"
	         "#   mqscope pub --config %s/mqscope.conf --profile demo -t house/bulbs/bulb1 "
	         "-m ON\n"
	         "profiles = { demo = { unix = \"%s\"; username = \"" DEMO_USER
	         "\"; password = \"%s\"; }; };\n",
	         (int)getpid(), d->dir, d->sock, d->password);
	rc = rc || write_file(d, "mqscope.conf", text, err, cap);
	explicit_bzero(text, sizeof(text));
	return rc ? -1 : 0;
}

/* Appends MQTT's variable-length string (two-byte length, then the bytes). */
static size_t put_str(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	p[0] = (uint8_t)(n >> 8);
	p[1] = (uint8_t)n;
	memcpy(p + 2, s, n);
	return n + 2;
}

int demo_probe(const char *sock, pid_t pid, const char *user, const char *password, char *err,
               size_t cap)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ucred cred = {0};
	socklen_t cl = sizeof(cred);
	uint8_t body[480], pkt[512], ack[4];
	size_t b = 12, h = 0, got = 0;
	int fd, rc = -1;

	if (strlen(sock) >= sizeof(sa.sun_path) || strlen(user) + strlen(password) > 400) {
		snprintf(err, cap, "socket path or login too long");
		return -1;
	}
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, cap, "nothing listens on %s yet: %s", sock, strerror(errno));
		goto out;
	}
	/* The process at the other end must be the broker we started, not one that got there first.
	 */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.pid != pid) {
		snprintf(err, cap, "%s is served by process %d, not by the demo broker (%d)", sock,
		         (int)cred.pid, (int)pid);
		goto out;
	}
	/* CONNECT, MQTT 3.1.1, clean session, username and password, empty client id. */
	memcpy(body, "\x00\x04MQTT\x04\xc2\x00\x0a\x00\x00", 12);
	b += put_str(body + b, user);
	b += put_str(body + b, password);
	pkt[h++] = 0x10;
	for (size_t n = b;;) {
		pkt[h++] = (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
		n >>= 7;
		if (n == 0)
			break;
	}
	memcpy(pkt + h, body, b);
	if (write(fd, pkt, h + b) != (ssize_t)(h + b)) {
		snprintf(err, cap, "cannot write to %s: %s", sock, strerror(errno));
		goto out;
	}
	while (got < sizeof(ack)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 2000) <= 0)
			break;
		n = read(fd, ack + got, sizeof(ack) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(ack) || ack[0] != 0x20 || ack[1] != 2) {
		snprintf(err, cap, "no CONNACK from the demo broker");
		goto out;
	}
	if (ack[3] != 0) {
		snprintf(err, cap, "the demo broker refused its own login (CONNACK %d)", ack[3]);
		goto out;
	}
	if (write(fd, "\xe0\x00", 2) != 2) {
		/* the probe answered; its goodbye does not matter */
	}
	rc = 0;
out:
	explicit_bzero(body, sizeof(body));
	explicit_bzero(pkt, sizeof(pkt));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Starts mosquitto on the directory's config and waits until the probe proves it is ready. */
static int start_broker(struct demo *d, char *err, size_t cap)
{
	int64_t deadline;

	d->broker_pid = broker_spawn(d->dir, err, cap);
	if (d->broker_pid < 0)
		return -1;
	deadline = clock_mono_ms() + READY_MS;
	for (;;) {
		struct timespec ts = {0, 20 * 1000000L};

		if (demo_probe(d->sock, d->broker_pid, DEMO_USER, d->password, err, cap) == 0)
			return 0;
		if (waitpid(d->broker_pid, NULL, WNOHANG) == d->broker_pid) {
			d->broker_pid = -1;
			snprintf(err, cap, "mosquitto stopped at once (see %s/mosquitto.log)",
			         d->dir);
			return -1;
		}
		if (clock_mono_ms() >= deadline)
			return -1; /* err says what the last probe found */
		nanosleep(&ts, NULL);
	}
}

int demo_start_broker(struct demo *d, char *err, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->broker_pid = d->sim_pid = -1;
	if (make_dir(d, err, cap) != 0 || start_broker(d, err, cap) != 0) {
		demo_stop(d);
		return -1;
	}
	return 0;
}

int demo_start(struct demo *d, char *err, size_t cap)
{
	char exe[4096], conf[160];
	ssize_t n;

	if (demo_start_broker(d, err, cap) != 0)
		return -1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(err, cap, "cannot find my own executable for the simulator");
		demo_stop(d);
		return -1;
	}
	exe[n] = '\0';
	/* The simulator logs in with the profile in the directory: no password in its arguments. */
	snprintf(conf, sizeof(conf), "%s/mqscope.conf", d->dir);
	char *argv[] = {exe, "sim", "--config", conf, "--profile", "demo", NULL};
	d->sim_pid = spawn_quiet(argv);
	return 0;
}

void demo_connect_settings(struct demo *d, struct settings *s)
{
	settings_set_str(&s->unix_path, d->sock);
	settings_set_str(&s->user, DEMO_USER);
	settings_set_secret(&s->password, d->password);
	explicit_bzero(d->password, sizeof(d->password));
	s->tls = false;
}

void demo_stop(struct demo *d)
{
	int dfd;

	stop_child(d->sim_pid, 2000);
	d->sim_pid = -1;
	stop_child(d->broker_pid, 3000);
	d->broker_pid = -1;
	explicit_bzero(d->password, sizeof(d->password));
	if (d->dir[0] == '\0')
		return;
	dfd = open(d->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0)
		remove_dir(dfd, d->dir);
	d->dir[0] = '\0';
}
