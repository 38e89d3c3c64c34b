/* SASLprep (RFC 4013): mappings, prohibited output, bidi, and the
 * documented limits of the normalisation step. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/sasl.h"

static int prep(const char *in, char *out, size_t cap, size_t *len)
{
	return correu_sasl_saslprep(in, strlen(in), out, cap, len);
}

static void expect(const char *in, const char *want)
{
	char out[64];
	size_t n = 0;

	cr_assert_eq(prep(in, out, sizeof(out), &n), 0, "refused %s", in);
	cr_assert_eq(n, strlen(want));
	cr_assert_eq(memcmp(out, want, n), 0);
}

static void refuse(const char *in, int code)
{
	char out[64];
	size_t n = 0;

	cr_assert_eq(prep(in, out, sizeof(out), &n), code, "%s", in);
}

Test(saslprep, rfc4013_examples)
{
	/* RFC 4013 Section 3. */
	expect("I\xc2\xadX", "IX");     /* SOFT HYPHEN mapped to nothing */
	expect("user", "user");
	expect("USER", "USER");         /* case preserved */
	refuse("\x07", CORREU_ERR_ENCODING);           /* prohibited character */
	refuse("\xd8\xa7" "1", CORREU_ERR_ENCODING);   /* bidi: must end RandALCat */
}

Test(saslprep, maps_spaces_and_removes_invisibles)
{
	expect("a\xc2\xa0" "b", "a b");                 /* U+00A0 */
	expect("a\xe3\x80\x80" "b", "a b");             /* U+3000 */
	expect("a\xe2\x80\x8b" "b", "ab");              /* U+200B */
	expect("a\xef\xbb\xbf" "b", "ab");              /* U+FEFF */
	expect("\xef\xb8\x80", "");                     /* U+FE00 only */
	expect("", "");
}

Test(saslprep, refuses_prohibited_output)
{
	refuse("a\x7f", CORREU_ERR_ENCODING);               /* C.2.1 */
	refuse("a\xc2\x85", CORREU_ERR_ENCODING);           /* C.2.2 NEL */
	refuse("a\xee\x80\x80", CORREU_ERR_ENCODING);       /* C.3 U+E000 */
	refuse("a\xef\xb7\x90", CORREU_ERR_ENCODING);       /* C.4 U+FDD0 */
	refuse("a\xf0\x9f\xbf\xbe", CORREU_ERR_ENCODING);   /* C.4 U+1FFFE */
	refuse("a\xef\xbf\xbd", CORREU_ERR_ENCODING);       /* C.6 U+FFFD */
	refuse("a\xe2\xbf\xb0", CORREU_ERR_ENCODING);       /* C.7 U+2FF0 */
	refuse("a\xe2\x80\x8e", CORREU_ERR_ENCODING);       /* C.8 U+200E */
	refuse("a\xf3\xa0\x80\x81", CORREU_ERR_ENCODING);   /* C.9 U+E0001 */
	refuse("a\xed\xa0\x80", CORREU_ERR_ENCODING);       /* surrogate: not UTF-8 */
	refuse("a\xc0\xaf", CORREU_ERR_ENCODING);           /* overlong */
	refuse("a\xe2\x82", CORREU_ERR_ENCODING);           /* truncated */
}

Test(saslprep, bidi_rule)
{
	expect("\xd7\x90\xd7\x91", "\xd7\x90\xd7\x91");          /* Hebrew only */
	expect("\xd7\x90" "1\xd7\x91", "\xd7\x90" "1\xd7\x91");  /* digits between */
	refuse("\xd7\x90" "a\xd7\x91", CORREU_ERR_ENCODING);     /* RandAL with L */
	refuse("1\xd7\x90", CORREU_ERR_ENCODING);                /* must start RandAL */
}

Test(saslprep, accepts_stable_non_ascii_and_refuses_what_nfkc_would_change)
{
	expect("J\xc3\xb6rg", "J\xc3\xb6rg");                    /* Latin-1 */
	expect("\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", /* Cyrillic */
	       "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c");
	expect("\xe5\xaf\x86\xe7\xa0\x81", "\xe5\xaf\x86\xe7\xa0\x81"); /* Han */
	refuse("\xc2\xaa", CORREU_ERR_UNSUPPORTED);                /* U+00AA -> "a" */
	refuse("\xef\xbc\xa1", CORREU_ERR_UNSUPPORTED);            /* U+FF21 fullwidth A */
	refuse("o\xcc\x88", CORREU_ERR_UNSUPPORTED);               /* o + combining diaeresis */
	refuse("\xe2\x85\xa8", CORREU_ERR_UNSUPPORTED);            /* U+2168 ROMAN NINE */
}

Test(saslprep, output_buffer_and_arguments)
{
	char out[4];
	size_t n;

	cr_assert_eq(correu_sasl_saslprep("abcd", 4, out, 4, &n), 0, "exactly enough room");
	cr_assert_eq(correu_sasl_saslprep("abcde", 5, out, 4, &n), CORREU_ERR_BUFFER);
	cr_assert_eq(correu_sasl_saslprep("a\xc2\xa0" "bc", 5, out, 4, &n), 0,
	             "mapping shrinks the text");
	/* A mapped space is one output byte: it fits the last byte of room,
	 * and is refused when there is none left. */
	cr_assert_eq(correu_sasl_saslprep("abc\xe3\x80\x80", 6, out, 4, &n), 0);
	cr_assert(n == 4 && memcmp(out, "abc ", 4) == 0);
	cr_assert_eq(correu_sasl_saslprep("abc\xe3\x80\x80", 6, out, 3, &n), CORREU_ERR_BUFFER);
	cr_assert_eq(correu_sasl_saslprep(NULL, 1, out, 4, &n), CORREU_ERR_ARG);
	cr_assert_eq(correu_sasl_saslprep("a", 1, out, 4, NULL), CORREU_ERR_ARG);
}
