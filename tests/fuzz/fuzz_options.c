/* fuzz_options.c: any command line (the same flags as a profile, -L URLs, --proxy URLs) is parsed
 * without a crash, an error always says why, and after the arguments are scrubbed for ps(1) no
 * password is left in them.
 *
 * Input: the arguments after argv[0], separated by NUL bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/options.h"
#include "mqscope/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARGS_MAX 32

/* Whether a secret is absent or nothing but the '*'s the scrubber writes. */
static bool scrubbed(const char *secret)
{
	if (secret == NULL)
		return true;
	for (const char *p = secret; *p; p++)
		if (*p != '*')
			return false;
	return true;
}

/* Parses argv into s; returns the result and checks an error was explained. */
static enum options_result parse(int argc, char **argv, struct settings *s)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&msg, &len);
	enum options_result r;

	settings_init(s);
	r = options_parse(argc, argv, s, err);
	fclose(err);
	if (r == OPTIONS_ERROR && len == 0)
		abort();
	free(msg);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[ARGS_MAX + 2], *copy[ARGS_MAX + 2], msg[1024];
	size_t lens[ARGS_MAX + 2];
	int argc = 1;
	struct settings s, again;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "mqscope";
	for (size_t i = 0; i < size && argc <= ARGS_MAX; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	for (int i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i]);
		lens[i] = strlen(argv[i]);
	}
	copy[argc] = NULL;

	if (parse(argc, copy, &s) == OPTIONS_OK) {
		options_check(&s, msg, sizeof(msg));
		/* What ps(1) shows afterwards: the same lengths, no secret. */
		options_scrub_argv(argc, copy);
		for (int i = 0; i < argc; i++)
			if (strlen(copy[i]) != lens[i])
				abort();
		if (parse(argc, copy, &again) == OPTIONS_OK) {
			if (!scrubbed(again.password) || !scrubbed(again.proxy_password))
				abort();
		}
		settings_free(&again);
	}
	settings_free(&s);

	/* Each argument alone as a -L URL. */
	for (int i = 1; i < argc; i++) {
		settings_init(&s);
		options_parse_url(&s, argv[i], msg, sizeof(msg));
		settings_free(&s);
	}
	for (int i = 0; i < argc; i++)
		free(copy[i]);
	free(buf);
	return 0;
}
