/* pub_cmd.c: `mqscope pub`: one message from the command line, through the same session code. */
#define _GNU_SOURCE
#include "mqscope/pub_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/connect_opts.h"
#include "mqscope/options.h"
#include "mqscope/ring.h"
#include "mqscope/safe_file.h"
#include "mqscope/sanitize.h"
#include "mqscope/session.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"

#define CONNECT_TIMEOUT_MS 15000
#define ACK_TIMEOUT_MS     15000
#define PAYLOAD_MAX        268435455u /* MQTT's limit on a packet's remaining length */

/* Checks what only makes sense for pub; -1 with the problem in err. */
static int check(const struct settings *cfg, char *err, size_t cap)
{
	int sources =
	    (cfg->pub_message != NULL) + (cfg->pub_file != NULL) + cfg->pub_stdin + cfg->pub_null;

	if (!OPTION_GIVEN(cfg, OPT_TOPIC) || cfg->ntopics != 1) {
		snprintf(err, cap, "give the topic to publish to, once: -t TOPIC");
		return -1;
	}
	if (topic_has_wildcard(cfg->topics[0])) {
		snprintf(err, cap, "'%s' is not a topic one can publish to (no + or #)",
		         cfg->topics[0]);
		return -1;
	}
	if (sources != 1) {
		snprintf(err, cap,
		         "give the message %s: -m PAYLOAD, -f FILE, -s (standard input) or -n "
		         "(empty)",
		         sources ? "only once" : "with one of");
		return -1;
	}
	return 0;
}

/* The payload from -m, -f, -s or -n; 0, or 1 with a message printed. */
static int payload(const struct settings *cfg, char **buf, size_t *len)
{
	int fd;

	*buf = NULL;
	*len = 0;
	if (cfg->pub_message) {
		*buf = xstrdup(cfg->pub_message);
		*len = strlen(*buf);
		return 0;
	}
	if (cfg->pub_null)
		return 0;
	if (cfg->pub_stdin) {
		if (safe_file_read_fd(STDIN_FILENO, PAYLOAD_MAX, buf, len) != 0) {
			fprintf(stderr, "mqscope pub: cannot read standard input: %s\n",
			        errno == EFBIG ? "larger than an MQTT message can be"
			                       : strerror(errno));
			return 1;
		}
		return 0;
	}
	fd = open(cfg->pub_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || safe_file_read_fd(fd, PAYLOAD_MAX, buf, len) != 0) {
		fprintf(stderr, "mqscope pub: cannot read %s: %s\n", cfg->pub_file,
		        errno == EFBIG ? "larger than an MQTT message can be" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* Waits on the ring's wake-up until the deadline (the session signals state and events there). */
static void wait_wake(struct ring *r, int64_t deadline)
{
	int64_t left = deadline - clock_mono_ms();
	struct pollfd pfd = {.fd = r->wake_fd, .events = POLLIN};

	if (left <= 0)
		return;
	if (poll(&pfd, 1, left > 200 ? 200 : (int)left) > 0)
		ring_clear_wake(r);
}

/* Connects, publishes, waits for the outcome; returns the exit status. */
static int publish(struct settings *cfg, const char *buf, size_t len)
{
	char **topics = cfg->topics, err[256], why[160 + SESSION_DETAIL_MAX], label[200];
	size_t ntopics = cfg->ntopics;
	struct session_status st;
	struct session_event ev;
	struct session *ss;
	struct ring ring;
	int64_t deadline;
	int mid = -1, rc = 1;
	bool sent = false;
	struct pub_req req = {
	    .topic = topics[0],
	    .payload = buf,
	    .len = len,
	    .qos = cfg->qos,
	    .retain = cfg->pub_retain,
	};

	settings_broker_label(cfg, label, sizeof(label));
	if (ring_init(&ring, 65536, 64) != 0) {
		fputs("mqscope pub: out of memory\n", stderr);
		return 1;
	}
	/* The session subscribes to cfg->topics; here -t is where we publish, not a filter. */
	cfg->topics = NULL;
	cfg->ntopics = 0;
	ss = session_new(cfg, &ring);
	cfg->topics = topics;
	cfg->ntopics = ntopics;
	/* libmosquitto has its own copy now. */
	settings_wipe_secrets(cfg);
	if (ss == NULL || session_start(ss) != 0) {
		fputs("mqscope pub: cannot set up the connection (bad TLS files?)\n", stderr);
		session_free(ss);
		ring_free(&ring);
		return 1;
	}
	deadline = clock_mono_ms() + CONNECT_TIMEOUT_MS;
	for (;;) {
		session_status(ss, &st);
		if (!sent && st.state == SESSION_CONNECTED) {
			if (session_publish(ss, &req, &mid, err, sizeof(err)) != 0) {
				fprintf(stderr, "mqscope pub: not sent: %s\n", err);
				break;
			}
			sent = true;
			deadline = clock_mono_ms() + ACK_TIMEOUT_MS;
		}
		if (st.state == SESSION_WAITING) {
			size_t n;

			session_reason_text(st.reason, st.code, why, sizeof(why));
			n = strlen(why);
			/* The detail may be the broker's words: escaped, never raw on a terminal.
			 */
			if (st.detail[0] && n + 3 < sizeof(why)) {
				memcpy(why + n, ": ", 3);
				sanitize_line(st.detail, strlen(st.detail), SAN_ASCII, 160,
				              why + n + 2, sizeof(why) - n - 2);
			}
			if (sent)
				fprintf(stderr,
				        "mqscope pub: connection to %s lost before the broker "
				        "acknowledged the message: %s\n",
				        label, why);
			else
				fprintf(stderr, "mqscope pub: cannot connect to %s: %s\n", label,
				        why);
			break;
		}
		while (sent && session_next_event(ss, &ev)) {
			if (ev.kind != SESSION_EV_PUBLISHED || ev.mid != mid)
				continue;
			if (ev.rc == SESSION_PUB_NOT_SENT) {
				fprintf(stderr,
				        "mqscope pub: not sent: the connection to %s went first\n",
				        label);
			} else if (ev.rc >= 128) {
				session_reason_text(REASON_V5, ev.rc, why, sizeof(why));
				fprintf(stderr,
				        "mqscope pub: the broker refused the message: %s (reason "
				        "code %d)\n",
				        why, ev.rc);
			} else {
				rc = 0;
			}
			goto done;
		}
		if (clock_mono_ms() >= deadline) {
			if (sent)
				fprintf(stderr,
				        "mqscope pub: no acknowledgement from %s within %ds\n",
				        label, ACK_TIMEOUT_MS / 1000);
			else
				fprintf(stderr, "mqscope pub: cannot connect to %s: timed out\n",
				        label);
			break;
		}
		wait_wake(&ring, deadline);
	}
done:
	session_stop(ss, 2000);
	session_free(ss);
	ring_free(&ring);
	return rc;
}

int pub_main(int argc, char **argv)
{
	struct settings cfg;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	/* The TUI's path from flags, file and profile: TLS, port and password decided alike. */
	rc = connect_opts_load(&cfg, CONNECT_PUB, argc, argv, check);
	if (rc >= 0) {
		settings_free(&cfg);
		return rc;
	}
	if (payload(&cfg, &buf, &len) != 0) {
		settings_free(&cfg);
		return 1;
	}
	session_lib_init();
	rc = publish(&cfg, buf, len);
	session_lib_cleanup();
	free(buf);
	settings_free(&cfg);
	return rc;
}
