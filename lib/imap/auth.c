/*
 * Logging in (IMAP layer): LOGIN (RFC 9051 §6.2.3), only over TLS unless
 * allowed and never against LOGINDISABLED, and AUTHENTICATE (§6.2.2) over
 * the SASL layer: the strongest mechanism offered for the credentials, the
 * initial response on the command line when the server offers SASL-IR
 * (RFC 4959) or else kept for the first, empty, "+"; each challenge
 * base64-decoded, answered and encoded back; "*" cancels an exchange the
 * mechanism cannot go on with. A SCRAM success is believed only once the
 * server proved it knows the password.
 */
#include "client_internal.h"
#include "proto/proto_auth.h"

/* Why an exchange can fail while answering, as the error events say. */
static const correu__proto_auth_why why = { "challenge after AUTHENTICATE was cancelled",
	                                    "AUTHENTICATE response does not fit" };

void correu__imapc_auth_clear(correu_imap_client *c)
{
	correu__proto_sasl_clear(&c->sasl);
}

static bool secure(const correu_imap_client *c)
{
	return c->tls || (c->set.flags & CORREU_IMAP_ALLOW_PLAINTEXT_AUTH);
}

static int can_login(const correu_imap_client *c)
{
	int rc = correu__imapc_can_queue(c);

	if (rc < 0)
		return rc;
	return c->logged_in || c->login_pending ? CORREU_ERR_STATE : 0;
}

int correu_imap_client_login(correu_imap_client *c, const char *user, size_t user_len,
                             const char *pass, size_t pass_len)
{
	correu__imapc_rules r;
	correu__imapc_cmd *cmd;
	int rc;

	if (!c || !user || user_len == 0 || (pass_len && !pass))
		return CORREU_ERR_ARG;
	rc = can_login(c);
	if (rc < 0)
		return rc;
	if (c->caps.mask & CORREU_IMAP_CAP_LOGINDISABLED)
		return CORREU_ERR_UNSUPPORTED;
	if (!secure(c))
		return CORREU_ERR_TLS_REQUIRED;
	correu__imapc_rules_now(c, &r);
	rc = correu__imapc_begin(c, CORREU_IMAP_CMD_LOGIN, "LOGIN", &cmd);
	if (rc < 0)
		return rc;
	cmd->secret = true;
	rc = correu__imapc_put_string(cmd, &r, user, user_len);
	if (rc == 0)
		rc = correu__imapc_put_string(cmd, &r, pass, pass_len);
	if (rc < 0) {
		correu__imapc_cmd_free(c->alloc, cmd);
		return rc;
	}
	rc = correu__imapc_enqueue(c, cmd, false);
	if (rc > 0) {
		c->login_pending = true;
		correu__log(&c->logger, CORREU_LOG_INFO, "imap: LOGIN");
	}
	return rc;
}

static int choose(correu_imap_client *c, int mech, const correu_sasl_credentials *cred, int *out)
{
	size_t len = 0;
	const char *list = correu_imap_client_sasl_mechs(c, &len);

	/* Only what the server lists as AUTH= is tried. */
	return correu__proto_sasl_pick(list ? list : "", len, mech, secure(c), cred, out);
}

static int append_b64(correu_imap_client *c, correu__imapc_cmd *cmd, const uint8_t *data,
                      size_t len)
{
	correu__buf b;
	int rc;

	/* RFC 4959 §3: an empty initial response is sent as "=". */
	correu__buf_init(&b, c->alloc, cmd->text.max);
	rc = correu__proto_b64_append(&b, data, len, true);
	if (rc == 0)
		rc = correu__imapc_put(cmd, (const char *)b.data, b.len);
	correu__buf_free(&b, true);
	return rc;
}

int correu_imap_client_authenticate(correu_imap_client *c, int mech,
                                    const correu_sasl_credentials *cred,
                                    const correu_sasl_settings *sasl)
{
	const uint8_t *ir;
	size_t ir_len;
	correu__imapc_cmd *cmd = NULL;
	int rc, has_ir;

	if (!c || !cred || mech < 0)
		return CORREU_ERR_ARG;
	rc = can_login(c);
	if (rc < 0)
		return rc;
	rc = choose(c, mech, cred, &mech);
	if (rc < 0)
		return rc;
	has_ir = correu__proto_sasl_start(&c->sasl, sasl, mech, cred, &ir, &ir_len);
	if (has_ir < 0)
		return has_ir;
	rc = correu__imapc_begin(c, CORREU_IMAP_CMD_AUTHENTICATE, "AUTHENTICATE ", &cmd);
	if (rc == 0) {
		cmd->secret = true;
		rc = correu__imapc_put_str(cmd, correu_sasl_mech_name(mech));
	}
	if (rc == 0 && has_ir && (c->caps.mask & CORREU_IMAP_CAP_SASL_IR)) {
		rc = correu__imapc_put(cmd, " ", 1);
		if (rc == 0)
			rc = append_b64(c, cmd, ir, ir_len);
	} else if (rc == 0 && has_ir)
		rc = correu__proto_sasl_keep_ir(&c->sasl, ir, ir_len);
	if (rc < 0) {
		correu__imapc_cmd_free(c->alloc, cmd);
		correu__imapc_auth_clear(c);
		return rc;
	}
	rc = correu__imapc_enqueue(c, cmd, false);
	if (rc < 0) {
		correu__imapc_auth_clear(c);
		return rc;
	}
	c->login_pending = true;
	correu__log(&c->logger, CORREU_LOG_INFO, "imap: AUTHENTICATE %s",
	            correu_sasl_mech_name(mech));
	return rc;
}

/* Answer a "+" challenge (base64, or "*" to cancel) straight in the
 * output: AUTHENTICATE holds everything behind it, so nothing else is
 * interleaved. */
int correu__imapc_auth_challenge(correu_imap_client *c, const char *b64, size_t b64_len)
{
	const char *reason;
	int rc = correu__proto_auth_answer(&c->sasl, b64, b64_len, &c->out, &c->timer, &why,
	                                   &reason);

	return rc < 0 ? correu__imapc_fail(c, rc, reason) : 0;
}

int correu__imapc_auth_done(correu_imap_client *c, uint32_t status)
{
	bool ok = status == CORREU_IMAP_RESP_OK;

	c->login_pending = false;
	if (ok && c->sasl.client) {
		/* SCRAM: success without the server's proof (RFC 5802 §5) is
		 * an attack, not a login. */
		if (correu__proto_sasl_finish(&c->sasl) < 0)
			return correu__imapc_fail(c, CORREU_ERR_AUTH,
			                          "the server did not prove it knows the password");
	}
	correu__imapc_auth_clear(c);
	c->logged_in = ok;
	return 0;
}
