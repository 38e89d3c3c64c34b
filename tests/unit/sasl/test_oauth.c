/* XOAUTH2 and OAUTHBEARER (RFC 7628): message formats and error paths. */
#include <criterion/criterion.h>
#include <string.h>

#include "sasl_test.h"

#define M(lit) (const uint8_t *)(lit), sizeof(lit) - 1
#define TOKEN "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
#define JSON "{\"status\":\"invalid_token\",\"scope\":\"mail\"}"

static void out_is(const uint8_t *out, size_t len, const uint8_t *want, size_t n)
{
	cr_assert_eq(len, n, "length %zu, want %zu", len, n);
	cr_assert_eq(memcmp(out, want, n), 0);
}

Test(xoauth2, client_format_and_error_challenge)
{
	correu_sasl_credentials cred = make_cred("someuser@example.com", NULL, NULL, "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg");
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_XOAUTH2, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	out_is(out, len, M("user=someuser@example.com\001auth=Bearer "
	                   "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\001\001"));
	cr_assert_eq(correu_sasl_client_step(c, M("{\"status\":\"401\"}"), &out, &len), 0);
	cr_assert_eq(len, 0, "the error challenge is answered with an empty response");
	cr_assert(strstr(correu_sasl_client_reason(c), "{\"status\":\"401\"}"));
	cr_assert_eq(correu_sasl_client_step(c, M("{}"), &out, &len), CORREU_ERR_PROTO);
	correu_sasl_client_free(c);
}

Test(xoauth2, client_refuses_bad_tokens_and_users)
{
	correu_sasl_credentials cred = make_cred("u", NULL, NULL, "to ken");
	correu_sasl_client *c;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_XOAUTH2, &cred, &c), CORREU_ERR_ARG);
	cred = make_cred("u", NULL, NULL, "");
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_XOAUTH2, &cred, &c), CORREU_ERR_ARG);
	cred = make_cred("u", NULL, NULL, "a=b");
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_XOAUTH2, &cred, &c), CORREU_ERR_ARG);
	cred = make_cred("u\001", NULL, NULL, "tok");
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_XOAUTH2, &cred, &c), CORREU_ERR_ARG);
	cred = make_cred("u", NULL, NULL, "tok==");
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_XOAUTH2, &cred, &c), 0);
	correu_sasl_client_free(c);
}

static int server_on(int mech, const uint8_t *msg, size_t len, correu_sasl_server **keep)
{
	correu_sasl_server *s;
	const uint8_t *out;
	size_t n;
	int rc;

	cr_assert_eq(correu_sasl_server_new(NULL, mech, &s), 0);
	rc = correu_sasl_server_step(s, msg, len, &out, &n);
	if (keep)
		*keep = s;
	else
		correu_sasl_server_free(s);
	return rc;
}

Test(xoauth2, server_accepts_and_refuses)
{
	correu_sasl_server *s;
	const uint8_t *out;
	const char *p;
	size_t n;

	cr_assert_eq(server_on(CORREU_SASL_XOAUTH2, M("user=u@x\001auth=Bearer " TOKEN "\001\001"), &s),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_need(s), CORREU_SASL_NEED_TOKEN_CHECK);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &p, &n), 0);
	cr_assert_str_eq(p, "u@x");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_TOKEN, &p, &n), 0);
	cr_assert_str_eq(p, TOKEN);
	cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &n), CORREU_SASL_CHALLENGE);
	out_is(out, n, M("{\"status\":\"401\",\"schemes\":\"bearer\"}"));
	cr_assert_eq(correu_sasl_server_step(s, M(""), &out, &n), CORREU_ERR_AUTH);
	correu_sasl_server_free(s);

	cr_assert_eq(server_on(CORREU_SASL_XOAUTH2, M("user=u\001auth=bearer tok\001\001"), &s),
	             CORREU_SASL_NEED_CREDENTIALS, "scheme without regard to case");
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &n), CORREU_SASL_SUCCESS);
	correu_sasl_server_free(s);
}

Test(xoauth2, server_refuses_malformed)
{
	static const struct { const char *m; size_t n; } bad[] = {
		{"", 0},
		{"user=u\001auth=Bearer tok\001", 24},
		{"user=u\001auth=Bearer tok\001\001x", 26},
		{"user=u\001auth=Basic tok\001\001", 24},
		{"user=u\001auth=Bearer \001\001", 21},
		{"user=\001auth=Bearer tok\001\001", 24},
		{"auth=Bearer tok\001\001", 17},
		{"user=u\001\001", 8},
		{"=u\001auth=Bearer tok\001\001", 21},
		{"user=u\001auth=Bearer tok\001auth=Bearer tok\001\001", 42},
		{"user=u\x7f\001auth=Bearer tok\001\001", 26},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(server_on(CORREU_SASL_XOAUTH2, (const uint8_t *)bad[i].m, bad[i].n, NULL),
		             CORREU_ERR_SYNTAX, "case %zu", i);
}

Test(oauthbearer, client_format_rfc7628_example)
{
	correu_sasl_credentials cred = make_cred("user@example.com", NULL, NULL, TOKEN);
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cred.host = "server.example.com";
	cred.host_len = strlen(cred.host);
	cred.port = 143;
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_OAUTHBEARER, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	/* RFC 7628 Section 4.1. */
	out_is(out, len, M("n,a=user@example.com,\001host=server.example.com\001port=143\001"
	                   "auth=Bearer " TOKEN "\001\001"));
	cr_assert_eq(correu_sasl_client_step(c, M(JSON), &out, &len), 0);
	out_is(out, len, M("\001"));
	cr_assert(strstr(correu_sasl_client_reason(c), "invalid_token"));
	correu_sasl_client_free(c);

	cred = make_cred(NULL, NULL, NULL, TOKEN);
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_OAUTHBEARER, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	out_is(out, len, M("n,,\001auth=Bearer " TOKEN "\001\001"));
	correu_sasl_client_free(c);

	cred = make_cred("a,b", NULL, NULL, TOKEN);
	cred.host = "h\001";
	cred.host_len = 2;
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_OAUTHBEARER, &cred, &c), CORREU_ERR_ARG);
	cred.port = 70000;
	cred.host_len = 0;
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_OAUTHBEARER, &cred, &c), CORREU_ERR_ARG);
}

Test(oauthbearer, server_accepts_and_refuses_with_json)
{
	correu_sasl_server *s;
	const uint8_t *out;
	const char *p;
	size_t n;

	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER,
	                       M("n,a=user@example.com,\001host=server.example.com\001port=143\001"
	                         "auth=Bearer " TOKEN "\001\001"), &s),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &p, &n), 0);
	cr_assert_str_eq(p, "user@example.com");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_TOKEN, &p, &n), 0);
	cr_assert_str_eq(p, TOKEN);
	cr_assert_eq(correu_sasl_server_set_oauth_error(s, JSON, strlen(JSON)), 0);
	cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &n), CORREU_SASL_CHALLENGE);
	out_is(out, n, M(JSON));
	cr_assert_eq(correu_sasl_server_step(s, M("\001"), &out, &n), CORREU_ERR_AUTH);
	correu_sasl_server_free(s);

	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M("n,,\001auth=Bearer tok\001\001"), &s),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &n), CORREU_SASL_CHALLENGE);
	out_is(out, n, M("{\"status\":\"invalid_token\"}"));
	cr_assert_eq(correu_sasl_server_step(s, M(""), &out, &n), CORREU_ERR_PROTO,
	             "the error must be acknowledged with SOH");
	correu_sasl_server_free(s);

	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M("n,,\001auth=Bearer tok\001\001"), &s),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &n), CORREU_SASL_SUCCESS);
	correu_sasl_server_free(s);
}

Test(oauthbearer, server_refuses_malformed)
{
	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M("p=tls-unique,,\001auth=Bearer t\001\001"), NULL),
	             CORREU_ERR_PROTO);
	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M("n,,auth=Bearer t\001\001"), NULL),
	             CORREU_ERR_SYNTAX);
	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M("n,,\001host=x\001\001"), NULL),
	             CORREU_ERR_SYNTAX);
	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M("n,a=u=2,\001auth=Bearer t\001\001"), NULL),
	             CORREU_ERR_SYNTAX);
	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M("n,,"), NULL), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_on(CORREU_SASL_OAUTHBEARER, M(""), NULL), CORREU_ERR_SYNTAX);
}

/* The steps after the first message are one engine for both mechanisms;
 * each must still answer, and expect, its own acknowledgement of the
 * error challenge (an empty response or a lone SOH, RFC 7628 §3.2.3). */
struct oauth_case {
	int mech;
	const char *name;
	const char *msg;
	size_t msg_len;
	const char *ack;
	size_t ack_len;
	const char *other_ack;
	size_t other_ack_len;
};

#define L(lit) lit, sizeof(lit) - 1
static const struct oauth_case oauth_cases[] = {
	{ CORREU_SASL_XOAUTH2, "XOAUTH2", L("user=u\001auth=Bearer tok\001\001"), L(""),
	  L("\001") },
	{ CORREU_SASL_OAUTHBEARER, "OAUTHBEARER", L("n,,\001auth=Bearer tok\001\001"), L("\001"),
	  L("") },
};

Test(oauth, client_acknowledges_once_then_refuses)
{
	for (size_t i = 0; i < sizeof(oauth_cases) / sizeof(oauth_cases[0]); i++) {
		const struct oauth_case *k = &oauth_cases[i];
		correu_sasl_credentials cred = make_cred("u", NULL, NULL, "tok");
		correu_sasl_client *c;
		const uint8_t *out;
		size_t len;

		cr_assert_eq(correu_sasl_client_new(NULL, k->mech, &cred, &c), 0);
		cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
		cr_assert_eq(correu_sasl_client_step(c, M(JSON), &out, &len), 0, "%s", k->name);
		out_is(out, len, (const uint8_t *)k->ack, k->ack_len);
		cr_assert(strstr(correu_sasl_client_reason(c), "invalid_token"), "%s", k->name);
		cr_assert_eq(correu_sasl_client_step(c, M(JSON), &out, &len), CORREU_ERR_PROTO,
		             "%s: no challenge after the error", k->name);
		cr_assert(strstr(correu_sasl_client_reason(c), k->name), "%s", k->name);
		correu_sasl_client_free(c);
	}
}

Test(oauth, server_wants_its_own_acknowledgement)
{
	for (size_t i = 0; i < sizeof(oauth_cases) / sizeof(oauth_cases[0]); i++) {
		const struct oauth_case *k = &oauth_cases[i];
		const uint8_t *msg = (const uint8_t *)k->msg;
		correu_sasl_server *s;
		const uint8_t *out;
		size_t n;

		cr_assert_eq(server_on(k->mech, msg, k->msg_len, &s), CORREU_SASL_NEED_CREDENTIALS,
		             "%s", k->name);
		cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &n),
		             CORREU_SASL_CHALLENGE);
		cr_assert_eq(correu_sasl_server_step(s, (const uint8_t *)k->other_ack,
		                                     k->other_ack_len, &out, &n),
		             CORREU_ERR_PROTO, "%s: the other mechanism's acknowledgement",
		             k->name);
		correu_sasl_server_free(s);

		cr_assert_eq(server_on(k->mech, msg, k->msg_len, &s), CORREU_SASL_NEED_CREDENTIALS);
		cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &n),
		             CORREU_SASL_CHALLENGE);
		cr_assert_eq(
			correu_sasl_server_step(s, (const uint8_t *)k->ack, k->ack_len, &out, &n),
			CORREU_ERR_AUTH, "%s: refused after the acknowledgement", k->name);
		correu_sasl_server_free(s);
	}
}
