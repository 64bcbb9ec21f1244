/* demo.h: a private broker plus simulated devices, for running without a broker. */
#ifndef MQSCOPE_DEMO_H
#define MQSCOPE_DEMO_H

#include <stddef.h>
#include <sys/types.h>

#include "mqscope/settings.h"

#define DEMO_USER "mqscope"

/*
 * The demo broker listens only on a unix socket in a directory of its own
 * (mode 0700) and lets in only DEMO_USER with a password made for this run.
 * The directory also holds that password (password) and a config file with a
 * profile named demo (mqscope.conf) for the user's other programs.
 */
struct demo {
	pid_t broker_pid; /* -1 when not running */
	pid_t sim_pid;
	char dir[96];      /* "" when none */
	char sock[128];    /* dir/mqtt.sock */
	char password[49]; /* wiped once handed to the settings */
};

/*
 * Makes the directory, starts mosquitto and checks that the broker on the
 * socket is the one just started and takes the password; then starts
 * `mqscope sim` against it. Demo directories that dead mqscope processes left
 * behind (kill -9) are removed first. Returns 0, or -1 with a message in err.
 */
int demo_start(struct demo *d, char *err, size_t cap);
/* demo_start without the simulator. */
int demo_start_broker(struct demo *d, char *err, size_t cap);
/* Points s at the demo broker: its socket and login (the demo's copy of the password is wiped). */
void demo_connect_settings(struct demo *d, struct settings *s);
/* Stops the simulator and broker by PID and removes the directory. */
void demo_stop(struct demo *d);

/*
 * Whether the broker listening on sock is process pid (its peer credentials)
 * and accepts user and password with a CONNACK 0. Returns 0, or -1 with why.
 */
int demo_probe(const char *sock, pid_t pid, const char *user, const char *password, char *err,
               size_t cap);
/* Removes the demo directories under tmpdir whose mqscope is gone (ours only). */
void demo_clean_stale(const char *tmpdir);

/* Runs the simulated devices (the `mqscope sim` subcommand). */
int sim_main(int argc, char **argv);

#endif
