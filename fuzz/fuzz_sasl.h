/*
 * The body shared by the SASL fuzz harnesses (fuzz_sasl_<mech>.c): one
 * input drives either a client or a server of one mechanism. Byte 0 picks
 * the side and options; the rest is the peer's messages separated by the
 * two bytes FF FF (never in valid UTF-8). The random source replays the
 * RFC 5802 / RFC 7677 nonces so that seeds from the RFC exchanges get past
 * the nonce checks, and iteration counts are capped to keep runs fast.
 */
#ifndef CORREU_FUZZ_SASL_H
#define CORREU_FUZZ_SASL_H

#include <stdint.h>
#include <string.h>

#include "correu/sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SIDE_SERVER 0x01   /* else client */
#define FUZZ_INITIAL 0x02       /* client: send the initial response; server: skip start */
#define FUZZ_ACCEPT 0x04        /* server: verdicts say yes */
#define FUZZ_USE_KEYS 0x08      /* server: PLAIN/LOGIN checked through SCRAM keys */
#define FUZZ_SUCCESS_DATA 0x10  /* server: SCRAM final with success; client: last message is success data */

struct fuzz_rng {
	const char *nonce;
	size_t pos;
};

static int fuzz_random(uint8_t *buf, size_t len, void *userdata)
{
	struct fuzz_rng *r = userdata;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)r->nonce[r->pos % strlen(r->nonce)];

		r->pos++;
		buf[i] = (uint8_t)(c < 0x2c ? c - 0x21 : c - 0x22);
	}
	return 0;
}

/* Next message: up to FF FF or the end. */
static int fuzz_next(const uint8_t **p, size_t *left, const uint8_t **msg, size_t *len)
{
	const uint8_t *s = *p;
	size_t n = *left, i;

	if (!s)
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (s[i] == 0xff && s[i + 1] == 0xff)
			break;
	*msg = s;
	if (i + 1 < n) {
		*len = i;
		*p = s + i + 2;
		*left = n - i - 2;
	} else {
		*len = n;
		*p = NULL;
		*left = 0;
	}
	return 1;
}

static void fuzz_settings(correu_sasl_settings *set, struct fuzz_rng *r, int mech)
{
	correu_sasl_settings_init(set);
	set->random = fuzz_random;
	set->random_userdata = r;
	set->min_iterations = 1;
	set->max_iterations = 4096;
	set->max_message = 4096;
	r->pos = 0;
	r->nonce = mech == CORREU_SASL_SCRAM_SHA_1 ? "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j"
	                                           : "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
}

static void fuzz_client(int mech, uint8_t opt, const uint8_t *p, size_t left)
{
	correu_sasl_credentials cred;
	correu_sasl_settings set;
	struct fuzz_rng r;
	correu_sasl_client *c;
	const uint8_t *msg, *out;
	size_t len, out_len;
	int rc = 0;

	fuzz_settings(&set, &r, mech);
	set.nonce_len = mech == CORREU_SASL_SCRAM_SHA_1 ? 24 : 20;
	memset(&cred, 0, sizeof(cred));
	cred.version = CORREU_SASL_CREDENTIALS_VERSION;
	cred.username = "user", cred.username_len = 4;
	cred.password = "pencil", cred.password_len = 6;
	cred.token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", cred.token_len = 44;
	cred.host = "server.example.com", cred.host_len = 18;
	cred.port = 143;
	if (correu_sasl_client_new(&set, mech, &cred, &c) < 0)
		return;
	if (opt & FUZZ_INITIAL)
		rc = correu_sasl_client_start(c, &out, &out_len);
	while (rc >= 0 && fuzz_next(&p, &left, &msg, &len)) {
		if (!p && (opt & FUZZ_SUCCESS_DATA)) {
			rc = correu_sasl_client_finish(c, msg, len);
			break;
		}
		rc = correu_sasl_client_step(c, msg, len, &out, &out_len);
	}
	if (rc >= 0 && !(opt & FUZZ_SUCCESS_DATA))
		rc = correu_sasl_client_finish(c, NULL, 0);
	(void)correu_sasl_client_reason(c);
	correu_sasl_client_free(c);
}

/* Read a field the way a backend would; its length or 0. */
static size_t fuzz_field(const correu_sasl_server *s, int field)
{
	const char *f;
	size_t n = 0;

	if (correu_sasl_server_field(s, field, &f, &n) < 0)
		return 0;
	return n;
}

static int fuzz_answer(correu_sasl_server *s, int mech, uint8_t opt, const uint8_t **out,
                       size_t *out_len)
{
	static const uint8_t salt1[] = {0x41, 0x25, 0xc2, 0x47, 0xe4, 0x3a, 0xb1, 0xe9,
	                                0x3c, 0x6d, 0xff, 0x76};
	static const uint8_t salt256[] = {0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e,
	                                  0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81};
	static correu_sasl_scram_keys cache[3];
	static int have[3];
	int ok = (opt & FUZZ_ACCEPT) != 0;
	(void)fuzz_field(s, CORREU_SASL_FIELD_USERNAME);
	(void)fuzz_field(s, CORREU_SASL_FIELD_AUTHZID);
	switch (correu_sasl_server_need(s)) {
	case CORREU_SASL_NEED_SCRAM_KEYS:
		if (!ok)
			return correu_sasl_server_supply_result(s, 0, out, out_len);
		/* fallthrough */
	case CORREU_SASL_NEED_PASSWORD_CHECK:
		if (mech == CORREU_SASL_SCRAM_SHA_1 || mech == CORREU_SASL_SCRAM_SHA_256 ||
		    (opt & FUZZ_USE_KEYS)) {
			int m = mech == CORREU_SASL_SCRAM_SHA_1 ? mech : CORREU_SASL_SCRAM_SHA_256;
			int i = m == CORREU_SASL_SCRAM_SHA_1 ? 1 : mech == m ? 0 : 2;

			/* PBKDF2 with 4096 rounds per input would starve the
			 * fuzzer: derive the RFC keys once per process, and give
			 * PLAIN and LOGIN (which run PBKDF2 on every check) keys
			 * of one round. */
			if (!have[i] &&
			    correu_sasl_scram_derive(m, "pencil", 6, i == 1 ? salt1 : salt256,
			                             i == 1 ? sizeof(salt1) : sizeof(salt256),
			                             i == 2 ? 1 : 4096, &cache[i]) < 0)
				return -1;
			have[i] = 1;
			return correu_sasl_server_supply_scram_keys(s, &cache[i], out, out_len);
		}
		(void)fuzz_field(s, CORREU_SASL_FIELD_PASSWORD);
		return correu_sasl_server_supply_result(s, ok, out, out_len);
	case CORREU_SASL_NEED_SECRET:
		return ok ? correu_sasl_server_supply_secret(s, "pencil", 6, out, out_len)
		          : correu_sasl_server_supply_result(s, 0, out, out_len);
	case CORREU_SASL_NEED_TOKEN_CHECK:
		(void)fuzz_field(s, CORREU_SASL_FIELD_TOKEN);
		return correu_sasl_server_supply_result(s, ok, out, out_len);
	default:
		return correu_sasl_server_supply_result(s, ok, out, out_len);
	}
}

static void fuzz_server(int mech, uint8_t opt, const uint8_t *p, size_t left)
{
	correu_sasl_settings set;
	struct fuzz_rng r;
	correu_sasl_server *s;
	const uint8_t *msg, *out;
	size_t len, out_len;
	int rc = 0;

	fuzz_settings(&set, &r, mech);
	/* Server nonces continue the RFC client nonce: skip that part. */
	r.pos = mech == CORREU_SASL_SCRAM_SHA_1 ? 24 : 20;
	set.nonce_len = mech == CORREU_SASL_SCRAM_SHA_1 ? 18 : 30;
	set.flags = (opt & FUZZ_SUCCESS_DATA) ? CORREU_SASL_SUCCESS_DATA : 0;
	if (correu_sasl_server_new(&set, mech, &s) < 0)
		return;
	if (!(opt & FUZZ_INITIAL))
		rc = correu_sasl_server_start(s, &out, &out_len);
	while (rc >= 0 && rc != CORREU_SASL_SUCCESS && fuzz_next(&p, &left, &msg, &len)) {
		rc = correu_sasl_server_step(s, msg, len, &out, &out_len);
		for (int i = 0; rc == CORREU_SASL_NEED_CREDENTIALS && i < 3; i++)
			rc = fuzz_answer(s, mech, opt, &out, &out_len);
	}
	(void)correu_sasl_server_reason(s);
	correu_sasl_server_free(s);
}

static int fuzz_sasl(int mech, const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & FUZZ_SIDE_SERVER)
		fuzz_server(mech, data[0], data + 1, size - 1);
	else
		fuzz_client(mech, data[0], data + 1, size - 1);
	return 0;
}

#endif
