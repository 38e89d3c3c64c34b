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

#include <stddef.h>
#include <stdint.h>

#include "correu/sasl.h"
#include "correu/store.h"

/* The longest user name the bridge keeps (the store's default max_user). */
#define CORREU__STORE_SASL_USER 255

typedef struct correu__store_sasl {
	int mech;                              /* the CORREU_SASL_* mechanism */
	uint32_t op;                           /* the CORREU_STORE_OP_* started, or 0 */
	char user[CORREU__STORE_SASL_USER + 1]; /* being checked; canonical on success */
	size_t user_len;
} correu__store_sasl;

/*
 * Start the request that answers `sasl`'s credential request on the fresh
 * request `req`. Returns what the store call returned (0: completed now,
 * CORREU_PAUSE: the `done` hook follows, negative: completed with that
 * status), or CORREU_ERR_AUTH without starting anything when the client's
 * identity is unusable (an authzid that names someone else: no proxy
 * authorization; an empty or overlong user name). Either way call
 * correu__store_sasl_answer() with that code once the request is settled.
 */
int correu__store_sasl_ask(correu__store_sasl *x, correu_sasl_server *sasl,
                           correu_store_req *req);

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
                              correu_store_req *req, int rc, const uint8_t **out,
                              size_t *out_len);

/* Forget the user name (it may be a secret of sorts: wipe it). */
void correu__store_sasl_clear(correu__store_sasl *x);

#endif
