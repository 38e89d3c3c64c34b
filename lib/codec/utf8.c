/*
 * Strict UTF-8 (RFC 3629) for the codec layer: one character at a time in
 * each direction. The decoder is public (codec.h) so that the protocol
 * layers check caller and peer text with the same rules; the modified
 * UTF-7 codec uses both directions to refuse invalid mailbox names instead
 * of passing them on.
 */
#include "codec_internal.h"

int correu_utf8_decode(const uint8_t *in, size_t len, uint32_t *cp_out)
{
	/* The range of the second byte: RFC 3629 §4 narrows it after E0
	 * (overlong), ED (surrogates), F0 (overlong) and F4 (past U+10FFFF),
	 * so that every later byte is a plain continuation, 80 to BF. */
	uint8_t lo = 0x80, hi = 0xbf;
	uint32_t c;
	size_t need;

	if (!in && len)
		return CORREU_ERR_ARG;
	if (len == 0)
		return 0;
	c = in[0];
	if (c < 0x80) {
		need = 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
		c &= 0x07;
	} else {
		/* 80-BF (continuation), C0-C1 (overlong lead) and F5-FF. */
		return CORREU_ERR_ENCODING;
	}
	for (size_t i = 1; i < need; i++) {
		if (i == len)
			return 0; /* cut: every byte so far can still begin a character */
		if (in[i] < lo || in[i] > hi)
			return CORREU_ERR_ENCODING;
		lo = 0x80;
		hi = 0xbf;
		c = (c << 6) | (in[i] & 0x3f);
	}
	if (cp_out)
		*cp_out = c;
	return (int)need;
}

size_t correu__utf8_encode(uint32_t cp, uint8_t *out)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | (cp >> 18));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}
