/* Strict UTF-8 (RFC 3629): every boundary of the §4 table, every scalar
 * value in its shortest and its longer forms, and a stream cut anywhere. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correu/codec.h"
#include "split.h"

/* The form of `len` bytes (1-4) of a value of up to 21 bits, whether or not
 * it is the shortest: the bit layout of RFC 3629 §3, written here from the
 * RFC so that the decoder is checked against something it does not share. */
static void form(uint32_t cp, size_t len, uint8_t *out)
{
	static const uint8_t lead[] = { 0x00, 0x00, 0xc0, 0xe0, 0xf0 };

	for (size_t i = len - 1; i > 0; i--, cp >>= 6)
		out[i] = (uint8_t)(0x80 | (cp & 0x3f));
	out[0] = (uint8_t)(lead[len] | cp);
}

static size_t shortest(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

Test(utf8, every_scalar_value_in_its_shortest_form_only)
{
	static const uint32_t room[] = { 0, 0x7f, 0x7ff, 0xffff, 0x1fffff };

	for (uint32_t cp = 0; cp <= 0x1fffff; cp++) {
		bool scalar = cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);

		for (size_t len = shortest(cp); len <= 4; len++) {
			uint8_t b[4];
			uint32_t got = 0xffffffffu;
			int rc;

			if (cp > room[len])
				continue;
			form(cp, len, b);
			rc = correu_utf8_decode(b, len, &got);
			if (scalar && len == shortest(cp)) {
				cr_assert_eq(rc, (int)len, "U+%04X: %d", cp, rc);
				cr_assert_eq(got, cp, "U+%04X: got U+%04X", cp, got);
				/* Every proper prefix is a cut character, not an error. */
				for (size_t k = 0; k < len; k++)
					cr_assert_eq(correu_utf8_decode(b, k, NULL), 0, "U+%04X cut at %zu",
					             cp, k);
			} else {
				cr_assert_eq(rc, CORREU_ERR_ENCODING, "U+%04X in %zu bytes: %d", cp, len,
				             rc);
				cr_assert_eq(got, 0xffffffffu, "nothing written on an error");
			}
		}
	}
}

/* The edges of RFC 3629 §4, each byte on both sides of its range. */
Test(utf8, table_boundaries)
{
	static const struct {
		const char *in;
		size_t len;
		int rc;
	} cases[] = {
		{ "\x7f", 1, 1 },
		{ "\x80", 1, CORREU_ERR_ENCODING },          /* continuation first */
		{ "\xbf", 1, CORREU_ERR_ENCODING },
		{ "\xc0\x80", 2, CORREU_ERR_ENCODING },      /* overlong U+0000 */
		{ "\xc1\xbf", 2, CORREU_ERR_ENCODING },      /* overlong U+007F */
		{ "\xc2\x7f", 2, CORREU_ERR_ENCODING },      /* not a continuation */
		{ "\xc2\xc0", 2, CORREU_ERR_ENCODING },
		{ "\xdf\xbf", 2, 2 },
		{ "\xe0\x9f", 2, CORREU_ERR_ENCODING },      /* overlong, known at byte 2 */
		{ "\xe0\xa0", 2, 0 },
		{ "\xed\x9f", 2, 0 },
		{ "\xed\xa0", 2, CORREU_ERR_ENCODING },      /* a surrogate, known at byte 2 */
		{ "\xed\xbf\xbf", 3, CORREU_ERR_ENCODING },
		{ "\xee\x80\x80", 3, 3 },
		{ "\xef\xbf\xbf", 3, 3 },
		{ "\xe1\x80\x7f", 3, CORREU_ERR_ENCODING },  /* cut by ASCII */
		{ "\xf0\x8f", 2, CORREU_ERR_ENCODING },      /* overlong, known at byte 2 */
		{ "\xf0\x90", 2, 0 },
		{ "\xf4\x8f\xbf", 3, 0 },
		{ "\xf4\x90", 2, CORREU_ERR_ENCODING },      /* past U+10FFFF */
		{ "\xf5", 1, CORREU_ERR_ENCODING },
		{ "\xff", 1, CORREU_ERR_ENCODING },
		{ "\xf1\x80\x80\xc0", 4, CORREU_ERR_ENCODING },
		{ "\xc3\xa9\xff", 3, 2 },                     /* later bytes not looked at */
		{ "", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(correu_utf8_decode((const uint8_t *)cases[i].in, cases[i].len, NULL),
		             cases[i].rc, "case %zu", i);
	cr_assert_eq(correu_utf8_decode(NULL, 0, NULL), 0);
	cr_assert_eq(correu_utf8_decode(NULL, 1, NULL), CORREU_ERR_ARG);
}

/* A stream reader as the documentation suggests: decode from each chunk,
 * keep a character cut at its end, stop at the first error. */
struct reader {
	uint8_t held[4];
	size_t nheld;
	uint64_t at; /* stream offset of the next character */
};

static void reader_reset(void *ctx)
{
	memset(ctx, 0, sizeof(struct reader));
}

/* One character from `p`; returns the bytes of `p` it took, or -1. */
static int reader_step(struct reader *r, const uint8_t *p, size_t n, struct split_out *out)
{
	size_t took;
	uint32_t cp;
	int rc;

	if (r->nheld) {
		/* Complete the held character a byte at a time: the decoder says
		 * when it has enough (or that it never will). */
		r->held[r->nheld++] = p[0];
		rc = correu_utf8_decode(r->held, r->nheld, &cp);
		if (rc == 0)
			return 1;
		cr_assert(rc < 0 || (size_t)rc == r->nheld, "held %zu, took %d", r->nheld, rc);
		r->nheld = 0;
		took = 1;
	} else {
		rc = correu_utf8_decode(p, n, &cp);
		if (rc == 0) {
			cr_assert_lt(n, 4);
			memcpy(r->held, p, n);
			r->nheld = n;
			return (int)n;
		}
		took = rc > 0 ? (size_t)rc : 0;
	}
	if (rc < 0) {
		split_out_printf(out, "%s at %llu", correu_err_name(rc), (unsigned long long)r->at);
		return -1;
	}
	split_out_printf(out, "U+%04X ", (unsigned)cp);
	r->at += (uint64_t)rc;
	return (int)took;
}

static int reader_feed(void *ctx, const uint8_t *p, size_t n, struct split_out *out)
{
	struct reader *r = ctx;

	while (n > 0) {
		int k = reader_step(r, p, n, out);

		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void reader_finish(void *ctx, struct split_out *out)
{
	struct reader *r = ctx;

	if (r->nheld)
		split_out_printf(out, "cut %zu at %llu", r->nheld, (unsigned long long)r->at);
}

static const struct split_ops reader_ops = { reader_reset, reader_feed, reader_finish };

static void expect(const char *in, const char *want)
{
	struct reader r;
	char *got = split_check(&reader_ops, &r, (const uint8_t *)in, strlen(in));

	cr_assert_str_eq(got, want, "got %s", got);
	free(got);
}

Test(utf8, a_stream_in_any_split)
{
	expect("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z",
	       "U+0061 U+00E9 U+20AC U+1F600 U+007A ");
	expect("ab\xe0\x80" "c", "U+0061 U+0062 CORREU_ERR_ENCODING at 2");
	expect("\xed\xa0\x80", "CORREU_ERR_ENCODING at 0");
	expect("\xe2\x82\xac\xf4\x90\x80\x80", "U+20AC CORREU_ERR_ENCODING at 3");
	expect("x\x80", "U+0078 CORREU_ERR_ENCODING at 1");
	expect("abc\xf0\x9f\x98", "U+0061 U+0062 U+0063 cut 3 at 3");
}
