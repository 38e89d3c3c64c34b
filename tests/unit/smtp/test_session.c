/*
 * The blocking SMTP session against a scripted server thread on loopback:
 * plaintext, STARTTLS and implicit TLS (self-signed certificate trusted by
 * the client), login, messages from a buffer and a file descriptor, LMTP,
 * the TLS policy, and a greeting that never comes (timeout).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correu/smtp.h"
#include "script_server.h"

static const char *const to2[] = { "bob@example.net", "nobody@example.net" };

Test(session, plaintext_message_with_a_refused_recipient)
{
	static const char *const script[] = {
		"S 220 mx.example ESMTP",
		"C EHLO client.example",
		"S 250-mx.example",
		"S 250 PIPELINING",
		"C MAIL FROM:<alice@example.org>",
		"C RCPT TO:<bob@example.net>",
		"C RCPT TO:<nobody@example.net>",
		"C DATA",
		"S 250 ok",
		"S 250 ok",
		"S 550 5.1.1 no such user",
		"S 354 go",
		"D",
		"S 250 queued",
		"C QUIT",
		"S 221 bye",
		NULL,
	};
	static const char msg[] = "Subject: t\r\n\r\n.leading dot\r\nend";
	struct server sv;
	correu_smtp_settings set;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;
	correu_smtp_envelope env = { CORREU_SMTP_ENVELOPE_VERSION, "alice@example.org", to2, 2,
		                     NULL, NULL };
	const char *text;
	int rc;

	start(&sv, script, 0, 0);
	correu_smtp_settings_init(&set);
	set.tls_policy = CORREU_SMTP_TLS_NONE;
	set.ehlo_name = "client.example";
	correu_smtp_session_options_init(&o);
	o.settings = &set;
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv.port, &o, &s), 0);
	cr_assert(correu_smtp_client_caps(correu_smtp_session_client(s)) &
	          CORREU_SMTP_CAP_PIPELINING);
	rc = correu_smtp_session_send_buf(s, &env, (const uint8_t *)msg, sizeof(msg) - 1);
	cr_assert_eq(rc, 1, "send gave %s", correu_err_name(rc));
	cr_assert_eq(correu_smtp_session_rcpt_code(s, 0), 250);
	cr_assert_eq(correu_smtp_session_rcpt_code(s, 1), 550);
	cr_assert_eq(correu_smtp_session_last_reply(s, &text), 250);
	cr_assert_str_eq(text, "queued");
	cr_assert_eq(correu_smtp_session_quit(s), 0);
	correu_smtp_session_free(s);
	finish(&sv);
	cr_assert_eq(sv.body_len, 34);
	cr_assert(memcmp(sv.body, "Subject: t\r\n\r\n..leading dot\r\nend\r\n", 34) == 0);
}

static int progress_calls;

static int progress(uint64_t sent, uint64_t total, void *userdata)
{
	(void)total;
	(void)userdata;
	progress_calls++;
	return sent > 0 ? 0 : -1;
}

Test(session, starttls_login_and_a_message_from_a_file_descriptor)
{
	static const char *const script[] = {
		"S 220 mx.example ESMTP",
		"C EHLO client.example",
		"S 250-mx.example",
		"S 250-STARTTLS",
		"S 250 AUTH PLAIN",
		"C STARTTLS",
		"S 220 go ahead",
		"T",
		"C EHLO client.example",
		"S 250-mx.example",
		"S 250 AUTH PLAIN",
		"C AUTH PLAIN AHVzZXIAc2VjcmV0",
		"S 235 ok",
		"C MAIL FROM:<alice@example.org>",
		"S 250 ok",
		"C RCPT TO:<bob@example.net>",
		"S 250 ok",
		"C DATA",
		"S 354 go",
		"D",
		"S 250 queued",
		"C QUIT",
		"S 221 bye",
		NULL,
	};
	struct server sv;
	correu_smtp_settings set;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;
	correu_tls_config *ctls;
	correu_smtp_envelope env = { CORREU_SMTP_ENVELOPE_VERSION, "alice@example.org", to2, 1,
		                     NULL, NULL };
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	for (int i = 0; i < 200; i++)
		fprintf(f, "line %03d of a message read from a file\r\n", i);
	fflush(f);
	rewind(f);
	start(&sv, script, 1, 0);
	ctls = client_tls();
	correu_smtp_settings_init(&set);
	set.ehlo_name = "client.example";
	correu_smtp_session_options_init(&o);
	o.settings = &set;
	o.tls = ctls;
	o.progress = progress;
	progress_calls = 0;
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv.port, &o, &s), 0);
	cr_assert(correu_smtp_client_is_tls(correu_smtp_session_client(s)));
	cr_assert_eq(correu_smtp_session_login(s, "user", "secret"), 0);
	cr_assert_eq(correu_smtp_session_send_fd(s, &env, fileno(f)), 1);
	cr_assert_geq(progress_calls, 1);
	cr_assert_eq(correu_smtp_session_quit(s), 0);
	correu_smtp_session_free(s);
	correu_tls_config_free(ctls);
	fclose(f);
	finish(&sv);
	cr_assert_eq(sv.body_len, 200 * 40);
}

Test(session, implicit_tls_lmtp)
{
	static const char *const script[] = {
		"S 220 lmtp.example LMTP",
		"C LHLO client.example",
		"S 250-lmtp.example",
		"S 250 PIPELINING",
		"C MAIL FROM:<>",
		"C RCPT TO:<bob@example.net>",
		"C RCPT TO:<nobody@example.net>",
		"C DATA",
		"S 250 ok",
		"S 250 ok",
		"S 250 ok",
		"S 354 go",
		"D",
		"S 250 2.0.0 delivered",
		"S 452 4.2.2 over quota",
		"C QUIT",
		"S 221 bye",
		NULL,
	};
	struct server sv;
	correu_smtp_settings set;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;
	correu_tls_config *ctls;
	correu_smtp_envelope env = { CORREU_SMTP_ENVELOPE_VERSION, "", to2, 2, NULL, NULL };

	start(&sv, script, 1, 1);
	ctls = client_tls();
	correu_smtp_settings_init(&set);
	set.ehlo_name = "client.example";
	set.flags = CORREU_SMTP_LMTP;
	correu_smtp_session_options_init(&o);
	o.settings = &set;
	o.tls = ctls;
	o.tls_mode = CORREU_SMTP_SESSION_IMPLICIT;
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv.port, &o, &s), 0);
	cr_assert_eq(correu_smtp_session_send_buf(s, &env, (const uint8_t *)"x\r\n", 3), 1);
	cr_assert_eq(correu_smtp_session_rcpt_code(s, 0), 250);
	cr_assert_eq(correu_smtp_session_rcpt_code(s, 1), 452);
	cr_assert_eq(correu_smtp_session_quit(s), 0);
	correu_smtp_session_free(s);
	correu_tls_config_free(ctls);
	finish(&sv);
}

Test(session, starttls_missing_under_the_default_policy)
{
	static const char *const script[] = {
		"S 220 mx.example ESMTP",
		"C EHLO localhost",
		"S 250 mx.example",
		"C QUIT",
		NULL,
	};
	struct server sv;
	correu_smtp_session *s = NULL;

	start(&sv, script, 0, 0);
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv.port, NULL, &s),
	             CORREU_ERR_TLS_REQUIRED);
	cr_assert_null(s);
	finish(&sv);
}

Test(session, greeting_timeout)
{
	static const char *const script[] = { "W 1500", NULL };
	struct server sv;
	correu_smtp_settings set;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;
	uint64_t t0;

	start(&sv, script, 0, 0);
	correu_smtp_settings_init(&set);
	set.timeout_greeting_ms = 200;
	correu_smtp_session_options_init(&o);
	o.settings = &set;
	t0 = (uint64_t)time(NULL);
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv.port, &o, &s),
	             CORREU_ERR_TIMEOUT);
	cr_assert_leq((uint64_t)time(NULL) - t0, 2);
	finish(&sv);
}

Test(session, refused_greeting)
{
	static const char *const script[] = {
		"S 554 go away",
		"C QUIT",
		"S 221 bye",
		NULL,
	};
	struct server sv;
	correu_smtp_session *s = NULL;

	start(&sv, script, 0, 0);
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv.port, NULL, &s),
	             CORREU_ERR_REPLY);
	finish(&sv);
}

/* A caller that asks for implicit TLS but hands over a plain transport
 * must not get a session that would send a password in clear: nothing is
 * written, and the transport is taken over (freed). */
static void refused_over_plain(const correu_smtp_session_options *o)
{
	correu_transport *a, *b;
	correu_smtp_session *s = NULL;
	uint8_t buf[64];

	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &a, &b), 0);
	cr_assert_eq(correu_smtp_session_start(a, "mx.example", o, &s), CORREU_ERR_TLS_REQUIRED);
	cr_assert_null(s);
	cr_assert_eq(correu_transport_recv(b, buf, sizeof(buf)), CORREU_ERR_EOF);
	correu_transport_free(b);
}

Test(session, implicit_tls_refused_over_a_plain_transport)
{
	correu_smtp_session_options o;
	correu_smtp_settings set;

	correu_smtp_session_options_init(&o);
	o.tls_mode = CORREU_SMTP_SESSION_IMPLICIT;
	refused_over_plain(&o);
	/* The same asked through the core's settings with the STARTTLS mode:
	 * the core would take the transport for TLS and offer a password. */
	correu_smtp_settings_init(&set);
	set.tls_policy = CORREU_SMTP_TLS_IMPLICIT;
	o.tls_mode = CORREU_SMTP_SESSION_STARTTLS;
	o.settings = &set;
	refused_over_plain(&o);
}
