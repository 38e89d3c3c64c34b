/*
 * The SMTP client's wire encodings (SMTP layer tests): the RFC 6533
 * utf-8-addr-xtext form of ORCPT checked over every Unicode scalar value
 * against the grammar of RFC 6533 §3 and decoded back, and malformed
 * UTF-8 refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "smtp/smtp_internal.h"

/* The test's own UTF-8 writer (RFC 3629 §3), independent of the codec's. */
static size_t put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static bool is_qchar(uint32_t cp)
{
	return cp >= 0x21 && cp <= 0x7e && cp != '+' && cp != '=' && cp != '\\';
}

/* Encode "a" cp "b" and check that cp comes out as itself when it is a
 * QCHAR, else as "\x{HEX}": upper-case, 2 to 6 digits, no leading zero
 * beyond two digits, and the value cp. */
static void check_one(uint32_t cp)
{
	char in[6] = { 'a' }, want[16];
	size_t n = 1 + put_utf8(cp, in + 1);
	correu__buf b;

	in[n++] = 'b';
	correu__buf_init(&b, NULL, 64);
	cr_assert_eq(correu__smtp_utf8_xtext(&b, in, n), 0, "U+%04X refused", cp);
	if (is_qchar(cp))
		snprintf(want, sizeof(want), "a%cb", (char)cp);
	else
		snprintf(want, sizeof(want), "a\\x{%02X}b", cp);
	cr_assert_eq(b.len, strlen(want), "U+%04X", cp);
	cr_assert(memcmp(b.data, want, b.len) == 0, "U+%04X: %.*s", cp, (int)b.len, b.data);
	correu__buf_free(&b, false);
}

Test(wire, utf8_xtext_every_scalar_value)
{
	for (uint32_t cp = 0x20; cp <= 0x10ffff; cp++) {
		if (cp == 0x7f || (cp >= 0xd800 && cp <= 0xdfff))
			continue;
		check_one(cp);
	}
}

Test(wire, utf8_xtext_refuses_controls_and_malformed_utf8)
{
	static const char *const bad[] = {
		"a\x01", "a\x1f", "a\x7f", "a\r\n", /* controls */
		"a\xc3",                           /* cut sequence */
		"a\xc0\x80", "a\xe0\x80\x80",      /* overlong */
		"a\xed\xa0\x80",                   /* surrogate */
		"a\xf4\x90\x80\x80",               /* above U+10FFFF */
		"a\x80", "a\xff",                  /* no lead byte */
	};
	correu__buf b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		correu__buf_init(&b, NULL, 64);
		cr_assert_eq(correu__smtp_utf8_xtext(&b, bad[i], strlen(bad[i])), CORREU_ERR_ARG,
		             "case %zu", i);
		correu__buf_free(&b, false);
	}
	/* NUL is a control too, and strlen() would stop at it. */
	correu__buf_init(&b, NULL, 64);
	cr_assert_eq(correu__smtp_utf8_xtext(&b, "a\0b", 3), CORREU_ERR_ARG);
	correu__buf_free(&b, false);
}

/* The output is bounded by the buffer's limit, checked before copying. */
Test(wire, utf8_xtext_limit)
{
	correu__buf b;

	correu__buf_init(&b, NULL, 8);
	cr_assert_eq(correu__smtp_utf8_xtext(&b, "a\xc3\xb6", 3), 0); /* a\x{F6}: 7 bytes */
	cr_assert_eq(b.len, 7);
	cr_assert_eq(correu__smtp_utf8_xtext(&b, "b", 1), 0); /* 8: at the limit */
	cr_assert_eq(correu__smtp_utf8_xtext(&b, "c", 1), CORREU_ERR_LIMIT);
	correu__buf_free(&b, false);
}
