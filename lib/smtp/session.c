/*
 * The blocking SMTP session (SMTP layer, driver): runs the sans-I/O client
 * core over a transport through the proto layer's I/O loop. It connects,
 * upgrades to TLS when the core says so (RFC 3207) or from the start (RFC
 * 8314), waits on the transport with the core's deadlines, and turns the
 * core's events into results.
 */
#include <string.h>

#include "session_int.h"

#define DEF_CONNECT_TIMEOUT 30000u

CORREU__PROTO_CORE(core_ops, correu_smtp_client);

void correu_smtp_session_options_init(correu_smtp_session_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = CORREU_SMTP_SESSION_OPTIONS_VERSION;
	o->tls_mode = CORREU_SMTP_SESSION_STARTTLS;
	o->connect_timeout_ms = DEF_CONNECT_TIMEOUT;
}

static int on_event(const correu_smtp_event *ev, void *userdata)
{
	correu_smtp_session *s = userdata;

	switch (ev->type) {
	case CORREU_SMTP_EV_REPLY:
		s->last_code = ev->code;
		s->last_text.len = 0;
		/* Keep what fits; the text is for people, never parsed. */
		if (correu__buf_append(&s->last_text, ev->text, ev->text_len) < 0)
			s->last_text.len = 0;
		if (correu__buf_append(&s->last_text, "", 1) < 0)
			s->last_text.len = 0;
		if (ev->command == CORREU_SMTP_CMD_AUTH)
			s->auth_done = true;
		if (ev->command == CORREU_SMTP_CMD_RCPT && ev->index < s->nrcpt)
			s->rcpt_codes[ev->index] = ev->code;
		if (ev->command == CORREU_SMTP_CMD_DATA_END) {
			s->data_end_code = ev->code;
			if (s->set.flags & CORREU_SMTP_LMTP) {
				if (ev->index < s->nrcpt)
					s->rcpt_codes[ev->index] = ev->code;
				if (ev->code >= 200 && ev->code < 300)
					s->delivered++;
			}
		}
		break;
	case CORREU_SMTP_EV_READY: s->ready = true; break;
	case CORREU_SMTP_EV_STARTTLS: s->io.starttls = true; break;
	case CORREU_SMTP_EV_BODY: s->body = true; break;
	case CORREU_SMTP_EV_CLOSED: s->closed = true; break;
	case CORREU_SMTP_EV_ERROR: s->error = ev->error; break;
	default: break;
	}
	return s->tap ? s->tap(ev, s->tap_userdata) : 0;
}

int correu__smtp_session_io(correu_smtp_session *s)
{
	return correu__proto_io_round(&s->io, UINT64_MAX);
}

int correu__smtp_session_until(correu_smtp_session *s, bool (*cond)(const correu_smtp_session *))
{
	int rc;

	while (!cond(s)) {
		rc = correu__proto_io_step(&s->io, &s->error, UINT64_MAX);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool greeted(const correu_smtp_session *s)
{
	return s->ready || s->closed;
}

int correu_smtp_session_start(correu_transport *t, const char *host,
                              const correu_smtp_session_options *opts,
                              correu_smtp_session **session_out)
{
	correu_smtp_session_options o;
	correu_smtp_session *s;
	const correu_allocator *a;
	int rc;

	if (session_out)
		*session_out = NULL;
	if (!t || !session_out) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	if (!opts)
		correu_smtp_session_options_init(&o);
	else
		o = *opts;
	if (o.version != CORREU_SMTP_SESSION_OPTIONS_VERSION ||
	    o.tls_mode > CORREU_SMTP_SESSION_IMPLICIT) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	/* The core trusts an implicit-TLS policy and would then allow password
	 * mechanisms, so a plain transport must never be started that way. */
	if (o.tls_mode == CORREU_SMTP_SESSION_IMPLICIT && !correu_transport_is_tls(t)) {
		correu_transport_free(t);
		return CORREU_ERR_TLS_REQUIRED;
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
	if (correu__proto_io_init(&s->io, a, t, host, o.tls, s->rbuf, sizeof(s->rbuf)) < 0) {
		correu_smtp_session_free(s);
		return CORREU_ERR_NOMEM;
	}
	if (o.settings)
		s->set = *o.settings;
	else
		correu_smtp_settings_init(&s->set);
	if (o.tls_mode == CORREU_SMTP_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_SMTP_TLS_IMPLICIT;
	s->set.on_event = on_event;
	s->set.event_userdata = s;
	rc = correu_smtp_client_new(&s->set, &s->c);
	s->io.ops = &core_ops;
	s->io.core = s->c;
	if (rc == 0)
		rc = correu__smtp_session_until(s, greeted);
	if (rc == 0 && !s->ready)
		rc = CORREU_ERR_REPLY; /* the greeting or EHLO was refused */
	if (rc < 0) {
		if (s->c)
			correu__proto_io_flush(&s->io);
		correu_smtp_session_free(s);
		return rc;
	}
	*session_out = s;
	return 0;
}

int correu_smtp_session_open(const char *host, uint16_t port,
                             const correu_smtp_session_options *opts,
                             correu_smtp_session **session_out)
{
	correu_smtp_session_options o;
	correu_transport *t;
	correu_tls_config *own;
	int rc;

	if (!host || !session_out)
		return CORREU_ERR_ARG;
	if (!opts)
		correu_smtp_session_options_init(&o);
	else
		o = *opts;
	rc = correu__proto_connect(host, port, o.connect_timeout_ms,
	                           o.settings ? o.settings->allocator : NULL,
	                           o.tls_mode == CORREU_SMTP_SESSION_IMPLICIT, &o.tls, &t, &own);
	if (rc == 0)
		rc = correu_smtp_session_start(t, host, &o, session_out);
	if (rc == 0)
		(*session_out)->io.own_tls = own;
	else
		correu_tls_config_free(own);
	return rc;
}

void correu_smtp_session_free(correu_smtp_session *s)
{
	if (!s)
		return;
	correu_smtp_client_free(s->c);
	correu__proto_io_free(&s->io);
	if (s->rcpt_codes)
		correu__free(s->alloc, s->rcpt_codes, s->nrcpt * sizeof(*s->rcpt_codes));
	correu__buf_free(&s->last_text, false);
	correu__free(s->alloc, s, sizeof(*s));
}

static bool is_closed(const correu_smtp_session *s)
{
	return s->closed;
}

int correu_smtp_session_quit(correu_smtp_session *s)
{
	int rc;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->closed)
		return 0;
	if (s->error)
		return s->error;
	rc = correu_smtp_client_quit(s->c);
	if (rc == 0)
		rc = correu__smtp_session_until(s, is_closed);
	if (rc == 0) {
		int sh = correu_transport_shutdown(s->io.t);

		(void)sh; /* the session is over either way */
	}
	return rc;
}

uint32_t correu_smtp_session_last_reply(const correu_smtp_session *s, const char **text_out)
{
	if (text_out)
		*text_out = s && s->last_text.len ? (const char *)s->last_text.data : "";
	return s ? s->last_code : 0;
}

correu_smtp_client *correu_smtp_session_client(correu_smtp_session *s)
{
	return s ? s->c : NULL;
}
