/* Mechanism names, properties and the client's choice of mechanism. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/sasl.h"

#define T(str) (str), strlen(str)

Test(mech, names_round_trip_without_regard_to_case)
{
	for (int m = CORREU_SASL_PLAIN; m <= CORREU_SASL_SCRAM_SHA_256; m++) {
		const char *name = correu_sasl_mech_name(m);

		cr_assert_not_null(name);
		cr_assert_eq(correu_sasl_mech_from_name(name, strlen(name)), m);
	}
	cr_assert_eq(correu_sasl_mech_from_name(T("scram-sha-256")), CORREU_SASL_SCRAM_SHA_256);
	cr_assert_eq(correu_sasl_mech_from_name(T("SCRAM-SHA-256-PLUS")), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_sasl_mech_from_name(T("PLAI")), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_sasl_mech_from_name(NULL, 0), CORREU_ERR_NOT_FOUND);
	cr_assert_null(correu_sasl_mech_name(0));
	cr_assert_null(correu_sasl_mech_name(9));
}

Test(mech, properties)
{
	cr_assert(correu_sasl_mech_is_plaintext(CORREU_SASL_PLAIN));
	cr_assert(correu_sasl_mech_is_plaintext(CORREU_SASL_XOAUTH2));
	cr_assert_not(correu_sasl_mech_is_plaintext(CORREU_SASL_SCRAM_SHA_1));
	cr_assert_not(correu_sasl_mech_is_plaintext(CORREU_SASL_EXTERNAL));
	cr_assert(correu_sasl_mech_has_initial_response(CORREU_SASL_PLAIN));
	cr_assert_not(correu_sasl_mech_has_initial_response(CORREU_SASL_LOGIN));
	cr_assert_not(correu_sasl_mech_has_initial_response(CORREU_SASL_CRAM_MD5));
	cr_assert(correu_sasl_mech_available(CORREU_SASL_PLAIN));
	cr_assert_not(correu_sasl_mech_available(42));
}

static int choose(const char *offered, uint32_t flags)
{
	int m = 0;
	int rc = correu_sasl_choose(offered, strlen(offered), flags, &m);

	return rc < 0 ? rc : m;
}

#define PW CORREU_SASL_HAVE_PASSWORD
#define TLS CORREU_SASL_ALLOW_PLAINTEXT

Test(mech, choose_prefers_scram_then_plaintext_over_tls_then_cram)
{
	const char *all = "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2";

	if (!correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256))
		return;
	cr_assert_eq(choose(all, PW | TLS), CORREU_SASL_SCRAM_SHA_256);
	cr_assert_eq(choose("plain scram-sha-1", PW | TLS), CORREU_SASL_SCRAM_SHA_1);
	cr_assert_eq(choose("CRAM-MD5 LOGIN PLAIN", PW | TLS), CORREU_SASL_PLAIN);
	cr_assert_eq(choose("CRAM-MD5 LOGIN", PW | TLS), CORREU_SASL_LOGIN);
	cr_assert_eq(choose("CRAM-MD5 LOGIN PLAIN", PW), CORREU_SASL_CRAM_MD5,
	             "without TLS, no plaintext password");
	cr_assert_eq(choose("LOGIN PLAIN", PW), CORREU_ERR_NOT_FOUND);
}

Test(mech, choose_by_credentials)
{
	cr_assert_eq(choose("PLAIN XOAUTH2 OAUTHBEARER", CORREU_SASL_HAVE_TOKEN | TLS),
	             CORREU_SASL_OAUTHBEARER);
	cr_assert_eq(choose("PLAIN XOAUTH2", CORREU_SASL_HAVE_TOKEN | TLS), CORREU_SASL_XOAUTH2);
	cr_assert_eq(choose("PLAIN XOAUTH2", CORREU_SASL_HAVE_TOKEN), CORREU_ERR_NOT_FOUND,
	             "a bearer token is a plaintext secret");
	cr_assert_eq(choose("PLAIN EXTERNAL", CORREU_SASL_HAVE_CERT | PW | TLS),
	             CORREU_SASL_EXTERNAL);
	cr_assert_eq(choose("PLAIN EXTERNAL", PW | TLS), CORREU_SASL_PLAIN);
	cr_assert_eq(choose("  PLAIN   ", PW | TLS), CORREU_SASL_PLAIN, "extra spaces");
	cr_assert_eq(choose("PLAINX XPLAIN", PW | TLS), CORREU_ERR_NOT_FOUND, "whole names only");
	cr_assert_eq(choose("", PW | TLS), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_sasl_choose("PLAIN", 5, PW, NULL), CORREU_ERR_ARG);
}

Test(mech, builds_without_mbedtls_leave_out_hashed_mechanisms_cleanly)
{
	correu_sasl_scram_keys keys;
	correu_sasl_client *c;
	correu_sasl_credentials cred = {CORREU_SASL_CREDENTIALS_VERSION, "u", 1, NULL, 0, "p", 1,
	                                NULL, 0, NULL, 0, 0};

	if (correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256))
		return; /* the mbedTLS build: covered by test_scram */
	cr_assert_not(correu_sasl_mech_available(CORREU_SASL_CRAM_MD5));
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_SCRAM_SHA_1, &cred, &c),
	             CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_256, "p", 1,
	                                      (const uint8_t *)"s", 1, 4096, &keys),
	             CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_sasl_scram_verify_password(&keys, "p", 1), CORREU_ERR_UNSUPPORTED);
}
