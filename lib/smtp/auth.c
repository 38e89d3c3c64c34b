/*
 * AUTH (RFC 4954) over the SASL layer (SMTP layer): the mechanism is the
 * strongest the server offers for the credentials, the initial response
 * goes with the command when the line stays within 512 bytes (§4), each
 * 334 challenge is base64-decoded, answered by the mechanism and encoded
 * back, and a challenge the mechanism cannot answer cancels with "*".
 */
#include <string.h>

#include "smtp_internal.h"

/* RFC 4954 §4: the AUTH command line, initial response included. */
#define MAX_AUTH_COMMAND 512

void correu__smtp_auth_clear(correu_smtp_client *c)
{
	correu_sasl_client_free(c->sasl);
	c->sasl = NULL;
	if (c->sasl_ir) {
		correu_wipe(c->sasl_ir, c->sasl_ir_len);
		correu__free(c->alloc, c->sasl_ir, c->sasl_ir_len ? c->sasl_ir_len : 1);
	}
	c->sasl_ir = NULL;
	c->sasl_ir_len = 0;
	c->sasl_ir_pending = false;
	c->sasl_cancelled = false;
}

/* Append base64(data) (or "=" for an empty initial response) to b. */
static int append_b64(correu__buf *b, const uint8_t *data, size_t len, bool eq_if_empty)
{
	size_t n = correu_base64_encoded_len(len);
	correu_ssize w;
	int rc;

	if (len == 0)
		return eq_if_empty ? correu__buf_append(b, "=", 1) : 0;
	if (n == SIZE_MAX)
		return CORREU_ERR_LIMIT;
	rc = correu__buf_reserve(b, n);
	if (rc < 0)
		return rc;
	w = correu_base64_encode(data, len, (char *)b->data + b->len, b->cap - b->len);
	if (w < 0)
		return (int)w;
	b->len += (size_t)w;
	return 0;
}

static int choose(correu_smtp_client *c, int mech, const correu_sasl_credentials *cred,
                  int *out)
{
	const uint8_t *auth = c->caps.auth.data;
	size_t len = c->caps.auth.len;
	bool secure = c->tls || (c->set.flags & CORREU_SMTP_ALLOW_PLAINTEXT_AUTH);
	uint32_t flags = secure ? CORREU_SASL_ALLOW_PLAINTEXT : 0;
	int rc, alt;

	if (mech == 0) {
		if (cred->password)
			flags |= CORREU_SASL_HAVE_PASSWORD;
		if (cred->token)
			flags |= CORREU_SASL_HAVE_TOKEN;
		rc = correu_sasl_choose((const char *)auth, len, flags, out);
		/* Say why nothing fits when only plaintext mechanisms are
		 * offered on a plain connection: TLS, not a missing mechanism. */
		if (rc == CORREU_ERR_NOT_FOUND && !secure &&
		    correu_sasl_choose((const char *)auth, len, flags | CORREU_SASL_ALLOW_PLAINTEXT,
		                       &alt) == 0)
			rc = CORREU_ERR_TLS_REQUIRED;
		return rc;
	}
	/* An explicit mechanism must be offered, and a password mechanism
	 * needs TLS unless the caller allowed otherwise. */
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && auth[j] != ' ')
			j++;
		if (correu_sasl_mech_from_name((const char *)auth + i, j - i) == mech) {
			if (correu_sasl_mech_is_plaintext(mech) && !secure)
				return CORREU_ERR_TLS_REQUIRED;
			*out = mech;
			return 0;
		}
		i = j + 1;
	}
	return CORREU_ERR_UNSUPPORTED;
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
			rc = append_b64(&b, ir, ir_len, true);
	} else if (rc == 0 && has_ir) {
		/* Too long for the command line: keep it for the first 334. */
		c->sasl_ir = correu__alloc(c->alloc, ir_len ? ir_len : 1);
		if (!c->sasl_ir)
			rc = CORREU_ERR_NOMEM;
		else {
			if (ir_len)
				memcpy(c->sasl_ir, ir, ir_len);
			c->sasl_ir_len = ir_len;
			c->sasl_ir_pending = true;
		}
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
	const uint8_t *ir = NULL;
	size_t ir_len = 0;
	int rc, has_ir;

	if (!c || !cred || mech < 0)
		return CORREU_ERR_ARG;
	if (c->state == ST_FAILED)
		return c->error;
	if (c->state != ST_READY || c->sasl || c->authenticated || c->txn != TXN_IDLE)
		return CORREU_ERR_STATE;
	if (!(c->caps.mask & CORREU_SMTP_CAP_AUTH) || c->caps.auth.len == 0)
		return CORREU_ERR_UNSUPPORTED;
	rc = choose(c, mech, cred, &mech);
	if (rc < 0)
		return rc;
	rc = correu_sasl_client_new(sasl, mech, cred, &c->sasl);
	if (rc < 0)
		return rc;
	has_ir = correu_sasl_mech_has_initial_response(mech);
	if (has_ir) {
		has_ir = correu_sasl_client_start(c->sasl, &ir, &ir_len);
		rc = has_ir < 0 ? has_ir : 0;
	}
	if (rc == 0)
		rc = auth_command(c, correu_sasl_mech_name(mech), ir, ir_len, has_ir);
	if (rc < 0) {
		correu__smtp_auth_clear(c);
		return rc;
	}
	correu__log(&c->logger, CORREU_LOG_INFO, "smtp: AUTH %s", correu_sasl_mech_name(mech));
	return mech;
}

/* Write a response line (base64, or "*" to cancel) straight to the
 * output: AUTH ends a pipelining group, so nothing is queued before it. */
static int respond(correu_smtp_client *c, const uint8_t *data, size_t len, bool cancel)
{
	int rc;

	if (cancel) {
		c->sasl_cancelled = true;
		rc = correu__buf_append(&c->out, "*", 1);
	} else
		rc = append_b64(&c->out, data, len, false);
	if (rc == 0)
		rc = correu__buf_append(&c->out, "\r\n", 2);
	c->progress = true;
	return rc < 0 ? correu__smtp_fail(c, rc, "AUTH response does not fit") : 0;
}

static int challenge(correu_smtp_client *c, correu__smtp_reply *r)
{
	const uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t *dec;
	size_t cap;
	correu_ssize n;
	int rc;

	if (c->sasl_cancelled)
		return correu__smtp_fail(c, CORREU_ERR_PROTO, "334 after AUTH was cancelled");
	if (c->sasl_ir_pending) {
		/* RFC 4954 §4: the server's empty 334 asks for the response
		 * that did not fit on the command line. */
		c->sasl_ir_pending = false;
		if (r->text.len != 0)
			return respond(c, NULL, 0, true);
		return respond(c, c->sasl_ir, c->sasl_ir_len, false);
	}
	/* A multi-line 334 has no meaning in RFC 4954; treat it as garbage. */
	cap = correu_base64_decoded_max(r->text.len);
	dec = correu__alloc(c->alloc, cap ? cap : 1);
	if (!dec)
		return correu__smtp_fail(c, CORREU_ERR_NOMEM, "out of memory");
	n = correu_base64_decode((const char *)r->text.data, r->text.len, dec, cap);
	if (n < 0) {
		correu__free(c->alloc, dec, cap ? cap : 1);
		correu__log(&c->logger, CORREU_LOG_WARN, "smtp: AUTH challenge is not base64");
		return respond(c, NULL, 0, true);
	}
	rc = correu_sasl_client_step(c->sasl, dec, (size_t)n, &out, &out_len);
	correu_wipe(dec, cap);
	correu__free(c->alloc, dec, cap ? cap : 1);
	if (rc < 0) {
		correu__log(&c->logger, CORREU_LOG_WARN, "smtp: AUTH cancelled: %s",
		            correu_sasl_client_reason(c->sasl));
		return respond(c, NULL, 0, true);
	}
	return respond(c, out, out_len, false);
}

int correu__smtp_auth_reply(correu_smtp_client *c, correu__smtp_reply *r)
{
	int rc;

	if (!c->sasl)
		return correu__smtp_fail(c, CORREU_ERR_PROTO, "AUTH reply without an exchange");
	if (r->code == 334)
		return challenge(c, r);
	if (r->code == 235) {
		/* SCRAM: the server must have proved it knows the password
		 * (RFC 5802 §5); success without that proof is an attack. */
		rc = correu_sasl_client_finish(c->sasl, NULL, 0);
		if (rc < 0 || c->sasl_cancelled) {
			correu__smtp_auth_clear(c);
			return correu__smtp_fail(c, CORREU_ERR_AUTH,
			                         "the server did not prove it knows the password");
		}
		c->authenticated = true;
	}
	correu__smtp_auth_clear(c);
	return correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, CORREU_SMTP_CMD_AUTH, r, 0);
}
