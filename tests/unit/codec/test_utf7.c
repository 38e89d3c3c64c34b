/* IMAP modified UTF-7: RFC 3501 §5.1.3 examples, canonical form only. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/codec.h"

/* UTF-8 name and its one modified UTF-7 spelling. */
static const char *const pairs[][2] = {
	{ "", "" },
	{ "INBOX", "INBOX" },
	/* The example of RFC 3501 §5.1.3. */
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "Entw\xc3\xbcrfe", "Entw&APw-rfe" },
	{ "&Jo", "&-Jo" },
	{ "\xc3\xbc&\xc3\xbc", "&APw-&-&APw-" },
	{ "a\x01" "b", "a&AAE-b" },
	/* Outside the BMP: surrogate pairs (U+1D11E, two U+1F600, U+10FFFF). */
	{ "\xf0\x9d\x84\x9e music", "&2DTdHg- music" },
	{ "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", "&2D3eANg93gA-" },
	{ "\xf4\x8f\xbf\xbf", "&2,,f,w-" },
};

#define NPAIRS (sizeof(pairs) / sizeof(pairs[0]))

Test(utf7, encodes_to_the_canonical_form)
{
	for (size_t i = 0; i < NPAIRS; i++) {
		char out[64];
		size_t n = strlen(pairs[i][0]);
		correu_ssize r = correu_mutf7_encode(pairs[i][0], n, out, sizeof(out));

		cr_assert_eq(r, (correu_ssize)strlen(pairs[i][1]), "pair %zu: %zd", i, r);
		cr_assert_eq(memcmp(out, pairs[i][1], (size_t)r), 0, "pair %zu", i);
		cr_assert_eq(correu_mutf7_encode(pairs[i][0], n, NULL, 0), r, "measuring");
		cr_assert_geq(correu_mutf7_encoded_max(n), (size_t)r);
	}
}

Test(utf7, decodes_to_utf8)
{
	for (size_t i = 0; i < NPAIRS; i++) {
		char out[64];
		size_t n = strlen(pairs[i][1]);
		correu_ssize r = correu_mutf7_decode(pairs[i][1], n, out, sizeof(out));

		cr_assert_eq(r, (correu_ssize)strlen(pairs[i][0]), "pair %zu: %zd", i, r);
		cr_assert_eq(memcmp(out, pairs[i][0], (size_t)r), 0, "pair %zu", i);
		cr_assert_eq(correu_mutf7_decode(pairs[i][1], n, NULL, 0), r, "measuring");
		cr_assert_geq(correu_mutf7_decoded_max(n), (size_t)r);
	}
}

Test(utf7, every_bmp_and_some_astral_code_points_round_trip)
{
	for (uint32_t cp = 1; cp <= 0x10ffff; cp += (cp < 0x10000 ? 1 : 251)) {
		char utf8[4], enc[16], dec[8];
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (n == 1) {
			utf8[0] = (char)cp;
		} else if (n == 2) {
			utf8[0] = (char)(0xc0 | cp >> 6);
			utf8[1] = (char)(0x80 | (cp & 0x3f));
		} else if (n == 3) {
			utf8[0] = (char)(0xe0 | cp >> 12);
			utf8[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			utf8[2] = (char)(0x80 | (cp & 0x3f));
		} else {
			utf8[0] = (char)(0xf0 | cp >> 18);
			utf8[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
			utf8[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
			utf8[3] = (char)(0x80 | (cp & 0x3f));
		}
		correu_ssize e = correu_mutf7_encode(utf8, n, enc, sizeof(enc));

		cr_assert_gt(e, 0, "U+%04X", cp);
		correu_ssize d = correu_mutf7_decode(enc, (size_t)e, dec, sizeof(dec));

		cr_assert_eq(d, (correu_ssize)n, "U+%04X", cp);
		cr_assert_eq(memcmp(dec, utf8, n), 0, "U+%04X", cp);
	}
}

static void bad_mutf7(const char *in)
{
	char out[64];

	cr_assert_eq(correu_mutf7_decode(in, strlen(in), out, sizeof(out)), CORREU_ERR_ENCODING,
	             "\"%s\" should be refused", in);
}

Test(utf7, non_canonical_or_broken_input_is_refused)
{
	bad_mutf7("&");            /* unterminated shift */
	bad_mutf7("a&APw");
	bad_mutf7("&APw-&APw-");   /* adjacent shifts: must be one */
	bad_mutf7("&AGE-&AGE-");
	bad_mutf7("&AGEAZQ-");     /* "ae" encoded: printable ASCII */
	bad_mutf7("&ACY-");        /* "&" encoded instead of "&-" */
	bad_mutf7("&AAA-");        /* NUL */
	bad_mutf7("&APx-");        /* non-zero pad bits */
	bad_mutf7("&APwA-");       /* a needless whole character */
	bad_mutf7("&AP-");         /* a cut UTF-16 unit */
	bad_mutf7("&2D3-");        /* cut before a whole unit */
	bad_mutf7("&2D0-");        /* high surrogate alone */
	bad_mutf7("&2D0AYQ-");     /* high surrogate then not a low one */
	bad_mutf7("&3gA-");        /* low surrogate alone */
	bad_mutf7("&3gDYPQ-");     /* reversed pair */
	bad_mutf7("&APw/-");       /* "/" is "," in this base64 */
	bad_mutf7("&APw=-");       /* no padding */
	bad_mutf7("&A Pw-");
	bad_mutf7("a\x01" "b");    /* raw control */
	bad_mutf7("\xc3\xbc");     /* raw 8-bit */
	bad_mutf7("a\x7f");
}

static void bad_utf8(const char *in, size_t n)
{
	char out[64];

	cr_assert_eq(correu_mutf7_encode(in, n, out, sizeof(out)), CORREU_ERR_ENCODING,
	             "input of %zu bytes should be refused", n);
}

Test(utf7, invalid_utf8_is_refused)
{
	bad_utf8("\xc0\xaf", 2);             /* overlong "/" */
	bad_utf8("\xe0\x80\xaf", 3);         /* overlong, 3 bytes */
	bad_utf8("\xf0\x80\x80\xaf", 4);     /* overlong, 4 bytes */
	bad_utf8("\xed\xa0\x80", 3);         /* U+D800 */
	bad_utf8("\xed\xbf\xbf", 3);         /* U+DFFF */
	bad_utf8("\xf4\x90\x80\x80", 4);     /* U+110000 */
	bad_utf8("\xf5\x80\x80\x80", 4);
	bad_utf8("\xc3", 1);                 /* cut */
	bad_utf8("\xe6\x97", 2);
	bad_utf8("\x80", 1);                 /* lone continuation */
	bad_utf8("\xc3\x28", 2);             /* bad continuation */
	bad_utf8("\xff", 1);
	bad_utf8("a\0b", 3);                 /* NUL */
}

Test(utf7, small_buffers_fail_cleanly)
{
	char out[16];
	const char *name = "Entw\xc3\xbcrfe";
	correu_ssize need = correu_mutf7_encode(name, strlen(name), NULL, 0);

	cr_assert_eq(need, 12);
	cr_assert_eq(correu_mutf7_encode(name, strlen(name), out, (size_t)need), need);
	cr_assert_eq(correu_mutf7_encode(name, strlen(name), out, (size_t)need - 1),
	             CORREU_ERR_BUFFER);
	cr_assert_eq(correu_mutf7_decode("Entw&APw-rfe", 12, out, 9), 9);
	cr_assert_eq(correu_mutf7_decode("Entw&APw-rfe", 12, out, 8), CORREU_ERR_BUFFER);
	cr_assert_eq(correu_mutf7_decode(NULL, 1, NULL, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_mutf7_encoded_max(SIZE_MAX), SIZE_MAX);
	cr_assert_eq(correu_mutf7_decoded_max(SIZE_MAX), SIZE_MAX);
}
