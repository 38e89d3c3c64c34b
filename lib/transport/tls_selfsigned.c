/*
 * Throwaway self-signed certificates (transport layer, mbedTLS): a fresh
 * P-256 key and an X.509 v3 certificate naming one host, for demos, tests
 * and a server's first run. The subjectAltName is written by hand because
 * mbedTLS 2.28 has no writer for it (RFC 5280 section 4.2.1.6).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "tls_int.h"

/* Host names and IP literals only: the text also goes into "CN=...". */
static bool host_ok(const char *host)
{
	size_t n = strlen(host);

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':'))
			return false;
	}
	return true;
}

/* SubjectAltName ::= SEQUENCE { dNSName [2] IA5String | iPAddress [7] OCTETS } */
static int write_san(mbedtls_x509write_cert *crt, const char *host)
{
	unsigned char buf[300], ip[16];
	unsigned char *p = buf + sizeof(buf);
	const unsigned char *id = (const unsigned char *)host;
	size_t id_len = strlen(host), len = 0;
	size_t ip_len = correu__tls_parse_ip(host, ip);
	unsigned char tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;
	int ret;

	if (ip_len) {
		id = ip;
		id_len = ip_len;
		tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
	}
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(&p, buf, id, id_len));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, id_len));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf, tag));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
	MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED |
	                                                               MBEDTLS_ASN1_SEQUENCE));
	return mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
	                                           MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
	                                           0, p, len);
}

/* "YYYYMMDDhhmmss" in UTC, the form mbedTLS's writer takes. */
static void x509_time(time_t when, char out[16])
{
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

static int write_cert(correu_tls_config *cfg, const char *host, uint32_t days, uint8_t *pem,
                      size_t cap)
{
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	char name[260], from[16], until[16];
	time_t now = time(NULL);
	int rc;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	snprintf(name, sizeof(name), "CN=%s", host);
	/* Valid since yesterday, so that a peer's clock a little behind is fine. */
	x509_time(now - 86400, from);
	x509_time(now + (time_t)days * 86400, until);
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, &cfg->key);
	mbedtls_x509write_crt_set_issuer_key(&crt, &cfg->key);
	rc = mbedtls_mpi_fill_random(&serial, 16, mbedtls_ctr_drbg_random, &cfg->drbg);
#if MBEDTLS_VERSION_NUMBER >= 0x03040000
	if (rc == 0) {
		unsigned char raw[16];

		rc = mbedtls_mpi_write_binary(&serial, raw, sizeof(raw));
		raw[0] &= 0x7f; /* a positive INTEGER */
		if (rc == 0)
			rc = mbedtls_x509write_crt_set_serial_raw(&crt, raw, sizeof(raw));
	}
#else
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_serial(&crt, &serial);
#endif
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_subject_name(&crt, name);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_issuer_name(&crt, name);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_validity(&crt, from, until);
	if (rc == 0)
		rc = mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1);
	if (rc == 0)
		rc = write_san(&crt, host);
	if (rc == 0) {
		rc = mbedtls_x509write_crt_pem(&crt, pem, cap, mbedtls_ctr_drbg_random, &cfg->drbg);
		if (rc == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL || rc == MBEDTLS_ERR_ASN1_BUF_TOO_SMALL)
			rc = CORREU_ERR_BUFFER;
	}
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	return rc;
}

int correu_tls_config_set_self_signed(correu_tls_config *cfg, const char *host, uint32_t days,
                                      uint8_t *pem_out, size_t pem_cap, size_t *pem_len_out)
{
	size_t len;
	int rc;

	if (!cfg || !host || !pem_out || !pem_cap || days < 1 || days > 36500 || !host_ok(host))
		return CORREU_ERR_ARG;
	if (cfg->have_own)
		return CORREU_ERR_STATE;
	rc = mbedtls_pk_setup(&cfg->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (rc == 0)
		rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(cfg->key),
		                         mbedtls_ctr_drbg_random, &cfg->drbg);
	if (rc == 0)
		rc = write_cert(cfg, host, days, pem_out, pem_cap);
	if (rc == 0) {
		len = strlen((const char *)pem_out);
		rc = mbedtls_x509_crt_parse(&cfg->own, pem_out, len + 1);
	}
	if (rc != 0) {
		mbedtls_pk_free(&cfg->key);
		mbedtls_pk_init(&cfg->key);
		pem_out[0] = 0;
		return rc == CORREU_ERR_BUFFER ? rc : CORREU_ERR_CRYPTO;
	}
	rc = correu__tls_use_own(cfg);
	if (rc == 0 && pem_len_out)
		*pem_len_out = len;
	return rc;
}
