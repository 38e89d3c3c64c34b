/*
 * Server identity checks for TLS clients (transport layer, mbedTLS), after
 * RFC 6125 section 6 and RFC 5280 section 4.2.1.6. mbedTLS checks the
 * chain; the name check is ours, because mbedTLS 2.28 compares a host with
 * every subjectAltName whatever its type and cannot match iPAddress
 * entries at all. Here a DNS host is compared with dNSName entries only
 * (or the subject CN when there are none), and an IP host with iPAddress
 * entries only, as binary addresses.
 */
#include <arpa/inet.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include "tls_int.h"

/* GeneralName tags (RFC 5280 section 4.2.1.6), context-specific class. */
#define SAN_DNS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)
#define SAN_IP (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool eq_nocase(const unsigned char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/*
 * One presented DNS identifier against the host. A wildcard is allowed
 * only as the whole leftmost label, stands for exactly one label, and
 * needs at least two labels after it (RFC 6125 section 6.4.3).
 */
static bool dns_id_matches(const unsigned char *id, size_t id_len, const char *host,
                           size_t host_len)
{
	const unsigned char *h = (const unsigned char *)host;
	const unsigned char *dot;

	if (id_len && id[id_len - 1] == '.')
		id_len--; /* absolute form, same name */
	if (id_len == 0 || memchr(id, '\0', id_len))
		return false;
	if (id_len == host_len && eq_nocase(id, h, host_len))
		return id[0] != '*';
	if (id_len < 4 || id[0] != '*' || id[1] != '.')
		return false;
	if (!memchr(id + 2, '.', id_len - 2))
		return false; /* "*.com" */
	dot = memchr(h, '.', host_len);
	if (!dot || dot == h)
		return false;
	return (size_t)(h + host_len - dot) == id_len - 1 &&
	       eq_nocase(dot, id + 1, id_len - 1);
}

static bool dns_matches(const mbedtls_x509_crt *crt, const char *host)
{
	const mbedtls_x509_sequence *san;
	const mbedtls_x509_name *dn;
	size_t host_len = strlen(host);
	bool have_dns_id = false;

	if (host_len && host[host_len - 1] == '.')
		host_len--;
	for (san = &crt->subject_alt_names; san && san->buf.p; san = san->next) {
		if (san->buf.tag != SAN_DNS)
			continue;
		have_dns_id = true;
		if (dns_id_matches(san->buf.p, san->buf.len, host, host_len))
			return true;
	}
	if (have_dns_id)
		return false;
	/* No DNS-ID at all: the most specific CN is the fallback (6.4.4). */
	for (dn = &crt->subject; dn; dn = dn->next) {
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &dn->oid) == 0 &&
		    dns_id_matches(dn->val.p, dn->val.len, host, host_len))
			return true;
	}
	return false;
}

/* RFC 6125 section 6.2.1 / RFC 5280: octets compared, never text. */
static bool ip_matches(const mbedtls_x509_crt *crt, const uint8_t *ip, size_t ip_len)
{
	const mbedtls_x509_sequence *san;

	for (san = &crt->subject_alt_names; san && san->buf.p; san = san->next)
		if (san->buf.tag == SAN_IP && san->buf.len == ip_len &&
		    memcmp(san->buf.p, ip, ip_len) == 0)
			return true;
	return false;
}

size_t correu__tls_parse_ip(const char *text, uint8_t ip[16])
{
	char bare[INET6_ADDRSTRLEN];
	size_t n = strlen(text);

	/* "[::1]" as in URLs is accepted as well as "::1". */
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		if (n - 2 >= sizeof(bare))
			return 0;
		memcpy(bare, text + 1, n - 2);
		bare[n - 2] = '\0';
		text = bare;
	}
	if (inet_pton(AF_INET, text, ip) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, ip) == 1)
		return 16;
	return 0;
}

bool correu__tls_identity_ok(const mbedtls_x509_crt *crt, const char *host, const uint8_t *ip,
                             size_t ip_len)
{
	return ip_len ? ip_matches(crt, ip, ip_len) : dns_matches(crt, host);
}

static bool self_signed(const mbedtls_x509_crt *crt)
{
	return crt->issuer_raw.len == crt->subject_raw.len &&
	       memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->subject_raw.len) == 0;
}

int correu__tls_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	correu__tls *s = ctx;
	uint32_t verify = s->cfg->verify;

	if (depth != 0)
		return 0; /* names matter for the end entity only */
	s->verified = true;
	s->extra = 0;
	if ((*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) && self_signed(crt))
		s->extra |= CORREU_CERT_SELF_SIGNED;
	/* Discard mbedTLS's type-blind name check and do our own. */
	*flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
	if (s->cfg->role != CORREU_TLS_CLIENT || !s->host ||
	    verify == CORREU_TLS_VERIFY_INSECURE_NO_HOST)
		return 0;
	if (correu__tls_identity_ok(crt, s->host, s->ip, s->ip_len))
		return 0;
	s->extra |= s->ip_len ? CORREU_CERT_IP_MISMATCH : CORREU_CERT_HOST_MISMATCH;
	*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH; /* fails the handshake */
	return 0;
}

uint32_t correu__tls_map_flags(uint32_t f, uint32_t extra, bool host_is_ip)
{
	static const struct {
		uint32_t mbed;
		uint32_t ours;
	} map[] = {
		{ MBEDTLS_X509_BADCERT_NOT_TRUSTED, CORREU_CERT_NOT_TRUSTED },
		{ MBEDTLS_X509_BADCERT_EXPIRED, CORREU_CERT_EXPIRED },
		{ MBEDTLS_X509_BADCERT_FUTURE, CORREU_CERT_NOT_YET_VALID },
		{ MBEDTLS_X509_BADCERT_REVOKED, CORREU_CERT_REVOKED },
		{ MBEDTLS_X509_BADCERT_MISSING, CORREU_CERT_MISSING },
		{ MBEDTLS_X509_BADCERT_SKIP_VERIFY, CORREU_CERT_NOT_VERIFIED },
		{ MBEDTLS_X509_BADCERT_BAD_MD, CORREU_CERT_WEAK },
		{ MBEDTLS_X509_BADCERT_BAD_PK, CORREU_CERT_WEAK },
		{ MBEDTLS_X509_BADCERT_BAD_KEY, CORREU_CERT_WEAK },
		{ MBEDTLS_X509_BADCERT_KEY_USAGE, CORREU_CERT_BAD_USAGE },
		{ MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, CORREU_CERT_BAD_USAGE },
		{ MBEDTLS_X509_BADCERT_NS_CERT_TYPE, CORREU_CERT_BAD_USAGE },
	};
	uint32_t out = extra;

	if (f == (uint32_t)-1) /* mbedTLS: no verification result */
		return CORREU_CERT_NOT_VERIFIED;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(map); i++) {
		if (f & map[i].mbed) {
			out |= map[i].ours;
			f &= ~map[i].mbed;
		}
	}
	if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
		if (!(extra & (CORREU_CERT_HOST_MISMATCH | CORREU_CERT_IP_MISMATCH)))
			out |= host_is_ip ? CORREU_CERT_IP_MISMATCH : CORREU_CERT_HOST_MISMATCH;
		f &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
	}
	if (f)
		out |= CORREU_CERT_OTHER;
	return out;
}
