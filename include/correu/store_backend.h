/*
 * correu store layer, the backend table: the versioned table of callbacks
 * a backend fills (a NULL entry means "not supported"), the flags and modes
 * its callbacks receive, and the capabilities the cores derive from which
 * entries are present. Part of <correu/store.h>.
 */
#ifndef CORREU_STORE_BACKEND_H
#define CORREU_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/store_delivery.h"
#include "correu/store_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The backend side of the interface: ::correu_store_backend and its
 * capabilities; see @ref store_contract for how a callback answers.
 */

/* ------------------------------------------------------------------ */
/* The backend table                                                   */

/** Backend feature: messages carry MODSEQ values and mailboxes
 * HIGHESTMODSEQ, persistently (needed for CONDSTORE/QRESYNC, RFC 7162). */
#define CORREU_STORE_FEATURE_MODSEQ 0x1u
/** Backend feature: LIST reports `CORREU_STORE_USE_*` (SPECIAL-USE, RFC 6154). */
#define CORREU_STORE_FEATURE_SPECIAL_USE 0x2u
/** Backend feature: append commit and copy/move report the new UIDs and the
 * destination UIDVALIDITY (UIDPLUS, RFC 4315). */
#define CORREU_STORE_FEATURE_UIDPLUS 0x4u
/** Backend feature: the backend calls correu_store_box_notify() when a
 * selected mailbox changes, so IDLE needs no polling. */
#define CORREU_STORE_FEATURE_NOTIFY 0x8u

/** list() flag: only subscribed mailboxes (LSUB, LIST (SUBSCRIBED)). */
#define CORREU_STORE_LIST_SUBSCRIBED 0x1u
/** list() flag: the client asked for special-use attributes. */
#define CORREU_STORE_LIST_SPECIAL_USE 0x2u

/** select() flag: open read-only (EXAMINE; POP3 does not). */
#define CORREU_STORE_SELECT_READ_ONLY 0x1u
/** select() flag: the client enabled CONDSTORE: emit MODSEQ values. */
#define CORREU_STORE_SELECT_CONDSTORE 0x2u
/** select() flag: POP3 session: the mailbox is locked against other POP3
 * sessions of the user until closed (RFC 1939 section 8). */
#define CORREU_STORE_SELECT_POP3 0x4u

/** set_flags() mode: add the flags and keywords (+FLAGS). */
#define CORREU_STORE_FLAGS_ADD 1u
/** set_flags() mode: remove them (-FLAGS). */
#define CORREU_STORE_FLAGS_REMOVE 2u
/** set_flags() mode: replace the message's flags and keywords (FLAGS). */
#define CORREU_STORE_FLAGS_REPLACE 3u

/** Version of ::correu_store_backend this header describes. */
#define CORREU_STORE_BACKEND_VERSION 1

/**
 * A backend: what it supports and how to call it. Every callback gets the
 * request first (where it has one) and the `userdata` given to
 * correu_store_new() last; see @ref store_contract for how to answer.
 * A NULL entry means "not supported": the store refuses the operation with
 * ::CORREU_ERR_UNSUPPORTED and correu_store_backend_caps() leaves out the
 * capability named on the entry, so the cores do not advertise it.
 *
 * Strings are (pointer, length), not NUL-terminated, valid until the
 * request completes. Names of users, mailboxes and addresses never contain
 * CR, LF or NUL (the store refuses them before the backend sees them) and
 * are at most the settings' limits long.
 */
typedef struct correu_store_backend {
	uint32_t version;  /**< ::CORREU_STORE_BACKEND_VERSION */
	uint32_t features; /**< `CORREU_STORE_FEATURE_*` bits */

	/* Authentication ------------------------------------------------ */

	/** Check a user name and password (SASL PLAIN and LOGIN, POP3 USER/PASS,
	 * IMAP LOGIN). Complete with correu_store_complete_user() when they
	 * match (optionally giving the canonical user name), or complete with
	 * ::CORREU_ERR_AUTH when they do not or the user is unknown (the same
	 * answer, so user names cannot be probed), ::CORREU_ERR_BUSY for a
	 * temporary failure. The password is wiped after the request.
	 * Capability: ::CORREU_STORE_CAP_AUTH_PASSWORD. */
	int (*auth_password)(correu_store_req *req, const char *user, size_t user_len,
	                     const char *password, size_t password_len, void *userdata);
	/** Give a user's stored SCRAM keys for `mech` (::CORREU_SASL_SCRAM_SHA_1
	 * or ::CORREU_SASL_SCRAM_SHA_256) with correu_store_complete_scram_keys();
	 * complete with ::CORREU_ERR_NOT_FOUND for an unknown user or one with
	 * no keys for that hash (the SASL layer then runs on with a fake salt).
	 * The store also uses it for PLAIN and LOGIN when `auth_password` is
	 * NULL. Capability: ::CORREU_STORE_CAP_AUTH_SCRAM (and
	 * ::CORREU_STORE_CAP_AUTH_PASSWORD). */
	int (*auth_scram_keys)(correu_store_req *req, uint32_t mech, const char *user,
	                       size_t user_len, void *userdata);
	/** Check an OAuth 2.0 bearer token for a user (`mech` is
	 * ::CORREU_SASL_XOAUTH2 or ::CORREU_SASL_OAUTHBEARER; `user` may be
	 * empty for OAUTHBEARER without an authzid: the token names the user
	 * then, given with correu_store_complete_user()). Complete with
	 * ::CORREU_ERR_AUTH for a bad token. Capability:
	 * ::CORREU_STORE_CAP_AUTH_TOKEN. */
	int (*auth_token)(correu_store_req *req, uint32_t mech, const char *user, size_t user_len,
	                  const char *token, size_t token_len, void *userdata);

	/* Sessions ------------------------------------------------------ */

	/** Open an authenticated user's mail (after authentication, or for a
	 * POP3/IMAP pre-authenticated session): complete with
	 * correu_store_complete_handle() and the backend's session pointer, or
	 * ::CORREU_ERR_NOT_FOUND (no mailbox for the user), ::CORREU_ERR_BUSY.
	 * Required by every mailbox operation; with `session_close`, `select`,
	 * `box_close`, `message_open`, `stream_read` and `stream_close` it makes
	 * ::CORREU_STORE_CAP_MAILBOX (POP3 and IMAP service). */
	int (*session_open)(correu_store_req *req, const char *user, size_t user_len,
	                    void *userdata);
	/** Close a session opened by `session_open`. Synchronous; the return
	 * value is ignored. Every box of the session is closed first. */
	int (*session_close)(void *session, void *userdata);

	/* Mailboxes ----------------------------------------------------- */

	/** List mailboxes: emit each with correu_store_emit_mailbox(), then
	 * complete with 0. `pattern` is the client's LIST pattern (RFC 9051
	 * section 6.3.9, "*" and "%" wildcards, reference already applied) as a
	 * hint: the backend may emit more, the core filters. `flags` are
	 * `CORREU_STORE_LIST_*`. Capability: ::CORREU_STORE_CAP_LIST (without it
	 * the IMAP core lists only INBOX). */
	int (*list)(correu_store_req *req, void *session, const char *pattern, size_t pattern_len,
	            uint32_t flags, void *userdata);
	/** Create a mailbox, with the special use the client asked for
	 * (`CORREU_STORE_USE_*` bits, CREATE-SPECIAL-USE, RFC 6154 section 3)
	 * or 0. Complete with 0, ::CORREU_ERR_EXISTS, ::CORREU_ERR_ARG (bad
	 * name), ::CORREU_ERR_UNSUPPORTED (that special use). Capability:
	 * ::CORREU_STORE_CAP_CREATE. */
	int (*create)(correu_store_req *req, void *session, const char *name, size_t name_len,
	              uint32_t special_use, void *userdata);
	/** Delete a mailbox; complete with 0, ::CORREU_ERR_NOT_FOUND,
	 * ::CORREU_ERR_ARG (INBOX). Capability: ::CORREU_STORE_CAP_DELETE. */
	int (*delete_mailbox)(correu_store_req *req, void *session, const char *name,
	                      size_t name_len, void *userdata);
	/** Rename a mailbox and its children (RENAME of INBOX moves its
	 * messages, RFC 9051 section 6.3.6); complete with 0,
	 * ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_EXISTS. Capability:
	 * ::CORREU_STORE_CAP_RENAME. */
	int (*rename)(correu_store_req *req, void *session, const char *from, size_t from_len,
	              const char *to, size_t to_len, void *userdata);
	/** Subscribe (`subscribe` 1) or unsubscribe (0) a mailbox name, which
	 * need not exist. Capability: ::CORREU_STORE_CAP_SUBSCRIBE. */
	int (*subscribe)(correu_store_req *req, void *session, const char *name, size_t name_len,
	                 uint32_t subscribe, void *userdata);
	/** The state of a mailbox that need not be selected: complete with
	 * correu_store_complete_status() filling at least the
	 * `CORREU_STORE_STATUS_*` `items` asked for, or ::CORREU_ERR_NOT_FOUND.
	 * Capability: ::CORREU_STORE_CAP_STATUS. */
	int (*status)(correu_store_req *req, void *session, const char *name, size_t name_len,
	              uint32_t items, void *userdata);

	/* A selected mailbox -------------------------------------------- */

	/** Open a mailbox (IMAP SELECT/EXAMINE, POP3 after login with
	 * "INBOX"): emit every message in UID order with correu_store_emit_msg(),
	 * then complete with correu_store_complete_box(). `box` is the store's
	 * object for the mailbox, valid until `box_close`; a backend with
	 * ::CORREU_STORE_FEATURE_NOTIFY keeps it for correu_store_box_notify().
	 * `flags` are `CORREU_STORE_SELECT_*`. Errors: ::CORREU_ERR_NOT_FOUND,
	 * ::CORREU_ERR_BUSY (POP3 lock held). Part of ::CORREU_STORE_CAP_MAILBOX. */
	int (*select)(correu_store_req *req, void *session, const char *name, size_t name_len,
	              uint32_t flags, correu_store_box *box, void *userdata);
	/** Close a mailbox opened by `select`. Synchronous; return ignored. */
	int (*box_close)(void *box, void *userdata);
	/** Report what changed since `select` or the last sync (NOOP, IDLE,
	 * CHECK, and before every IMAP command's completion): emit expunged
	 * UIDs (correu_store_emit_uid() with ::CORREU_STORE_UID_EXPUNGED), new
	 * messages and messages whose flags changed (correu_store_emit_msg()),
	 * then complete with correu_store_complete_status(). Capability:
	 * ::CORREU_STORE_CAP_IDLE (without it the mailbox looks frozen while
	 * selected). */
	int (*sync)(correu_store_req *req, void *box, void *userdata);
	/** Open one message for reading: complete with
	 * correu_store_complete_handle() and a stream pointer, or
	 * ::CORREU_ERR_NOT_FOUND (expunged meanwhile). Part of
	 * ::CORREU_STORE_CAP_MAILBOX. */
	int (*message_open)(correu_store_req *req, void *box, uint32_t uid, void *userdata);
	/** Read the next chunk of at most `max` bytes of the message (with CRLF
	 * line ends) and complete with correu_store_complete_data(); an empty
	 * chunk means the end. Part of ::CORREU_STORE_CAP_MAILBOX. */
	int (*stream_read)(correu_store_req *req, void *stream, size_t max, void *userdata);
	/** Close a stream. Synchronous; return ignored. Part of
	 * ::CORREU_STORE_CAP_MAILBOX. */
	int (*stream_close)(void *stream, void *userdata);
	/** Change flags and keywords of the messages whose UIDs fall in
	 * `ranges` (`range_count` pairs of first, last UID, inclusive) by `mode`
	 * (`CORREU_STORE_FLAGS_*`). `keywords` are space-separated atoms.
	 * With `unchangedsince` non-zero (RFC 7162 section 3.1.3) a message whose
	 * MODSEQ is higher is left alone and emitted with
	 * ::CORREU_STORE_UID_MODIFIED. Emit each changed message with its new
	 * flags and MODSEQ, then complete with 0 (::CORREU_ERR_LIMIT when
	 * keywords cannot be created). Capability: ::CORREU_STORE_CAP_STORE
	 * (without it every mailbox is read-only). */
	int (*set_flags)(correu_store_req *req, void *box, const uint32_t *ranges,
	                 size_t range_count, uint32_t mode, uint32_t flags, const char *keywords,
	                 size_t keywords_len, uint64_t unchangedsince, void *userdata);
	/** Remove messages flagged \\Deleted, all of them (`range_count` 0) or
	 * only those whose UIDs fall in `ranges` (UID EXPUNGE, RFC 4315); POP3
	 * expunges the messages it marked with DELE at QUIT this way. Emit each
	 * expunged UID (::CORREU_STORE_UID_EXPUNGED), then complete with 0.
	 * Capability: ::CORREU_STORE_CAP_EXPUNGE. */
	int (*expunge)(correu_store_req *req, void *box, const uint32_t *ranges, size_t range_count,
	               void *userdata);
	/** Copy messages to another mailbox of the session (`dest`): emit
	 * ::CORREU_STORE_UID_COPIED pairs when the backend has
	 * ::CORREU_STORE_FEATURE_UIDPLUS, then complete with
	 * correu_store_complete_uid() (destination UIDVALIDITY, uid 0) or 0;
	 * ::CORREU_ERR_NOT_FOUND when `dest` does not exist (the core answers
	 * [TRYCREATE]). Capability: ::CORREU_STORE_CAP_COPY. */
	int (*copy)(correu_store_req *req, void *box, const uint32_t *ranges, size_t range_count,
	            const char *dest, size_t dest_len, void *userdata);
	/** As `copy`, then expunge the originals, emitting
	 * ::CORREU_STORE_UID_EXPUNGED for each after the pairs (RFC 6851).
	 * Capability: ::CORREU_STORE_CAP_MOVE. */
	int (*move)(correu_store_req *req, void *box, const uint32_t *ranges, size_t range_count,
	            const char *dest, size_t dest_len, void *userdata);

	/* Append -------------------------------------------------------- */

	/** Begin appending a message of `size` bytes (the literal's size, a
	 * hint) to mailbox `name` with `flags`, `keywords` and `internal_date`
	 * (0: now): complete with correu_store_complete_handle(), or
	 * ::CORREU_ERR_NOT_FOUND (TRYCREATE), ::CORREU_ERR_LIMIT (too large).
	 * With `append_write`, `append_commit` and `append_abort` it makes
	 * ::CORREU_STORE_CAP_APPEND. */
	int (*append_begin)(correu_store_req *req, void *session, const char *name, size_t name_len,
	                    uint32_t flags, const char *keywords, size_t keywords_len,
	                    int64_t internal_date, uint64_t size, void *userdata);
	/** Take the next chunk of the message; complete with 0 (pausing here is
	 * how a backend pushes back on a fast client). */
	int (*append_write)(correu_store_req *req, void *append, const uint8_t *data, size_t len,
	                    void *userdata);
	/** Store the message durably and close the append: complete with
	 * correu_store_complete_uid() (UIDVALIDITY and the new UID), or an error
	 * (the message is then not stored). The append is closed either way. */
	int (*append_commit)(correu_store_req *req, void *append, void *userdata);
	/** Drop an append that was not committed. Synchronous; return ignored. */
	int (*append_abort)(void *append, void *userdata);

	/* Delivery (SMTP, LMTP) ----------------------------------------- */

	/** Begin a transaction for `env` (MAIL FROM): complete with
	 * correu_store_complete_handle(), or refuse with
	 * correu_store_complete_reply() and a 4xx/5xx code (the core sends that
	 * reply). With `deliver_rcpt`, `deliver_data`, `deliver_commit` and
	 * `deliver_abort` it makes ::CORREU_STORE_CAP_DELIVERY. */
	int (*deliver_begin)(correu_store_req *req, const correu_store_envelope *env,
	                     void *userdata);
	/** Accept or refuse one recipient: complete with
	 * correu_store_complete_reply() (250 2.1.5 to accept; 550 5.1.1 for an
	 * unknown user, 452 4.2.2 over quota ...). */
	int (*deliver_rcpt)(correu_store_req *req, void *delivery, const correu_store_rcpt *rcpt,
	                    void *userdata);
	/** Take the next chunk of the message (as received, dot-stuffing
	 * removed, CRLF line ends); complete with 0 or refuse with an error
	 * (::CORREU_ERR_LIMIT: too large). */
	int (*deliver_data)(correu_store_req *req, void *delivery, const uint8_t *data, size_t len,
	                    void *userdata);
	/** The message is complete: make it durable for every accepted recipient
	 * and only then complete with correu_store_complete_reply() (250 means
	 * "stored, fsynced": nothing acknowledged may ever be lost). For LMTP
	 * give each accepted recipient its own reply with
	 * correu_store_set_rcpt_reply() before completing; recipients without
	 * one get the final reply. The delivery stays open afterwards; the
	 * core closes it with correu_store_delivery_close(), which calls
	 * `deliver_abort` (then a no-op for what was committed). */
	int (*deliver_commit)(correu_store_req *req, void *delivery, void *userdata);
	/** Close a delivery: drop what was not committed and free it (RSET,
	 * QUIT, a lost connection, or after commit). Synchronous; return
	 * ignored. */
	int (*deliver_abort)(void *delivery, void *userdata);

	/* Housekeeping -------------------------------------------------- */

	/** A paused request was cancelled (its connection went away). The
	 * backend may stop its work early, but must still complete the request
	 * (now, inside this call, or later). NULL: the backend finishes the work
	 * and its completion is ignored. */
	int (*cancel)(correu_store_req *req, void *userdata);
	/** The store is being freed; release the backend. May be NULL. */
	int (*destroy)(void *userdata);
} correu_store_backend;

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */

/** PLAIN and LOGIN (SASL), POP3 USER/PASS, IMAP LOGIN: `auth_password` or
 * `auth_scram_keys`. */
#define CORREU_STORE_CAP_AUTH_PASSWORD 0x000001u
/** SCRAM-SHA-1 and SCRAM-SHA-256: `auth_scram_keys`. */
#define CORREU_STORE_CAP_AUTH_SCRAM 0x000002u
/** XOAUTH2 and OAUTHBEARER: `auth_token`. */
#define CORREU_STORE_CAP_AUTH_TOKEN 0x000004u
/** POP3 and IMAP service at all: `session_open`, `session_close`, `select`,
 * `box_close`, `message_open`, `stream_read`, `stream_close`. */
#define CORREU_STORE_CAP_MAILBOX 0x000008u
/** IMAP LIST/LSUB beyond INBOX: `list`. */
#define CORREU_STORE_CAP_LIST 0x000010u
/** IMAP CREATE: `create`. */
#define CORREU_STORE_CAP_CREATE 0x000020u
/** IMAP DELETE: `delete_mailbox`. */
#define CORREU_STORE_CAP_DELETE 0x000040u
/** IMAP RENAME: `rename`. */
#define CORREU_STORE_CAP_RENAME 0x000080u
/** IMAP SUBSCRIBE/UNSUBSCRIBE: `subscribe`. */
#define CORREU_STORE_CAP_SUBSCRIBE 0x000100u
/** IMAP STATUS: `status`. */
#define CORREU_STORE_CAP_STATUS 0x000200u
/** IMAP APPEND: the four `append_*` callbacks. */
#define CORREU_STORE_CAP_APPEND 0x000400u
/** IMAP STORE (a read-write mailbox): `set_flags`. */
#define CORREU_STORE_CAP_STORE 0x000800u
/** IMAP EXPUNGE/CLOSE, POP3 DELE: `expunge`. */
#define CORREU_STORE_CAP_EXPUNGE 0x001000u
/** IMAP COPY: `copy`. */
#define CORREU_STORE_CAP_COPY 0x002000u
/** IMAP MOVE (RFC 6851): `move` and `expunge`. */
#define CORREU_STORE_CAP_MOVE 0x004000u
/** IMAP IDLE (RFC 2177) and mailbox updates on NOOP: `sync`. */
#define CORREU_STORE_CAP_IDLE 0x008000u
/** IMAP UIDPLUS (RFC 4315): ::CORREU_STORE_FEATURE_UIDPLUS and `expunge`. */
#define CORREU_STORE_CAP_UIDPLUS 0x010000u
/** IMAP CONDSTORE (RFC 7162): ::CORREU_STORE_FEATURE_MODSEQ, `set_flags`
 * and `sync`. */
#define CORREU_STORE_CAP_CONDSTORE 0x020000u
/** IMAP SPECIAL-USE (RFC 6154): ::CORREU_STORE_FEATURE_SPECIAL_USE and `list`. */
#define CORREU_STORE_CAP_SPECIAL_USE 0x040000u
/** IMAP CREATE-SPECIAL-USE: ::CORREU_STORE_CAP_SPECIAL_USE and `create`. */
#define CORREU_STORE_CAP_CREATE_SPECIAL_USE 0x080000u
/** SMTP and LMTP delivery: the five `deliver_*` callbacks. */
#define CORREU_STORE_CAP_DELIVERY 0x100000u

/**
 * Which capabilities a backend table supports: what the cores may
 * advertise. A group of callbacks that belong together (such as the four
 * `append_*`) counts only when all are present.
 * @param backend the table; borrowed for the call.
 * @param caps_out receives `CORREU_STORE_CAP_*` bits.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, or a version this library does
 *         not know).
 */
CORREU_API CORREU_NODISCARD int correu_store_backend_caps(const correu_store_backend *backend,
                                                          uint32_t *caps_out);

#ifdef __cplusplus
}
#endif
#endif
