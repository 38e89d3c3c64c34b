/*
 * Fuzz harness for the TLS server identity check (transport layer): a
 * certificate's subjectAltName and CN entries against a host name or IP
 * address, with wildcards (RFC 6125 section 6). Input: one byte giving the
 * host length, the host, then a DER certificate.
 */
#include <stdint.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "transport/tls_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mbedtls_x509_crt crt;
	char host[256];
	uint8_t ip[16];
	size_t n, ip_len;

	if (size < 1 || (n = data[0]) > size - 1)
		return 0;
	memcpy(host, data + 1, n);
	host[n] = '\0';
	if (strlen(host) != n)
		return 0; /* hosts are C strings */
	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_der(&crt, data + 1 + n, size - 1 - n) == 0) {
		ip_len = correu__tls_parse_ip(host, ip);
		/* The same names as DNS and as an address must both be safe. */
		(void)correu__tls_identity_ok(&crt, host, ip, ip_len);
		(void)correu__tls_identity_ok(&crt, host, NULL, 0);
	}
	mbedtls_x509_crt_free(&crt);
	return 0;
}
