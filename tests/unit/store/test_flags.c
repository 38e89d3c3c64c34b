/* Maildir info letters and file name fields. */
#include <criterion/criterion.h>
#include <string.h>

#include "store/maildir_internal.h"

Test(flags, info_letters_parse)
{
	uint32_t f, k;

	correu__md_info_parse("123.M1P2.host,S=10:2,FRSTab", &f, &k);
	cr_assert_eq(f, CORREU_MAILDIR_FLAG_FLAGGED | CORREU_MAILDIR_FLAG_ANSWERED |
	                    CORREU_MAILDIR_FLAG_SEEN | CORREU_MAILDIR_FLAG_DELETED);
	cr_assert_eq(k, 3u);
	correu__md_info_parse("123.M1P2.host,S=10:2,DPz,extra", &f, &k);
	cr_assert_eq(f, CORREU_MAILDIR_FLAG_DRAFT | CORREU_MAILDIR_FLAG_FORWARDED);
	cr_assert_eq(k, 1u << 25);
	correu__md_info_parse("123.M1P2.host", &f, &k);
	cr_assert_eq(f | k, 0u);
	correu__md_info_parse("123.M1P2.host:1,S", &f, &k); /* experimental info: ignored */
	cr_assert_eq(f | k, 0u);
}

Test(flags, info_is_rebuilt_sorted_keeping_foreign_parts)
{
	char out[128];

	cr_assert_eq(correu__md_info_build("b,S=5", CORREU_MAILDIR_FLAGS_ALL, (1u << 2) | 1u, out,
	                                   sizeof(out)), 0);
	cr_assert_str_eq(out, "b,S=5:2,DFPRSTac");
	cr_assert_eq(correu__md_info_build("b:2,SXa,keep=me", CORREU_MAILDIR_FLAG_FLAGGED, 0, out,
	                                   sizeof(out)), 0);
	cr_assert_str_eq(out, "b:2,FX,keep=me");
	cr_assert_eq(correu__md_info_build("b:2,S", 0, 0, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "b:2,");
	/* "b:2," + 6 letters = 10 bytes + NUL */
	cr_assert_eq(correu__md_info_build("b", CORREU_MAILDIR_FLAGS_ALL, 0, out, 11), 0);
	cr_assert_eq(correu__md_info_build("b", CORREU_MAILDIR_FLAGS_ALL, 0, out, 10),
	             CORREU_ERR_LIMIT);
}

Test(flags, size_fields_in_the_base_name)
{
	uint64_t v;

	cr_assert(correu__md_base_field("1.M2P3.h,S=1355,W=1394:2,S", 'S', &v));
	cr_assert_eq(v, 1355);
	cr_assert(correu__md_base_field("1.M2P3.h,S=1355,W=1394:2,S", 'W', &v));
	cr_assert_eq(v, 1394);
	cr_assert(!correu__md_base_field("1.M2P3.h:2,S=5", 'S', &v)); /* in the info: not ours */
	cr_assert(!correu__md_base_field("1.h,S=", 'S', &v));
	cr_assert(!correu__md_base_field("1.h,S=12x", 'S', &v));
	cr_assert(!correu__md_base_field("1.h,S=99999999999999999999999", 'S', &v));
	cr_assert_eq(correu__md_base_len("abc:2,S"), 3);
	cr_assert_eq(correu__md_base_len("abc"), 3);
}
