/*
 * SMTP server transcripts: each tests/data/smtpd/<name>.txt is run against
 * the server core with the client's bytes split every way, once with a
 * backend that answers at once and once with one that answers later.
 */
#include <criterion/criterion.h>

#include "smtpd_adapter.h"

static void run(const char *name)
{
	struct smtpd_tctx x;

	smtpd_tctx_init(&x);
	smtpd_run(&x, SMTPD_DATA_DIR, name);
	smtpd_tctx_init(&x);
	x.later = true;
	smtpd_run(&x, SMTPD_DATA_DIR, name);
}

#define TRANSCRIPT(n)              \
	Test(server_transcript, n) \
	{                          \
		run(#n ".txt");    \
	}

TRANSCRIPT(basic)
TRANSCRIPT(pipelining)
TRANSCRIPT(helo)
TRANSCRIPT(lmtp)
TRANSCRIPT(bdat)
TRANSCRIPT(dsn)
TRANSCRIPT(requiretls)
TRANSCRIPT(size)
TRANSCRIPT(errors)
TRANSCRIPT(max_errors)
TRANSCRIPT(error_delay)
TRANSCRIPT(line_limit)
TRANSCRIPT(bare_eol_command)
TRANSCRIPT(bare_eol_normalise)
TRANSCRIPT(smuggling_lf)
TRANSCRIPT(smuggling_cr)
TRANSCRIPT(smuggling_crlf)
TRANSCRIPT(smuggling_lf_normalise)
TRANSCRIPT(smuggling_cr_normalise)
TRANSCRIPT(smuggling_crlf_normalise)
TRANSCRIPT(starttls)
TRANSCRIPT(starttls_plain)
TRANSCRIPT(auth)
TRANSCRIPT(auth_scram_offer)
TRANSCRIPT(auth_store_error)
TRANSCRIPT(auth_plain_ir)
TRANSCRIPT(auth_line_limit)
TRANSCRIPT(submission)
TRANSCRIPT(misc)
TRANSCRIPT(no_vrfy)
TRANSCRIPT(eof)
TRANSCRIPT(eof_idle)
TRANSCRIPT(shutdown)
TRANSCRIPT(idle)
TRANSCRIPT(limits)
TRANSCRIPT(xclient)
TRANSCRIPT(smtputf8)
