/*
 * The commands without a transaction of their own (SMTP layer, server
 * side): RSET, NOOP, QUIT, HELP, VRFY and EXPN (RFC 5321 sections 4.1.1.5
 * to 4.1.1.10; VRFY answers 252 and EXPN 502, as section 7.3 allows, so
 * neither reveals users), and STARTTLS (RFC 3207), whose go-ahead leaves
 * the upgrade to the runtime. Any bytes the client pipelined behind
 * STARTTLS are never read by this core: the runtime drops them, and the
 * session starts over after the handshake.
 */
#include "smtpd_int.h"

static int starttls(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	int rc;

	if (!s->can_starttls && !s->tls)
		return correu__smtpd_reply(s, 502, "5.5.1", "STARTTLS not available");
	if (s->tls)
		return correu__smtpd_reply(s, 503, "5.5.1", "TLS already active");
	if (c->arg_len)
		return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: STARTTLS");
	correu__smtpd_txn_reset(s);
	rc = correu__smtpd_reply(s, 220, "2.0.0", "Ready to start TLS");
	if (rc == 0)
		s->phase = PH_TLS;
	return rc;
}

int correu__smtpd_simple(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	switch (c->verb) {
	case V_RSET:
		if (c->arg_len)
			return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: RSET");
		correu__smtpd_txn_reset(s);
		return correu__smtpd_reply(s, 250, "2.0.0", "Ok");
	case V_NOOP: return correu__smtpd_reply(s, 250, "2.0.0", "Ok");
	case V_QUIT: {
		int rc;

		/* A transaction not finished by now is dropped. */
		correu__smtpd_txn_reset(s);
		correu__server_out_release(&s->out);
		rc = correu__smtpd_reply(s, 221, "2.0.0", "Bye");
		s->phase = PH_CLOSING;
		return rc;
	}
	case V_HELP:
		return correu__smtpd_reply(s, 214, "2.0.0",
		                           "See RFC 5321: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP "
		                           "QUIT VRFY STARTTLS AUTH");
	case V_VRFY:
		if (s->svc->set.flags & CORREU_SMTP_SERVER_NO_VRFY)
			return correu__smtpd_reply(s, 502, "5.5.1", "VRFY not available");
		if (c->arg_len == 0)
			return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: VRFY address");
		return correu__smtpd_reply(s, 252, "2.5.2",
		                           "Cannot VRFY user, but will accept message and attempt "
		                           "delivery");
	case V_EXPN: return correu__smtpd_reply(s, 502, "5.5.1", "EXPN not available");
	case V_STARTTLS: return starttls(s, c);
	default: return correu__smtpd_reply(s, 500, "5.5.2", "Command unrecognized");
	}
}
