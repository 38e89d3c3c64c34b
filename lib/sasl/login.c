/*
 * LOGIN (draft-murchison-sasl-login-00), client and server (SASL layer).
 * The server prompts "Username:" then "Password:" and the client answers
 * each with the bare value. Servers word the prompts differently, so the
 * client recognises "user..." and "pass..." prompts and otherwise goes by
 * order. Sent in the clear: TLS only.
 */
#include "sasl_internal.h"

/* Client states (c->state; 0 is "nothing sent"). */
enum { LC_USER_SENT = 1, LC_PASSWORD_SENT };
/* Server states (s->state). */
enum {
	LS_START = 0,      /* nothing asked: an initial response is the user name */
	LS_USER_ASKED,     /* "Username:" sent */
	LS_PASSWORD_ASKED, /* "Password:" sent */
	LS_DONE,           /* password received */
};

static int client_check(correu_sasl_client *c)
{
	return (c->user.len && c->password.len) ? 0 : CORREU_ERR_ARG;
}

static bool prompt_is(const uint8_t *in, size_t len, const char *word)
{
	size_t i;

	for (i = 0; word[i]; i++) {
		if (i >= len || (in[i] | 0x20) != (uint8_t)word[i])
			return false;
	}
	return true;
}

static int client_step(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	const correu__sasl_str *answer;
	int rc;

	if (c->state >= LC_PASSWORD_SENT)
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, "LOGIN: challenge after password");
	if (prompt_is(in, len, "pass") || (c->state == LC_USER_SENT && !prompt_is(in, len, "user"))) {
		answer = &c->password;
		c->state = LC_PASSWORD_SENT;
	} else {
		answer = &c->user;
		c->state = LC_USER_SENT;
	}
	rc = correu__buf_append(&c->out, answer->p, answer->len);
	if (c->state == LC_PASSWORD_SENT)
		correu__sasl_str_free(c->set.allocator, &c->password); /* sent */
	return rc;
}

static int server_start(correu_sasl_server *s)
{
	s->state = LS_USER_ASKED;
	return correu__buf_append(&s->out, "Username:", 9) < 0 ? CORREU_ERR_NOMEM
	                                                       : CORREU_SASL_CHALLENGE;
}

static int server_step(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	int rc;

	if (s->state > LS_PASSWORD_ASKED)
		return correu__sasl_sfail(s, CORREU_ERR_STATE, "LOGIN is over");
	if (len == 0 || !correu__sasl_utf8_ok(in, len))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "empty or not UTF-8");
	if (s->state < LS_PASSWORD_ASKED) {
		/* State 0: the user name came as an initial response, which
		 * many clients send although the draft has none. */
		if (len > s->set.max_username)
			return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "user name too long");
		rc = correu__sasl_str_set(s->set.allocator, &s->user, in, len);
		if (rc == 0)
			rc = correu__buf_append(&s->out, "Password:", 9);
		s->state = LS_PASSWORD_ASKED;
		return rc < 0 ? rc : CORREU_SASL_CHALLENGE;
	}
	s->state = LS_DONE;
	rc = correu__sasl_str_set(s->set.allocator, &s->secret, in, len);
	if (rc < 0)
		return rc;
	s->need = CORREU_SASL_NEED_PASSWORD_CHECK;
	return CORREU_SASL_NEED_CREDENTIALS;
}

const correu__sasl_mech correu__sasl_login = {
	.id = CORREU_SASL_LOGIN,
	.name = "LOGIN",
	.plaintext = true,
	.client_step = client_step,
	.client_check = client_check,
	.server_start = server_start,
	.server_step = server_step,
	.server_supply = correu__sasl_password_supply,
};
