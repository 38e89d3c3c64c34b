/*
 * Modified UTF-7 (RFC 3501 section 5.1.3) for folder names on disk (store
 * layer). Dovecot keeps Maildir++ directory names in this form by default,
 * so the store converts between it and the UTF-8 names of its API. Only
 * what folder names need: strict both ways, no allocation.
 */
#include <string.h>

#include "maildir_internal.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int b64_val(unsigned char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* Decode one UTF-8 sequence; return its length or 0 if it is invalid
 * (overlong, surrogate, past U+10FFFF or truncated). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static size_t utf8_encode(uint32_t c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

struct out {
	char *p;
	size_t len, cap;
	int err;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 >= o->cap) { /* keep room for the NUL */
		o->err = CORREU_ERR_LIMIT;
		return;
	}
	o->p[o->len++] = c;
}

int correu__md_utf8_to_mutf7(const char *in, size_t len, char *out, size_t cap,
                             size_t *len_out)
{
	const unsigned char *s = (const unsigned char *)in;
	struct out o = {out, 0, cap, 0};
	size_t i = 0;

	if (!cap)
		return CORREU_ERR_LIMIT;
	while (i < len && !o.err) {
		uint32_t bits = 0;
		int nbits = 0;

		if (s[i] >= 0x20 && s[i] <= 0x7e) {
			put(&o, (char)s[i]);
			if (s[i] == '&')
				put(&o, '-');
			i++;
			continue;
		}
		/* A run of characters outside printable ASCII: base64 of UTF-16BE. */
		put(&o, '&');
		while (i < len && !(s[i] >= 0x20 && s[i] <= 0x7e)) {
			uint32_t cp, units[2];
			size_t n = utf8_decode(s + i, len - i, &cp), nu = 1;

			if (!n)
				return CORREU_ERR_ENCODING;
			i += n;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				units[0] = 0xd800 | (cp >> 10);
				units[1] = 0xdc00 | (cp & 0x3ff);
				nu = 2;
			} else {
				units[0] = cp;
			}
			for (size_t u = 0; u < nu; u++) {
				bits = (bits << 16) | units[u];
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					put(&o, b64[(bits >> nbits) & 0x3f]);
				}
			}
		}
		if (nbits)
			put(&o, b64[(bits << (6 - nbits)) & 0x3f]);
		put(&o, '-');
	}
	if (o.err)
		return o.err;
	out[o.len] = '\0';
	*len_out = o.len;
	return 0;
}

/* Decode the base64 run s[0..n) (between '&' and '-') as UTF-16BE. */
static int decode_run(const unsigned char *s, size_t n, struct out *o)
{
	uint32_t bits = 0, hi = 0;
	int nbits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64_val(s[i]);

		if (v < 0)
			return CORREU_ERR_ENCODING;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		uint32_t u = (bits >> nbits) & 0xffff;
		char tmp[4];
		size_t k;

		if (hi) {
			if (u < 0xdc00 || u > 0xdfff)
				return CORREU_ERR_ENCODING;
			u = 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00);
			hi = 0;
		} else if (u >= 0xd800 && u <= 0xdbff) {
			hi = u;
			continue;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			return CORREU_ERR_ENCODING;
		} else if (u >= 0x20 && u <= 0x7e) {
			/* printable ASCII must be written directly */
			return CORREU_ERR_ENCODING;
		}
		k = utf8_encode(u, tmp);
		for (size_t j = 0; j < k; j++)
			put(o, tmp[j]);
	}
	/* Leftover bits must be padding zeros, fewer than 6. */
	if (hi || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
		return CORREU_ERR_ENCODING;
	return o->err;
}

int correu__md_mutf7_to_utf8(const char *in, size_t len, char *out, size_t cap,
                             size_t *len_out)
{
	const unsigned char *s = (const unsigned char *)in;
	struct out o = {out, 0, cap, 0};
	size_t i = 0;

	if (!cap)
		return CORREU_ERR_LIMIT;
	while (i < len) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return CORREU_ERR_ENCODING;
		if (s[i] != '&') {
			put(&o, (char)s[i++]);
		} else {
			size_t j = i + 1;
			int rc;

			while (j < len && s[j] != '-')
				j++;
			if (j == len)
				return CORREU_ERR_ENCODING;
			if (j == i + 1) {
				put(&o, '&');
			} else {
				rc = decode_run(s + i + 1, j - i - 1, &o);
				if (rc < 0)
					return rc;
			}
			i = j + 1;
		}
		if (o.err)
			return o.err;
	}
	out[o.len] = '\0';
	*len_out = o.len;
	return 0;
}
