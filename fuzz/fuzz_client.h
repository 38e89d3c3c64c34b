/*
 * What the client-core fuzz harnesses share (fuzz/, for the SMTP, POP3
 * and IMAP client cores): the fixed credentials and "random" source they
 * log in with, a sink for results they do not act on, and the driver's
 * side of the byte interface: draining the output with split
 * acknowledgements and delivering the server bytes in chunks. A core is
 * reached through the proto layer's table (CORREU__PROTO_CORE in
 * proto_session.h), so one loop serves all three without casting function
 * pointers.
 */
#ifndef CORREU_FUZZ_CLIENT_H
#define CORREU_FUZZ_CLIENT_H

#include "correu/sasl.h"
#include "proto/proto_session.h"

/* Results a harness does not act on (GCC ignores a (void) cast of a
 * warn_unused_result call). */
void fuzz_ignore(int rc);

/* A SASL random source (correu_sasl_settings.random) that fills with 'r':
 * the harness wants the same run for the same input. */
int fuzz_random(uint8_t *buf, size_t len, void *userdata);

/* Set *cr to user "u", password "p" (string literals: nothing to free). */
void fuzz_credentials(correu_sasl_credentials *cr);

/* Take everything the core wants to write, acknowledging each buffer in
 * two parts to exercise partial writes; stop at the first refusal. */
void fuzz_drain(const correu__proto_core *core, void *c);

/* Called after each chunk: queue what the events asked for and drain. */
typedef void (*fuzz_act_fn)(void *c, void *state);

/*
 * Deliver data to the core `chunk` bytes at a time, the clock one tick on
 * per chunk, calling act after each and asking for the next deadline; trap
 * if a chunk is taken only in part, stop after the first fatal error.
 */
void fuzz_feed(const correu__proto_core *core, void *c, const uint8_t *data, size_t size,
               size_t chunk, fuzz_act_fn act, void *state);

#endif
