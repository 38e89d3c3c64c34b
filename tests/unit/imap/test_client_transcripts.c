/*
 * IMAP client transcripts: each tests/data/imap_client/<name>.txt is run
 * against the client core with its server bytes split every way.
 */
#include <criterion/criterion.h>

#include "imap_adapter.h"

static void run(const char *name)
{
	struct imap_tctx x;

	imap_tctx_init(&x);
	transcript_run_file(&imap_transcript_ops, &x, IMAP_CLIENT_DATA_DIR, name);
}

#define TRANSCRIPT(n)           \
	Test(transcript, n)     \
	{                       \
		run(#n ".txt"); \
	}

TRANSCRIPT(greeting_caps)
TRANSCRIPT(greeting_bye)
TRANSCRIPT(greeting_no_caps)
TRANSCRIPT(greeting_tagged)
TRANSCRIPT(login)
TRANSCRIPT(login_caps_in_ok)
TRANSCRIPT(login_disabled)
TRANSCRIPT(login_literal)
TRANSCRIPT(login_plaintext)
TRANSCRIPT(login_refused)
TRANSCRIPT(preauth_implicit)
TRANSCRIPT(preauth_opportunistic)
TRANSCRIPT(preauth_plaintext_required)
TRANSCRIPT(starttls_injection)
TRANSCRIPT(starttls_injection_same_read)
TRANSCRIPT(starttls_missing_opportunistic)
TRANSCRIPT(starttls_missing_required)
TRANSCRIPT(starttls_refused_opportunistic)
TRANSCRIPT(starttls_refused_required)
