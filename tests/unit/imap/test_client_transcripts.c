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
TRANSCRIPT(auth_bad_challenge)
TRANSCRIPT(auth_login_mech)
TRANSCRIPT(auth_no_sasl_ir)
TRANSCRIPT(auth_not_offered)
TRANSCRIPT(auth_sasl_ir)
TRANSCRIPT(auth_scram)
TRANSCRIPT(auth_scram_forged)
TRANSCRIPT(binary_append)
TRANSCRIPT(builder_refusals)
TRANSCRIPT(literal_minus)
TRANSCRIPT(literal_plus)
TRANSCRIPT(literal_plus_disabled)
TRANSCRIPT(literal_sync_refused)
TRANSCRIPT(quoting)
TRANSCRIPT(raw_literals)
TRANSCRIPT(append_sync)
TRANSCRIPT(bye_unsolicited)
TRANSCRIPT(enable_qresync)
TRANSCRIPT(eof_unexpected)
TRANSCRIPT(fetch_stream)
TRANSCRIPT(idle)
TRANSCRIPT(idle_done_early)
TRANSCRIPT(idle_renew)
TRANSCRIPT(list_extended)
TRANSCRIPT(list_unsupported)
TRANSCRIPT(logout)
TRANSCRIPT(mailbox_utf7)
TRANSCRIPT(malformed_untagged)
TRANSCRIPT(max_commands)
TRANSCRIPT(multiappend)
TRANSCRIPT(pipelining)
TRANSCRIPT(search_esearch)
TRANSCRIPT(search_no_esearch)
TRANSCRIPT(sort_thread)
TRANSCRIPT(status)
TRANSCRIPT(store_copy_move)
TRANSCRIPT(unexpected_continue)
TRANSCRIPT(unknown_tag)
TRANSCRIPT(move_copyuid)
TRANSCRIPT(esort)
TRANSCRIPT(esort_unsupported)
TRANSCRIPT(metadata)
TRANSCRIPT(metadata_server_only)
TRANSCRIPT(compress)
TRANSCRIPT(compress_refused)
TRANSCRIPT(compress_injection)
