/* PLAIN (RFC 4616): message format, authzid, malformed messages, limits. */
#include <criterion/criterion.h>
#include <string.h>

#include "sasl_test.h"

#define M(lit) (const uint8_t *)(lit), sizeof(lit) - 1

Test(plain, client_message_with_and_without_authzid)
{
	correu_sasl_credentials cred = make_cred("tim", "admin", "tanstaaf", NULL);
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_PLAIN, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 1);
	cr_assert_eq(len, 18);
	cr_assert_eq(memcmp(out, "admin\0tim\0tanstaaf", 18), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), CORREU_ERR_STATE, "once only");
	cr_assert_eq(correu_sasl_client_finish(c, NULL, 0), 0);
	correu_sasl_client_free(c);

	cred = make_cred("tim", NULL, "tanstaaf", NULL);
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_PLAIN, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_step(c, (const uint8_t *)"", 0, &out, &len), 0,
	             "answers the empty challenge when no initial response was sent");
	cr_assert_eq(len, 13);
	cr_assert_eq(memcmp(out, "\0tim\0tanstaaf", 13), 0);
	cr_assert_eq(correu_sasl_client_step(c, M("more?"), &out, &len), CORREU_ERR_PROTO);
	correu_sasl_client_free(c);
}

Test(plain, client_refuses_bad_credentials)
{
	correu_sasl_credentials cred = make_cred("tim", NULL, "", NULL);
	correu_sasl_client *c;
	correu_sasl_settings set;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_PLAIN, &cred, &c), CORREU_ERR_ARG);
	cred = make_cred("", NULL, "pw", NULL);
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_PLAIN, &cred, &c), CORREU_ERR_ARG);
	cred = make_cred("tim", NULL, "pw", NULL);
	cred.password_len = 3; /* takes in the NUL */
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_PLAIN, &cred, &c), CORREU_ERR_ARG);
	correu_sasl_settings_init(&set);
	set.max_username = 3;
	cred = make_cred("tim", NULL, "pw", NULL);
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_PLAIN, &cred, &c), 0);
	correu_sasl_client_free(c);
	cred = make_cred("timo", NULL, "pw", NULL);
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_PLAIN, &cred, &c), CORREU_ERR_LIMIT);
}

static int server_on(const uint8_t *msg, size_t len, size_t max_username, correu_sasl_server **keep)
{
	correu_sasl_settings set;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t n;
	int rc;

	correu_sasl_settings_init(&set);
	set.max_username = max_username;
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_PLAIN, &s), 0);
	rc = correu_sasl_server_step(s, msg, len, &out, &n);
	if (rc < 0)
		cr_assert_neq(correu_sasl_server_reason(s)[0], '\0');
	if (keep)
		*keep = s;
	else
		correu_sasl_server_free(s);
	return rc;
}

Test(plain, server_reads_the_three_fields)
{
	correu_sasl_server *s;
	const char *p;
	size_t n;
	const uint8_t *out;

	cr_assert_eq(server_on(M("admin\0tim\0tanstaaf"), 0, &s), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_need(s), CORREU_SASL_NEED_PASSWORD_CHECK);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_AUTHZID, &p, &n), 0);
	cr_assert_str_eq(p, "admin");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &p, &n), 0);
	cr_assert_str_eq(p, "tim");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_PASSWORD, &p, &n), 0);
	cr_assert_str_eq(p, "tanstaaf");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_TOKEN, &p, &n),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_sasl_server_step(s, M("x"), &out, &n), CORREU_ERR_STATE,
	             "waiting for credentials");
	cr_assert_eq(correu_sasl_server_supply_secret(s, "x", 1, &out, &n), CORREU_ERR_STATE,
	             "PLAIN takes a verdict or keys, not a secret");
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &n), CORREU_SASL_SUCCESS);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_PASSWORD, &p, &n),
	             CORREU_ERR_NOT_FOUND, "password forgotten once checked");
	correu_sasl_server_free(s);

	cr_assert_eq(server_on(M("\0tim\0tanstaaf"), 0, &s), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_AUTHZID, &p, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(correu_sasl_server_supply_result(s, 0, &out, &n), CORREU_ERR_AUTH);
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &n), CORREU_ERR_AUTH, "sticky");
	correu_sasl_server_free(s);
}

Test(plain, server_refuses_malformed_messages)
{
	cr_assert_eq(server_on(M(""), 0, NULL), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_on(M("tim\0tanstaaf"), 0, NULL), CORREU_ERR_SYNTAX, "one NUL");
	cr_assert_eq(server_on(M("a\0tim\0tan\0staaf"), 0, NULL), CORREU_ERR_SYNTAX, "three NULs");
	cr_assert_eq(server_on(M("\0\0tanstaaf"), 0, NULL), CORREU_ERR_SYNTAX, "empty authcid");
	cr_assert_eq(server_on(M("\0tim\0"), 0, NULL), CORREU_ERR_SYNTAX, "empty password");
	cr_assert_eq(server_on(M("\0\0"), 0, NULL), CORREU_ERR_SYNTAX);
	cr_assert_eq(server_on(M("\0t\xffm\0pw"), 0, NULL), CORREU_ERR_SYNTAX, "not UTF-8");
}

Test(plain, server_limits)
{
	correu_sasl_settings set;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t n;

	cr_assert_eq(server_on(M("\0abcd\0pw"), 4, NULL), CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(server_on(M("\0abcde\0pw"), 4, NULL), CORREU_ERR_LIMIT);
	cr_assert_eq(server_on(M("abcde\0u\0pw"), 4, NULL), CORREU_ERR_LIMIT, "authzid too");
	correu_sasl_settings_init(&set);
	set.max_message = 6;
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_PLAIN, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("\0ab\0cd"), &out, &n), CORREU_SASL_NEED_CREDENTIALS);
	correu_sasl_server_free(s);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_PLAIN, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("\0ab\0cde"), &out, &n), CORREU_ERR_LIMIT);
	correu_sasl_server_free(s);
}

Test(plain, server_without_initial_response_sends_an_empty_challenge)
{
	correu_sasl_server *s;
	const uint8_t *out;
	size_t n;

	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_PLAIN, &s), 0);
	cr_assert_eq(correu_sasl_server_start(s, &out, &n), CORREU_SASL_CHALLENGE);
	cr_assert_eq(n, 0);
	cr_assert_eq(correu_sasl_server_start(s, &out, &n), CORREU_ERR_STATE);
	cr_assert_eq(correu_sasl_server_step(s, M("\0tim\0pw"), &out, &n), CORREU_SASL_NEED_CREDENTIALS);
	correu_sasl_server_free(s);
}
