/*
 * The blocking SMTP session's login beyond a password (SMTP layer tests):
 * a bearer token over OAUTHBEARER (RFC 7628) or XOAUTH2, a refused token,
 * and a mechanism the caller chose (RFC 4954), against a scripted server
 * thread on loopback. The base64 on the wire is spelt out next to what it
 * decodes to, as the RFCs define the messages.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/smtp.h"
#include "script_server.h"

/* The start of every script: the greeting and the first lines of the
 * EHLO reply; and its end. */
#define GREETING "S 220 mx.example ESMTP", "C EHLO client.example", "S 250-mx.example"
#define QUIT_AND_BYE "C QUIT", "S 221 bye", NULL

/* Open a plaintext session that may send secrets in clear (the scripts
 * have no TLS) to the scripted server. */
static correu_smtp_session *open_session(struct server *sv, const char *const *script)
{
	correu_smtp_settings set;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;

	start(sv, script, 0, 0);
	correu_smtp_settings_init(&set);
	set.tls_policy = CORREU_SMTP_TLS_NONE;
	set.flags = CORREU_SMTP_ALLOW_PLAINTEXT_AUTH;
	set.ehlo_name = "client.example";
	correu_smtp_session_options_init(&o);
	o.settings = &set;
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv->port, &o, &s), 0);
	return s;
}

static void close_session(struct server *sv, correu_smtp_session *s)
{
	cr_assert_eq(correu_smtp_session_quit(s), 0);
	correu_smtp_session_free(s);
	finish(sv);
}

/* Log in with the token "tok3n" against a script; expect `want`. */
static void token_login(const char *const *script, int want)
{
	struct server sv;
	correu_smtp_session *s = open_session(&sv, script);
	int rc = correu_smtp_session_login_token(s, "user@example.org", "tok3n");

	cr_assert_eq(rc, want, "login gave %s", correu_err_name(rc));
	close_session(&sv, s);
}

/* A user name and password, for a chosen mechanism. */
static correu_sasl_credentials password_cred(void)
{
	correu_sasl_credentials cr;

	memset(&cr, 0, sizeof(cr));
	cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	cr.username = "user@example.org";
	cr.username_len = strlen(cr.username);
	cr.password = "secret";
	cr.password_len = strlen(cr.password);
	return cr;
}

Test(session_auth, token_prefers_oauthbearer)
{
	static const char *const script[] = {
		GREETING,
		"S 250 AUTH XOAUTH2 OAUTHBEARER PLAIN",
		/* "n,a=user@example.org,^Aauth=Bearer tok3n^A^A" */
		"C AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5vcmcsAWF1dGg9QmVhcmVyIHRvazNuAQE=",
		"S 235 2.7.0 ok",
		QUIT_AND_BYE,
	};
	token_login(script, 0);
}

Test(session_auth, token_falls_back_to_xoauth2)
{
	static const char *const script[] = {
		GREETING,
		"S 250 AUTH PLAIN XOAUTH2",
		/* "user=user@example.org^Aauth=Bearer tok3n^A^A" */
		"C AUTH XOAUTH2 dXNlcj11c2VyQGV4YW1wbGUub3JnAWF1dGg9QmVhcmVyIHRvazNuAQE=",
		"S 235 2.7.0 ok",
		QUIT_AND_BYE,
	};
	token_login(script, 0);
}

/* RFC 7628 §3.2.2: the server's error comes as a challenge, which the
 * client answers with a lone ^A before the failure reply. */
Test(session_auth, refused_token)
{
	static const char *const script[] = {
		GREETING,
		"S 250-ENHANCEDSTATUSCODES",
		"S 250 AUTH OAUTHBEARER",
		"C AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5vcmcsAWF1dGg9QmVhcmVyIHRvazNuAQE=",
		/* {"status":"invalid_token"} */
		"S 334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=",
		"C AQ==",
		"S 535 5.7.8 token expired",
		QUIT_AND_BYE,
	};
	struct server sv;
	correu_smtp_session *s = open_session(&sv, script);
	const char *text;

	cr_assert_eq(correu_smtp_session_login_token(s, "user@example.org", "tok3n"),
	             CORREU_ERR_AUTH);
	cr_assert_eq(correu_smtp_session_last_reply(s, &text), 535);
	cr_assert_str_eq(text, "token expired");
	close_session(&sv, s);
}

Test(session_auth, token_without_a_token_mechanism)
{
	static const char *const script[] = {
		GREETING,
		"S 250 AUTH PLAIN LOGIN",
		QUIT_AND_BYE,
	};
	token_login(script, CORREU_ERR_NOT_FOUND);
}

/* LOGIN although PLAIN, which the automatic choice prefers, is offered. */
Test(session_auth, chosen_mechanism)
{
	static const char *const script[] = {
		GREETING,
		"S 250 AUTH PLAIN LOGIN",
		"C AUTH LOGIN",
		"S 334 VXNlcm5hbWU6",     /* Username: */
		"C dXNlckBleGFtcGxlLm9yZw==", /* user@example.org */
		"S 334 UGFzc3dvcmQ6",     /* Password: */
		"C c2VjcmV0",             /* secret */
		"S 235 2.7.0 ok",
		QUIT_AND_BYE,
	};
	struct server sv;
	correu_smtp_session *s = open_session(&sv, script);
	correu_sasl_credentials cr = password_cred();

	cr_assert_eq(correu_smtp_session_auth(s, CORREU_SASL_LOGIN, &cr), 0);
	close_session(&sv, s);
}

/* The choice is kept: a mechanism the server does not offer is refused
 * before anything is sent, never swapped for another. */
Test(session_auth, chosen_mechanism_not_offered)
{
	static const char *const script[] = {
		GREETING,
		"S 250 AUTH PLAIN",
		QUIT_AND_BYE,
	};
	struct server sv;
	correu_smtp_session *s = open_session(&sv, script);
	correu_sasl_credentials cr = password_cred();

	cr_assert_eq(correu_smtp_session_auth(s, CORREU_SASL_LOGIN, &cr), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_smtp_session_auth(s, -1, &cr), CORREU_ERR_ARG);
	cr_assert_eq(correu_smtp_session_auth(s, CORREU_SASL_PLAIN, NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_smtp_session_login_token(s, "user@example.org", NULL), CORREU_ERR_ARG);
	close_session(&sv, s);
}
