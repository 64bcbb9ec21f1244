/* tmpdir.c: the scratch directory the file-writing unit tests share (see tmpdir.h). */
#define _GNU_SOURCE
#include "tmpdir.h"

#include <errno.h> /* program_invocation_short_name */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char tmpdir[128];

int tmpdir_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	const char *name = program_invocation_short_name;

	(void)state;
	/* test_config makes mqscope-config-XXXXXX: the program name tells whose it is. */
	if (strncmp(name, "test_", 5) == 0)
		name += 5;
	snprintf(tmpdir, sizeof(tmpdir), "%s/mqscope-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	return mkdtemp(tmpdir) ? 0 : -1;
}

int tmpdir_teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}
