/*
 * AUTH (POP3 layer, server side; RFC 5034): the SASL mechanisms the store
 * can verify, an optional initial response ("=" for an empty one), "+ "
 * challenges in base64, "*" to cancel. Credentials are checked through
 * the store layer's SASL bridge, whose request may complete later; a
 * failure goes to the runtime's back-off, whose delay holds the
 * "-ERR [AUTH]" back (RFC 3206). "AUTH" alone lists the mechanisms, as
 * RFC 1734 clients expect. SCRAM's final message goes as a last challenge
 * answered by an empty line: POP3 has no success data (RFC 5034 section 4).
 */
#include <string.h>

#include "pop3d_int.h"

void correu__pop3d_auth_clear(correu__pop3d *s)
{
	if (s->wait == W_SASL)
		correu__pop3d_req_end(s);
	correu_sasl_server_free(s->sasl);
	s->sasl = NULL;
	correu__store_sasl_clear(&s->sx);
	s->in_auth = false;
}

static int failed(correu__pop3d *s, int err)
{
	correu__pop3d_auth_clear(s);
	if (err == CORREU_ERR_NOMEM || err == CORREU_ERR_INTERNAL)
		return err;
	if (err == CORREU_ERR_BUSY)
		return correu__pop3d_err(s, "SYS/TEMP", "Temporary authentication failure");
	if (err == CORREU_ERR_SYNTAX || err == CORREU_ERR_ENCODING)
		return correu__pop3d_auth_failed(s, "AUTH", "Invalid authentication exchange");
	return correu__pop3d_auth_failed(s, "AUTH", "Authentication failed");
}

static int challenge(correu__pop3d *s, const uint8_t *p, size_t n)
{
	int rc = correu__pop3d_raw(s, "+ ", 2);

	if (rc == 0)
		rc = correu__proto_b64_append(&s->out.buf, p, n, false);
	if (rc == 0)
		rc = correu__pop3d_raw(s, "\r\n", 2);
	s->in_auth = rc == 0;
	return rc;
}

static int succeeded(correu__pop3d *s)
{
	int rc;

	if (s->sx.user_len == 0 || s->sx.user_len > POP3D_MAX_USER)
		return failed(s, CORREU_ERR_AUTH);
	memcpy(s->user, s->sx.user, s->sx.user_len);
	s->user[s->sx.user_len] = '\0';
	s->user_len = s->sx.user_len;
	correu__pop3d_auth_clear(s);
	rc = correu__pop3_check_arg(s->user, s->user_len, false);
	return rc < 0 ? failed(s, CORREU_ERR_AUTH) : correu__pop3d_login(s);
}

/* Act on what a SASL step returned. */
static int step_result(correu__pop3d *s, int st, const uint8_t *out, size_t out_len)
{
	correu_store_req *req;
	int rc;

	if (st == CORREU_SASL_CHALLENGE)
		return challenge(s, out, out_len);
	if (st == CORREU_SASL_SUCCESS)
		return succeeded(s);
	if (st != CORREU_SASL_NEED_CREDENTIALS)
		return failed(s, st < 0 ? st : CORREU_ERR_PROTO);
	s->in_auth = false;
	rc = correu__pop3d_req(s, W_SASL, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(s, correu__store_sasl_ask(&s->sx, s->sasl, req));
}

int correu__pop3d_sasl_done(correu__pop3d *s, int rc)
{
	const uint8_t *out;
	size_t out_len;
	int st = correu__store_sasl_answer(&s->sx, s->sasl, s->req, rc, &out, &out_len);

	return step_result(s, st, out, out_len);
}

static int step_b64(correu__pop3d *s, const uint8_t *p, size_t len, bool initial)
{
	const uint8_t *out;
	size_t out_len;
	int st = correu__store_sasl_step_b64(s->sasl, s->alloc, p, len, initial, &out, &out_len);

	return step_result(s, st, out, out_len);
}

int correu__pop3d_auth_line(correu__pop3d *s, const uint8_t *line, size_t len)
{
	s->in_auth = false;
	if (len == 1 && line[0] == '*') {
		correu__pop3d_auth_clear(s);
		return correu__pop3d_err(s, NULL, "Authentication cancelled");
	}
	return step_b64(s, line, len, false);
}

static int list_mechs(correu__pop3d *s)
{
	int rc = correu__pop3d_ok(s, "Supported mechanisms follow");

	if (rc == 0 && correu__pop3d_sasl_mechs(s, &s->out.buf, "\r\n") > 0)
		rc = correu__pop3d_raw(s, "\r\n", 2);
	return rc < 0 ? rc : correu__pop3d_raw(s, ".\r\n", 3);
}

int correu__pop3d_auth(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	const char *sp = memchr(c->arg, ' ', c->arg_len);
	size_t nlen = sp ? (size_t)(sp - c->arg) : c->arg_len;
	const correu_pop3_server_settings *set = &s->svc->set;
	const uint8_t *out;
	size_t out_len;
	int mech, rc;

	if (c->arg_len == 0)
		return list_mechs(s);
	mech = correu__pop3d_find_mech(s, c->arg, nlen);
	if (!mech && !correu__pop3d_plain_ok(s))
		return correu__pop3d_err(s, "AUTH",
		                         "Plaintext authentication disallowed on non-secure connections");
	if (!mech)
		return correu__pop3d_err(s, NULL, "Unsupported authentication mechanism");
	s->user_given = false;
	rc = correu__store_sasl_new(&s->sx, mech, s->alloc, set->random, set->random_userdata,
	                            s->svc->host, &s->sasl);
	if (rc < 0)
		return rc == CORREU_ERR_NOMEM ? rc : failed(s, CORREU_ERR_BUSY);
	if (sp)
		return step_b64(s, (const uint8_t *)sp + 1, c->arg_len - nlen - 1, true);
	rc = correu_sasl_server_start(s->sasl, &out, &out_len);
	return step_result(s, rc, out, out_len);
}
