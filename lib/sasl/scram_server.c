/*
 * The SCRAM server (RFC 5802 Section 5, RFC 7677), SASL layer. It reads
 * client-first, asks the caller for the user's stored keys (never a
 * password), answers with its nonce, the salt and the iteration count,
 * verifies the client's proof against StoredKey in constant time and
 * proves itself with ServerSignature. An unknown user gets a fake salt and
 * fails at the proof, so the exchange does not reveal which users exist.
 */
#include <stdio.h>
#include <string.h>

#include "sasl_internal.h"

/* Server states (s->state): what the next client message must be. */
enum {
	SS_CLIENT_FIRST = 0, /* client-first-message */
	SS_WAIT_KEYS,        /* none: the caller owes the stored keys */
	SS_CLIENT_FINAL,     /* client-final-message */
	SS_ACK_FINAL,        /* an empty response to server-final */
};

#define FAKE_SALT_LEN 16

struct correu__scram_server {
	correu__buf gs2;          /* the GS2 header as received, for "c=" */
	correu__buf first_bare;   /* client-first-message-bare */
	correu__buf server_first; /* our server-first-message */
	size_t nonce_len;         /* bytes of "r=" value: client + our part */
	correu_sasl_scram_keys keys;
	bool fake;                /* unknown user: the proof must fail */
};

void correu__scram_server_free(correu_sasl_server *s)
{
	struct correu__scram_server *ss = s->scram;

	if (!ss)
		return;
	correu__buf_free(&ss->gs2, false);
	correu__buf_free(&ss->first_bare, false);
	correu__buf_free(&ss->server_first, false);
	correu_wipe(ss, sizeof(*ss));
	correu__free(s->set.allocator, ss, sizeof(*ss));
	s->scram = NULL;
}

static int client_first(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	const correu_allocator *a = s->set.allocator;
	struct correu__scram_server *ss;
	const uint8_t *name, *nonce, *bare;
	size_t hdr, pos = 0, nlen, clen, blen;
	int rc;

	ss = s->scram = correu__calloc(a, sizeof(*ss));
	if (!ss)
		return CORREU_ERR_NOMEM;
	correu__buf_init(&ss->gs2, a, SIZE_MAX);
	correu__buf_init(&ss->first_bare, a, SIZE_MAX);
	correu__buf_init(&ss->server_first, a, SIZE_MAX);
	if ((rc = correu__sasl_gs2_parse(s, in, len, &hdr)) < 0)
		return rc;
	bare = in + hdr;
	blen = len - hdr;
	if (blen >= 2 && bare[0] == 'm' && bare[1] == '=')
		return correu__sasl_sfail(s, CORREU_ERR_UNSUPPORTED, "mandatory extension");
	if (!correu__scram_attr(bare, blen, &pos, 'n', &name, &nlen) ||
	    !correu__scram_attr(bare, blen, &pos, 'r', &nonce, &clen))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "malformed client-first message");
	if (nlen == 0 || !correu__scram_nonce_ok(nonce, clen))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "empty user name or bad nonce");
	if (nlen > s->set.max_username)
		return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "user name too long");
	if ((rc = correu__sasl_saslname_parse(a, name, nlen, &s->user)) < 0)
		return correu__sasl_sfail(s, rc, "bad user name");
	if ((rc = correu__buf_append(&ss->gs2, in, hdr)) < 0 ||
	    (rc = correu__buf_append(&ss->first_bare, bare, blen)) < 0 ||
	    (rc = correu__buf_append(&ss->server_first, "r=", 2)) < 0 ||
	    (rc = correu__buf_append(&ss->server_first, nonce, clen)) < 0)
		return rc;
	ss->nonce_len = clen;
	s->state = SS_WAIT_KEYS;
	s->need = CORREU_SASL_NEED_SCRAM_KEYS;
	return CORREU_SASL_NEED_CREDENTIALS;
}

/* Keys that no proof matches, with a salt that looks real. */
static int fake_keys(correu_sasl_server *s, correu_sasl_scram_keys *k)
{
	int rc;

	memset(k, 0, sizeof(*k));
	k->mech = (uint32_t)s->mech->id;
	k->iterations = s->set.server_iterations;
	k->salt_len = FAKE_SALT_LEN;
	k->key_len = (uint32_t)correu__sasl_digest_len(s->mech->id);
	rc = s->set.random(k->salt, FAKE_SALT_LEN, s->set.random_userdata);
	if (rc == 0)
		rc = s->set.random(k->stored_key, k->key_len, s->set.random_userdata);
	return rc < 0 ? correu__sasl_sfail(s, rc, "random source failed") : 0;
}

int correu__scram_server_supply(correu_sasl_server *s, const correu__sasl_supply *sup)
{
	struct correu__scram_server *ss = s->scram;
	correu__buf *sf = &ss->server_first;
	char nonce[256], iter[16];
	int rc, n;

	if (sup->kind == CORREU__SUPPLY_RESULT && !sup->ok) {
		ss->fake = true;
		if ((rc = fake_keys(s, &ss->keys)) < 0)
			return rc;
	} else if (sup->kind == CORREU__SUPPLY_KEYS) {
		if (!correu__scram_keys_ok(sup->keys) || sup->keys->mech != (uint32_t)s->mech->id)
			return CORREU_ERR_ARG;
		if (sup->keys->iterations < s->set.min_iterations ||
		    sup->keys->iterations > s->set.max_iterations)
			return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "stored iteration count out of range");
		ss->keys = *sup->keys;
	} else {
		return CORREU_ERR_STATE;
	}
	/* server-first-message = "r=" c-nonce s-nonce ",s=" salt ",i=" count */
	rc = correu__sasl_nonce(&s->set, nonce, s->set.nonce_len);
	if (rc < 0)
		return correu__sasl_sfail(s, rc, "random source failed");
	n = snprintf(iter, sizeof(iter), ",i=%u", (unsigned)ss->keys.iterations);
	if ((rc = correu__buf_append(sf, nonce, s->set.nonce_len)) < 0 ||
	    (rc = correu__buf_append(sf, ",s=", 3)) < 0 ||
	    (rc = correu__sasl_b64_append(sf, ss->keys.salt, ss->keys.salt_len)) < 0 ||
	    (rc = correu__buf_append(sf, iter, (size_t)n)) < 0 ||
	    (rc = correu__buf_append(&s->out, sf->data, sf->len)) < 0)
		return rc;
	ss->nonce_len += s->set.nonce_len;
	s->state = SS_CLIENT_FINAL;
	return CORREU_SASL_CHALLENGE;
}

/* Check the proof; on success leave "v=" ServerSignature in the output. */
static int verify(correu_sasl_server *s, const uint8_t *in, size_t wp_len,
                  const uint8_t *proof)
{
	struct correu__scram_server *ss = s->scram;
	int mech = s->mech->id;
	size_t dl = ss->keys.key_len;
	uint8_t sig[CORREU_SASL_SCRAM_MAX_KEY], ck[CORREU_SASL_SCRAM_MAX_KEY];
	uint8_t stored[CORREU_SASL_SCRAM_MAX_KEY];
	correu__buf am;
	bool good = false;
	int rc;

	correu__buf_init(&am, s->set.allocator, SIZE_MAX);
	if ((rc = correu__buf_append(&am, ss->first_bare.data, ss->first_bare.len)) < 0 ||
	    (rc = correu__buf_append(&am, ",", 1)) < 0 ||
	    (rc = correu__buf_append(&am, ss->server_first.data, ss->server_first.len)) < 0 ||
	    (rc = correu__buf_append(&am, ",", 1)) < 0 ||
	    (rc = correu__buf_append(&am, in, wp_len)) < 0)
		goto out;
	/* ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage);
	 * the proof holds when H(ClientKey) = StoredKey. */
	if ((rc = correu__sasl_hmac(mech, ss->keys.stored_key, dl, am.data, am.len, sig)) < 0)
		goto out;
	for (size_t i = 0; i < dl; i++)
		ck[i] = proof[i] ^ sig[i];
	if ((rc = correu__sasl_hash(mech, ck, dl, stored)) < 0)
		goto out;
	good = correu__sasl_ct_equal(stored, ss->keys.stored_key, dl) && !ss->fake;
	if (!good) {
		rc = correu__sasl_sfail(s, CORREU_ERR_AUTH, "invalid-proof");
		goto out;
	}
	if ((rc = correu__sasl_hmac(mech, ss->keys.server_key, dl, am.data, am.len, sig)) < 0 ||
	    (rc = correu__buf_append(&s->out, "v=", 2)) < 0)
		goto out;
	rc = correu__sasl_b64_append(&s->out, sig, dl);
out:
	correu_wipe(sig, sizeof(sig));
	correu_wipe(ck, sizeof(ck));
	correu_wipe(stored, sizeof(stored));
	correu__buf_free(&am, false);
	return rc == CORREU_ERR_CRYPTO ? correu__sasl_sfail(s, rc, "hash failed") : rc;
}

/* "c=" must repeat the GS2 header: no channel binding data (Section 5.1). */
static bool binding_ok(correu_sasl_server *s, const uint8_t *cb, size_t cblen)
{
	struct correu__scram_server *ss = s->scram;
	size_t cap = cblen ? cblen : 1, got = 0;
	uint8_t *buf = correu__alloc(s->set.allocator, cap);
	bool ok;

	if (!buf)
		return false;
	ok = correu__sasl_b64_decode(cb, cblen, buf, cap, &got) == 0 && got == ss->gs2.len &&
	     memcmp(buf, ss->gs2.data, got) == 0;
	correu__free(s->set.allocator, buf, cap);
	return ok;
}

static int client_final(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	struct correu__scram_server *ss = s->scram;
	uint8_t proof[CORREU_SASL_SCRAM_MAX_KEY + 3];
	const uint8_t *cb, *nonce, *p = NULL;
	size_t pos = 0, cblen, nlen, plen = 0, got = 0, wp_len = 0;
	int rc;

	if (!correu__scram_attr(in, len, &pos, 'c', &cb, &cblen) ||
	    !correu__scram_attr(in, len, &pos, 'r', &nonce, &nlen))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "malformed client-final message");
	if (!binding_ok(s, cb, cblen))
		return correu__sasl_sfail(s, CORREU_ERR_PROTO, "channel binding data mismatch");
	if (nlen != ss->nonce_len || memcmp(nonce, ss->server_first.data + 2, nlen) != 0)
		return correu__sasl_sfail(s, CORREU_ERR_PROTO, "nonce mismatch");
	/* Extensions may come before the proof, which must be last. */
	while (pos < len && !p) {
		size_t at = pos, vl;
		const uint8_t *v;
		uint8_t name = in[at];

		if (len - at < 2 || in[at + 1] != '=' ||
		    !((name | 0x20) >= 'a' && (name | 0x20) <= 'z'))
			return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "malformed attribute");
		(void)correu__scram_attr(in, len, &pos, (char)name, &v, &vl);
		if (name != 'p')
			continue;
		if (v + vl != in + len)
			return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "proof is not last");
		p = v, plen = vl, wp_len = at - 1; /* without the comma before "p=" */
	}
	if (!p)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "no proof");
	if (correu__sasl_b64_decode(p, plen, proof, sizeof(proof), &got) < 0 ||
	    got != ss->keys.key_len)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "bad proof");
	rc = verify(s, in, wp_len, proof);
	correu_wipe(proof, sizeof(proof));
	if (rc < 0)
		return rc;
	if (s->set.flags & CORREU_SASL_SUCCESS_DATA)
		return CORREU_SASL_SUCCESS;
	s->state = SS_ACK_FINAL;
	return CORREU_SASL_CHALLENGE;
}

int correu__scram_server_step(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	switch (s->state) {
	case SS_CLIENT_FIRST:
		return client_first(s, in, len);
	case SS_CLIENT_FINAL:
		return client_final(s, in, len);
	case SS_ACK_FINAL:
		/* The client acknowledged server-final (RFC 4422 Section 5). */
		if (len)
			return correu__sasl_sfail(s, CORREU_ERR_PROTO, "expected an empty response");
		return CORREU_SASL_SUCCESS;
	default:
		return correu__sasl_sfail(s, CORREU_ERR_STATE, "unexpected response");
	}
}
