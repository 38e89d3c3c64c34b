/*
 * The blocking SMTP session against a scripted server thread on loopback:
 * plaintext, STARTTLS and implicit TLS (self-signed certificate trusted by
 * the client), login, messages from a buffer and a file descriptor, LMTP,
 * the TLS policy, and a greeting that never comes (timeout).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correu/smtp.h"

struct server {
	correu_tcp_listener *l;
	int port;
	const char *const *script;
	correu_tls_config *tls;
	int implicit;
	char fail[512]; /* first mismatch, "" when none */
	char body[8192];
	size_t body_len;
	pthread_t th;
	/* reading */
	correu_transport *t;
	char in[8192];
	size_t in_len;
};

static int srv_wait(correu_transport *t, correu_ssize rc)
{
	if (rc != CORREU_ERR_WANT_READ && rc != CORREU_ERR_WANT_WRITE)
		return (int)rc;
	rc = correu_transport_wait(t, rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
	                           5000);
	return rc < 0 ? (int)rc : 0;
}

static int srv_send(struct server *sv, const char *text)
{
	size_t len = strlen(text), off = 0;

	while (off < len) {
		correu_ssize n = correu_transport_send(sv->t, (const uint8_t *)text + off, len - off);

		if (n > 0)
			off += (size_t)n;
		else if (srv_wait(sv->t, n) < 0)
			return -1;
	}
	return 0;
}

/* One line (without CRLF) into out; -1 on EOF or error. */
static int srv_line(struct server *sv, char *out, size_t cap)
{
	for (;;) {
		char *nl = memchr(sv->in, '\n', sv->in_len);

		if (nl) {
			size_t n = (size_t)(nl - sv->in) + 1;
			size_t l = n >= 2 && sv->in[n - 2] == '\r' ? n - 2 : n - 1;

			if (l >= cap)
				l = cap - 1;
			memcpy(out, sv->in, l);
			out[l] = '\0';
			memmove(sv->in, sv->in + n, sv->in_len - n);
			sv->in_len -= n;
			return 0;
		}
		correu_ssize r = correu_transport_recv(sv->t, (uint8_t *)sv->in + sv->in_len,
		                                       sizeof(sv->in) - sv->in_len);

		if (r > 0)
			sv->in_len += (size_t)r;
		else if (srv_wait(sv->t, r) < 0)
			return -1;
	}
}

static int srv_tls(struct server *sv)
{
	int rc = correu_transport_starttls(sv->t, sv->tls, NULL);

	while (rc == 0 || rc == CORREU_ERR_WANT_READ || rc == CORREU_ERR_WANT_WRITE) {
		rc = correu_transport_handshake(sv->t);
		if (rc == 0)
			return 0;
		if (srv_wait(sv->t, rc) < 0)
			return -1;
	}
	return rc;
}

static void *serve(void *arg)
{
	struct server *sv = arg;
	char line[1024];
	int rc = CORREU_ERR_WANT_READ;

	while (rc == CORREU_ERR_WANT_READ) {
		rc = correu_tcp_accept(sv->l, &sv->t, NULL, 0);
		if (rc == CORREU_ERR_WANT_READ)
			usleep(1000);
	}
	if (rc < 0) {
		snprintf(sv->fail, sizeof(sv->fail), "accept: %s", correu_err_name(rc));
		return NULL;
	}
	if (sv->implicit && srv_tls(sv) < 0) {
		snprintf(sv->fail, sizeof(sv->fail), "implicit TLS handshake failed");
		goto out;
	}
	for (const char *const *st = sv->script; *st && !sv->fail[0]; st++) {
		const char *s = *st;

		if (s[0] == 'S') {
			char buf[1100];

			snprintf(buf, sizeof(buf), "%s\r\n", s + 2);
			if (srv_send(sv, buf) < 0)
				snprintf(sv->fail, sizeof(sv->fail), "send failed at %s", s);
		} else if (s[0] == 'C') {
			if (srv_line(sv, line, sizeof(line)) < 0)
				snprintf(sv->fail, sizeof(sv->fail), "EOF waiting for %s", s + 2);
			else if (strcmp(line, s + 2) != 0)
				snprintf(sv->fail, sizeof(sv->fail), "got \"%s\", want \"%s\"", line,
				         s + 2);
		} else if (s[0] == 'D') {
			/* The body, up to the line ".", kept in wire form. */
			sv->body_len = 0;
			while (srv_line(sv, line, sizeof(line)) == 0 && strcmp(line, ".") != 0) {
				size_t l = strlen(line);

				if (sv->body_len + l + 2 < sizeof(sv->body)) {
					memcpy(sv->body + sv->body_len, line, l);
					memcpy(sv->body + sv->body_len + l, "\r\n", 2);
					sv->body_len += l + 2;
				}
			}
		} else if (s[0] == 'T') {
			if (sv->in_len != 0 || srv_tls(sv) < 0)
				snprintf(sv->fail, sizeof(sv->fail), "STARTTLS handshake failed");
		} else if (s[0] == 'W') {
			usleep(1000u * (unsigned)atoi(s + 2));
		}
	}
out:
	if (correu_transport_shutdown(sv->t) < 0) {
		/* the client may be gone already */
	}
	correu_transport_free(sv->t);
	return NULL;
}

static char cert_pem[4096];

static void start(struct server *sv, const char *const *script, int tls, int implicit)
{
	memset(sv, 0, sizeof(*sv));
	sv->script = script;
	sv->implicit = implicit;
	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &sv->l), 0);
	sv->port = correu_tcp_listener_port(sv->l);
	cr_assert_gt(sv->port, 0);
	if (tls) {
		size_t n;

		cr_assert_eq(correu_tls_config_new(CORREU_TLS_SERVER, NULL, &sv->tls), 0);
		cr_assert_eq(correu_tls_config_set_self_signed(sv->tls, "127.0.0.1", 2,
		                                               (uint8_t *)cert_pem, sizeof(cert_pem),
		                                               &n),
		             0);
	}
	cr_assert_eq(pthread_create(&sv->th, NULL, serve, sv), 0);
}

static void finish(struct server *sv)
{
	pthread_join(sv->th, NULL);
	correu_tcp_listener_free(sv->l);
	correu_tls_config_free(sv->tls);
	cr_assert_str_eq(sv->fail, "", "server: %s", sv->fail);
}

static correu_tls_config *client_tls(void)
{
	correu_tls_config *c;

	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &c), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(c, (const uint8_t *)cert_pem, strlen(cert_pem)),
	             0);
	return c;
}

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

Test(session, implicit_tls_refused_over_a_plain_transport)
{
	correu_transport *a, *b;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;
	uint8_t buf[64];

	/* A caller that asks for implicit TLS but hands over a plain transport
	 * must not get a session that would send a password in clear. */
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &a, &b), 0);
	correu_smtp_session_options_init(&o);
	o.tls_mode = CORREU_SMTP_SESSION_IMPLICIT;
	cr_assert_eq(correu_smtp_session_start(a, "mx.example", &o, &s), CORREU_ERR_TLS_REQUIRED);
	cr_assert_null(s);
	/* Nothing was written, and the transport was taken over (freed). */
	cr_assert_eq(correu_transport_recv(b, buf, sizeof(buf)), CORREU_ERR_EOF);
	correu_transport_free(b);
}
