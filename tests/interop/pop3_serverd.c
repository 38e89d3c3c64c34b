/*
 * pop3_serverd: correu's POP3 server core on the real server runtime, with
 * the default backend (Maildir + password file), for the interop tests of
 * the POP3 server (tests/interop/test_pop3_server.py). It listens on
 * 127.0.0.1 on two ephemeral ports, one plain with STLS and one implicit
 * TLS, writes "PLAIN TLS\n" to the port file once both listen, and serves
 * until SIGTERM or SIGINT (a graceful stop).
 *
 *   pop3_serverd --root DIR/%u/Maildir --cert C --key K --port-file F
 *                [--user NAME:PASSWORD]... [--plaintext-auth]
 *
 * Users get SCRAM-SHA-256 keys in an in-memory password file. Exit status
 * 0 after a stop, 1 on a setup error, 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/os_random.h"
#include "correu/maildir_backend.h"
#include "correu/passwd.h"
#include "correu/pop3_server.h"
#include "correu/server.h"

#define MAX_USERS 8

static void log_line(int level, const char *msg, size_t len, void *userdata)
{
	(void)userdata;
	fprintf(stderr, "pop3_serverd[%d]: %.*s\n", level, (int)len, msg);
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "pop3_serverd: %s: %s\n", what, correu_strerror(rc));
	return 1;
}

struct opts {
	const char *root, *cert, *key, *port_file;
	const char *users[MAX_USERS];
	int nusers;
	int plaintext;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "port-file", required_argument, NULL, 'f' },
		{ "user", required_argument, NULL, 'u' },
		{ "plaintext-auth", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 'r': o->root = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'k': o->key = optarg; break;
		case 'f': o->port_file = optarg; break;
		case 'P': o->plaintext = 1; break;
		case 'u':
			if (o->nusers == MAX_USERS || !strchr(optarg, ':'))
				return -1;
			o->users[o->nusers++] = optarg;
			break;
		default: return -1;
		}
	}
	return o->root && o->cert && o->key && o->port_file ? 0 : -1;
}

static int add_users(correu_passwd *pw, const struct opts *o)
{
	for (int i = 0; i < o->nusers; i++) {
		const char *colon = strchr(o->users[i], ':');
		int rc = correu_passwd_set(pw, o->users[i], (size_t)(colon - o->users[i]),
		                           CORREU_SASL_SCRAM_SHA_256, colon + 1, strlen(colon + 1),
		                           4096, ex_os_random, NULL);

		if (rc < 0)
			return rc;
	}
	return 0;
}

static int write_ports(const char *path, uint32_t plain, uint32_t tls)
{
	char tmp[4096];
	FILE *f;

	/* Written whole, then renamed: the test never reads half a file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return CORREU_ERR_IO;
	fprintf(f, "%u %u\n", (unsigned)plain, (unsigned)tls);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return CORREU_ERR_IO;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	correu_passwd *pw = NULL;
	correu_maildir_backend *mb = NULL;
	correu_store_backend table;
	correu_store *store = NULL;
	correu_pop3_server_settings set;
	correu_pop3_service *svc = NULL;
	correu_tls_config *tls = NULL;
	correu_server *srv = NULL;
	correu_server_settings ss;
	correu_logger lg = { .version = CORREU_LOGGER_VERSION, .max_level = CORREU_LOG_INFO,
		             .fn = log_line };
	correu_maildir_backend_config mc = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION };
	correu_server_listen_cfg lc = { .version = CORREU_SERVER_LISTEN_VERSION };
	uint32_t port_plain = 0, port_tls = 0;
	int rc;

	if (parse(argc, argv, &o) < 0) {
		fputs("usage: pop3_serverd --root DIR/%u/Maildir --cert C --key K --port-file F\n"
		      "         [--user NAME:PASSWORD]... [--plaintext-auth]\n",
		      stderr);
		return 2;
	}
	if ((rc = correu_passwd_new(NULL, NULL, &pw)) < 0 || (rc = add_users(pw, &o)) < 0)
		return fail("password file", rc);
	mc.root = o.root;
	mc.users = pw;
	if ((rc = correu_maildir_backend_new(&mc, NULL, &lg, &mb)) < 0 ||
	    (rc = correu_maildir_backend_table(mb, &table)) < 0 ||
	    (rc = correu_store_new(&table, mb, NULL, NULL, &store)) < 0)
		return fail("backend", rc);
	if ((rc = correu_pop3_server_settings_init(&set)) < 0)
		return fail("settings", rc);
	set.hostname = "localhost";
	set.implementation = "correu interop";
	set.random = ex_os_random;
	if (o.plaintext)
		set.flags |= CORREU_POP3_SERVER_PLAINTEXT_AUTH;
	if ((rc = correu_pop3_service_new(&set, store, NULL, &svc)) < 0)
		return fail("service", rc);
	if ((rc = correu_tls_config_new(CORREU_TLS_SERVER, NULL, &tls)) < 0 ||
	    (rc = correu_tls_config_set_cert_file(tls, o.cert, o.key, NULL)) < 0)
		return fail("TLS", rc);
	if ((rc = correu_server_settings_init(&ss)) < 0)
		return fail("server settings", rc);
	/* The tests make wrong logins on purpose; keep the back-off short. */
	ss.auth_delay_initial_ms = 50;
	ss.auth_delay_max_ms = 100;
	ss.shutdown_grace_ms = 2000;
	if ((rc = correu_server_new(&ss, NULL, &srv)) < 0 ||
	    (rc = correu_server_set_logger(srv, &lg)) < 0)
		return fail("server", rc);
	lc.host = "127.0.0.1";
	lc.tls = tls;
	lc.core = correu_pop3_server_core();
	lc.core_userdata = svc;
	lc.mode = CORREU_SERVER_LISTEN_STARTTLS;
	if ((rc = correu_server_listen(srv, &lc, &port_plain)) < 0)
		return fail("listen (STLS)", rc);
	lc.mode = CORREU_SERVER_LISTEN_TLS;
	if ((rc = correu_server_listen(srv, &lc, &port_tls)) < 0)
		return fail("listen (TLS)", rc);
	if ((rc = correu_server_catch_signals(srv)) < 0 ||
	    (rc = write_ports(o.port_file, port_plain, port_tls)) < 0)
		return fail("start", rc);
	rc = correu_server_run(srv);
	correu_server_free(srv);
	correu_tls_config_free(tls);
	correu_pop3_service_free(svc);
	correu_store_free(store);
	correu_maildir_backend_free(mb);
	correu_passwd_free(pw);
	return rc < 0 ? fail("run", rc) : 0;
}
