/*
 * The POP3 client's adapter for the transcript runner: script options
 * ("@ policy none", "@ max-chunk 5", ...), actions ("A: retr 1") and the
 * canonical text of each event, shared by the transcript tests and the
 * other POP3 tests that want a scripted server. Message chunks are joined
 * until the end of their response, so the log does not depend on how the
 * server bytes were split.
 */
#ifndef CORREU_TEST_POP3_ADAPTER_H
#define CORREU_TEST_POP3_ADAPTER_H

#include "correu/pop3.h"
#include "transcript.h"

struct pop3_tctx {
	correu_pop3_settings set;
	const correu_allocator *alloc;
};

extern const struct transcript_ops pop3_transcript_ops;

/* Defaults: TLS required. */
void pop3_tctx_init(struct pop3_tctx *x);

/* The name of a CORREU_POP3_CMD_* value. */
const char *pop3_cmd_name(uint32_t cmd);

#endif
