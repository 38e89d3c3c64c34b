/* Folder names: checks and their modified UTF-7 form (RFC 3501 5.1.3);
 * message names: the order of arrival. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "store/maildir_internal.h"

static void enc(const char *in, const char *want)
{
	char out[256];
	size_t len;

	cr_assert_eq(correu__md_utf8_to_mutf7(in, strlen(in), out, sizeof(out), &len), 0, "%s", in);
	cr_assert_str_eq(out, want);
	cr_assert_eq(len, strlen(want));
	/* and back */
	char back[256];
	cr_assert_eq(correu__md_mutf7_to_utf8(out, len, back, sizeof(back), &len), 0, "%s", out);
	cr_assert_str_eq(back, in);
}

Test(mutf7, rfc3501_and_dovecot_examples)
{
	enc("INBOX", "INBOX");
	enc("Entw\xc3\xbcrfe", "Entw&APw-rfe");
	enc("a&b", "a&-b");
	enc("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	    "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	enc("\xf0\x9f\x98\x80", "&2D3eAA-"); /* U+1F600: a surrogate pair */
	enc("", "");
}

Test(mutf7, invalid_input_is_refused)
{
	static const char *bad7[] = {"&AGE-", "&Jjo", "&Jjo!-", "&2D0-", "&3gA-", "\x80",
	                             "a\tb", "&AP-", "&APw", "&APw-&APw-"};
	static const char *bad8[] = {"\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	                             "\xff"};
	char out[64];
	size_t len;

	for (size_t i = 0; i < sizeof(bad7) / sizeof(bad7[0]); i++)
		cr_assert_lt(correu__md_mutf7_to_utf8(bad7[i], strlen(bad7[i]), out, sizeof(out),
		                                      &len), 0, "%s", bad7[i]);
	for (size_t i = 0; i < sizeof(bad8) / sizeof(bad8[0]); i++)
		cr_assert_lt(correu__md_utf8_to_mutf7(bad8[i], strlen(bad8[i]), out, sizeof(out),
		                                      &len), 0, "#%zu", i);
}

Test(mutf7, output_space_is_checked)
{
	char out[8];
	size_t len;

	/* 7 bytes + NUL fit exactly, 8 do not */
	cr_assert_eq(correu__md_utf8_to_mutf7("abcdefg", 7, out, sizeof(out), &len), 0);
	cr_assert_eq(correu__md_utf8_to_mutf7("abcdefgh", 8, out, sizeof(out), &len),
	             CORREU_ERR_LIMIT);
	/* four u-umlauts: 8 bytes of UTF-8 do not fit with their NUL */
	char enc4[64];
	cr_assert_eq(correu__md_utf8_to_mutf7("\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc", 8, enc4,
	                                      sizeof(enc4), &len), 0);
	cr_assert_eq(correu__md_mutf7_to_utf8(enc4, len, out, sizeof(out), &len), CORREU_ERR_LIMIT);
}

Test(names, caller_names_are_checked)
{
	static const char *bad[] = {"", "a/b", "../x", "a..b", ".a", "a.", "a\nb", "a\rb",
	                            "tab\there", "del\x7f", "\xc3\x28", "/etc"};
	bool inbox;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(correu__md_name_check(bad[i], strlen(bad[i]), &inbox), CORREU_ERR_ARG,
		             "#%zu", i);
	cr_assert_eq(correu__md_name_check("a\0b", 3, &inbox), CORREU_ERR_ARG);
	cr_assert_eq(correu__md_name_check("Sent.2024", 9, &inbox), 0);
	cr_assert(!inbox);
	cr_assert_eq(correu__md_name_check("inBox", 5, &inbox), 0);
	cr_assert(inbox);
}

/* Unique message names in the order they were made: seconds, then
 * microseconds, then the sequence, none zero-padded (ours and Dovecot's). */
static const char *const made[] = {
	"999999999.M500000P7.host",     "1700000000.M7P7Q1.host",
	"1700000000.M99P7Q9.host",      "1700000000.M99P7Q10.host",
	"1700000000.M123456P7Q1.host",  "1700000000.M999999P7Q1.host",
	"1700000001.M0P7Q1.host",       "1700000001.M0P7Q1.host2",
};

static int name_cmp(const char *a, const char *b)
{
	return correu__md_name_cmp(a, strlen(a), b, strlen(b));
}

static int qsort_name_cmp(const void *x, const void *y)
{
	return name_cmp(*(const char *const *)x, *(const char *const *)y);
}

Test(message_names, order_by_their_numbers_not_their_bytes)
{
	const size_t n = sizeof(made) / sizeof(made[0]);
	const char *v[sizeof(made) / sizeof(made[0])];
	size_t misordered = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int c = name_cmp(made[i], made[j]);

			cr_assert_eq(c < 0, i < j, "%s vs %s", made[i], made[j]);
			cr_assert_eq(c == 0, i == j, "%s vs %s", made[i], made[j]);
			misordered += i < j && strcmp(made[i], made[j]) > 0;
		}
	}
	/* The list would be out of order as strings: the test means something. */
	cr_assert_geq(misordered, 3);
	/* qsort from the reverse order gives the order they were made. */
	for (size_t i = 0; i < n; i++)
		v[i] = made[n - 1 - i];
	qsort(v, n, sizeof(v[0]), qsort_name_cmp);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(v[i], made[i]);
}

Test(message_names, equal_numbers_still_differ_by_bytes)
{
	/* "M07" and "M7" are the same number; only the same name is equal,
	 * so a message's new/ and cur/ twins are found and no other. */
	cr_assert_neq(name_cmp("1.M07P1", "1.M7P1"), 0);
	cr_assert_eq(name_cmp("1.M07P1", "1.M7P1"), -name_cmp("1.M7P1", "1.M07P1"));
	cr_assert_lt(name_cmp("1.M07P1", "1.M8P1"), 0, "still by value first");
	cr_assert_eq(name_cmp("1.M7P1", "1.M7P1"), 0);
	cr_assert_lt(name_cmp("1.M7", "1.M7P1"), 0, "a prefix first");
	cr_assert_gt(name_cmp("1.M7P1", "1.M7"), 0);
	cr_assert_eq(correu__md_name_cmp("12:2,S", 2, "12:2,T", 2), 0, "lengths bound the names");
	cr_assert_lt(name_cmp("0", "00"), 0);
	cr_assert_lt(name_cmp("00", "1"), 0);
}
