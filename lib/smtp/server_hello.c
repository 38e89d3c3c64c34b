/*
 * EHLO, HELO and LHLO (SMTP layer, server side): the client names itself
 * and the server lists its extensions (RFC 5321 section 4.1.1.1, RFC 2033
 * section 4.1). A hello resets any transaction. What is offered depends on
 * the session: STARTTLS only before TLS, AUTH only where it may be used,
 * REQUIRETLS only over TLS (RFC 8689 section 4), XCLIENT only to trusted
 * networks.
 */
#include <stdio.h>
#include <string.h>

#include "smtpd_int.h"

static int cap_line(correu__smtpd *s, const char *text, size_t len, bool last)
{
	/* RFC 2034 section 3: no enhanced code in the reply to EHLO. */
	return correu__smtpd_reply_line(s, 250, last, NULL, text, len);
}

static int capabilities(correu__smtpd *s)
{
	const correu_smtp_service *svc = s->svc;
	bool lmtp = svc->set.mode == CORREU_SMTP_SERVER_LMTP;
	const char *fixed[] = { "PIPELINING",          "8BITMIME", "SMTPUTF8",  "DSN",
		                "ENHANCEDSTATUSCODES", "CHUNKING", "BINARYMIME" };
	char line[64];
	correu__buf auth;
	int rc = 0;

	snprintf(line, sizeof(line), "SIZE %llu", (unsigned long long)svc->set.max_message);
	rc = cap_line(s, line, strlen(line), false);
	for (size_t i = 0; i < CORREU__ARRAY_LEN(fixed) && rc == 0; i++)
		rc = cap_line(s, fixed[i], strlen(fixed[i]), false);
	if (rc == 0 && s->can_starttls && !s->tls)
		rc = cap_line(s, "STARTTLS", 8, false);
	if (rc == 0 && !lmtp && s->tls)
		rc = cap_line(s, "REQUIRETLS", 10, false);
	if (rc == 0 && correu__smtpd_auth_offered(s)) {
		correu__buf_init(&auth, s->alloc, 256);
		rc = correu__buf_append(&auth, "AUTH", 4);
		if (rc == 0)
			rc = correu__smtpd_auth_mechs(s, &auth);
		if (rc == 0 && auth.len > 4)
			rc = cap_line(s, (const char *)auth.data, auth.len, false);
		correu__buf_free(&auth, false);
	}
	if (rc == 0 && s->trusted) {
		const char *x = "XCLIENT ADDR PORT NAME HELO PROTO LOGIN";

		rc = cap_line(s, x, strlen(x), false);
	}
	if (rc == 0)
		rc = cap_line(s, "HELP", 4, true);
	return rc;
}

int correu__smtpd_hello(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	bool lmtp = s->svc->set.mode == CORREU_SMTP_SERVER_LMTP;
	char text[2 * SMTPD_MAX_DOMAIN + 16];
	int rc;

	/* RFC 2033 section 4.1: an LMTP server refuses HELO and EHLO. */
	if (lmtp != (c->verb == V_LHLO))
		return lmtp ? correu__smtpd_reply(s, 500, "5.5.1", "This is LMTP: use LHLO")
		            : correu__smtpd_reply(s, 500, "5.5.2", "Command unrecognized");
	if (c->arg_len == 0)
		return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: EHLO hostname");
	if (c->arg_len > SMTPD_MAX_DOMAIN || correu__smtp_check_domain(c->arg, c->arg_len) < 0)
		return correu__smtpd_reply(s, 501, "5.5.4", "Invalid domain name");
	/* RFC 5321 section 4.1.4: a hello in a transaction is a RSET. */
	correu__smtpd_txn_reset(s);
	if (!s->helo_locked) {
		memcpy(s->helo, c->arg, c->arg_len);
		s->helo[c->arg_len] = '\0';
		s->helo_len = c->arg_len;
	}
	s->esmtp = c->verb != V_HELO;
	snprintf(text, sizeof(text), "%s%s%s", s->svc->host, s->esmtp ? " greets " : "",
	         s->esmtp ? s->helo : "");
	rc = correu__smtpd_reply_line(s, 250, !s->esmtp, NULL, text, strlen(text));
	if (rc == 0 && s->esmtp)
		rc = capabilities(s);
	return rc;
}
