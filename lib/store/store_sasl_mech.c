/*
 * Which SASL mechanisms a server core offers (store layer, the server
 * cores' shared bridge; see store_sasl.h): those whose credentials the
 * store can check, best first, so that a client that takes the first one
 * it knows gets the strongest (RFC 4422 section 3.1 leaves the choice to
 * the client). SCRAM comes first: the password never crosses the wire
 * (RFC 5802 section 1). CRAM-MD5 and EXTERNAL are not offered: the store
 * interface gives neither a clear-text secret nor a client certificate.
 */
#include <string.h>

#include "store_sasl.h"

struct mech {
	int id;
	uint32_t cap; /* the CORREU_STORE_CAP_* that can verify it */
};

static const struct mech mechs[] = {
	{ CORREU_SASL_SCRAM_SHA_256, CORREU_STORE_CAP_AUTH_SCRAM },
	{ CORREU_SASL_SCRAM_SHA_1, CORREU_STORE_CAP_AUTH_SCRAM },
	{ CORREU_SASL_PLAIN, CORREU_STORE_CAP_AUTH_PASSWORD },
	{ CORREU_SASL_LOGIN, CORREU_STORE_CAP_AUTH_PASSWORD },
	{ CORREU_SASL_OAUTHBEARER, CORREU_STORE_CAP_AUTH_TOKEN },
	{ CORREU_SASL_XOAUTH2, CORREU_STORE_CAP_AUTH_TOKEN },
};

static bool offered(const struct mech *m, uint32_t caps, bool random)
{
	if (!(caps & m->cap) || correu_sasl_mech_available(m->id) <= 0)
		return false;
	/* SCRAM needs nonces, so a random source. */
	return m->cap != CORREU_STORE_CAP_AUTH_SCRAM || random;
}

int correu__store_sasl_mech_find(const char *p, size_t len, uint32_t caps, bool random)
{
	int id = correu_sasl_mech_from_name(p, len);

	for (size_t i = 0; id > 0 && i < CORREU__ARRAY_LEN(mechs); i++)
		if (mechs[i].id == id)
			return offered(&mechs[i], caps, random) ? id : 0;
	return 0;
}

int correu__store_sasl_mechs(correu__buf *out, const char *sep, uint32_t caps, bool random)
{
	const char *name;
	int n = 0, rc = 0;

	for (size_t i = 0; i < CORREU__ARRAY_LEN(mechs) && rc == 0; i++) {
		if (!offered(&mechs[i], caps, random))
			continue;
		name = correu_sasl_mech_name(mechs[i].id);
		if (out && n > 0)
			rc = correu__buf_append(out, sep, strlen(sep));
		if (out && rc == 0)
			rc = correu__buf_append(out, name, strlen(name));
		n++;
	}
	return rc < 0 ? rc : n;
}
