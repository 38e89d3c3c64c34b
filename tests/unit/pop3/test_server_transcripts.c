/*
 * POP3 server transcripts: each tests/data/pop3d/<name>.txt is run against
 * the server core with the client's bytes split every way, once with a
 * backend that answers at once and once with one that answers later.
 * Scripts that need SCRAM or MD5 run only in builds with mbedTLS.
 */
#include <criterion/criterion.h>

#include "pop3d_adapter.h"

static void run(const char *name)
{
	struct pop3d_tctx x;

	pop3d_tctx_init(&x);
	pop3d_run(&x, POP3D_DATA_DIR, name);
	pop3d_tctx_init(&x);
	x.later = true;
	pop3d_run(&x, POP3D_DATA_DIR, name);
}

#define TRANSCRIPT(n)                    \
	Test(server_transcript, n)       \
	{                                \
		run(#n ".txt");          \
	}

TRANSCRIPT(auth_fail)
TRANSCRIPT(auth_limit)
TRANSCRIPT(basic)
TRANSCRIPT(capa_options)
TRANSCRIPT(dele_ranges)
TRANSCRIPT(dropped)
TRANSCRIPT(expire_never)
TRANSCRIPT(idle)
TRANSCRIPT(in_use)
TRANSCRIPT(limits)
TRANSCRIPT(max_errors)
TRANSCRIPT(max_messages)
TRANSCRIPT(no_expunge)
TRANSCRIPT(numbers)
TRANSCRIPT(pipelining)
TRANSCRIPT(plaintext)
TRANSCRIPT(plaintext_allowed)
TRANSCRIPT(quit_auth)
TRANSCRIPT(rset)
TRANSCRIPT(sasl)
TRANSCRIPT(sasl_ir)
TRANSCRIPT(seen)
TRANSCRIPT(seen_dropped)
#if POP3D_HAVE_TLS
/* SCRAM, and APOP's MD5, come from mbedTLS. */
TRANSCRIPT(apop)
TRANSCRIPT(scram_capa)
#endif
TRANSCRIPT(shutdown)
TRANSCRIPT(too_many)
TRANSCRIPT(top)
TRANSCRIPT(top_noheader_end)
TRANSCRIPT(xoauth2)
