/*
 * AUTH (RFC 4954) over the SASL layer (SMTP layer): the mechanism is the
 * strongest the server offers for the credentials, the initial response
 * goes with the command when the line stays within 512 bytes (§4), each
 * 334 challenge is base64-decoded, answered by the mechanism and encoded
 * back, and a challenge the mechanism cannot answer cancels with "*".
 */
#include "smtp_internal.h"

/* RFC 4954 §4: the AUTH command line, initial response included. */
#define MAX_AUTH_COMMAND 512

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

static int auth_command(correu_smtp_client *c, const char *name, const uint8_t *ir,
                        size_t ir_len, int has_ir)
{
	correu__buf b;
	int rc;

	correu__buf_init(&b, c->alloc, c->set.max_queue);
	rc = correu__smtp_append_str(&b, "AUTH ");
	if (rc == 0)
		rc = correu__smtp_append_str(&b, name);
	if (rc == 0 && has_ir &&
	    b.len + 1 + correu_base64_encoded_len(ir_len) + 2 <= MAX_AUTH_COMMAND) {
		rc = correu__buf_append(&b, " ", 1);
		if (rc == 0)
			rc = correu__proto_b64_append(&b, ir, ir_len, true);
	} else if (rc == 0 && has_ir) {
		/* Too long for the command line: keep it for the first 334. */
		rc = correu__proto_sasl_keep_ir(&c->sasl, ir, ir_len);
	}
	if (rc == 0)
		rc = correu__buf_append(&b, "\r\n", 2);
	if (rc == 0)
		rc = correu__smtp_queue(c, CORREU_SMTP_CMD_AUTH, 0, b.data, b.len);
	correu__buf_free(&b, true);
	return rc;
}

int correu_smtp_client_auth(correu_smtp_client *c, int mech, const correu_sasl_credentials *cred,
                            const correu_sasl_settings *sasl)
{
	const uint8_t *ir;
	size_t ir_len;
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
	rc = correu__proto_sasl_start(&c->sasl, sasl, mech, cred, &ir, &ir_len);
	if (rc < 0)
		return rc;
	rc = auth_command(c, correu_sasl_mech_name(mech), ir, ir_len, rc);
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
	const uint8_t *out;
	size_t out_len;
	int rc = correu__proto_sasl_answer(&c->sasl, (const char *)r->text.data, r->text.len, &out,
	                                   &out_len);

	if (rc == CORREU_ERR_PROTO)
		return correu__smtp_fail(c, rc, "334 after AUTH was cancelled");
	if (rc < 0)
		return correu__smtp_fail(c, rc, "out of memory");
	rc = correu__proto_sasl_line(&c->out, out, out_len, rc == 1);
	c->progress = true;
	return rc < 0 ? correu__smtp_fail(c, rc, "AUTH response does not fit") : 0;
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
