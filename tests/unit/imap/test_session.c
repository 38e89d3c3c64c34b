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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correu/imap.h"
#include "failalloc.h"
#include "script_peer.h"

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
static int start(struct script_peer *sv, const char *const *script, uint32_t mode, uint32_t policy,
                 uint32_t timeout_ms, correu_imap_session **s)
{
	correu_transport *t;
	correu_imap_settings set;
	correu_imap_parser_settings ps;
	correu_imap_session_options o;

	cr_assert_eq(script_peer_pair(sv, script, NULL, mode == CORREU_IMAP_SESSION_IMPLICIT, &t),
	             0);
	settings(&set, &ps, policy, timeout_ms);
	correu_imap_session_options_init(&o);
	o.tls_mode = mode;
	o.tls = script_peer_client_tls;
	o.settings = &set;
	o.random = script_peer_random;
	return correu_imap_session_start(t, "localhost", &o, s);
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

Test(session, starttls_and_every_job, .init = script_peer_tls_init, .fini = script_peer_tls_fini)
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
	struct script_peer sv;
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
	script_peer_finish(&sv);
}

Test(session, implicit_tls_idle_timeout_and_refusals, .init = script_peer_tls_init,
     .fini = script_peer_tls_fini)
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
	struct script_peer sv;
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
	script_peer_finish(&sv);
}

Test(session, preauth_in_plaintext_is_refused)
{
	static const char *const script[] = { "S:* PREAUTH [CAPABILITY IMAP4rev2] hi", "WAIT",
		                              NULL };
	struct script_peer sv;
	correu_imap_session *s = NULL;

	cr_assert_eq(
		start(&sv, script, CORREU_IMAP_SESSION_STARTTLS, CORREU_IMAP_TLS_REQUIRED, 0, &s),
		CORREU_ERR_TLS_REQUIRED);
	cr_assert_null(s);
	script_peer_finish(&sv);
}

Test(session, a_silent_server_times_out)
{
	static const char *const script[] = { "S:* OK [CAPABILITY IMAP4rev2] hi", "C:A1 NOOP",
		                              "WAIT", NULL };
	struct script_peer sv;
	correu_imap_session *s;

	cr_assert_eq(
		start(&sv, script, CORREU_IMAP_SESSION_STARTTLS, CORREU_IMAP_TLS_NONE, 150, &s), 0);
	cr_assert_eq(correu_imap_session_wait(
			     s, correu_imap_client_noop(correu_imap_session_client(s)), NULL, NULL),
	             CORREU_ERR_TIMEOUT);
	cr_assert_eq(correu_imap_session_expunge(s), CORREU_ERR_TIMEOUT, "the error sticks");
	correu_imap_session_free(s);
	script_peer_finish(&sv);
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
	struct script_peer sv;
	correu_imap_session *s;
	correu_imap_settings set;
	correu_imap_parser_settings ps;
	correu_imap_session_options o;
	uint16_t port;

	port = script_peer_listen(&sv, script);
	settings(&set, &ps, CORREU_IMAP_TLS_NONE, 0);
	set.flags = CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
	set.max_quoted = 4;
	correu_imap_session_options_init(&o);
	o.settings = &set;
	cr_assert_eq(correu_imap_session_open("127.0.0.1", port, &o, &s), 0);
	/* No SASL offered: LOGIN, allowed in plaintext by the flag; the
	 * password is longer than max_quoted, so a literal. */
	cr_assert_eq(correu_imap_session_login(s, "joe", "se\"cr\\et"), 0);
	cr_assert_eq(correu_imap_session_logout(s), 0);
	correu_imap_session_free(s);
	script_peer_finish(&sv);
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
	struct script_peer sv;
	correu_imap_session *s;

	cr_assert_eq(start(&sv, script, CORREU_IMAP_SESSION_STARTTLS, CORREU_IMAP_TLS_NONE, 0, &s),
	             0);
	cr_assert_eq(correu_imap_session_select(s, "INBOX", 0, NULL, NULL), CORREU_ERR_CLOSED);
	correu_imap_session_free(s);
	script_peer_finish(&sv);
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

static int alloc_session(correu_transport *t, const correu_allocator *a)
{
	correu_imap_settings set;
	correu_imap_parser_settings ps;
	correu_imap_session_options o;
	correu_imap_session *s = NULL;
	struct collect c;
	int rc;

	settings(&set, &ps, CORREU_IMAP_TLS_NONE, 0);
	set.allocator = a;
	set.flags = CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
	correu_imap_session_options_init(&o);
	o.settings = &set;
	rc = correu_imap_session_start(t, NULL, &o, &s);
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
	correu_imap_session_free(s);
	return rc;
}

Test(session, every_allocation_failure_is_clean)
{
	long n = script_peer_failalloc(alloc_script, alloc_session, 500);

	cr_assert_gt(n, 5);
}
