/*
 * The blocking SMTP session (SMTP layer, driver): runs the sans-I/O client
 * core over a transport through the proto layer's I/O loop. It connects,
 * upgrades to TLS when the core says so (RFC 3207) or from the start (RFC
 * 8314), waits on the transport with the core's deadlines, and turns the
 * core's events into results. Making, starting and freeing it is the
 * proto layer's (session_base.c); the typed steps are here.
 */
#include "session_int.h"

#define RBUF_LEN 4096u

CORREU__PROTO_CORE(core_ops, correu_smtp_client, CORREU_SMTP_EV);

static void on_reply(correu_smtp_session *s, const correu_smtp_event *ev)
{
	s->base.have_reply = true;
	s->base.last_code = ev->code;
	s->base.last_text.len = 0;
	/* Keep what fits; the text is for people, never parsed. */
	if (correu__buf_append(&s->base.last_text, ev->text, ev->text_len) < 0)
		s->base.last_text.len = 0;
	if (correu__buf_append(&s->base.last_text, "", 1) < 0)
		s->base.last_text.len = 0;
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
}

static int on_event(const correu_smtp_event *ev, void *userdata)
{
	correu_smtp_session *s = userdata;

	if (ev->type == CORREU_SMTP_EV_REPLY)
		on_reply(s, ev);
	else if (ev->type == CORREU_SMTP_EV_BODY)
		s->body = true;
	else
		correu__proto_session_event(&s->base, ev->type, ev->error);
	return s->tap ? s->tap(ev, s->tap_userdata) : 0;
}

int correu__smtp_session_io(correu_smtp_session *s)
{
	return correu__proto_io_round(&s->base.io, UINT64_MAX);
}

int correu__smtp_session_until(correu_smtp_session *s, bool (*cond)(const correu_smtp_session *))
{
	int rc;

	while (!cond(s)) {
		rc = correu__proto_io_step(&s->base.io, &s->base.error, UINT64_MAX);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool greeted(const correu_smtp_session *s)
{
	return s->base.ready || s->base.closed;
}

/* Copy the options and make the core (correu__proto_kind.configure). */
static int configure(correu__proto_session *b, const void *opts, const correu_transport *t)
{
	correu_smtp_session *s = (correu_smtp_session *)b;
	const correu_smtp_session_options *o = opts;
	int rc;

	s->opts = *o;
	s->opts.settings = NULL;
	if (o->settings)
		s->set = *o->settings;
	else
		correu_smtp_settings_init(&s->set);
	if (o->tls_mode == CORREU_SMTP_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_SMTP_TLS_IMPLICIT;
	/* The core trusts an implicit-TLS policy, whether the mode or the
	 * settings ask for it, and would then allow password mechanisms, so a
	 * plain transport must never be started that way. */
	if (s->set.tls_policy == CORREU_SMTP_TLS_IMPLICIT && !correu_transport_is_tls(t))
		return CORREU_ERR_TLS_REQUIRED;
	s->set.on_event = on_event;
	s->set.event_userdata = s;
	rc = correu_smtp_client_new(&s->set, &s->c);
	b->io.core = s->c;
	return rc;
}

static int start_up(correu__proto_session *b)
{
	correu_smtp_session *s = (correu_smtp_session *)b;
	int rc = correu__smtp_session_until(s, greeted);

	if (rc == 0 && !b->ready)
		rc = CORREU_ERR_REPLY; /* the greeting or EHLO was refused */
	return rc;
}

/* What the session owns beside its core: the last message's codes. */
static void release(correu__proto_session *b)
{
	correu_smtp_session *s = (correu_smtp_session *)b;

	if (s->rcpt_codes)
		correu__free(b->alloc, s->rcpt_codes, s->nrcpt * sizeof(*s->rcpt_codes));
}

static const correu__proto_kind kind = { &core_ops, sizeof(correu_smtp_session),
	                                 RBUF_LEN,  configure,
	                                 start_up,  release };

/* options_init, start, open and free, as correu/smtp.h says. */
CORREU__PROTO_SESSION_API(smtp, SMTP, STARTTLS, kind)

static bool is_closed(const correu_smtp_session *s)
{
	return s->base.closed;
}

int correu_smtp_session_quit(correu_smtp_session *s)
{
	int rc = correu__proto_session_closing(s ? &s->base : NULL);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = correu_smtp_client_quit(s->c);
	if (rc == 0)
		rc = correu__smtp_session_until(s, is_closed);
	if (rc == 0)
		correu__proto_session_shutdown(&s->base);
	return rc;
}

uint32_t correu_smtp_session_last_reply(const correu_smtp_session *s, const char **text_out)
{
	uint32_t code;
	int rc = correu__proto_session_last(s ? &s->base : NULL, text_out, &code);

	(void)rc; /* none yet: "" and 0 */
	return code;
}

correu_smtp_client *correu_smtp_session_client(correu_smtp_session *s)
{
	return s ? s->c : NULL;
}
