/*
 * Allocation failure at every point of a client and a server exchange, for
 * every mechanism: a clean error and nothing leaked.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "failalloc.h"
#include "sasl_test.h"

struct scenario {
	int mech;
	bool ir;
};

static int exchange(void *ctx, const correu_allocator *a)
{
	const struct scenario *sc = ctx;
	static const struct test_db db = {"alice", "pw", "tok", "", false};
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_credentials cred = make_cred("alice", "alice", "pw", "tok");

	if (sc->mech == CORREU_SASL_EXTERNAL)
		cred = make_cred(NULL, NULL, NULL, NULL);
	rng_init(&r);
	test_settings(&set, &r, a);
	set.hostname = "mail.example";
	return run_exchange(sc->mech, &set, &cred, &db, sc->ir);
}

Test(failalloc, every_mechanism_both_sides)
{
	for (int m = CORREU_SASL_PLAIN; m <= CORREU_SASL_SCRAM_SHA_256; m++) {
		if (!correu_sasl_mech_available(m))
			continue;
		for (int ir = 0; ir < 2; ir++) {
			struct scenario sc = {m, ir};
			long n = failalloc_loop(exchange, &sc, 200);

			cr_assert_gt(n, 2, "%s allocates", correu_sasl_mech_name(m));
		}
	}
}

static int derive_and_prep(void *ctx, const correu_allocator *a)
{
	correu_sasl_credentials cred = make_cred("us\xc2\xa0" "er", NULL, "pen\xc2\xad" "cil", NULL);
	struct test_rng r;
	correu_sasl_settings set;
	correu_sasl_client *c;
	int rc;

	(void)ctx;
	rng_init(&r);
	test_settings(&set, &r, a);
	rc = correu_sasl_client_new(&set, CORREU_SASL_SCRAM_SHA_256, &cred, &c);
	correu_sasl_client_free(c);
	return rc;
}

Test(failalloc, scram_client_creation)
{
	if (correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256))
		cr_assert_gt(failalloc_loop(derive_and_prep, NULL, 100), 2);
}
