/*
 * The SASL layer's only door to cryptography: digests, HMAC, PBKDF2 and
 * base64 through mbedTLS (2.28, and 3.x behind MBEDTLS_VERSION_NUMBER
 * checks). Mechanisms name the hash by their own number: SCRAM-SHA-1 means
 * SHA-1, SCRAM-SHA-256 SHA-256 and CRAM-MD5 MD5.
 */
#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/version.h>
#include <string.h>

#include "sasl_internal.h"

static const mbedtls_md_info_t *md_of(int mech)
{
	switch (mech) {
	case CORREU_SASL_SCRAM_SHA_1: return mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
	case CORREU_SASL_SCRAM_SHA_256: return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	case CORREU_SASL_CRAM_MD5: return mbedtls_md_info_from_type(MBEDTLS_MD_MD5);
	default: return NULL;
	}
}

size_t correu__sasl_digest_len(int mech)
{
	const mbedtls_md_info_t *md = md_of(mech);

	return md ? mbedtls_md_get_size(md) : 0;
}

int correu__sasl_hash(int mech, const uint8_t *in, size_t len, uint8_t *out)
{
	const mbedtls_md_info_t *md = md_of(mech);

	if (!md || mbedtls_md(md, in, len, out) != 0)
		return CORREU_ERR_CRYPTO;
	return 0;
}

int correu__sasl_hmac(int mech, const uint8_t *key, size_t klen, const uint8_t *in,
                      size_t len, uint8_t *out)
{
	const mbedtls_md_info_t *md = md_of(mech);

	if (!md || mbedtls_md_hmac(md, key, klen, in, len, out) != 0)
		return CORREU_ERR_CRYPTO;
	return 0;
}

int correu__sasl_pbkdf2(int mech, const uint8_t *pw, size_t pwlen, const uint8_t *salt,
                        size_t slen, uint32_t iterations, uint8_t *out)
{
	const mbedtls_md_info_t *md = md_of(mech);
	int ret;

	if (!md)
		return CORREU_ERR_CRYPTO;
#if MBEDTLS_VERSION_NUMBER >= 0x03030000
	ret = mbedtls_pkcs5_pbkdf2_hmac_ext(mbedtls_md_get_type(md), pw, pwlen, salt, slen,
	                                    iterations, mbedtls_md_get_size(md), out);
#else
	{
		mbedtls_md_context_t ctx;

		mbedtls_md_init(&ctx);
		ret = mbedtls_md_setup(&ctx, md, 1);
		if (ret == 0)
			ret = mbedtls_pkcs5_pbkdf2_hmac(&ctx, pw, pwlen, salt, slen, iterations,
			                                mbedtls_md_get_size(md), out);
		mbedtls_md_free(&ctx); /* wipes the HMAC pads, which hold the key */
	}
#endif
	return ret == 0 ? 0 : CORREU_ERR_CRYPTO;
}

int correu__sasl_b64_append(correu__buf *b, const uint8_t *p, size_t n)
{
	size_t need = 0, olen = 0;
	int rc;

	(void)mbedtls_base64_encode(NULL, 0, &need, p, n); /* size, with NUL */
	rc = correu__buf_reserve(b, need);
	if (rc < 0)
		return rc;
	if (mbedtls_base64_encode(b->data + b->len, need, &olen, p, n) != 0)
		return CORREU_ERR_CRYPTO;
	b->len += olen;
	return 0;
}

static bool b64_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int correu__sasl_b64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                            size_t *out_len)
{
	size_t pad = 0;

	/* mbedTLS skips whitespace; SCRAM's base64 has none (RFC 5802 Section 7). */
	if (len % 4 != 0)
		return CORREU_ERR_SYNTAX;
	while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++)
		if (!b64_char(in[i]))
			return CORREU_ERR_SYNTAX;
	if (len / 4 * 3 - pad > cap)
		return CORREU_ERR_LIMIT;
	if (mbedtls_base64_decode(out, cap, out_len, in, len) != 0)
		return CORREU_ERR_SYNTAX;
	return 0;
}
