/* Test certificates made with mbedTLS's writer (see certgen.h). */
#include "certgen.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#define CHECK(call)                                                                   \
	do {                                                                          \
		int rc_ = (call);                                                     \
		cr_assert_eq(rc_, 0, "%s failed: -0x%04x", #call, (unsigned)-rc_); \
	} while (0)

typedef struct rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
} rng;

static void rng_init(rng *r)
{
	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	CHECK(mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
	                            (const unsigned char *)"certgen", 7));
}

static void rng_free(rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}

static void new_key(rng *r, mbedtls_pk_context *pk, char *pem, size_t cap)
{
	mbedtls_pk_init(pk);
	CHECK(mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)));
	CHECK(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk),
	                          mbedtls_ctr_drbg_random, &r->drbg));
	CHECK(mbedtls_pk_write_key_pem(pk, (unsigned char *)pem, cap));
}

static void load_key(rng *r, mbedtls_pk_context *pk, const char *pem)
{
	mbedtls_pk_init(pk);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	CHECK(mbedtls_pk_parse_key(pk, (const unsigned char *)pem, strlen(pem) + 1, NULL, 0,
	                           mbedtls_ctr_drbg_random, &r->drbg));
#else
	(void)r;
	CHECK(mbedtls_pk_parse_key(pk, (const unsigned char *)pem, strlen(pem) + 1, NULL, 0));
#endif
}

static void when(int days, char out[16])
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

/* SubjectAltName, written backwards as mbedTLS's ASN.1 writer does. */
static void add_san(mbedtls_x509write_cert *crt, const leaf_spec *spec)
{
	unsigned char buf[1024];
	unsigned char *p = buf + sizeof(buf);
	size_t len = 0;
	int n;

	for (int i = 3; i >= 0; i--) {
		unsigned char ip[16];
		size_t ip_len;

		if (!spec->ips[i])
			continue;
		ip_len = inet_pton(AF_INET, spec->ips[i], ip) == 1 ? 4 : 16;
		if (ip_len == 16)
			cr_assert_eq(inet_pton(AF_INET6, spec->ips[i], ip), 1);
		cr_assert_geq(n = mbedtls_asn1_write_raw_buffer(&p, buf, ip, ip_len), 0);
		len += (size_t)n;
		cr_assert_geq(n = mbedtls_asn1_write_len(&p, buf, ip_len), 0);
		len += (size_t)n;
		cr_assert_geq(n = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7), 0);
		len += (size_t)n;
	}
	for (int i = 3; i >= 0; i--) {
		size_t dl;

		if (!spec->dns[i])
			continue;
		dl = strlen(spec->dns[i]);
		cr_assert_geq(n = mbedtls_asn1_write_raw_buffer(&p, buf,
		                  (const unsigned char *)spec->dns[i], dl), 0);
		len += (size_t)n;
		cr_assert_geq(n = mbedtls_asn1_write_len(&p, buf, dl), 0);
		len += (size_t)n;
		cr_assert_geq(n = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2), 0);
		len += (size_t)n;
	}
	if (len == 0)
		return;
	cr_assert_geq(n = mbedtls_asn1_write_len(&p, buf, len), 0);
	len += (size_t)n;
	cr_assert_geq(n = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED |
	                                                     MBEDTLS_ASN1_SEQUENCE), 0);
	len += (size_t)n;
	CHECK(mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
	                                          MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
	                                          0, p, len));
}

static void set_serial(mbedtls_x509write_cert *crt, rng *r)
{
	unsigned char raw[8];

	CHECK(mbedtls_ctr_drbg_random(&r->drbg, raw, sizeof(raw)));
	raw[0] &= 0x7f;
#if MBEDTLS_VERSION_NUMBER >= 0x03040000
	CHECK(mbedtls_x509write_crt_set_serial_raw(crt, raw, sizeof(raw)));
#else
	{
		mbedtls_mpi serial;

		mbedtls_mpi_init(&serial);
		CHECK(mbedtls_mpi_read_binary(&serial, raw, sizeof(raw)));
		CHECK(mbedtls_x509write_crt_set_serial(crt, &serial));
		mbedtls_mpi_free(&serial);
	}
#endif
}

static void write_cert(rng *r, mbedtls_x509write_cert *crt, char *pem, size_t cap)
{
	CHECK(mbedtls_x509write_crt_pem(crt, (unsigned char *)pem, cap, mbedtls_ctr_drbg_random,
	                                &r->drbg));
}

void certgen_ca(cert_pem *ca)
{
	mbedtls_x509write_cert crt;
	mbedtls_pk_context key;
	char from[16], to[16];
	rng r;

	rng_init(&r);
	new_key(&r, &key, ca->key, sizeof(ca->key));
	mbedtls_x509write_crt_init(&crt);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, &key);
	mbedtls_x509write_crt_set_issuer_key(&crt, &key);
	set_serial(&crt, &r);
	CHECK(mbedtls_x509write_crt_set_subject_name(&crt, "CN=correu test CA,O=correu"));
	CHECK(mbedtls_x509write_crt_set_issuer_name(&crt, "CN=correu test CA,O=correu"));
	when(-1, from);
	when(30, to);
	CHECK(mbedtls_x509write_crt_set_validity(&crt, from, to));
	CHECK(mbedtls_x509write_crt_set_basic_constraints(&crt, 1, 0));
	CHECK(mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_KEY_CERT_SIGN |
	                                                   MBEDTLS_X509_KU_CRL_SIGN));
	write_cert(&r, &crt, ca->cert, sizeof(ca->cert));
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	rng_free(&r);
}

void certgen_leaf(const cert_pem *ca, const leaf_spec *spec, cert_pem *out)
{
	mbedtls_x509write_cert crt;
	mbedtls_pk_context key, ca_key;
	char subject[256], from[16], to[16];
	rng r;

	rng_init(&r);
	new_key(&r, &key, out->key, sizeof(out->key));
	mbedtls_x509write_crt_init(&crt);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, &key);
	snprintf(subject, sizeof(subject), "CN=%s,O=correu", spec->cn);
	CHECK(mbedtls_x509write_crt_set_subject_name(&crt, subject));
	if (spec->self_signed) {
		mbedtls_x509write_crt_set_issuer_key(&crt, &key);
		CHECK(mbedtls_x509write_crt_set_issuer_name(&crt, subject));
	} else {
		load_key(&r, &ca_key, ca->key);
		mbedtls_x509write_crt_set_issuer_key(&crt, &ca_key);
		CHECK(mbedtls_x509write_crt_set_issuer_name(&crt, "CN=correu test CA,O=correu"));
	}
	set_serial(&crt, &r);
	when(spec->from_days, from);
	when(spec->to_days, to);
	CHECK(mbedtls_x509write_crt_set_validity(&crt, from, to));
	CHECK(mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1));
	add_san(&crt, spec);
	write_cert(&r, &crt, out->cert, sizeof(out->cert));
	if (!spec->self_signed)
		mbedtls_pk_free(&ca_key);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	rng_free(&r);
}

void certgen_localhost(const cert_pem *ca, cert_pem *out)
{
	leaf_spec spec = { "localhost", { "localhost" }, { "127.0.0.1", "::1" }, -1, 30, 0 };

	certgen_leaf(ca, &spec, out);
}
