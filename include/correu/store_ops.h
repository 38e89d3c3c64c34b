/*
 * correu store layer, operations (core side): the calls through which the
 * SMTP, POP3 and IMAP server cores start each operation on a request, from
 * authentication to selected-mailbox work, append and delivery, and close
 * the objects they opened. Part of <correu/store.h>.
 */
#ifndef CORREU_STORE_OPS_H
#define CORREU_STORE_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/store_delivery.h"
#include "correu/store_req.h"
#include "correu/store_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The operations a core starts on a request; see @ref store_contract.
 */

/* ------------------------------------------------------------------ */
/* Operations (core side)                                              */

/*
 * Every call below starts the operation on a fresh request (made by
 * correu_store_req_new() and not used before) and returns:
 *   0              completed now with status 0: read the result;
 *   CORREU_PAUSE   pending: the `done` hook runs at completion;
 *   negative       completed now with that status, or refused before the
 *                  backend was called: ::CORREU_ERR_ARG (NULL pointer, CR,
 *                  LF or NUL in a name), ::CORREU_ERR_LIMIT (a settings
 *                  limit), ::CORREU_ERR_STATE (the request was used
 *                  already, or the object is closed), ::CORREU_ERR_UNSUPPORTED
 *                  (NULL table entry), ::CORREU_ERR_NOMEM.
 * Each operation's own status codes are those listed on the table entry.
 */

/**
 * Check a password (`auth_password`, else through `auth_scram_keys`).
 * @param req a fresh request.
 * @param user user name; copied.
 * @param user_len its length (1 .. max_user).
 * @param password the password; copied and wiped after the request.
 * @param password_len its length (at most max_secret).
 * @return see above; ::CORREU_ERR_AUTH for a wrong password or unknown user.
 */
CORREU_API CORREU_NODISCARD int correu_store_auth_password(correu_store_req *req, const char *user,
                                                           size_t user_len, const char *password,
                                                           size_t password_len);
/**
 * Look up a user's SCRAM keys.
 * @param req a fresh request.
 * @param mech ::CORREU_SASL_SCRAM_SHA_1 or ::CORREU_SASL_SCRAM_SHA_256.
 * @param user user name; copied.
 * @param user_len its length.
 * @return see above; ::CORREU_ERR_NOT_FOUND. Read the keys with
 *         correu_store_req_scram_keys().
 */
CORREU_API CORREU_NODISCARD int correu_store_auth_scram_keys(correu_store_req *req, uint32_t mech,
                                                             const char *user, size_t user_len);
/**
 * Check a bearer token.
 * @param req a fresh request.
 * @param mech ::CORREU_SASL_XOAUTH2 or ::CORREU_SASL_OAUTHBEARER.
 * @param user user name, may be empty; copied.
 * @param user_len its length.
 * @param token the token; copied and wiped after the request.
 * @param token_len its length (1 .. max_secret).
 * @return see above; ::CORREU_ERR_AUTH.
 */
CORREU_API CORREU_NODISCARD int correu_store_auth_token(correu_store_req *req, uint32_t mech,
                                                        const char *user, size_t user_len,
                                                        const char *token, size_t token_len);
/**
 * Open a user's mail.
 * @param req a fresh request.
 * @param user the (canonical) user name; copied.
 * @param user_len its length.
 * @return see above. Take the session with correu_store_req_take_session().
 */
CORREU_API CORREU_NODISCARD int correu_store_session_open(correu_store_req *req, const char *user,
                                                          size_t user_len);
/**
 * Close a session. Its boxes, appends and streams must be closed first, and
 * no request may be pending on it (free or cancel those first).
 * @param session the session; NULL is a no-op.
 */
CORREU_API void correu_store_session_close(correu_store_session *session);

/**
 * List mailboxes; the `mailbox` hook receives them.
 * @param req a fresh request.
 * @param session the session.
 * @param pattern LIST pattern; copied.
 * @param pattern_len its length.
 * @param flags `CORREU_STORE_LIST_*`.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_list(correu_store_req *req,
                                                  correu_store_session *session,
                                                  const char *pattern, size_t pattern_len,
                                                  uint32_t flags);
/**
 * Create a mailbox.
 * @param req a fresh request.
 * @param session the session.
 * @param name the name; copied.
 * @param name_len its length.
 * @param special_use `CORREU_STORE_USE_*` bits or 0.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_create(correu_store_req *req,
                                                    correu_store_session *session, const char *name,
                                                    size_t name_len, uint32_t special_use);
/**
 * Delete a mailbox.
 * @param req a fresh request.
 * @param session the session.
 * @param name the name; copied.
 * @param name_len its length.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_delete(correu_store_req *req,
                                                    correu_store_session *session, const char *name,
                                                    size_t name_len);
/**
 * Rename a mailbox.
 * @param req a fresh request.
 * @param session the session.
 * @param from the old name; copied.
 * @param from_len its length.
 * @param to the new name; copied.
 * @param to_len its length.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_rename(correu_store_req *req,
                                                    correu_store_session *session, const char *from,
                                                    size_t from_len, const char *to, size_t to_len);
/**
 * Subscribe to or unsubscribe from a mailbox name.
 * @param req a fresh request.
 * @param session the session.
 * @param name the name; copied.
 * @param name_len its length.
 * @param subscribe 1 to subscribe, 0 to unsubscribe.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_subscribe(correu_store_req *req,
                                                       correu_store_session *session,
                                                       const char *name, size_t name_len,
                                                       uint32_t subscribe);
/**
 * The state of a mailbox; read it with correu_store_req_status().
 * @param req a fresh request.
 * @param session the session.
 * @param name the name; copied.
 * @param name_len its length.
 * @param items `CORREU_STORE_STATUS_*` bits wanted.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_mailbox_status(correu_store_req *req,
                                                            correu_store_session *session,
                                                            const char *name, size_t name_len,
                                                            uint32_t items);
/**
 * Select a mailbox; its messages reach the `msg` hook, its state
 * correu_store_req_status(), the box correu_store_req_take_box().
 * @param req a fresh request.
 * @param session the session.
 * @param name the name; copied.
 * @param name_len its length.
 * @param flags `CORREU_STORE_SELECT_*`.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_select(correu_store_req *req,
                                                    correu_store_session *session, const char *name,
                                                    size_t name_len, uint32_t flags);
/**
 * Close a mailbox. Its streams must be closed first, and no request may be
 * pending on it.
 * @param box the box; NULL is a no-op.
 */
CORREU_API void correu_store_box_close(correu_store_box *box);

/**
 * Receives a backend's "this mailbox changed" signal (IDLE).
 * @param box the box that changed.
 * @param userdata as given to correu_store_box_set_watch().
 * @return ignored.
 */
typedef int (*correu_store_watch_fn)(correu_store_box *box, void *userdata);

/**
 * Be told when the backend signals a change to a selected mailbox; the core
 * then runs correu_store_box_sync().
 * @param box the box.
 * @param fn the function; NULL to stop watching.
 * @param userdata passed to `fn`.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int
correu_store_box_set_watch(correu_store_box *box, correu_store_watch_fn fn, void *userdata);
/**
 * Fetch the changes of a selected mailbox (hooks `uid` and `msg`).
 * @param req a fresh request.
 * @param box the box.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_box_sync(correu_store_req *req, correu_store_box *box);
/**
 * Open a message for reading; take the stream with
 * correu_store_req_take_stream().
 * @param req a fresh request.
 * @param box the box.
 * @param uid the message's UID.
 * @return see above; ::CORREU_ERR_NOT_FOUND.
 */
CORREU_API CORREU_NODISCARD int correu_store_message_open(correu_store_req *req,
                                                          correu_store_box *box, uint32_t uid);
/**
 * Read the next chunk of a message (::correu_store_result `data`; empty at
 * the end).
 * @param req a fresh request.
 * @param stream the stream.
 * @param max most bytes wanted (1 .. max_chunk).
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_stream_read(correu_store_req *req,
                                                         correu_store_stream *stream, size_t max);
/**
 * Close a stream. No request may be pending on it.
 * @param stream the stream; NULL is a no-op.
 */
CORREU_API void correu_store_stream_close(correu_store_stream *stream);

/**
 * Change flags and keywords (hooks `msg` and `uid`).
 * @param req a fresh request.
 * @param box the box.
 * @param ranges `range_count` pairs (first, last) of UIDs, first <= last,
 *        first >= 1; copied.
 * @param range_count how many pairs (1 .. max_ranges).
 * @param mode a `CORREU_STORE_FLAGS_*` mode.
 * @param flags `CORREU_STORE_FLAG_*` bits (settable ones only).
 * @param keywords space-separated keywords; copied; may be NULL.
 * @param keywords_len its length (at most max_keywords).
 * @param unchangedsince CONDSTORE UNCHANGEDSINCE, 0 for none.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_set_flags(correu_store_req *req, correu_store_box *box,
                                                       const uint32_t *ranges, size_t range_count,
                                                       uint32_t mode, uint32_t flags,
                                                       const char *keywords, size_t keywords_len,
                                                       uint64_t unchangedsince);
/**
 * Expunge \\Deleted messages (hook `uid`).
 * @param req a fresh request.
 * @param box the box.
 * @param ranges UID ranges as for correu_store_set_flags(), or NULL.
 * @param range_count 0 for every \\Deleted message.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_expunge(correu_store_req *req, correu_store_box *box,
                                                     const uint32_t *ranges, size_t range_count);
/**
 * Copy or move messages to another mailbox (hook `uid`).
 * @param req a fresh request.
 * @param box the box.
 * @param ranges UID ranges as for correu_store_set_flags().
 * @param range_count how many pairs (1 .. max_ranges).
 * @param dest destination mailbox name; copied.
 * @param dest_len its length.
 * @param move 1 to move (`move` entry), 0 to copy.
 * @return see above; ::CORREU_ERR_NOT_FOUND (no such destination).
 */
CORREU_API CORREU_NODISCARD int correu_store_copy(correu_store_req *req, correu_store_box *box,
                                                  const uint32_t *ranges, size_t range_count,
                                                  const char *dest, size_t dest_len, uint32_t move);
/**
 * Begin an append; take it with correu_store_req_take_append().
 * @param req a fresh request.
 * @param session the session.
 * @param name the mailbox; copied.
 * @param name_len its length.
 * @param flags `CORREU_STORE_FLAG_*` settable bits.
 * @param keywords space-separated keywords; copied; may be NULL.
 * @param keywords_len its length.
 * @param internal_date seconds since 1970, 0 for now.
 * @param size the message size announced by the client.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int
correu_store_append_begin(correu_store_req *req, correu_store_session *session, const char *name,
                          size_t name_len, uint32_t flags, const char *keywords,
                          size_t keywords_len, int64_t internal_date, uint64_t size);
/**
 * Give the next chunk of an appended message.
 * @param req a fresh request.
 * @param append the append.
 * @param data the bytes; copied into the request.
 * @param len their count (1 .. max_chunk).
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_append_write(correu_store_req *req,
                                                          correu_store_append *append,
                                                          const uint8_t *data, size_t len);
/**
 * Commit an append (the append is closed whatever the result; do not abort
 * it afterwards). UIDVALIDITY and UID are in the result.
 * @param req a fresh request.
 * @param append the append; taken over.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_append_commit(correu_store_req *req,
                                                           correu_store_append *append);
/**
 * Drop an append.
 * @param append the append; NULL is a no-op. Must have no request pending.
 */
CORREU_API void correu_store_append_abort(correu_store_append *append);

/**
 * Begin a delivery (MAIL FROM). A refusal is a completed request with a
 * negative status (::CORREU_ERR_REPLY) and the backend's reply in the
 * result.
 * @param req a fresh request.
 * @param env the envelope; its strings are copied.
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_deliver_begin(correu_store_req *req,
                                                           const correu_store_envelope *env);
/**
 * Offer a recipient (RCPT TO); the reply is in the result (status 0 for a
 * 2xx reply, ::CORREU_ERR_REPLY for 4xx/5xx).
 * @param req a fresh request.
 * @param delivery the delivery.
 * @param rcpt the recipient; copied; its `index` is set by the store.
 * @return see above; ::CORREU_ERR_LIMIT past max_rcpts.
 */
CORREU_API CORREU_NODISCARD int correu_store_deliver_rcpt(correu_store_req *req,
                                                          correu_store_delivery *delivery,
                                                          const correu_store_rcpt *rcpt);
/**
 * Give the next chunk of the message.
 * @param req a fresh request.
 * @param delivery the delivery.
 * @param data the bytes; copied into the request.
 * @param len their count (1 .. max_chunk).
 * @return see above.
 */
CORREU_API CORREU_NODISCARD int correu_store_deliver_data(correu_store_req *req,
                                                          correu_store_delivery *delivery,
                                                          const uint8_t *data, size_t len);
/**
 * The message is complete: wait for durability. The final reply is in the
 * result; LMTP per-recipient replies reach the `rcpt_reply` hook just
 * before completion is reported.
 * @param req a fresh request.
 * @param delivery the delivery.
 * @return see above; ::CORREU_ERR_REPLY when the final reply is 4xx/5xx.
 */
CORREU_API CORREU_NODISCARD int correu_store_deliver_commit(correu_store_req *req,
                                                            correu_store_delivery *delivery);
/**
 * Close a delivery (after commit, or to abort: RSET, QUIT, lost client).
 * @param delivery the delivery; NULL is a no-op. Must have no request pending.
 */
CORREU_API void correu_store_delivery_close(correu_store_delivery *delivery);

#ifdef __cplusplus
}
#endif
#endif
