/* connect_opts.c: flags, config file and profile to connection settings, for every subcommand. */
#include "mqscope/connect_opts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/config.h"
#include "mqscope/options.h"
#include "mqscope/secret.h"

/* What each subcommand cannot honour: whole option groups, and single options. */
static const struct {
	const char *name;
	const char *refusal; /* said after the option's name ("-m/--message") */
	const char *groups[2];
	enum option_id ids[12];
	size_t nids;
} commands[] = {
    [CONNECT_TUI] = {"mqscope",
                     " is for publishing: mqscope pub -t TOPIC -m PAYLOAD [-q QOS] [-r]",
                     {"publish", NULL},
                     {OPT_HELP},
                     0},
    [CONNECT_PUB] = {"mqscope pub",
                     " does not apply to publishing",
                     {NULL, NULL},
                     {OPT_EXCLUDE, OPT_THEME, OPT_ASCII, OPT_DEMO, OPT_STATS, OPT_RECORD,
                      OPT_REPLAY, OPT_REPLAY_SPEED},
                     8},
    [CONNECT_SIM] = {"mqscope sim",
                     " does not apply to the simulated devices (they choose their own "
                     "topics)",
                     {"publish", NULL},
                     {OPT_TOPIC, OPT_EXCLUDE, OPT_UNSUBSCRIBE, OPT_QOS, OPT_THEME, OPT_ASCII,
                      OPT_DEMO, OPT_STATS, OPT_RECORD, OPT_REPLAY, OPT_REPLAY_SPEED},
                     11},
};

const char *connect_cmd_name(enum connect_cmd cmd)
{
	return commands[cmd].name;
}

int connect_opts_refused(const struct settings *s, enum connect_cmd cmd)
{
	for (int id = 0; id < OPT__COUNT; id++) {
		bool no = false;

		if (!OPTION_GIVEN(s, id))
			continue;
		for (size_t g = 0; g < 2 && commands[cmd].groups[g]; g++)
			no |=
			    strcmp(options_group((enum option_id)id), commands[cmd].groups[g]) == 0;
		for (size_t i = 0; i < commands[cmd].nids; i++)
			no |= commands[cmd].ids[i] == (enum option_id)id;
		if (no)
			return id;
	}
	return -1;
}

int connect_opts_load(struct settings *s, enum connect_cmd cmd, int argc, char **argv,
                      connect_check_fn check)
{
	const char *name = commands[cmd].name;
	char err[1024], flag[48];
	int rc = config_from_command_line(s, argc, argv), id;

	if (rc >= 0)
		return rc;
	if ((id = connect_opts_refused(s, cmd)) >= 0) {
		options_flag_name((enum option_id)id, flag, sizeof(flag));
		fprintf(stderr, "%s: %s%s\n", name, flag, commands[cmd].refusal);
		return 2;
	}
	if (check != NULL && check(s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		return 2;
	}
	/* The same decisions for everyone: whatever turns TLS on for one turns it on for all. */
	if (cmd == CONNECT_TUI)
		settings_finish(s);
	else
		settings_finish_connection(s);
	if (secret_prompt(s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: -P -: %s\n", name, err);
		return 2;
	}
	return -1;
}
