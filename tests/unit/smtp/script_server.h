/*
 * A scripted SMTP server on a loopback thread for the blocking session's
 * tests: script lines "S text" (send text CRLF), "C text" (expect that
 * line), "D" (read a body up to "."), "T" (STARTTLS handshake), "W ms"
 * (wait). The first mismatch is kept in `fail`; finish() asserts none.
 */
#ifndef CORREU_TEST_SCRIPT_SERVER_H
#define CORREU_TEST_SCRIPT_SERVER_H

#include <pthread.h>
#include <stddef.h>

#include "correu/transport.h"

struct server {
	correu_tcp_listener *l;
	int port;
	const char *const *script;
	correu_tls_config *tls;
	int implicit;
	char fail[512]; /* first mismatch, "" when none */
	char body[8192];
	size_t body_len;
	pthread_t th;
	/* reading */
	correu_transport *t;
	char in[8192];
	size_t in_len;
};

/* Listen on 127.0.0.1 and serve the script on a thread; tls: make a
 * self-signed certificate for "T" or implicit TLS. */
void start(struct server *sv, const char *const *script, int tls, int implicit);
/* Join the thread and assert that the script ran as written. */
void finish(struct server *sv);
/* A client TLS configuration that trusts the server's certificate. */
correu_tls_config *client_tls(void);

#endif
