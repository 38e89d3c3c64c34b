/* Folder names: checks and their modified UTF-7 form (RFC 3501 5.1.3). */
#include <criterion/criterion.h>
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
