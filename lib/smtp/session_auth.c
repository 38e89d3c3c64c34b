/*
 * The blocking SMTP session's login (SMTP layer, driver): AUTH (RFC 4954)
 * run to its final reply, with a password and the strongest mechanism the
 * server offers, with a bearer token (OAUTHBEARER, RFC 7628, or XOAUTH2),
 * or with any credentials and a mechanism the caller chose. The exchange
 * itself is the core's; this file fills the credentials and waits.
 */
#include <string.h>

#include "session_int.h"

static bool auth_answered(const correu_smtp_session *s)
{
	return s->auth_done;
}

/* Queue AUTH and wait for its final reply: 235 is success (RFC 4954 §6). */
static int run(correu_smtp_session *s, int mech, const correu_sasl_credentials *cr,
               const correu_sasl_settings *ss)
{
	int rc;

	if (s->base.error)
		return s->base.error;
	s->auth_done = false;
	rc = correu_smtp_client_auth(s->c, mech, cr, ss);
	if (rc < 0)
		return rc;
	rc = correu__smtp_session_until(s, auth_answered);
	if (rc < 0)
		return rc;
	return s->base.last_code == 235 ? 0 : CORREU_ERR_AUTH;
}

/* SCRAM needs nonces: the operating system's random source. */
static void sasl_settings(const correu_smtp_session *s, correu_sasl_settings *ss)
{
	correu_sasl_settings_init(ss);
	ss->allocator = s->base.alloc;
	ss->random = correu__proto_os_random;
}

int correu_smtp_session_login(correu_smtp_session *s, const char *user, const char *password)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	if (!s || !user || !password)
		return CORREU_ERR_ARG;
	correu__proto_login_sasl(&cr, &ss, user, password, s->base.alloc, NULL, NULL);
	return run(s, 0, &cr, &ss);
}

int correu_smtp_session_login_token(correu_smtp_session *s, const char *user, const char *token)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	if (!s || !user || !token)
		return CORREU_ERR_ARG;
	memset(&cr, 0, sizeof(cr));
	cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	cr.username = user;
	cr.username_len = strlen(user);
	cr.token = token;
	cr.token_len = strlen(token);
	sasl_settings(s, &ss);
	return run(s, 0, &cr, &ss);
}

int correu_smtp_session_auth(correu_smtp_session *s, int mech, const correu_sasl_credentials *cred)
{
	correu_sasl_settings ss;

	if (!s || !cred || mech < 0)
		return CORREU_ERR_ARG;
	sasl_settings(s, &ss);
	return run(s, mech, cred, &ss);
}
