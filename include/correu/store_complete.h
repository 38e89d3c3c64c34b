/*
 * correu store layer, completion (backend side): how a backend answers a
 * request, now or later: one completion call, the items of a stream
 * emitted before it, LMTP per-recipient replies, and the change signal for
 * a watched mailbox. Part of <correu/store.h>.
 */
#ifndef CORREU_STORE_COMPLETE_H
#define CORREU_STORE_COMPLETE_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "correu/store_req.h"
#include "correu/store_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * How a backend completes requests and emits items; see
 * @ref store_contract.
 */

/* ------------------------------------------------------------------ */
/* Completion (backend side)                                           */

/*
 * A backend answers a request with exactly one completion call, now or
 * later, from the event-loop thread. Completion functions return 0, or:
 * ::CORREU_ERR_CANCELLED when the request had been cancelled (the answer
 * is dropped and the request freed: not an error for the backend);
 * ::CORREU_ERR_STATE when the request was completed already (the call is
 * ignored); ::CORREU_ERR_ARG for a NULL request or an answer that does not
 * fit the operation, ::CORREU_ERR_LIMIT for one beyond the settings, or
 * ::CORREU_ERR_NOMEM: in those three cases the request is still completed,
 * with that code as its status, so it never hangs.
 */

/**
 * Complete with a status only.
 * @param req the request.
 * @param status 0 or a negative `CORREU_ERR_*` code.
 * @return see above.
 */
CORREU_API int correu_store_complete(correu_store_req *req, int status);

/**
 * Complete an authentication successfully.
 * @param req an auth request.
 * @param user the canonical user name (copied), or NULL to keep the one
 *        that was asked about.
 * @param user_len its length.
 * @return see above.
 */
CORREU_API int correu_store_complete_user(correu_store_req *req, const char *user, size_t user_len);

/**
 * Complete a SCRAM key lookup.
 * @param req an ::CORREU_STORE_OP_AUTH_SCRAM_KEYS request.
 * @param keys the keys; copied (the copy is wiped with the request).
 * @return see above; ::CORREU_ERR_ARG for keys of another hash.
 */
CORREU_API int correu_store_complete_scram_keys(correu_store_req *req,
                                                const correu_sasl_scram_keys *keys);

/**
 * Complete an operation that opens something (session_open, message_open,
 * append_begin, deliver_begin) with the backend's pointer for it.
 * @param req the request.
 * @param handle the backend's object; non-NULL; owned by the backend, and
 *        handed back to its close callback.
 * @return see above.
 */
CORREU_API int correu_store_complete_handle(correu_store_req *req, void *handle);

/**
 * Complete a select.
 * @param req an ::CORREU_STORE_OP_SELECT request.
 * @param handle the backend's mailbox object; non-NULL.
 * @param status the mailbox's state (UIDVALIDITY, UIDNEXT, MESSAGES at
 *        least); copied.
 * @return see above.
 */
CORREU_API int correu_store_complete_box(correu_store_req *req, void *handle,
                                         const correu_store_status *status);

/**
 * Complete a status or sync request.
 * @param req the request.
 * @param status the state; copied.
 * @return see above.
 */
CORREU_API int correu_store_complete_status(correu_store_req *req,
                                            const correu_store_status *status);

/**
 * Complete a stream read.
 * @param req an ::CORREU_STORE_OP_STREAM_READ request.
 * @param data the chunk; copied; NULL when `len` is 0.
 * @param len its length, at most the `max` asked for; 0 at the end.
 * @return see above.
 */
CORREU_API int correu_store_complete_data(correu_store_req *req, const uint8_t *data, size_t len);

/**
 * Complete an append commit, copy or move with UIDPLUS data.
 * @param req the request.
 * @param uidvalidity the destination's UIDVALIDITY.
 * @param uid append: the new message's UID; copy and move: 0.
 * @return see above.
 */
CORREU_API int correu_store_complete_uid(correu_store_req *req, uint32_t uidvalidity, uint32_t uid);

/**
 * Complete a delivery step with an SMTP reply. A 2xx code completes with
 * status 0, 4xx and 5xx with ::CORREU_ERR_REPLY.
 * @param req a deliver_begin, deliver_rcpt, deliver_data or deliver_commit request.
 * @param code the reply code, 200 .. 599.
 * @param enh_class enhanced status class (2, 4 or 5; 0 for none, RFC 3463).
 * @param enh_subject its subject.
 * @param enh_detail its detail.
 * @param text the reply text without code, one line; copied; may be NULL.
 * @param text_len its length (at most max_text).
 * @return see above.
 */
CORREU_API int correu_store_complete_reply(correu_store_req *req, uint32_t code, uint32_t enh_class,
                                           uint32_t enh_subject, uint32_t enh_detail,
                                           const char *text, size_t text_len);

/**
 * Give one LMTP recipient its own reply before completing a commit.
 * @param req a deliver_commit request, not completed yet.
 * @param index the recipient's ::correu_store_rcpt `index`.
 * @param code reply code, 200 .. 599.
 * @param enh_class enhanced status class, 0 for none.
 * @param enh_subject its subject.
 * @param enh_detail its detail.
 * @param text reply text; copied; may be NULL.
 * @param text_len its length.
 * @return 0; ::CORREU_ERR_ARG (unknown index, bad code, not a commit);
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; ::CORREU_ERR_STATE
 *         (completed already); ::CORREU_ERR_CANCELLED.
 */
CORREU_API CORREU_NODISCARD int correu_store_set_rcpt_reply(correu_store_req *req, uint32_t index,
                                                            uint32_t code, uint32_t enh_class,
                                                            uint32_t enh_subject,
                                                            uint32_t enh_detail, const char *text,
                                                            size_t text_len);

/**
 * Hand one mailbox of a listing to the core.
 * @param req a list request, not completed yet.
 * @param mbox the mailbox; borrowed for the call.
 * @return 0; ::CORREU_ERR_CANCELLED (stop working, then complete);
 *         a negative code from the core's hook (stop and complete with it);
 *         ::CORREU_ERR_ARG; ::CORREU_ERR_LIMIT (name too long);
 *         ::CORREU_ERR_STATE.
 */
CORREU_API CORREU_NODISCARD int correu_store_emit_mailbox(correu_store_req *req,
                                                          const correu_store_mailbox *mbox);
/**
 * Hand one message to the core.
 * @param req a select, sync or set_flags request, not completed yet.
 * @param msg the message; borrowed for the call.
 * @return as correu_store_emit_mailbox().
 */
CORREU_API CORREU_NODISCARD int correu_store_emit_msg(correu_store_req *req,
                                                      const correu_store_msg *msg);
/**
 * Hand one UID event to the core.
 * @param req a sync, set_flags, expunge, copy or move request.
 * @param kind a `CORREU_STORE_UID_*` value the operation may produce.
 * @param uid the UID (non-zero).
 * @param uid2 the destination UID for ::CORREU_STORE_UID_COPIED, else 0.
 * @return as correu_store_emit_mailbox().
 */
CORREU_API CORREU_NODISCARD int correu_store_emit_uid(correu_store_req *req, uint32_t kind,
                                                      uint32_t uid, uint32_t uid2);

/**
 * Whether the core gave up on a request (it then only waits for the
 * completion to free it).
 * @param req the request.
 * @return 1 cancelled, 0 not, ::CORREU_ERR_ARG.
 */
CORREU_API int correu_store_req_cancelled(const correu_store_req *req);

/**
 * The operation a request runs, for a backend with one generic callback.
 * @param req the request.
 * @return a `CORREU_STORE_OP_*` value, 0 before it started.
 */
CORREU_API uint32_t correu_store_req_op(const correu_store_req *req);

/**
 * Tell the core watching a selected mailbox that it changed (new mail,
 * flags changed elsewhere). Safe to call at any time on the event-loop
 * thread; does nothing when nobody watches.
 * @param box the store's box object given to the backend's `select`.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_store_box_notify(correu_store_box *box);

#ifdef __cplusplus
}
#endif
#endif
