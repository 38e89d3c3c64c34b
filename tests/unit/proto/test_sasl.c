/*
 * The client-side SASL exchange of the proto layer: choosing a mechanism,
 * the initial response held for the first empty challenge, answers and
 * cancelling, the SCRAM-style proof check, the response lines, and
 * allocation failure with no leak.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/codec.h"
#include "failalloc.h"
#include "proto/proto_sasl.h"

static correu_sasl_credentials creds(void)
{
	correu_sasl_credentials cr;

	memset(&cr, 0, sizeof(cr));
	cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	cr.username = "user";
	cr.username_len = 4;
	cr.password = "secret";
	cr.password_len = 6;
	return cr;
}

Test(proto_sasl, pick_takes_the_strongest_offered_and_checks_an_explicit_one)
{
	correu_sasl_credentials cr = creds();
	int mech = -1;

	cr_assert_eq(correu__proto_sasl_pick("PLAIN LOGIN", 11, 0, true, &cr, &mech), 0);
	cr_assert_eq(mech, correu_sasl_mech_from_name("PLAIN", 5));
	cr_assert_eq(correu__proto_sasl_pick("PLAIN", 5, 0, false, &cr, &mech),
	             CORREU_ERR_NOT_FOUND, "no password mechanism in clear");
	cr_assert_eq(correu__proto_sasl_pick("", 0, 0, true, &cr, &mech), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu__proto_sasl_pick("LOGIN", 5, correu_sasl_mech_from_name("PLAIN", 5),
	                                     true, &cr, &mech),
	             CORREU_ERR_UNSUPPORTED, "an explicit mechanism must be offered");
	cr_assert_eq(correu__proto_sasl_pick(NULL, 0, correu_sasl_mech_from_name("PLAIN", 5), false,
	                                     &cr, &mech),
	             CORREU_ERR_TLS_REQUIRED);
	mech = -1;
	cr_assert_eq(correu__proto_sasl_pick(NULL, 0, correu_sasl_mech_from_name("PLAIN", 5), true,
	                                     &cr, &mech),
	             0, "nothing known offered: an explicit mechanism is tried");
	cr_assert_eq(mech, correu_sasl_mech_from_name("PLAIN", 5));
}

/* PLAIN's initial response held back, asked for by an empty challenge. */
static int held_exchange(void *ctx, const correu_allocator *a)
{
	correu_sasl_credentials cr = creds();
	correu_sasl_settings ss;
	correu__proto_sasl x;
	correu__buf line;
	const uint8_t *ir, *out;
	size_t ir_len, out_len;
	int rc;

	(void)ctx;
	memset(&x, 0, sizeof(x));
	correu__proto_sasl_init(&x, a, NULL, "test: AUTH");
	correu_sasl_settings_init(&ss);
	ss.allocator = a;
	correu__buf_init(&line, a, 64);
	rc = correu__proto_sasl_start(&x, &ss, correu_sasl_mech_from_name("PLAIN", 5), &cr, &ir,
	                              &ir_len);
	if (rc >= 0) {
		cr_assert_eq(rc, 1, "PLAIN has an initial response");
		rc = correu__proto_sasl_keep_ir(&x, ir, ir_len);
	}
	if (rc == 0)
		rc = correu__proto_sasl_answer(&x, "", 0, &out, &out_len);
	if (rc == 0)
		rc = correu__proto_sasl_line(&line, out, out_len, false);
	if (rc == 0) {
		/* RFC 4616: authzid NUL authcid NUL password, base64, CRLF. */
		static const uint8_t plain[] = "\0user\0secret";
		char want[32];
		correu_ssize n = correu_base64_encode(plain, sizeof(plain) - 1, want, sizeof(want));

		cr_assert_gt(n, 0);
		cr_assert_eq(line.len, (size_t)n + 2);
		cr_assert(memcmp(line.data, want, (size_t)n) == 0);
		cr_assert(memcmp(line.data + n, "\r\n", 2) == 0);
		cr_assert_eq(correu__proto_sasl_finish(&x), 0);
	}
	correu__proto_sasl_clear(&x);
	correu__buf_free(&line, true);
	return rc;
}

Test(proto_sasl, the_held_initial_response_answers_the_empty_challenge)
{
	cr_assert_eq(held_exchange(NULL, NULL), 0);
}

Test(proto_sasl, allocation_failure_is_clean)
{
	cr_assert_gt(failalloc_loop(held_exchange, NULL, 100), 0);
}

Test(proto_sasl, text_where_the_held_response_was_asked_for_cancels_for_good)
{
	correu_sasl_credentials cr = creds();
	correu__proto_sasl x;
	correu__buf line;
	const uint8_t *ir, *out;
	size_t ir_len, out_len;

	memset(&x, 0, sizeof(x));
	correu__proto_sasl_init(&x, NULL, NULL, "test: AUTH");
	correu__buf_init(&line, NULL, 64);
	cr_assert_eq(correu__proto_sasl_start(&x, NULL, correu_sasl_mech_from_name("PLAIN", 5), &cr,
	                                      &ir, &ir_len),
	             1);
	cr_assert_eq(correu__proto_sasl_keep_ir(&x, ir, ir_len), 0);
	cr_assert_eq(correu__proto_sasl_answer(&x, "Zm9v", 4, &out, &out_len), 1);
	cr_assert_eq(correu__proto_sasl_line(&line, out, out_len, true), 0);
	cr_assert_eq(line.len, 3);
	cr_assert(memcmp(line.data, "*\r\n", 3) == 0);
	cr_assert_eq(correu__proto_sasl_answer(&x, "", 0, &out, &out_len), CORREU_ERR_PROTO,
	             "a challenge after the cancel");
	cr_assert_eq(correu__proto_sasl_finish(&x), CORREU_ERR_AUTH, "a cancelled exchange never succeeds");
	correu__proto_sasl_clear(&x);
	correu__buf_free(&line, true);
}

Test(proto_sasl, a_challenge_that_is_not_base64_cancels)
{
	correu_sasl_credentials cr = creds();
	correu__proto_sasl x;
	const uint8_t *ir, *out;
	size_t ir_len, out_len;

	memset(&x, 0, sizeof(x));
	correu__proto_sasl_init(&x, NULL, NULL, "test: AUTH");
	cr_assert_eq(correu__proto_sasl_start(&x, NULL, correu_sasl_mech_from_name("LOGIN", 5), &cr,
	                                      &ir, &ir_len),
	             0, "LOGIN waits for the server");
	cr_assert_eq(correu__proto_sasl_answer(&x, "not base64!", 11, &out, &out_len), 1);
	correu__proto_sasl_clear(&x);
}
