/*
 * The password check shared by the PLAIN and LOGIN servers (SASL layer):
 * the caller either verifies the password itself and supplies the verdict,
 * or supplies the user's stored SCRAM keys, so that a password file that
 * keeps only SCRAM-SHA-256 keys serves plaintext mechanisms too.
 */
#include "sasl_internal.h"

int correu__sasl_password_supply(correu_sasl_server *s, const correu__sasl_supply *sup)
{
	int rc;

	switch (sup->kind) {
	case CORREU__SUPPLY_RESULT:
		if (!sup->ok)
			return correu__sasl_sfail(s, CORREU_ERR_AUTH, "invalid credentials");
		return CORREU_SASL_SUCCESS;
	case CORREU__SUPPLY_KEYS:
		rc = correu_sasl_scram_verify_password(sup->keys, s->secret.p, s->secret.len);
		if (rc == CORREU_ERR_AUTH)
			return correu__sasl_sfail(s, rc, "invalid credentials");
		if (rc < 0)
			return rc == CORREU_ERR_ARG ? rc : correu__sasl_sfail(s, rc, "key check failed");
		return CORREU_SASL_SUCCESS;
	default:
		return CORREU_ERR_STATE; /* a shared secret is for CRAM-MD5 */
	}
}
