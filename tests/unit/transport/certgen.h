/*
 * Test certificates made on the fly with mbedTLS's writer, so the TLS tests
 * carry no fixture files that expire: a CA, and leaf certificates that it
 * signs (or that sign themselves) with chosen names and validity.
 */
#ifndef CORREU_TEST_CERTGEN_H
#define CORREU_TEST_CERTGEN_H

#include <stddef.h>
#include <stdint.h>

/* A certificate and its private key, both PEM and NUL-terminated. */
typedef struct cert_pem {
	char cert[4096];
	char key[1024];
} cert_pem;

/* What a leaf certificate says. */
typedef struct leaf_spec {
	const char *cn;        /* subject CN */
	const char *dns[4];    /* dNSName SANs, NULL-terminated list */
	const char *ips[4];    /* iPAddress SANs as text ("127.0.0.1", "::1") */
	int from_days;         /* notBefore relative to now, in days */
	int to_days;           /* notAfter relative to now, in days */
	int self_signed;       /* sign with its own key instead of the CA's */
} leaf_spec;

/* A fresh CA ("CN=correu test CA"). Aborts the test on failure. */
void certgen_ca(cert_pem *ca);

/* A leaf per spec, signed by ca (ignored when self_signed). */
void certgen_leaf(const cert_pem *ca, const leaf_spec *spec, cert_pem *out);

/* The usual good server certificate: "localhost", 127.0.0.1 and ::1. */
void certgen_localhost(const cert_pem *ca, cert_pem *out);

#endif
