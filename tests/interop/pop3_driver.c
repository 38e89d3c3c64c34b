/*
 * pop3_driver: a small command-line client over correu's blocking POP3
 * session, for the interop tests (tests/interop, POP3 layer). It opens one
 * session, logs in with the strongest method the server offers, runs the
 * commands given as arguments in order and prints one line per step, which
 * test_pop3_client.py compares with what the real server holds:
 *
 *   ready tls=1 caps=0x1fef capa=1 sasl=PLAIN SCRAM-SHA-256
 *   login ok
 *   stat 3 1234           list 1 411            uidl 1 000000017ae1c2b8
 *   retr 1 411            top 2 120             dele 1
 *   rset                  quit
 *
 * Commands: stat, list, uidl, retr:N:FILE (the message into FILE),
 * top:N:LINES:FILE, dele:N, rset, quit, drop (end without QUIT, as a
 * crash would), and hwm ("hwm KIB": the process's peak resident set so
 * far, Linux's VmHWM, which counts every allocation, mbedTLS's too). A failed step prints "error STEP CORREU_ERR_NAME TEXT" and
 * the driver exits 1; bad usage exits 2. The password comes from
 * $CORREU_PASSWORD; the login method chosen is logged to standard error.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correu/pop3.h"
#include "driver_args.h"
#include "driver_sink.h"

static int on_list(uint32_t msg, uint64_t size, void *userdata)
{
	(void)userdata;
	printf("list %u %llu\n", msg, (unsigned long long)size);
	return 0;
}

static int on_uidl(uint32_t msg, const char *uid, size_t len, void *userdata)
{
	(void)userdata;
	printf("uidl %u %.*s\n", msg, (int)len, uid);
	return 0;
}

/* retr:N:FILE and top:N:LINES:FILE. */
static int fetch(correu_pop3_session *s, const char *cmd)
{
	unsigned msg = 0, lines = 0;
	char path[1024];
	struct driver_sink c = { -1, 0 };
	int top = strncmp(cmd, "top:", 4) == 0, rc;

	if ((top ? sscanf(cmd, "top:%u:%u:%1023s", &msg, &lines, path) != 3
	         : sscanf(cmd, "retr:%u:%1023s", &msg, path) != 2))
		return CORREU_ERR_ARG;
	c.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (c.fd < 0)
		return CORREU_ERR_IO;
	rc = top ? correu_pop3_session_top(s, msg, lines, driver_sink_write, &c)
	         : correu_pop3_session_retrieve(s, msg, driver_sink_write, &c);
	close(c.fd);
	if (rc == 0)
		printf("%s %u %llu\n", top ? "top" : "retr", msg, c.n);
	return rc;
}

/* hwm: VmHWM from /proc/self/status. */
static int print_hwm(void)
{
	char line[128];
	unsigned long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return CORREU_ERR_IO;
	while (fgets(line, sizeof(line), f) && sscanf(line, "VmHWM: %lu", &kib) != 1)
		;
	fclose(f);
	if (kib == 0)
		return CORREU_ERR_IO;
	printf("hwm %lu\n", kib);
	return 0;
}

static int step(correu_pop3_session *s, const char *cmd)
{
	uint32_t count;
	uint64_t size;
	int rc;

	if (strcmp(cmd, "stat") == 0) {
		rc = correu_pop3_session_stat(s, &count, &size);
		if (rc == 0)
			printf("stat %u %llu\n", count, (unsigned long long)size);
	} else if (strcmp(cmd, "list") == 0)
		rc = correu_pop3_session_list(s, on_list, NULL);
	else if (strcmp(cmd, "uidl") == 0)
		rc = correu_pop3_session_uidl(s, on_uidl, NULL);
	else if (strncmp(cmd, "retr:", 5) == 0 || strncmp(cmd, "top:", 4) == 0)
		rc = fetch(s, cmd);
	else if (strncmp(cmd, "dele:", 5) == 0) {
		rc = correu_pop3_session_delete(s, (uint32_t)strtoul(cmd + 5, NULL, 10));
		if (rc == 0)
			printf("dele %s\n", cmd + 5);
	} else if (strcmp(cmd, "rset") == 0) {
		rc = correu_pop3_session_reset(s);
		if (rc == 0)
			printf("rset\n");
	} else if (strcmp(cmd, "hwm") == 0) {
		rc = print_hwm();
	} else if (strcmp(cmd, "quit") == 0) {
		rc = correu_pop3_session_quit(s);
		if (rc == 0)
			printf("quit\n");
	} else
		rc = CORREU_ERR_ARG;
	return rc;
}

static void report_ready(correu_pop3_session *s)
{
	correu_pop3_client *c = correu_pop3_session_client(s);
	size_t len;
	const char *mechs = correu_pop3_client_sasl_mechs(c, &len);

	printf("ready tls=%d caps=0x%x capa=%d sasl=%.*s\n", correu_pop3_client_is_tls(c),
	       correu_pop3_client_caps(c), correu_pop3_client_has_capa(c), (int)len,
	       mechs ? mechs : "");
}

int main(int argc, char **argv)
{
	static correu_logger logger = { CORREU_LOGGER_VERSION, CORREU_LOG_INFO, driver_log_line,
		                        NULL };
	const char *password = getenv("CORREU_PASSWORD");
	correu_pop3_settings set;
	correu_pop3_session_options o;
	correu_pop3_session *s = NULL;
	correu_tls_config *tls = NULL;
	struct driver_args a;
	const char *text = "", *what = "login";
	int rc, i;

	if (driver_args_parse(argc, argv, true, &a) < 0 || !password)
		return driver_usage("pop3_driver", true);
	setvbuf(stdout, NULL, _IOLBF, 0);
	correu_pop3_settings_init(&set);
	set.tls_policy = a.no_tls ? CORREU_POP3_TLS_NONE : CORREU_POP3_TLS_REQUIRED;
	set.flags = a.plaintext_auth ? CORREU_POP3_ALLOW_PLAINTEXT_AUTH : 0;
	set.logger = &logger;
	correu_pop3_session_options_init(&o);
	o.tls_mode = a.implicit ? CORREU_POP3_SESSION_IMPLICIT : CORREU_POP3_SESSION_STLS;
	o.settings = &set;
	rc = correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &tls);
	if (rc == 0 && a.ca_file)
		rc = correu_tls_config_set_ca_file(tls, a.ca_file);
	o.tls = tls;
	if (rc == 0)
		rc = correu_pop3_session_open(a.host, a.port, &o, &s);
	if (rc < 0) {
		printf("error open %s\n", correu_err_name(rc));
		correu_tls_config_free(tls);
		return 1;
	}
	report_ready(s);
	rc = correu_pop3_session_login(s, a.user, password);
	if (rc == 0)
		printf("login ok\n");
	for (i = optind; rc == 0 && i < argc; i++) {
		what = argv[i];
		if (strcmp(what, "drop") == 0)
			break; /* as a crash: no QUIT, so the server deletes nothing */
		rc = step(s, what);
	}
	if (rc < 0) {
		int ok = correu_pop3_session_last_reply(s, &text, NULL);

		(void)ok; /* the text is "" when there was no reply */
		printf("error %s %s %s\n", what, correu_err_name(rc), text);
	}
	correu_pop3_session_free(s);
	correu_tls_config_free(tls);
	return rc < 0 ? 1 : 0;
}
