/*
 * Password checks against the password file (store layer). SCRAM lines are
 * checked through the SASL layer's correu_sasl_scram_verify_password(),
 * which compares in constant time; {PLAIN} lines with a comparison whose
 * time does not depend on where the bytes differ. An unknown user pays for
 * a key derivation too, so the time of an answer does not tell whether the
 * user exists.
 */
#include <string.h>

#include "passwd_int.h"

/* Equal without an early exit: the time depends on the lengths only. */
static bool ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = alen != blen;

	for (size_t i = 0; i < blen; i++)
		diff |= (unsigned char)(b[i] ^ (alen ? a[i % alen] : 0));
	return diff == 0;
}

/* The work a SCRAM check of an unknown user would have cost. */
static void decoy(const correu_passwd *pw, const char *password, size_t len)
{
	static const uint8_t salt[16] = "correu-decoy-slt";
	correu_sasl_scram_keys k;

	if (correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_256, password, len, salt, sizeof(salt),
	                             pw->set.min_iterations, &k) == 0)
		correu_wipe(&k, sizeof(k));
}

int correu_passwd_verify(const correu_passwd *pw, const char *user, size_t user_len,
                         const char *password, size_t password_len)
{
	correu_sasl_scram_keys k;
	uint32_t scheme;
	int rc;

	if (!pw || (!user && user_len) || (!password && password_len))
		return CORREU_ERR_ARG;
	rc = correu_passwd_lookup(pw, user, user_len, &scheme);
	if (rc == CORREU_ERR_NOT_FOUND) {
		decoy(pw, password, password_len);
		return CORREU_ERR_AUTH;
	}
	if (rc < 0)
		return rc;
	if (scheme == CORREU_PASSWD_PLAIN) {
		struct pw_entry e;
		const char *why;
		size_t i = correu__passwd_find(pw, user, user_len);

		if (correu__passwd_parse_line(&pw->set, pw->lines[i].text, pw->lines[i].len, &e,
		                              &why) != 1)
			return CORREU_ERR_INTERNAL;
		return ct_equal(e.data, e.data_len, password, password_len) ? 0 : CORREU_ERR_AUTH;
	}
	rc = correu_passwd_scram_keys(pw, user, user_len, scheme, &k);
	if (rc == 0)
		rc = correu_sasl_scram_verify_password(&k, password, password_len);
	correu_wipe(&k, sizeof(k));
	return rc;
}
