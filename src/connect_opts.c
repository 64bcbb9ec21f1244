/* connect_opts.c: flags, config file and profile to connection settings, for every subcommand. */
#include "mqscope/connect_opts.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/config.h"
#include "mqscope/options.h"
#include "mqscope/secret.h"
#include "mqscope/util.h"

/* What each subcommand cannot honour: whole option groups, and single options. */
static const struct {
	const char *name;
	const char *refusal; /* said after the option's name ("--theme") */
	const char *groups[2];
	enum option_id ids[16];
	size_t nids;
} commands[] = {
    [CONNECT_TUI] =
        {"mqscope", " does not apply to the viewer", {"publish", "output"}, {OPT_HELP}, 0},
    [CONNECT_PUB] = {"mqscope pub",
                     " does not apply to publishing",
                     {"output", NULL},
                     {OPT_EXCLUDE, OPT_THEME, OPT_ASCII, OPT_DEMO, OPT_STATS, OPT_RECORD,
                      OPT_REPLAY, OPT_REPLAY_SPEED},
                     8},
    [CONNECT_SIM] = {"mqscope sim",
                     " does not apply to the simulated devices (they choose their own "
                     "topics)",
                     {"publish", "output"},
                     {OPT_TOPIC, OPT_EXCLUDE, OPT_UNSUBSCRIBE, OPT_QOS, OPT_THEME, OPT_ASCII,
                      OPT_DEMO, OPT_STATS, OPT_RECORD, OPT_REPLAY, OPT_REPLAY_SPEED},
                     11},
    [CONNECT_LOG] = {"mqscope log",
                     " does not apply to mqscope log",
                     {"publish", NULL},
                     {OPT_FORMAT, OPT_THEME, OPT_ASCII, OPT_DEMO, OPT_STATS, OPT_RECORD, OPT_REPLAY,
                      OPT_REPLAY_SPEED},
                     8},
    [CONNECT_DUMP] = {"mqscope dump",
                      " does not apply to mqscope dump (it writes each retained topic once)",
                      {"publish", NULL},
                      {OPT_FORMAT, OPT_NO_EOL, OPT_NO_STALE, OPT_COUNT, OPT_EXIT_AFTER_SUB,
                       OPT_RETAINED_ONLY, OPT_RANDOM_FILTER, OPT_THEME, OPT_ASCII, OPT_DEMO,
                       OPT_STATS, OPT_RECORD, OPT_REPLAY, OPT_REPLAY_SPEED},
                      14},
};

/* Why cmd refuses option id: the group's own reason where one says it better. */
static const char *refusal(enum connect_cmd cmd, enum option_id id)
{
	const char *g = options_group(id);

	if (strcmp(g, "publish") == 0)
		return " is for publishing: mqscope pub -t TOPIC -m PAYLOAD [-q QOS] [-r]";
	if (strcmp(g, "output") == 0)
		return " is for the output of mqscope log and mqscope dump";
	if (id == OPT_FORMAT)
		return ": mosquitto_sub's formats are not taken; use --json, or --csv with "
		       "--fields";
	return commands[cmd].refusal;
}

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

/* connect_opts_load for s = all[i]; with several brokers (all != NULL), -P - names which. */
static int load_one(struct settings *s, enum connect_cmd cmd, int argc, char **argv,
                    connect_check_fn check, const struct settings *const *all, size_t i)
{
	const char *name = commands[cmd].name;
	char err[1024], flag[48], label[64];
	int rc = config_from_command_line(s, argc, argv), id;

	if (rc >= 0)
		return rc;
	if ((id = connect_opts_refused(s, cmd)) >= 0) {
		options_flag_name((enum option_id)id, flag, sizeof(flag));
		fprintf(stderr, "%s: %s%s\n", name, flag, refusal(cmd, (enum option_id)id));
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
	if (all)
		settings_branch_label(all, i, label, sizeof(label));
	if (secret_prompt_for(s, all ? label : NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: -P -: %s\n", name, err);
		return 2;
	}
	return -1;
}

int connect_opts_load(struct settings *s, enum connect_cmd cmd, int argc, char **argv,
                      connect_check_fn check)
{
	return load_one(s, cmd, argc, argv, check, NULL, 0);
}

/* argv with "--profile name" added: the last --profile is the one that counts. */
static char **with_profile(int argc, char **argv, const char *name)
{
	char **v = xcalloc((size_t)argc + 3, sizeof(*v));

	for (int i = 0; i < argc; i++)
		v[i] = xstrdup(argv[i]);
	v[argc] = xstrdup("--profile");
	v[argc + 1] = xstrdup(name);
	return v;
}

static int count_args(char **v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

int connect_opts_load_brokers(struct settings *s, size_t max, size_t *n, int argc, char **argv,
                              connect_check_fn check)
{
	char **argvs[OPTIONS_MAX_BROKERS] = {0};
	const struct settings *all[OPTIONS_MAX_BROKERS];
	size_t k = options_split_brokers(argc, argv, argvs, max);
	int rc = -1;

	*n = 1;
	if (k > max) {
		settings_init(&s[0]);
		fprintf(stderr, "mqscope: at most %zu brokers at once (-L and --profile)\n", max);
		return 2;
	}
	if (k < 2) {
		rc = connect_opts_load(&s[0], CONNECT_TUI, argc, argv, check);
		if (rc >= 0 || s[0].nbrokers == 0)
			return rc;
		/* A profile that lists brokers: each of them, with the rest of the line. */
		if (s[0].nbrokers > max) {
			fprintf(stderr, "mqscope: at most %zu brokers at once\n", max);
			return 2;
		}
		k = s[0].nbrokers;
		for (size_t b = 0; b < k; b++)
			argvs[b] = with_profile(argc, argv, s[0].brokers[b]);
		settings_free(&s[0]);
	}
	for (size_t b = 0; b < k && rc < 0; b++) {
		*n = b + 1;
		all[b] = &s[b];
		rc = load_one(&s[b], CONNECT_TUI, count_args(argvs[b]), argvs[b], check, all, b);
		if (rc < 0 && s[b].nbrokers) {
			fprintf(stderr, "mqscope: --profile %s lists brokers: give it alone\n",
			        s[b].profile);
			rc = 2;
		}
	}
	for (size_t b = 0; b < k; b++)
		options_free_argv(argvs[b]);
	/* The copies were scrubbed; the line ps(1) shows is this one. */
	options_scrub_argv(argc, argv);
	return rc;
}
