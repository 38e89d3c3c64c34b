/*
 * AUTH (RFC 5034) over the SASL layer (POP3 layer): the mechanism is the
 * strongest the server lists under SASL for the credentials, the initial
 * response goes with the command when the line stays within 255 octets
 * (§4), each "+" challenge is base64-decoded, answered by the mechanism and
 * encoded back, and a challenge the mechanism cannot answer cancels with
 * "*". A SCRAM success is believed only once the server proved itself.
 */
#include <string.h>

#include "pop3_internal.h"

void correu__pop3_auth_clear(correu_pop3_client *c)
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

/* Whether the server lists a mechanism under SASL. */
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

static int choose(correu_pop3_client *c, int mech, const correu_sasl_credentials *cred, int *out)
{
	size_t len = 0;
	const char *list = correu_pop3_client_sasl_mechs(c, &len);
	bool secure = c->tls || (c->set.flags & CORREU_POP3_ALLOW_PLAINTEXT_AUTH);
	uint32_t flags = secure ? CORREU_SASL_ALLOW_PLAINTEXT : 0;

	if (mech == 0) {
		if (!list)
			return CORREU_ERR_UNSUPPORTED;
		if (cred->password)
			flags |= CORREU_SASL_HAVE_PASSWORD;
		if (cred->token)
			flags |= CORREU_SASL_HAVE_TOKEN;
		return correu_sasl_choose(list, len, flags, out);
	}
	/* An explicit mechanism must be listed, unless the server did not
	 * answer CAPA and so could list nothing; a password mechanism needs
	 * TLS unless the caller allowed otherwise. */
	if (c->caps.answered && !offered(list, len, mech))
		return CORREU_ERR_UNSUPPORTED;
	if (correu_sasl_mech_is_plaintext(mech) && !secure)
		return CORREU_ERR_TLS_REQUIRED;
	*out = mech;
	return 0;
}

static int auth_command(correu_pop3_client *c, const char *name, const uint8_t *ir, size_t ir_len,
                        int has_ir)
{
	correu__buf b;
	size_t enc = correu_base64_encoded_len(ir_len);
	bool fits;
	int rc;

	correu__buf_init(&b, c->alloc, c->set.max_queue);
	rc = correu__pop3_append_str(&b, "AUTH ");
	if (rc == 0)
		rc = correu__pop3_append_str(&b, name);
	/* " " base64 CRLF after the name, without overflow. */
	fits = enc < c->set.max_command && b.len + 3 + enc <= c->set.max_command;
	if (rc == 0 && has_ir && fits) {
		rc = correu__buf_append(&b, " ", 1);
		if (rc == 0)
			rc = correu__pop3_append_b64(&b, ir, ir_len, true);
	} else if (rc == 0 && has_ir) {
		/* Too long for the command line: keep it for the first "+". */
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
		rc = correu__pop3_queue(c, CORREU_POP3_CMD_AUTH, 0, false, b.data, b.len);
	correu__buf_free(&b, true);
	return rc;
}

int correu_pop3_client_auth(correu_pop3_client *c, int mech, const correu_sasl_credentials *cred,
                            const correu_sasl_settings *sasl)
{
	const uint8_t *ir = NULL;
	size_t ir_len = 0;
	int rc, has_ir;

	if (!c || !cred || mech < 0)
		return CORREU_ERR_ARG;
	rc = correu__pop3_can_queue(c);
	if (rc < 0)
		return rc;
	if (c->login != LOGIN_NONE || c->sasl)
		return CORREU_ERR_STATE;
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
		correu__pop3_auth_clear(c);
		return rc;
	}
	c->login = LOGIN_PENDING;
	correu__log(&c->logger, CORREU_LOG_INFO, "pop3: AUTH %s", correu_sasl_mech_name(mech));
	return mech;
}

/* Write a response line (base64, or "*" to cancel) straight to the
 * output: AUTH ends a pipelining group, so nothing is sent behind it. */
static int respond(correu_pop3_client *c, const uint8_t *data, size_t len, bool cancel)
{
	int rc;

	if (cancel) {
		c->sasl_cancelled = true;
		rc = correu__buf_append(&c->out, "*", 1);
	} else
		rc = correu__pop3_append_b64(&c->out, data, len, false);
	if (rc == 0)
		rc = correu__buf_append(&c->out, "\r\n", 2);
	c->progress = true;
	return rc < 0 ? correu__pop3_fail(c, rc, "AUTH response does not fit") : 0;
}

static int challenge(correu_pop3_client *c, const char *b64, size_t b64_len)
{
	const uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t *dec;
	size_t cap;
	correu_ssize n;
	int rc;

	if (c->sasl_cancelled)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "challenge after AUTH was cancelled");
	if (c->sasl_ir_pending) {
		/* RFC 5034 §4: the empty challenge asks for the initial
		 * response that did not fit on the command line. */
		c->sasl_ir_pending = false;
		if (b64_len != 0)
			return respond(c, NULL, 0, true);
		return respond(c, c->sasl_ir, c->sasl_ir_len, false);
	}
	cap = correu_base64_decoded_max(b64_len);
	dec = correu__alloc(c->alloc, cap ? cap : 1);
	if (!dec)
		return correu__pop3_fail(c, CORREU_ERR_NOMEM, "out of memory");
	n = correu_base64_decode(b64, b64_len, dec, cap);
	if (n < 0) {
		correu__free(c->alloc, dec, cap ? cap : 1);
		correu__log(&c->logger, CORREU_LOG_WARN, "pop3: AUTH challenge is not base64");
		return respond(c, NULL, 0, true);
	}
	rc = correu_sasl_client_step(c->sasl, dec, (size_t)n, &out, &out_len);
	correu_wipe(dec, cap);
	correu__free(c->alloc, dec, cap ? cap : 1);
	if (rc < 0) {
		correu__log(&c->logger, CORREU_LOG_WARN, "pop3: AUTH cancelled: %s",
		            correu_sasl_client_reason(c->sasl));
		return respond(c, NULL, 0, true);
	}
	return respond(c, out, out_len, false);
}

int correu__pop3_auth_line(correu_pop3_client *c, const uint8_t *line, size_t len)
{
	correu__pop3_status st;
	correu_pop3_event ev;
	const char *b64;
	size_t b64_len;
	bool codes;
	int rc;

	if (!c->sasl)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "AUTH response without an exchange");
	if (correu__pop3_challenge(line, len, &b64, &b64_len))
		return challenge(c, b64, b64_len);
	codes = (c->caps.mask & (CORREU_POP3_CAP_RESP_CODES | CORREU_POP3_CAP_AUTH_RESP_CODE)) != 0;
	if (correu__pop3_status_parse(line, len, codes, &st) < 0)
		return correu__pop3_fail(c, CORREU_ERR_SYNTAX, "not a POP3 status line");
	if (st.ok) {
		/* SCRAM: the server must have proved it knows the password
		 * (RFC 5802 §5); success without that proof is an attack. */
		rc = correu_sasl_client_finish(c->sasl, NULL, 0);
		if (rc < 0 || c->sasl_cancelled)
			return correu__pop3_fail(c, CORREU_ERR_AUTH,
			                         "the server did not prove it knows the password");
	}
	correu__pop3_auth_clear(c);
	c->login = st.ok ? LOGIN_DONE : LOGIN_NONE;
	correu__pop3_pop(c);
	memset(&ev, 0, sizeof(ev));
	ev.type = CORREU_POP3_EV_REPLY;
	ev.command = CORREU_POP3_CMD_AUTH;
	ev.ok = st.ok;
	ev.resp_code = st.resp_code;
	ev.code_text = st.code;
	ev.code_text_len = st.code_len;
	ev.text = st.text;
	ev.text_len = st.text_len;
	rc = correu__pop3_deliver(c, &ev);
	if (rc == 0 && c->state != ST_FAILED)
		rc = correu__pop3_pump(c);
	return rc < 0 ? rc : 0;
}
