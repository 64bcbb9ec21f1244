/* transport_tls.h: TLS to the broker with OpenSSL, and its verdicts in OpenSSL's own codes. */
#ifndef MQSCOPE_TRANSPORT_TLS_H
#define MQSCOPE_TRANSPORT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mqscope/settings.h"
#include "mqscope/transport.h"

/* Why a TLS connection failed (the code of CONN_TLS), each with its own words. */
enum tls_fail {
	TLS_ERR_OTHER,
	TLS_ERR_UNKNOWN_CA,
	TLS_ERR_HOSTNAME,
	TLS_ERR_EXPIRED,
	TLS_ERR_BAD_KEY,
	TLS_ERR_HANDSHAKE,
	TLS_ERR_CERT_REQUIRED,
	TLS_ERR_CERT_REJECTED, /* the broker did not accept our client certificate */
	TLS_ERR_VERSION,       /* no TLS version or cipher both sides accept */
	TLS_ERR_CLOSED,        /* the broker closed the connection during the handshake */
	TLS_ERR_PSK,           /* the broker did not accept our pre-shared key */
	TLS_ERR_CA,            /* the CA file or directory could not be read */
};

/*
 * What OpenSSL told about a failed handshake or read, all of it codes: the
 * certificate check's result, the alerts either side sent, the reason code of
 * OpenSSL's last error, what SSL_get_error() said. The verdict comes from
 * these alone, never from OpenSSL's message text.
 */
struct tls_facts {
	long verify;        /* SSL_get_verify_result (X509_V_OK when it was not reached) */
	int alert_received; /* TLS alert description from the broker, -1 if none */
	int alert_sent;     /* ... from us, -1 if none */
	int lib, reason;    /* ERR_GET_LIB and ERR_GET_REASON of the last error; 0 if none */
	int ssl_error;      /* SSL_get_error */
	int sys_errno;
	bool psk;            /* a pre-shared key was offered */
	bool cert_requested; /* the broker asked for a client certificate */
	bool cert_sent;      /* and we had one to give */
	bool got_data;       /* application data had come: the handshake was over */
};

/* The verdict on a failed TLS connection from what OpenSSL told. */
enum tls_fail tls_verdict(const struct tls_facts *f);

/* TLS as the settings say, on c's socket: CA, host name, client certificate or PSK, ALPN... */
int tls_connect(struct conn *c, const struct settings *s, int64_t deadline, int stop_fd);
/* Like conn_raw_read and conn_raw_write, through TLS. */
ssize_t tls_read(struct conn *c, void *buf, size_t n);
ssize_t tls_write(struct conn *c, const void *buf, size_t n);
/* Sends close_notify (without waiting for the answer) and frees the TLS state. */
void tls_free(struct conn *c);
/* "TLS 1.3 TLS_AES_256_GCM_SHA384"; returns its length. */
size_t tls_describe(const struct conn *c, char *buf, size_t cap);

#endif
