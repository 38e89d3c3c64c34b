/*
 * The SASL exchange as the SMTP, POP3 and IMAP client cores run it (proto
 * layer, core level; internal). The three differ only in the words around
 * it (AUTH or AUTHENTICATE, "334 " or "+ "), which stay in each protocol:
 * choosing the mechanism, the initial response held back for the first
 * empty challenge when it cannot go on the command line, each challenge
 * decoded, answered by the mechanism and encoded back, "*" to cancel, and
 * the check that a SCRAM server proved itself before success is believed.
 * No I/O, no clock: this is part of each sans-I/O core.
 */
#ifndef CORREU_PROTO_SASL_H
#define CORREU_PROTO_SASL_H

#include <stdbool.h>

#include "correu/sasl.h"
#include "internal.h"

/* A client core's exchanges: what they use, then the one that runs. */
typedef struct correu__proto_sasl {
	const correu_allocator *alloc; /* the core's */
	const correu_logger *logger;   /* the core's */
	const char *who;               /* log prefix, e.g. "smtp: AUTH" */
	correu_sasl_client *client;    /* the mechanism, while an exchange runs */
	const uint8_t *ir;          /* initial response held for the first challenge,
	                             * in the mechanism's output */
	size_t ir_len;
	bool ir_pending; /* ir is still to be sent */
	bool cancelled;  /* "*" was sent: only a failure may follow */
} correu__proto_sasl;

/* Set x up for a core: its allocator and logger (borrowed for x's life)
 * and the prefix of its log lines (a string constant). */
void correu__proto_sasl_init(correu__proto_sasl *x, const correu_allocator *a,
                             const correu_logger *lg, const char *who);

/*
 * The mechanism to use: with mech 0 the strongest in `offered` (a space
 * separated list) that the credentials and the channel allow, else mech
 * itself if it is offered and the channel allows it. `offered` NULL means
 * the server said nothing either way (an explicit mech is then tried).
 * Returns 0 with *mech_out set, CORREU_ERR_UNSUPPORTED (nothing offered,
 * or mech not offered), CORREU_ERR_NOT_FOUND (nothing offered fits) or
 * CORREU_ERR_TLS_REQUIRED (mech sends the password and !secure).
 */
int correu__proto_sasl_pick(const char *offered, size_t len, int mech, bool secure,
                            const correu_sasl_credentials *cred, int *mech_out);

/*
 * Start mechanism `mech` (settings and credentials borrowed for the call)
 * and take its initial response, if it has one: *ir_out then points into
 * the mechanism, valid until the next call on x. Returns 1 with an initial
 * response, 0 without, or the SASL layer's error (x is then cleared).
 */
int correu__proto_sasl_start(correu__proto_sasl *x, const correu_sasl_settings *settings,
                             int mech, const correu_sasl_credentials *cred,
                             const uint8_t **ir_out, size_t *ir_len_out);

/* Hold the initial response (the one correu__proto_sasl_start() gave,
 * still in the mechanism) to answer the first, empty, challenge with.
 * Returns 0; an int so that callers keep one error path. */
int correu__proto_sasl_keep_ir(correu__proto_sasl *x, const uint8_t *ir, size_t len);

/*
 * The answer to a challenge (`b64`, the text after the protocol's prefix):
 * 0 with *out_out set to the bytes to send base64-encoded (pointing into
 * x, valid until the next call), or 1 when the exchange is to be cancelled
 * with "*" (a challenge that is not base64, one the mechanism refuses, or
 * text where the held initial response was asked for), which is logged.
 * Fatal: CORREU_ERR_PROTO (a challenge after "*") or CORREU_ERR_NOMEM.
 */
int correu__proto_sasl_answer(correu__proto_sasl *x, const char *b64, size_t b64_len,
                              const uint8_t **out_out, size_t *out_len_out);

/*
 * Whether a success reply can be believed: 0, or CORREU_ERR_AUTH when the
 * exchange was cancelled or the mechanism still waits for the server's
 * proof (SCRAM, RFC 5802 §5: success without it is an attack).
 */
int correu__proto_sasl_finish(correu__proto_sasl *x);

/* End the exchange: the mechanism freed (which wipes the held response). */
void correu__proto_sasl_clear(correu__proto_sasl *x);

/*
 * Append base64(data) to b; an empty `data` appends "=" when eq_if_empty
 * (the empty initial response of RFC 4954 §4, RFC 5034 §4, RFC 4959 §3)
 * and nothing otherwise. 0, CORREU_ERR_LIMIT or CORREU_ERR_NOMEM.
 */
int correu__proto_b64_append(correu__buf *b, const uint8_t *data, size_t len, bool eq_if_empty);

/* Append one response line: base64(data) CRLF, or "*" CRLF to cancel.
 * 0, CORREU_ERR_LIMIT or CORREU_ERR_NOMEM (b may then hold part of it). */
int correu__proto_sasl_line(correu__buf *b, const uint8_t *data, size_t len, bool cancel);

#endif
