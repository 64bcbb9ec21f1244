/* secret.c: the password from $MQSCOPE_PASSWORD or typed at the terminal without echo. */
#define _GNU_SOURCE
#include "mqscope/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include "mqscope/options.h"

bool secret_from_env(struct settings *s)
{
	const char *env = getenv(SECRET_ENV);
	bool used = false;

	if (env != NULL && *env != '\0' && !OPTION_GIVEN(s, OPT_PASSWORD) && s->user != NULL) {
		settings_set_str(&s->password, env);
		used = true;
	}
	if (env != NULL) {
		/* Overwrite the value in our own environment block too, then drop the name. */
		explicit_bzero((char *)env, strlen(env));
		unsetenv(SECRET_ENV);
	}
	return used;
}

void secret_protect_process(void)
{
	struct rlimit none = {0, 0};

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &none);
}

/* The terminal state to put back if a signal ends the process while echo is off. */
static int tty_fd = -1;
static struct termios tty_saved, tty_quiet;
static const char *tty_prompt;

static void restore_and_reraise(int sig)
{
	int saved_errno = errno;
	struct sigaction sa, dfl;
	sigset_t one, old;

	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, &sa);
	/* Unblocked, the signal acts now: the process ends, or stops (Ctrl-Z) until fg. */
	sigemptyset(&one);
	sigaddset(&one, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &one, &old);
	/*
	 * Back from a stop: echo off again, and ready for the next Ctrl-Z. What was
	 * typed before the stop went with the flush above: ask again from the start.
	 */
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(sig, &sa, NULL);
	if (tty_fd >= 0) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_quiet);
		if (write(tty_fd, "\n", 1) < 0 ||
		    write(tty_fd, tty_prompt, strlen(tty_prompt)) < 0) {
			/* the prompt is a courtesy; reading goes on */
		}
	}
	errno = saved_errno;
}

int secret_read_tty(const char *prompt, char *buf, size_t cap, char *err, size_t errcap)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGTSTP};
	struct sigaction sa, old[sizeof(sigs) / sizeof(sigs[0])];
	struct termios quiet;
	size_t len = 0;
	bool too_long = false, eof = false;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(err, errcap, "no terminal to ask for the password on (%s)",
		         strerror(errno));
		return -1;
	}
	if (tcgetattr(fd, &tty_saved) != 0) {
		snprintf(err, errcap, "cannot turn off echo on the terminal: %s", strerror(errno));
		close(fd);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_reraise;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, &old[i]);
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	quiet.c_lflag |= ICANON;
	tty_quiet = quiet;
	tty_prompt = prompt;
	tty_fd = fd;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	if (write(fd, prompt, strlen(prompt)) < 0)
		eof = true;
	while (!eof) {
		char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			eof = true;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (len + 1 < cap)
			buf[len++] = c;
		else
			too_long = true;
	}
	buf[len] = '\0';
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &old[i], NULL);
	if (write(fd, "\n", 1) < 0) {
		/* nothing to do: the prompt line simply stays open */
	}
	close(fd);
	if (eof && len == 0) {
		snprintf(err, errcap, "no password typed (input ended)");
		return -1;
	}
	if (too_long) {
		explicit_bzero(buf, cap);
		snprintf(err, errcap, "the password is longer than %zu bytes", cap - 1);
		return -1;
	}
	return 0;
}

int secret_prompt(struct settings *s, char *err, size_t cap)
{
	return secret_prompt_for(s, NULL, err, cap);
}

int secret_prompt_for(struct settings *s, const char *broker, char *err, size_t cap)
{
	char prompt[700], pw[1024], where[400], who[200] = "";

	if (s->password == NULL || strcmp(s->password, "-") != 0)
		return 0;
	settings_broker_label(s, where, sizeof(where));
	/* several brokers: "broker cloud (10.0.0.2:1883)", or just the label when it is where */
	if (broker && strcmp(broker, where) != 0)
		snprintf(who, sizeof(who), "broker %.64s (", broker);
	else if (broker)
		snprintf(who, sizeof(who), "broker ");
	if (s->user)
		snprintf(prompt, sizeof(prompt), "Password for %s at %s%s%s: ", s->user, who, where,
		         broker && strcmp(broker, where) != 0 ? ")" : "");
	else
		snprintf(prompt, sizeof(prompt), "Password for %s%s%s: ", who, where,
		         broker && strcmp(broker, where) != 0 ? ")" : "");
	if (secret_read_tty(prompt, pw, sizeof(pw), err, cap) != 0)
		return -1;
	settings_set_str(&s->password, pw);
	explicit_bzero(pw, sizeof(pw));
	return 0;
}
