/* main.c: entry point: parse options, start the demo or connect, run the UI, clean up. */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/app.h"
#include "mqscope/connect_opts.h"
#include "mqscope/demo.h"
#include "mqscope/log_cmd.h"
#include "mqscope/pub_cmd.h"
#include "mqscope/secret.h"
#include "mqscope/recorder.h"
#include "mqscope/replay.h"
#include "mqscope/safe_file.h"
#include "mqscope/session.h"
#include "mqscope/ui.h"

/*
 * Opens --record's file into the app. A file that cannot be opened does not
 * stop mqscope: the UI says why, and monitoring goes on without recording.
 */
static void open_recorder(struct app *app, const struct settings *cfg)
{
	if (cfg->record_path != NULL)
		app->recorder = recorder_open(cfg->record_path, NULL, 0);
}

/* After the UI: the last lines go to the file, and a failed recording is said once more. */
static void close_recorder(struct app *app)
{
	char why[1024];

	if (app->recorder == NULL)
		return;
	recorder_flush(app->recorder);
	if (recorder_failed(app->recorder)) {
		recorder_describe(app->recorder, why, sizeof(why));
		fprintf(stderr, "mqscope: %s\n", why);
	}
}

/* The UI over a recording: no broker, no session; the replay feeds the tree. */
static int run_replay(struct settings *cfg)
{
	struct app app;
	char err[512];
	int rc;

	if (app_init(&app, cfg, true) != 0) {
		fputs("mqscope: out of memory\n", stderr);
		app_free(&app);
		return 1;
	}
	app.replay = replay_open(cfg->replay_path, cfg->replay_speed, err, sizeof(err));
	if (app.replay == NULL) {
		fprintf(stderr, "mqscope: %s\n", err);
		app_free(&app);
		return 1;
	}
	open_recorder(&app, cfg);
	snprintf(app.broker_label, sizeof(app.broker_label), "%s", cfg->replay_path);
	rc = ui_run(&app);
	close_recorder(&app);
	if (cfg->stats_path && app_write_stats(&app, cfg->stats_path) != 0)
		fprintf(stderr, "mqscope: cannot write %s: %s\n", cfg->stats_path,
		        safe_file_strerror(errno));
	app_free(&app);
	return rc;
}

static int run(struct settings *cfg, size_t ncfg)
{
	struct app app;
	char err[512];
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("mqscope: needs a terminal (stdin and stdout must be a tty)\n", stderr);
		return 1;
	}
	if (cfg->replay_path)
		return run_replay(cfg);
	session_lib_init();
	struct demo demo = {.broker_pid = -1, .sim_pid = -1};
	if (cfg->demo) {
		if (demo_start(&demo, err, sizeof(err)) != 0) {
			fprintf(stderr, "mqscope: demo broker: %s\n", err);
			session_lib_cleanup();
			return 1;
		}
		demo_connect_settings(&demo, cfg);
	}
	if (app_init(&app, cfg, false) != 0) {
		fputs("mqscope: cannot set up the session (out of memory or bad TLS files)\n",
		      stderr);
		app_free(&app);
		if (cfg->demo)
			demo_stop(&demo);
		session_lib_cleanup();
		return 1;
	}
	for (size_t i = 1; i < ncfg; i++) {
		if (app_add_broker(&app, &cfg[i]) != 0) {
			fputs(
			    "mqscope: cannot set up the session (out of memory or bad TLS files)\n",
			    stderr);
			app_free(&app);
			session_lib_cleanup();
			return 1;
		}
	}
	app.demo = demo;
	if (cfg->demo) /* where its socket, password and profile are */
		snprintf(app.broker_label, sizeof(app.broker_label), "%s", demo.dir);
	open_recorder(&app, cfg);
	app_start(&app);
	rc = ui_run(&app);
	app_stop(&app, 2000);
	close_recorder(&app);
	if (cfg->stats_path && app_write_stats(&app, cfg->stats_path) != 0)
		fprintf(stderr, "mqscope: cannot write %s: %s\n", cfg->stats_path,
		        safe_file_strerror(errno));
	if (cfg->demo)
		demo_stop(&app.demo);
	app_free(&app);
	session_lib_cleanup();
	return rc;
}

int main(int argc, char **argv)
{
	struct settings cfg[APP_MAX_BROKERS];
	size_t ncfg = 0;
	int rc;

	/* Before any secret is read: no core dumps, no other process of ours reading our memory. */
	secret_protect_process();
	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	/* Past ulimit -f, a recording fails with EFBIG instead of killing us. */
	signal(SIGXFSZ, SIG_IGN);
	/* A stats request (SIGUSR1) before the UI takes it over must not kill us. */
	signal(SIGUSR1, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "sim") == 0)
		return sim_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "pub") == 0)
		return pub_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "log") == 0)
		return log_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "dump") == 0)
		return dump_main(argc - 1, argv + 1);

	rc = connect_opts_load_brokers(cfg, APP_MAX_BROKERS, &ncfg, argc, argv, ui_check_config);
	if (rc < 0)
		rc = run(cfg, ncfg);
	for (size_t i = 0; i < ncfg; i++)
		settings_free(&cfg[i]);
	return rc;
}
