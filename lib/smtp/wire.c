/*
 * Caller strings on the SMTP wire (SMTP layer): paths, the EHLO name and
 * parameter values are checked before they are formatted into a command,
 * so that no CR, LF, NUL or stray delimiter can end a command early or
 * smuggle a second one in (RFC 5321 §4.1.2). xtext encoding (RFC 3461 §4)
 * for ENVID, ORCPT and AUTH= lives here too.
 */
#include <string.h>

#include "correu/codec.h" /* the codec's strict UTF-8 decoder */
#include "smtp_internal.h"

/*
 * A path as the caller gives it, without angle brackets: Mailbox or an
 * empty null path (RFC 5321 §4.1.2). Controls, DEL, '<' and '>' are never
 * allowed; a space only inside a quoted local part, where a backslash
 * quotes the next character; bytes over 127 only with SMTPUTF8
 * (RFC 6531 §3.3).
 */
int correu__smtp_check_path(const char *p, size_t len, bool utf8)
{
	bool quoted = false;

	if (len > 0 && !p)
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch < 0x20 || ch == 0x7f || ch == '<' || ch == '>')
			return CORREU_ERR_ARG;
		if (ch >= 0x80 && !utf8)
			return CORREU_ERR_ARG;
		if (ch == ' ' && !quoted)
			return CORREU_ERR_ARG;
		if (ch == '"')
			quoted = !quoted;
		else if (ch == '\\' && quoted) {
			if (++i == len)
				return CORREU_ERR_ARG;
			ch = (unsigned char)p[i];
			if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && !utf8))
				return CORREU_ERR_ARG;
		}
	}
	return quoted ? CORREU_ERR_ARG : 0;
}

/*
 * RFC 5321 §4.1.3 and §4.1.2: a Domain (letters, digits, '-', '.') or an
 * address literal in brackets ("[192.0.2.1]", "[IPv6:2001:db8::1]").
 */
int correu__smtp_check_domain(const char *p, size_t len)
{
	size_t i = 0, end = len;

	if (!p || len == 0 || len > 255)
		return CORREU_ERR_ARG;
	if (p[0] == '[') {
		if (len < 3 || p[len - 1] != ']')
			return CORREU_ERR_ARG;
		i = 1;
		end = len - 1;
	}
	for (; i < end; i++) {
		char ch = p[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		          (p[0] == '[' && ch == ':');

		if (!ok)
			return CORREU_ERR_ARG;
	}
	return 0;
}

/* RFC 6533 §3, utf-8-addr-xtext: a QCHAR ("!".."~" except "+", "=" and
 * "\") as itself, any other character as "\x{HEX}", its code point in
 * upper-case hex, at least two digits; 7-bit whatever the address holds. */
int correu__smtp_utf8_xtext(correu__buf *out, const char *p, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len;) {
		char enc[10]; /* "\x{" 1-6 digits "}" */
		size_t k = sizeof(enc);
		uint32_t cp;
		int rc, n = correu_utf8_decode((const uint8_t *)p + i, len - i, &cp);

		/* Malformed or cut UTF-8 has no code point; controls as in xtext. */
		if (n <= 0 || cp < 0x20 || cp == 0x7f)
			return CORREU_ERR_ARG;
		if (cp > ' ' && cp < 0x7f && cp != '+' && cp != '=' && cp != '\\') {
			rc = correu__buf_append(out, p + i, 1);
		} else {
			enc[--k] = '}';
			do {
				enc[--k] = hex[cp & 15];
				cp >>= 4;
			} while (cp || k > sizeof(enc) - 3);
			memcpy(enc + k - 3, "\\x{", 3);
			k -= 3;
			rc = correu__buf_append(out, enc + k, sizeof(enc) - k);
		}
		if (rc < 0)
			return rc;
		i += (size_t)n;
	}
	return 0;
}

/* xtext: "!".."~" except "+" and "=" as themselves, others as "+HH". */
int correu__smtp_xtext(correu__buf *out, const char *p, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];
		int rc;

		/* Controls never belong in these values (and CR/LF could be
		 * encoded harmlessly, but a caller who sends them has a bug). */
		if (ch < 0x20 || ch == 0x7f)
			return CORREU_ERR_ARG;
		if (ch > ' ' && ch < 0x7f && ch != '+' && ch != '=') {
			rc = correu__buf_append(out, &ch, 1);
		} else {
			char enc[3] = { '+', hex[ch >> 4], hex[ch & 15] };

			rc = correu__buf_append(out, enc, 3);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* v / 10 by shifts and adds, exact for every 64-bit v (the quotient
 * estimate is at most one short, which the remainder corrects): a plain
 * 64-bit division would pull the C runtime's divide routine, some 700
 * bytes, into a 32-bit firmware image for this one use. */
static uint64_t div10(uint64_t v, unsigned *rem)
{
	uint64_t q = (v >> 1) + (v >> 2);

	q += q >> 4;
	q += q >> 8;
	q += q >> 16;
	q += q >> 32;
	q >>= 3;
	v -= q * 10;
	if (v > 9) {
		q++;
		v -= 10;
	}
	*rem = (unsigned)v;
	return q;
}

int correu__smtp_append_u64(correu__buf *out, uint64_t v)
{
	char tmp[24];
	size_t n = sizeof(tmp);
	unsigned digit;

	do {
		v = div10(v, &digit);
		tmp[--n] = (char)('0' + digit);
	} while (v);
	return correu__buf_append(out, tmp + n, sizeof(tmp) - n);
}

int correu__smtp_append_str(correu__buf *out, const char *s)
{
	return correu__buf_append(out, s, strlen(s));
}
