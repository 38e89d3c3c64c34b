/*
 * correu store layer, the store and its requests: wrapping a backend table
 * for the cores (settings, limits), and the request object every operation
 * runs on: its operation codes, the hooks through which it reports to its
 * core, and how a core reads what it produced. Part of <correu/store.h>.
 */
#ifndef CORREU_STORE_REQ_H
#define CORREU_STORE_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "correu/store_backend.h"
#include "correu/store_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The store (::correu_store) and its requests (::correu_store_req);
 * see @ref store_contract.
 */

/* ------------------------------------------------------------------ */
/* The store                                                           */

/** Version of ::correu_store_settings this header describes. */
#define CORREU_STORE_SETTINGS_VERSION 1

/**
 * Limits the store checks before a backend sees anything. Fill with
 * correu_store_settings_init(); a zero field means its default.
 */
typedef struct correu_store_settings {
	uint32_t version;      /**< ::CORREU_STORE_SETTINGS_VERSION */
	uint32_t max_user;     /**< longest user name, bytes (default 255) */
	uint32_t max_name;     /**< longest mailbox name or address (default 1024) */
	uint32_t max_secret;   /**< longest password or token (default 4096) */
	uint32_t max_text;     /**< longest reply text from a backend (default 512) */
	uint32_t max_chunk;    /**< largest read or write chunk (default 65536) */
	uint32_t max_keywords; /**< longest keyword list, bytes (default 4096) */
	uint32_t max_ranges;   /**< most UID ranges in one request (default 65536) */
	uint32_t max_rcpts;    /**< most recipients per delivery (default 1000) */
} correu_store_settings;

/**
 * Fill settings with the defaults.
 * @param s the settings; its `version` is set.
 * @return 0 or ::CORREU_ERR_ARG (NULL).
 */
CORREU_API CORREU_NODISCARD int correu_store_settings_init(correu_store_settings *s);

/**
 * Wrap a backend table for the cores.
 * @param backend the table; copied (so a static table may be reused).
 * @param backend_userdata passed last to every callback; borrowed until
 *        correu_store_free() (which calls `destroy` with it).
 * @param settings limits; copied; NULL for the defaults.
 * @param alloc allocator for the store, its requests and objects;
 *        borrowed until correu_store_free(); NULL for libc.
 * @param store_out receives the store.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, unknown table or settings
 *         version, or an incomplete group, such as `select` without
 *         `box_close`, that would make the store call a NULL entry);
 *         ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_store_new(const correu_store_backend *backend,
                                                 void *backend_userdata,
                                                 const correu_store_settings *settings,
                                                 const correu_allocator *alloc,
                                                 correu_store **store_out);

/**
 * Free the store and call the backend's `destroy`. Every request must be
 * complete or cancelled-and-completed, and every object closed, first.
 * @param store the store; NULL is a no-op.
 */
CORREU_API void correu_store_free(correu_store *store);

/**
 * The capabilities of the store's backend (correu_store_backend_caps()).
 * @param store the store.
 * @return `CORREU_STORE_CAP_*` bits; 0 for NULL.
 */
CORREU_API uint32_t correu_store_caps(const correu_store *store);

/**
 * Requests made but not yet freed or (if cancelled) completed; a core's
 * tests use it to check that nothing is left behind.
 * @param store the store.
 * @return the count; 0 for NULL.
 */
CORREU_API size_t correu_store_live_requests(const correu_store *store);

/* ------------------------------------------------------------------ */
/* Requests (core side)                                                */

/** Operation: correu_store_auth_password(). */
#define CORREU_STORE_OP_AUTH_PASSWORD 1u
/** Operation: correu_store_auth_scram_keys(). */
#define CORREU_STORE_OP_AUTH_SCRAM_KEYS 2u
/** Operation: correu_store_auth_token(). */
#define CORREU_STORE_OP_AUTH_TOKEN 3u
/** Operation: correu_store_session_open(). */
#define CORREU_STORE_OP_SESSION_OPEN 4u
/** Operation: correu_store_list(). */
#define CORREU_STORE_OP_LIST 5u
/** Operation: correu_store_create(). */
#define CORREU_STORE_OP_CREATE 6u
/** Operation: correu_store_delete(). */
#define CORREU_STORE_OP_DELETE 7u
/** Operation: correu_store_rename(). */
#define CORREU_STORE_OP_RENAME 8u
/** Operation: correu_store_subscribe(). */
#define CORREU_STORE_OP_SUBSCRIBE 9u
/** Operation: correu_store_mailbox_status(). */
#define CORREU_STORE_OP_STATUS 10u
/** Operation: correu_store_select(). */
#define CORREU_STORE_OP_SELECT 11u
/** Operation: correu_store_box_sync(). */
#define CORREU_STORE_OP_SYNC 12u
/** Operation: correu_store_message_open(). */
#define CORREU_STORE_OP_MESSAGE_OPEN 13u
/** Operation: correu_store_stream_read(). */
#define CORREU_STORE_OP_STREAM_READ 14u
/** Operation: correu_store_set_flags(). */
#define CORREU_STORE_OP_SET_FLAGS 15u
/** Operation: correu_store_expunge(). */
#define CORREU_STORE_OP_EXPUNGE 16u
/** Operation: correu_store_copy() without `move`. */
#define CORREU_STORE_OP_COPY 17u
/** Operation: correu_store_copy() with `move`. */
#define CORREU_STORE_OP_MOVE 18u
/** Operation: correu_store_append_begin(). */
#define CORREU_STORE_OP_APPEND_BEGIN 19u
/** Operation: correu_store_append_write(). */
#define CORREU_STORE_OP_APPEND_WRITE 20u
/** Operation: correu_store_append_commit(). */
#define CORREU_STORE_OP_APPEND_COMMIT 21u
/** Operation: correu_store_deliver_begin(). */
#define CORREU_STORE_OP_DELIVER_BEGIN 22u
/** Operation: correu_store_deliver_rcpt(). */
#define CORREU_STORE_OP_DELIVER_RCPT 23u
/** Operation: correu_store_deliver_data(). */
#define CORREU_STORE_OP_DELIVER_DATA 24u
/** Operation: correu_store_deliver_commit(). */
#define CORREU_STORE_OP_DELIVER_COMMIT 25u

/** Version of ::correu_store_result this header describes. */
#define CORREU_STORE_RESULT_VERSION 1

/**
 * What a completed request produced; read with correu_store_req_result().
 * Fields an operation does not produce are zero/NULL.
 */
typedef struct correu_store_result {
	uint32_t version;     /**< set by the caller: ::CORREU_STORE_RESULT_VERSION */
	uint32_t op;          /**< the `CORREU_STORE_OP_*` that ran */
	int32_t status;       /**< 0 or a negative `CORREU_ERR_*`; the meaning
	                              of each code is listed per operation */
	uint32_t uidvalidity; /**< append commit, copy, move: UIDVALIDITY of the
	                              destination (APPENDUID/COPYUID, RFC 4315) */
	uint32_t uid;         /**< append commit: the new message's UID */
	uint32_t reply_code;  /**< delivery: SMTP reply code (250, 451, 550 ...) */
	uint32_t enhanced[3]; /**< delivery: enhanced status code class,
	                              subject, detail (RFC 3463); all zero when none */
	const char *text;     /**< delivery: reply text; auth: the canonical
	                              user name; NUL-terminated; owned by the
	                              request */
	size_t text_len;      /**< bytes in `text` */
	const uint8_t *data;  /**< message read: the chunk (empty at the end);
	                              owned by the request */
	size_t data_len;      /**< bytes in `data` */
} correu_store_result;

/** Version of ::correu_store_hooks this header describes. */
#define CORREU_STORE_HOOKS_VERSION 1

/**
 * How a request reports to its core. Any hook may be NULL. Hooks run on
 * the event-loop thread; they must not free the request they are called
 * for (return a negative code instead: the backend is told to stop, and the
 * request completes with that code).
 */
typedef struct correu_store_hooks {
	uint32_t version; /**< ::CORREU_STORE_HOOKS_VERSION */
	/** A request that paused has completed; read its result. Never called
	 * from inside the call function that started it. Return ignored. */
	int (*done)(correu_store_req *req, void *userdata);
	/** A mailbox of a LIST; `mbox` is borrowed for the call. Return 0, or a
	 * negative code to stop the listing. */
	int (*mailbox)(correu_store_req *req, const correu_store_mailbox *mbox, void *userdata);
	/** A message (SELECT, sync, set_flags); borrowed for the call. Return 0
	 * or a negative code to stop. */
	int (*msg)(correu_store_req *req, const correu_store_msg *msg, void *userdata);
	/** A UID event: `kind` is a `CORREU_STORE_UID_*` value, `uid2` the
	 * destination UID for ::CORREU_STORE_UID_COPIED, else 0. Return 0 or a
	 * negative code to stop. */
	int (*uid)(correu_store_req *req, uint32_t kind, uint32_t uid, uint32_t uid2,
	           void *userdata);
	/** LMTP: the reply for recipient `index` (see ::correu_store_rcpt),
	 * reported at completion of the commit, once per recipient the backend
	 * accepted, in index order. `text` is borrowed for the call. Return
	 * ignored. */
	int (*rcpt_reply)(correu_store_req *req, uint32_t index, uint32_t code,
	                  const uint32_t *enhanced, const char *text, size_t text_len,
	                  void *userdata);
} correu_store_hooks;

/**
 * Make a request object for one operation.
 * @param store the store; borrowed for the request's life.
 * @param hooks how to report; borrowed until the request is freed (a static
 *        table in the core); NULL for none (then only synchronous answers
 *        are seen, and the core must poll correu_store_req_done()).
 * @param userdata passed to the hooks.
 * @param req_out receives the request.
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_store_req_new(correu_store *store,
                                                     const correu_store_hooks *hooks,
                                                     void *userdata, correu_store_req **req_out);

/**
 * Free a request. A pending one is cancelled instead: its hooks are never
 * called again and it is freed when the backend completes it. A handle a
 * completed request carried and nobody took is closed.
 * @param req the request; NULL is a no-op. Must not be called from the
 *        request's own hooks.
 */
CORREU_API void correu_store_req_free(correu_store_req *req);

/**
 * Whether a request has completed.
 * @param req the request.
 * @return 1 done, 0 not started or pending, ::CORREU_ERR_ARG.
 */
CORREU_API int correu_store_req_done(const correu_store_req *req);

/**
 * Read what a completed request produced.
 * @param req the request.
 * @param out filled in; its `version` must be set first. Pointers in it are
 *        owned by the request (valid until it is freed).
 * @return 0; ::CORREU_ERR_STATE (not completed); ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_store_req_result(const correu_store_req *req,
                                                        correu_store_result *out);

/**
 * The SCRAM keys an ::CORREU_STORE_OP_AUTH_SCRAM_KEYS request returned.
 * @param req the request (completed with status 0).
 * @param keys_out receives a copy (wipe it when done).
 * @return 0; ::CORREU_ERR_STATE (not completed or another operation);
 *         the request's negative status; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_store_req_scram_keys(const correu_store_req *req,
                                                            correu_sasl_scram_keys *keys_out);

/**
 * The mailbox state a select, sync or status request returned.
 * @param req the request (completed with status 0).
 * @param out filled in; its `version` must be set first; `keywords` points
 *        into the request.
 * @return 0; ::CORREU_ERR_STATE; the request's negative status; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_store_req_status(const correu_store_req *req,
                                                        correu_store_status *out);

/**
 * Take the session a session_open request produced (once).
 * @param req the request (completed with status 0).
 * @param out receives the session; the caller closes it.
 * @return 0; ::CORREU_ERR_STATE (none, or taken already); the request's
 *         negative status; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_store_req_take_session(correu_store_req *req,
                                                              correu_store_session **out);
/**
 * Take the mailbox a select request produced (once).
 * @param req the request.
 * @param out receives the box; the caller closes it.
 * @return as correu_store_req_take_session().
 */
CORREU_API CORREU_NODISCARD int correu_store_req_take_box(correu_store_req *req,
                                                          correu_store_box **out);
/**
 * Take the stream a message_open request produced (once).
 * @param req the request.
 * @param out receives the stream; the caller closes it.
 * @return as correu_store_req_take_session().
 */
CORREU_API CORREU_NODISCARD int correu_store_req_take_stream(correu_store_req *req,
                                                             correu_store_stream **out);
/**
 * Take the append an append_begin request produced (once).
 * @param req the request.
 * @param out receives the append; commit or abort it.
 * @return as correu_store_req_take_session().
 */
CORREU_API CORREU_NODISCARD int correu_store_req_take_append(correu_store_req *req,
                                                             correu_store_append **out);
/**
 * Take the delivery a deliver_begin request produced (once).
 * @param req the request.
 * @param out receives the delivery; the caller closes it.
 * @return as correu_store_req_take_session().
 */
CORREU_API CORREU_NODISCARD int correu_store_req_take_delivery(correu_store_req *req,
                                                               correu_store_delivery **out);

#ifdef __cplusplus
}
#endif
#endif
