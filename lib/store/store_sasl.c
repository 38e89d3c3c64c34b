/*
 * Credentials for a SASL server exchange from the store (store layer, the
 * server cores' shared bridge; see store_sasl.h). The mechanism's need
 * picks the store operation: PLAIN and LOGIN a password check, SCRAM the
 * stored keys, XOAUTH2 and OAUTHBEARER a token check. Proxy authorization
 * is not offered (RFC 4616 section 2: the server decides whether the
 * authentication identity may act as the authorization identity; we allow
 * only itself). The handle's creation and the decoding of a base64 client
 * response are here too: every core does them alike.
 */
#include <string.h>

#include "correu/codec.h"
#include "internal.h"
#include "store_sasl.h"

static void field(const correu_sasl_server *sasl, int f, const char **p, size_t *len)
{
	if (correu_sasl_server_field(sasl, f, p, len) < 0) {
		*p = "";
		*len = 0;
	}
}

static int set_user(correu__store_sasl *x, const char *p, size_t len)
{
	if (len == 0 || len > CORREU__STORE_SASL_USER)
		return CORREU_ERR_AUTH;
	memcpy(x->user, p, len);
	x->user[len] = '\0';
	x->user_len = len;
	return 0;
}

int correu__store_sasl_ask(correu__store_sasl *x, correu_sasl_server *sasl, correu_store_req *req)
{
	const char *user, *authz, *secret;
	size_t ulen, zlen, slen;
	int need = correu_sasl_server_need(sasl);

	x->op = 0;
	field(sasl, CORREU_SASL_FIELD_USERNAME, &user, &ulen);
	field(sasl, CORREU_SASL_FIELD_AUTHZID, &authz, &zlen);
	if (zlen && ulen && (zlen != ulen || memcmp(authz, user, ulen) != 0))
		return CORREU_ERR_AUTH;
	if (ulen == 0) {
		/* OAUTHBEARER may name the user only in its authzid. */
		user = authz;
		ulen = zlen;
	}
	switch (need) {
	case CORREU_SASL_NEED_PASSWORD_CHECK:
		if (set_user(x, user, ulen) < 0)
			return CORREU_ERR_AUTH;
		field(sasl, CORREU_SASL_FIELD_PASSWORD, &secret, &slen);
		x->op = CORREU_STORE_OP_AUTH_PASSWORD;
		return correu_store_auth_password(req, user, ulen, secret, slen);
	case CORREU_SASL_NEED_SCRAM_KEYS:
		if (set_user(x, user, ulen) < 0)
			return CORREU_ERR_AUTH;
		x->op = CORREU_STORE_OP_AUTH_SCRAM_KEYS;
		return correu_store_auth_scram_keys(req, (uint32_t)x->mech, user, ulen);
	case CORREU_SASL_NEED_TOKEN_CHECK:
		/* The token may name the user itself (completion gives it). */
		if (ulen > CORREU__STORE_SASL_USER)
			return CORREU_ERR_AUTH;
		memcpy(x->user, user, ulen);
		x->user[ulen] = '\0';
		x->user_len = ulen;
		field(sasl, CORREU_SASL_FIELD_TOKEN, &secret, &slen);
		x->op = CORREU_STORE_OP_AUTH_TOKEN;
		return correu_store_auth_token(req, (uint32_t)x->mech, user, ulen, secret, slen);
	default:
		/* CRAM-MD5 and EXTERNAL need what the store interface does not give. */
		return CORREU_ERR_AUTH;
	}
}

static bool temporary(int rc)
{
	return rc == CORREU_ERR_NOMEM || rc == CORREU_ERR_BUSY || rc == CORREU_ERR_INTERNAL ||
	       rc == CORREU_ERR_UNSUPPORTED || rc == CORREU_ERR_LIMIT || rc == CORREU_ERR_IO;
}

int correu__store_sasl_answer(correu__store_sasl *x, correu_sasl_server *sasl,
                              correu_store_req *req, int rc, const uint8_t **out, size_t *out_len)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };
	correu_sasl_scram_keys keys;
	int st;

	*out = NULL;
	*out_len = 0;
	if (x->op != 0 && temporary(rc))
		return CORREU_ERR_BUSY;
	if (x->op == CORREU_STORE_OP_AUTH_SCRAM_KEYS && rc == 0 &&
	    correu_store_req_scram_keys(req, &keys) == 0) {
		st = correu_sasl_server_supply_scram_keys(sasl, &keys, out, out_len);
		correu_wipe(&keys, sizeof(keys));
		return st;
	}
	/* The canonical user name, when the store gave one. */
	if (rc == 0 && correu_store_req_result(req, &r) == 0 && r.text && r.text_len &&
	    set_user(x, r.text, r.text_len) < 0)
		rc = CORREU_ERR_AUTH;
	if (rc == 0 && x->user_len == 0)
		rc = CORREU_ERR_AUTH; /* a token that names nobody */
	/* An unknown user looks like a wrong password (SCRAM runs on with a
	 * fake salt, so the exchange fails only at its end). */
	return correu_sasl_server_supply_result(sasl, rc == 0, out, out_len);
}

int correu__store_sasl_new(correu__store_sasl *x, int mech, const correu_allocator *alloc,
                           correu_sasl_random_fn random, void *random_userdata, const char *host,
                           correu_sasl_server **out)
{
	correu_sasl_settings set;

	correu_sasl_settings_init(&set);
	set.allocator = alloc;
	set.random = random;
	set.random_userdata = random_userdata;
	set.hostname = host;
	x->mech = mech;
	return correu_sasl_server_new(&set, mech, out);
}

int correu__store_sasl_step_b64(correu_sasl_server *sasl, const correu_allocator *alloc,
                                const uint8_t *p, size_t len, bool initial, const uint8_t **out,
                                size_t *out_len)
{
	size_t cap = correu_base64_decoded_max(len) + 1;
	uint8_t *raw;
	correu_ssize n = 0;
	int st;

	*out = NULL;
	*out_len = 0;
	raw = correu__alloc(alloc, cap);
	if (!raw)
		return CORREU_ERR_NOMEM;
	if (!(initial && len == 1 && p[0] == '='))
		n = correu_base64_decode((const char *)p, len, raw, cap);
	/* The response may hold a password: wipe it either way. */
	st = n < 0 ? CORREU_ERR_SYNTAX
	           : correu_sasl_server_step(sasl, raw, (size_t)n, out, out_len);
	correu_wipe(raw, cap);
	correu__free(alloc, raw, cap);
	return st;
}

void correu__store_sasl_clear(correu__store_sasl *x)
{
	correu_wipe(x->user, sizeof(x->user));
	x->user_len = 0;
	x->op = 0;
}
