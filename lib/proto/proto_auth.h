/*
 * The AUTH command and the answers to challenges as the client cores
 * write them (proto layer, core level; internal), on top of the exchange
 * of proto_sasl.h: the SMTP and POP3 "AUTH mech [initial-response]" line
 * that keeps the initial response for the first challenge when the line
 * would be too long, and the response line to a challenge that all three
 * cores put straight in their output. No I/O, no clock.
 */
#ifndef CORREU_PROTO_AUTH_H
#define CORREU_PROTO_AUTH_H

#include "proto_client.h"
#include "proto_sasl.h"

/*
 * Start mechanism `mech` (settings and credentials borrowed for the call)
 * and append its command line to b: "AUTH " name, then " " and the
 * initial response in base64 ("=" when empty) if the mechanism has one
 * and the whole line, CRLF included, stays within max_line octets (RFC
 * 4954 §4, RFC 5034 §4), else the response is held for the first, empty,
 * challenge; then CRLF. Returns 0, the SASL layer's error, CORREU_ERR_LIMIT
 * or CORREU_ERR_NOMEM; on an error the exchange is cleared.
 */
int correu__proto_auth_command(correu__proto_sasl *x, const correu_sasl_settings *settings,
                               int mech, const correu_sasl_credentials *cred, correu__buf *b,
                               size_t max_line);

/* Why a core fails answering a challenge, in its protocol's words: the
 * texts of its error events (string constants). */
typedef struct correu__proto_auth_why {
	const char *cancelled; /* a challenge came after "*" */
	const char *no_room;   /* the response line does not fit the output */
} correu__proto_auth_why;

/*
 * Answer a challenge (`b64`, the text after the protocol's prefix) with
 * one line appended to `out`: the mechanism's response in base64, or "*"
 * to cancel (see correu__proto_sasl_answer()); the core's timer `t` then
 * counts it as progress. Returns 0, or a fatal
 * error with *why_out set to the reason: CORREU_ERR_PROTO (w->cancelled),
 * CORREU_ERR_NOMEM ("out of memory") or the output's CORREU_ERR_LIMIT /
 * CORREU_ERR_NOMEM (w->no_room).
 */
int correu__proto_auth_answer(correu__proto_sasl *x, const char *b64, size_t b64_len,
                              correu__buf *out, correu__proto_timer *t,
                              const correu__proto_auth_why *w, const char **why_out);

#endif
