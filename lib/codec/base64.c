/*
 * Strict base64 (RFC 4648 §4) for the codec layer, as SASL exchanges need
 * it (RFC 4954 §4): padding required, no whitespace, pad bits zero. Being
 * strict makes the encoding canonical, so a peer cannot hide extra bits or
 * characters in an authentication exchange. Caller buffers only.
 */
#include "codec_internal.h"

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Each character's value plus one; 0 for a byte outside the alphabet ("="
 * included: padding is handled apart, by its position). */
static const uint8_t values[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15,
	['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29,
	['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43,
	['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
	['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* The 6-bit value of c, or -1 if c is not in the alphabet. */
static int value_of(uint8_t c)
{
	return (int)values[c] - 1;
}

size_t correu_base64_encoded_len(size_t len)
{
	size_t groups = len / 3 + (len % 3 != 0);

	if (groups > SIZE_MAX / 4)
		return SIZE_MAX;
	return groups * 4;
}

size_t correu_base64_decoded_max(size_t len)
{
	return len / 4 * 3;
}

correu_ssize correu_base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
	size_t need = correu_base64_encoded_len(len);
	char *o = out;
	size_t i = 0;

	if ((!in && len) || (!out && out_cap))
		return CORREU_ERR_ARG;
	if (need > (size_t)PTRDIFF_MAX)
		return CORREU_ERR_LIMIT;
	if (out_cap < need)
		return CORREU_ERR_BUFFER;
	for (; len - i >= 3; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = alphabet[v & 63];
	}
	if (len - i) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (len - i == 2)
			v |= (uint32_t)in[i + 1] << 8;
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = len - i == 2 ? alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	return (correu_ssize)need;
}

correu_ssize correu_base64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap)
{
	const uint8_t *s = (const uint8_t *)in;
	size_t pad = 0, need, o = 0;

	if ((!in && len) || (!out && out_cap))
		return CORREU_ERR_ARG;
	if (len % 4 != 0)
		return CORREU_ERR_ENCODING; /* RFC 4648 §3.2: padding is required */
	if (len && s[len - 1] == '=')
		pad = (s[len - 2] == '=') ? 2 : 1;
	need = len / 4 * 3 - pad;
	if (need > (size_t)PTRDIFF_MAX)
		return CORREU_ERR_LIMIT;
	/* Validate everything before writing, so a bad input leaves `out`
	 * untouched and in-place decoding never clobbers what it still reads. */
	for (size_t i = 0; i < len - pad; i++) {
		if (value_of(s[i]) < 0)
			return CORREU_ERR_ENCODING; /* "=" inside, whitespace, ... */
	}
	/* RFC 4648 §3.5: the bits after the data in the last character before
	 * the padding must be zero (4 bits with "==", 2 with "="). */
	if (pad == 2 && (value_of(s[len - 3]) & 0x0f))
		return CORREU_ERR_ENCODING;
	if (pad == 1 && (value_of(s[len - 2]) & 0x03))
		return CORREU_ERR_ENCODING;
	if (out_cap < need)
		return CORREU_ERR_BUFFER;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = (uint32_t)value_of(s[i]) << 18 | (uint32_t)value_of(s[i + 1]) << 12;

		if (s[i + 2] != '=')
			v |= (uint32_t)value_of(s[i + 2]) << 6;
		if (s[i + 3] != '=')
			v |= (uint32_t)value_of(s[i + 3]);
		/* Three bytes out for four read: in place is safe (o <= i). */
		out[o++] = (uint8_t)(v >> 16);
		if (o < need)
			out[o++] = (uint8_t)(v >> 8);
		if (o < need)
			out[o++] = (uint8_t)v;
	}
	return (correu_ssize)need;
}
