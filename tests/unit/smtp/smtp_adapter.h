/*
 * The SMTP client's adapter for the transcript runner: script options
 * ("@ policy none", "@ lmtp", ...), actions ("A: mail ...") and the
 * canonical text of each event, shared by the transcript tests and the
 * other SMTP tests that want a scripted server.
 */
#ifndef CORREU_TEST_SMTP_ADAPTER_H
#define CORREU_TEST_SMTP_ADAPTER_H

#include "correu/smtp.h"
#include "transcript.h"

struct smtp_tctx {
	correu_smtp_settings set;
	char ehlo[64];
	const correu_allocator *alloc;
	int transactions; /* "@ transactions": replies show "t<N>" */
};

extern const struct transcript_ops smtp_transcript_ops;

/* Defaults: TLS required, EHLO name "client.example". */
void smtp_tctx_init(struct smtp_tctx *x);

/* A deterministic "random" source for SCRAM nonces in tests (the client
 * adapters' one, also given to the server cores in the SMTP tests). */
int smtp_test_random(uint8_t *buf, size_t len, void *userdata);

#endif
