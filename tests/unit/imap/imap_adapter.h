/*
 * The IMAP client's adapter for the transcript runner: script options
 * ("@ policy none", "@ max-chunk 5", ...), actions ("A: select INBOX") and
 * the canonical text of each client event, shared by the transcript tests
 * and the other client tests that want a scripted server. The pieces of a
 * streamed literal are joined until its end, so the log does not depend on
 * how the server bytes were split; each piece is checked against
 * max_chunk. The core's clock is a fake one that "A: tick MS" moves.
 */
#ifndef CORREU_TEST_IMAP_ADAPTER_H
#define CORREU_TEST_IMAP_ADAPTER_H

#include "correu/imap.h"
#include "transcript.h"

struct imap_tctx {
	correu_imap_settings set;
	correu_imap_parser_settings pset;
	const correu_allocator *alloc;
};

extern const struct transcript_ops imap_transcript_ops;

/* Defaults: TLS required, the parser's default limits. */
void imap_tctx_init(struct imap_tctx *x);

/* The name of a CORREU_IMAP_CMD_* value. */
const char *imap_cmd_name(uint32_t cmd);

#endif
