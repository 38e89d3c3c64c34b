/*
 * The blocking IMAP session (IMAP layer, driver): runs the sans-I/O client
 * core over a transport, as the SMTP and POP3 sessions do. It connects
 * (TLS from the start, RFC 8314, or STARTTLS through the core), gets
 * ready, logs in with the strongest method offered, enables the
 * extensions it can use, logs out, and reports the last response. The
 * events and waits are in session_io.c (over the proto layer's I/O loop),
 * the jobs in session_ops.c.
 */
#include <string.h>

#include "session_int.h"

CORREU__PROTO_CORE(core_ops, correu_imap_client);

#define DEF_CONNECT_TIMEOUT 30000u

void correu_imap_session_options_init(correu_imap_session_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = CORREU_IMAP_SESSION_OPTIONS_VERSION;
	o->tls_mode = CORREU_IMAP_SESSION_STARTTLS;
	o->connect_timeout_ms = DEF_CONNECT_TIMEOUT;
}

static int start_up(correu_imap_session *s)
{
	int rc;

	while (!s->ready) {
		if (s->error)
			return s->error;
		rc = correu__proto_io_step(&s->io, &s->error, UINT64_MAX);
		if (rc < 0)
			return s->error;
	}
	return 0;
}

static int make(correu_transport *t, const char *host, const correu_imap_session_options *o,
                correu_imap_session **out)
{
	const correu_allocator *a = correu__allocator(o->settings ? o->settings->allocator : NULL);
	correu_imap_session *s = correu__calloc(a, sizeof(*s));
	int rc;

	*out = s;
	if (!s)
		return CORREU_ERR_NOMEM;
	s->alloc = a;
	s->opts = *o;
	s->opts.settings = NULL;
	s->append_fd = -1;
	correu__buf_init(&s->last_text, a, 4096);
	/* The response text is kept in room made now, so that keeping it
	 * later can never fail. */
	if (correu__proto_io_init(&s->io, a, t, host, o->tls, s->rbuf, sizeof(s->rbuf)) < 0 ||
	    correu__buf_reserve(&s->last_text, 4096) < 0)
		return CORREU_ERR_NOMEM;
	if (o->settings)
		s->set = *o->settings;
	else
		correu_imap_settings_init(&s->set);
	if (o->tls_mode == CORREU_IMAP_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_IMAP_TLS_IMPLICIT;
	/* The implicit policy tells the core the channel is protected (it
	 * then sends passwords): only true of a TLS transport. */
	if (s->set.tls_policy == CORREU_IMAP_TLS_IMPLICIT && !correu_transport_is_tls(t))
		return CORREU_ERR_ARG;
	s->set.on_event = correu__imaps_event;
	s->set.event_userdata = s;
	s->io.ops = &core_ops;
	rc = correu_imap_client_new(&s->set, &s->c);
	s->io.core = s->c;
	return rc;
}

int correu_imap_session_start(correu_transport *t, const char *host,
                              const correu_imap_session_options *opts,
                              correu_imap_session **session_out)
{
	correu_imap_session_options o;
	correu_imap_session *s = NULL;
	int rc;

	if (session_out)
		*session_out = NULL;
	if (!t || !session_out) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	if (!opts)
		correu_imap_session_options_init(&o);
	else
		o = *opts;
	if (o.version != CORREU_IMAP_SESSION_OPTIONS_VERSION ||
	    o.tls_mode > CORREU_IMAP_SESSION_IMPLICIT) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	rc = make(t, host, &o, &s);
	if (!s) {
		correu_transport_free(t);
		return rc;
	}
	if (rc == 0)
		rc = start_up(s);
	if (rc < 0) {
		if (s->c)
			correu__proto_io_flush(&s->io);
		correu_imap_session_free(s);
		return rc;
	}
	*session_out = s;
	return 0;
}

int correu_imap_session_open(const char *host, uint16_t port,
                             const correu_imap_session_options *opts,
                             correu_imap_session **session_out)
{
	correu_imap_session_options o;
	correu_transport *t;
	correu_tls_config *own;
	int rc;

	if (!host || !session_out)
		return CORREU_ERR_ARG;
	if (!opts)
		correu_imap_session_options_init(&o);
	else
		o = *opts;
	rc = correu__proto_connect(host, port, o.connect_timeout_ms,
	                           o.settings ? o.settings->allocator : NULL,
	                           o.tls_mode == CORREU_IMAP_SESSION_IMPLICIT, &o.tls, &t, &own);
	if (rc == 0)
		rc = correu_imap_session_start(t, host, &o, session_out);
	if (rc == 0)
		(*session_out)->io.own_tls = own;
	else
		correu_tls_config_free(own);
	return rc;
}

void correu_imap_session_free(correu_imap_session *s)
{
	if (!s)
		return;
	correu_imap_client_free(s->c);
	correu__proto_io_free(&s->io);
	correu__buf_free(&s->last_text, false);
	correu__free(s->alloc, s, sizeof(*s));
}

static int login_sasl(correu_imap_session *s, const char *user, const char *password)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	correu__proto_login_sasl(&cr, &ss, user, password, s->alloc, s->opts.random,
	                         s->opts.random_userdata);
	return correu_imap_client_authenticate(s->c, 0, &cr, &ss);
}

/* ENABLE what the session can use, where offered (RFC 5161). QRESYNC
 * stays off: it turns EXPUNGE into VANISHED, which callers of the
 * blocking calls need not know. */
static int enable(correu_imap_session *s)
{
	int id = correu_imap_client_enable(s->c, CORREU_IMAP_CAP_IMAP4REV2 |
	                                                 CORREU_IMAP_CAP_CONDSTORE |
	                                                 CORREU_IMAP_CAP_UTF8_ACCEPT);

	if (id == CORREU_ERR_NOT_FOUND || id == CORREU_ERR_UNSUPPORTED)
		return 0;
	id = correu__imaps_job(s, id);
	/* A refused ENABLE leaves the session as it was. */
	return id == CORREU_ERR_REPLY ? 0 : id;
}

int correu_imap_session_login(correu_imap_session *s, const char *user, const char *password)
{
	int rc;

	if (!s || !user || !password)
		return CORREU_ERR_ARG;
	if (s->error)
		return s->error;
	if (correu_imap_client_logged_in(s->c))
		return enable(s);
	/* Strongest first: SASL (SCRAM never shows the password), then
	 * LOGIN (the password itself, over TLS only unless allowed). */
	rc = login_sasl(s, user, password);
	if (rc == CORREU_ERR_UNSUPPORTED || rc == CORREU_ERR_NOT_FOUND ||
	    rc == CORREU_ERR_TLS_REQUIRED) {
		int lrc = correu_imap_client_login(s->c, user, strlen(user), password,
		                                   strlen(password));

		rc = lrc == CORREU_ERR_UNSUPPORTED ? CORREU_ERR_NOT_FOUND
		     : lrc == CORREU_ERR_TLS_REQUIRED && rc != CORREU_ERR_TLS_REQUIRED
		             ? CORREU_ERR_TLS_REQUIRED
		             : lrc;
	}
	rc = correu__imaps_job(s, rc);
	if (rc == CORREU_ERR_REPLY)
		return CORREU_ERR_AUTH;
	return rc < 0 ? rc : enable(s);
}

int correu_imap_session_logout(correu_imap_session *s)
{
	int rc;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->closed)
		return 0;
	if (s->error)
		return s->error;
	rc = correu__imaps_job(s, correu_imap_client_logout(s->c));
	/* The core reports CLOSED after LOGOUT's completion; the BYE before
	 * it is the server's goodbye, not a failure. */
	if (rc == 0 || s->closed) {
		int sh = correu_transport_shutdown(s->io.t);

		(void)sh; /* the session is over either way */
		return 0;
	}
	return rc;
}

int correu_imap_session_last_response(const correu_imap_session *s, const char **text_out,
                                      uint32_t *code_out)
{
	if (text_out)
		*text_out = "";
	if (code_out)
		*code_out = 0;
	if (!s || !s->have_response)
		return CORREU_ERR_NOT_FOUND;
	if (text_out && s->last_text.len)
		*text_out = (const char *)s->last_text.data;
	if (code_out)
		*code_out = s->last_code;
	return (int)s->last_status;
}

correu_imap_client *correu_imap_session_client(correu_imap_session *s)
{
	return s ? s->c : NULL;
}

int correu_imap_session_wait(correu_imap_session *s, int id, correu_imap_event_fn fn,
                             void *userdata)
{
	if (!s)
		return CORREU_ERR_ARG;
	if (s->error)
		return s->error;
	s->data_fn = fn;
	s->fn_userdata = userdata;
	return correu__imaps_job(s, id);
}
