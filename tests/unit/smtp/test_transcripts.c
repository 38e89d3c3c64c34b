/*
 * SMTP and LMTP client transcripts: each tests/data/smtp/<name>.txt is run
 * against the client core with its server bytes split every way.
 */
#include <criterion/criterion.h>

#include "smtp_adapter.h"

static void run(const char *name)
{
	struct smtp_tctx x;

	smtp_tctx_init(&x);
	transcript_run_file(&smtp_transcript_ops, &x, SMTP_DATA_DIR, name);
}

#define TRANSCRIPT(n)                    \
	Test(transcript, n)              \
	{                                \
		run(#n ".txt");          \
	}

TRANSCRIPT(basic)
TRANSCRIPT(enhanced_multiline)
TRANSCRIPT(enhanced_not_offered)
TRANSCRIPT(size_digits)
TRANSCRIPT(smtputf8_orcpt)
TRANSCRIPT(pipelining)
TRANSCRIPT(helo_fallback)
TRANSCRIPT(helo_fallback_tls_required)
TRANSCRIPT(starttls)
TRANSCRIPT(starttls_injection)
TRANSCRIPT(starttls_missing_required)
TRANSCRIPT(starttls_refused_required)
TRANSCRIPT(starttls_missing_opportunistic)
TRANSCRIPT(starttls_refused_opportunistic)
TRANSCRIPT(starttls_policy_none)
TRANSCRIPT(auth_login)
TRANSCRIPT(auth_failure)
TRANSCRIPT(auth_cancel)
TRANSCRIPT(auth_not_offered)
TRANSCRIPT(auth_long_initial_response)
TRANSCRIPT(auth_scram)
TRANSCRIPT(auth_scram_forged)
TRANSCRIPT(dsn)
TRANSCRIPT(dsn_not_offered)
TRANSCRIPT(smtputf8)
TRANSCRIPT(smtputf8_not_offered)
TRANSCRIPT(bdat)
TRANSCRIPT(bdat_no_pipelining)
TRANSCRIPT(binarymime)
TRANSCRIPT(binarymime_not_offered)
TRANSCRIPT(lmtp)
TRANSCRIPT(lmtp_no_helo_fallback)
TRANSCRIPT(transactions)
TRANSCRIPT(pipelining_all_refused)
TRANSCRIPT(malformed_code)
TRANSCRIPT(malformed_code_mismatch)
TRANSCRIPT(malformed_bare_lf)
TRANSCRIPT(malformed_unsolicited)
TRANSCRIPT(malformed_line_limit)
TRANSCRIPT(greeting_refused)
TRANSCRIPT(shutdown_421)
TRANSCRIPT(eof_unexpected)
TRANSCRIPT(injection)
TRANSCRIPT(body_backpressure)
TRANSCRIPT(body_bare_lf)
TRANSCRIPT(body_normalise)
TRANSCRIPT(requiretls)
TRANSCRIPT(size_limit)
TRANSCRIPT(eof_after_quit)
TRANSCRIPT(unsolicited_421)
TRANSCRIPT(lmtp_bdat)
TRANSCRIPT(messages_pipelined)
TRANSCRIPT(messages_mail_refused)
TRANSCRIPT(messages_data_end_refused)
TRANSCRIPT(messages_rset)
TRANSCRIPT(messages_no_pipelining)
TRANSCRIPT(messages_lmtp)
TRANSCRIPT(messages_lmtp_bdat)
