/* demo.c: starts and stops the demo broker and the device simulator. */
#define _GNU_SOURCE
#include "mqscope/demo.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int demo_start(struct demo *d, char *err, size_t cap)
{
	char exe[4096], port[16];
	ssize_t n;

	memset(d, 0, sizeof(*d));
	d->broker_pid = d->sim_pid = -1;
	if (broker_start(&d->broker, "sys_interval 1\nmax_queued_messages 10000\n", err, cap) != 0)
		return -1;
	d->broker_pid = d->broker.pid;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(err, cap, "cannot find my own executable for the simulator");
		demo_stop(d);
		return -1;
	}
	exe[n] = '\0';
	snprintf(port, sizeof(port), "%d", d->broker.port);
	char *argv[] = {exe, "sim", "-h", "127.0.0.1", "-p", port, NULL};
	d->sim_pid = spawn_quiet(argv);
	return 0;
}

void demo_stop(struct demo *d)
{
	stop_child(d->sim_pid, 2000);
	d->sim_pid = -1;
	broker_stop(&d->broker);
	d->broker_pid = -1;
}
