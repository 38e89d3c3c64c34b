/*
 * The blocking POP3 session against a scripted server in a thread, over a
 * socket pair: login method choice (SASL, APOP, USER/PASS), STLS and
 * implicit TLS with a self-signed certificate, every job (stat, list,
 * uidl, retrieve to a callback and to a descriptor, top, delete, reset,
 * quit), callback errors, refusals and timeouts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correu/pop3.h"
#include "failalloc.h"
#include "script_peer.h"

/* Start the server on one end of a socket pair, and a session on the
 * other. Returns the session's start result. */
static int start(struct script_peer *sv, const char *const *script, uint32_t mode, uint32_t policy,
                 uint32_t flags, uint32_t timeout_ms, correu_pop3_session **s)
{
	correu_transport *t;
	correu_pop3_settings set;
	correu_pop3_session_options o;

	cr_assert_eq(script_peer_pair(sv, script, NULL, mode == CORREU_POP3_SESSION_IMPLICIT, &t),
	             0);
	correu_pop3_settings_init(&set);
	set.tls_policy = policy;
	set.flags = flags;
	set.max_chunk = 4;
	set.timeout_command_ms = timeout_ms;
	correu_pop3_session_options_init(&o);
	o.tls_mode = mode;
	o.tls = script_peer_client_tls;
	o.settings = &set;
	o.random = script_peer_random;
	return correu_pop3_session_start(t, "localhost", &o, s);
}

struct collect {
	char text[256];
	size_t len, chunks;
	int fail_at; /* chunk number that returns an error, 0: never */
};

static int on_chunk(const uint8_t *data, size_t len, void *userdata)
{
	struct collect *c = userdata;

	cr_assert_leq(len, 4, "chunks are bounded by max_chunk");
	if (++c->chunks == (size_t)c->fail_at)
		return CORREU_ERR_CANCELLED;
	cr_assert_lt(c->len + len, sizeof(c->text));
	memcpy(c->text + c->len, data, len);
	c->len += len;
	c->text[c->len] = '\0';
	return 0;
}

static int on_list(uint32_t msg, uint64_t size, void *userdata)
{
	struct collect *c = userdata;

	c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len, "%u=%llu;", msg,
	                           (unsigned long long)size);
	return 0;
}

static int on_uidl(uint32_t msg, const char *uid, size_t uid_len, void *userdata)
{
	struct collect *c = userdata;

	c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len, "%u=%.*s;", msg,
	                           (int)uid_len, uid);
	return 0;
}

Test(session, every_job_in_plaintext_with_apop)
{
	static const char *const script[] = { "S:+OK hello <9.9@localhost>",
		                              "C:CAPA",
		                              "S:+OK",
		                              "S:USER",
		                              "S:UIDL",
		                              "S:TOP",
		                              "S:.",
		                              "C:APOP joe 1a5b59dd2d6e3466bdea12550b03afd9",
		                              "S:+OK in",
		                              "C:STAT",
		                              "S:+OK 2 30",
		                              "C:LIST",
		                              "S:+OK",
		                              "S:1 10",
		                              "S:2 20",
		                              "S:.",
		                              "C:UIDL",
		                              "S:+OK",
		                              "S:1 aa",
		                              "S:2 bb",
		                              "S:.",
		                              "C:RETR 1",
		                              "S:+OK",
		                              "S:..dot",
		                              "S:line two",
		                              "S:.",
		                              "C:RETR 2",
		                              "S:+OK",
		                              "S:to fd",
		                              "S:.",
		                              "C:TOP 2 0",
		                              "S:+OK",
		                              "S:h: v",
		                              "S:.",
		                              "C:DELE 1",
		                              "S:+OK",
		                              "C:DELE 7",
		                              "S:-ERR [SYS/PERM] no such message",
		                              "C:RSET",
		                              "S:+OK",
		                              "C:QUIT",
		                              "S:+OK bye",
		                              NULL };
	struct script_peer sv;
	correu_pop3_session *s;
	struct collect c;
	uint32_t count = 0, code = 0;
	uint64_t size = 0;
	const char *text;
	char tmpl[] = "/tmp/correu-pop3-XXXXXX";
	int fd;
	char buf[64];

	/* APOP's MD5 comes from mbedTLS, as CRAM-MD5's does. */
	if (correu_sasl_mech_available(CORREU_SASL_CRAM_MD5) <= 0)
		cr_skip_test("APOP needs a build with mbedTLS");
	/* No SASL offered: APOP, whose digest is MD5("<9.9@localhost>secret")
	 * (RFC 1939 §7), before USER/PASS. */
	cr_assert_eq(start(&sv, script, CORREU_POP3_SESSION_STLS, CORREU_POP3_TLS_NONE,
	                   CORREU_POP3_ALLOW_PLAINTEXT_AUTH, 0, &s),
	             0);
	cr_assert_eq(correu_pop3_session_login(s, "joe", "secret"), 0);
	cr_assert_eq(correu_pop3_session_stat(s, &count, &size), 0);
	cr_assert(count == 2 && size == 30);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_pop3_session_list(s, on_list, &c), 0);
	cr_assert_str_eq(c.text, "1=10;2=20;");
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_pop3_session_uidl(s, on_uidl, &c), 0);
	cr_assert_str_eq(c.text, "1=aa;2=bb;");
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_pop3_session_retrieve(s, 1, on_chunk, &c), 0);
	cr_assert_str_eq(c.text, ".dot\r\nline two\r\n");
	cr_assert_gt(c.chunks, 3);
	fd = mkstemp(tmpl);
	cr_assert_geq(fd, 0);
	unlink(tmpl);
	cr_assert_eq(correu_pop3_session_retrieve_fd(s, 2, fd), 0);
	cr_assert_eq(pread(fd, buf, sizeof(buf), 0), 7);
	cr_assert(memcmp(buf, "to fd\r\n", 7) == 0);
	close(fd);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(correu_pop3_session_top(s, 2, 0, on_chunk, &c), 0);
	cr_assert_str_eq(c.text, "h: v\r\n");
	cr_assert_eq(correu_pop3_session_delete(s, 1), 0);
	cr_assert_eq(correu_pop3_session_delete(s, 7), CORREU_ERR_REPLY);
	cr_assert_eq(correu_pop3_session_last_reply(s, &text, &code), 0);
	cr_assert_str_eq(text, "[SYS/PERM] no such message", "no RESP-CODES: the code is text");
	cr_assert_eq(code, 0);
	cr_assert_eq(correu_pop3_session_reset(s), 0);
	cr_assert_eq(correu_pop3_session_quit(s), 0);
	cr_assert_eq(correu_pop3_session_last_reply(s, &text, NULL), 1);
	cr_assert_str_eq(text, "bye");
	correu_pop3_session_free(s);
	script_peer_finish(&sv);
}

Test(session, stls_then_sasl_plain, .init = script_peer_tls_init, .fini = script_peer_tls_fini)
{
	static const char *const script[] = { "S:+OK hello",
		                              "C:CAPA",
		                              "S:+OK",
		                              "S:STLS",
		                              "S:USER",
		                              "S:.",
		                              "C:STLS",
		                              "S:+OK go ahead",
		                              "TLS",
		                              "C:CAPA",
		                              "S:+OK",
		                              "S:SASL PLAIN",
		                              "S:USER",
		                              "S:.",
		                              "C:AUTH PLAIN AGpvZQBzZWNyZXQ=",
		                              "S:+OK welcome",
		                              "C:QUIT",
		                              "S:+OK",
		                              NULL };
	struct script_peer sv;
	correu_pop3_session *s;

	cr_assert_eq(
		start(&sv, script, CORREU_POP3_SESSION_STLS, CORREU_POP3_TLS_REQUIRED, 0, 0, &s),
		0);
	cr_assert(correu_pop3_client_is_tls(correu_pop3_session_client(s)));
	cr_assert_eq(correu_pop3_session_login(s, "joe", "secret"), 0);
	cr_assert_eq(correu_pop3_session_quit(s), 0);
	correu_pop3_session_free(s);
	script_peer_finish(&sv);
}

Test(session, implicit_tls_and_user_pass, .init = script_peer_tls_init,
     .fini = script_peer_tls_fini)
{
	static const char *const script[] = {
		"TLS",    "S:+OK hello", "C:CAPA", "S:+OK",         "S:USER",
		"S:.",    "C:USER joe",  "S:+OK",  "C:PASS secret", "S:-ERR [AUTH] wrong password",
		"C:QUIT", "S:+OK",       NULL
	};
	struct script_peer sv;
	correu_pop3_session *s;
	uint32_t code = 0;

	cr_assert_eq(start(&sv, script, CORREU_POP3_SESSION_IMPLICIT, CORREU_POP3_TLS_REQUIRED, 0,
	                   0, &s),
	             0);
	cr_assert_eq(correu_pop3_session_login(s, "joe", "secret"), CORREU_ERR_AUTH);
	cr_assert_eq(correu_pop3_session_last_reply(s, NULL, &code), 0);
	cr_assert_eq(code, 0, "[AUTH] counts only with AUTH-RESP-CODE announced");
	cr_assert_eq(correu_pop3_session_quit(s), 0);
	correu_pop3_session_free(s);
	script_peer_finish(&sv);
}

Test(session, stls_required_but_missing)
{
	static const char *const script[] = { "S:+OK hello", "C:CAPA", "S:+OK", "S:USER",
		                              "S:.",         "C:QUIT", NULL };
	struct script_peer sv;
	correu_pop3_session *s = (correu_pop3_session *)1;

	cr_assert_eq(
		start(&sv, script, CORREU_POP3_SESSION_STLS, CORREU_POP3_TLS_REQUIRED, 0, 0, &s),
		CORREU_ERR_TLS_REQUIRED);
	cr_assert_null(s);
	script_peer_finish(&sv);
}

Test(session, refused_greeting)
{
	static const char *const script[] = { "S:-ERR [IN-USE] busy", "C:QUIT", NULL };
	struct script_peer sv;
	correu_pop3_session *s;

	cr_assert_eq(start(&sv, script, CORREU_POP3_SESSION_STLS, CORREU_POP3_TLS_NONE, 0, 0, &s),
	             CORREU_ERR_REPLY);
	script_peer_finish(&sv);
}

Test(session, no_plaintext_password_without_tls)
{
	static const char *const script[] = { "S:+OK hello", "C:CAPA",       "S:+OK",
		                              "S:USER",      "S:SASL PLAIN", "S:.",
		                              "C:QUIT",      "S:+OK",        NULL };
	struct script_peer sv;
	correu_pop3_session *s;

	cr_assert_eq(start(&sv, script, CORREU_POP3_SESSION_STLS, CORREU_POP3_TLS_NONE, 0, 0, &s),
	             0);
	cr_assert_eq(correu_pop3_session_login(s, "joe", "secret"), CORREU_ERR_TLS_REQUIRED);
	cr_assert_eq(correu_pop3_session_quit(s), 0);
	correu_pop3_session_free(s);
	script_peer_finish(&sv);
}

Test(session, a_callback_error_leaves_the_session_usable)
{
	static const char *const script[] = {
		"S:+OK hello", "C:CAPA", "S:-ERR",     "C:USER joe", "S:+OK",
		"C:PASS pw",   "S:+OK",  "C:RETR 1",   "S:+OK",      "S:a long enough body",
		"S:.",         "C:STAT", "S:+OK 1 20", "C:QUIT",     "S:+OK",
		NULL
	};
	struct script_peer sv;
	correu_pop3_session *s;
	struct collect c;
	uint32_t count = 0;

	cr_assert_eq(start(&sv, script, CORREU_POP3_SESSION_STLS, CORREU_POP3_TLS_NONE,
	                   CORREU_POP3_ALLOW_PLAINTEXT_AUTH, 0, &s),
	             0);
	cr_assert_eq(correu_pop3_session_login(s, "joe", "pw"), 0);
	memset(&c, 0, sizeof(c));
	c.fail_at = 2;
	cr_assert_eq(correu_pop3_session_retrieve(s, 1, on_chunk, &c), CORREU_ERR_CANCELLED);
	cr_assert_eq(c.len, 4, "nothing after the refused chunk was handed on");
	cr_assert_eq(correu_pop3_session_stat(s, &count, NULL), 0);
	cr_assert_eq(count, 1);
	cr_assert_eq(correu_pop3_session_quit(s), 0);
	correu_pop3_session_free(s);
	script_peer_finish(&sv);
}

Test(session, a_silent_server_times_out)
{
	static const char *const script[] = { "S:+OK hello", "C:CAPA",    "S:-ERR", "C:USER joe",
		                              "S:+OK",       "C:PASS pw", "S:+OK",  "C:STAT",
		                              "WAIT",        NULL };
	struct script_peer sv;
	correu_pop3_session *s;

	cr_assert_eq(start(&sv, script, CORREU_POP3_SESSION_STLS, CORREU_POP3_TLS_NONE,
	                   CORREU_POP3_ALLOW_PLAINTEXT_AUTH, 200, &s),
	             0);
	cr_assert_eq(correu_pop3_session_login(s, "joe", "pw"), 0);
	cr_assert_eq(correu_pop3_session_stat(s, NULL, NULL), CORREU_ERR_TIMEOUT);
	cr_assert_eq(correu_pop3_session_stat(s, NULL, NULL), CORREU_ERR_TIMEOUT, "sticky");
	correu_pop3_session_free(s);
	script_peer_finish(&sv);
}

Test(session, implicit_tls_needs_a_tls_transport)
{
	correu_pop3_settings set;
	correu_pop3_session_options o;
	correu_pop3_session *s = NULL;
	correu_transport *a, *b;

	/* Told the channel is TLS when it is not, the core would send
	 * passwords in clear: refused, in both ways of saying it. */
	correu_pop3_session_options_init(&o);
	o.tls_mode = CORREU_POP3_SESSION_IMPLICIT;
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &a, &b), 0);
	cr_assert_eq(correu_pop3_session_start(a, NULL, &o, &s), CORREU_ERR_ARG);
	cr_assert_null(s);
	correu_transport_free(b);
	correu_pop3_settings_init(&set);
	set.tls_policy = CORREU_POP3_TLS_IMPLICIT;
	correu_pop3_session_options_init(&o);
	o.settings = &set;
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &a, &b), 0);
	correu_transport_free(b);
	cr_assert_eq(correu_pop3_session_start(a, NULL, &o, &s), CORREU_ERR_ARG);
	cr_assert_null(s);
}

Test(session, arguments_are_checked)
{
	correu_pop3_session_options o;
	correu_pop3_session *s = (correu_pop3_session *)1;

	correu_pop3_session_options_init(NULL);
	correu_pop3_session_options_init(&o);
	cr_assert_eq(o.tls_mode, CORREU_POP3_SESSION_STLS);
	cr_assert_eq(correu_pop3_session_start(NULL, NULL, &o, &s), CORREU_ERR_ARG);
	cr_assert_null(s);
	cr_assert_eq(correu_pop3_session_open(NULL, 110, &o, &s), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_session_login(NULL, "a", "b"), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_session_stat(NULL, NULL, NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_session_quit(NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_session_last_reply(NULL, NULL, NULL), CORREU_ERR_NOT_FOUND);
	cr_assert_null(correu_pop3_session_client(NULL));
	correu_pop3_session_free(NULL);
}

static const char *const alloc_script[] = { "S:+OK hello",  "C:CAPA", "S:+OK",      "S:USER",
	                                    "S:PIPELINING", "S:.",    "C:USER joe", "S:+OK",
	                                    "C:PASS pw",    "S:+OK",  "C:STAT",     "S:+OK 1 9",
	                                    "C:RETR 1",     "S:+OK",  "S:..body",   "S:.",
	                                    "C:QUIT",       "S:+OK",  NULL };

/* One whole session with every allocation of the client side from `a`. */
static int alloc_session(correu_transport *t, const correu_allocator *a)
{
	correu_pop3_settings set;
	correu_pop3_session_options o;
	correu_pop3_session *s = NULL;
	struct collect c;
	int rc;

	correu_pop3_settings_init(&set);
	set.allocator = a;
	set.tls_policy = CORREU_POP3_TLS_NONE;
	set.flags = CORREU_POP3_ALLOW_PLAINTEXT_AUTH;
	set.max_chunk = 4;
	correu_pop3_session_options_init(&o);
	o.settings = &set;
	rc = correu_pop3_session_start(t, NULL, &o, &s);
	memset(&c, 0, sizeof(c));
	if (rc == 0)
		rc = correu_pop3_session_login(s, "joe", "pw");
	if (rc == 0)
		rc = correu_pop3_session_stat(s, NULL, NULL);
	if (rc == 0)
		rc = correu_pop3_session_retrieve(s, 1, on_chunk, &c);
	if (rc == 0)
		rc = correu_pop3_session_quit(s);
	if (rc == 0 && strcmp(c.text, ".body\r\n") != 0)
		rc = CORREU_ERR_INTERNAL;
	correu_pop3_session_free(s);
	return rc;
}

Test(session, every_allocation_failure_is_clean)
{
	long n = script_peer_failalloc(alloc_script, alloc_session, 500);

	cr_assert_gt(n, 5);
}
