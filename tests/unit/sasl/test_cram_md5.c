/* CRAM-MD5 (RFC 2195): the RFC example, both sides, and malformed input. */
#include <criterion/criterion.h>
#include <string.h>

#include "sasl_test.h"

#define M(lit) (const uint8_t *)(lit), sizeof(lit) - 1
#define CHALLENGE "<1896.697170952@postoffice.reston.mci.net>"
#define RESPONSE "tim b913a602c7eda7a495b4e6e7334d3890"

Test(cram_md5, client_reproduces_rfc2195)
{
	correu_sasl_credentials cred = make_cred("tim", NULL, "tanstaaftanstaaf", NULL);
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_CRAM_MD5, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 0);
	cr_assert_eq(correu_sasl_client_step(c, M(CHALLENGE), &out, &len), 0);
	cr_assert_eq(len, strlen(RESPONSE));
	cr_assert_eq(memcmp(out, RESPONSE, len), 0);
	cr_assert_eq(correu_sasl_client_finish(c, NULL, 0), 0);
	correu_sasl_client_free(c);

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_CRAM_MD5, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_step(c, M(""), &out, &len), CORREU_ERR_PROTO);
	correu_sasl_client_free(c);
	cred = make_cred("t m", NULL, "x", NULL);
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_CRAM_MD5, &cred, &c), CORREU_ERR_ARG);
}

static correu_sasl_server *server_after(struct test_rng *r, const uint8_t *resp, size_t n,
                                        int want)
{
	correu_sasl_settings set;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t len;

	rng_init(r);
	test_settings(&set, r, NULL);
	set.hostname = "postoffice.reston.mci.net";
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_CRAM_MD5, &s), 0);
	cr_assert_eq(correu_sasl_server_start(s, &out, &len), CORREU_SASL_CHALLENGE);
	cr_assert(len > 30 && out[0] == '<' && out[len - 1] == '>');
	cr_assert_eq(memcmp(out + len - 27, "@postoffice.reston.mci.net>", 27), 0);
	cr_assert_eq(correu_sasl_server_step(s, resp, n, &out, &len), want);
	return s;
}

Test(cram_md5, server_checks_the_digest_against_the_secret)
{
	correu_sasl_credentials cred = make_cred("tim", NULL, "tanstaaftanstaaf", NULL);
	struct test_db db = {"tim", "tanstaaftanstaaf", NULL, NULL, false};
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_server *s;
	const uint8_t *out;
	const char *user;
	size_t len;

	rng_init(&r);
	test_settings(&set, &r, NULL);
	cr_assert_eq(run_exchange(CORREU_SASL_CRAM_MD5, &set, &cred, &db, false), 0);
	db.password = "wrong";
	cr_assert_eq(run_exchange(CORREU_SASL_CRAM_MD5, &set, &cred, &db, false), CORREU_ERR_AUTH);

	/* A response to some other challenge fails. */
	s = server_after(&r, M(RESPONSE), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_need(s), CORREU_SASL_NEED_SECRET);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &user, &len), 0);
	cr_assert_str_eq(user, "tim");
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &len), CORREU_ERR_STATE,
	             "a verdict cannot replace the secret");
	cr_assert_eq(correu_sasl_server_supply_secret(s, "tanstaaftanstaaf", 16, &out, &len),
	             CORREU_ERR_AUTH);
	correu_sasl_server_free(s);
}

Test(cram_md5, server_refuses_malformed_responses)
{
	struct test_rng r;
	correu_sasl_server *s;

	s = server_after(&r, M("tim b913a602c7eda7a495b4e6e7334d389"), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
	s = server_after(&r, M("tim b913a602c7eda7a495b4e6e7334d389g"), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
	s = server_after(&r, M("timb913a602c7eda7a495b4e6e7334d3890"), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
	s = server_after(&r, M(" b913a602c7eda7a495b4e6e7334d3890"), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
	s = server_after(&r, M(""), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
}

Test(cram_md5, server_needs_its_challenge_first_and_a_random_source)
{
	correu_sasl_settings set;
	struct test_rng r;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_CRAM_MD5, &s), CORREU_ERR_ARG);
	rng_init(&r);
	test_settings(&set, &r, NULL);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_CRAM_MD5, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M(RESPONSE), &out, &len), CORREU_ERR_PROTO);
	correu_sasl_server_free(s);
	r.fail = true;
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_CRAM_MD5, &s), 0);
	cr_assert_eq(correu_sasl_server_start(s, &out, &len), CORREU_ERR_IO);
	correu_sasl_server_free(s);
}
