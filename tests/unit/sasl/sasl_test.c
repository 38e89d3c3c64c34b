/* Helpers for the SASL tests (see sasl_test.h). */
#include "sasl_test.h"

#include <criterion/criterion.h>
#include <string.h>

void rng_init(struct test_rng *r)
{
	memset(r, 0, sizeof(*r));
	r->state = 0x12345678u;
}

void rng_push_nonce(struct test_rng *r, const char *nonce)
{
	for (const char *p = nonce; *p; p++) {
		uint8_t c = (uint8_t)*p;

		cr_assert(c >= 0x21 && c <= 0x7e && c != ',', "not a nonce character");
		cr_assert_lt(r->len, sizeof(r->script));
		r->script[r->len++] = (uint8_t)(c < 0x2c ? c - 0x21 : c - 0x22);
	}
}

int rng_fn(uint8_t *buf, size_t len, void *userdata)
{
	struct test_rng *r = userdata;

	if (r->fail)
		return CORREU_ERR_IO;
	for (size_t i = 0; i < len; i++) {
		if (r->pos < r->len) {
			buf[i] = r->script[r->pos++];
			continue;
		}
		r->state ^= r->state << 13;
		r->state ^= r->state >> 17;
		r->state ^= r->state << 5;
		buf[i] = (uint8_t)r->state;
	}
	return 0;
}

void test_settings(correu_sasl_settings *s, struct test_rng *r, const correu_allocator *a)
{
	correu_sasl_settings_init(s);
	s->random = rng_fn;
	s->random_userdata = r;
	s->allocator = a;
}

correu_sasl_credentials make_cred(const char *user, const char *authzid, const char *password,
                                  const char *token)
{
	correu_sasl_credentials c;

	memset(&c, 0, sizeof(c));
	c.version = CORREU_SASL_CREDENTIALS_VERSION;
	c.username = user;
	c.username_len = user ? strlen(user) : 0;
	c.authzid = authzid;
	c.authzid_len = authzid ? strlen(authzid) : 0;
	c.password = password;
	c.password_len = password ? strlen(password) : 0;
	c.token = token;
	c.token_len = token ? strlen(token) : 0;
	return c;
}

static bool field_is(correu_sasl_server *s, int field, const char *want)
{
	const char *p;
	size_t n;

	if (correu_sasl_server_field(s, field, &p, &n) < 0)
		return false;
	return want && n == strlen(want) && memcmp(p, want, n) == 0;
}

/* What the backend answers to a credential request. */
static int answer(correu_sasl_server *s, int mech, const struct test_db *db,
                  const uint8_t **out, size_t *out_len)
{
	bool known = field_is(s, CORREU_SASL_FIELD_USERNAME, db->user);
	int scram_mech = mech == CORREU_SASL_SCRAM_SHA_1 ? mech : CORREU_SASL_SCRAM_SHA_256;
	correu_sasl_scram_keys keys;
	int rc;

	switch (correu_sasl_server_need(s)) {
	case CORREU_SASL_NEED_PASSWORD_CHECK:
		if (db->use_keys && known) {
			rc = correu_sasl_scram_derive(scram_mech, db->password, strlen(db->password),
			                              (const uint8_t *)"salty", 5, 4096, &keys);
			cr_assert_eq(rc, 0);
			return correu_sasl_server_supply_scram_keys(s, &keys, out, out_len);
		}
		return correu_sasl_server_supply_result(
			s, known && field_is(s, CORREU_SASL_FIELD_PASSWORD, db->password), out, out_len);
	case CORREU_SASL_NEED_SECRET:
		if (!known)
			return correu_sasl_server_supply_result(s, 0, out, out_len);
		return correu_sasl_server_supply_secret(s, db->password, strlen(db->password), out,
		                                        out_len);
	case CORREU_SASL_NEED_SCRAM_KEYS:
		if (!known)
			return correu_sasl_server_supply_result(s, 0, out, out_len);
		rc = correu_sasl_scram_derive(mech, db->password, strlen(db->password),
		                              (const uint8_t *)"0123456789abcdef", 16, 4096, &keys);
		cr_assert_eq(rc, 0);
		return correu_sasl_server_supply_scram_keys(s, &keys, out, out_len);
	case CORREU_SASL_NEED_TOKEN_CHECK:
		return correu_sasl_server_supply_result(
			s, known && field_is(s, CORREU_SASL_FIELD_TOKEN, db->token), out, out_len);
	case CORREU_SASL_NEED_EXTERNAL_CHECK: {
		const char *p;
		size_t n;

		rc = correu_sasl_server_field(s, CORREU_SASL_FIELD_AUTHZID, &p, &n);
		cr_assert_eq(rc, 0);
		return correu_sasl_server_supply_result(
			s, n == 0 || field_is(s, CORREU_SASL_FIELD_AUTHZID, db->cert_identity), out,
			out_len);
	}
	default:
		cr_assert_fail("need credentials without a need");
		return CORREU_ERR_INTERNAL;
	}
}

int run_exchange(int mech, const correu_sasl_settings *set, const correu_sasl_credentials *cred,
                 const struct test_db *db, bool ir)
{
	correu_sasl_client *c = NULL;
	correu_sasl_server *s = NULL;
	const uint8_t *out, *resp;
	size_t out_len, resp_len;
	int st, rc, rounds = 0;

	rc = correu_sasl_client_new(set, mech, cred, &c);
	if (rc < 0)
		return rc;
	rc = correu_sasl_server_new(set, mech, &s);
	if (rc < 0)
		goto done;
	rc = ir ? correu_sasl_client_start(c, &resp, &resp_len) : 0;
	if (rc < 0)
		goto done;
	st = rc == 1 ? correu_sasl_server_step(s, resp, resp_len, &out, &out_len)
	             : correu_sasl_server_start(s, &out, &out_len);
	for (;;) {
		cr_assert_lt(++rounds, 20, "exchange does not end");
		while (st == CORREU_SASL_NEED_CREDENTIALS)
			st = answer(s, mech, db, &out, &out_len);
		if (st < 0) {
			rc = st;
			break;
		}
		if (st == CORREU_SASL_SUCCESS) {
			rc = correu_sasl_client_finish(c, out_len ? out : NULL, out_len);
			break;
		}
		cr_assert_eq(st, CORREU_SASL_CHALLENGE);
		rc = correu_sasl_client_step(c, out, out_len, &resp, &resp_len);
		if (rc < 0)
			break;
		st = correu_sasl_server_step(s, resp, resp_len, &out, &out_len);
	}
done:
	correu_sasl_client_free(c);
	correu_sasl_server_free(s);
	return rc;
}
