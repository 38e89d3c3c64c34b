/*
 * SASLprep (RFC 4013), the stringprep profile SCRAM applies to user names
 * and passwords (SASL layer). Implemented: the mappings of RFC 4013 Section
 * 2.1 (stringprep B.1 to nothing, C.1.2 spaces to U+0020), the prohibited
 * output of Section 2.3 (C.1.2 through C.9) and the bidi rule of Section 2.4
 * (stringprep Section 6). Not implemented: NFKC (Section 2.2) in general,
 * whose tables are large. Instead every non-ASCII character must come from
 * a set of ranges that NFKC provably leaves alone (checked against the
 * Unicode 14 data: no compatibility or singleton decomposition, no
 * combining class, never the second half of a canonical composition); other
 * characters are refused with CORREU_ERR_UNSUPPORTED rather than passed on
 * unnormalised. Unassigned code points are not refused: SCRAM prepares
 * "query" strings (RFC 5802 Section 2.2).
 */
#include <string.h>

#include "correu/codec.h"
#include "sasl_internal.h"

struct range {
	uint32_t lo, hi;
};

static bool in_ranges(uint32_t c, const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return true;
	return false;
}

/* Stringprep B.1: commonly mapped to nothing. */
static const struct range map_nothing[] = {
	{0x00ad, 0x00ad}, {0x034f, 0x034f}, {0x1806, 0x1806}, {0x180b, 0x180d},
	{0x200b, 0x200d}, {0x2060, 0x2060}, {0xfe00, 0xfe0f}, {0xfeff, 0xfeff},
};

/* Stringprep C.1.2: non-ASCII spaces, mapped to SPACE. */
static const struct range map_space[] = {
	{0x00a0, 0x00a0}, {0x1680, 0x1680}, {0x2000, 0x200a},
	{0x202f, 0x202f}, {0x205f, 0x205f}, {0x3000, 0x3000},
};

/* Stringprep C.2.1, C.2.2, C.3, C.5 - C.9 (C.4 is tested arithmetically). */
static const struct range prohibited[] = {
	{0x0000, 0x001f}, {0x007f, 0x009f},                     /* C.2.1, C.2.2 */
	{0x0340, 0x0341},                                       /* C.8 */
	{0x06dd, 0x06dd}, {0x070f, 0x070f}, {0x180e, 0x180e},   /* C.2.2 */
	{0x200c, 0x200f}, {0x2028, 0x202e}, {0x2060, 0x2063},   /* C.2.2, C.8 */
	{0x206a, 0x206f}, {0x2ff0, 0x2ffb},                     /* C.2.2, C.8, C.7 */
	{0xd800, 0xdfff}, {0xe000, 0xf8ff}, {0xfdd0, 0xfdef},   /* C.5, C.3, C.4 */
	{0xfeff, 0xfeff}, {0xfff9, 0xfffd},                     /* C.2.2, C.6 */
	{0x1d173, 0x1d17a},                                     /* C.2.2 */
	{0xe0001, 0xe0001}, {0xe0020, 0xe007f},                 /* C.9 */
	{0xf0000, 0xffffd}, {0x100000, 0x10fffd},               /* C.3 */
};

/* Non-ASCII characters that NFKC leaves unchanged, in any sequence of
 * characters from this set and ASCII (see the file comment). */
static const struct range nfkc_stable[] = {
	{0x00a1, 0x00a7}, {0x00a9, 0x00a9}, {0x00ab, 0x00ac}, {0x00ae, 0x00ae},
	{0x00b0, 0x00b1}, {0x00b6, 0x00b7}, {0x00bb, 0x00bb}, {0x00bf, 0x0131},
	{0x0134, 0x013e}, {0x0141, 0x0148}, {0x014a, 0x017e},   /* Latin */
	{0x0386, 0x0386}, {0x0388, 0x038a}, {0x038c, 0x038c}, {0x038e, 0x03a1},
	{0x03a3, 0x03ce},                                       /* Greek */
	{0x0400, 0x0482}, {0x048a, 0x04ff},                     /* Cyrillic */
	{0x05d0, 0x05ea},                                       /* Hebrew */
	{0x0621, 0x063a}, {0x0641, 0x064a},                     /* Arabic */
	{0x3041, 0x3096}, {0x30a1, 0x30fa},                     /* Kana */
	{0x4e00, 0x9fff}, {0xac00, 0xd7a3},                     /* Han, Hangul */
};

static bool is_randal(uint32_t c)
{
	return (c >= 0x05d0 && c <= 0x05ea) || (c >= 0x0621 && c <= 0x064a);
}

/* Bidi category L among the characters that can reach the bidi check. */
static bool is_l(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (c <= 0xbf || c == 0xd7 || c == 0xf7 || is_randal(c))
		return false;
	return true;
}

static bool is_prohibited(uint32_t c)
{
	if ((c & 0xfffe) == 0xfffe) /* C.4: U+xFFFE and U+xFFFF of every plane */
		return true;
	return in_ranges(c, prohibited, CORREU__ARRAY_LEN(prohibited));
}

int correu_sasl_saslprep(const char *in, size_t in_len, char *out, size_t out_cap,
                         size_t *out_len)
{
	const uint8_t *p = (const uint8_t *)in;
	uint32_t first = 0, last = 0;
	bool any_randal = false, any_l = false;
	size_t i = 0, o = 0;

	if ((!in && in_len) || !out_len || (!out && out_cap))
		return CORREU_ERR_ARG;
	while (i < in_len) {
		uint32_t c;
		int k = correu_utf8_decode(p + i, in_len - i, &c);
		bool space;
		size_t w;

		/* The whole string is here: a cut character is as bad as an
		 * invalid one. */
		if (k <= 0)
			return CORREU_ERR_ENCODING;
		if (in_ranges(c, map_nothing, CORREU__ARRAY_LEN(map_nothing))) {
			i += (size_t)k;
			continue;
		}
		space = in_ranges(c, map_space, CORREU__ARRAY_LEN(map_space));
		if (space)
			c = 0x20;
		if (is_prohibited(c))
			return CORREU_ERR_ENCODING;
		if (c >= 0x80 && !in_ranges(c, nfkc_stable, CORREU__ARRAY_LEN(nfkc_stable)))
			return CORREU_ERR_UNSUPPORTED;
		if (o == 0 && !first)
			first = c;
		last = c;
		any_randal |= is_randal(c);
		any_l |= is_l(c);
		/* A mapped space is written as one U+0020 byte, whatever its
		 * width in the input. */
		w = space ? 1 : (size_t)k;
		if (w > out_cap - o)
			return CORREU_ERR_BUFFER;
		memcpy(out + o, space ? (const uint8_t *)" " : p + i, w);
		o += w;
		i += (size_t)k;
	}
	/* RFC 3454 Section 6: RandALCat text holds no LCat character and
	 * starts and ends with a RandALCat character. */
	if (any_randal && (any_l || !is_randal(first) || !is_randal(last)))
		return CORREU_ERR_ENCODING;
	*out_len = o;
	return 0;
}
