/*
 * A scripted server on a thread for the tests of the blocking POP3 and
 * IMAP sessions (test support): it plays a script of lines against one
 * client, over a socket pair or on a loopback listener, and keeps the
 * first way the client strayed from it. Script steps: "S:text" sends
 * text and CRLF, "C:text" expects the line text from the client, "TLS"
 * starts TLS as the server, "WAIT" reads until the client closes,
 * "SLEEP" waits 300 ms.
 */
#ifndef CORREU_TEST_SCRIPT_PEER_H
#define CORREU_TEST_SCRIPT_PEER_H

#include <pthread.h>
#include <stdbool.h>

#include "correu/transport.h"

struct script_peer {
	const char *const *script;     /* NULL-terminated */
	int fd;                        /* the socket served when no listener */
	correu_tcp_listener *listener; /* else the first connection to it */
	const correu_tls_config *tls;  /* the server's, for "TLS" */
	char failure[4200];            /* the first failure, "" while none */
	pthread_t thread;
};

/*
 * Serve script (borrowed until the peer is joined) on one end of a
 * socket pair, with script_peer_server_tls for "TLS"; *client_out is the
 * other end, a transport made with allocator a (NULL: libc), which
 * starts TLS at once with script_peer_client_tls when `implicit` (as a
 * session with implicit TLS wants it). Returns 0, or
 * correu_tcp_from_fd()'s error when an allocation failed (the descriptor
 * is then closed, which ends the script).
 */
int script_peer_pair(struct script_peer *p, const char *const *script, const correu_allocator *a,
                     bool implicit, correu_transport **client_out);

/* Serve script to the first connection to a new listener on 127.0.0.1;
 * returns its port. */
uint16_t script_peer_listen(struct script_peer *p, const char *const *script);

/* Wait for the server to end its script (or see the client close) and
 * free the listener. */
void script_peer_join(struct script_peer *p);

/* script_peer_join(), then assert that the client followed the script. */
void script_peer_finish(struct script_peer *p);

/* An allocation-failure scenario: start a session over t (taken over)
 * with every allocation from a, run its jobs and free it; 0 or the
 * first error. */
typedef int (*script_peer_scenario)(correu_transport *t, const correu_allocator *a);

/* failalloc_loop() (max rounds) over scenario, each round against a new
 * server playing script, the client's transport made with the failing
 * allocator too; returns the loop's result. */
long script_peer_failalloc(const char *const *script, script_peer_scenario scenario, long max);

/* For the tests whose .init is script_peer_tls_init and .fini
 * script_peer_tls_fini: a server configuration with a self-signed
 * certificate for "localhost", and a client configuration that trusts
 * it. The init skips the test in a build without TLS. */
extern correu_tls_config *script_peer_server_tls, *script_peer_client_tls;
void script_peer_tls_init(void);
void script_peer_tls_fini(void);

/* A SCRAM nonce source that always gives the same bytes, so that the
 * scripts can spell out the exchange (a correu_sasl_random_fn). */
int script_peer_random(uint8_t *buf, size_t len, void *userdata);

#endif
