/* broker.h: a private mosquitto process on a free loopback port (demo mode and tests). */
#ifndef MQSCOPE_BROKER_H
#define MQSCOPE_BROKER_H

#include <stddef.h>
#include <sys/types.h>

struct broker {
	pid_t pid;    /* -1 when not running */
	int port;     /* 0 = pick a free one */
	char dir[64]; /* private directory holding its config and log */
};

/*
 * Starts mosquitto listening on 127.0.0.1 with the extra config lines given
 * (may be NULL), waits until it accepts connections. Returns 0, or -1 with
 * a message in err. The broker dies with its parent.
 */
int broker_start(struct broker *b, const char *extra, char *err, size_t cap);
/* Restarts a stopped broker on the same port with the same config. */
int broker_restart(struct broker *b, char *err, size_t cap);
/* Stops the broker by its PID (without removing its directory). */
void broker_kill(struct broker *b);
/* Stops the broker and removes its directory. */
void broker_stop(struct broker *b);

/* Starts mosquitto -c DIR/mosquitto.conf (see spawn_quiet); its PID, or -1 with why in err. */
pid_t broker_spawn(const char *dir, char *err, size_t cap);
/* Finds mosquitto in PATH or the usual sbin directories; NULL if absent. */
const char *broker_find_binary(void);
/* Spawns argv with stdin/out/err on /dev/null, in its own session, killed with its parent. */
pid_t spawn_quiet(char *const argv[]);
/* Sends SIGTERM to pid and reaps it, escalating to SIGKILL after timeout_ms. */
void stop_child(pid_t pid, int timeout_ms);
/* A loopback TCP port free right now. */
int free_port(void);
/* Waits up to timeout_ms until 127.0.0.1:port accepts a connection; 0 when it did. */
int wait_port(int port, int timeout_ms, pid_t pid);

#endif
