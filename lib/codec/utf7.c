/*
 * IMAP modified UTF-7 (RFC 3501 §5.1.3) for mailbox names, codec layer.
 * Printable ASCII other than "&" stands for itself; "&" is "&-"; anything
 * else is UTF-16BE in a base64 variant ("," for "/", no padding) between
 * "&" and "-". Decoding accepts only the one canonical form the encoder
 * writes, so two spellings can never name the same mailbox.
 */
#include "codec_internal.h"

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* An output cursor that counts when there is no buffer (measuring). */
struct out {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static void emit(struct out *o, const uint8_t *b, size_t n)
{
	if (o->p) {
		if (o->cap - o->len < n) {
			o->full = true;
			return;
		}
		memcpy(o->p + o->len, b, n);
	}
	o->len += n; /* cannot wrap: bounded by a multiple of the input size */
}

static void emit1(struct out *o, uint8_t c)
{
	emit(o, &c, 1);
}

static correu_ssize result(const struct out *o)
{
	if (o->full)
		return CORREU_ERR_BUFFER;
	if (o->len > (size_t)PTRDIFF_MAX)
		return CORREU_ERR_LIMIT;
	return (correu_ssize)o->len;
}

static bool is_direct(uint32_t c)
{
	/* RFC 3501 §5.1.3: 0x20-0x25 and 0x27-0x7e represent themselves. */
	return c >= 0x20 && c <= 0x7e && c != '&';
}

size_t correu_mutf7_encoded_max(size_t len)
{
	/* A lone control character between direct ones is "&" + 3 + "-". */
	return len > SIZE_MAX / 5 ? SIZE_MAX : len * 5;
}

size_t correu_mutf7_decoded_max(size_t len)
{
	/* k base64 characters give at most 6k/16 UTF-16 units of at most
	 * 3 UTF-8 bytes each: 9k/8 bytes. */
	size_t extra = len / 8 + 1;

	return len > SIZE_MAX - extra ? SIZE_MAX : len + extra;
}

/* A shift being encoded: bits not yet written, and how many. */
struct shift {
	bool open;
	uint32_t bits;
	unsigned nbits;
};

static void shift_unit(struct out *o, struct shift *sh, uint32_t unit)
{
	sh->bits = sh->bits << 16 | unit;
	sh->nbits += 16;
	while (sh->nbits >= 6) {
		sh->nbits -= 6;
		emit1(o, (uint8_t)alphabet[(sh->bits >> sh->nbits) & 63]);
	}
	sh->bits &= (1u << sh->nbits) - 1;
}

static void shift_close(struct out *o, struct shift *sh)
{
	if (!sh->open)
		return;
	/* The last bits, zero-padded to a whole character, then "-". */
	if (sh->nbits)
		emit1(o, (uint8_t)alphabet[(sh->bits << (6 - sh->nbits)) & 63]);
	emit1(o, '-');
	sh->open = false;
	sh->bits = 0;
	sh->nbits = 0;
}

correu_ssize correu_mutf7_encode(const char *utf8, size_t len, char *out, size_t out_cap)
{
	const uint8_t *s = (const uint8_t *)utf8;
	struct out o = { (uint8_t *)out, 0, out_cap, false };
	struct shift sh = { false, 0, 0 };

	if ((!utf8 && len) || (!out && out_cap))
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < len && !o.full;) {
		uint32_t cp;
		int n = correu_utf8_decode(s + i, len - i, &cp);

		/* A character cut at the end (0) is as invalid as a bad one. */
		if (n <= 0 || cp == 0)
			return CORREU_ERR_ENCODING; /* no NUL in a mailbox name */
		i += (size_t)n;
		if (is_direct(cp) || cp == '&') {
			shift_close(&o, &sh);
			emit1(&o, (uint8_t)cp);
			if (cp == '&')
				emit1(&o, '-');
			continue;
		}
		if (!sh.open) {
			emit1(&o, '&');
			sh.open = true;
		}
		if (cp >= 0x10000) {
			/* Outside the BMP: a UTF-16 surrogate pair. */
			shift_unit(&o, &sh, 0xd800 | ((cp - 0x10000) >> 10));
			shift_unit(&o, &sh, 0xdc00 | ((cp - 0x10000) & 0x3ff));
		} else {
			shift_unit(&o, &sh, cp);
		}
	}
	shift_close(&o, &sh);
	return result(&o);
}

static int value_of(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

/* Emit one code point decoded from a shift, refusing what must not be in
 * one: NUL and the printable ASCII that has to stand for itself. */
static bool shifted_char(struct out *o, uint32_t cp)
{
	uint8_t b[4];

	if (cp == 0 || (cp >= 0x20 && cp <= 0x7e))
		return false;
	emit(o, b, correu__utf8_encode(cp, b));
	return true;
}

/*
 * Decode the shift whose base64 starts at s[*i] up to its "-". Returns
 * false for anything but the canonical form; on success *i is past the "-".
 */
static bool decode_shift(const uint8_t *s, size_t len, size_t *i, struct out *o)
{
	uint32_t bits = 0, high = 0;
	unsigned nbits = 0;
	size_t j = *i;

	for (; j < len && s[j] != '-'; j++) {
		int v = value_of(s[j]);

		if (v < 0)
			return false;
		bits = (bits << 6 | (uint32_t)v) & 0x3fffff;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		uint32_t unit = (bits >> nbits) & 0xffff;

		if (high) {
			/* A high surrogate must be followed by a low one. */
			if (unit < 0xdc00 || unit > 0xdfff)
				return false;
			if (!shifted_char(o, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00)))
				return false;
			high = 0;
		} else if (unit >= 0xd800 && unit <= 0xdbff) {
			high = unit;
		} else if (unit >= 0xdc00 && unit <= 0xdfff) {
			return false; /* a low surrogate alone */
		} else if (!shifted_char(o, unit)) {
			return false;
		}
	}
	/* Unterminated, a cut pair, a whole needless character (6 or more
	 * bits left over), or non-zero pad bits: not what an encoder writes. */
	if (j == len || high || nbits >= 6 || (bits & ((1u << nbits) - 1)))
		return false;
	*i = j + 1;
	return true;
}

correu_ssize correu_mutf7_decode(const char *mutf7, size_t len, char *out, size_t out_cap)
{
	const uint8_t *s = (const uint8_t *)mutf7;
	struct out o = { (uint8_t *)out, 0, out_cap, false };
	bool after_shift = false;

	if ((!mutf7 && len) || (!out && out_cap))
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < len && !o.full;) {
		uint8_t c = s[i];

		if (c != '&') {
			if (!is_direct(c))
				return CORREU_ERR_ENCODING;
			emit1(&o, c);
			after_shift = false;
			i++;
			continue;
		}
		if (i + 1 < len && s[i + 1] == '-') {
			emit1(&o, '&');
			after_shift = false;
			i += 2;
			continue;
		}
		/* Two shifts back to back should have been one. */
		if (after_shift)
			return CORREU_ERR_ENCODING;
		i++;
		if (!decode_shift(s, len, &i, &o))
			return CORREU_ERR_ENCODING;
		after_shift = true;
	}
	return result(&o);
}
