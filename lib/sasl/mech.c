/*
 * The mechanism registry of the SASL layer: numbers, IANA names, properties
 * and the client's choice among the mechanisms a server offers. Mechanisms
 * that need mbedTLS are present only in builds with it.
 */
#include <string.h>

#include "sasl_internal.h"

static const correu__sasl_mech *const mechs[] = {
	&correu__sasl_plain,
	&correu__sasl_login,
	&correu__sasl_xoauth2,
	&correu__sasl_oauthbearer,
	&correu__sasl_external,
#ifdef CORREU__SASL_CRYPTO
	&correu__sasl_cram_md5,
	&correu__sasl_scram_sha1,
	&correu__sasl_scram_sha256,
#endif
};

/* Names of every mechanism, built or not, so that names always resolve. */
static const char *const names[] = {
	NULL, "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2",
	"OAUTHBEARER", "EXTERNAL", "SCRAM-SHA-1", "SCRAM-SHA-256",
};

const correu__sasl_mech *correu__sasl_mech_get(int mech)
{
	for (size_t i = 0; i < CORREU__ARRAY_LEN(mechs); i++)
		if (mechs[i]->id == mech)
			return mechs[i];
	return NULL;
}

const char *correu_sasl_mech_name(int mech)
{
	if (mech <= 0 || (size_t)mech >= CORREU__ARRAY_LEN(names))
		return NULL;
	return names[mech];
}

static bool name_eq(const char *name, const char *p, size_t len)
{
	if (strlen(name) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != name[i])
			return false;
	}
	return true;
}

int correu_sasl_mech_from_name(const char *name, size_t len)
{
	if (!name)
		return CORREU_ERR_NOT_FOUND;
	for (size_t i = 1; i < CORREU__ARRAY_LEN(names); i++)
		if (name_eq(names[i], name, len))
			return (int)i;
	return CORREU_ERR_NOT_FOUND;
}

int correu_sasl_mech_available(int mech)
{
	return correu__sasl_mech_get(mech) != NULL;
}

int correu_sasl_mech_is_plaintext(int mech)
{
	return mech == CORREU_SASL_PLAIN || mech == CORREU_SASL_LOGIN ||
	       mech == CORREU_SASL_XOAUTH2 || mech == CORREU_SASL_OAUTHBEARER;
}

int correu_sasl_mech_has_initial_response(int mech)
{
	return mech == CORREU_SASL_PLAIN || mech == CORREU_SASL_XOAUTH2 ||
	       mech == CORREU_SASL_OAUTHBEARER || mech == CORREU_SASL_EXTERNAL ||
	       mech == CORREU_SASL_SCRAM_SHA_1 || mech == CORREU_SASL_SCRAM_SHA_256;
}

/* Preference order; see correu_sasl_choose() in sasl.h for the reasons. */
static const struct {
	int mech;
	uint32_t needs;
} order[] = {
	{CORREU_SASL_EXTERNAL, CORREU_SASL_HAVE_CERT},
	{CORREU_SASL_OAUTHBEARER, CORREU_SASL_HAVE_TOKEN},
	{CORREU_SASL_XOAUTH2, CORREU_SASL_HAVE_TOKEN},
	{CORREU_SASL_SCRAM_SHA_256, CORREU_SASL_HAVE_PASSWORD},
	{CORREU_SASL_SCRAM_SHA_1, CORREU_SASL_HAVE_PASSWORD},
	{CORREU_SASL_PLAIN, CORREU_SASL_HAVE_PASSWORD},
	{CORREU_SASL_LOGIN, CORREU_SASL_HAVE_PASSWORD},
	{CORREU_SASL_CRAM_MD5, CORREU_SASL_HAVE_PASSWORD},
};

static bool offered_has(const char *offered, size_t len, const char *name)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && offered[i] == ' ')
			i++;
		start = i;
		while (i < len && offered[i] != ' ')
			i++;
		if (i > start && name_eq(name, offered + start, i - start))
			return true;
	}
	return false;
}

int correu_sasl_choose(const char *offered, size_t len, uint32_t flags, int *mech_out)
{
	if ((!offered && len) || !mech_out)
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(order); i++) {
		int m = order[i].mech;

		if (!(flags & order[i].needs) || !correu_sasl_mech_available(m))
			continue;
		if (correu_sasl_mech_is_plaintext(m) && !(flags & CORREU_SASL_ALLOW_PLAINTEXT))
			continue;
		if (offered_has(offered, len, names[m])) {
			*mech_out = m;
			return 0;
		}
	}
	return CORREU_ERR_NOT_FOUND;
}
