/*
 * The APOP digest (POP3 layer, RFC 1939 §7): MD5 over the greeting's
 * timestamp followed by the shared secret, through mbedTLS (2.28, and 3.x
 * behind MBEDTLS_VERSION_NUMBER checks), written as 32 lower-case hex
 * digits. The hash context held the secret and is wiped.
 */
#include <mbedtls/md.h>
#include <mbedtls/version.h>

#include "pop3_internal.h"

int correu__pop3_apop_digest(const char *ts, size_t ts_len, const char *pass, size_t pass_len,
                             char out[32])
{
	static const char hex[] = "0123456789abcdef";
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_MD5);
	mbedtls_md_context_t ctx;
	unsigned char d[16];
	int rc = CORREU_ERR_CRYPTO;

	if (!md)
		return CORREU_ERR_UNSUPPORTED;
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, md, 0) == 0 && mbedtls_md_starts(&ctx) == 0 &&
	    mbedtls_md_update(&ctx, (const unsigned char *)ts, ts_len) == 0 &&
	    mbedtls_md_update(&ctx, (const unsigned char *)pass, pass_len) == 0 &&
	    mbedtls_md_finish(&ctx, d) == 0) {
		for (size_t i = 0; i < sizeof(d); i++) {
			out[2 * i] = hex[d[i] >> 4];
			out[2 * i + 1] = hex[d[i] & 15];
		}
		rc = 0;
	}
	mbedtls_md_free(&ctx);
	correu_wipe(d, sizeof(d));
	return rc;
}
