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
#include <string.h>

#include "client_internal.h"

void correu__imapc_auth_clear(correu_imap_client *c)
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

/* Whether the server lists a mechanism as AUTH=. */
static bool offered(const char *list, size_t len, int mech)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && list[j] != ' ')
			j++;
		if (correu_sasl_mech_from_name(list + i, j - i) == mech)
			return true;
		i = j + 1;
	}
	return false;
}

static int choose(correu_imap_client *c, int mech, const correu_sasl_credentials *cred, int *out)
{
	size_t len = 0;
	const char *list = correu_imap_client_sasl_mechs(c, &len);
	uint32_t flags = secure(c) ? CORREU_SASL_ALLOW_PLAINTEXT : 0;

	if (!list)
		return CORREU_ERR_UNSUPPORTED;
	if (mech == 0) {
		if (cred->password)
			flags |= CORREU_SASL_HAVE_PASSWORD;
		if (cred->token)
			flags |= CORREU_SASL_HAVE_TOKEN;
		return correu_sasl_choose(list, len, flags, out);
	}
	if (!offered(list, len, mech))
		return CORREU_ERR_UNSUPPORTED;
	if (correu_sasl_mech_is_plaintext(mech) && !secure(c))
		return CORREU_ERR_TLS_REQUIRED;
	*out = mech;
	return 0;
}

static int append_b64(correu_imap_client *c, correu__imapc_cmd *cmd, const uint8_t *data,
                      size_t len)
{
	size_t enc = correu_base64_encoded_len(len);
	correu_ssize n;
	char *tmp;
	int rc;

	/* RFC 4959 §3: an empty initial response is sent as "=". */
	if (len == 0)
		return correu__imapc_put(cmd, "=", 1);
	if (enc == SIZE_MAX || enc > cmd->text.max)
		return CORREU_ERR_LIMIT;
	tmp = correu__alloc(c->alloc, enc);
	if (!tmp)
		return CORREU_ERR_NOMEM;
	n = correu_base64_encode(data, len, tmp, enc);
	rc = n < 0 ? (int)n : correu__imapc_put(cmd, tmp, (size_t)n);
	correu_wipe(tmp, enc);
	correu__free(c->alloc, tmp, enc);
	return rc;
}

static int keep_ir(correu_imap_client *c, const uint8_t *ir, size_t len)
{
	c->sasl_ir = correu__alloc(c->alloc, len ? len : 1);
	if (!c->sasl_ir)
		return CORREU_ERR_NOMEM;
	if (len)
		memcpy(c->sasl_ir, ir, len);
	c->sasl_ir_len = len;
	c->sasl_ir_pending = true;
	return 0;
}

int correu_imap_client_authenticate(correu_imap_client *c, int mech,
                                    const correu_sasl_credentials *cred,
                                    const correu_sasl_settings *sasl)
{
	const uint8_t *ir = NULL;
	size_t ir_len = 0;
	correu__imapc_cmd *cmd = NULL;
	int rc, has_ir = 0;

	if (!c || !cred || mech < 0)
		return CORREU_ERR_ARG;
	rc = can_login(c);
	if (rc < 0)
		return rc;
	rc = choose(c, mech, cred, &mech);
	if (rc < 0)
		return rc;
	rc = correu_sasl_client_new(sasl, mech, cred, &c->sasl);
	if (rc < 0)
		return rc;
	if (correu_sasl_mech_has_initial_response(mech)) {
		has_ir = correu_sasl_client_start(c->sasl, &ir, &ir_len);
		rc = has_ir < 0 ? has_ir : 0;
	}
	if (rc == 0)
		rc = correu__imapc_begin(c, CORREU_IMAP_CMD_AUTHENTICATE, "AUTHENTICATE ", &cmd);
	if (rc == 0) {
		cmd->secret = true;
		rc = correu__imapc_put_str(cmd, correu_sasl_mech_name(mech));
	}
	if (rc == 0 && has_ir > 0 && (c->caps.mask & CORREU_IMAP_CAP_SASL_IR)) {
		rc = correu__imapc_put(cmd, " ", 1);
		if (rc == 0)
			rc = append_b64(c, cmd, ir, ir_len);
	} else if (rc == 0 && has_ir > 0)
		rc = keep_ir(c, ir, ir_len);
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

/* A response line written straight to the output: AUTHENTICATE holds
 * everything behind it, so nothing else is interleaved. */
static int respond(correu_imap_client *c, const uint8_t *data, size_t len, bool cancel)
{
	size_t enc = correu_base64_encoded_len(len);
	correu_ssize n = 0;
	int rc;

	if (cancel) {
		c->sasl_cancelled = true;
		rc = correu__imapc_out(c, "*\r\n", 3);
		return rc < 0 ? correu__imapc_fail(c, rc, "AUTHENTICATE response does not fit") : 0;
	}
	rc = enc == SIZE_MAX ? CORREU_ERR_LIMIT : correu__buf_reserve(&c->out, enc + 2);
	if (rc == 0 && len)
		n = correu_base64_encode(data, len, (char *)c->out.data + c->out.len, enc);
	if (rc == 0 && n < 0)
		rc = (int)n;
	if (rc == 0) {
		c->out.len += (size_t)n;
		rc = correu__imapc_out(c, "\r\n", 2);
	}
	return rc < 0 ? correu__imapc_fail(c, rc, "AUTHENTICATE response does not fit") : 0;
}

int correu__imapc_auth_challenge(correu_imap_client *c, const char *b64, size_t b64_len)
{
	const uint8_t *out = NULL;
	size_t out_len = 0, cap;
	uint8_t *dec;
	correu_ssize n;
	int rc;

	if (c->sasl_cancelled)
		return correu__imapc_fail(c, CORREU_ERR_PROTO,
		                          "challenge after AUTHENTICATE was cancelled");
	if (!b64)
		b64 = "";
	if (c->sasl_ir_pending) {
		/* RFC 9051 §6.2.2: without SASL-IR the initial response
		 * answers the first, empty, challenge. */
		c->sasl_ir_pending = false;
		if (b64_len != 0)
			return respond(c, NULL, 0, true);
		return respond(c, c->sasl_ir, c->sasl_ir_len, false);
	}
	cap = correu_base64_decoded_max(b64_len);
	dec = correu__alloc(c->alloc, cap ? cap : 1);
	if (!dec)
		return correu__imapc_fail(c, CORREU_ERR_NOMEM, "out of memory");
	n = correu_base64_decode(b64, b64_len, dec, cap);
	if (n < 0) {
		correu__free(c->alloc, dec, cap ? cap : 1);
		correu__log(&c->logger, CORREU_LOG_WARN, "imap: challenge is not base64");
		return respond(c, NULL, 0, true);
	}
	rc = correu_sasl_client_step(c->sasl, dec, (size_t)n, &out, &out_len);
	correu_wipe(dec, cap);
	correu__free(c->alloc, dec, cap ? cap : 1);
	if (rc < 0) {
		correu__log(&c->logger, CORREU_LOG_WARN, "imap: AUTHENTICATE cancelled: %s",
		            correu_sasl_client_reason(c->sasl));
		return respond(c, NULL, 0, true);
	}
	return respond(c, out, out_len, false);
}

int correu__imapc_auth_done(correu_imap_client *c, uint32_t status)
{
	bool ok = status == CORREU_IMAP_RESP_OK;

	c->login_pending = false;
	if (ok && c->sasl) {
		/* SCRAM: success without the server's proof (RFC 5802 §5) is
		 * an attack, not a login. */
		if (correu_sasl_client_finish(c->sasl, NULL, 0) < 0 || c->sasl_cancelled)
			return correu__imapc_fail(c, CORREU_ERR_AUTH,
			                          "the server did not prove it knows the password");
	}
	correu__imapc_auth_clear(c);
	c->logged_in = ok;
	return 0;
}
