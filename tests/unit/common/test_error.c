/* Error table: codes, names, messages and version calls. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "correu/common.h"

Test(error, names_and_messages_come_from_the_table)
{
	cr_assert_str_eq(correu_err_name(CORREU_ERR_NOMEM), "CORREU_ERR_NOMEM");
	cr_assert_str_eq(correu_strerror(CORREU_ERR_NOMEM), "out of memory");
	cr_assert_str_eq(correu_err_name(CORREU_ERR_BARE_EOL), "CORREU_ERR_BARE_EOL");
	cr_assert_str_eq(correu_err_name(0), "CORREU_ERR_OK");
	cr_assert_str_eq(correu_strerror(0), "success");
}

Test(error, codes_are_fixed_numbers)
{
	/* Append-only: these values are ABI and must never move. */
	cr_assert_eq(CORREU_ERR_NOMEM, -1);
	cr_assert_eq(CORREU_ERR_ARG, -2);
	cr_assert_eq(CORREU_ERR_LIMIT, -3);
	cr_assert_eq(CORREU_ERR_WANT_READ, -6);
	cr_assert_eq(CORREU_ERR_WANT_WRITE, -7);
	cr_assert_eq(CORREU_ERR_EOF, -8);
	cr_assert_eq(CORREU_ERR_CERT, -12);
	cr_assert_eq(CORREU_ERR_BUFFER, -31);
}

Test(error, every_code_has_a_distinct_name)
{
	for (int a = -31; a <= 0; a++) {
		cr_assert_str_neq(correu_strerror(a), "unknown error", "code %d", a);
		for (int b = a + 1; b <= 0; b++)
			cr_assert_str_neq(correu_err_name(a), correu_err_name(b));
	}
}

Test(error, unknown_codes_are_named_as_such)
{
	cr_assert_str_eq(correu_strerror(-9999), "unknown error");
	cr_assert_str_eq(correu_err_name(12345), "CORREU_ERR_UNKNOWN");
}

Test(version, matches_the_header)
{
	char want[32];

	cr_assert_eq(correu_version_num(), (uint32_t)CORREU_VERSION_NUM);
	cr_assert_str_eq(correu_version_str(), CORREU_VERSION_STR);
	snprintf(want, sizeof(want), "%d.%d.%d", CORREU_VERSION_MAJOR, CORREU_VERSION_MINOR,
	         CORREU_VERSION_PATCH);
	cr_assert_str_eq(correu_version_str(), want);
}
