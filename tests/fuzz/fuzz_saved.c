/* fuzz_saved.c: the saved-messages file (the config file's `messages` syntax) is read safely, and
 * what mqscope writes back reads as the same messages: a message saved from a received payload
 * (any bytes but NUL) survives the round trip.
 *
 * Input: a messages file; or, when it starts with a 0x01 byte, the payload of one message to
 * save, whatever its bytes. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mqscope/saved.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], file[300];

/* Leaves no directory behind. */
static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

static bool same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Writes list, reads it back and compares. */
static void round_trip(const struct saved_msg *list, size_t n)
{
	struct saved_msg *back;
	size_t nback;
	char err[1024];

	if (saved_write(file, list, n, err, sizeof(err)) != 0)
		abort();
	if (saved_load(file, &back, &nback, err, sizeof(err)) != 0) {
		fprintf(stderr, "wrote a file that does not read back: %s\n", err);
		abort();
	}
	if (nback != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct saved_msg *a = &list[i], *b = &back[i];

		if (!same_str(a->name ? a->name : a->topic, b->name) ||
		    !same_str(a->group, b->group) || !same_str(a->topic, b->topic) ||
		    !same_str(a->payload ? a->payload : "", b->payload) || a->qos != b->qos ||
		    a->retain != b->retain)
			abort();
	}
	saved_free(back, nback);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	struct saved_msg *list;
	size_t n;
	int fd;

	if (dir[0] == '\0') {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

		snprintf(dir, sizeof(dir), "%s/mqscope-fuzz-saved-%d", base, (int)getpid());
		snprintf(file, sizeof(file), "%s/messages", dir);
		atexit(cleanup);
	}
	if (size > 65536)
		return 0;

	if (size > 0 && data[0] == 1) {
		/* A payload saved from the publish form: any bytes the file can keep. */
		struct saved_msg m = {.name = "n", .topic = "a/b", .qos = (int)(size % 3)};
		char *payload = strndup((const char *)data + 1, size - 1);

		m.payload = payload;
		m.group = size & 1 ? payload : NULL;
		m.retain = size & 2;
		if (saved_payload_ok(payload, strlen(payload), err, sizeof(err)))
			round_trip(&m, 1);
		free(payload);
		return 0;
	}

	/* @include would read other files (or block on a device): not this parser's input. */
	if (memmem(data, size, "@include", 8) != NULL)
		return 0;
	fd = memfd_create("fuzz-saved", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if (saved_load(path, &list, &n, err, sizeof(err)) == 0) {
		round_trip(list, n);
		saved_free(list, n);
	} else if (err[0] == '\0' || list != NULL || n != 0) {
		abort();
	}
	close(fd);
	unlink(file);
	return 0;
}
