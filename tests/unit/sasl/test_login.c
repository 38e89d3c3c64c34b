/* LOGIN: the prompts, answers by prompt or by order, and the server. */
#include <criterion/criterion.h>
#include <string.h>

#include "sasl_test.h"

#define M(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static void answer_is(correu_sasl_client *c, const uint8_t *p, size_t n, const char *want)
{
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_step(c, p, n, &out, &len), 0);
	cr_assert_eq(len, strlen(want));
	cr_assert_eq(memcmp(out, want, len), 0);
}

Test(login, client_answers_the_prompts)
{
	correu_sasl_credentials cred = make_cred("tim", NULL, "tanstaaf", NULL);
	correu_sasl_client *c;
	const uint8_t *out;
	size_t len;

	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_LOGIN, &cred, &c), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &len), 0, "LOGIN has no initial response");
	answer_is(c, M("Username:"), "tim");
	answer_is(c, M("Password:"), "tanstaaf");
	cr_assert_eq(correu_sasl_client_step(c, M("Password:"), &out, &len), CORREU_ERR_PROTO);
	correu_sasl_client_free(c);

	/* Other wordings: by keyword, else by order. */
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_LOGIN, &cred, &c), 0);
	answer_is(c, M("User Name\0"), "tim");
	answer_is(c, M("what else?"), "tanstaaf");
	correu_sasl_client_free(c);
	cr_assert_eq(correu_sasl_client_new(NULL, CORREU_SASL_LOGIN, &cred, &c), 0);
	answer_is(c, M("PASSWORD"), "tanstaaf");
	correu_sasl_client_free(c);
}

Test(login, server_prompts_and_asks_for_a_check)
{
	correu_sasl_server *s;
	const uint8_t *out;
	const char *p;
	size_t n;

	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_LOGIN, &s), 0);
	cr_assert_eq(correu_sasl_server_start(s, &out, &n), CORREU_SASL_CHALLENGE);
	cr_assert_eq(n, 9);
	cr_assert_eq(memcmp(out, "Username:", 9), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("tim"), &out, &n), CORREU_SASL_CHALLENGE);
	cr_assert_eq(memcmp(out, "Password:", 9), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("tanstaaf"), &out, &n),
	             CORREU_SASL_NEED_CREDENTIALS);
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &p, &n), 0);
	cr_assert_str_eq(p, "tim");
	cr_assert_eq(correu_sasl_server_field(s, CORREU_SASL_FIELD_PASSWORD, &p, &n), 0);
	cr_assert_str_eq(p, "tanstaaf");
	cr_assert_eq(correu_sasl_server_supply_result(s, 1, &out, &n), CORREU_SASL_SUCCESS);
	correu_sasl_server_free(s);
}

Test(login, server_takes_the_user_name_as_initial_response)
{
	correu_sasl_server *s;
	const uint8_t *out;
	size_t n;

	cr_assert_eq(correu_sasl_server_new(NULL, CORREU_SASL_LOGIN, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("tim"), &out, &n), CORREU_SASL_CHALLENGE);
	cr_assert_eq(memcmp(out, "Password:", 9), 0);
	correu_sasl_server_free(s);
}

Test(login, server_refuses_empty_and_long_answers)
{
	correu_sasl_settings set;
	correu_sasl_server *s;
	const uint8_t *out;
	size_t n;

	correu_sasl_settings_init(&set);
	set.max_username = 3;
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_LOGIN, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M(""), &out, &n), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_LOGIN, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("tim"), &out, &n), CORREU_SASL_CHALLENGE);
	correu_sasl_server_free(s);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_LOGIN, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("timo"), &out, &n), CORREU_ERR_LIMIT);
	correu_sasl_server_free(s);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_LOGIN, &s), 0);
	cr_assert_eq(correu_sasl_server_step(s, M("tim"), &out, &n), CORREU_SASL_CHALLENGE);
	cr_assert_eq(correu_sasl_server_step(s, M("p\0w"), &out, &n), CORREU_ERR_SYNTAX);
	correu_sasl_server_free(s);
}
