/*
 * The server side of a SASL exchange against the store (store layer,
 * shared by the SMTP, POP3 and IMAP server cores): when a SASL server
 * handle reports CORREU_SASL_NEED_CREDENTIALS, start the one store request
 * that answers it (password check, SCRAM keys, token check), and when that
 * request has completed, now or later, feed its verdict back into the
 * handle. The protocol framing (334, "+ ", continuation requests) and the
 * replies stay in each core; this is only the part they would otherwise
 * each write again. Nothing here is exported.
 */
#ifndef CORREU_STORE_SASL_H
#define CORREU_STORE_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correu/sasl.h"
#include "correu/store.h"
#include "internal.h"

/* The longest user name the bridge keeps (the store's default max_user). */
#define CORREU__STORE_SASL_USER 255

typedef struct correu__store_sasl {
	int mech;                               /* the CORREU_SASL_* mechanism */
	uint32_t op;                            /* the CORREU_STORE_OP_* started, or 0 */
	char user[CORREU__STORE_SASL_USER + 1]; /* being checked; canonical on success */
	size_t user_len;
} correu__store_sasl;

/*
 * The mechanisms a server core offers, best first, are those the store can
 * verify (`caps`, its CORREU_STORE_CAP_*), this build has, and, for SCRAM's
 * nonces, for which the service has a random source (`random`). Whether
 * the channel allows them (TLS) stays the core's decision.
 *
 * correu__store_sasl_mech_find: the CORREU_SASL_* number of the offered
 * mechanism named p[len] (any case), or 0.
 * correu__store_sasl_mechs: append the offered names to `out` (when not
 * NULL), `sep` between them; returns how many, or CORREU_ERR_LIMIT /
 * CORREU_ERR_NOMEM from the buffer.
 */
int correu__store_sasl_mech_find(const char *p, size_t len, uint32_t caps, bool random);
int correu__store_sasl_mechs(correu__buf *out, const char *sep, uint32_t caps, bool random);

/*
 * A SASL server handle for `mech` on the core's allocator `alloc`, random
 * source and host name (borrowed for the handle's life); remembers `mech`
 * in `x`. Returns 0, CORREU_ERR_NOMEM, or another error of
 * correu_sasl_server_new() (answer those with a temporary failure).
 */
int correu__store_sasl_new(correu__store_sasl *x, int mech, const correu_allocator *alloc,
                           correu_sasl_random_fn random, void *random_userdata, const char *host,
                           correu_sasl_server **out);

/*
 * Decode one base64 client response p[len] and step `sasl` with it; with
 * `initial`, "=" is an empty initial response (RFC 4954 section 4, RFC
 * 5034 section 4). The decoded bytes are wiped. Returns the SASL status
 * (with *out), CORREU_ERR_SYNTAX for bad base64 (the handle is not
 * stepped) or CORREU_ERR_NOMEM.
 */
int correu__store_sasl_step_b64(correu_sasl_server *sasl, const correu_allocator *alloc,
                                const uint8_t *p, size_t len, bool initial, const uint8_t **out,
                                size_t *out_len);

/*
 * Start the request that answers `sasl`'s credential request on the fresh
 * request `req`. Returns what the store call returned (0: completed now,
 * CORREU_PAUSE: the `done` hook follows, negative: completed with that
 * status), or CORREU_ERR_AUTH without starting anything when the client's
 * identity is unusable (an authzid that names someone else: no proxy
 * authorization; an empty or overlong user name). Either way call
 * correu__store_sasl_answer() with that code once the request is settled.
 */
int correu__store_sasl_ask(correu__store_sasl *x, correu_sasl_server *sasl, correu_store_req *req);

/*
 * Feed the settled request (`rc` as correu__store_sasl_ask() or the `done`
 * hook saw it) back into `sasl`. Returns the SASL status to act on
 * (CORREU_SASL_CHALLENGE with *out, CORREU_SASL_SUCCESS with x->user the
 * canonical user, or a negative failure such as CORREU_ERR_AUTH), or
 * CORREU_ERR_BUSY when the store failed for a reason that is not the
 * client's (busy, out of memory, internal): answer with a temporary failure.
 * An unknown user is answered exactly like a wrong password.
 */
int correu__store_sasl_answer(correu__store_sasl *x, correu_sasl_server *sasl,
                              correu_store_req *req, int rc, const uint8_t **out, size_t *out_len);

/* Forget the user name (it may be a secret of sorts: wipe it). */
void correu__store_sasl_clear(correu__store_sasl *x);

#endif
