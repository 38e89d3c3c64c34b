/*
 * Every mechanism's client against its server: success, wrong password or
 * token, unknown user, with and without an initial response.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sasl_test.h"

static const struct test_db db = {"alice", "s3cret pass", "tok-EN.123", "alice", false};

static int run(int mech, const char *user, const char *authzid, const char *pw,
               const char *token, const struct test_db *d, bool ir)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_credentials cred = make_cred(user, authzid, pw, token);

	rng_init(&r);
	test_settings(&set, &r, NULL);
	return run_exchange(mech, &set, &cred, d, ir);
}

static void password_mech(int mech)
{
	struct test_db keys_db = db;

	if (!correu_sasl_mech_available(mech))
		return;
	keys_db.use_keys = true;
	for (int ir = 0; ir < 2; ir++) {
		cr_assert_eq(run(mech, "alice", NULL, "s3cret pass", NULL, &db, ir), 0, "ir %d", ir);
		cr_assert_eq(run(mech, "alice", NULL, "s3cret pas", NULL, &db, ir), CORREU_ERR_AUTH);
		cr_assert_eq(run(mech, "bob", NULL, "s3cret pass", NULL, &db, ir), CORREU_ERR_AUTH);
		/* Checking through stored keys needs the SCRAM hashes. */
		if ((mech == CORREU_SASL_PLAIN || mech == CORREU_SASL_LOGIN) &&
		    correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256)) {
			cr_assert_eq(run(mech, "alice", NULL, "s3cret pass", NULL, &keys_db, ir), 0);
			cr_assert_eq(run(mech, "alice", NULL, "wrong", NULL, &keys_db, ir),
			             CORREU_ERR_AUTH);
		}
	}
}

Test(loop, plain)
{
	password_mech(CORREU_SASL_PLAIN);
	cr_assert_eq(run(CORREU_SASL_PLAIN, "alice", "admin", "s3cret pass", NULL, &db, true), 0);
}

Test(loop, login)
{
	password_mech(CORREU_SASL_LOGIN);
}

Test(loop, cram_md5)
{
	password_mech(CORREU_SASL_CRAM_MD5);
}

Test(loop, scram_sha1)
{
	password_mech(CORREU_SASL_SCRAM_SHA_1);
}

Test(loop, scram_sha256)
{
	password_mech(CORREU_SASL_SCRAM_SHA_256);
	if (correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256))
		cr_assert_eq(run(CORREU_SASL_SCRAM_SHA_256, "alice", "a,b=c", "s3cret pass", NULL,
		                 &db, true), 0, "authzid with characters to escape");
}

static void token_mech(int mech)
{
	for (int ir = 0; ir < 2; ir++) {
		cr_assert_eq(run(mech, "alice", NULL, NULL, "tok-EN.123", &db, ir), 0);
		cr_assert_eq(run(mech, "alice", NULL, NULL, "tok-EN.124", &db, ir), CORREU_ERR_AUTH);
		cr_assert_eq(run(mech, "bob", NULL, NULL, "tok-EN.123", &db, ir), CORREU_ERR_AUTH);
	}
}

Test(loop, xoauth2)
{
	token_mech(CORREU_SASL_XOAUTH2);
}

Test(loop, oauthbearer)
{
	token_mech(CORREU_SASL_OAUTHBEARER);
}

Test(loop, external)
{
	for (int ir = 0; ir < 2; ir++) {
		cr_assert_eq(run(CORREU_SASL_EXTERNAL, NULL, NULL, NULL, NULL, &db, ir), 0);
		cr_assert_eq(run(CORREU_SASL_EXTERNAL, NULL, "alice", NULL, NULL, &db, ir), 0);
		cr_assert_eq(run(CORREU_SASL_EXTERNAL, NULL, "root", NULL, NULL, &db, ir),
		             CORREU_ERR_AUTH);
	}
}

Test(loop, client_refuses_a_non_empty_first_challenge)
{
	correu_sasl_credentials cred = make_cred("alice", NULL, "pw", NULL);
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_PLAIN, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_step(c, (const uint8_t *)"x", 1, &out, &len),
	             CORREU_ERR_PROTO);
	cr_assert_neq(correu_sasl_client_reason(c)[0], '\0');
	correu_sasl_client_free(c);
}

Test(loop, handles_check_their_arguments)
{
	correu_sasl_credentials cred = make_cred("alice", NULL, "pw", NULL);
	correu_sasl_client *c;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_new(NULL, 99, &cred, &c), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_PLAIN, NULL, &c), CORREU_ERR_ARG);
	cr_assert_eq(correu_sasl_server_new(NULL, 99, &s), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_PLAIN, NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_sasl_client_step(NULL, NULL, 0, &out, &len), CORREU_ERR_ARG);
	cr_assert_eq(correu_sasl_server_step(NULL, NULL, 0, &out, &len), CORREU_ERR_ARG);
	cr_assert_str_eq(correu_sasl_client_reason(NULL), "");
	cr_assert_str_eq(correu_sasl_server_reason(NULL), "");
	cr_assert_eq(correu_sasl_server_need(NULL), 0);
	correu_sasl_client_free(NULL);
	correu_sasl_server_free(NULL);
	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_PLAIN, &s), 0);
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &len), CORREU_ERR_STATE,
	             "nothing was asked yet");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, (const char **)&out, &len),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_sasl_server_field(s, 42, (const char **)&out, &len), CORREU_ERR_ARG);
	correu_sasl_server_free(s);
}
