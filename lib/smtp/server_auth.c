/*
 * AUTH (SMTP layer, server side; RFC 4954): the SASL mechanisms the store
 * can verify, an optional initial response ("=" for an empty one), 334
 * challenges in base64, "*" to cancel. Credentials are checked only
 * through the store; a failure is reported to the runtime's back-off,
 * whose delay holds the 535 back, and past the per-session cap the
 * session ends. AUTH is offered only over TLS unless plaintext is allowed
 * by name, never in LMTP, and at most once per session.
 */
#include <string.h>

#include "smtpd_int.h"

struct mech {
	const char *name;
	int id;
	uint32_t cap;
};

static const struct mech mechs[] = {
	{ "SCRAM-SHA-256", CORREU_SASL_SCRAM_SHA_256, CORREU_STORE_CAP_AUTH_SCRAM },
	{ "SCRAM-SHA-1", CORREU_SASL_SCRAM_SHA_1, CORREU_STORE_CAP_AUTH_SCRAM },
	{ "PLAIN", CORREU_SASL_PLAIN, CORREU_STORE_CAP_AUTH_PASSWORD },
	{ "LOGIN", CORREU_SASL_LOGIN, CORREU_STORE_CAP_AUTH_PASSWORD },
	{ "OAUTHBEARER", CORREU_SASL_OAUTHBEARER, CORREU_STORE_CAP_AUTH_TOKEN },
	{ "XOAUTH2", CORREU_SASL_XOAUTH2, CORREU_STORE_CAP_AUTH_TOKEN },
};

static bool mech_ok(const correu__smtpd *s, const struct mech *m)
{
	if (!(s->svc->caps & m->cap) || correu_sasl_mech_available(m->id) <= 0)
		return false;
	/* SCRAM needs nonces, so a random source. */
	return m->cap != CORREU_STORE_CAP_AUTH_SCRAM || s->svc->set.random != NULL;
}

/* TLS, or plaintext allowed by name (RFC 4954 section 4, RFC 8314). */
static bool channel_ok(const correu__smtpd *s)
{
	return s->tls || (s->svc->set.flags & CORREU_SMTP_SERVER_PLAINTEXT_AUTH);
}

bool correu__smtpd_auth_offered(const correu__smtpd *s)
{
	if (s->svc->set.mode == CORREU_SMTP_SERVER_LMTP || !channel_ok(s))
		return false;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(mechs); i++)
		if (mech_ok(s, &mechs[i]))
			return true;
	return false;
}

int correu__smtpd_auth_mechs(const correu__smtpd *s, correu__buf *out)
{
	int rc = 0;

	for (size_t i = 0; i < CORREU__ARRAY_LEN(mechs) && rc == 0; i++)
		if (mech_ok(s, &mechs[i])) {
			rc = correu__buf_append(out, " ", 1);
			if (rc == 0)
				rc = correu__buf_append(out, mechs[i].name, strlen(mechs[i].name));
		}
	return rc;
}

void correu__smtpd_auth_clear(correu__smtpd *s)
{
	if (s->wait == W_AUTH_PW || s->wait == W_AUTH_KEYS || s->wait == W_AUTH_TOKEN)
		correu__smtpd_req_end(s);
	correu_sasl_server_free(s->sasl);
	s->sasl = NULL;
	correu_wipe(s->auth_user, sizeof(s->auth_user));
	s->auth_user_len = 0;
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
	if (s->conn)
		rc = correu_server_conn_auth_failure(s->conn, s->now, &delay);
	if (rc == CORREU_ERR_LIMIT)
		return correu__smtpd_close_421(s, "4.7.0", "Too many authentication failures");
	correu__smtpd_hold(s, delay);
	if (err == CORREU_ERR_SYNTAX || err == CORREU_ERR_PROTO || err == CORREU_ERR_ENCODING)
		return correu__smtpd_reply(s, 501, "5.5.2", "Invalid authentication exchange");
	if (err == CORREU_ERR_LIMIT)
		return correu__smtpd_reply(s, 500, "5.5.6", "Authentication exchange too long");
	return correu__smtpd_reply(s, 535, "5.7.8", "Authentication credentials invalid");
}

static int succeeded(correu__smtpd *s)
{
	const char *user = s->auth_user;
	size_t len = s->auth_user_len;

	if (len == 0 || len >= sizeof(s->user))
		return failed(s, CORREU_ERR_AUTH);
	memcpy(s->user, user, len);
	s->user[len] = '\0';
	s->user_len = len;
	correu__smtpd_auth_clear(s);
	if (s->conn && correu_server_conn_auth_success(s->conn) < 0)
		return CORREU_ERR_INTERNAL;
	return correu__smtpd_reply(s, 235, "2.7.0", "Authentication successful");
}

static int field(const correu__smtpd *s, int f, const char **p, size_t *len)
{
	if (correu_sasl_server_field(s->sasl, f, p, len) < 0) {
		*p = "";
		*len = 0;
	}
	return 0;
}

/* Remember who is being checked: the store may give a canonical name. */
static int set_user(correu__smtpd *s, const char *p, size_t len)
{
	if (len == 0 || len >= sizeof(s->auth_user))
		return CORREU_ERR_AUTH;
	memcpy(s->auth_user, p, len);
	s->auth_user_len = len;
	return 0;
}

/* The SASL layer wants the store's verdict on what the client sent. */
static int need_credentials(correu__smtpd *s)
{
	const char *user, *authz, *secret;
	size_t ulen, zlen, slen;
	correu_store_req *req;
	int need = correu_sasl_server_need(s->sasl);
	enum smtpd_wait w;
	int rc;

	field(s, CORREU_SASL_FIELD_USERNAME, &user, &ulen);
	field(s, CORREU_SASL_FIELD_AUTHZID, &authz, &zlen);
	/* No proxy authorization: an authzid must name the user itself. */
	if (zlen && ulen && (zlen != ulen || memcmp(authz, user, ulen) != 0))
		return failed(s, CORREU_ERR_AUTH);
	if (ulen == 0) {
		user = authz;
		ulen = zlen;
	}
	w = need == CORREU_SASL_NEED_PASSWORD_CHECK ? W_AUTH_PW
	    : need == CORREU_SASL_NEED_SCRAM_KEYS   ? W_AUTH_KEYS
	    : need == CORREU_SASL_NEED_TOKEN_CHECK  ? W_AUTH_TOKEN
	                                            : W_NONE;
	if (w == W_NONE || set_user(s, user, ulen) < 0)
		return failed(s, CORREU_ERR_AUTH);
	rc = correu__smtpd_req(s, w, &req);
	if (rc < 0)
		return rc;
	if (w == W_AUTH_PW) {
		field(s, CORREU_SASL_FIELD_PASSWORD, &secret, &slen);
		rc = correu_store_auth_password(req, user, ulen, secret, slen);
	} else if (w == W_AUTH_KEYS) {
		rc = correu_store_auth_scram_keys(req, (uint32_t)s->sasl_mech, user, ulen);
	} else {
		field(s, CORREU_SASL_FIELD_TOKEN, &secret, &slen);
		rc = correu_store_auth_token(req, (uint32_t)s->sasl_mech, user, ulen, secret, slen);
	}
	if (rc == CORREU_PAUSE)
		return 0;
	s->wait = W_NONE;
	return correu__smtpd_auth_done(s, w, rc);
}

/* Act on what a SASL step returned. */
static int step_result(correu__smtpd *s, int st, const uint8_t *out, size_t out_len)
{
	if (st == CORREU_SASL_CHALLENGE)
		return send_challenge(s, out, out_len);
	if (st == CORREU_SASL_NEED_CREDENTIALS)
		return need_credentials(s);
	if (st == CORREU_SASL_SUCCESS)
		return succeeded(s);
	return failed(s, st < 0 ? st : CORREU_ERR_PROTO);
}

int correu__smtpd_auth_done(correu__smtpd *s, enum smtpd_wait w, int rc)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };
	correu_sasl_scram_keys keys;
	const uint8_t *out = NULL;
	size_t out_len = 0;
	int st;

	if (rc == CORREU_ERR_NOMEM || rc == CORREU_ERR_BUSY || rc == CORREU_ERR_INTERNAL ||
	    rc == CORREU_ERR_UNSUPPORTED) {
		correu__smtpd_auth_clear(s);
		return rc == CORREU_ERR_NOMEM
		               ? rc
		               : correu__smtpd_reply(s, 454, "4.7.0",
		                                     "Temporary authentication failure");
	}
	if (w == W_AUTH_KEYS && rc == 0 && correu_store_req_scram_keys(s->req, &keys) == 0) {
		st = correu_sasl_server_supply_scram_keys(s->sasl, &keys, &out, &out_len);
		correu_wipe(&keys, sizeof(keys));
	} else {
		/* The canonical user name, when the store gave one. */
		if (rc == 0 && correu_store_req_result(s->req, &r) == 0 && r.text && r.text_len &&
		    set_user(s, r.text, r.text_len) < 0)
			rc = CORREU_ERR_AUTH;
		/* An unknown user looks like a wrong password (SCRAM runs on
		 * with a fake salt). */
		st = correu_sasl_server_supply_result(s->sasl, rc == 0, &out, &out_len);
	}
	correu__smtpd_req_end(s);
	return step_result(s, st, out, out_len);
}

/* Base64 of a client response into a fresh buffer (wiped when freed). */
static int step_b64(correu__smtpd *s, const uint8_t *p, size_t len)
{
	size_t cap = correu_base64_decoded_max(len) + 1;
	const uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t *raw;
	correu_ssize n = 0;
	int st;

	raw = correu__alloc(s->alloc, cap);
	if (!raw)
		return CORREU_ERR_NOMEM;
	/* RFC 4954 section 4: "=" is an empty initial response. */
	if (!(len == 1 && p[0] == '='))
		n = correu_base64_decode((const char *)p, len, raw, cap);
	if (n < 0) {
		correu__free(s->alloc, raw, cap);
		return failed(s, CORREU_ERR_SYNTAX);
	}
	st = correu_sasl_server_step(s->sasl, raw, (size_t)n, &out, &out_len);
	correu_wipe(raw, cap);
	correu__free(s->alloc, raw, cap);
	return step_result(s, st, out, out_len);
}

int correu__smtpd_auth_line(correu__smtpd *s, const uint8_t *line, size_t len)
{
	if (len == 1 && line[0] == '*') {
		correu__smtpd_auth_clear(s);
		return correu__smtpd_reply(s, 501, "5.0.0", "Authentication cancelled");
	}
	/* An empty line is an empty response, not "=" (that is only for
	 * the initial response). */
	if (len == 1 && line[0] == '=')
		return failed(s, CORREU_ERR_SYNTAX);
	return step_b64(s, line, len);
}

int correu__smtpd_auth(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	const struct mech *m = NULL;
	const char *sp = memchr(c->arg, ' ', c->arg_len);
	size_t nlen = sp ? (size_t)(sp - c->arg) : c->arg_len;
	correu_sasl_settings set;
	const uint8_t *out;
	size_t out_len;
	int rc;

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
	for (size_t i = 0; i < CORREU__ARRAY_LEN(mechs); i++)
		if (correu__smtpd_kw(c->arg, nlen, mechs[i].name) && mech_ok(s, &mechs[i]))
			m = &mechs[i];
	if (!m)
		return correu__smtpd_reply(s, 504, "5.5.4", "Unrecognized authentication type");
	correu_sasl_settings_init(&set);
	set.allocator = s->alloc;
	set.random = s->svc->set.random;
	set.random_userdata = s->svc->set.random_userdata;
	set.hostname = s->svc->host;
	rc = correu_sasl_server_new(&set, m->id, &s->sasl);
	if (rc < 0)
		return rc == CORREU_ERR_NOMEM
		               ? rc
		               : correu__smtpd_reply(s, 454, "4.7.0",
		                                     "Temporary authentication failure");
	s->sasl_mech = m->id;
	if (sp)
		return step_b64(s, (const uint8_t *)sp + 1, c->arg_len - nlen - 1);
	rc = correu_sasl_server_start(s->sasl, &out, &out_len);
	return step_result(s, rc, out, out_len);
}
