/*
 * AUTH (RFC 4954) over the SASL layer (SMTP layer): the mechanism is the
 * strongest the server offers for the credentials, the initial response
 * goes with the command when the line stays within 512 bytes (§4), each
 * 334 challenge is base64-decoded, answered by the mechanism and encoded
 * back, and a challenge the mechanism cannot answer cancels with "*".
 */
#include "smtp_internal.h"
#include "proto/proto_auth.h"

/* RFC 4954 §4: the AUTH command line, initial response included. */
#define MAX_AUTH_COMMAND 512

/* Why an exchange can fail while answering, as the error events say. */
static const correu__proto_auth_why why = { "334 after AUTH was cancelled",
	                                    "AUTH response does not fit" };

void correu__smtp_auth_clear(correu_smtp_client *c)
{
	correu__proto_sasl_clear(&c->sasl);
}

static int choose(correu_smtp_client *c, int mech, const correu_sasl_credentials *cred,
                  int *out)
{
	const char *auth = (const char *)c->caps.auth.data;
	size_t len = c->caps.auth.len;
	bool secure = c->tls || (c->set.flags & CORREU_SMTP_ALLOW_PLAINTEXT_AUTH);
	int rc = correu__proto_sasl_pick(auth, len, mech, secure, cred, out);
	int alt;

	/* Say why nothing fits when only plaintext mechanisms are offered on
	 * a plain connection: TLS, not a missing mechanism. */
	if (rc == CORREU_ERR_NOT_FOUND && !secure &&
	    correu__proto_sasl_pick(auth, len, 0, true, cred, &alt) == 0)
		rc = CORREU_ERR_TLS_REQUIRED;
	return rc;
}

int correu_smtp_client_auth(correu_smtp_client *c, int mech, const correu_sasl_credentials *cred,
                            const correu_sasl_settings *sasl)
{
	correu__buf b;
	int rc;

	if (!c || !cred || mech < 0)
		return CORREU_ERR_ARG;
	if (c->state == ST_FAILED)
		return c->error;
	if (c->state != ST_READY || c->sasl.client || c->authenticated || c->txn != TXN_IDLE)
		return CORREU_ERR_STATE;
	if (!(c->caps.mask & CORREU_SMTP_CAP_AUTH) || c->caps.auth.len == 0)
		return CORREU_ERR_UNSUPPORTED;
	rc = choose(c, mech, cred, &mech);
	if (rc < 0)
		return rc;
	correu__buf_init(&b, c->alloc, c->set.max_queue);
	rc = correu__proto_auth_command(&c->sasl, sasl, mech, cred, &b, MAX_AUTH_COMMAND);
	if (rc == 0)
		rc = correu__smtp_queue(c, CORREU_SMTP_CMD_AUTH, 0, b.data, b.len);
	correu__buf_free(&b, true);
	if (rc < 0) {
		correu__smtp_auth_clear(c);
		return rc;
	}
	correu__log(&c->logger, CORREU_LOG_INFO, "smtp: AUTH %s", correu_sasl_mech_name(mech));
	return mech;
}

/* Answer a 334 challenge (base64, or "*" to cancel) straight in the
 * output: AUTH ends a pipelining group, so nothing is queued before it.
 * A multi-line 334 has no meaning in RFC 4954: it is not base64 either. */
static int challenge(correu_smtp_client *c, correu__smtp_reply *r)
{
	const char *reason;
	int rc = correu__proto_auth_answer(&c->sasl, (const char *)r->text.data, r->text.len,
	                                   &c->out, &c->timer, &why, &reason);

	return rc < 0 ? correu__smtp_fail(c, rc, reason) : 0;
}

int correu__smtp_auth_reply(correu_smtp_client *c, correu__smtp_reply *r)
{
	int rc;

	if (!c->sasl.client)
		return correu__smtp_fail(c, CORREU_ERR_PROTO, "AUTH reply without an exchange");
	if (r->code == 334)
		return challenge(c, r);
	if (r->code == 235) {
		/* SCRAM: the server must have proved it knows the password
		 * (RFC 5802 §5); success without that proof is an attack. */
		rc = correu__proto_sasl_finish(&c->sasl);
		if (rc < 0) /* failing ends the exchange too */
			return correu__smtp_fail(c, CORREU_ERR_AUTH,
			                         "the server did not prove it knows the password");
		c->authenticated = true;
	}
	correu__smtp_auth_clear(c);
	return correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, CORREU_SMTP_CMD_AUTH, r, 0);
}
