/*
 * SCRAM (RFC 5802, RFC 7677) pieces shared by client and server (SASL
 * layer): SASLprep of names and passwords, the key schedule from the
 * salted password, attribute parsing, and the public functions that derive
 * stored keys from a password and check a password against them.
 */
#include <string.h>

#include "sasl_internal.h"

/* derive/verify take no allocator: the prepared password lives on the
 * stack, which bounds it. */
#define PW_MAX 1024

int correu__scram_prep(const correu_allocator *a, const char *in, size_t len,
                       correu__sasl_str *out)
{
	char *tmp;
	size_t n = 0;
	int rc;

	if (len == SIZE_MAX)
		return CORREU_ERR_LIMIT;
	tmp = correu__alloc(a, len + 1);
	if (!tmp)
		return CORREU_ERR_NOMEM;
	rc = correu_sasl_saslprep(in, len, tmp, len + 1, &n);
	if (rc == 0)
		rc = correu__sasl_str_set(a, out, tmp, n);
	correu_wipe(tmp, len + 1);
	correu__free(a, tmp, len + 1);
	return rc;
}

int correu__scram_keys_from_salted(int mech, const uint8_t *salted, uint8_t *client_key,
                                   uint8_t *stored_key, uint8_t *server_key)
{
	size_t n = correu__sasl_digest_len(mech);
	int rc;

	/* RFC 5802 Section 3. */
	if ((rc = correu__sasl_hmac(mech, salted, n, (const uint8_t *)"Client Key", 10,
	                            client_key)) < 0 ||
	    (rc = correu__sasl_hash(mech, client_key, n, stored_key)) < 0)
		return rc;
	return correu__sasl_hmac(mech, salted, n, (const uint8_t *)"Server Key", 10, server_key);
}

bool correu__scram_attr(const uint8_t *in, size_t len, size_t *pos, char name,
                        const uint8_t **val, size_t *vlen)
{
	size_t i = *pos, start;

	if (len - i < 2 || in[i] != (uint8_t)name || in[i + 1] != '=')
		return false;
	start = i + 2;
	for (i = start; i < len && in[i] != ','; i++)
		;
	*val = in + start;
	*vlen = i - start;
	*pos = i < len ? i + 1 : i;
	return true;
}

bool correu__scram_keys_ok(const correu_sasl_scram_keys *k)
{
	size_t n = k ? correu__sasl_digest_len((int)k->mech) : 0;

	return k && (k->mech == CORREU_SASL_SCRAM_SHA_1 || k->mech == CORREU_SASL_SCRAM_SHA_256) &&
	       n && k->key_len == n && k->salt_len >= 1 &&
	       k->salt_len <= CORREU_SASL_SCRAM_MAX_SALT && k->iterations >= 1;
}

/* SaltedPassword = Hi(Normalize(password), salt, i) (RFC 5802 Section 3). */
static int salted_password(int mech, const char *pw, size_t len, const uint8_t *salt,
                           size_t slen, uint32_t iterations, uint8_t *out)
{
	char prep[PW_MAX];
	size_t n = 0;
	int rc;

	if (len > PW_MAX)
		return CORREU_ERR_LIMIT;
	rc = correu_sasl_saslprep(pw, len, prep, sizeof(prep), &n);
	if (rc == 0)
		rc = correu__sasl_pbkdf2(mech, (const uint8_t *)prep, n, salt, slen, iterations, out);
	correu_wipe(prep, sizeof(prep));
	return rc;
}

int correu_sasl_scram_derive(int mech, const char *password, size_t password_len,
                             const uint8_t *salt, size_t salt_len, uint32_t iterations,
                             correu_sasl_scram_keys *keys_out)
{
	uint8_t salted[CORREU_SASL_SCRAM_MAX_KEY], ck[CORREU_SASL_SCRAM_MAX_KEY];
	correu_sasl_scram_keys k;
	int rc;

	if (!keys_out || (!password && password_len) || !salt)
		return CORREU_ERR_ARG;
	memset(&k, 0, sizeof(k));
	k.version = CORREU_SASL_SCRAM_KEYS_VERSION;
	k.mech = (uint32_t)mech;
	k.iterations = iterations;
	k.salt_len = (uint32_t)salt_len;
	k.key_len = (uint32_t)correu__sasl_digest_len(mech);
	if (salt_len > CORREU_SASL_SCRAM_MAX_SALT || !correu__scram_keys_ok(&k))
		return CORREU_ERR_ARG;
	memcpy(k.salt, salt, salt_len);
	rc = salted_password(mech, password ? password : "", password_len, salt, salt_len,
	                     iterations, salted);
	if (rc == 0)
		rc = correu__scram_keys_from_salted(mech, salted, ck, k.stored_key, k.server_key);
	if (rc == 0)
		*keys_out = k;
	correu_wipe(salted, sizeof(salted));
	correu_wipe(ck, sizeof(ck));
	correu_wipe(&k, sizeof(k));
	return rc;
}

int correu_sasl_scram_verify_password(const correu_sasl_scram_keys *keys, const char *password,
                                      size_t password_len)
{
	uint8_t salted[CORREU_SASL_SCRAM_MAX_KEY], ck[CORREU_SASL_SCRAM_MAX_KEY];
	uint8_t stored[CORREU_SASL_SCRAM_MAX_KEY], server[CORREU_SASL_SCRAM_MAX_KEY];
	int rc;

	if (!correu__scram_keys_ok(keys) || (!password && password_len))
		return CORREU_ERR_ARG;
	rc = salted_password((int)keys->mech, password ? password : "", password_len,
	                     keys->salt, keys->salt_len, keys->iterations, salted);
	if (rc == CORREU_ERR_ENCODING || rc == CORREU_ERR_UNSUPPORTED || rc == CORREU_ERR_LIMIT)
		rc = CORREU_ERR_AUTH; /* such a password can never have been stored */
	if (rc == 0)
		rc = correu__scram_keys_from_salted((int)keys->mech, salted, ck, stored, server);
	if (rc == 0 && !correu__sasl_ct_equal(stored, keys->stored_key, keys->key_len))
		rc = CORREU_ERR_AUTH;
	correu_wipe(salted, sizeof(salted));
	correu_wipe(ck, sizeof(ck));
	correu_wipe(stored, sizeof(stored));
	correu_wipe(server, sizeof(server));
	return rc;
}

bool correu__scram_nonce_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e || p[i] == ',')
			return false;
	return n > 0;
}

#define SCRAM_OPS                                                                    \
	.initial = true, .server_random = true,                                       \
	.client_initial = correu__scram_client_initial,                               \
	.client_step = correu__scram_client_step,                                     \
	.client_finish = correu__scram_client_finish,                                 \
	.client_check = correu__scram_client_check,                                   \
	.client_free = correu__scram_client_free,                                     \
	.server_step = correu__scram_server_step,                                     \
	.server_supply = correu__scram_server_supply,                                 \
	.server_free = correu__scram_server_free

const correu__sasl_mech correu__sasl_scram_sha1 = {
	.id = CORREU_SASL_SCRAM_SHA_1,
	.name = "SCRAM-SHA-1",
	SCRAM_OPS,
};

const correu__sasl_mech correu__sasl_scram_sha256 = {
	.id = CORREU_SASL_SCRAM_SHA_256,
	.name = "SCRAM-SHA-256",
	SCRAM_OPS,
};
