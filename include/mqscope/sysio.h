/* sysio.h: our read() and write(): read-ahead on the broker socket, a count of terminal bytes. */
#ifndef MQSCOPE_SYSIO_H
#define MQSCOPE_SYSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * libmosquitto reads each packet with three read() calls (type byte, length
 * byte(s), the rest), a system call each: at 100k messages a second that is
 * most of the network thread's time. This module defines read() and write()
 * for the whole process, so libmosquitto's calls come here: on the calling
 * thread's read-ahead socket, read() fills a 16 KiB buffer with one system call and
 * hands out the bytes from it; every other call goes straight through. The
 * caller must then not wait in select() or poll() while bytes are buffered
 * (sysio_readahead_pending), since the socket no longer shows them.
 */

/*
 * Reads fd through a buffer, on the calling thread only, and through the
 * packet bounds of inbound.h (payloads over payload_cap are cut; v5: the
 * connection speaks MQTT 5; payload_cap 0: no bounds). Returns -1 when out of memory.
 */
int sysio_readahead_start(int fd, size_t payload_cap, bool v5);
/*
 * Puts the packet bounds on a read-ahead started without them, from the next
 * byte on: through a SOCKS proxy, once its handshake is over.
 */
int sysio_bound_late(size_t payload_cap, bool v5);
/*
 * TLS: no read-ahead (OpenSSL reads in records), but the same packet bounds
 * on what libmosquitto reads through SSL_read() from this SSL connection, on
 * the calling thread only.
 */
int sysio_bound_tls(void *ssl, size_t payload_cap, bool v5);
/* Stops reading ahead (or bounding) on this thread and drops what was buffered. */
void sysio_readahead_stop(void);
/* The real size of the message libmosquitto just read, if its payload was cut (inbound.h). */
bool sysio_payload_cut(int qos, int mid, uint32_t *orig);
/* Why the read-ahead socket's stream was ended by a bound, or NULL. */
const char *sysio_stream_error(void);
/* Bytes read ahead on this thread and not handed out yet. */
size_t sysio_readahead_pending(void);
/* System calls that read the read-ahead socket so far (all threads). */
uint64_t sysio_readahead_syscalls(void);

/* Counts the bytes successfully written to fd from now on (-1: stop counting). */
void sysio_count_writes(int fd);
/* Bytes written to the counted fd. */
uint64_t sysio_written(void);

#endif
