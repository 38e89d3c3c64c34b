/*
 * The blocking POP3 session (POP3 layer, driver): runs the sans-I/O client
 * core over a transport, as the SMTP session does. It connects (TLS from
 * the start, RFC 8314, or STLS through the core), gets ready, logs in with
 * the strongest method offered, quits, and reports the last reply. The I/O
 * loop is in session_io.c (over the proto layer's), the jobs in
 * session_ops.c.
 */
#include <string.h>

#include "session_int.h"

CORREU__PROTO_CORE(core_ops, correu_pop3_client);

#define DEF_CONNECT_TIMEOUT 30000u

void correu_pop3_session_options_init(correu_pop3_session_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = CORREU_POP3_SESSION_OPTIONS_VERSION;
	o->tls_mode = CORREU_POP3_SESSION_STLS;
	o->connect_timeout_ms = DEF_CONNECT_TIMEOUT;
}

/* The start-up ends at READY, or at a refused greeting (the core then
 * sends QUIT; its answer closes the session). */
static int start_up(correu_pop3_session *s)
{
	int rc;

	s->await = CORREU_POP3_CMD_GREETING;
	while (!s->ready && !s->closed) {
		if (s->error)
			return s->error;
		if (s->done && !s->last_ok)
			return CORREU_ERR_REPLY;
		rc = correu__proto_io_step(&s->io, &s->error, UINT64_MAX);
		if (rc < 0)
			return s->error;
	}
	s->await = 0;
	return s->ready ? 0 : CORREU_ERR_REPLY;
}

int correu_pop3_session_start(correu_transport *t, const char *host,
                              const correu_pop3_session_options *opts,
                              correu_pop3_session **session_out)
{
	correu_pop3_session_options o;
	correu_pop3_session *s;
	const correu_allocator *a;
	int rc;

	if (session_out)
		*session_out = NULL;
	if (!t || !session_out) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	if (!opts)
		correu_pop3_session_options_init(&o);
	else
		o = *opts;
	if (o.version != CORREU_POP3_SESSION_OPTIONS_VERSION ||
	    o.tls_mode > CORREU_POP3_SESSION_IMPLICIT) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	a = correu__allocator(o.settings ? o.settings->allocator : NULL);
	s = correu__calloc(a, sizeof(*s));
	if (!s) {
		correu_transport_free(t);
		return CORREU_ERR_NOMEM;
	}
	s->alloc = a;
	s->opts = o;
	s->opts.settings = NULL;
	correu__buf_init(&s->last_text, a, 4096);
	/* The reply text is kept in room made now, so that keeping it later
	 * can never fail. */
	if (correu__proto_io_init(&s->io, a, t, host, o.tls, s->rbuf, sizeof(s->rbuf)) < 0 ||
	    correu__buf_reserve(&s->last_text, 4096) < 0) {
		correu_pop3_session_free(s);
		return CORREU_ERR_NOMEM;
	}
	if (o.settings)
		s->set = *o.settings;
	else
		correu_pop3_settings_init(&s->set);
	if (o.tls_mode == CORREU_POP3_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_POP3_TLS_IMPLICIT;
	/* The implicit policy tells the core the channel is protected (it
	 * then sends passwords): only true of a TLS transport. */
	if (s->set.tls_policy == CORREU_POP3_TLS_IMPLICIT && !correu_transport_is_tls(t)) {
		correu_pop3_session_free(s);
		return CORREU_ERR_ARG;
	}
	s->set.on_event = correu__pop3_session_event;
	s->set.event_userdata = s;
	rc = correu_pop3_client_new(&s->set, &s->c);
	s->io.ops = &core_ops;
	s->io.core = s->c;
	if (rc == 0)
		rc = start_up(s);
	if (rc < 0) {
		if (s->c)
			correu__proto_io_flush(&s->io);
		correu_pop3_session_free(s);
		return rc;
	}
	*session_out = s;
	return 0;
}

int correu_pop3_session_open(const char *host, uint16_t port,
                             const correu_pop3_session_options *opts,
                             correu_pop3_session **session_out)
{
	correu_pop3_session_options o;
	correu_transport *t;
	correu_tls_config *own;
	int rc;

	if (!host || !session_out)
		return CORREU_ERR_ARG;
	if (!opts)
		correu_pop3_session_options_init(&o);
	else
		o = *opts;
	rc = correu__proto_connect(host, port, o.connect_timeout_ms,
	                           o.settings ? o.settings->allocator : NULL,
	                           o.tls_mode == CORREU_POP3_SESSION_IMPLICIT, &o.tls, &t, &own);
	if (rc == 0)
		rc = correu_pop3_session_start(t, host, &o, session_out);
	if (rc == 0)
		(*session_out)->io.own_tls = own;
	else
		correu_tls_config_free(own);
	return rc;
}

void correu_pop3_session_free(correu_pop3_session *s)
{
	if (!s)
		return;
	correu_pop3_client_free(s->c);
	correu__proto_io_free(&s->io);
	correu__buf_free(&s->last_text, false);
	correu__free(s->alloc, s, sizeof(*s));
}

/* SASL with the strongest mechanism offered; NOT_FOUND when none fits. */
static int login_sasl(correu_pop3_session *s, const char *user, const char *password)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	correu__proto_login_sasl(&cr, &ss, user, password, s->alloc, s->opts.random,
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
	if (s->error)
		return s->error;
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
	int rc;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->closed)
		return 0;
	if (s->error)
		return s->error;
	rc = correu__pop3_session_job(s, CORREU_POP3_CMD_QUIT, correu_pop3_client_quit(s->c));
	if (rc == 0 || rc == CORREU_ERR_REPLY) {
		int sh = correu_transport_shutdown(s->io.t);

		(void)sh; /* the session is over either way */
	}
	return rc;
}

int correu_pop3_session_last_reply(const correu_pop3_session *s, const char **text_out,
                                   uint32_t *resp_code_out)
{
	if (text_out)
		*text_out = "";
	if (resp_code_out)
		*resp_code_out = 0;
	if (!s || !s->have_reply)
		return CORREU_ERR_NOT_FOUND;
	if (text_out && s->last_text.len)
		*text_out = (const char *)s->last_text.data;
	if (resp_code_out)
		*resp_code_out = s->last_code;
	return s->last_ok ? 1 : 0;
}

correu_pop3_client *correu_pop3_session_client(correu_pop3_session *s)
{
	return s ? s->c : NULL;
}
