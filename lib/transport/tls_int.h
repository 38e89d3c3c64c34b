/*
 * TLS internals of the transport layer, shared by the configuration
 * (tls_config.c), the per-connection state (tls.c), the certificate checks
 * (tls_verify.c) and the self-signed generator (tls_selfsigned.c). Built
 * only with mbedTLS; the version checks for mbedTLS 3.x live here too.
 */
#ifndef CORREU_TLS_INT_H
#define CORREU_TLS_INT_H

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "transport_int.h"

#if MBEDTLS_VERSION_NUMBER < 0x02100000
#error "correu needs mbedTLS 2.16 or later"
#endif

struct correu_tls_config {
	const correu_allocator *alloc;
	uint32_t role;   /* CORREU_TLS_CLIENT or _SERVER */
	uint32_t verify; /* CORREU_TLS_VERIFY_* */
	mbedtls_ssl_config conf;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt own;
	mbedtls_pk_context key;
	bool have_own;
	correu_tls_sni_fn sni;
	void *sni_userdata;
};

/* One connection's TLS state, layered on a transport's plain stream. */
struct correu__tls {
	correu_transport *t; /* owner; its raw ops carry the records */
	const correu_tls_config *cfg;
	mbedtls_ssl_context ssl;
	int io_err;          /* the real code behind an mbedTLS NET error */
	int fatal;           /* sticky: the session is unusable */
	bool done;           /* handshake complete */
	bool closed_notify;  /* close_notify sent */
	bool verified;       /* the certificate check ran */
	uint32_t extra;      /* CORREU_CERT_* found by our own checks */
	char *host;          /* client: what we connected to; NULL if none */
	size_t host_size;
	uint8_t ip[16];      /* binary form when host is an IP address */
	size_t ip_len;       /* 4, 16, or 0 for a DNS name */
};

/* Does the certificate name the host? An IP host (ip_len 4 or 16) is
 * compared with iPAddress entries only, a DNS host with DNS-IDs only. */
bool correu__tls_identity_ok(const mbedtls_x509_crt *crt, const char *host, const uint8_t *ip,
                             size_t ip_len);
/* mbedTLS verify callback for one connection (tls_verify.c). */
int correu__tls_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags);
/* A numeric IPv4/IPv6 address ("[::1]" too) as 4 or 16 bytes; 0: not one. */
size_t correu__tls_parse_ip(const char *text, uint8_t ip[16]);
/* mbedTLS verify flags and our own findings as CORREU_CERT_* bits. */
uint32_t correu__tls_map_flags(uint32_t mbed_flags, uint32_t extra, bool host_is_ip);

/* Parse a PEM/DER key with the 2.x or 3.x signature (tls_config.c). */
int correu__tls_parse_key(correu_tls_config *cfg, mbedtls_pk_context *pk, const uint8_t *key,
                          size_t len, const char *password);
/* Attach a parsed chain and key as this configuration's own certificate. */
int correu__tls_use_own(correu_tls_config *cfg);

/* Log an mbedTLS error code with a short context. */
void correu__tls_log_err(const correu_logger *lg, const char *what, int mbed_rc);

#endif
