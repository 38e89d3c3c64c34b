/*
 * The blocking IMAP session against a scripted server in a thread: over
 * a socket pair for STARTTLS and implicit TLS (self-signed certificate),
 * and over 127.0.0.1 for correu_imap_session_open(). Every job (list,
 * select, search, fetch to a callback and to a descriptor, store, move,
 * expunge, append from a descriptor, idle with news and with a timeout,
 * logout), the PREAUTH downgrade refusal, a refused login and a silent
 * server that times out.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "correu/imap.h"
#include "failalloc.h"

/* A script: "S:text" sends text CRLF, "C:text" expects the line text,
 * "TLS" starts TLS as the server, "WAIT" reads until the client closes,
 * "SLEEP" waits 300 ms. */
struct server {
	const char *const *script;
	int fd;
	correu_tcp_listener *listener;
	const correu_tls_config *tls;
	char failure[4200];
	pthread_t thread;
};

static int wait_io(correu_transport *t, correu_ssize rc)
{
	if (rc != CORREU_ERR_WANT_READ && rc != CORREU_ERR_WANT_WRITE)
		return (int)rc;
	return correu_transport_wait(
		       t, rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE, 5000) <
	                       0
	               ? CORREU_ERR_TIMEOUT
	               : 0;
}

static int send_all(correu_transport *t, const char *p, size_t n)
{
	while (n > 0) {
		correu_ssize k = correu_transport_send(t, (const uint8_t *)p, n);
		int rc;

		if (k > 0) {
			p += k;
			n -= (size_t)k;
		} else if ((rc = wait_io(t, k)) < 0)
			return rc;
	}
	return 0;
}

/* One line without CRLF, byte by byte so that nothing after it is
 * consumed (a TLS upgrade may follow). */
static int read_line(correu_transport *t, char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		uint8_t ch;
		correu_ssize k = correu_transport_recv(t, &ch, 1);
		int rc;

		if (k == 1) {
			if (ch == '\n' && n > 0 && buf[n - 1] == '\r') {
				buf[n - 1] = '\0';
				return 0;
			}
			if (n + 1 >= cap)
				return CORREU_ERR_LIMIT;
			buf[n++] = (char)ch;
		} else if ((rc = wait_io(t, k)) < 0)
			return rc;
	}
}

static int step(struct server *sv, correu_transport *t, const char *st)
{
	char line[2048];
	int rc = 0;

	if (strncmp(st, "S:", 2) == 0) {
		rc = send_all(t, st + 2, strlen(st + 2));
		if (rc == 0)
			rc = send_all(t, "\r\n", 2);
	} else if (strncmp(st, "C:", 2) == 0) {
		rc = read_line(t, line, sizeof(line));
		if (rc == 0 && strcmp(line, st + 2) != 0) {
			snprintf(sv->failure, sizeof(sv->failure), "expected \"%s\", got \"%s\"",
			         st + 2, line);
			return -1;
		}
	} else if (strcmp(st, "TLS") == 0) {
		rc = correu_transport_starttls(t, sv->tls, NULL);
		while (rc == 0 && (rc = correu_transport_handshake(t)) != 0)
			rc = wait_io(t, rc);
	} else if (strcmp(st, "WAIT") == 0) {
		while (read_line(t, line, sizeof(line)) == 0)
			;
	} else if (strcmp(st, "SLEEP") == 0)
		usleep(300000);
	if (rc < 0)
		snprintf(sv->failure, sizeof(sv->failure), "step \"%s\": %s", st,
		         correu_err_name(rc));
	return rc;
}

/* Accept one connection on the listener (non-blocking: poll first). */
static int accept_one(correu_tcp_listener *l, correu_transport **t)
{
	struct pollfd p = { correu_tcp_listener_fd(l), POLLIN, 0 };
	int rc;

	while ((rc = correu_tcp_accept(l, t, NULL, 0)) == CORREU_ERR_WANT_READ)
		if (poll(&p, 1, 5000) <= 0)
			return CORREU_ERR_TIMEOUT;
	return rc;
}

static void *serve(void *arg)
{
	struct server *sv = arg;
	correu_transport *t;

	if (sv->listener ? accept_one(sv->listener, &t) < 0
	                 : correu_tcp_from_fd(sv->fd, NULL, &t) < 0) {
		snprintf(sv->failure, sizeof(sv->failure), "no transport");
		return NULL;
	}
	for (const char *const *st = sv->script; *st; st++)
		if (step(sv, t, *st) < 0)
			break;
	correu_transport_free(t);
	return NULL;
}

static correu_tls_config *server_tls, *client_tls;

static void make_tls(void)
{
	uint8_t pem[2048];
	size_t len;

	if (correu_tls_config_new(CORREU_TLS_SERVER, NULL, &server_tls) == CORREU_ERR_UNSUPPORTED)
		cr_skip_test("needs a build with mbedTLS");
	cr_assert_not_null(server_tls);
	cr_assert_eq(correu_tls_config_set_self_signed(server_tls, "localhost", 2, pem, sizeof(pem),
	                                               &len),
	             0);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &client_tls), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(client_tls, pem, len + 1), 0);
}

static void free_tls(void)
{
	correu_tls_config_free(client_tls);
	correu_tls_config_free(server_tls);
	client_tls = server_tls = NULL;
}

static int test_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	memset(buf, 7, len);
	return 0;
}

static void settings(correu_imap_settings *set, correu_imap_parser_settings *ps, uint32_t policy,
                     uint32_t timeout_ms)
{
	correu_imap_parser_settings_init(ps);
	ps->max_chunk = 4;
	correu_imap_settings_init(set);
	set->tls_policy = policy;
	set->timeout_command_ms = timeout_ms;
	set->parser = ps;
}

/* The server on one end of a socket pair, a session on the other. */
static int start(struct server *sv, const char *const *script, uint32_t mode, uint32_t policy,
                 uint32_t timeout_ms, correu_imap_session **s)
{
	int fds[2];
	correu_transport *t;
	correu_imap_settings set;
	correu_imap_parser_settings ps;
	correu_imap_session_options o;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	memset(sv, 0, sizeof(*sv));
	sv->script = script;
	sv->fd = fds[1];
	sv->tls = server_tls;
	cr_assert_eq(pthread_create(&sv->thread, NULL, serve, sv), 0);
	cr_assert_eq(correu_tcp_from_fd(fds[0], NULL, &t), 0);
	settings(&set, &ps, policy, timeout_ms);
	correu_imap_session_options_init(&o);
	o.tls_mode = mode;
	o.tls = client_tls;
	o.settings = &set;
	o.random = test_random;
	if (mode == CORREU_IMAP_SESSION_IMPLICIT)
		cr_assert_eq(correu_transport_starttls(t, client_tls, "localhost"), 0);
	return correu_imap_session_start(t, "localhost", &o, s);
}

static void finish(struct server *sv)
{
	pthread_join(sv->thread, NULL);
	correu_tcp_listener_free(sv->listener);
	cr_assert_str_empty(sv->failure, "server: %s", sv->failure);
}

struct collect {
	char text[512];
	size_t len, chunks;
	int events;
};

static int on_chunk(const uint8_t *data, size_t len, void *userdata)
{
	struct collect *c = userdata;

	cr_assert_leq(len, 4, "chunks are bounded by max_chunk");
	c->chunks++;
	cr_assert_lt(c->len + len, sizeof(c->text));
	memcpy(c->text + c->len, data, len);
	c->len += len;
	c->text[c->len] = '\0';
	return 0;
}

static int on_number(uint64_t n, void *userdata)
{
	struct collect *c = userdata;

	c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len, "%llu;",
	                           (unsigned long long)n);
	return 0;
}

/* Mailbox names from LIST, and news from IDLE. */
static int on_data(const correu_imap_event *ev, void *userdata)
{
	struct collect *c = userdata;

	c->events++;
	if (ev->type == CORREU_IMAP_EV_ITEM && ev->item == CORREU_IMAP_ITEM_MAILBOX)
		c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len, "%.*s;",
		                           (int)ev->str_len[0], ev->str[0]);
	if (ev->type == CORREU_IMAP_EV_BEGIN && ev->resp == CORREU_IMAP_RESP_EXISTS)
		c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len,
		                           "exists %llu;", (unsigned long long)ev->num);
	return 0;
}

Test(session, starttls_and_every_job, .init = make_tls, .fini = free_tls)
{
	static const char *const script[] = {
		"S:* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi",
		"C:A1 STARTTLS",
		"S:A1 OK begin",
		"TLS",
		"C:A2 CAPABILITY",
		"S:* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN",
		"S:A2 OK",
		"C:A3 AUTHENTICATE PLAIN AGpvZQBzZWNyZXQ=",
		"S:A3 OK [CAPABILITY IMAP4rev1 ENABLE CONDSTORE MOVE UIDPLUS IDLE] in",
		"C:A4 ENABLE CONDSTORE",
		"S:* ENABLED CONDSTORE",
		"S:A4 OK",
		"C:A5 LIST \"\" \"*\"",
		"S:* LIST (\\HasNoChildren) \"/\" INBOX",
		"S:* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe",
		"S:A5 OK",
		"C:A6 SELECT INBOX",
		"S:* 7 EXISTS",
		"S:* OK [UIDVALIDITY 1234] ok",
		"S:A6 OK [READ-WRITE] selected",
		"C:A7 UID SEARCH UNSEEN",
		"S:* SEARCH 3 5",
		"S:A7 OK",
		"C:A8 UID FETCH 5 (BODY.PEEK[])",
		"S:* 2 FETCH (UID 5 BODY[] {13}\r\nSubject: hi\r\n)",
		"S:A8 OK",
		"C:A9 UID FETCH 5 (BODY.PEEK[1])",
		"S:* 2 FETCH (UID 5 BODY[1] \"to fd\")",
		"S:A9 OK",
		"C:A10 UID FETCH 6 (BODY.PEEK[])",
		"S:A10 OK nothing",
		"C:A11 UID STORE 5 +FLAGS.SILENT (\\Seen)",
		"S:A11 OK",
		"C:A12 UID MOVE 5 Archive",
		"S:* OK [COPYUID 1234 5 9] moved",
		"S:* 2 EXPUNGE",
		"S:A12 OK",
		"C:A13 EXPUNGE",
		"S:A13 OK",
		"C:A14 APPEND INBOX {11}",
		"S:+ go",
		"C:hello world",
		"S:A14 OK [APPENDUID 1234 42] ok",
		"C:A15 IDLE",
		"S:+ idling",
		"S:* 8 EXISTS",
		"C:DONE",
		"S:A15 OK done",
		"C:A16 LOGOUT",
		"S:* BYE bye",
		"S:A16 OK",
		NULL
	};
	struct server sv;
	correu_imap_session *s;
	struct collect c;
	uint32_t exists = 0, uidv = 0, uid = 0, code = 0;
	char tmpl[] = "/tmp/correu-imap-XXXXXX";
	const char *text;
	char buf[64];
	int fd;

	cr_assert_eq(
		start(&sv, script, CORREU_IMAP_SESSION_STARTTLS, CORREU_IMAP_TLS_REQUIRED, 0, &s),
		0);
	cr_assert(correu_imap_client_is_tls(correu_imap_session_client(s)));
	cr_assert_eq(correu_imap_session_login(s, "joe", "secret"), 0);
	cr_assert_eq(correu_imap_client_enabled(correu_imap_session_client(s)),
	             CORREU_IMAP_CAP_CONDSTORE);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_imap_session_list(s, "*", 0, 0, on_data, &c), 0);
	cr_assert_str_eq(c.text, "INBOX;Entw\xc3\xbcrfe;");
	cr_assert_eq(correu_imap_session_select(s, "INBOX", 0, &exists, &uidv), 0);
	cr_assert(exists == 7 && uidv == 1234);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_imap_session_search(s, "UNSEEN", on_number, &c), 0);
	cr_assert_str_eq(c.text, "3;5;");
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_imap_session_fetch_section(s, 5, "", on_chunk, &c), 0);
	cr_assert_str_eq(c.text, "Subject: hi\r\n");
	cr_assert_geq(c.chunks, 4);
	fd = mkstemp(tmpl);
	cr_assert_geq(fd, 0);
	unlink(tmpl);
	cr_assert_eq(correu_imap_session_fetch_section_fd(s, 5, "1", fd), 0);
	cr_assert_eq(pread(fd, buf, sizeof(buf), 0), 5);
	cr_assert(memcmp(buf, "to fd", 5) == 0);
	cr_assert_eq(correu_imap_session_fetch_section(s, 6, "", on_chunk, &c),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_imap_session_store(s, "5", "+FLAGS.SILENT", "(\\Seen)"), 0);
	cr_assert_eq(correu_imap_session_move(s, "5", "Archive"), 0);
	cr_assert_eq(correu_imap_session_expunge(s), 0);
	cr_assert_eq(ftruncate(fd, 0), 0);
	cr_assert_eq(pwrite(fd, "hello world", 11, 0), 11);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	cr_assert_eq(correu_imap_session_append_fd(s, "INBOX", NULL, fd, 11, &uid), 0);
	cr_assert_eq(uid, 42);
	cr_assert_eq(correu_imap_session_last_response(s, &text, &code), CORREU_IMAP_RESP_OK);
	cr_assert_str_eq(text, "ok");
	cr_assert_eq(code, CORREU_IMAP_CODE_APPENDUID);
	close(fd);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_imap_session_idle(s, 5000, on_data, &c), 1);
	cr_assert_str_eq(c.text, "exists 8;");
	cr_assert_eq(correu_imap_session_logout(s), 0);
	correu_imap_session_free(s);
	finish(&sv);
}

Test(session, implicit_tls_idle_timeout_and_refusals, .init = make_tls, .fini = free_tls)
{
	static const char *const script[] = { "TLS",
		                              "S:* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] hi",
		                              "C:A1 AUTHENTICATE PLAIN",
		                              "S:+ ",
		                              "C:AGpvZQB3cm9uZw==",
		                              "S:A1 NO [AUTHENTICATIONFAILED] no",
		                              "C:A2 AUTHENTICATE PLAIN",
		                              "S:+ ",
		                              "C:AGpvZQBzZWNyZXQ=",
		                              "S:A2 OK [CAPABILITY IMAP4rev2 IDLE] in",
		                              "C:A3 SELECT Nope",
		                              "S:A3 NO [NONEXISTENT] no such mailbox",
		                              "C:A4 IDLE",
		                              "S:+ idling",
		                              "C:DONE",
		                              "S:A4 OK",
		                              "WAIT",
		                              NULL };
	struct server sv;
	correu_imap_session *s;
	uint32_t code = 0;
	const char *text;

	cr_assert_eq(
		start(&sv, script, CORREU_IMAP_SESSION_IMPLICIT, CORREU_IMAP_TLS_REQUIRED, 0, &s),
		0);
	cr_assert_eq(correu_imap_session_login(s, "joe", "wrong"), CORREU_ERR_AUTH);
	cr_assert_eq(correu_imap_session_last_response(s, &text, &code), CORREU_IMAP_RESP_NO);
	cr_assert_eq(code, CORREU_IMAP_CODE_AUTHENTICATIONFAILED);
	cr_assert_eq(correu_imap_session_login(s, "joe", "secret"), 0);
	cr_assert_eq(correu_imap_session_select(s, "Nope", 0, NULL, NULL), CORREU_ERR_REPLY);
	cr_assert_eq(correu_imap_session_last_response(s, &text, &code), CORREU_IMAP_RESP_NO);
	cr_assert_str_eq(text, "no such mailbox");
	/* No news: back after the timeout, the IDLE ended cleanly. */
	cr_assert_eq(correu_imap_session_idle(s, 200, NULL, NULL), 0);
	correu_imap_session_free(s);
	finish(&sv);
}

Test(session, preauth_in_plaintext_is_refused)
{
	static const char *const script[] = { "S:* PREAUTH [CAPABILITY IMAP4rev2] hi", "WAIT",
		                              NULL };
	struct server sv;
	correu_imap_session *s = NULL;

	cr_assert_eq(
		start(&sv, script, CORREU_IMAP_SESSION_STARTTLS, CORREU_IMAP_TLS_REQUIRED, 0, &s),
		CORREU_ERR_TLS_REQUIRED);
	cr_assert_null(s);
	finish(&sv);
}

Test(session, a_silent_server_times_out)
{
	static const char *const script[] = { "S:* OK [CAPABILITY IMAP4rev2] hi", "C:A1 NOOP",
		                              "WAIT", NULL };
	struct server sv;
	correu_imap_session *s;

	cr_assert_eq(
		start(&sv, script, CORREU_IMAP_SESSION_STARTTLS, CORREU_IMAP_TLS_NONE, 150, &s), 0);
	cr_assert_eq(correu_imap_session_wait(
			     s, correu_imap_client_noop(correu_imap_session_client(s)), NULL, NULL),
	             CORREU_ERR_TIMEOUT);
	cr_assert_eq(correu_imap_session_expunge(s), CORREU_ERR_TIMEOUT, "the error sticks");
	correu_imap_session_free(s);
	finish(&sv);
}

Test(session, open_over_loopback)
{
	static const char *const script[] = { "S:* OK [CAPABILITY IMAP4rev2 LITERAL+] hi",
		                              "C:A1 LOGIN joe {8+}",
		                              "C:se\"cr\\et",
		                              "S:A1 OK [CAPABILITY IMAP4rev2] in",
		                              "C:A2 LOGOUT",
		                              "S:* BYE",
		                              "S:A2 OK",
		                              NULL };
	struct server sv;
	correu_imap_session *s;
	correu_imap_settings set;
	correu_imap_parser_settings ps;
	correu_imap_session_options o;
	int port;

	memset(&sv, 0, sizeof(sv));
	sv.script = script;
	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &sv.listener), 0);
	port = correu_tcp_listener_port(sv.listener);
	cr_assert_gt(port, 0);
	cr_assert_eq(pthread_create(&sv.thread, NULL, serve, &sv), 0);
	settings(&set, &ps, CORREU_IMAP_TLS_NONE, 0);
	set.flags = CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
	set.max_quoted = 4;
	correu_imap_session_options_init(&o);
	o.settings = &set;
	cr_assert_eq(correu_imap_session_open("127.0.0.1", (uint16_t)port, &o, &s), 0);
	/* No SASL offered: LOGIN, allowed in plaintext by the flag; the
	 * password is longer than max_quoted, so a literal. */
	cr_assert_eq(correu_imap_session_login(s, "joe", "se\"cr\\et"), 0);
	cr_assert_eq(correu_imap_session_logout(s), 0);
	correu_imap_session_free(s);
	finish(&sv);
}

Test(session, arguments_are_checked)
{
	correu_imap_session *s = (correu_imap_session *)&s;
	correu_imap_session_options o;

	cr_assert_eq(correu_imap_session_start(NULL, NULL, NULL, &s), CORREU_ERR_ARG);
	cr_assert_null(s);
	correu_imap_session_options_init(&o);
	o.version = 9;
	cr_assert_eq(correu_imap_session_open("127.0.0.1", 1, NULL, NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_session_login(NULL, "a", "b"), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_session_list(NULL, "*", 0, 0, NULL, NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_session_last_response(NULL, NULL, NULL), CORREU_ERR_NOT_FOUND);
	cr_assert_null(correu_imap_session_client(NULL));
	correu_imap_session_free(NULL);
}

Test(session, bye_before_the_answer)
{
	static const char *const script[] = { "S:* OK [CAPABILITY IMAP4rev2] hi",
		                              "C:A1 SELECT INBOX",
		                              "S:* BYE [UNAVAILABLE] shutting down", NULL };
	struct server sv;
	correu_imap_session *s;

	cr_assert_eq(start(&sv, script, CORREU_IMAP_SESSION_STARTTLS, CORREU_IMAP_TLS_NONE, 0, &s),
	             0);
	cr_assert_eq(correu_imap_session_select(s, "INBOX", 0, NULL, NULL), CORREU_ERR_CLOSED);
	correu_imap_session_free(s);
	finish(&sv);
}

static const char *const alloc_script[] = { "S:* OK [CAPABILITY IMAP4rev2 LITERAL+] hi",
	                                    "C:A1 LOGIN joe pw",
	                                    "S:A1 OK [CAPABILITY IMAP4rev2 LITERAL+ MOVE] in",
	                                    "C:A2 SELECT INBOX",
	                                    "S:* 3 EXISTS",
	                                    "S:A2 OK",
	                                    "C:A3 UID SEARCH ALL",
	                                    "S:* ESEARCH (TAG \"A3\") UID ALL 1:2",
	                                    "S:A3 OK",
	                                    "C:A4 UID FETCH 1 (BODY.PEEK[])",
	                                    "S:* 1 FETCH (UID 1 BODY[] {7}\r\n.body\r\n)",
	                                    "S:A4 OK",
	                                    "C:A5 UID MOVE 1 Archive",
	                                    "S:A5 OK",
	                                    "C:A6 LOGOUT",
	                                    "S:* BYE",
	                                    "S:A6 OK",
	                                    NULL };

static int alloc_session(void *ctx, const correu_allocator *a)
{
	struct server sv;
	correu_imap_settings set;
	correu_imap_parser_settings ps;
	correu_imap_session_options o;
	correu_imap_session *s = NULL;
	correu_transport *t;
	struct collect c;
	int fds[2], rc;

	(void)ctx;
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	memset(&sv, 0, sizeof(sv));
	sv.script = alloc_script;
	sv.fd = fds[1];
	cr_assert_eq(pthread_create(&sv.thread, NULL, serve, &sv), 0);
	rc = correu_tcp_from_fd(fds[0], a, &t);
	if (rc == 0) {
		settings(&set, &ps, CORREU_IMAP_TLS_NONE, 0);
		set.allocator = a;
		set.flags = CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
		correu_imap_session_options_init(&o);
		o.settings = &set;
		rc = correu_imap_session_start(t, NULL, &o, &s);
	} /* a failed correu_tcp_from_fd() has closed the descriptor */
	memset(&c, 0, sizeof(c));
	if (rc == 0)
		rc = correu_imap_session_login(s, "joe", "pw");
	if (rc == 0)
		rc = correu_imap_session_select(s, "INBOX", 0, NULL, NULL);
	if (rc == 0)
		rc = correu_imap_session_search(s, "ALL", on_number, &c);
	if (rc == 0)
		rc = correu_imap_session_fetch_section(s, 1, "", on_chunk, &c);
	if (rc == 0)
		rc = correu_imap_session_move(s, "1", "Archive");
	if (rc == 0)
		rc = correu_imap_session_logout(s);
	if (rc == 0 && strcmp(c.text, "1;2;.body\r\n") != 0)
		rc = CORREU_ERR_INTERNAL;
	/* Freeing closes the connection, which ends the server's script
	 * wherever the failure left it. */
	correu_imap_session_free(s);
	pthread_join(sv.thread, NULL);
	return rc;
}

Test(session, every_allocation_failure_is_clean)
{
	long n = failalloc_loop(alloc_session, NULL, 500);

	cr_assert_gt(n, 5);
}
