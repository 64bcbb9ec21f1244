/* log_cmd.h: `mqscope log`, every message as a line, and `mqscope dump`, the retained state once.
 */
#ifndef MQSCOPE_LOG_CMD_H
#define MQSCOPE_LOG_CMD_H

/*
 * Runs `mqscope log` (argv[0] is "log"): the connection flags, config
 * profiles, transports and negotiation of the TUI; prints each message as
 * it arrives as "topic payload" (like mosquitto_sub -v, made safe for a
 * terminal unless --raw), JSON Lines (--json) or CSV (--csv, --fields).
 * -C, -W, -R, -T, -E, -N, --retained-only, --random-filter and --quiet as
 * in mosquitto_sub. Returns the exit status (headless.h).
 */
int log_main(int argc, char **argv);

/*
 * Runs `mqscope dump` (argv[0] is "dump"): subscribes, takes the retained
 * messages the broker sends with its SUBACKs, writes each retained topic
 * once, in topic order, as one JSON tree (the default), JSON Lines (--json)
 * or CSV (--csv), and exits. When it has them all: see dump_cmd.c.
 */
int dump_main(int argc, char **argv);

#endif
