/*
 * The blocking POP3 session (POP3 layer, driver): runs the sans-I/O client
 * core over a transport, as the SMTP session does. It connects (TLS from
 * the start, RFC 8314, or STLS through the core), gets ready, logs in with
 * the strongest method offered, quits, and reports the last reply. The I/O
 * loop is in session_io.c (over the proto layer's), the jobs in
 * session_ops.c; making, starting and freeing it is the proto layer's
 * (session_base.c), with the typed steps here.
 */
#include <string.h>

#include "session_int.h"

CORREU__PROTO_CORE(core_ops, correu_pop3_client, CORREU_POP3_EV);

#define RBUF_LEN 16384u

/* Copy the options and make the core (correu__proto_kind.configure). */
static int configure(correu__proto_session *b, const void *opts, const correu_transport *t)
{
	correu_pop3_session *s = (correu_pop3_session *)b;
	const correu_pop3_session_options *o = opts;
	int rc;

	s->opts = *o;
	s->opts.settings = NULL;
	if (o->settings)
		s->set = *o->settings;
	else
		correu_pop3_settings_init(&s->set);
	if (o->tls_mode == CORREU_POP3_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_POP3_TLS_IMPLICIT;
	/* The implicit policy tells the core the channel is protected (it
	 * then sends passwords): only true of a TLS transport. */
	if (s->set.tls_policy == CORREU_POP3_TLS_IMPLICIT && !correu_transport_is_tls(t))
		return CORREU_ERR_ARG;
	s->set.on_event = correu__pop3_session_event;
	s->set.event_userdata = s;
	rc = correu_pop3_client_new(&s->set, &s->c);
	b->io.core = s->c;
	return rc;
}

/* The start-up ends at READY, or at a refused greeting (the core then
 * sends QUIT; its answer closes the session). */
static int start_up(correu__proto_session *b)
{
	correu_pop3_session *s = (correu_pop3_session *)b;
	int rc;

	b->await = CORREU_POP3_CMD_GREETING;
	while (!b->ready && !b->closed) {
		if (b->error)
			return b->error;
		if (b->done && !s->last_ok)
			return CORREU_ERR_REPLY;
		rc = correu__proto_io_step(&b->io, &b->error, UINT64_MAX);
		if (rc < 0)
			return b->error;
	}
	b->await = 0;
	return b->ready ? 0 : CORREU_ERR_REPLY;
}

static const correu__proto_kind kind = { &core_ops, sizeof(correu_pop3_session),
	                                 RBUF_LEN,  configure,
	                                 start_up,  NULL };

/* options_init, start, open and free, as correu/pop3.h says. */
CORREU__PROTO_SESSION_API(pop3, POP3, STLS, kind)

/* SASL with the strongest mechanism offered; NOT_FOUND when none fits. */
static int login_sasl(correu_pop3_session *s, const char *user, const char *password)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	correu__proto_login_sasl(&cr, &ss, user, password, s->base.alloc, s->opts.random,
	                         s->opts.random_userdata);
	return correu_pop3_client_auth(s->c, 0, &cr, &ss);
}

int correu_pop3_session_login(correu_pop3_session *s, const char *user, const char *password)
{
	size_t ulen, plen;
	uint32_t cmd;
	int rc;

	if (!s || !user || !password)
		return CORREU_ERR_ARG;
	if (s->base.error)
		return s->base.error;
	ulen = strlen(user);
	plen = strlen(password);
	/* Strongest first: SASL (SCRAM never shows the password), then APOP
	 * (a digest), then USER/PASS (the password itself, over TLS only
	 * unless allowed). */
	cmd = CORREU_POP3_CMD_AUTH;
	rc = login_sasl(s, user, password);
	if (rc == CORREU_ERR_UNSUPPORTED || rc == CORREU_ERR_NOT_FOUND ||
	    rc == CORREU_ERR_TLS_REQUIRED) {
		cmd = CORREU_POP3_CMD_APOP;
		rc = correu_pop3_client_apop(s->c, user, ulen, password, plen);
	}
	if (rc == CORREU_ERR_UNSUPPORTED) {
		cmd = CORREU_POP3_CMD_PASS;
		rc = correu_pop3_client_user(s->c, user, ulen, password, plen);
		if (rc == CORREU_ERR_UNSUPPORTED)
			rc = CORREU_ERR_NOT_FOUND;
	}
	rc = correu__pop3_session_job(s, cmd, rc < 0 ? rc : 0);
	return rc == CORREU_ERR_REPLY ? CORREU_ERR_AUTH : rc;
}

int correu_pop3_session_quit(correu_pop3_session *s)
{
	int rc = correu__proto_session_closing(s ? &s->base : NULL);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = correu__pop3_session_job(s, CORREU_POP3_CMD_QUIT, correu_pop3_client_quit(s->c));
	if (rc == 0 || rc == CORREU_ERR_REPLY)
		correu__proto_session_shutdown(&s->base);
	return rc;
}

int correu_pop3_session_last_reply(const correu_pop3_session *s, const char **text_out,
                                   uint32_t *resp_code_out)
{
	int rc = correu__proto_session_last(s ? &s->base : NULL, text_out, resp_code_out);

	return rc < 0 ? rc : s->last_ok ? 1 : 0;
}

correu_pop3_client *correu_pop3_session_client(correu_pop3_session *s)
{
	return s ? s->c : NULL;
}
