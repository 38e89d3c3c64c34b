/*
 * Small helpers of the SASL layer: owned string copies that are wiped when
 * freed, failure reasons kept by a handle, and a constant-time comparison
 * (mbedTLS 2.28 exports none) for digests, proofs and signatures.
 */
#include <string.h>

#include "sasl_internal.h"

int correu__sasl_str_set(const correu_allocator *a, correu__sasl_str *s, const void *p,
                         size_t len)
{
	char *q;

	if (len == SIZE_MAX)
		return CORREU_ERR_LIMIT;
	q = correu__alloc(a, len + 1);
	if (!q)
		return CORREU_ERR_NOMEM;
	if (len)
		memcpy(q, p, len);
	q[len] = '\0';
	correu__sasl_str_free(a, s);
	s->p = q;
	s->len = len;
	return 0;
}

void correu__sasl_str_free(const correu_allocator *a, correu__sasl_str *s)
{
	if (s->p) {
		/* Any of these may be a password or token: always wipe. */
		correu_wipe(s->p, s->len + 1);
		correu__free(a, s->p, s->len + 1);
	}
	s->p = NULL;
	s->len = 0;
}

int correu__sasl_fail(char *reason, int code, const char *msg)
{
	size_t n = strlen(msg);

	if (n >= CORREU__SASL_REASON_MAX)
		n = CORREU__SASL_REASON_MAX - 1;
	memcpy(reason, msg, n);
	reason[n] = '\0';
	return code;
}

int correu__sasl_fail_peer(char *reason, int code, const char *msg, const uint8_t *peer,
                           size_t len)
{
	size_t n;

	(void)correu__sasl_fail(reason, code, msg);
	n = strlen(reason);
	/* Peer text reaches logs: keep it printable ASCII and bounded. */
	for (size_t i = 0; i < len && n < CORREU__SASL_REASON_MAX - 1; i++)
		reason[n++] = (peer[i] >= 0x20 && peer[i] < 0x7f) ? (char)peer[i] : '?';
	reason[n] = '\0';
	return code;
}

bool correu__sasl_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

bool correu__sasl_has_byte(const void *p, size_t n, uint8_t byte)
{
	return n && memchr(p, byte, n) != NULL;
}
