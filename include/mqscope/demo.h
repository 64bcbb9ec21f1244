/* demo.h: a private broker plus simulated devices, for running without a broker. */
#ifndef MQSCOPE_DEMO_H
#define MQSCOPE_DEMO_H

#include <stddef.h>
#include <sys/types.h>

#include "mqscope/broker.h"

struct demo {
	struct broker broker;
	pid_t broker_pid; /* mirrors broker.pid; -1 when not running */
	pid_t sim_pid;
};

/* Starts the broker and `mqscope sim` against it; fills the port. */
int demo_start(struct demo *d, char *err, size_t cap);
/* Stops the simulator and broker by PID and removes their files. */
void demo_stop(struct demo *d);

/* Runs the simulated devices (the `mqscope sim` subcommand). */
int sim_main(int argc, char **argv);

#endif
