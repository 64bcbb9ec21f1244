/* pub_cmd.h: `mqscope pub`, publishing one message from a script. */
#ifndef MQSCOPE_PUB_CMD_H
#define MQSCOPE_PUB_CMD_H

/*
 * Runs `mqscope pub` (argv[0] is "pub"): the connection flags and config
 * profiles of the TUI, -t TOPIC, one of -m/-f/-s/-n, -q, -r. Returns the exit
 * status: 0 once the broker has the message (QoS 0: once it is written), 1
 * when it cannot be reached or refuses, 2 for bad flags or config.
 */
int pub_main(int argc, char **argv);

#endif
