/*
 * The SCRAM client (RFC 5802 Section 5, RFC 7677), SASL layer. It sends
 * client-first with a nonce from the caller's random source, checks the
 * server's nonce, salt and iteration count, proves knowledge of the
 * password, and accepts success only after the server has proved the same
 * with its signature. Keys are wiped as soon as the proof is built; only
 * the expected server signature is kept.
 */
#include <stdlib.h>
#include <string.h>

#include "sasl_internal.h"

/* Client states (c->state; 0 is "nothing sent"): the next server message. */
enum {
	SC_SERVER_FIRST = 1, /* server-first-message */
	SC_SERVER_FINAL,     /* server-final-message, as challenge or success data */
	SC_DONE,             /* none */
};

struct correu__scram_client {
	correu__buf first_bare;  /* client-first-message-bare, for AuthMessage */
	char nonce[256];
	size_t nonce_len;
	uint8_t server_sig[CORREU_SASL_SCRAM_MAX_KEY];
	bool verified;
};

int correu__scram_client_check(correu_sasl_client *c)
{
	const correu_allocator *a = c->set.allocator;
	correu__sasl_str prep = {NULL, 0};
	int rc;

	if (!c->user.len || !c->password.len || !c->set.random)
		return CORREU_ERR_ARG;
	/* RFC 5802 Section 5.1: user name and password go through SASLprep. */
	if ((rc = correu__scram_prep(a, c->user.p, c->user.len, &prep)) < 0)
		return rc;
	correu__sasl_str_free(a, &c->user);
	c->user = prep;
	prep.p = NULL;
	if ((rc = correu__scram_prep(a, c->password.p, c->password.len, &prep)) < 0)
		return rc;
	correu__sasl_str_free(a, &c->password);
	c->password = prep;
	c->scram = correu__calloc(a, sizeof(*c->scram));
	if (!c->scram)
		return CORREU_ERR_NOMEM;
	correu__buf_init(&c->scram->first_bare, a, SIZE_MAX);
	return 0;
}

void correu__scram_client_free(correu_sasl_client *c)
{
	if (!c->scram)
		return;
	correu__buf_free(&c->scram->first_bare, true);
	correu_wipe(c->scram, sizeof(*c->scram));
	correu__free(c->set.allocator, c->scram, sizeof(*c->scram));
	c->scram = NULL;
}

int correu__scram_client_initial(correu_sasl_client *c)
{
	struct correu__scram_client *sc = c->scram;
	correu__buf *b = &sc->first_bare;
	int rc;

	c->state = SC_SERVER_FIRST;
	sc->nonce_len = c->set.nonce_len;
	rc = correu__sasl_nonce(&c->set, sc->nonce, sc->nonce_len);
	if (rc < 0)
		return correu__sasl_cfail(c, rc, "random source failed");
	b->len = 0;
	if ((rc = correu__buf_append(b, "n=", 2)) < 0 ||
	    (rc = correu__sasl_saslname_append(b, c->user.p, c->user.len)) < 0 ||
	    (rc = correu__buf_append(b, ",r=", 3)) < 0 ||
	    (rc = correu__buf_append(b, sc->nonce, sc->nonce_len)) < 0 ||
	    (rc = correu__sasl_gs2_append(&c->out, &c->authzid)) < 0)
		return rc;
	return correu__buf_append(&c->out, b->data, b->len);
}

/* Parse "i=": digits only, no sign, no overflow, within the settings. */
static int parse_iterations(correu_sasl_client *c, const uint8_t *v, size_t n, uint32_t *out)
{
	uint64_t it = 0;

	if (n == 0 || n > 10)
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, "bad iteration count");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return correu__sasl_cfail(c, CORREU_ERR_PROTO, "bad iteration count");
		it = it * 10 + (uint64_t)(v[i] - '0');
	}
	if (it < c->set.min_iterations || it > c->set.max_iterations)
		return correu__sasl_cfail(c, CORREU_ERR_LIMIT, "iteration count out of range");
	*out = (uint32_t)it;
	return 0;
}

/*
 * Build client-final from server-first: derive the keys, sign the
 * AuthMessage, keep the server signature we expect (RFC 5802 Section 3).
 */
static int prove(correu_sasl_client *c, const uint8_t *sfirst, size_t sflen,
                 const uint8_t *nonce, size_t nlen, const uint8_t *salt, size_t slen,
                 uint32_t iterations)
{
	struct correu__scram_client *sc = c->scram;
	int mech = c->mech->id;
	size_t dl = correu__sasl_digest_len(mech), wp;
	uint8_t salted[CORREU_SASL_SCRAM_MAX_KEY], ck[CORREU_SASL_SCRAM_MAX_KEY];
	uint8_t stored[CORREU_SASL_SCRAM_MAX_KEY], sk[CORREU_SASL_SCRAM_MAX_KEY];
	uint8_t sig[CORREU_SASL_SCRAM_MAX_KEY];
	correu__buf gs2, am;
	int rc;

	correu__buf_init(&gs2, c->set.allocator, SIZE_MAX);
	correu__buf_init(&am, c->set.allocator, SIZE_MAX);
	/* client-final-message-without-proof = "c=" base64(gs2 header) ",r=" nonce */
	if ((rc = correu__sasl_gs2_append(&gs2, &c->authzid)) < 0 ||
	    (rc = correu__buf_append(&c->out, "c=", 2)) < 0 ||
	    (rc = correu__sasl_b64_append(&c->out, gs2.data, gs2.len)) < 0 ||
	    (rc = correu__buf_append(&c->out, ",r=", 3)) < 0 ||
	    (rc = correu__buf_append(&c->out, nonce, nlen)) < 0)
		goto out;
	wp = c->out.len;
	/* AuthMessage = client-first-bare "," server-first "," without-proof */
	if ((rc = correu__buf_append(&am, sc->first_bare.data, sc->first_bare.len)) < 0 ||
	    (rc = correu__buf_append(&am, ",", 1)) < 0 ||
	    (rc = correu__buf_append(&am, sfirst, sflen)) < 0 ||
	    (rc = correu__buf_append(&am, ",", 1)) < 0 ||
	    (rc = correu__buf_append(&am, c->out.data, wp)) < 0)
		goto out;
	if ((rc = correu__sasl_pbkdf2(mech, (const uint8_t *)c->password.p, c->password.len,
	                              salt, slen, iterations, salted)) < 0 ||
	    (rc = correu__scram_keys_from_salted(mech, salted, ck, stored, sk)) < 0 ||
	    (rc = correu__sasl_hmac(mech, stored, dl, am.data, am.len, sig)) < 0 ||
	    (rc = correu__sasl_hmac(mech, sk, dl, am.data, am.len, sc->server_sig)) < 0)
		goto out;
	for (size_t i = 0; i < dl; i++)
		ck[i] ^= sig[i]; /* ClientProof = ClientKey XOR ClientSignature */
	if ((rc = correu__buf_append(&c->out, ",p=", 3)) == 0)
		rc = correu__sasl_b64_append(&c->out, ck, dl);
out:
	correu_wipe(salted, sizeof(salted));
	correu_wipe(ck, sizeof(ck));
	correu_wipe(stored, sizeof(stored));
	correu_wipe(sk, sizeof(sk));
	correu_wipe(sig, sizeof(sig));
	correu__buf_free(&gs2, false);
	correu__buf_free(&am, true);
	/* The password has served its one purpose; keys are gone too. */
	correu__sasl_str_free(c->set.allocator, &c->password);
	if (rc == CORREU_ERR_CRYPTO)
		return correu__sasl_cfail(c, rc, "hash computation failed");
	return rc;
}

static int server_first(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	struct correu__scram_client *sc = c->scram;
	const uint8_t *nonce, *salt64, *iter;
	size_t nlen, s64len, ilen, pos = 0, slen = 0;
	uint8_t *salt;
	uint32_t iterations = 0;
	int rc;

	if (len >= 2 && in[0] == 'm' && in[1] == '=')
		return correu__sasl_cfail(c, CORREU_ERR_UNSUPPORTED, "mandatory extension");
	if (!correu__scram_attr(in, len, &pos, 'r', &nonce, &nlen) ||
	    !correu__scram_attr(in, len, &pos, 's', &salt64, &s64len) ||
	    !correu__scram_attr(in, len, &pos, 'i', &iter, &ilen))
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, "malformed server-first message");
	/* RFC 5802 Section 5.1: the server appends to our nonce. */
	if (nlen <= sc->nonce_len || memcmp(nonce, sc->nonce, sc->nonce_len) != 0 ||
	    !correu__scram_nonce_ok(nonce, nlen))
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, "server nonce does not extend ours");
	if ((rc = parse_iterations(c, iter, ilen, &iterations)) < 0)
		return rc;
	salt = correu__alloc(c->set.allocator, s64len ? s64len : 1);
	if (!salt)
		return CORREU_ERR_NOMEM;
	rc = correu__sasl_b64_decode(salt64, s64len, salt, s64len, &slen);
	if (rc < 0 || slen == 0)
		rc = correu__sasl_cfail(c, CORREU_ERR_PROTO, "bad salt");
	else
		rc = prove(c, in, len, nonce, nlen, salt, slen, iterations);
	correu__free(c->set.allocator, salt, s64len ? s64len : 1);
	return rc;
}

/* server-final: "v=" signature, or "e=" error (RFC 5802 Section 7). */
static int server_final(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	struct correu__scram_client *sc = c->scram;
	size_t dl = correu__sasl_digest_len(c->mech->id), pos = 0, vlen, got = 0;
	const uint8_t *v;
	uint8_t sig[CORREU_SASL_SCRAM_MAX_KEY + 3];

	if (correu__scram_attr(in, len, &pos, 'e', &v, &vlen))
		return correu__sasl_fail_peer(c->reason, CORREU_ERR_AUTH, "server error: ", v, vlen);
	if (!correu__scram_attr(in, len, &pos, 'v', &v, &vlen) ||
	    correu__sasl_b64_decode(v, vlen, sig, sizeof(sig), &got) < 0 || got != dl ||
	    !correu__sasl_ct_equal(sig, sc->server_sig, dl))
		return correu__sasl_cfail(c, CORREU_ERR_AUTH, "wrong server signature");
	sc->verified = true;
	return 0;
}

int correu__scram_client_step(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	int rc;

	switch (c->state) {
	case SC_SERVER_FIRST:
		c->state = SC_SERVER_FINAL;
		return server_first(c, in, len);
	case SC_SERVER_FINAL:
		c->state = SC_DONE;
		rc = server_final(c, in, len);
		c->done = rc == 0; /* the response is empty; success comes next */
		return rc;
	default:
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, "unexpected challenge");
	}
}

int correu__scram_client_finish(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	if (c->scram->verified)
		return len ? correu__sasl_cfail(c, CORREU_ERR_PROTO, "data after server-final") : 0;
	if (c->state == SC_SERVER_FINAL && len)
		return server_final(c, in, len);
	return correu__sasl_cfail(c, CORREU_ERR_AUTH, "server did not prove it knows the password");
}
