/*
 * AUTH (SMTP layer, server side; RFC 4954): the SASL mechanisms the store
 * can verify, an optional initial response ("=" for an empty one), 334
 * challenges in base64, "*" to cancel. Credentials are checked only
 * through the store layer's SASL bridge (store/store_sasl.h, shared with
 * the POP3 server), whose request may complete later; a failure is
 * reported to the runtime's back-off, whose delay holds the 535 back, and
 * past the per-session cap the session ends. AUTH is offered only over TLS unless plaintext is allowed
 * by name, never in LMTP, and at most once per session.
 */
#include <string.h>

#include "smtpd_int.h"

/* TLS, or plaintext allowed by name (RFC 4954 section 4, RFC 8314). */
static bool channel_ok(const correu__smtpd *s)
{
	return s->tls || (s->svc->set.flags & CORREU_SMTP_SERVER_PLAINTEXT_AUTH);
}

bool correu__smtpd_auth_offered(const correu__smtpd *s)
{
	if (s->svc->set.mode == CORREU_SMTP_SERVER_LMTP || !channel_ok(s))
		return false;
	return correu__store_sasl_mechs(NULL, NULL, s->svc->base.caps, s->svc->set.random != NULL) >
	       0;
}

int correu__smtpd_auth_mechs(const correu__smtpd *s, correu__buf *out)
{
	int rc = correu__buf_append(out, " ", 1);

	if (rc == 0)
		rc = correu__store_sasl_mechs(out, " ", s->svc->base.caps,
		                              s->svc->set.random != NULL);
	return rc < 0 ? rc : 0;
}

void correu__smtpd_auth_clear(correu__smtpd *s)
{
	if (s->wait == W_AUTH)
		correu__smtpd_req_end(s);
	correu_sasl_server_free(s->sasl);
	s->sasl = NULL;
	correu__store_sasl_clear(&s->sx);
	if (s->phase == PH_AUTH)
		s->phase = PH_CMD;
}

static int send_challenge(correu__smtpd *s, const uint8_t *p, size_t n)
{
	size_t enc = correu_base64_encoded_len(n);
	char *b64;
	correu_ssize len;
	int rc;

	if (enc == SIZE_MAX || enc > s->svc->set.max_output)
		return CORREU_ERR_LIMIT;
	b64 = correu__alloc(s->alloc, enc + 1);
	if (!b64)
		return CORREU_ERR_NOMEM;
	len = correu_base64_encode(p, n, b64, enc + 1);
	rc = len < 0 ? (int)len : correu__smtpd_reply_line(s, 334, true, NULL, b64, (size_t)len);
	correu__free(s->alloc, b64, enc + 1);
	s->phase = PH_AUTH;
	return rc;
}

static int failed(correu__smtpd *s, int err)
{
	uint32_t delay = 0;
	int rc = 0;

	correu__smtpd_auth_clear(s);
	if (err == CORREU_ERR_NOMEM || err == CORREU_ERR_INTERNAL)
		return err;
	/* The store could not answer: not the client's failure, no back-off. */
	if (err == CORREU_ERR_BUSY)
		return correu__smtpd_reply(s, 454, "4.7.0", "Temporary authentication failure");
	if (s->conn)
		rc = correu_server_conn_auth_failure(s->conn, s->now, &delay);
	if (rc == CORREU_ERR_LIMIT)
		return correu__smtpd_close_421(s, "4.7.0", "Too many authentication failures");
	correu__server_out_hold(&s->out, s->now, delay);
	if (err == CORREU_ERR_SYNTAX || err == CORREU_ERR_PROTO || err == CORREU_ERR_ENCODING)
		return correu__smtpd_reply(s, 501, "5.5.2", "Invalid authentication exchange");
	if (err == CORREU_ERR_LIMIT)
		return correu__smtpd_reply(s, 500, "5.5.6", "Authentication exchange too long");
	return correu__smtpd_reply(s, 535, "5.7.8", "Authentication credentials invalid");
}

static int succeeded(correu__smtpd *s)
{
	size_t len = s->sx.user_len;

	if (len == 0 || len >= sizeof(s->user))
		return failed(s, CORREU_ERR_AUTH);
	memcpy(s->user, s->sx.user, len);
	s->user[len] = '\0';
	s->user_len = len;
	correu__smtpd_auth_clear(s);
	if (s->conn && correu_server_conn_auth_success(s->conn) < 0)
		return CORREU_ERR_INTERNAL;
	return correu__smtpd_reply(s, 235, "2.7.0", "Authentication successful");
}

/* Act on what a SASL step returned; credentials go to the store, whose
 * answer may come later (correu__smtpd_auth_done). */
static int step_result(correu__smtpd *s, int st, const uint8_t *out, size_t out_len)
{
	correu_store_req *req;
	int rc;

	if (st == CORREU_SASL_CHALLENGE)
		return send_challenge(s, out, out_len);
	if (st == CORREU_SASL_SUCCESS)
		return succeeded(s);
	if (st != CORREU_SASL_NEED_CREDENTIALS)
		return failed(s, st < 0 ? st : CORREU_ERR_PROTO);
	rc = correu__smtpd_req(s, W_AUTH, &req);
	if (rc < 0)
		return rc;
	rc = correu__store_sasl_ask(&s->sx, s->sasl, req);
	if (rc == CORREU_PAUSE)
		return 0;
	s->wait = W_NONE;
	return correu__smtpd_auth_done(s, rc);
}

int correu__smtpd_auth_done(correu__smtpd *s, int rc)
{
	const uint8_t *out;
	size_t out_len;
	int st = correu__store_sasl_answer(&s->sx, s->sasl, s->req, rc, &out, &out_len);

	correu__smtpd_req_end(s);
	return step_result(s, st, out, out_len);
}

static int step_b64(correu__smtpd *s, const uint8_t *p, size_t len, bool initial)
{
	const uint8_t *out;
	size_t out_len;
	int st = correu__store_sasl_step_b64(s->sasl, s->alloc, p, len, initial, &out, &out_len);

	return step_result(s, st, out, out_len);
}

int correu__smtpd_auth_line(correu__smtpd *s, const uint8_t *line, size_t len)
{
	if (len == 1 && line[0] == '*') {
		correu__smtpd_auth_clear(s);
		return correu__smtpd_reply(s, 501, "5.0.0", "Authentication cancelled");
	}
	/* An empty line is an empty response; "=" is one only as the
	 * initial response. */
	return step_b64(s, line, len, false);
}

int correu__smtpd_auth(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	const correu_smtp_server_settings *set = &s->svc->set;
	const char *sp = memchr(c->arg, ' ', c->arg_len);
	size_t nlen = sp ? (size_t)(sp - c->arg) : c->arg_len;
	const uint8_t *out;
	size_t out_len;
	int mech, rc;

	if (!s->esmtp)
		return correu__smtpd_reply(s, 503, "5.5.1", "Send EHLO first");
	if (s->user_len)
		return correu__smtpd_reply(s, 503, "5.5.1", "Already authenticated");
	if (s->delivery)
		return correu__smtpd_reply(s, 503, "5.5.1",
		                           "Not permitted during a mail transaction");
	if (!correu__smtpd_auth_offered(s)) {
		if (!channel_ok(s) && s->can_starttls)
			return correu__smtpd_reply(s, 530, "5.7.0",
			                           "Must issue a STARTTLS command first");
		return correu__smtpd_reply(s, 502, "5.5.1", "AUTH not available");
	}
	mech = correu__store_sasl_mech_find(c->arg, nlen, s->svc->base.caps, set->random != NULL);
	if (!mech)
		return correu__smtpd_reply(s, 504, "5.5.4", "Unrecognized authentication type");
	rc = correu__store_sasl_new(&s->sx, mech, s->alloc, set->random, set->random_userdata,
	                            s->svc->host, &s->sasl);
	if (rc < 0)
		return failed(s, rc == CORREU_ERR_NOMEM ? rc : CORREU_ERR_BUSY);
	if (sp)
		return step_b64(s, (const uint8_t *)sp + 1, c->arg_len - nlen - 1, true);
	rc = correu_sasl_server_start(s->sasl, &out, &out_len);
	return step_result(s, rc, out, out_len);
}
