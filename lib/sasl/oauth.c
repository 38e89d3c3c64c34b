/*
 * What the two OAuth 2.0 bearer token mechanisms, XOAUTH2 and OAUTHBEARER
 * (RFC 7628), share in the SASL layer: token syntax (RFC 6750 Section
 * 2.1), the SOH-separated key=value pairs both use, and every step after
 * the first message, driven by each one's flavour: the server's verdict
 * and its error path, where a refusal is a JSON challenge that the client
 * must acknowledge before the server may report failure (RFC 7628 Section
 * 3.2.3).
 */
#include <string.h>

#include "sasl_internal.h"

#define SOH 0x01

bool correu__oauth_token_ok(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
	                 (p[i] >= '0' && p[i] <= '9') || (p[i] && strchr("-._~+/", p[i]))))
		i++;
	if (i == 0)
		return false;
	while (i < n && p[i] == '=')
		i++;
	return i == n;
}

int correu__oauth_append_auth(correu_sasl_client *c)
{
	int rc;

	if ((rc = correu__buf_append(&c->out, "auth=Bearer ", 12)) < 0 ||
	    (rc = correu__buf_append(&c->out, c->token.p, c->token.len)) < 0)
		return rc;
	/* Sent: the only copy left is the output, wiped at the next call. */
	correu__sasl_str_free(c->set.allocator, &c->token);
	return correu__buf_append(&c->out, "\001\001", 2);
}

int correu__oauth_client_step(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	const correu__oauth_flavour *f = c->mech->oauth;

	if (c->state != CORREU__OAUTH_SENT)
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, f->second_challenge);
	c->state = CORREU__OAUTH_ERROR;
	/* The challenge is the server's JSON error (RFC 7628 Section 3.2.2):
	 * keep it as the reason, then acknowledge it so that the server can
	 * report the failure (Section 3.2.3). */
	(void)correu__sasl_fail_peer(c->reason, 0, "server refused the token: ", in, len);
	return correu__buf_append(&c->out, f->ack, f->ack_len);
}

static bool key_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* RFC 7628 Section 3.1: value = *(VCHAR / SP / HTAB / CR / LF). */
static bool value_char(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n';
}

static int take_token(correu_sasl_server *s, const uint8_t *v, size_t n)
{
	static const char scheme[] = "bearer ";

	for (size_t i = 0; i < sizeof(scheme) - 1; i++)
		if (i >= n || (v[i] | 0x20) != (uint8_t)scheme[i])
			return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "auth is not a bearer token");
	v += sizeof(scheme) - 1;
	n -= sizeof(scheme) - 1;
	if (!correu__oauth_token_ok((const char *)v, n))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "bad bearer token");
	return correu__sasl_str_set(s->set.allocator, &s->secret, v, n);
}

int correu__oauth_kv_parse(correu_sasl_server *s, const uint8_t *in, size_t len,
                           correu__sasl_str *user)
{
	bool have_auth = false;
	size_t i = 0;
	int rc;

	for (;;) {
		size_t k = i, eq, end;

		if (i >= len)
			return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "key=value list not ended");
		if (in[i] == SOH)
			break;
		while (i < len && key_char(in[i]))
			i++;
		if (i == k || i >= len || in[i] != '=')
			return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "bad key");
		eq = i++;
		while (i < len && value_char(in[i]))
			i++;
		if (i >= len || in[i] != SOH)
			return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "bad value");
		end = i++;
		if (eq - k == 4 && memcmp(in + k, "auth", 4) == 0) {
			if (have_auth)
				return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "auth given twice");
			have_auth = true;
			if ((rc = take_token(s, in + eq + 1, end - eq - 1)) < 0)
				return rc;
		} else if (user && eq - k == 4 && memcmp(in + k, "user", 4) == 0) {
			if (end - eq - 1 > s->set.max_username)
				return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "user name too long");
			if (!correu__sasl_utf8_ok(in + eq + 1, end - eq - 1))
				return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "user not UTF-8");
			rc = correu__sasl_str_set(s->set.allocator, user, in + eq + 1, end - eq - 1);
			if (rc < 0)
				return rc;
		}
		/* Other keys (host, port, extensions) are allowed and ignored. */
	}
	if (i + 1 != len)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "data after the key=value list");
	if (!have_auth)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "no auth key");
	return 0;
}

/* The client's reply to the error challenge must be the flavour's `ack`. */
static int after_error(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	const correu__oauth_flavour *f = s->mech->oauth;

	if (s->state != CORREU__OAUTH_ERROR)
		return correu__sasl_sfail(s, CORREU_ERR_STATE, "one message only");
	if (len != f->ack_len || (len && memcmp(in, f->ack, len) != 0))
		return correu__sasl_sfail(s, CORREU_ERR_PROTO, "bad reply to the error challenge");
	return correu__sasl_sfail(s, CORREU_ERR_AUTH, "token refused");
}

int correu__oauth_server_step(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	int rc;

	if (s->state != CORREU__OAUTH_START)
		return after_error(s, in, len);
	s->state = CORREU__OAUTH_SENT;
	rc = s->mech->oauth->server_parse(s, in, len);
	if (rc < 0)
		return rc;
	s->need = CORREU_SASL_NEED_TOKEN_CHECK;
	return CORREU_SASL_NEED_CREDENTIALS;
}

int correu__oauth_server_supply(correu_sasl_server *s, const correu__sasl_supply *sup)
{
	const char *json = s->oauth_error.p ? s->oauth_error.p : s->mech->oauth->error_json;
	size_t n = s->oauth_error.p ? s->oauth_error.len : strlen(json);
	int rc;

	if (sup->kind != CORREU__SUPPLY_RESULT)
		return CORREU_ERR_STATE;
	if (sup->ok)
		return CORREU_SASL_SUCCESS;
	s->state = CORREU__OAUTH_ERROR;
	rc = correu__buf_append(&s->out, json, n);
	return rc < 0 ? rc : CORREU_SASL_CHALLENGE;
}
