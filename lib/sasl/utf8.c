/*
 * The SASL layer's UTF-8 check (RFC 3629): user names, passwords and
 * authorization identities are UTF-8 in every mechanism, and none may hold
 * NUL, which PLAIN and GS2 use as a separator. Decoding is the codec
 * layer's strict correu_utf8_decode, so SASL refuses exactly what the
 * protocol layers refuse: overlong forms, surrogates and values past
 * U+10FFFF.
 */
#include "correu/codec.h"
#include "sasl_internal.h"

bool correu__sasl_utf8_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp = 0;
		int k = correu_utf8_decode(p + i, n - i, &cp);

		/* The whole string is here: a cut character (0) is as bad as
		 * an invalid one (negative). */
		if (k <= 0 || cp == 0)
			return false;
		i += (size_t)k;
	}
	return true;
}
