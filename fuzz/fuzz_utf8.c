/*
 * Fuzz harness for strict UTF-8 decoding (codec layer). A character the
 * decoder returns must be a scalar value whose shortest form is exactly
 * the bytes it took; every proper prefix of it must read as cut (0), and
 * bytes after it must not change the answer. Decoding the whole input
 * character by character must end in a character, a cut tail of at most
 * three bytes, or CORREU_ERR_ENCODING.
 */
#include <stdint.h>
#include <stdlib.h>

#include "correu/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The length of the shortest form of cp, from RFC 3629 §3's table. */
static int shortest(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static void check_one(const uint8_t *p, size_t n)
{
	uint32_t cp = 0;
	int rc = correu_utf8_decode(p, n, &cp);

	if (rc == 0) {
		if (n >= 4)
			abort(); /* no character is longer than four bytes */
		return;
	}
	if (rc < 0) {
		if (rc != CORREU_ERR_ENCODING)
			abort();
		return;
	}
	if ((size_t)rc > n || rc != shortest(cp) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		abort();
	/* The bits of cp are the bits of the bytes (RFC 3629 §3). */
	for (int i = rc - 1; i > 0; i--, cp >>= 6)
		if (p[i] != (0x80 | (cp & 0x3f)))
			abort();
	if (rc > 1 && (p[0] & (0xff >> (rc + 1))) != cp)
		abort();
	for (size_t k = 0; k < (size_t)rc; k++)
		if (correu_utf8_decode(p, k, NULL) != 0)
			abort();
	for (size_t k = (size_t)rc; k <= n && k <= (size_t)rc + 4; k++)
		if (correu_utf8_decode(p, k, NULL) != rc)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i < size) {
		int rc = correu_utf8_decode(data + i, size - i, NULL);

		check_one(data + i, size - i);
		if (rc <= 0)
			break;
		i += (size_t)rc;
	}
	return 0;
}
