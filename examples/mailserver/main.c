/*
 * correu-mailserver: a small mail server that works out of the box
 * (examples). SMTP (an MX, port 2525), submission with STARTTLS (2587) and
 * submission over implicit TLS (2465) deliver into one Maildir per user,
 * under a data directory (./maildata by default) that also holds the
 * password file; so does LMTP (RFC 2033), for a local MTA, on port 2424
 * and on the UNIX socket DIR/lmtp.sock. POP3 with STLS (1110) and POP3
 * over implicit TLS (1995) read it. On the first start it creates the
 * directory and a first user, whose password it prints. Without a
 * certificate of its own (cert.pem and key.pem in the directory) it makes
 * a self-signed one at every start and writes it to selfsigned.pem for
 * clients to trust. SIGINT or SIGTERM stops it gracefully. With --discard
 * SMTP and LMTP keep nothing, for benchmarks. An example program over
 * server.h, smtp_server.h, pop3_server.h and maildir_backend.h.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "mailserver.h"

/* Everything the server is made of, freed in reverse order. */
struct parts {
	correu_passwd *pw;
	correu_maildir_backend *mb;
	correu_store *store;   /* the Maildirs */
	correu_store *discard; /* --discard only */
	correu_tls_config *tls;
	correu_smtp_service *mx, *sub, *lmtp;
	correu_pop3_service *pop;
	correu_server *srv;
};

/* Delivery commits run on this many threads, so that the fsyncs of
 * concurrent deliveries overlap (maildir_backend.h). */
#define COMMIT_THREADS 8

/* From a commit worker: have the loop answer what it finished. The loop
 * exists before the first delivery reaches a worker. */
static int wake_loop(void *userdata)
{
	struct parts *p = userdata;

	return correu_server_notify(p->srv);
}

static int open_store(const struct opts *o, const correu_logger *lg, struct parts *p)
{
	correu_maildir_backend_config mcfg = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION };
	correu_store_backend table;
	char root[4096];
	int rc = ms_users(o->dir, &p->pw);

	if (rc == 0)
		rc = ms_path(root, sizeof(root), o->dir, "mail/%u/Maildir");
	mcfg.root = root;
	mcfg.users = p->pw;
	mcfg.commit_threads = COMMIT_THREADS;
	mcfg.wake = wake_loop;
	mcfg.wake_userdata = p;
	if (rc == 0)
		rc = correu_maildir_backend_new(&mcfg, NULL, lg, &p->mb);
	if (rc == 0)
		rc = correu_maildir_backend_table(p->mb, &table);
	if (rc == 0)
		rc = correu_store_new(&table, p->mb, NULL, NULL, &p->store);
	if (rc == 0 && o->discard)
		rc = ms_discard_store(&p->discard);
	return rc;
}

static int open_services(const struct opts *o, struct parts *p)
{
	/* Mail from outside (MX) and from a local MTA (LMTP) goes where
	 * --discard says; submission needs the password file either way. */
	correu_store *inbound = o->discard ? p->discard : p->store;
	int rc = ms_certificate(o->dir, o->host, &p->tls);

	if (rc == 0)
		rc = ms_smtp_service(o, inbound, CORREU_SMTP_SERVER_MX, &p->mx);
	if (rc == 0)
		rc = ms_smtp_service(o, p->store, CORREU_SMTP_SERVER_SUBMISSION, &p->sub);
	if (rc == 0)
		rc = ms_smtp_service(o, inbound, CORREU_SMTP_SERVER_LMTP, &p->lmtp);
	if (rc == 0)
		rc = ms_pop3_service(p->store, o->host, &p->pop);
	return rc;
}

static int open_listeners(const struct opts *o, struct parts *p)
{
	const correu_server_core *smtp = correu_smtp_server_core();
	const correu_server_core *pop3 = correu_pop3_server_core();
	const uint32_t starttls = CORREU_SERVER_LISTEN_STARTTLS, tls = CORREU_SERVER_LISTEN_TLS;
	int rc;

	rc = ms_listen_tcp(p->srv, o->addr, o->port_smtp, starttls, p->tls, smtp, p->mx,
	                   "STARTTLS");
	if (rc == 0)
		rc = ms_listen_tcp(p->srv, o->addr, o->port_submission, starttls, p->tls, smtp,
		                   p->sub, "STARTTLS");
	if (rc == 0)
		rc = ms_listen_tcp(p->srv, o->addr, o->port_smtps, tls, p->tls, smtp, p->sub,
		                   "implicit TLS");
	if (rc == 0)
		rc = ms_listen_tcp(p->srv, o->addr, o->port_pop3, starttls, p->tls, pop3, p->pop,
		                   "STARTTLS");
	if (rc == 0)
		rc = ms_listen_tcp(p->srv, o->addr, o->port_pop3s, tls, p->tls, pop3, p->pop,
		                   "implicit TLS");
	/* LMTP has no STARTTLS here: its clients are on this host. */
	if (rc == 0 && o->port_lmtp)
		rc = ms_listen_tcp(p->srv, o->addr, o->port_lmtp, CORREU_SERVER_LISTEN_PLAIN, NULL,
		                   smtp, p->lmtp, "LMTP");
	if (rc == 0 && o->lmtp_socket[0])
		rc = ms_listen_unix(p->srv, o->lmtp_socket, smtp, p->lmtp, "LMTP");
	return rc;
}

int main(int argc, char **argv)
{
	correu_logger logger = { CORREU_LOGGER_VERSION, CORREU_LOG_INFO, ms_log, NULL };
	struct parts p = { 0 };
	struct opts o = { 0 };
	int rc;

	ms_parse(argc, argv, &o);
	if (o.quiet)
		logger.max_level = CORREU_LOG_WARN;
	if (mkdir(o.dir, 0700) < 0 && errno != EEXIST) {
		perror(o.dir);
		return 1;
	}
	rc = open_store(&o, &logger, &p);
	if (rc == 0)
		rc = open_services(&o, &p);
	if (rc == 0)
		rc = correu_server_new(NULL, NULL, &p.srv);
	if (rc == 0)
		rc = correu_server_set_logger(p.srv, &logger);
	if (rc == 0)
		rc = correu_server_set_notify(p.srv, correu_maildir_backend_dispatch_hook, p.mb);
	if (rc == 0)
		rc = open_listeners(&o, &p);
	if (rc == 0)
		rc = correu_server_catch_signals(p.srv);
	if (rc == 0) {
		if (o.discard)
			printf("discarding: SMTP and LMTP keep nothing\n");
		fflush(stdout);
		rc = correu_server_run(p.srv);
	}
	if (rc < 0)
		fprintf(stderr, "correu-mailserver: %s\n", correu_strerror(rc));
	/* In reverse order: connections and listeners (the socket file goes
	 * with them), then what they used. */
	correu_server_free(p.srv);
	correu_pop3_service_free(p.pop);
	correu_smtp_service_free(p.lmtp);
	correu_smtp_service_free(p.sub);
	correu_smtp_service_free(p.mx);
	correu_tls_config_free(p.tls);
	correu_store_free(p.discard);
	correu_store_free(p.store);
	correu_maildir_backend_free(p.mb);
	correu_passwd_free(p.pw);
	return rc < 0;
}
