/*
 * The services and listeners of the correu-mailserver example (examples):
 * an SMTP service per mode (MX, submission, LMTP) and a POP3 service over
 * one store, and the TCP ports and the UNIX socket they listen on. Each
 * listener is announced on stdout, which the tests and the demo wait for.
 */
#include <stdio.h>

#include "mailserver.h"

/* LMTP clients are local MTAs of the same user (or root); the socket is
 * the owner's only, as the runtime's default keeps it. */
#define LMTP_SOCKET_PERMS 0600

int ms_smtp_service(const struct opts *o, correu_store *store, uint32_t mode,
                    correu_smtp_service **out)
{
	correu_smtp_server_settings set;
	int rc = correu_smtp_server_settings_init(&set);

	set.mode = mode;
	set.hostname = o->host;
	if (o->max_messages)
		set.max_transactions = o->max_messages;
	set.random = ex_os_random;
	return rc < 0 ? rc : correu_smtp_service_new(&set, store, NULL, out);
}

int ms_pop3_service(correu_store *store, const char *host, correu_pop3_service **out)
{
	correu_pop3_server_settings set;
	int rc = correu_pop3_server_settings_init(&set);

	set.hostname = host;
	set.random = ex_os_random;
	return rc < 0 ? rc : correu_pop3_service_new(&set, store, NULL, out);
}

/* Say what was opened, or why not. */
static int announce(int rc, const char *where, const char *label)
{
	if (rc == 0)
		printf("listening on %s (%s)\n", where, label);
	else
		fprintf(stderr, "correu-mailserver: %s: %s\n", where, correu_strerror(rc));
	return rc;
}

int ms_listen_tcp(correu_server *srv, const char *addr, uint32_t port, uint32_t mode,
                  correu_tls_config *tls, const correu_server_core *core, void *svc,
                  const char *label)
{
	correu_server_listen_cfg l = { .version = CORREU_SERVER_LISTEN_VERSION };
	uint32_t bound = port;
	char where[300];
	int rc;

	l.mode = mode;
	l.port = port;
	l.host = addr;
	l.tls = tls;
	l.core = core;
	l.core_userdata = svc;
	rc = correu_server_listen(srv, &l, &bound);
	snprintf(where, sizeof(where), "%.255s port %u", addr, (unsigned)bound);
	return announce(rc, where, label);
}

int ms_listen_unix(correu_server *srv, const char *path, const correu_server_core *core,
                   void *svc, const char *label)
{
	correu_server_unix_cfg u = { .version = CORREU_SERVER_UNIX_VERSION };

	u.mode = CORREU_SERVER_LISTEN_PLAIN;
	u.perms = LMTP_SOCKET_PERMS;
	u.path = path;
	u.core = core;
	u.core_userdata = svc;
	return announce(correu_server_listen_unix(srv, &u), path, label);
}
