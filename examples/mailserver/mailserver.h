/*
 * What the files of the correu-mailserver example share (examples): its
 * options, the set-up helpers (logging, the password file and certificate;
 * random bytes come from examples/common), the listeners, and the
 * discarding backend used for benchmarks.
 */
#ifndef CORREU_EXAMPLE_MAILSERVER_H
#define CORREU_EXAMPLE_MAILSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/os_random.h"
#include "correu/correu.h"

/* The command line (options.c). A port of 0 or an empty socket path turns
 * that listener off. */
struct opts {
	const char *dir, *host, *addr;
	uint32_t port_smtp, port_submission, port_smtps, port_pop3, port_pop3s;
	uint32_t port_lmtp;
	const char *lmtp_socket; /* NULL until parsed: DIR/lmtp.sock */
	char lmtp_socket_buf[4096];
	uint32_t max_messages;   /* per SMTP/LMTP session; 0: the core's default */
	bool discard;            /* MX and LMTP accept everything and keep nothing */
	bool quiet;              /* log warnings and errors only */
};

void ms_parse(int argc, char **argv, struct opts *o);

/* Set-up (setup.c). */
void ms_log(int level, const char *msg, size_t len, void *userdata);
int ms_path(char *out, size_t cap, const char *dir, const char *name);
/* The password file, with a first user (and a printed password) when new. */
int ms_users(const char *dir, correu_passwd **pw);
/* The certificate: the directory's own, or a fresh self-signed one. */
int ms_certificate(const char *dir, const char *host, correu_tls_config **tls);

/* Listeners (listen.c): one TCP port or UNIX socket, announced on stdout as
 * "listening on ... (label)". */
int ms_listen_tcp(correu_server *srv, const char *addr, uint32_t port, uint32_t mode,
                  correu_tls_config *tls, const correu_server_core *core, void *svc,
                  const char *label);
int ms_listen_unix(correu_server *srv, const char *path, const correu_server_core *core,
                   void *svc, const char *label);
int ms_smtp_service(const struct opts *o, correu_store *store, uint32_t mode,
                    correu_smtp_service **out);
int ms_pop3_service(correu_store *store, const char *host, correu_pop3_service **out);

/* A store that accepts every recipient and drops the data (discard.c). */
int ms_discard_store(correu_store **out);

#endif
