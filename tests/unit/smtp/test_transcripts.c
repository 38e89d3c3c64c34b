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
