/*
 * What the SMTP, POP3 and IMAP client adapters of the transcript runner
 * share (test support for the client cores, next to the proto layer's own
 * tests because it is their common ground): the byte plumbing between the
 * runner and a core, reached through the proto layer's core table
 * (CORREU__PROTO_CORE in proto_session.h); the "@ policy" option; splitting
 * an "A:" line into words; the credentials an "A: auth" line names; the
 * "random" source SCRAM is given; and the joining of a streamed body's
 * pieces, each checked against the chunk limit, so that the event log does
 * not depend on how the server bytes were cut.
 */
#ifndef CORREU_TEST_CLIENT_ADAPTER_H
#define CORREU_TEST_CLIENT_ADAPTER_H

#include <stdbool.h>

#include "correu/sasl.h"
#include "proto/proto_session.h"
#include "split.h"
#include "transcript.h"

/* The start of each adapter's per-run state: what the shared transcript
 * callbacks below need. An adapter's own struct has this as its first
 * member, so its `void *core` is also a `struct client_core *`. */
struct client_core {
	const correu__proto_core *ops;
	void *client; /* the core under test, for ops */
	transcript *t;
	uint64_t now; /* the time given to the core: 1000 at the start */
};

/* Set up k for one run of `client` through ops (both borrowed). */
void client_core_init(struct client_core *k, const correu__proto_core *ops, void *client,
                      transcript *t);

/* transcript_ops.recv, .send_buf and .send_ack for a struct client_core:
 * a core must take all the bytes it is given or fail, and an
 * acknowledgement of what it offered must succeed. */
int client_core_recv(void *core, const uint8_t *p, size_t n);
const uint8_t *client_core_send_buf(void *core, size_t *len);
void client_core_send_ack(void *core, size_t n);

/* A deterministic "random" source for SCRAM nonces in tests. */
int client_test_random(uint8_t *buf, size_t len, void *userdata);

/* "policy none|opportunistic|required|implicit": store the matching value
 * of `policies` (in that order) in *out and return true; false if `line`
 * is not a policy option. */
bool client_policy_option(const char *line, const uint32_t policies[4], uint32_t *out);

/* An "A:" line's arguments split at spaces outside double quotes (so a
 * quoted local part may hold a space); a word that is just "" is empty. */
struct client_words {
	char *buf; /* a copy of the arguments, cut into the words */
	char *w[16];
	size_t n;
};

void client_words_split(struct client_words *a, const char *args, size_t len);
void client_words_free(struct client_words *a);

/* What an authentication asks for: the mechanism (0 for the core's
 * choice), the credentials and SASL settings with client_test_random. */
struct client_auth {
	int mech;
	correu_sasl_credentials cr;
	correu_sasl_settings ss;
};

/* Mechanism `mech` (a SASL name, or "auto"), user and password, all
 * borrowed by a->cr for as long as it is used. */
void client_auth_set(struct client_auth *a, const char *mech, const char *user, const char *pass);

/* The same from "A: auth MECH|auto USER PASSWORD" (the words borrowed). */
void client_auth_words(struct client_auth *a, const struct client_words *w);

/* The server's two SCRAM-SHA-256 challenges, as "+ " continuation lines
 * (POP3, RFC 5034 §4, and IMAP, RFC 9051 §6.2.2, write them alike), for
 * user "user", password "pencil" and client_test_random's nonce. */
extern const char *const client_scram_pencil[2];

/* Write out all the core wants to write; the first error, or 0. */
int client_drain(const correu__proto_core *ops, void *client);

/* Give the core s as server bytes (at time 0), then client_drain(); the
 * first error, or 0. For allocation-failure loops, where errors are the
 * point: nothing here asserts. */
int client_feed(const correu__proto_core *ops, void *client, const char *s);

/* Join one piece of a streamed body to o, after checking that it is not
 * empty and not over max bytes; client_pieces_clear() starts the next. */
void client_piece_add(struct split_out *o, const uint8_t *p, size_t n, size_t max);
void client_pieces_clear(struct split_out *o);

#endif
