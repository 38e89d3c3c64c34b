/*
 * Helpers for the SASL layer's tests: a scripted random source (so RFC
 * nonces can be injected), and a driver that runs a client handle against
 * a server handle with a small user database standing in for the backend.
 */
#ifndef CORREU_TEST_SASL_H
#define CORREU_TEST_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correu/sasl.h"

/* Random source: hands out `script` first, then a fixed pseudo-random
 * stream; with `fail` set it reports CORREU_ERR_IO instead. */
struct test_rng {
	uint8_t script[512];
	size_t len, pos;
	uint32_t state;
	bool fail;
};

void rng_init(struct test_rng *r);
/* Queue the bytes that make the nonce code produce exactly `nonce`. */
void rng_push_nonce(struct test_rng *r, const char *nonce);
int rng_fn(uint8_t *buf, size_t len, void *userdata);

/* Settings with the test random source and the given allocator. */
void test_settings(correu_sasl_settings *s, struct test_rng *r, const correu_allocator *a);

/* The backend of the client/server loop: one known user. */
struct test_db {
	const char *user;
	const char *password; /* also the CRAM-MD5 secret */
	const char *token;
	const char *cert_identity; /* EXTERNAL: allowed authzid ("" = any) */
	bool use_keys;        /* PLAIN/LOGIN: check through stored SCRAM keys */
};

/*
 * Run one exchange of `mech`: with the initial response if `ir`, else the
 * server starts. Returns 0 when both sides agree on success, else the
 * first negative code (server's or client's).
 */
int run_exchange(int mech, const correu_sasl_settings *set, const correu_sasl_credentials *cred,
                 const struct test_db *db, bool ir);

/* Credentials from NUL-terminated strings (NULL = absent). */
correu_sasl_credentials make_cred(const char *user, const char *authzid, const char *password,
                                  const char *token);

#endif
