/*
 * correu-mailserver: a small mail server that works out of the box. SMTP
 * (an MX, port 2525), submission with STARTTLS (2587) and submission over
 * implicit TLS (2465) deliver into one Maildir per user, under a data
 * directory (./maildata by default) that also holds the password file;
 * POP3 with STLS (1110) and POP3 over implicit TLS (1995) read it.
 * On the first start it creates the directory and a first user, whose
 * password it prints. Without a certificate of its own (cert.pem and
 * key.pem in the directory) it makes a self-signed one at every start and
 * writes it to selfsigned.pem for clients to trust. SIGINT or SIGTERM
 * stops it gracefully. An example program over server.h, smtp_server.h,
 * pop3_server.h and maildir_backend.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correu/correu.h"

#define FIRST_USER "user"
#define PASSWORD_LEN 16

struct opts {
	const char *dir, *host, *addr;
	uint32_t port_smtp, port_submission, port_smtps, port_pop3, port_pop3s;
};

static void usage(void)
{
	fprintf(stderr, "usage: correu-mailserver [-d DIR] [-H HOSTNAME] [-a ADDRESS] [-p PORT]\n"
	                "  -d DIR       data directory (default ./maildata)\n"
	                "  -H HOSTNAME  this server's name (default localhost)\n"
	                "  -a ADDRESS   address to listen on (default 127.0.0.1)\n"
	                "  -p PORT      SMTP port; submission is PORT+62, SMTPS PORT-60\n"
	                "               (default 2525: 2587 and 2465); POP3 is PORT-1415,\n"
	                "               POP3S PORT-530 (default 1110 and 1995)\n");
	exit(2);
}

static int urandom(uint8_t *buf, size_t len, void *userdata)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	(void)userdata;
	if (fd < 0)
		return CORREU_ERR_IO;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return CORREU_ERR_IO;
		}
		got += (size_t)n;
	}
	close(fd);
	return 0;
}

static void log_stderr(int level, const char *msg, size_t len, void *userdata)
{
	static const char *const names[] = { "error", "warn", "info", "debug", "trace" };

	(void)userdata;
	fprintf(stderr, "%s: %.*s\n", names[level < 0 || level > 4 ? 0 : level], (int)len, msg);
}

static int path(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? CORREU_ERR_LIMIT : 0;
}

/* The password file, with a first user (and a printed password) when new. */
static int users(const char *dir, correu_passwd **pw)
{
	static const char alnum[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	char file[4096], password[PASSWORD_LEN + 1];
	uint8_t r[PASSWORD_LEN];
	int rc;

	rc = path(file, sizeof(file), dir, "passwd");
	if (rc == 0)
		rc = correu_passwd_new(NULL, NULL, pw);
	if (rc == 0)
		rc = correu_passwd_load(*pw, file, NULL);
	if (rc != CORREU_ERR_NOT_FOUND)
		return rc;
	rc = urandom(r, sizeof(r), NULL);
	for (size_t i = 0; i < PASSWORD_LEN; i++)
		password[i] = alnum[r[i] % (sizeof(alnum) - 1)]; /* a small bias is fine here */
	password[PASSWORD_LEN] = '\0';
	if (rc == 0)
		rc = correu_passwd_set(*pw, FIRST_USER, strlen(FIRST_USER),
		                       CORREU_SASL_SCRAM_SHA_256, password, PASSWORD_LEN, 0,
		                       urandom, NULL);
	if (rc == 0)
		rc = correu_passwd_save(*pw, file);
	if (rc == 0)
		printf("created user \"%s\" with password \"%s\" in %s\n", FIRST_USER, password,
		       file);
	correu_wipe(password, sizeof(password));
	return rc;
}

/* The certificate: the directory's own, or a fresh self-signed one. */
static int certificate(const char *dir, const char *host, correu_tls_config **tls)
{
	char cert[4096], key[4096], out[4096];
	uint8_t pem[4096];
	size_t len = 0;
	FILE *f;
	int rc;

	rc = correu_tls_config_new(CORREU_TLS_SERVER, NULL, tls);
	if (rc == 0)
		rc = path(cert, sizeof(cert), dir, "cert.pem");
	if (rc == 0)
		rc = path(key, sizeof(key), dir, "key.pem");
	if (rc < 0)
		return rc;
	if (access(cert, R_OK) == 0 && access(key, R_OK) == 0)
		return correu_tls_config_set_cert_file(*tls, cert, key, NULL);
	/* The key cannot be exported, so a new pair is made at every start. */
	rc = correu_tls_config_set_self_signed(*tls, host, 365, pem, sizeof(pem), &len);
	if (rc == 0)
		rc = path(out, sizeof(out), dir, "selfsigned.pem");
	if (rc < 0)
		return rc;
	f = fopen(out, "wb");
	if (!f || fwrite(pem, 1, len, f) != len || fclose(f) != 0)
		return CORREU_ERR_IO;
	printf("self-signed certificate for %s written to %s\n", host, out);
	return 0;
}

static int service(correu_store *store, const char *host, uint32_t mode, correu_smtp_service **out)
{
	correu_smtp_server_settings set;
	int rc = correu_smtp_server_settings_init(&set);

	set.mode = mode;
	set.hostname = host;
	set.random = urandom;
	return rc < 0 ? rc : correu_smtp_service_new(&set, store, NULL, out);
}

static int pop3_service(correu_store *store, const char *host, correu_pop3_service **out)
{
	correu_pop3_server_settings set;
	int rc = correu_pop3_server_settings_init(&set);

	set.hostname = host;
	set.random = urandom;
	return rc < 0 ? rc : correu_pop3_service_new(&set, store, NULL, out);
}

static int listen_on(correu_server *srv, const struct opts *o, uint32_t mode, uint32_t port,
                     correu_tls_config *tls, const correu_server_core *core, void *svc)
{
	correu_server_listen_cfg l = { .version = CORREU_SERVER_LISTEN_VERSION };
	uint32_t bound = 0;
	int rc;

	l.mode = mode;
	l.port = port;
	l.host = o->addr;
	l.tls = tls;
	l.core = core;
	l.core_userdata = svc;
	rc = correu_server_listen(srv, &l, &bound);
	if (rc == 0)
		printf("listening on %s port %u (%s)\n", o->addr, (unsigned)bound,
		       mode == CORREU_SERVER_LISTEN_TLS ? "implicit TLS" : "STARTTLS");
	return rc;
}

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	o->dir = "./maildata";
	o->host = "localhost";
	o->addr = "127.0.0.1";
	o->port_smtp = 2525;
	while ((c = getopt(argc, argv, "d:H:a:p:")) != -1) {
		if (c == 'd')
			o->dir = optarg;
		else if (c == 'H')
			o->host = optarg;
		else if (c == 'a')
			o->addr = optarg;
		else if (c == 'p' && atoi(optarg) > 1415 && atoi(optarg) < 65473)
			o->port_smtp = (uint32_t)atoi(optarg);
		else
			usage();
	}
	if (optind != argc)
		usage();
	o->port_submission = o->port_smtp + 62;
	o->port_smtps = o->port_smtp - 60;
	o->port_pop3 = o->port_smtp - 1415;
	o->port_pop3s = o->port_smtp - 530;
}

int main(int argc, char **argv)
{
	const correu_logger logger = { CORREU_LOGGER_VERSION, CORREU_LOG_INFO, log_stderr, NULL };
	correu_maildir_backend_config mcfg = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION };
	correu_store_backend table;
	correu_passwd *pw = NULL;
	correu_maildir_backend *mb = NULL;
	correu_store *store = NULL;
	correu_tls_config *tls = NULL;
	correu_smtp_service *mx = NULL, *sub = NULL;
	correu_pop3_service *pop = NULL;
	const correu_server_core *smtp = correu_smtp_server_core();
	const correu_server_core *pop3 = correu_pop3_server_core();
	correu_server *srv = NULL;
	char root[4096];
	struct opts o;
	int rc;

	parse(argc, argv, &o);
	if (mkdir(o.dir, 0700) < 0 && errno != EEXIST) {
		perror(o.dir);
		return 1;
	}
	rc = users(o.dir, &pw);
	if (rc == 0)
		rc = path(root, sizeof(root), o.dir, "mail/%u/Maildir");
	mcfg.root = root;
	mcfg.users = pw;
	if (rc == 0)
		rc = correu_maildir_backend_new(&mcfg, NULL, &logger, &mb);
	if (rc == 0)
		rc = correu_maildir_backend_table(mb, &table);
	if (rc == 0)
		rc = correu_store_new(&table, mb, NULL, NULL, &store);
	if (rc == 0)
		rc = certificate(o.dir, o.host, &tls);
	if (rc == 0)
		rc = service(store, o.host, CORREU_SMTP_SERVER_MX, &mx);
	if (rc == 0)
		rc = service(store, o.host, CORREU_SMTP_SERVER_SUBMISSION, &sub);
	if (rc == 0)
		rc = pop3_service(store, o.host, &pop);
	if (rc == 0)
		rc = correu_server_new(NULL, NULL, &srv);
	if (rc == 0)
		rc = correu_server_set_logger(srv, &logger);
	if (rc == 0)
		rc = listen_on(srv, &o, CORREU_SERVER_LISTEN_STARTTLS, o.port_smtp, tls, smtp, mx);
	if (rc == 0)
		rc = listen_on(srv, &o, CORREU_SERVER_LISTEN_STARTTLS, o.port_submission, tls, smtp,
		               sub);
	if (rc == 0)
		rc = listen_on(srv, &o, CORREU_SERVER_LISTEN_TLS, o.port_smtps, tls, smtp, sub);
	if (rc == 0)
		rc = listen_on(srv, &o, CORREU_SERVER_LISTEN_STARTTLS, o.port_pop3, tls, pop3, pop);
	if (rc == 0)
		rc = listen_on(srv, &o, CORREU_SERVER_LISTEN_TLS, o.port_pop3s, tls, pop3, pop);
	if (rc == 0)
		rc = correu_server_catch_signals(srv);
	if (rc == 0) {
		fflush(stdout);
		rc = correu_server_run(srv);
	}
	if (rc < 0)
		fprintf(stderr, "correu-mailserver: %s\n", correu_strerror(rc));
	/* In reverse order: connections, then what they used. */
	correu_server_free(srv);
	correu_pop3_service_free(pop);
	correu_smtp_service_free(sub);
	correu_smtp_service_free(mx);
	correu_tls_config_free(tls);
	correu_store_free(store);
	correu_maildir_backend_free(mb);
	correu_passwd_free(pw);
	return rc < 0;
}
