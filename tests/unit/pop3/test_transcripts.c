/*
 * POP3 client transcripts: each tests/data/pop3/<name>.txt is run against
 * the client core with its server bytes split every way.
 */
#include <criterion/criterion.h>

#include "pop3_adapter.h"

static void run(const char *name)
{
	struct pop3_tctx x;

	pop3_tctx_init(&x);
	transcript_run_file(&pop3_transcript_ops, &x, POP3_DATA_DIR, name);
}

#define TRANSCRIPT(n)           \
	Test(transcript, n)     \
	{                       \
		run(#n ".txt"); \
	}

TRANSCRIPT(apop)
TRANSCRIPT(apop_no_timestamp)
TRANSCRIPT(apop_refused)
TRANSCRIPT(auth_bad_line)
TRANSCRIPT(auth_cancel)
TRANSCRIPT(auth_cancel_then_challenge)
TRANSCRIPT(auth_failure)
TRANSCRIPT(auth_login)
TRANSCRIPT(auth_long_initial_response)
TRANSCRIPT(auth_long_initial_response_refused)
TRANSCRIPT(auth_no_sasl)
TRANSCRIPT(auth_not_offered)
TRANSCRIPT(auth_plain)
TRANSCRIPT(auth_scram)
TRANSCRIPT(auth_scram_forged)
TRANSCRIPT(basic)
TRANSCRIPT(capa)
TRANSCRIPT(capa_again)
TRANSCRIPT(capa_again_refused)
TRANSCRIPT(capa_expire_never)
TRANSCRIPT(capa_limit)
TRANSCRIPT(capa_limit_over)
TRANSCRIPT(capa_refused)
TRANSCRIPT(eof_after_quit_sent)
TRANSCRIPT(eof_idle)
TRANSCRIPT(eof_unexpected)
TRANSCRIPT(greeting_refused)
TRANSCRIPT(injection)
TRANSCRIPT(list_malformed)
TRANSCRIPT(list_single)
TRANSCRIPT(malformed_bare_lf)
TRANSCRIPT(malformed_line_limit)
TRANSCRIPT(malformed_listing_line_limit)
TRANSCRIPT(malformed_okay)
TRANSCRIPT(malformed_status)
TRANSCRIPT(malformed_unsolicited)
TRANSCRIPT(max_commands)
TRANSCRIPT(no_pipelining)
TRANSCRIPT(pipelining)
TRANSCRIPT(quit_refused)
TRANSCRIPT(resp_codes)
TRANSCRIPT(resp_codes_not_announced)
TRANSCRIPT(retr_bare_lf)
TRANSCRIPT(retr_body_line_limit)
TRANSCRIPT(retr_chunks)
TRANSCRIPT(retr_empty)
TRANSCRIPT(retr_max_message)
TRANSCRIPT(retr_normalise)
TRANSCRIPT(retr_refused)
TRANSCRIPT(stat_malformed)
TRANSCRIPT(stat_overflow)
TRANSCRIPT(stls_capa_refused_opportunistic)
TRANSCRIPT(stls_capa_refused_required)
TRANSCRIPT(stls_injection)
TRANSCRIPT(stls_injection_same_read)
TRANSCRIPT(stls_missing_opportunistic)
TRANSCRIPT(stls_missing_required)
TRANSCRIPT(stls_policy_none)
TRANSCRIPT(stls_refused_opportunistic)
TRANSCRIPT(stls_refused_required)
TRANSCRIPT(uidl_limits)
TRANSCRIPT(uidl_not_offered)
TRANSCRIPT(user_not_offered)
TRANSCRIPT(user_refused)
TRANSCRIPT(utf8)
TRANSCRIPT(utf8_not_offered)
