/*
 * pop3_pipeline: the POP3 client core driven directly, without the
 * session, for the interop tests (tests/interop, POP3 layer). Over plain
 * TCP it logs in with USER/PASS and, as soon as the core is ready, queues
 * every command given on the command line at once; with PIPELINING
 * offered (RFC 2449 §6.6) they leave together. It prints what the events
 * say, which test_pop3_client.py compares with Dovecot and with the bytes
 * a relay saw:
 *
 *   reply STAT +OK 3 1234     item LIST 1 411     item UIDL 1 000000017ae1c2b8
 *   body RETR 2 411           reply DELE +OK      closed
 *
 * Commands: stat, list, uidl, retr:N, top:N:LINES, dele:N, noop, quit.
 * Exits 0 when the server closed after QUIT, 1 on an error, 2 on bad usage.
 * The password comes from $CORREU_PASSWORD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correu/pop3.h"

struct run {
	correu_pop3_client *c;
	int argc, ready, closed;
	char **argv;
	const char *user, *password;
	unsigned long long body;
};

static const char *name(uint32_t cmd)
{
	static const char *const names[] = { "?",    "GREETING", "CAPA", "STLS", "USER", "PASS",
		                             "APOP", "AUTH",     "STAT", "LIST", "UIDL", "RETR",
		                             "TOP",  "DELE",     "RSET", "NOOP", "QUIT", "UTF8" };

	return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "?";
}

static int queue(struct run *r, const char *cmd)
{
	unsigned n = 0, m = 0;

	if (strcmp(cmd, "stat") == 0)
		return correu_pop3_client_stat(r->c);
	if (strcmp(cmd, "list") == 0)
		return correu_pop3_client_list(r->c, 0);
	if (strcmp(cmd, "uidl") == 0)
		return correu_pop3_client_uidl(r->c, 0);
	if (strcmp(cmd, "noop") == 0)
		return correu_pop3_client_noop(r->c);
	if (strcmp(cmd, "quit") == 0)
		return correu_pop3_client_quit(r->c);
	if (sscanf(cmd, "retr:%u", &n) == 1)
		return correu_pop3_client_retr(r->c, n);
	if (sscanf(cmd, "top:%u:%u", &n, &m) == 2)
		return correu_pop3_client_top(r->c, n, m);
	if (sscanf(cmd, "dele:%u", &n) == 1)
		return correu_pop3_client_dele(r->c, n);
	return CORREU_ERR_ARG;
}

static int on_event(const correu_pop3_event *ev, void *userdata)
{
	struct run *r = userdata;

	switch (ev->type) {
	case CORREU_POP3_EV_READY: r->ready = 1; break;
	case CORREU_POP3_EV_REPLY:
		printf("reply %s %s %.*s\n", name(ev->command), ev->ok ? "+OK" : "-ERR",
		       (int)ev->text_len, ev->text);
		break;
	case CORREU_POP3_EV_ITEM:
		if (ev->command == CORREU_POP3_CMD_LIST)
			printf("item LIST %u %llu\n", ev->msg, (unsigned long long)ev->size);
		else
			printf("item UIDL %u %.*s\n", ev->msg, (int)ev->text_len, ev->text);
		break;
	case CORREU_POP3_EV_BODY: r->body += ev->data_len; break;
	case CORREU_POP3_EV_END:
		if (ev->command == CORREU_POP3_CMD_RETR || ev->command == CORREU_POP3_CMD_TOP)
			printf("body %s %u %llu\n", name(ev->command), ev->msg, r->body);
		r->body = 0;
		break;
	case CORREU_POP3_EV_CLOSED: r->closed = 1; break;
	case CORREU_POP3_EV_ERROR:
		printf("error %s %.*s\n", correu_err_name(ev->error), (int)ev->text_len, ev->text);
		break;
	default: break;
	}
	return 0;
}

/* After READY, from outside the callback: the login and every command. */
static int queue_all(struct run *r)
{
	int rc = correu_pop3_client_user(r->c, r->user, strlen(r->user), r->password,
	                                 strlen(r->password));

	for (int i = 0; rc == 0 && i < r->argc; i++)
		rc = queue(r, r->argv[i]);
	return rc;
}

/* One round: write what is pending, else read, waiting at most until the
 * core's deadline. */
static int io(struct run *r, correu_transport *t, uint8_t *buf, size_t cap)
{
	size_t len;
	const uint8_t *out = correu_pop3_client_send_buf(r->c, &len);
	correu_ssize n;

	if (out) {
		n = correu_transport_send(t, out, len);
		if (n > 0)
			return correu_pop3_client_send_ack(r->c, (size_t)n);
		if (n != CORREU_ERR_WANT_WRITE)
			return (int)n;
		return correu_transport_wait(t, CORREU_WAIT_WRITE, 10000) < 0 ? CORREU_ERR_TIMEOUT
		                                                              : 0;
	}
	n = correu_transport_recv(t, buf, cap);
	if (n > 0)
		return (int)correu_pop3_client_recv(r->c, buf, (size_t)n, 0) < 0 ? -1 : 0;
	if (n == CORREU_ERR_EOF)
		return correu_pop3_client_eof(r->c);
	if (n != CORREU_ERR_WANT_READ)
		return (int)n;
	return correu_transport_wait(t, CORREU_WAIT_READ, 10000) < 0 ? CORREU_ERR_TIMEOUT : 0;
}

int main(int argc, char **argv)
{
	struct run r;
	correu_pop3_settings set;
	correu_transport *t = NULL;
	uint8_t buf[8192];
	int rc;

	memset(&r, 0, sizeof(r));
	r.password = getenv("CORREU_PASSWORD");
	if (argc < 5 || !r.password) {
		fputs("usage: pop3_pipeline HOST PORT USER COMMAND...\n", stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	r.user = argv[3];
	r.argc = argc - 4;
	r.argv = argv + 4;
	correu_pop3_settings_init(&set);
	set.tls_policy = CORREU_POP3_TLS_NONE;
	set.flags = CORREU_POP3_ALLOW_PLAINTEXT_AUTH;
	set.on_event = on_event;
	set.event_userdata = &r;
	rc = correu_pop3_client_new(&set, &r.c);
	if (rc == 0)
		rc = correu_tcp_connect(argv[1], (uint16_t)atoi(argv[2]), 10000, NULL, &t);
	while (rc == 0 && !r.closed) {
		if (r.ready == 1) {
			r.ready = 2;
			rc = queue_all(&r);
		}
		if (rc == 0)
			rc = io(&r, t, buf, sizeof(buf));
	}
	if (rc < 0)
		printf("failed %s\n",
		       correu_err_name(correu_pop3_client_error(r.c) ? correu_pop3_client_error(r.c)
		                                                     : rc));
	correu_pop3_client_free(r.c);
	correu_transport_free(t);
	return rc < 0 ? 1 : 0;
}
