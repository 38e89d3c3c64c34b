/*
 * TLS configuration (transport layer, mbedTLS): trust anchors, this end's
 * certificate and key, the verification policy and the random generator.
 * Each configuration owns its entropy source and CTR-DRBG, so correu keeps
 * no global state; mbedTLS 3.x differences are handled behind
 * MBEDTLS_VERSION_NUMBER checks.
 */
#include <string.h>

#include <mbedtls/error.h>

#include "tls_int.h"

void correu__tls_log_err(const correu_logger *lg, const char *what, int mbed_rc)
{
	char msg[160];

	if (!lg || !lg->fn)
		return;
	mbedtls_strerror(mbed_rc, msg, sizeof(msg));
	correu__log(lg, CORREU_LOG_WARN, "tls: %s: %s (-0x%04x)", what, msg,
	            (unsigned)-mbed_rc);
}

static int sni_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
	correu_tls_config *cfg = p;
	correu_tls_config *use = NULL;

	if (!cfg->sni)
		return 0;
	if (cfg->sni((const char *)name, len, &use, cfg->sni_userdata) < 0)
		return -1; /* mbedTLS answers with an unrecognized_name alert */
	if (use && use->have_own)
		return mbedtls_ssl_set_hs_own_cert(ssl, &use->own, &use->key);
	return 0;
}

static int set_min_version(mbedtls_ssl_config *conf, uint32_t version)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03020000
	if (version == CORREU_TLS_VERSION_1_3) {
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
		mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
		return 0;
#else
		return CORREU_ERR_UNSUPPORTED;
#endif
	}
	mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
	return 0;
#else
	/* mbedTLS 2.x speaks no TLS 1.3; 1.2 is protocol 3.3. */
	if (version == CORREU_TLS_VERSION_1_3)
		return CORREU_ERR_UNSUPPORTED;
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	return 0;
#endif
}

int correu_tls_config_new(uint32_t role, const correu_allocator *alloc, correu_tls_config **out)
{
	static const char pers[] = "correu tls config";
	correu_tls_config *cfg;
	int rc;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (role != CORREU_TLS_CLIENT && role != CORREU_TLS_SERVER)
		return CORREU_ERR_ARG;
	alloc = correu__allocator(alloc);
	cfg = correu__calloc(alloc, sizeof(*cfg));
	if (!cfg)
		return CORREU_ERR_NOMEM;
	cfg->alloc = alloc;
	cfg->role = role;
	mbedtls_ssl_config_init(&cfg->conf);
	mbedtls_entropy_init(&cfg->entropy);
	mbedtls_ctr_drbg_init(&cfg->drbg);
	mbedtls_x509_crt_init(&cfg->ca);
	mbedtls_x509_crt_init(&cfg->own);
	mbedtls_pk_init(&cfg->key);
	rc = mbedtls_ctr_drbg_seed(&cfg->drbg, mbedtls_entropy_func, &cfg->entropy,
	                           (const unsigned char *)pers, sizeof(pers) - 1);
	if (rc != 0) {
		correu_tls_config_free(cfg);
		return CORREU_ERR_CRYPTO;
	}
	rc = mbedtls_ssl_config_defaults(&cfg->conf,
	                                 role == CORREU_TLS_SERVER ? MBEDTLS_SSL_IS_SERVER
	                                                           : MBEDTLS_SSL_IS_CLIENT,
	                                 MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (rc != 0) {
		correu_tls_config_free(cfg);
		return rc == MBEDTLS_ERR_SSL_ALLOC_FAILED ? CORREU_ERR_NOMEM : CORREU_ERR_TLS;
	}
	mbedtls_ssl_conf_rng(&cfg->conf, mbedtls_ctr_drbg_random, &cfg->drbg);
	(void)set_min_version(&cfg->conf, CORREU_TLS_VERSION_1_2);
	mbedtls_ssl_conf_ca_chain(&cfg->conf, &cfg->ca, NULL);
	mbedtls_ssl_conf_authmode(&cfg->conf, role == CORREU_TLS_SERVER ? MBEDTLS_SSL_VERIFY_NONE
	                                                                 : MBEDTLS_SSL_VERIFY_REQUIRED);
	/* A missing bundle is not an error here: nothing is trusted, and
	 * verification says so (CORREU_CERT_NOT_TRUSTED) when it runs. */
	if (role == CORREU_TLS_CLIENT)
		(void)mbedtls_x509_crt_parse_file(&cfg->ca, CORREU_TLS_SYSTEM_CA_FILE);
	*out = cfg;
	return 0;
}

void correu_tls_config_free(correu_tls_config *cfg)
{
	if (!cfg)
		return;
	mbedtls_ssl_config_free(&cfg->conf);
	mbedtls_x509_crt_free(&cfg->ca);
	mbedtls_x509_crt_free(&cfg->own);
	mbedtls_pk_free(&cfg->key); /* zeroizes the private key */
	mbedtls_ctr_drbg_free(&cfg->drbg);
	mbedtls_entropy_free(&cfg->entropy);
	{
		const correu_allocator *alloc = cfg->alloc;

		correu_wipe(cfg, sizeof(*cfg));
		correu__free(alloc, cfg, sizeof(*cfg));
	}
}

/* Start the trust anchors afresh; the config keeps pointing at cfg->ca. */
static void reset_ca(correu_tls_config *cfg)
{
	mbedtls_x509_crt_free(&cfg->ca);
	mbedtls_x509_crt_init(&cfg->ca);
}

/* At least one certificate must have parsed; partial bundles are normal. */
static int ca_result(correu_tls_config *cfg, int mbed_rc)
{
	if (mbed_rc < 0 || cfg->ca.version == 0) {
		reset_ca(cfg);
		return CORREU_ERR_CERT;
	}
	return 0;
}

int correu_tls_config_set_ca_file(correu_tls_config *cfg, const char *path)
{
	if (!cfg || !path)
		return CORREU_ERR_ARG;
	reset_ca(cfg);
	return ca_result(cfg, mbedtls_x509_crt_parse_file(&cfg->ca, path));
}

int correu_tls_config_set_ca_dir(correu_tls_config *cfg, const char *dir)
{
	if (!cfg || !dir)
		return CORREU_ERR_ARG;
	reset_ca(cfg);
	return ca_result(cfg, mbedtls_x509_crt_parse_path(&cfg->ca, dir));
}

/* PEM text has a "-----BEGIN" line somewhere; anything else is DER. */
static bool looks_pem(const uint8_t *buf, size_t len)
{
	static const char begin[] = "-----BEGIN";

	for (size_t i = 0; i + sizeof(begin) - 1 <= len; i++)
		if (memcmp(buf + i, begin, sizeof(begin) - 1) == 0)
			return true;
	return false;
}

/*
 * mbedTLS wants PEM NUL-terminated with the NUL counted, DER as it is.
 * Parse a copy of the caller's bytes that way into `chain`.
 */
static int parse_crt_buf(const correu_allocator *alloc, mbedtls_x509_crt *chain,
                         const uint8_t *buf, size_t len)
{
	uint8_t *copy;
	size_t size;
	int rc;

	if (!looks_pem(buf, len))
		return mbedtls_x509_crt_parse(chain, buf, len);
	if (!correu__add(len, 1, &size))
		return CORREU_ERR_LIMIT;
	copy = correu__alloc(alloc, size);
	if (!copy)
		return CORREU_ERR_NOMEM;
	memcpy(copy, buf, len);
	copy[len] = 0;
	rc = mbedtls_x509_crt_parse(chain, copy, size);
	correu__free(alloc, copy, size);
	return rc;
}

int correu_tls_config_set_ca_pem(correu_tls_config *cfg, const uint8_t *pem, size_t len)
{
	int rc;

	if (!cfg || !pem || !len)
		return CORREU_ERR_ARG;
	reset_ca(cfg);
	rc = parse_crt_buf(cfg->alloc, &cfg->ca, pem, len);
	if (rc == CORREU_ERR_NOMEM || rc == CORREU_ERR_LIMIT)
		return rc;
	return ca_result(cfg, rc);
}

int correu__tls_parse_key(correu_tls_config *cfg, mbedtls_pk_context *pk, const uint8_t *key,
                          size_t len, const char *password)
{
	const unsigned char *pw = (const unsigned char *)password;
	size_t pwlen = password ? strlen(password) : 0;

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	/* 3.0 added an RNG argument (blinding during the pair check). */
	return mbedtls_pk_parse_key(pk, key, len, pw, pwlen, mbedtls_ctr_drbg_random, &cfg->drbg);
#else
	(void)cfg;
	return mbedtls_pk_parse_key(pk, key, len, pw, pwlen);
#endif
}

static int check_pair(correu_tls_config *cfg)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	return mbedtls_pk_check_pair(&cfg->own.pk, &cfg->key, mbedtls_ctr_drbg_random, &cfg->drbg);
#else
	return mbedtls_pk_check_pair(&cfg->own.pk, &cfg->key);
#endif
}

int correu__tls_use_own(correu_tls_config *cfg)
{
	if (cfg->own.version == 0 || check_pair(cfg) != 0 ||
	    mbedtls_ssl_conf_own_cert(&cfg->conf, &cfg->own, &cfg->key) != 0) {
		mbedtls_x509_crt_free(&cfg->own);
		mbedtls_x509_crt_init(&cfg->own);
		mbedtls_pk_free(&cfg->key);
		mbedtls_pk_init(&cfg->key);
		return CORREU_ERR_CERT;
	}
	cfg->have_own = true;
	return 0;
}

int correu_tls_config_set_cert_file(correu_tls_config *cfg, const char *cert_path,
                                    const char *key_path, const char *key_password)
{
	int rc;

	if (!cfg || !cert_path || !key_path)
		return CORREU_ERR_ARG;
	if (cfg->have_own)
		return CORREU_ERR_STATE;
	rc = mbedtls_x509_crt_parse_file(&cfg->own, cert_path);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	if (rc == 0)
		rc = mbedtls_pk_parse_keyfile(&cfg->key, key_path, key_password,
		                              mbedtls_ctr_drbg_random, &cfg->drbg);
#else
	if (rc == 0)
		rc = mbedtls_pk_parse_keyfile(&cfg->key, key_path, key_password);
#endif
	if (rc != 0)
		cfg->own.version = 0; /* makes correu__tls_use_own() clean up */
	return correu__tls_use_own(cfg);
}

int correu_tls_config_set_cert_pem(correu_tls_config *cfg, const uint8_t *cert, size_t cert_len,
                                   const uint8_t *key, size_t key_len, const char *key_password)
{
	uint8_t *copy;
	size_t size;
	int rc;

	if (!cfg || !cert || !cert_len || !key || !key_len)
		return CORREU_ERR_ARG;
	if (cfg->have_own)
		return CORREU_ERR_STATE;
	if (!correu__add(key_len, 1, &size))
		return CORREU_ERR_LIMIT;
	rc = parse_crt_buf(cfg->alloc, &cfg->own, cert, cert_len);
	if (rc == CORREU_ERR_NOMEM || rc == CORREU_ERR_LIMIT) {
		mbedtls_x509_crt_free(&cfg->own);
		mbedtls_x509_crt_init(&cfg->own);
		return rc;
	}
	/* The key copy gets its terminating NUL for PEM, then is wiped. */
	copy = correu__alloc(cfg->alloc, size);
	if (!copy) {
		mbedtls_x509_crt_free(&cfg->own);
		mbedtls_x509_crt_init(&cfg->own);
		return CORREU_ERR_NOMEM;
	}
	memcpy(copy, key, key_len);
	copy[key_len] = 0;
	if (rc == 0)
		rc = correu__tls_parse_key(cfg, &cfg->key, copy,
		                           looks_pem(key, key_len) ? size : key_len, key_password);
	correu_wipe(copy, size);
	correu__free(cfg->alloc, copy, size);
	if (rc != 0)
		cfg->own.version = 0;
	return correu__tls_use_own(cfg);
}

int correu_tls_config_set_verify(correu_tls_config *cfg, uint32_t mode)
{
	int authmode;

	if (!cfg)
		return CORREU_ERR_ARG;
	switch (mode) {
	case CORREU_TLS_VERIFY_DEFAULT:
		authmode = cfg->role == CORREU_TLS_SERVER ? MBEDTLS_SSL_VERIFY_NONE
		                                          : MBEDTLS_SSL_VERIFY_REQUIRED;
		break;
	case CORREU_TLS_VERIFY_INSECURE_NO_HOST:
		if (cfg->role != CORREU_TLS_CLIENT)
			return CORREU_ERR_ARG;
		authmode = MBEDTLS_SSL_VERIFY_REQUIRED;
		break;
	case CORREU_TLS_VERIFY_INSECURE_NONE:
		if (cfg->role != CORREU_TLS_CLIENT)
			return CORREU_ERR_ARG;
		/* Optional, not none: the flags are still computed and reported. */
		authmode = MBEDTLS_SSL_VERIFY_OPTIONAL;
		break;
	case CORREU_TLS_VERIFY_REQUIRE_PEER:
		if (cfg->role != CORREU_TLS_SERVER)
			return CORREU_ERR_ARG;
		authmode = MBEDTLS_SSL_VERIFY_REQUIRED;
		break;
	default:
		return CORREU_ERR_ARG;
	}
	mbedtls_ssl_conf_authmode(&cfg->conf, authmode);
	cfg->verify = mode;
	return 0;
}

int correu_tls_config_set_min_version(correu_tls_config *cfg, uint32_t version)
{
	if (!cfg || (version != CORREU_TLS_VERSION_1_2 && version != CORREU_TLS_VERSION_1_3))
		return CORREU_ERR_ARG;
	return set_min_version(&cfg->conf, version);
}

int correu_tls_config_set_sni(correu_tls_config *cfg, correu_tls_sni_fn fn, void *userdata)
{
	if (!cfg || cfg->role != CORREU_TLS_SERVER)
		return CORREU_ERR_ARG;
	cfg->sni = fn;
	cfg->sni_userdata = userdata;
	mbedtls_ssl_conf_sni(&cfg->conf, fn ? sni_cb : NULL, fn ? cfg : NULL);
	return 0;
}
