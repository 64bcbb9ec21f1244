/* proxies.h: real proxies for the integration tests, each with the login pxuser/pxpass. */
#ifndef MQSCOPE_TEST_PROXIES_H
#define MQSCOPE_TEST_PROXIES_H

#include <stdio.h>
#include <unistd.h>

#include "mqscope/broker.h"
#include "mqscope/settings.h"

/*
 * Starts a SOCKS5 proxy (microsocks) or an HTTP CONNECT proxy (tinyproxy, its config written
 * into dir) on 127.0.0.1:port; its PID, or -1 when the program is not installed (tests/deps.sh).
 */
static inline pid_t proxy_spawn(int kind, int port, const char *dir)
{
	char portbuf[16], conf[256];
	char *socks[] = {"/usr/bin/microsocks",
	                 "-i",
	                 "127.0.0.1",
	                 "-p",
	                 portbuf,
	                 "-u",
	                 "pxuser",
	                 "-P",
	                 "pxpass",
	                 NULL};
	char *http[] = {"/usr/bin/tinyproxy", "-d", "-c", conf, NULL};
	FILE *fp;

	snprintf(portbuf, sizeof(portbuf), "%d", port);
	if (kind == PROXY_SOCKS5)
		return access(socks[0], X_OK) == 0 ? spawn_quiet(socks) : -1;
	snprintf(conf, sizeof(conf), "%s/tinyproxy-%d.conf", dir, port);
	fp = fopen(conf, "w");
	if (fp == NULL || access(http[0], X_OK) != 0) {
		if (fp)
			fclose(fp);
		return -1;
	}
	fprintf(fp,
	        "Port %d\nListen 127.0.0.1\nAllow 127.0.0.1\nBasicAuth pxuser pxpass\n"
	        "Timeout 60\nLogLevel Critical\n",
	        port);
	fclose(fp);
	return spawn_quiet(http);
}

/* Settings that go through the proxy of kind on 127.0.0.1:port, with its login. */
static inline void proxy_use(struct settings *s, int kind, int port)
{
	settings_set_str(&s->proxy_host, "127.0.0.1");
	s->proxy_port = port;
	s->proxy_kind = kind;
	settings_set_str(&s->proxy_user, "pxuser");
	settings_set_str(&s->proxy_password, "pxpass");
}

#endif
