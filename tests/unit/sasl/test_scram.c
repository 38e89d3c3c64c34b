/*
 * SCRAM-SHA-1 and SCRAM-SHA-256: the RFC 5802 Section 5 and RFC 7677
 * Section 3 exchanges reproduced byte for byte on both sides (nonces
 * injected through the random source), hostile servers and clients, and
 * the stored-key functions.
 */
#include <criterion/criterion.h>
#include <mbedtls/base64.h>
#include <string.h>

#include "sasl_test.h"

struct vector {
	int mech;
	const char *cnonce, *snonce, *salt64;
	const char *client_first, *server_first, *client_final, *server_final;
};

static const struct vector rfc5802 = {
	CORREU_SASL_SCRAM_SHA_1, "fyko+d2lbbFgONRv9qkxdawL", "3rfcNHYJY1ZVvWVs7j",
	"QSXCR+Q6sek8bf92",
	"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
	"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
	"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
	"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

static const struct vector rfc7677 = {
	CORREU_SASL_SCRAM_SHA_256, "rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
	"W22ZaJ0SNY7soEsUEjb6gQ==",
	"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
	"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

#define S(str) (const uint8_t *)(str), strlen(str)
#define T(str) (str), strlen(str)

static void assert_out(const uint8_t *out, size_t len, const char *want)
{
	cr_assert_eq(len, strlen(want), "got %.*s, want %s", (int)len, (const char *)out, want);
	cr_assert_eq(memcmp(out, want, len), 0, "got %.*s, want %s", (int)len,
	             (const char *)out, want);
}

/* A client that has sent client-first of vector v (password may differ). */
static correu_sasl_client *client_at_first_lim(const struct vector *v, struct test_rng *r,
                                               correu_sasl_settings *set, const char *password,
                                               uint32_t min_it, uint32_t max_it)
{
	correu_sasl_credentials cred = make_cred("user", NULL, password, NULL);
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	rng_init(r);
	rng_push_nonce(r, v->cnonce);
	test_settings(set, r, NULL);
	set->nonce_len = (uint32_t)strlen(v->cnonce);
	set->min_iterations = min_it;
	set->max_iterations = max_it;
	cr_assert_eq(correu_sasl_client_new(set, v->mech, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	assert_out(out, len, v->client_first);
	return c;
}

static correu_sasl_client *client_at_first(const struct vector *v, struct test_rng *r,
                                           correu_sasl_settings *set, const char *password)
{
	return client_at_first_lim(v, r, set, password, 0, 0);
}

static void client_vector(const struct vector *v, const char *password)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_client *c = client_at_first(v, &r, &set, password);
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_step(c, S(v->server_first), &out, &len), 0);
	assert_out(out, len, v->client_final);
	cr_assert_eq(correu_sasl_client_step(c, S(v->server_final), &out, &len), 0);
	cr_assert_eq(len, 0, "server-final is acknowledged with an empty response");
	cr_assert_eq(correu_sasl_client_finish(c, NULL, 0), 0);
	correu_sasl_client_free(c);
}

Test(scram, client_reproduces_rfc5802)
{
	client_vector(&rfc5802, "pencil");
}

Test(scram, client_reproduces_rfc7677)
{
	client_vector(&rfc7677, "pencil");
}

Test(scram, client_saslpreps_the_password)
{
	/* U+00AD SOFT HYPHEN maps to nothing (RFC 4013 Section 2.1). */
	client_vector(&rfc5802, "pen\xc2\xad" "cil");
}

Test(scram, client_takes_server_final_as_success_data)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_client *c = client_at_first(&rfc7677, &r, &set, "pencil");
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_step(c, S(rfc7677.server_first), &out, &len), 0);
	cr_assert_eq(correu_sasl_client_finish(c, S(rfc7677.server_final)), 0);
	correu_sasl_client_free(c);
}

static void salt_of(const struct vector *v, correu_sasl_scram_keys *keys, const char *pw)
{
	uint8_t salt[64];
	size_t n = 0;

	cr_assert_eq(mbedtls_base64_decode(salt, sizeof(salt), &n, S(v->salt64)), 0);
	cr_assert_eq(correu_sasl_scram_derive(v->mech, pw, strlen(pw), salt, n, 4096, keys), 0);
}

static correu_sasl_server *server_at_first(const struct vector *v, struct test_rng *r,
                                           correu_sasl_settings *set, uint32_t flags)
{
	correu_sasl_server *s;
	correu_sasl_scram_keys keys;
	const uint8_t *out;
	const char *user;
	size_t len;

	rng_init(r);
	rng_push_nonce(r, v->snonce);
	test_settings(set, r, NULL);
	set->nonce_len = (uint32_t)strlen(v->snonce);
	set->flags = flags;
	cr_assert_eq(correu_sasl_server_new(set, v->mech, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, S(v->client_first), &out, &len),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_need(s), CORREU_SASL_NEED_SCRAM_KEYS);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &user, &len), 0);
	cr_assert_eq(len, 4);
	cr_assert_str_eq(user, "user");
	salt_of(v, &keys, "pencil");
	cr_assert_eq(correu_sasl_server_supply_scram_keys(s, &keys, &out, &len),
	             CORREU_SASL_CHALLENGE);
	assert_out(out, len, v->server_first);
	return s;
}

static void server_vector(const struct vector *v)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_server *s = server_at_first(v, &r, &set, 0);
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_server_step(s, S(v->client_final), &out, &len),
	             CORREU_SASL_CHALLENGE);
	assert_out(out, len, v->server_final);
	cr_assert_eq(correu_sasl_server_step(s, (const uint8_t *)"", 0, &out, &len),
	             CORREU_SASL_SUCCESS);
	cr_assert_eq(correu_sasl_server_step(s, (const uint8_t *)"", 0, &out, &len),
	             CORREU_ERR_STATE, "nothing after success");
	correu_sasl_server_free(s);
}

Test(scram, server_reproduces_rfc5802)
{
	server_vector(&rfc5802);
}

Test(scram, server_reproduces_rfc7677)
{
	server_vector(&rfc7677);
}

Test(scram, server_sends_final_with_success_when_the_protocol_can)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_server *s = server_at_first(&rfc7677, &r, &set, CORREU_SASL_SUCCESS_DATA);
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_server_step(s, S(rfc7677.client_final), &out, &len),
	             CORREU_SASL_SUCCESS);
	assert_out(out, len, rfc7677.server_final);
	correu_sasl_server_free(s);
}

/* ---- hostile servers ---------------------------------------------- */

static int client_against(const struct vector *v, const char *server_first,
                          uint32_t min_it, uint32_t max_it, correu_sasl_client **keep)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_client *c = client_at_first_lim(v, &r, &set, "pencil", min_it, max_it);
	const uint8_t *out;
	size_t len;
	int rc;

	rc = correu_sasl_client_step(c, S(server_first), &out, &len);
	if (keep)
		*keep = c;
	else
		correu_sasl_client_free(c);
	return rc;
}

#define SF_PREFIX "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,"

Test(scram, client_refuses_a_nonce_that_does_not_extend_its_own)
{
	cr_assert_eq(client_against(&rfc5802, "r=fyko+d2lbbFgONRv9qkxdawX3rfc,s=QSXCR+Q6sek8bf92,i=4096",
	                            0, 0, NULL), CORREU_ERR_PROTO);
	cr_assert_eq(client_against(&rfc5802, "r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",
	                            0, 0, NULL), CORREU_ERR_PROTO, "the server must add to the nonce");
	cr_assert_eq(client_against(&rfc5802, "r=fyko,s=QSXCR+Q6sek8bf92,i=4096", 0, 0, NULL),
	             CORREU_ERR_PROTO);
}

Test(scram, client_checks_the_iteration_count_against_its_limits)
{
	/* RFC vector uses 4096: at the minimum, and at a maximum of 4096. */
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=4096", 4096, 4096, NULL), 0);
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=4095", 4096, 0, NULL), CORREU_ERR_LIMIT);
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=4097", 0, 4096, NULL), CORREU_ERR_LIMIT);
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=600001", 0, 0, NULL), CORREU_ERR_LIMIT,
	             "the default maximum is 600000");
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=4294967297", 0, 0, NULL), CORREU_ERR_LIMIT);
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=99999999999", 0, 0, NULL), CORREU_ERR_PROTO);
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=-4096", 0, 0, NULL), CORREU_ERR_PROTO);
	cr_assert_eq(client_against(&rfc5802, SF_PREFIX "i=", 0, 0, NULL), CORREU_ERR_PROTO);
}

Test(scram, client_refuses_garbage_and_mandatory_extensions)
{
	static const char *bad[] = {
		"", "garbage", "r=", "s=QSXCR+Q6sek8bf92,r=fyko+d2lbbFgONRv9qkxdawL3rfc,i=4096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=,i=4096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSX!R+Q6sek8bf92,i=4096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf9,i=4096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rfc\x01,s=QSXCR+Q6sek8bf92,i=4096",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(client_against(&rfc5802, bad[i], 0, 0, NULL), CORREU_ERR_PROTO,
		             "accepted %s", bad[i]);
	cr_assert_eq(client_against(&rfc5802, "m=ext," SF_PREFIX "i=4096", 0, 0, NULL),
	             CORREU_ERR_UNSUPPORTED);
}

static int client_final_against(const char *server_final, bool as_success_data)
{
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;
	int rc;

	cr_assert_eq(client_against(&rfc5802, rfc5802.server_first, 0, 0, &c), 0);
	if (as_success_data)
		rc = correu_sasl_client_finish(c, server_final ? (const uint8_t *)server_final : NULL,
		                               server_final ? strlen(server_final) : 0);
	else
		rc = correu_sasl_client_step(c, S(server_final), &out, &len);
	if (rc == CORREU_ERR_AUTH && server_final && server_final[0] == 'e')
		cr_assert(strstr(correu_sasl_client_reason(c), "invalid-proof"),
		          "reason was %s", correu_sasl_client_reason(c));
	correu_sasl_client_free(c);
	return rc;
}

Test(scram, client_refuses_a_wrong_or_missing_server_signature)
{
	cr_assert_eq(client_final_against("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", false), 0);
	cr_assert_eq(client_final_against("v=AmF9pqV8S7suAoZWja4dJRkFsKQ=", false), CORREU_ERR_AUTH);
	cr_assert_eq(client_final_against("v=rmF9pqV8S7suAoZWja4dJRkF", false), CORREU_ERR_AUTH);
	cr_assert_eq(client_final_against("v=", false), CORREU_ERR_AUTH);
	cr_assert_eq(client_final_against("garbage", false), CORREU_ERR_AUTH);
	cr_assert_eq(client_final_against("e=invalid-proof", false), CORREU_ERR_AUTH);
	cr_assert_eq(client_final_against("v=AmF9pqV8S7suAoZWja4dJRkFsKQ=", true), CORREU_ERR_AUTH);
	cr_assert_eq(client_final_against(NULL, true), CORREU_ERR_AUTH,
	             "success without server-final must not be trusted");
}

Test(scram, client_errors_are_sticky)
{
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(client_against(&rfc5802, "garbage", 0, 0, &c), CORREU_ERR_PROTO);
	cr_assert_eq(correu_sasl_client_step(c, S(rfc5802.server_first), &out, &len),
	             CORREU_ERR_PROTO);
	cr_assert_eq(correu_sasl_client_finish(c, NULL, 0), CORREU_ERR_PROTO);
	correu_sasl_client_free(c);
}

Test(scram, client_limits_the_challenge_length)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_client *c;
	correu_sasl_credentials cred = make_cred("user", NULL, "pencil", NULL);
	size_t n = strlen(rfc5802.server_first), len;
	const uint8_t *out;

	rng_init(&r);
	rng_push_nonce(&r, rfc5802.cnonce);
	test_settings(&set, &r, NULL);
	set.nonce_len = 24;
	set.max_message = n;
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_SCRAM_SHA_1, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	cr_assert_eq(correu_sasl_client_step(c, (const uint8_t *)rfc5802.server_first, n, &out, &len), 0,
	             "a challenge at the limit is accepted");
	correu_sasl_client_free(c);

	rng_init(&r);
	rng_push_nonce(&r, rfc5802.cnonce);
	set.max_message = n - 1;
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_SCRAM_SHA_1, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	cr_assert_eq(correu_sasl_client_step(c, (const uint8_t *)rfc5802.server_first, n, &out, &len),
	             CORREU_ERR_LIMIT);
	correu_sasl_client_free(c);
}

Test(scram, client_escapes_the_user_name_and_authzid)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_client *c;
	correu_sasl_credentials cred = make_cred("a,b=c", "x=y", "pencil", NULL);
	const uint8_t *out;
	size_t len;

	rng_init(&r);
	rng_push_nonce(&r, "abcd");
	test_settings(&set, &r, NULL);
	set.nonce_len = 4;
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_SCRAM_SHA_256, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	assert_out(out, len, "n,a=x=3Dy,n=a=2Cb=3Dc,r=abcd");
	correu_sasl_client_free(c);
}

Test(scram, client_needs_a_random_source_and_reports_its_failure)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_client *c;
	correu_sasl_credentials cred = make_cred("user", NULL, "pencil", NULL);
	const uint8_t *out;
	size_t len;

	correu_sasl_settings_init(&set);
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_SCRAM_SHA_1, &cred, &c), CORREU_ERR_ARG);
	rng_init(&r);
	r.fail = true;
	test_settings(&set, &r, NULL);
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_SCRAM_SHA_1, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), CORREU_ERR_IO);
	correu_sasl_client_free(c);
}

/* ---- hostile clients ---------------------------------------------- */

static int server_final_against(const char *client_final)
{
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_server *s = server_at_first(&rfc5802, &r, &set, 0);
	const uint8_t *out;
	size_t len;
	int rc = correu_sasl_server_step(s, S(client_final), &out, &len);

	if (rc < 0)
		cr_assert_neq(correu_sasl_server_reason(s)[0], '\0', "no reason kept");
	correu_sasl_server_free(s);
	return rc;
}

#define CF_PREFIX "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"

Test(scram, server_refuses_a_wrong_proof_nonce_or_binding)
{
	cr_assert_eq(server_final_against(rfc5802.client_final), CORREU_SASL_CHALLENGE);
	cr_assert_eq(server_final_against(CF_PREFIX "p=w0X8v3Bz2T0CJGbJQyF0X+HI4Ts="), CORREU_ERR_AUTH);
	cr_assert_eq(server_final_against(CF_PREFIX "p=v0X8v3Bz2T0CJGbJQyF0X+HI"), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_final_against(CF_PREFIX "x=ext,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
	             CORREU_ERR_AUTH, "an extension is part of the signed message");
	cr_assert_eq(server_final_against(CF_PREFIX "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=,x=1"),
	             CORREU_ERR_SYNTAX);
	cr_assert_eq(server_final_against(CF_PREFIX), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_final_against(
	                     "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7X,"
	                     "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
	             CORREU_ERR_PROTO);
	cr_assert_eq(server_final_against(
	                     "c=eSws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
	                     "p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
	             CORREU_ERR_PROTO);
	cr_assert_eq(server_final_against("garbage"), CORREU_ERR_SYNTAX);
}

static int server_first_against(const char *client_first, size_t max_username)
{
	correu_sasl_settings set;
	struct test_rng r;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t len;
	int rc;

	rng_init(&r);
	test_settings(&set, &r, NULL);
	set.max_username = max_username;
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_SCRAM_SHA_256, &s), 0);
	rc = correu_sasl_server_step(s, S(client_first), &out, &len);
	correu_sasl_server_free(s);
	return rc;
}

Test(scram, server_parses_client_first_strictly)
{
	cr_assert_eq(server_first_against("n,,n=user,r=abc", 0), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(server_first_against("y,,n=user,r=abc", 0), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(server_first_against("n,a=admin,n=user,r=abc", 0), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(server_first_against("p=tls-unique,,n=user,r=abc", 0), CORREU_ERR_PROTO);
	cr_assert_eq(server_first_against("n,,m=x,n=user,r=abc", 0), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(server_first_against("n,,n=us=er,r=abc", 0), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_first_against("n,,n=,r=abc", 0), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_first_against("n,,n=user,r=", 0), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_first_against("n,,r=abc,n=user", 0), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_first_against("x,,n=user,r=abc", 0), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_first_against("n,a=x", 0), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_first_against("", 0), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_first_against("n,,n=abcd,r=abc", 4), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(server_first_against("n,,n=abcde,r=abc", 4), CORREU_ERR_LIMIT);
}

Test(scram, server_unescapes_the_user_name)
{
	correu_sasl_settings set;
	struct test_rng r;
	correu_sasl_server *s;
	const uint8_t *out;
	const char *user;
	size_t len;

	rng_init(&r);
	test_settings(&set, &r, NULL);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_SCRAM_SHA_256, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, S("n,a=x=3Dy,n=a=2Cb=3Dc,r=abc"), &out, &len),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &user, &len), 0);
	cr_assert_str_eq(user, "a,b=c");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_AUTHZID, &user, &len), 0);
	cr_assert_str_eq(user, "x=y");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_PASSWORD, &user, &len),
	             CORREU_ERR_NOT_FOUND, "SCRAM never sees a password");
	correu_sasl_server_free(s);
}

Test(scram, server_checks_supplied_keys)
{
	correu_sasl_settings set;
	struct test_rng r;
	correu_sasl_server *s;
	correu_sasl_scram_keys keys;
	const uint8_t *out;
	size_t len;

	rng_init(&r);
	test_settings(&set, &r, NULL);
	set.max_iterations = 4096;
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_SCRAM_SHA_256, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, S("n,,n=user,r=abc"), &out, &len),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_1, T("pencil"),
	                                      (const uint8_t *)"salt", 4, 4096, &keys), 0);
	cr_assert_eq(correu_sasl_server_supply_scram_keys(s, &keys, &out, &len), CORREU_ERR_ARG,
	             "SHA-1 keys for SCRAM-SHA-256");
	cr_assert_eq(correu_sasl_server_need(s), CORREU_SASL_NEED_SCRAM_KEYS, "still waiting");
	cr_assert_eq(correu_sasl_server_supply_secret(s, T("pencil"), &out, &len), CORREU_ERR_STATE);
	cr_assert_eq(correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_256, T("pencil"),
	                                      (const uint8_t *)"salt", 4, 4097, &keys), 0);
	cr_assert_eq(correu_sasl_server_supply_scram_keys(s, &keys, &out, &len), CORREU_ERR_LIMIT);
	correu_sasl_server_free(s);
}

Test(scram, unknown_user_looks_like_a_wrong_password)
{
	correu_sasl_settings set;
	struct test_rng r;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t len;

	rng_init(&r);
	test_settings(&set, &r, NULL);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_SCRAM_SHA_1, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, S(rfc5802.client_first), &out, &len),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &len), CORREU_SASL_CHALLENGE);
	cr_assert(len > 24 && memcmp(out, "r=fyko+d2lbbFgONRv9qkxdawL", 26) == 0);
	/* The challenge is (ptr, len), not a C string. */
	char text[256];
	cr_assert_lt(len, sizeof(text));
	memcpy(text, out, len);
	text[len] = '\0';
	cr_assert(strstr(text, ",s=") && strstr(text, ",i=4096"));
	correu_sasl_server_free(s);
}

Test(scram, derive_and_verify_password)
{
	correu_sasl_scram_keys keys;

	cr_assert_eq(correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_256, T("pencil"),
	                                      (const uint8_t *)"salt", 4, 4096, &keys), 0);
	cr_assert_eq(keys.key_len, 32);
	cr_assert_eq(keys.iterations, 4096);
	cr_assert_eq(correu_sasl_scram_verify_password(&keys, T("pencil")), 0);
	cr_assert_eq(correu_sasl_scram_verify_password(&keys, T("pencil ")), CORREU_ERR_AUTH);
	cr_assert_eq(correu_sasl_scram_verify_password(&keys, T("pen\xc2\xad" "cil")), 0,
	             "SASLprep applies on both sides");
	cr_assert_eq(correu_sasl_scram_verify_password(&keys, T("\x01")), CORREU_ERR_AUTH);
	keys.key_len = 20;
	cr_assert_eq(correu_sasl_scram_verify_password(&keys, T("pencil")), CORREU_ERR_ARG);
	cr_assert_eq(correu_sasl_scram_derive(CORREU_SASL_PLAIN, T("pencil"),
	                                      (const uint8_t *)"salt", 4, 4096, &keys), CORREU_ERR_ARG);
	cr_assert_eq(correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_1, T("pencil"),
	                                      (const uint8_t *)"salt", 0, 4096, &keys), CORREU_ERR_ARG);
	cr_assert_eq(correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_1, T("pencil"),
	                                      (const uint8_t *)"salt", 4, 0, &keys), CORREU_ERR_ARG);
}
