/*
 * Output helpers of the MIME layer: a sink with a sticky error, numbers,
 * and IMAP strings (RFC 9051 §4.3), quoted when every byte may appear in a
 * quoted string and as a literal otherwise.
 */
#include <string.h>

#include "mime_internal.h"

/* Longer strings go as literals: easier on clients' line buffers. */
#define MAX_QUOTED 1024

void correu__mime_put(struct correu__mime_out *o, const void *p, size_t n)
{
	if (o->err || n == 0)
		return;
	o->err = o->fn(p, n, o->ud);
	if (o->err > 0)
		o->err = 0;
}

void correu__mime_puts(struct correu__mime_out *o, const char *s)
{
	correu__mime_put(o, s, strlen(s));
}

void correu__mime_put_u64(struct correu__mime_out *o, uint64_t v)
{
	char b[24];
	size_t i = sizeof(b);

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	correu__mime_put(o, b + i, sizeof(b) - i);
}

/* Length of a valid UTF-8 sequence at p (not overlong, no surrogates), or 0. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	size_t len;
	uint32_t cp;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static bool quotable(const uint8_t *p, size_t n, uint32_t flags)
{
	if (n > MAX_QUOTED)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0 || p[i] == '\r' || p[i] == '\n')
			return false;
		if (p[i] >= 0x80) {
			size_t l;

			/* 8-bit only as valid UTF-8 and only where allowed (RFC 9051 §4.3). */
			if (!(flags & CORREU_MIME_IMAP_UTF8) || (l = utf8_len(p + i, n - i)) == 0)
				return false;
			i += l - 1;
		}
	}
	return true;
}

void correu__mime_put_string(struct correu__mime_out *o, const uint8_t *p, size_t n, uint32_t flags)
{
	if (!quotable(p, n, flags)) {
		correu__mime_put(o, "{", 1);
		correu__mime_put_u64(o, n);
		correu__mime_put(o, "}\r\n", 3);
		correu__mime_put(o, p, n);
		return;
	}
	correu__mime_put(o, "\"", 1);
	for (size_t i = 0, start = 0; i <= n; i++) {
		if (i == n || p[i] == '"' || p[i] == '\\') {
			correu__mime_put(o, p + start, i - start);
			if (i < n)
				correu__mime_put(o, "\\", 1);
			start = i;
		}
	}
	correu__mime_put(o, "\"", 1);
}

void correu__mime_put_nstring(struct correu__mime_out *o, const uint8_t *p, size_t n,
                              uint32_t flags)
{
	if (!p)
		correu__mime_put(o, "NIL", 3);
	else
		correu__mime_put_string(o, p, n, flags);
}
