/*
 * correu store layer: the backend interface, the contract between the
 * server cores (SMTP/LMTP, POP3, IMAP) and whatever keeps users and mail.
 * A backend is a versioned table of callbacks; a NULL entry means "not
 * supported" and the matching capability is not advertised. Every callback
 * may answer at once or later, so slow and Python backends share one event
 * loop with the server runtime.
 */
#ifndef CORREU_STORE_H
#define CORREU_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The backend interface.
 *
 * **Two sides.** A *backend* fills a ::correu_store_backend table. The
 * server runtime wraps it in a ::correu_store with correu_store_new(), and
 * the protocol cores call it only through the `correu_store_*` "call"
 * functions below, never the table directly: the store checks arguments
 * and limits, owns the request objects and turns the backend's answers into
 * results the cores read.
 *
 * **Requests.** Each operation runs on a ::correu_store_req that the core
 * made with correu_store_req_new(). The call function (for example
 * correu_store_auth_password()) hands the request to the backend callback,
 * which does one of three things:
 *
 * - answers **now**: it calls a completion function
 *   (`correu_store_complete*()`) for the request and returns 0;
 * - answers **later**: it returns ::CORREU_PAUSE, keeps the request, and
 *   calls a completion function afterwards, from the thread that runs the
 *   event loop (a backend with worker threads hands its result back to the
 *   loop first, for example through its own wake-up descriptor);
 * - **fails now**: it returns a negative `CORREU_ERR_*` code without
 *   completing; that code becomes the request's status.
 *
 * A callback that returns 0 without completing is a bug: the request then
 * fails with ::CORREU_ERR_INTERNAL. Whatever happened, the call function
 * returns 0 when the request completed successfully during the call, a
 * negative status when it completed with one, or ::CORREU_PAUSE when the
 * answer comes later; then the request's `done` hook runs at completion.
 * `done` never runs inside the call function, so a core is never re-entered
 * from its own call. Results are read with correu_store_req_result() and
 * the `correu_store_req_take_*()` functions once the request is done.
 *
 * **Streams of items.** Operations that produce many things (a mailbox
 * list, the messages of a selected mailbox, expunged UIDs, COPYUID pairs,
 * LMTP per-recipient replies) hand them over one at a time with
 * `correu_store_emit_*()` before completing. Each emission reaches the
 * core's item hook at once, so nothing is collected: a mailbox with a
 * million messages costs the store no memory. Item hooks may therefore run
 * inside a call function (when the backend answers now).
 *
 * **Cancellation.** When a connection goes away, its core frees its
 * requests with correu_store_req_free() whatever their state. A pending
 * request is then *cancelled*: the core's hooks are forgotten, the
 * backend's optional `cancel` callback is told, and the request object
 * lives on until the backend completes it. That completion is safe, is
 * ignored, and returns ::CORREU_ERR_CANCELLED; a handle it carried (a
 * session, mailbox, stream, append or delivery) is closed through the
 * table so nothing leaks. A backend must complete every request it paused,
 * cancelled or not.
 *
 * **Handles.** Operations that open something (a user session, a selected
 * mailbox, a message stream, an append, a delivery) complete with the
 * backend's own pointer via correu_store_complete_handle(); the core takes
 * it as a typed store object (::correu_store_session, ::correu_store_box,
 * ...) and later closes it with the matching close call, which reaches the
 * backend's close callback. The backend's pointer is opaque to correu.
 *
 * **Threading.** A store and its objects belong to one thread, the one
 * running the event loop. Nothing here blocks unless the backend does.
 *
 * **ctypes.** Callbacks take fixed-width integers, sizes and pointers,
 * never a struct by value, and `void *userdata` last. Strings are
 * (pointer, length) pairs, valid for the duration of the callback unless a
 * parameter says otherwise; for a paused request they stay valid until it
 * completes (the request holds copies).
 */

/** The store: a backend table and its userdata, wrapped for the cores. */
typedef struct correu_store correu_store;
/** One operation in flight or done; see the file documentation. */
typedef struct correu_store_req correu_store_req;
/** An authenticated user's view of their mail (from correu_store_session_open()). */
typedef struct correu_store_session correu_store_session;
/** A selected (open) mailbox (from correu_store_select()). */
typedef struct correu_store_box correu_store_box;
/** A message opened for reading in chunks (from correu_store_message_open()). */
typedef struct correu_store_stream correu_store_stream;
/** A message being appended (from correu_store_append_begin()). */
typedef struct correu_store_append correu_store_append;
/** A mail delivery transaction (from correu_store_deliver_begin()). */
typedef struct correu_store_delivery correu_store_delivery;

/* ------------------------------------------------------------------ */
/* Data exchanged with the backend                                     */

/** Message flag \\Seen (RFC 9051 section 2.3.2). */
#define CORREU_STORE_FLAG_SEEN 0x01u
/** Message flag \\Answered. */
#define CORREU_STORE_FLAG_ANSWERED 0x02u
/** Message flag \\Flagged. */
#define CORREU_STORE_FLAG_FLAGGED 0x04u
/** Message flag \\Deleted. */
#define CORREU_STORE_FLAG_DELETED 0x08u
/** Message flag \\Draft. */
#define CORREU_STORE_FLAG_DRAFT 0x10u
/** Message flag \\Recent (RFC 3501; a backend sets it, nobody can store it). */
#define CORREU_STORE_FLAG_RECENT 0x20u
/** Every system flag a client may set (\\Recent excluded). */
#define CORREU_STORE_FLAGS_SETTABLE 0x1fu

/** Version of ::correu_store_msg this header describes. */
#define CORREU_STORE_MSG_VERSION 1

/**
 * One message of a mailbox, as a backend emits it with
 * correu_store_emit_msg() (SELECT, sync, flag changes, POP3 listing).
 */
typedef struct correu_store_msg {
	uint32_t version;      /**< ::CORREU_STORE_MSG_VERSION */
	uint32_t uid;          /**< its UID (non-zero, ascending in a listing) */
	uint32_t flags;        /**< `CORREU_STORE_FLAG_*` bits */
	uint32_t reserved;     /**< zero */
	uint64_t size;         /**< RFC822.SIZE: bytes with CRLF line ends, as
	                             the message stream delivers them */
	int64_t internal_date; /**< INTERNALDATE, seconds since 1970 UTC */
	uint64_t modseq;       /**< MODSEQ (RFC 7162); 0 without
	                             ::CORREU_STORE_FEATURE_MODSEQ */
	const char *keywords;  /**< keywords (IMAP atoms such as "$Forwarded"),
	                             separated by single spaces; NULL or empty for
	                             none; borrowed for the emission */
	size_t keywords_len;   /**< bytes in `keywords` */
} correu_store_msg;

/** Mailbox attribute \\Noinferiors (RFC 9051 section 7.3.1). */
#define CORREU_STORE_MBOX_NOINFERIORS 0x0001u
/** Mailbox attribute \\Noselect. */
#define CORREU_STORE_MBOX_NOSELECT 0x0002u
/** Mailbox attribute \\NonExistent (a parent that exists only by name). */
#define CORREU_STORE_MBOX_NONEXISTENT 0x0004u
/** Mailbox attribute \\HasChildren (RFC 3348). */
#define CORREU_STORE_MBOX_HASCHILDREN 0x0008u
/** Mailbox attribute \\HasNoChildren. */
#define CORREU_STORE_MBOX_HASNOCHILDREN 0x0010u
/** Mailbox attribute \\Marked (new mail since last selected). */
#define CORREU_STORE_MBOX_MARKED 0x0020u
/** Mailbox attribute \\Unmarked. */
#define CORREU_STORE_MBOX_UNMARKED 0x0040u
/** Mailbox attribute \\Subscribed (LIST-EXTENDED, RFC 5258). */
#define CORREU_STORE_MBOX_SUBSCRIBED 0x0080u
/** Special use \\All (RFC 6154). */
#define CORREU_STORE_USE_ALL 0x0100u
/** Special use \\Archive. */
#define CORREU_STORE_USE_ARCHIVE 0x0200u
/** Special use \\Drafts. */
#define CORREU_STORE_USE_DRAFTS 0x0400u
/** Special use \\Flagged. */
#define CORREU_STORE_USE_FLAGGED 0x0800u
/** Special use \\Junk. */
#define CORREU_STORE_USE_JUNK 0x1000u
/** Special use \\Sent. */
#define CORREU_STORE_USE_SENT 0x2000u
/** Special use \\Trash. */
#define CORREU_STORE_USE_TRASH 0x4000u
/** Every special-use bit. */
#define CORREU_STORE_USE_MASK 0x7f00u

/** Version of ::correu_store_mailbox this header describes. */
#define CORREU_STORE_MAILBOX_VERSION 1

/** One mailbox of a LIST, as emitted with correu_store_emit_mailbox(). */
typedef struct correu_store_mailbox {
	uint32_t version;   /**< ::CORREU_STORE_MAILBOX_VERSION */
	uint32_t attrs;     /**< `CORREU_STORE_MBOX_*` and `CORREU_STORE_USE_*` bits */
	uint32_t delimiter; /**< hierarchy separator (an ASCII code such as '/'
	                          or '.'), 0 for a flat namespace (NIL) */
	uint32_t reserved;  /**< zero */
	const char *name;   /**< the name in UTF-8 (RFC 9051), with `delimiter`
	                          between levels; "INBOX" for the inbox; borrowed
	                          for the emission */
	size_t name_len;    /**< bytes in `name` */
} correu_store_mailbox;

/** STATUS item MESSAGES (RFC 9051 section 6.3.11). */
#define CORREU_STORE_STATUS_MESSAGES 0x01u
/** STATUS item UIDNEXT. */
#define CORREU_STORE_STATUS_UIDNEXT 0x02u
/** STATUS item UIDVALIDITY. */
#define CORREU_STORE_STATUS_UIDVALIDITY 0x04u
/** STATUS item UNSEEN. */
#define CORREU_STORE_STATUS_UNSEEN 0x08u
/** STATUS item SIZE (RFC 8438). */
#define CORREU_STORE_STATUS_SIZE 0x10u
/** STATUS item HIGHESTMODSEQ (RFC 7162). */
#define CORREU_STORE_STATUS_HIGHESTMODSEQ 0x20u
/** STATUS item RECENT (RFC 3501 only). */
#define CORREU_STORE_STATUS_RECENT 0x40u
/** Every STATUS item. */
#define CORREU_STORE_STATUS_ALL 0x7fu

/** Version of ::correu_store_status this header describes. */
#define CORREU_STORE_STATUS_VERSION 1

/**
 * The state of a mailbox: the answer to STATUS, and what SELECT and a
 * sync report (correu_store_complete_status(), correu_store_complete_box()).
 */
typedef struct correu_store_status {
	uint32_t version;         /**< ::CORREU_STORE_STATUS_VERSION */
	uint32_t items;           /**< `CORREU_STORE_STATUS_*` bits of the fields that
	                             are filled in */
	uint32_t messages;        /**< MESSAGES */
	uint32_t uidnext;         /**< UIDNEXT */
	uint32_t uidvalidity;     /**< UIDVALIDITY (non-zero) */
	uint32_t unseen;          /**< UNSEEN: messages without \\Seen */
	uint32_t recent;          /**< RECENT */
	uint32_t read_only;       /**< SELECT: 1 when the mailbox can only be read
	                             (the core answers [READ-ONLY]) */
	uint64_t size;            /**< SIZE: total RFC822.SIZE of the messages */
	uint64_t highestmodseq;   /**< HIGHESTMODSEQ */
	uint32_t permanent_flags; /**< SELECT: `CORREU_STORE_FLAG_*` bits that
	                               are stored permanently (PERMANENTFLAGS) */
	uint32_t new_keywords;    /**< SELECT: 1 when clients may create keywords
	                             (the "\\*" of PERMANENTFLAGS) */
	const char *keywords;     /**< SELECT: keywords defined in the mailbox
	                             (FLAGS), separated by spaces; borrowed for the
	                             completion call; may be NULL */
	size_t keywords_len;      /**< bytes in `keywords` */
} correu_store_status;

/** correu_store_emit_uid() kind: a message was expunged (EXPUNGE/VANISHED). */
#define CORREU_STORE_UID_EXPUNGED 1u
/** correu_store_emit_uid() kind: a message was not changed because its
 * MODSEQ is above UNCHANGEDSINCE (the MODIFIED response, RFC 7162
 * section 3.1.3). */
#define CORREU_STORE_UID_MODIFIED 2u
/** correu_store_emit_uid() kind: `uid` was copied or moved to `uid2` in the
 * destination (COPYUID, RFC 4315). */
#define CORREU_STORE_UID_COPIED 3u

/** DSN NOTIFY=NEVER (RFC 3461 section 4.1). */
#define CORREU_STORE_NOTIFY_NEVER 0x1u
/** DSN NOTIFY=SUCCESS. */
#define CORREU_STORE_NOTIFY_SUCCESS 0x2u
/** DSN NOTIFY=FAILURE. */
#define CORREU_STORE_NOTIFY_FAILURE 0x4u
/** DSN NOTIFY=DELAY. */
#define CORREU_STORE_NOTIFY_DELAY 0x8u

/** DSN RET=FULL (RFC 3461 section 4.3). */
#define CORREU_STORE_RET_FULL 1u
/** DSN RET=HDRS. */
#define CORREU_STORE_RET_HDRS 2u

/** Envelope flag: the message may use UTF-8 headers (SMTPUTF8, RFC 6531). */
#define CORREU_STORE_ENV_SMTPUTF8 0x1u
/** Envelope flag: BODY=8BITMIME (RFC 6152). */
#define CORREU_STORE_ENV_8BITMIME 0x2u
/** Envelope flag: BODY=BINARYMIME (RFC 3030). */
#define CORREU_STORE_ENV_BINARYMIME 0x4u
/** Envelope flag: the session is LMTP (RFC 2033); the core wants one reply
 * per accepted recipient at commit. */
#define CORREU_STORE_ENV_LMTP 0x8u
/** Envelope flag: the client authenticated (`auth_user` is set). */
#define CORREU_STORE_ENV_AUTHENTICATED 0x10u
/** Envelope flag: the connection is protected by TLS. */
#define CORREU_STORE_ENV_TLS 0x20u

/** Version of ::correu_store_envelope this header describes (2 added
 * `requiretls`). A core built against version 1 passes the shorter
 * struct; the store hands every backend the current version, with the
 * members the caller did not know zeroed. */
#define CORREU_STORE_ENVELOPE_VERSION 2

/**
 * What a delivery starts with: the MAIL FROM command and the session
 * around it. All strings are borrowed until the delivery is closed.
 */
typedef struct correu_store_envelope {
	uint32_t version;        /**< ::CORREU_STORE_ENVELOPE_VERSION */
	uint32_t flags;          /**< `CORREU_STORE_ENV_*` bits */
	const char *mail_from;   /**< reverse path without brackets; empty for
	                              the null sender "<>" */
	size_t mail_from_len;    /**< bytes in `mail_from` */
	uint64_t size;           /**< SIZE= (RFC 1870), 0 when not given */
	uint32_t ret;            /**< `CORREU_STORE_RET_*`, 0 when not given */
	uint32_t reserved;       /**< zero */
	const char *envid;       /**< DSN ENVID (xtext decoded), may be NULL */
	size_t envid_len;        /**< bytes in `envid` */
	const char *helo;        /**< the client's EHLO/HELO/LHLO name */
	size_t helo_len;         /**< bytes in `helo` */
	const char *client_addr; /**< the client's IP address as text */
	size_t client_addr_len;  /**< bytes in `client_addr` */
	const char *auth_user;   /**< authenticated user, may be NULL */
	size_t auth_user_len;    /**< bytes in `auth_user` */
	/** Since version 2: 1 when MAIL FROM carried REQUIRETLS (RFC 8689
	 * section 4), else 0. A backend that relays the message must then use
	 * TLS with a verified certificate for every hop (section 5) or bounce
	 * it; one that delivers it finally may store it as it is. */
	uint32_t requiretls;
} correu_store_envelope;

/** Version of ::correu_store_rcpt this header describes. */
#define CORREU_STORE_RCPT_VERSION 1

/** One RCPT TO of a delivery. Strings are borrowed for the callback. */
typedef struct correu_store_rcpt {
	uint32_t version;    /**< ::CORREU_STORE_RCPT_VERSION */
	uint32_t index;      /**< 0 for the first RCPT of the transaction, then
	                           1, 2 ... (rejected ones count too); the index
	                           for correu_store_set_rcpt_reply() */
	const char *address; /**< forward path without brackets */
	size_t address_len;  /**< bytes in `address` */
	uint32_t notify;     /**< DSN `CORREU_STORE_NOTIFY_*` bits, 0 when not given */
	uint32_t reserved;   /**< zero */
	const char *orcpt;   /**< DSN ORCPT "type;address" (xtext decoded), may be NULL */
	size_t orcpt_len;    /**< bytes in `orcpt` */
} correu_store_rcpt;

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
 * correu_store_new() last; see the file documentation for how to answer.
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
