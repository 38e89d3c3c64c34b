/*
 * Certificate verification by a TLS client: each bad certificate is
 * rejected with its own reason, DNS and IP identities never stand in for
 * each other, and only the named INSECURE modes weaken the checks.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "certgen.h"
#include "correu/transport.h"
#include "pump.h"

static cert_pem ca;

static void make_ca(void)
{
	certgen_ca(&ca);
}

TestSuite(verify, .init = make_ca);

/*
 * Handshake a client (verify mode `mode`, connecting to `host`) with a
 * server presenting `leaf`, over the memory pair; return the client's
 * result and put its verify flags in *flags.
 */
static int connect_to(const cert_pem *leaf, const char *host, uint32_t mode, uint32_t *flags)
{
	correu_tls_config *ccfg, *scfg;
	correu_transport *c, *s;
	int rc_c, rc_s;

	tls_configs(ca.cert, leaf->cert, leaf->key, &ccfg, &scfg);
	cr_assert_eq(correu_tls_config_set_verify(ccfg, mode), 0);
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, host), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	pump_handshake(c, s, &rc_c, &rc_s);
	*flags = correu_transport_tls_verify_flags(c);
	if (rc_c == 0)
		pump_transfer(c, s, "A1 NOOP\r\n", 9);
	else
		cr_assert_neq(rc_s, 0, "the server finished a handshake the client refused");
	correu_transport_free(c);
	correu_transport_free(s);
	correu_tls_config_free(ccfg);
	correu_tls_config_free(scfg);
	return rc_c;
}

static void expect_rejected(const leaf_spec *spec, const char *host, uint32_t want)
{
	cert_pem leaf;
	uint32_t flags;
	char why[128];

	certgen_leaf(&ca, spec, &leaf);
	cr_assert_eq(connect_to(&leaf, host, CORREU_TLS_VERIFY_DEFAULT, &flags), CORREU_ERR_CERT);
	cr_assert_geq(correu_cert_flags_text(flags, why, sizeof(why)), 0);
	cr_assert_eq(flags, want, "flags 0x%x (%s), want 0x%x", flags, why, want);
}

static void expect_accepted(const leaf_spec *spec, const char *host)
{
	cert_pem leaf;
	uint32_t flags;

	certgen_leaf(&ca, spec, &leaf);
	cr_assert_eq(connect_to(&leaf, host, CORREU_TLS_VERIFY_DEFAULT, &flags), 0);
	cr_assert_eq(flags, 0);
}

Test(verify, good_chain_for_dns_ipv4_and_ipv6_hosts)
{
	leaf_spec spec = { "localhost", { "localhost" }, { "127.0.0.1", "::1" }, -1, 30, 0 };

	expect_accepted(&spec, "localhost");
	expect_accepted(&spec, "LocalHost.");
	expect_accepted(&spec, "127.0.0.1");
	expect_accepted(&spec, "::1");
	expect_accepted(&spec, "[::1]");
}

Test(verify, wrong_host_name)
{
	leaf_spec spec = { "localhost", { "localhost" }, { "127.0.0.1" }, -1, 30, 0 };

	expect_rejected(&spec, "mail.example.org", CORREU_CERT_HOST_MISMATCH);
}

Test(verify, self_signed)
{
	leaf_spec spec = { "localhost", { "localhost" }, { 0 }, -1, 30, 1 };

	expect_rejected(&spec, "localhost", CORREU_CERT_NOT_TRUSTED | CORREU_CERT_SELF_SIGNED);
}

Test(verify, expired)
{
	leaf_spec spec = { "localhost", { "localhost" }, { 0 }, -30, -1, 0 };

	expect_rejected(&spec, "localhost", CORREU_CERT_EXPIRED);
}

Test(verify, not_yet_valid)
{
	leaf_spec spec = { "localhost", { "localhost" }, { 0 }, 2, 30, 0 };

	expect_rejected(&spec, "localhost", CORREU_CERT_NOT_YET_VALID);
}

Test(verify, wrong_ip)
{
	leaf_spec spec = { "localhost", { "localhost" }, { "127.0.0.2", "::2" }, -1, 30, 0 };

	expect_rejected(&spec, "127.0.0.1", CORREU_CERT_IP_MISMATCH);
	expect_rejected(&spec, "::1", CORREU_CERT_IP_MISMATCH);
}

Test(verify, ip_host_never_matches_dns_names_or_cn)
{
	/* The address as text, in a dNSName and in the CN: still not an IP identity. */
	leaf_spec spec = { "127.0.0.1", { "127.0.0.1" }, { 0 }, -1, 30, 0 };
	/* "abcd" has the bytes of 97.98.99.100: a type-blind compare would match. */
	leaf_spec bytes = { "abcd", { "abcd" }, { 0 }, -1, 30, 0 };

	expect_rejected(&spec, "127.0.0.1", CORREU_CERT_IP_MISMATCH);
	expect_rejected(&bytes, "97.98.99.100", CORREU_CERT_IP_MISMATCH);
}

Test(verify, dns_host_never_matches_ip_entries)
{
	/* 97.98.99.100 is the bytes "abcd": a type-blind compare would match. */
	leaf_spec spec = { "other", { "other.test" }, { "97.98.99.100" }, -1, 30, 0 };

	expect_rejected(&spec, "abcd", CORREU_CERT_HOST_MISMATCH);
}

Test(verify, wildcards_cover_exactly_one_label)
{
	leaf_spec spec = { "wild", { "*.mail.test" }, { 0 }, -1, 30, 0 };
	leaf_spec tld = { "wild", { "*.test" }, { 0 }, -1, 30, 0 };

	expect_accepted(&spec, "imap.mail.test");
	expect_rejected(&spec, "mail.test", CORREU_CERT_HOST_MISMATCH);
	expect_rejected(&spec, "a.b.mail.test", CORREU_CERT_HOST_MISMATCH);
	expect_rejected(&tld, "x.test", CORREU_CERT_HOST_MISMATCH);
}

Test(verify, cn_is_used_only_without_dns_names)
{
	leaf_spec cn_only = { "cn.test", { 0 }, { 0 }, -1, 30, 0 };
	leaf_spec both = { "cn.test", { "san.test" }, { 0 }, -1, 30, 0 };

	expect_accepted(&cn_only, "cn.test");
	expect_rejected(&both, "cn.test", CORREU_CERT_HOST_MISMATCH);
}

Test(verify, insecure_modes_are_explicit_and_still_report)
{
	leaf_spec wrong = { "localhost", { "localhost" }, { 0 }, -1, 30, 0 };
	leaf_spec self = { "localhost", { "localhost" }, { 0 }, -1, 30, 1 };
	cert_pem leaf;
	uint32_t flags;

	certgen_leaf(&ca, &wrong, &leaf);
	cr_assert_eq(connect_to(&leaf, "elsewhere.test", CORREU_TLS_VERIFY_INSECURE_NO_HOST, &flags),
	             0);
	cr_assert_eq(flags, 0);
	certgen_leaf(&ca, &self, &leaf);
	cr_assert_eq(connect_to(&leaf, "localhost", CORREU_TLS_VERIFY_INSECURE_NO_HOST, &flags),
	             CORREU_ERR_CERT, "no-host mode still checks the chain");
	cr_assert_eq(connect_to(&leaf, "elsewhere.test", CORREU_TLS_VERIFY_INSECURE_NONE, &flags), 0);
	cr_assert_eq(flags, CORREU_CERT_NOT_TRUSTED | CORREU_CERT_SELF_SIGNED |
	                        CORREU_CERT_HOST_MISMATCH);
}

Test(verify, reasons_read_as_text)
{
	char buf[128];

	cr_assert_eq(correu_cert_flags_text(0, buf, sizeof(buf)), 2);
	cr_assert_str_eq(buf, "ok");
	cr_assert_gt(correu_cert_flags_text(CORREU_CERT_EXPIRED | CORREU_CERT_IP_MISMATCH, buf,
	                                    sizeof(buf)), 0);
	cr_assert_str_eq(buf, "expired, IP address mismatch");
	cr_assert_gt(correu_cert_flags_text(CORREU_CERT_NOT_TRUSTED | CORREU_CERT_SELF_SIGNED, buf,
	                                    sizeof(buf)), 0);
	cr_assert_str_eq(buf, "not trusted, self-signed");
	/* "expired" needs 8 bytes with its NUL: 8 fits, 7 does not. */
	cr_assert_eq(correu_cert_flags_text(CORREU_CERT_EXPIRED, buf, 8), 7);
	cr_assert_eq(correu_cert_flags_text(CORREU_CERT_EXPIRED, buf, 7), CORREU_ERR_BUFFER);
	cr_assert_eq(strlen(buf), 0);
	cr_assert_eq(correu_cert_flags_text(0, NULL, 8), CORREU_ERR_ARG);
	cr_assert_gt(correu_cert_flags_text(0x4000, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "unknown");
}
