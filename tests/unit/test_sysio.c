/* test_sysio.c: read-ahead on one socket of one thread; everything else reads and writes as ever.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mqscope/sysio.h"

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
}

static void unit__sysio__small_reads_come_from_one_system_call(void **state)
{
	int sv[2];
	char msg[300], got[300];
	uint64_t calls;

	(void)state;
	pair(sv);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)i;
	assert_int_equal(write(sv[1], msg, sizeof(msg)), (ssize_t)sizeof(msg));
	assert_int_equal(sysio_readahead_start(sv[0], 0, false), 0);
	calls = sysio_readahead_syscalls();
	/* The way libmosquitto reads: a byte, a byte, then the rest. */
	for (size_t off = 0; off < sizeof(msg);) {
		size_t want = off % 3 == 2 ? 7 : 1;
		ssize_t n = read(sv[0], got + off, want);

		assert_true(n > 0 && (size_t)n <= want);
		off += (size_t)n;
		if (off < sizeof(msg))
			assert_int_equal(sysio_readahead_pending(), sizeof(msg) - off);
	}
	assert_memory_equal(got, msg, sizeof(msg));
	assert_int_equal(sysio_readahead_syscalls() - calls, 1);
	assert_int_equal(sysio_readahead_pending(), 0);
	/* Nothing more: the socket's own answer, errno included. */
	errno = 0;
	assert_int_equal(read(sv[0], got, 1), -1);
	assert_int_equal(errno, EAGAIN);
	/* End of stream is passed on as such. */
	close(sv[1]);
	assert_int_equal(read(sv[0], got, 1), 0);
	sysio_readahead_stop();
	close(sv[0]);
}

static void unit__sysio__large_reads_go_straight_to_the_caller(void **state)
{
	int sv[2];
	static char msg[40000], got[40000];
	size_t off = 0;

	(void)state;
	pair(sv);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)(i * 7);
	assert_int_equal(write(sv[1], msg, 10), 10);
	assert_int_equal(sysio_readahead_start(sv[0], 0, false), 0);
	assert_int_equal(read(sv[0], got, 2), 2); /* buffers the 10 bytes */
	assert_int_equal(write(sv[1], msg + 10, sizeof(msg) - 10), (ssize_t)sizeof(msg) - 10);
	off = 2;
	while (off < sizeof(msg)) {
		ssize_t n = read(sv[0], got + off, sizeof(msg) - off);

		assert_true(n > 0);
		off += (size_t)n;
	}
	assert_memory_equal(got, msg, sizeof(msg));
	sysio_readahead_stop();
	close(sv[0]);
	close(sv[1]);
}

struct other {
	int fd;
	ssize_t n;
};

static void *read_elsewhere(void *arg)
{
	struct other *o = arg;
	char c[4];

	o->n = read(o->fd, c, sizeof(c));
	return NULL;
}

static void unit__sysio__other_descriptors_and_threads_read_directly(void **state)
{
	int sv[2], pv[2];
	char c[4];
	pthread_t th;
	struct other o;

	(void)state;
	pair(sv);
	pair(pv);
	assert_int_equal(sysio_readahead_start(sv[0], 0, false), 0);
	/* Another descriptor on this thread: no read-ahead. */
	assert_int_equal(write(pv[1], "abcd", 4), 4);
	assert_int_equal(read(pv[0], c, 1), 1);
	assert_int_equal(sysio_readahead_pending(), 0);
	assert_int_equal(read(pv[0], c, 4), 3);
	/* The same descriptor from another thread: no read-ahead either. */
	assert_int_equal(write(sv[1], "wxyz", 4), 4);
	o.fd = sv[0];
	assert_int_equal(pthread_create(&th, NULL, read_elsewhere, &o), 0);
	pthread_join(th, NULL);
	assert_int_equal(o.n, 4);
	assert_int_equal(sysio_readahead_pending(), 0);
	sysio_readahead_stop();
	for (int i = 0; i < 2; i++) {
		close(sv[i]);
		close(pv[i]);
	}
}

static void unit__sysio__counts_bytes_written_to_one_descriptor(void **state)
{
	int pv[2];
	uint64_t before;
	char buf[16];

	(void)state;
	assert_int_equal(pipe(pv), 0);
	sysio_count_writes(pv[1]);
	before = sysio_written();
	assert_int_equal(write(pv[1], "hello", 5), 5);
	assert_int_equal(write(pv[1], "", 0), 0);
	assert_int_equal(write(-1, "x", 1), -1);
	assert_int_equal(sysio_written() - before, 5);
	sysio_count_writes(-1);
	assert_int_equal(write(pv[1], "more", 4), 4);
	assert_int_equal(sysio_written() - before, 5);
	assert_int_equal(read(pv[0], buf, sizeof(buf)), 9);
	close(pv[0]);
	close(pv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__sysio__small_reads_come_from_one_system_call),
	    cmocka_unit_test(unit__sysio__large_reads_go_straight_to_the_caller),
	    cmocka_unit_test(unit__sysio__other_descriptors_and_threads_read_directly),
	    cmocka_unit_test(unit__sysio__counts_bytes_written_to_one_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
