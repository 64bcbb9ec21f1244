/* connect_opts.h: the one path from flags, the config file and its profile to the settings of a
 * connection, shared by every subcommand. */
#ifndef MQSCOPE_CONNECT_OPTS_H
#define MQSCOPE_CONNECT_OPTS_H

#include <stddef.h>

#include "mqscope/settings.h"

/*
 * The subcommands that connect to a broker. A new one (log, dump...) adds its
 * line here and its row to the table in connect_opts.c: the options it cannot
 * honour, which it then refuses with a message instead of ignoring.
 */
enum connect_cmd {
	CONNECT_TUI,  /* mqscope */
	CONNECT_PUB,  /* mqscope pub */
	CONNECT_SIM,  /* mqscope sim */
	CONNECT_LOG,  /* mqscope log */
	CONNECT_DUMP, /* mqscope dump */
};

/* A subcommand's own checks on the settings; -1 with the problem in err. */
typedef int (*connect_check_fn)(const struct settings *s, char *err, size_t cap);

/*
 * Reads the command line, the config file and its profile (flags over the
 * file), refuses what cmd cannot honour, runs check (may be NULL), then makes
 * the connection decisions for every subcommand alike: TLS is on for mqtts://
 * (flag or profile url), any TLS option or port 8883; --unix with a TLS option
 * is refused. Last, as nothing can fail after it, asks for the password when
 * -P - says so. Returns -1 to go on, else the exit status, with the message
 * printed. The caller frees s in every case.
 */
int connect_opts_load(struct settings *s, enum connect_cmd cmd, int argc, char **argv,
                      connect_check_fn check);

/*
 * The TUI's load for one broker or several: -L or --profile given more than
 * once, or a profile with brokers = [...], make one settings each in s (at
 * most max), each from the whole command line with that broker's -L or
 * --profile. *n says how many of s were set up; the caller frees them all in
 * every case. Returns as connect_opts_load.
 */
int connect_opts_load_brokers(struct settings *s, size_t max, size_t *n, int argc, char **argv,
                              connect_check_fn check);

/* The subcommand's name for messages: "mqscope", "mqscope pub", "mqscope log".... */
const char *connect_cmd_name(enum connect_cmd cmd);

/* Which option given on the command line cmd cannot honour, or -1. */
int connect_opts_refused(const struct settings *s, enum connect_cmd cmd);

#endif
