/* EXTERNAL (RFC 4422 Appendix A). */
#include <criterion/criterion.h>
#include <string.h>

#include "sasl_test.h"

#define M(lit) (const uint8_t *)(lit), sizeof(lit) - 1

Test(external, client_sends_the_authzid_or_nothing)
{
	correu_sasl_credentials cred = make_cred(NULL, "admin", NULL, NULL);
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_EXTERNAL, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	cr_assert_eq(len, 5);
	cr_assert_eq(memcmp(out, "admin", 5), 0);
	cr_assert_eq(correu_sasl_client_step(c, M("?"), &out, &len), CORREU_ERR_PROTO);
	correu_sasl_client_free(c);

	cred = make_cred(NULL, NULL, NULL, NULL);
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_EXTERNAL, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	cr_assert_eq(len, 0, "an empty initial response");
	correu_sasl_client_free(c);
}

Test(external, server_asks_whether_the_identity_may_act)
{
	correu_sasl_server *s;
	const uint8_t *out;
	const char *p;
	size_t n;

	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_EXTERNAL, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("admin"), &out, &n), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_need(s), CORREU_SASL_NEED_EXTERNAL_CHECK);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_AUTHZID, &p, &n), 0);
	cr_assert_str_eq(p, "admin");
	cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &n), CORREU_ERR_AUTH);
	correu_sasl_server_free(s);

	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_EXTERNAL, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M(""), &out, &n), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &n), CORREU_SASL_SUCCESS);
	correu_sasl_server_free(s);

	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_EXTERNAL, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("a\0b"), &out, &n), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
}
