/*
 * correu store layer, shared types: the opaque handles of the backend
 * interface (the store, its requests and the objects they open) and the
 * records a backend hands to the cores about mail: a message with its
 * flags, a mailbox of a listing with its attributes, the state of a
 * mailbox, and the kinds of UID event. Part of <correu/store.h>.
 */
#ifndef CORREU_STORE_TYPES_H
#define CORREU_STORE_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * Handles of the backend interface and the message, mailbox and status
 * records exchanged with a backend; see @ref store_contract.
 */

/* ------------------------------------------------------------------ */
/* Handles                                                             */

/** The store: a backend table and its userdata, wrapped for the cores. */
typedef struct correu_store correu_store;
/** One operation in flight or done; see @ref store_contract. */
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

#ifdef __cplusplus
}
#endif
#endif
