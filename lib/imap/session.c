/*
 * The blocking IMAP session (IMAP layer, driver): runs the sans-I/O client
 * core over a transport, as the SMTP and POP3 sessions do. It connects
 * (TLS from the start, RFC 8314, or STARTTLS through the core), gets
 * ready, logs in with the strongest method offered, enables the
 * extensions it can use, logs out, and reports the last response. The
 * events and waits are in session_io.c (over the proto layer's I/O loop),
 * the jobs in session_ops.c; making, starting and freeing it is the proto
 * layer's (session_base.c), with the typed steps here.
 */
#include <string.h>

#include "session_int.h"

CORREU__PROTO_CORE(core_ops, correu_imap_client, CORREU_IMAP_CLIENT_EV);

#define RBUF_LEN 16384u

/* Copy the options and make the core (correu__proto_kind.configure). */
static int configure(correu__proto_session *b, const void *opts, const correu_transport *t)
{
	correu_imap_session *s = (correu_imap_session *)b;
	const correu_imap_session_options *o = opts;
	int rc;

	s->opts = *o;
	s->opts.settings = NULL;
	s->append_fd = -1;
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
	rc = correu_imap_client_new(&s->set, &s->c);
	b->io.core = s->c;
	return rc;
}

static int start_up(correu__proto_session *b)
{
	int rc;

	while (!b->ready) {
		if (b->error)
			return b->error;
		rc = correu__proto_io_step(&b->io, &b->error, UINT64_MAX);
		if (rc < 0)
			return b->error;
	}
	return 0;
}

static const correu__proto_kind kind = { &core_ops, sizeof(correu_imap_session),
	                                 RBUF_LEN,  configure,
	                                 start_up,  NULL };

/* options_init, start, open and free, as correu/imap_session.h says. */
CORREU__PROTO_SESSION_API(imap, IMAP, STARTTLS, kind)

static int login_sasl(correu_imap_session *s, const char *user, const char *password)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	correu__proto_login_sasl(&cr, &ss, user, password, s->base.alloc, s->opts.random,
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
	if (s->base.error)
		return s->base.error;
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
	int rc = correu__proto_session_closing(s ? &s->base : NULL);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = correu__imaps_job(s, correu_imap_client_logout(s->c));
	/* The core reports CLOSED after LOGOUT's completion; the BYE before
	 * it is the server's goodbye, not a failure. */
	if (rc == 0 || s->base.closed) {
		correu__proto_session_shutdown(&s->base);
		return 0;
	}
	return rc;
}

int correu_imap_session_last_response(const correu_imap_session *s, const char **text_out,
                                      uint32_t *code_out)
{
	int rc = correu__proto_session_last(s ? &s->base : NULL, text_out, code_out);

	return rc < 0 ? rc : (int)s->last_status;
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
	if (s->base.error)
		return s->base.error;
	s->fn.data = fn;
	s->fn.userdata = userdata;
	return correu__imaps_job(s, id);
}
