/*
 * Header text decoding for the MIME layer: RFC 2047 encoded words (B and Q
 * encodings, white space between adjacent words dropped per §6.2) and the
 * charsets the library converts itself — UTF-8 (checked, bad bytes become
 * U+FFFD), US-ASCII and ISO-8859-1. Other charsets go to a caller hook or
 * stay encoded. Nothing is allocated: output is batched on the stack.
 */
#include <string.h>

#include "mime_internal.h"

#define CS_UNKNOWN 0
#define CS_UTF8 1
#define CS_ASCII 2
#define CS_LATIN1 3

/* RFC 2047 §2 caps an encoded word at 75 characters; a word for the hook
 * is decoded whole, so it gets a generous fixed buffer. */
#define HOOK_WORD_MAX 1024

struct conv {
	correu_mime_write_fn fn;
	void *ud;
	int err;
	int cs;
	uint8_t buf[256];
	size_t blen;
	uint8_t u8[4]; /* an unfinished UTF-8 sequence, kept across adjacent words */
	size_t have, need;
};

static void flush(struct conv *c)
{
	if (c->blen && !c->err) {
		c->err = c->fn(c->buf, c->blen, c->ud);
		if (c->err > 0)
			c->err = 0;
	}
	c->blen = 0;
}

static void emit(struct conv *c, const uint8_t *p, size_t n)
{
	while (n && !c->err) {
		size_t k = sizeof(c->buf) - c->blen;

		if (k > n)
			k = n;
		memcpy(c->buf + c->blen, p, k);
		c->blen += k;
		p += k;
		n -= k;
		if (c->blen == sizeof(c->buf))
			flush(c);
	}
}

static void emit_bad(struct conv *c)
{
	emit(c, (const uint8_t *)"\xef\xbf\xbd", 3); /* U+FFFD */
}

/* End a UTF-8 run: an unfinished sequence is an error. */
static void utf8_end(struct conv *c)
{
	if (c->have)
		emit_bad(c);
	c->have = c->need = 0;
}

static void utf8_byte(struct conv *c, uint8_t b)
{
	if (c->have) {
		uint8_t lo = 0x80, hi = 0xbf;

		if (c->have == 1) { /* no overlongs, surrogates or > U+10FFFF */
			if (c->u8[0] == 0xe0)
				lo = 0xa0;
			else if (c->u8[0] == 0xed)
				hi = 0x9f;
			else if (c->u8[0] == 0xf0)
				lo = 0x90;
			else if (c->u8[0] == 0xf4)
				hi = 0x8f;
		}
		if (b >= lo && b <= hi) {
			c->u8[c->have++] = b;
			if (c->have == c->need) {
				emit(c, c->u8, c->have);
				c->have = c->need = 0;
			}
			return;
		}
		utf8_end(c);
	}
	if (b < 0x80) {
		emit(c, &b, 1);
	} else if (b >= 0xc2 && b <= 0xf4) {
		c->u8[0] = b;
		c->have = 1;
		c->need = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	} else {
		emit_bad(c);
	}
}

static void conv_byte(struct conv *c, uint8_t b)
{
	if (c->cs == CS_UTF8) {
		utf8_byte(c, b);
	} else if (b < 0x80) {
		emit(c, &b, 1);
	} else if (c->cs == CS_LATIN1) {
		uint8_t u[2] = { (uint8_t)(0xc0 | (b >> 6)), (uint8_t)(0x80 | (b & 0x3f)) };

		emit(c, u, 2);
	} else {
		emit_bad(c);
	}
}

static int charset_of(const uint8_t *cs, size_t n)
{
	if (correu__mime_ieq(cs, n, "utf-8") || correu__mime_ieq(cs, n, "utf8"))
		return CS_UTF8;
	if (correu__mime_ieq(cs, n, "us-ascii") || correu__mime_ieq(cs, n, "ascii"))
		return CS_ASCII;
	if (correu__mime_ieq(cs, n, "iso-8859-1") || correu__mime_ieq(cs, n, "iso_8859-1") ||
	    correu__mime_ieq(cs, n, "latin1") || correu__mime_ieq(cs, n, "iso8859-1"))
		return CS_LATIN1;
	return CS_UNKNOWN;
}

bool correu__mime_charset_known(const uint8_t *cs, size_t len)
{
	return charset_of(cs, len) != CS_UNKNOWN;
}

int correu__mime_charset_write(const uint8_t *cs, size_t cslen, const uint8_t *in, size_t n,
                               correu_mime_write_fn write, void *ud)
{
	struct conv c;

	memset(&c, 0, sizeof(c));
	c.fn = write;
	c.ud = ud;
	c.cs = charset_of(cs, cslen);
	if (c.cs == CS_UNKNOWN)
		return CORREU_ERR_UNSUPPORTED;
	for (size_t i = 0; i < n; i++)
		conv_byte(&c, in[i]);
	utf8_end(&c);
	flush(&c);
	return c.err;
}

/* ---- encoded words ---- */

struct word {
	size_t end; /* past "?=" */
	const uint8_t *cs, *text;
	size_t cs_len, text_len;
	bool b;
};

/* An encoded word at p[i] ("=?" already seen): RFC 2047 §2. */
static bool parse_word(const uint8_t *p, size_t len, size_t i, struct word *w)
{
	size_t j = i + 2, cs = j, t;

	while (j < len && p[j] != '?' && p[j] > ' ' && p[j] < 0x7f)
		j++;
	if (j == cs || j + 2 >= len || p[j] != '?' || p[j + 2] != '?')
		return false;
	if (p[j + 1] != 'B' && p[j + 1] != 'b' && p[j + 1] != 'Q' && p[j + 1] != 'q')
		return false;
	w->b = p[j + 1] == 'B' || p[j + 1] == 'b';
	w->cs = p + cs;
	w->cs_len = j - cs;
	/* RFC 2231 §5: charset*language; the language is dropped. */
	const uint8_t *star = memchr(w->cs, '*', w->cs_len);
	if (star)
		w->cs_len = (size_t)(star - w->cs);
	t = j + 3;
	for (j = t; j < len && p[j] != '?'; j++)
		if (p[j] <= ' ' || p[j] >= 0x7f)
			return false;
	if (j + 1 >= len || p[j + 1] != '=')
		return false;
	w->text = p + t;
	w->text_len = j - t;
	w->end = j + 2;
	return true;
}

static int b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode the text of a word, handing each byte to `put`. */
static void word_bytes(const struct word *w, void (*put)(void *, uint8_t), void *ctx)
{
	const uint8_t *t = w->text;
	size_t n = w->text_len;

	if (w->b) {
		uint32_t acc = 0;
		int bits = 0;

		for (size_t i = 0; i < n && t[i] != '='; i++) {
			int v = b64val(t[i]);

			if (v < 0)
				continue; /* tolerate stray bytes */
			acc = (acc << 6) | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				put(ctx, (uint8_t)(acc >> bits));
			}
		}
		return;
	}
	for (size_t i = 0; i < n; i++) { /* Q: RFC 2047 §4.2 */
		int h, l;

		if (t[i] == '_')
			put(ctx, ' ');
		else if (t[i] == '=' && i + 2 < n && (h = hexval(t[i + 1])) >= 0 &&
		         (l = hexval(t[i + 2])) >= 0) {
			put(ctx, (uint8_t)(h * 16 + l));
			i += 2;
		} else {
			put(ctx, t[i]);
		}
	}
}

static void put_conv(void *ctx, uint8_t b)
{
	conv_byte(ctx, b);
}

struct raw {
	uint8_t b[HOOK_WORD_MAX];
	size_t n;
};

static void put_raw(void *ctx, uint8_t b)
{
	struct raw *r = ctx;

	if (r->n < sizeof(r->b))
		r->b[r->n++] = b;
}

/* Write a hook's output through our batching. */
static int hook_sink(const uint8_t *p, size_t n, void *ud)
{
	emit(ud, p, n);
	return ((struct conv *)ud)->err;
}

int correu_mime_decode_words(const uint8_t *in, size_t len, correu_mime_write_fn write, void *wud,
                             correu_mime_charset_fn hook, void *hud)
{
	struct conv c;
	size_t i = 0, ws = 0, ws_len = 0;
	bool after_word = false;

	if ((!in && len) || !write)
		return CORREU_ERR_ARG;
	memset(&c, 0, sizeof(c));
	c.fn = write;
	c.ud = wud;
	while (i < len && !c.err) {
		struct word w;

		if (in[i] == '=' && i + 1 < len && in[i + 1] == '?' && parse_word(in, len, i, &w)) {
			int cs = charset_of(w.cs, w.cs_len);

			/* §6.2: white space between adjacent encoded words is dropped. */
			if (!after_word)
				emit(&c, in + ws, ws_len);
			if (cs != c.cs || !after_word)
				utf8_end(&c);
			c.cs = cs;
			if (cs != CS_UNKNOWN) {
				word_bytes(&w, put_conv, &c);
			} else {
				struct raw r;
				int rc = CORREU_ERR_UNSUPPORTED;

				r.n = 0;
				if (hook && w.text_len <= HOOK_WORD_MAX) {
					word_bytes(&w, put_raw, &r);
					rc = hook(w.cs, w.cs_len, r.b, r.n, hook_sink, &c, hud);
				}
				if (rc == CORREU_ERR_UNSUPPORTED)
					emit(&c, in + i, w.end - i);
				else if (rc < 0 && !c.err)
					c.err = rc;
			}
			i = w.end;
			after_word = true;
			ws_len = 0;
			continue;
		}
		if (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n') {
			size_t j = i;

			while (j < len &&
			       (in[j] == ' ' || in[j] == '\t' || in[j] == '\r' || in[j] == '\n'))
				j++;
			ws = i;
			ws_len = j - i;
			i = j;
			continue;
		}
		/* Plain text ends a run of words; raw 8-bit passes (RFC 6532). */
		utf8_end(&c);
		c.cs = CS_UNKNOWN;
		emit(&c, in + ws, ws_len);
		ws_len = 0;
		size_t j = i + 1;
		while (j < len && in[j] != ' ' && in[j] != '\t' && in[j] != '\r' && in[j] != '\n' &&
		       !(in[j] == '=' && j + 1 < len && in[j + 1] == '?'))
			j++;
		emit(&c, in + i, j - i);
		i = j;
		after_word = false;
	}
	utf8_end(&c);
	emit(&c, in + ws, ws_len);
	flush(&c);
	return c.err;
}

/* ---- parameters ---- */

int correu_mime_param_get(const correu_mime_message *m, uint32_t part, const char *field,
                          const char *param, correu_mime_write_fn write, void *wud)
{
	struct correu__mime_params ps;
	const uint8_t *v;
	size_t len = 0;
	int rc = CORREU_ERR_NOT_FOUND;

	if (!m || !field || !param || !write)
		return CORREU_ERR_ARG;
	if (part >= m->nparts || !(v = correu__mime_field_value(m, part, field, &len)))
		return CORREU_ERR_NOT_FOUND;
	if ((rc = correu__mime_params_parse(m->alloc, v, len, &ps)) < 0)
		return rc;
	rc = CORREU_ERR_NOT_FOUND;
	for (size_t i = 0; i < ps.count; i++) {
		const struct correu__mime_param *q = &ps.v[i];

		if (!correu__mime_ieq(q->name, q->name_len, param))
			continue;
		if (q->extended && correu__mime_charset_known(q->charset, q->charset_len))
			rc = correu__mime_charset_write(q->charset, q->charset_len, q->value,
			                                q->value_len, write, wud);
		else if (q->extended)
			rc = q->value_len ? write(q->value, q->value_len, wud) : 0;
		else
			rc = correu_mime_decode_words(q->value, q->value_len, write, wud, NULL,
			                              NULL);
		break;
	}
	correu__mime_params_free(&ps);
	return rc > 0 ? 0 : rc;
}
