/*
 * SCRAM key functions in a build without mbedTLS (SASL layer): there is no
 * hash to compute them with, so they report CORREU_ERR_UNSUPPORTED. The
 * mechanisms that need a hash are left out of the registry (mech.c).
 */
#include "sasl_internal.h"

int correu_sasl_scram_derive(int mech, const char *password, size_t password_len,
                             const uint8_t *salt, size_t salt_len, uint32_t iterations,
                             correu_sasl_scram_keys *keys_out)
{
	(void)mech, (void)password, (void)password_len, (void)salt, (void)salt_len;
	(void)iterations, (void)keys_out;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_sasl_scram_verify_password(const correu_sasl_scram_keys *keys, const char *password,
                                      size_t password_len)
{
	(void)keys, (void)password, (void)password_len;
	return CORREU_ERR_UNSUPPORTED;
}
