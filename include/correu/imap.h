/*
 * correu IMAP layer: the IMAP4rev2 / IMAP4rev1 client. It holds the
 * sans-I/O response parser (correu_imap_parser_*), which turns the bytes a
 * server sends into typed events, streams message literals in bounded
 * chunks and survives malformed responses; the sans-I/O client core
 * (correu_imap_client_*) with its command builder, which turns typed
 * commands into wire bytes and tracks tags, capabilities, STARTTLS, SASL
 * and IDLE on top of the parser; and the blocking session driver
 * (correu_imap_session_*) that runs the core over a transport.
 */
#ifndef CORREU_IMAP_H
#define CORREU_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "correu/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * IMAP client (RFC 9051, RFC 3501 and their extensions).
 *
 * **The response parser.** Make one with correu_imap_parser_new() and feed
 * it every byte the server sends with correu_imap_parser_feed(), in chunks of
 * any size. It reports each response through the event callback as
 *
 *     BEGIN  (ITEM | LITERAL_BEGIN LITERAL_DATA* LITERAL_END)*  END
 *
 * or, when the response is malformed or too big, one ERROR event instead of
 * END (and instead of BEGIN too when not even the start of the response could
 * be read). After an ERROR the parser skips the rest of
 * that response (literals included, so it never loses its place in the
 * stream) and parses the next one normally. Which events a response gives,
 * and which event fields they fill, is listed with each `CORREU_IMAP_RESP_*`
 * and `CORREU_IMAP_ITEM_*` constant.
 *
 * Splitting the input differently never changes the events, except that a
 * literal's data may arrive in differently cut ::CORREU_IMAP_EV_LITERAL_DATA
 * pieces (each at most `max_chunk` bytes, handed over as it arrives).
 *
 * Nothing is recursive: nested lists (THREAD, BODYSTRUCTURE, extension
 * data) are reported as a flat stream of events annotated with their depth,
 * and the nesting is limited by `max_depth`.
 *
 * Strings are not NUL-terminated. A NIL is a NULL pointer with length 0; an
 * empty string is a non-NULL pointer with length 0.
 */

/* ------------------------------------------------------------------ */
/* Events                                                              */

/** Event: a response starts; `resp` says which, `tag` is set for tagged
 * status responses, `num` holds the message number of FETCH, EXISTS,
 * RECENT and EXPUNGE. */
#define CORREU_IMAP_EV_BEGIN 1u
/** Event: one piece of the response's data; `item` says which. */
#define CORREU_IMAP_EV_ITEM 2u
/** Event: the response ended. For status responses (OK, NO, BAD, PREAUTH,
 * BYE) and continuation requests it carries the text and response code:
 * `str[0]` the human-readable text, `code` a `CORREU_IMAP_CODE_*` value
 * (0 without a code), `str[1]` the code's name as sent, `str[2]` and
 * `str[3]` its arguments as documented for the code. */
#define CORREU_IMAP_EV_END 3u
/** Event: a streamed FETCH item (BODY[], BINARY[], RFC822...) starts.
 * `item` is its `CORREU_IMAP_ITEM_*`, `num` the message number, `str[0]`
 * the section inside the brackets ("" for the whole message, NULL for the
 * RFC822 items), `num2` the partial origin when ::CORREU_IMAP_EVF_ORIGIN is
 * set, `num3` the size in bytes. A NIL value sets ::CORREU_IMAP_EVF_NIL and
 * gives no data. */
#define CORREU_IMAP_EV_LITERAL_BEGIN 4u
/** Event: bytes of the streamed item in `data`, `data_len` (never 0);
 * `offset` is where they start in the item. The fields of the BEGIN event
 * are repeated. */
#define CORREU_IMAP_EV_LITERAL_DATA 5u
/** Event: the streamed item is complete; its fields are repeated. */
#define CORREU_IMAP_EV_LITERAL_END 6u
/** Event: the response is malformed or over a limit. `error` is
 * ::CORREU_ERR_SYNTAX, ::CORREU_ERR_LIMIT, ::CORREU_ERR_BARE_EOL or
 * ::CORREU_ERR_ENCODING; `str[0]` says what was wrong; `offset` is the
 * stream offset where the response started. It replaces the END event. */
#define CORREU_IMAP_EV_ERROR 7u

/** Response kinds, the `resp` field of every event. */
enum correu_imap_resp {
	CORREU_IMAP_RESP_OK = 1,       /**< OK status response, tagged or not */
	CORREU_IMAP_RESP_NO = 2,       /**< NO status response */
	CORREU_IMAP_RESP_BAD = 3,      /**< BAD status response */
	CORREU_IMAP_RESP_PREAUTH = 4,  /**< PREAUTH greeting */
	CORREU_IMAP_RESP_BYE = 5,      /**< BYE: the server is closing */
	CORREU_IMAP_RESP_CONTINUE = 6, /**< "+" continuation request; END's
	                                    `str[0]` is its text (base64 for SASL) */
	/** CAPABILITY: ::CORREU_IMAP_ITEM_ATOM per capability. */
	CORREU_IMAP_RESP_CAPABILITY = 7,
	/** ENABLED (RFC 5161): ::CORREU_IMAP_ITEM_ATOM per extension. */
	CORREU_IMAP_RESP_ENABLED = 8,
	/** LIST: MBOX_ATTR*, DELIMITER, MAILBOX, then CHILDINFO, OLDNAME or
	 * OTHER for extended data (RFC 5258). */
	CORREU_IMAP_RESP_LIST = 9,
	CORREU_IMAP_RESP_LSUB = 10, /**< LSUB: as LIST */
	/** STATUS: MAILBOX, then one `CORREU_IMAP_ITEM_STATUS_*` per attribute. */
	CORREU_IMAP_RESP_STATUS = 11,
	/** SEARCH: ::CORREU_IMAP_ITEM_NUMBER per match, then MODSEQ if sent
	 * (RFC 7162). */
	CORREU_IMAP_RESP_SEARCH = 12,
	/** ESEARCH (RFC 4731): ESEARCH_TAG, ESEARCH_UID, then MIN, MAX, COUNT,
	 * ALL, MODSEQ or OTHER items. */
	CORREU_IMAP_RESP_ESEARCH = 13,
	CORREU_IMAP_RESP_SORT = 14, /**< SORT (RFC 5256): NUMBER items */
	/** THREAD (RFC 5256): THREAD_OPEN, NUMBER and THREAD_CLOSE items, each
	 * with the `depth` of its parenthesis (1 for a top-level thread). */
	CORREU_IMAP_RESP_THREAD = 15,
	CORREU_IMAP_RESP_FLAGS = 16,   /**< FLAGS: ::CORREU_IMAP_ITEM_FLAG items */
	CORREU_IMAP_RESP_EXISTS = 17,  /**< EXISTS: `num` in BEGIN, no items */
	CORREU_IMAP_RESP_RECENT = 18,  /**< RECENT (RFC 3501): `num` in BEGIN */
	CORREU_IMAP_RESP_EXPUNGE = 19, /**< EXPUNGE: `num` in BEGIN */
	/** VANISHED (RFC 7162): one ::CORREU_IMAP_ITEM_SEQSET, with
	 * ::CORREU_IMAP_EVF_EARLIER for "VANISHED (EARLIER)". */
	CORREU_IMAP_RESP_VANISHED = 20,
	/** NAMESPACE: NAMESPACE_PERSONAL, NAMESPACE_OTHER and NAMESPACE_SHARED,
	 * each followed by its NAMESPACE_ENTRY and NAMESPACE_EXT items. */
	CORREU_IMAP_RESP_NAMESPACE = 21,
	CORREU_IMAP_RESP_ID = 22,        /**< ID (RFC 2971): ID_FIELD items */
	CORREU_IMAP_RESP_QUOTA = 23,     /**< QUOTA (RFC 9208): QUOTA_ROOT, QUOTA_RESOURCE* */
	CORREU_IMAP_RESP_QUOTAROOT = 24, /**< QUOTAROOT: MAILBOX, QUOTA_ROOT* */
	/** METADATA (RFC 5464): MAILBOX, METADATA_ENTRY* */
	CORREU_IMAP_RESP_METADATA = 25,
	/** FETCH: `num` in BEGIN is the message number; one or more items per
	 * fetched attribute, streamed items as LITERAL events. */
	CORREU_IMAP_RESP_FETCH = 26,
	/** An untagged response this parser does not know: BEGIN's `str[0]` is
	 * its name (`num` its number if it had one); its data is skipped. */
	CORREU_IMAP_RESP_OTHER = 27
};

/** Items, the `item` field of ::CORREU_IMAP_EV_ITEM and literal events.
 * "Marker" items only say that a group of items follows. */
enum correu_imap_item {
	CORREU_IMAP_ITEM_ATOM = 1,    /**< a capability or enabled extension: `str[0]` */
	CORREU_IMAP_ITEM_FLAG = 2,    /**< a flag or keyword: `str[0]` (e.g. "\Seen") */
	CORREU_IMAP_ITEM_CHARSET = 3, /**< a charset of the BADCHARSET code: `str[0]` */
	/** a number: SEARCH and SORT matches; THREAD message with `depth` */
	CORREU_IMAP_ITEM_NUMBER = 4,
	CORREU_IMAP_ITEM_MODSEQ = 5, /**< a mod-sequence (RFC 7162): `num` */
	/** a sequence set as sent, `str[0]` ("1:4,7"); read it with
	 * correu_imap_seqset_next(). VANISHED and ESEARCH ALL. */
	CORREU_IMAP_ITEM_SEQSET = 6,
	CORREU_IMAP_ITEM_THREAD_OPEN = 7,    /**< "(" of a thread; `depth` */
	CORREU_IMAP_ITEM_THREAD_CLOSE = 8,   /**< ")" of a thread; `depth` */
	CORREU_IMAP_ITEM_ESEARCH_TAG = 9,    /**< the tag ESEARCH answers: `str[0]` */
	CORREU_IMAP_ITEM_ESEARCH_UID = 10,   /**< ESEARCH results are UIDs */
	CORREU_IMAP_ITEM_ESEARCH_MIN = 11,   /**< MIN: `num` */
	CORREU_IMAP_ITEM_ESEARCH_MAX = 12,   /**< MAX: `num` */
	CORREU_IMAP_ITEM_ESEARCH_COUNT = 13, /**< COUNT: `num` */
	CORREU_IMAP_ITEM_MBOX_ATTR = 14,     /**< a LIST attribute: `str[0]` */
	/** the hierarchy delimiter: `str[0]` (one character), NULL for NIL */
	CORREU_IMAP_ITEM_DELIMITER = 15,
	/** a mailbox name: `str[0]` in UTF-8, `str[1]` as sent (modified UTF-7
	 * unless the parser has ::CORREU_IMAP_PARSER_UTF8) */
	CORREU_IMAP_ITEM_MAILBOX = 16,
	CORREU_IMAP_ITEM_CHILDINFO = 17, /**< a LIST CHILDINFO value (RFC 5258): `str[0]` */
	/** LIST OLDNAME (RFC 9051 §7.3.1): `str[0]` UTF-8, `str[1]` as sent */
	CORREU_IMAP_ITEM_OLDNAME = 18,
	CORREU_IMAP_ITEM_STATUS_MESSAGES = 19,      /**< STATUS MESSAGES: `num` */
	CORREU_IMAP_ITEM_STATUS_RECENT = 20,        /**< STATUS RECENT: `num` */
	CORREU_IMAP_ITEM_STATUS_UIDNEXT = 21,       /**< STATUS UIDNEXT: `num` */
	CORREU_IMAP_ITEM_STATUS_UIDVALIDITY = 22,   /**< STATUS UIDVALIDITY: `num` */
	CORREU_IMAP_ITEM_STATUS_UNSEEN = 23,        /**< STATUS UNSEEN: `num` */
	CORREU_IMAP_ITEM_STATUS_DELETED = 24,       /**< STATUS DELETED: `num` */
	CORREU_IMAP_ITEM_STATUS_SIZE = 25,          /**< STATUS SIZE: `num` */
	CORREU_IMAP_ITEM_STATUS_HIGHESTMODSEQ = 26, /**< STATUS HIGHESTMODSEQ: `num` */
	/** STATUS APPENDLIMIT (RFC 7889): `num`, or ::CORREU_IMAP_EVF_NIL */
	CORREU_IMAP_ITEM_STATUS_APPENDLIMIT = 27,
	CORREU_IMAP_ITEM_STATUS_MAILBOXID = 28,   /**< STATUS MAILBOXID (RFC 8474): `str[0]` */
	CORREU_IMAP_ITEM_NAMESPACE_PERSONAL = 29, /**< marker; ::CORREU_IMAP_EVF_NIL if NIL */
	CORREU_IMAP_ITEM_NAMESPACE_OTHER = 30,    /**< marker; ::CORREU_IMAP_EVF_NIL if NIL */
	CORREU_IMAP_ITEM_NAMESPACE_SHARED = 31,   /**< marker; ::CORREU_IMAP_EVF_NIL if NIL */
	/** a namespace: `str[0]` prefix (UTF-8), `str[1]` delimiter or NULL */
	CORREU_IMAP_ITEM_NAMESPACE_ENTRY = 32,
	/** a namespace extension value: `str[0]` its name, `str[1]` one value */
	CORREU_IMAP_ITEM_NAMESPACE_EXT = 33,
	CORREU_IMAP_ITEM_ID_FIELD = 34,   /**< ID: `str[0]` field, `str[1]` value or NULL */
	CORREU_IMAP_ITEM_QUOTA_ROOT = 35, /**< a quota root name: `str[0]` */
	/** a quota resource: `str[0]` name, `num` usage, `num2` limit */
	CORREU_IMAP_ITEM_QUOTA_RESOURCE = 36,
	/** a metadata entry: `str[0]` name, `str[1]` value (NULL for NIL);
	 * ::CORREU_IMAP_EVF_NO_VALUE in the unsolicited form that lists names only */
	CORREU_IMAP_ITEM_METADATA_ENTRY = 37,
	CORREU_IMAP_ITEM_UID = 38, /**< FETCH UID: `num` */
	/** FETCH FLAGS marker; its ::CORREU_IMAP_ITEM_FLAG items follow */
	CORREU_IMAP_ITEM_FLAGS = 39,
	/** FETCH INTERNALDATE: `time` seconds since 1970 UTC, `zone` minutes
	 * east of UTC, `str[0]` as sent */
	CORREU_IMAP_ITEM_INTERNALDATE = 40,
	CORREU_IMAP_ITEM_RFC822_SIZE = 41,  /**< FETCH RFC822.SIZE: `num` */
	CORREU_IMAP_ITEM_FETCH_MODSEQ = 42, /**< FETCH MODSEQ (RFC 7162): `num` */
	CORREU_IMAP_ITEM_EMAILID = 43,      /**< FETCH EMAILID (RFC 8474): `str[0]` */
	CORREU_IMAP_ITEM_THREADID = 44,     /**< FETCH THREADID: `str[0]`, NULL for NIL */
	CORREU_IMAP_ITEM_PREVIEW = 45,      /**< FETCH PREVIEW (RFC 8970): `str[0]`, NULL for NIL */
	/** FETCH BINARY.SIZE[section] (RFC 3516): `str[0]` section, `num` */
	CORREU_IMAP_ITEM_BINARY_SIZE = 46,
	/** ENVELOPE marker; ENV_* items follow (also inside message/rfc822
	 * body parts, with `depth`) */
	CORREU_IMAP_ITEM_ENVELOPE = 47,
	CORREU_IMAP_ITEM_ENV_DATE = 48,    /**< envelope date as sent: `str[0]` or NULL */
	CORREU_IMAP_ITEM_ENV_SUBJECT = 49, /**< envelope subject: `str[0]` or NULL */
	/** envelope From marker; its ADDRESS items follow (EVF_NIL: none) */
	CORREU_IMAP_ITEM_ENV_FROM = 50,
	CORREU_IMAP_ITEM_ENV_SENDER = 51,   /**< envelope Sender marker */
	CORREU_IMAP_ITEM_ENV_REPLY_TO = 52, /**< envelope Reply-To marker */
	CORREU_IMAP_ITEM_ENV_TO = 53,       /**< envelope To marker */
	CORREU_IMAP_ITEM_ENV_CC = 54,       /**< envelope Cc marker */
	CORREU_IMAP_ITEM_ENV_BCC = 55,      /**< envelope Bcc marker */
	/** an address: `str[0]` display name, `str[1]` source route, `str[2]`
	 * mailbox, `str[3]` host, each NULL for NIL. A group starts with
	 * ::CORREU_IMAP_EVF_GROUP_BEGIN (`str[2]` its name) and ends with
	 * ::CORREU_IMAP_EVF_GROUP_END (RFC 9051 §7.5.2). */
	CORREU_IMAP_ITEM_ADDRESS = 56,
	CORREU_IMAP_ITEM_ENV_IN_REPLY_TO = 57, /**< envelope In-Reply-To: `str[0]` or NULL */
	CORREU_IMAP_ITEM_ENV_MESSAGE_ID = 58,  /**< envelope Message-ID: `str[0]` or NULL */
	/** FETCH BODY (no extension data) marker; PART_* items follow */
	CORREU_IMAP_ITEM_BODY = 59,
	/** FETCH BODYSTRUCTURE marker; PART_* items follow */
	CORREU_IMAP_ITEM_BODYSTRUCTURE = 60,
	/** a body part starts at `depth` (1 for the outermost). Single parts:
	 * `str[0]` type, `str[1]` subtype. Multiparts set
	 * ::CORREU_IMAP_EVF_MULTIPART; their children follow at `depth` + 1,
	 * then PART_SUBTYPE. */
	CORREU_IMAP_ITEM_PART_BEGIN = 61,
	CORREU_IMAP_ITEM_PART_SUBTYPE = 62, /**< a multipart's subtype: `str[1]` */
	/** a Content-Type parameter: `str[0]` name, `str[1]` value */
	CORREU_IMAP_ITEM_PART_PARAM = 63,
	/** body fields: `str[0]` id, `str[1]` description, `str[2]` encoding,
	 * `num` size in octets */
	CORREU_IMAP_ITEM_PART_FIELDS = 64,
	/** size in lines (text and message/rfc822 parts): `num`. For
	 * message/rfc822 it follows the ENVELOPE and the nested body. */
	CORREU_IMAP_ITEM_PART_LINES = 65,
	CORREU_IMAP_ITEM_PART_MD5 = 66, /**< body MD5: `str[0]` or NULL */
	/** Content-Disposition: `str[0]` its type, NULL for NIL; its
	 * parameters follow as PART_DISPOSITION_PARAM */
	CORREU_IMAP_ITEM_PART_DISPOSITION = 67,
	CORREU_IMAP_ITEM_PART_DISPOSITION_PARAM = 68, /**< `str[0]` name, `str[1]` value */
	CORREU_IMAP_ITEM_PART_LANGUAGE = 69,          /**< a Content-Language tag: `str[0]` */
	CORREU_IMAP_ITEM_PART_LOCATION = 70,          /**< Content-Location: `str[0]` or NULL */
	/** extension data the parser does not know, as sent: `str[0]` */
	CORREU_IMAP_ITEM_PART_EXTENSION = 71,
	CORREU_IMAP_ITEM_PART_END = 72, /**< the part at `depth` is complete */
	/** streamed BODY[section]\<origin\> (LITERAL events only) */
	CORREU_IMAP_ITEM_BODY_SECTION = 73,
	/** streamed BINARY[section]\<origin\> (RFC 3516; LITERAL events only) */
	CORREU_IMAP_ITEM_BINARY_SECTION = 74,
	CORREU_IMAP_ITEM_RFC822 = 75,        /**< streamed RFC822 (RFC 3501) */
	CORREU_IMAP_ITEM_RFC822_HEADER = 76, /**< streamed RFC822.HEADER */
	CORREU_IMAP_ITEM_RFC822_TEXT = 77,   /**< streamed RFC822.TEXT */
	/** data the parser does not know (a FETCH item, STATUS attribute,
	 * ESEARCH result, LIST extension), skipped: `str[0]` its name,
	 * `str[1]` its value as sent */
	CORREU_IMAP_ITEM_OTHER = 78
};

/** Response codes (RFC 9051 §7.1, RFC 5530, RFC 4315, RFC 7162 ...), the
 * `code` field of END events of status responses. */
enum correu_imap_code {
	CORREU_IMAP_CODE_NONE = 0,           /**< no response code */
	CORREU_IMAP_CODE_ALERT = 1,          /**< show the text to the user */
	CORREU_IMAP_CODE_BADCHARSET = 2,     /**< CHARSET items came before END */
	CORREU_IMAP_CODE_CAPABILITY = 3,     /**< ATOM items came before END */
	CORREU_IMAP_CODE_PARSE = 4,          /**< a message could not be parsed */
	CORREU_IMAP_CODE_PERMANENTFLAGS = 5, /**< FLAG items came before END */
	CORREU_IMAP_CODE_READ_ONLY = 6,      /**< READ-ONLY */
	CORREU_IMAP_CODE_READ_WRITE = 7,     /**< READ-WRITE */
	CORREU_IMAP_CODE_TRYCREATE = 8,      /**< the target mailbox does not exist */
	CORREU_IMAP_CODE_UIDNEXT = 9,        /**< `num` the next UID */
	CORREU_IMAP_CODE_UIDVALIDITY = 10,   /**< `num` the UIDVALIDITY */
	CORREU_IMAP_CODE_UNSEEN = 11,        /**< `num` the first unseen message */
	/** APPENDUID (RFC 4315): `num` UIDVALIDITY, `str[2]` the UID set */
	CORREU_IMAP_CODE_APPENDUID = 12,
	/** COPYUID: `num` UIDVALIDITY, `str[2]` source and `str[3]` new UIDs */
	CORREU_IMAP_CODE_COPYUID = 13,
	CORREU_IMAP_CODE_UIDNOTSTICKY = 14,         /**< UIDs are not persistent */
	CORREU_IMAP_CODE_HIGHESTMODSEQ = 15,        /**< RFC 7162: `num` */
	CORREU_IMAP_CODE_NOMODSEQ = 16,             /**< RFC 7162 */
	CORREU_IMAP_CODE_MODIFIED = 17,             /**< RFC 7162: `str[2]` the set */
	CORREU_IMAP_CODE_CLOSED = 18,               /**< RFC 7162: the mailbox was closed */
	CORREU_IMAP_CODE_TOOBIG = 19,               /**< RFC 7889 */
	CORREU_IMAP_CODE_NOTSAVED = 20,             /**< RFC 5182 */
	CORREU_IMAP_CODE_HASCHILDREN = 21,          /**< RFC 9051 */
	CORREU_IMAP_CODE_UNAVAILABLE = 22,          /**< RFC 5530 */
	CORREU_IMAP_CODE_AUTHENTICATIONFAILED = 23, /**< RFC 5530 */
	CORREU_IMAP_CODE_AUTHORIZATIONFAILED = 24,  /**< RFC 5530 */
	CORREU_IMAP_CODE_EXPIRED = 25,              /**< RFC 5530 */
	CORREU_IMAP_CODE_PRIVACYREQUIRED = 26,      /**< RFC 5530 */
	CORREU_IMAP_CODE_CONTACTADMIN = 27,         /**< RFC 5530 */
	CORREU_IMAP_CODE_NOPERM = 28,               /**< RFC 5530 */
	CORREU_IMAP_CODE_INUSE = 29,                /**< RFC 5530 */
	CORREU_IMAP_CODE_EXPUNGEISSUED = 30,        /**< RFC 5530 */
	CORREU_IMAP_CODE_CORRUPTION = 31,           /**< RFC 5530 */
	CORREU_IMAP_CODE_SERVERBUG = 32,            /**< RFC 5530 */
	CORREU_IMAP_CODE_CLIENTBUG = 33,            /**< RFC 5530 */
	CORREU_IMAP_CODE_CANNOT = 34,               /**< RFC 5530 */
	CORREU_IMAP_CODE_LIMIT = 35,                /**< RFC 5530 */
	CORREU_IMAP_CODE_OVERQUOTA = 36,            /**< RFC 5530 */
	CORREU_IMAP_CODE_ALREADYEXISTS = 37,        /**< RFC 5530 */
	CORREU_IMAP_CODE_NONEXISTENT = 38,          /**< RFC 5530 */
	/** METADATA (RFC 5464): `str[2]` LONGENTRIES, MAXSIZE, TOOMANY or
	 * NOPRIVATE, `num` its number if any */
	CORREU_IMAP_CODE_METADATA = 39,
	/** a code this parser does not know: `str[1]` its name, `str[2]` the
	 * rest up to "]" as sent (NULL if none) */
	CORREU_IMAP_CODE_OTHER = 40
};

/** Event flag: the value was NIL. */
#define CORREU_IMAP_EVF_NIL 0x1u
/** Event flag: VANISHED (EARLIER), an answer to a QRESYNC SELECT or UID
 * FETCH ... VANISHED rather than news. */
#define CORREU_IMAP_EVF_EARLIER 0x2u
/** Event flag: `num2` holds a partial origin ("BODY[]<origin>"). */
#define CORREU_IMAP_EVF_ORIGIN 0x4u
/** Event flag: the body part is a multipart. */
#define CORREU_IMAP_EVF_MULTIPART 0x8u
/** Event flag: the address starts a group. */
#define CORREU_IMAP_EVF_GROUP_BEGIN 0x10u
/** Event flag: the address ends a group. */
#define CORREU_IMAP_EVF_GROUP_END 0x20u
/** Event flag: the streamed item came as literal8 ("~{n}", RFC 3516) and
 * may hold any byte, NUL included. */
#define CORREU_IMAP_EVF_BINARY 0x40u
/** Event flag: a METADATA entry without a value. */
#define CORREU_IMAP_EVF_NO_VALUE 0x80u

/** Version of ::correu_imap_event this header describes. */
#define CORREU_IMAP_EVENT_VERSION 1

/**
 * One event. Every pointer in it is borrowed for the callback only: copy
 * what you keep.
 */
typedef struct correu_imap_event {
	uint32_t version;  /**< ::CORREU_IMAP_EVENT_VERSION */
	uint32_t type;     /**< a `CORREU_IMAP_EV_*` value */
	uint32_t resp;     /**< the response, a ::correu_imap_resp value (0 if unknown) */
	uint32_t item;     /**< a ::correu_imap_item value for items and literals; else 0 */
	uint32_t code;     /**< for END of a status response: a ::correu_imap_code value */
	uint32_t depth;    /**< nesting depth (THREAD, body parts); else 0 */
	uint32_t flags;    /**< `CORREU_IMAP_EVF_*` flags */
	int32_t error;     /**< for ::CORREU_IMAP_EV_ERROR: the `CORREU_ERR_*` code */
	int32_t zone;      /**< INTERNALDATE: the zone in minutes east of UTC */
	uint32_t reserved; /**< zero; keeps the 64-bit fields aligned */
	uint64_t num;      /**< the main number, as documented per item */
	uint64_t num2;     /**< a second number */
	uint64_t num3;     /**< a third number */
	int64_t time;      /**< INTERNALDATE: seconds since 1970-01-01 UTC */
	/** ERROR: stream offset where the response began; LITERAL_DATA: the
	 * offset of `data` in the item */
	uint64_t offset;
	const char *tag;     /**< the tag of a tagged response, else NULL */
	size_t tag_len;      /**< bytes in `tag` */
	const char *str[4];  /**< strings, as documented per event and item */
	size_t str_len[4];   /**< bytes in each of `str` */
	const uint8_t *data; /**< LITERAL_DATA bytes */
	size_t data_len;     /**< bytes in `data` */
} correu_imap_event;

/**
 * The event callback.
 * @param ev the event; borrowed for the call.
 * @param userdata as given in the settings.
 * @return 0 to go on, or a negative code to stop: the feed call returns it
 *         and the parser is poisoned until correu_imap_parser_reset().
 */
typedef int (*correu_imap_event_fn)(const correu_imap_event *ev, void *userdata);

/* ------------------------------------------------------------------ */
/* The response parser                                                 */

/** A sans-I/O IMAP response parser; opaque. */
typedef struct correu_imap_parser correu_imap_parser;

/** Parser flag: UTF8=ACCEPT is enabled (RFC 6855, RFC 9051 §6.3.1):
 * mailbox names are sent as UTF-8, not modified UTF-7. */
#define CORREU_IMAP_PARSER_UTF8 0x1u
/** Parser flag: take a bare LF, or a CR not followed by LF, as a line end
 * instead of reporting the response as malformed (lenient; off by default). */
#define CORREU_IMAP_PARSER_NORMALISE_EOL 0x2u

/** Version of ::correu_imap_parser_settings this header describes. */
#define CORREU_IMAP_PARSER_SETTINGS_VERSION 1

/**
 * Configuration of a parser. Fill with correu_imap_parser_settings_init()
 * and change what you need; a zero limit means its default.
 */
typedef struct correu_imap_parser_settings {
	uint32_t version; /**< ::CORREU_IMAP_PARSER_SETTINGS_VERSION */
	uint32_t flags;   /**< `CORREU_IMAP_PARSER_*` flags */
	/** Allocator; NULL for libc. Borrowed for the parser's life. */
	const correu_allocator *allocator;
	/** Event callback; required. */
	correu_imap_event_fn on_event;
	/** Passed to `on_event`. */
	void *event_userdata;
	/** Log hook; copied; NULL for none. Malformed responses are logged at
	 * ::CORREU_LOG_WARN, framing steps at ::CORREU_LOG_TRACE. */
	const correu_logger *logger;
	/** Longest line, without CRLF; a literal ends a line (default 65536). */
	size_t max_line;
	/** Most bytes in one response, lines and small literals together but
	 * not the streamed literals (default 1048576). */
	size_t max_response;
	/** Largest literal inside a structure (an ENVELOPE subject, a mailbox
	 * name, a METADATA value); such a literal is held whole (default 65536). */
	size_t max_inline_literal;
	/** Largest streamed literal (BODY[], BINARY[], RFC822...); it is never
	 * held whole (default 2^40). */
	uint64_t max_literal;
	/** Most bytes in one ::CORREU_IMAP_EV_LITERAL_DATA (default 65536). */
	size_t max_chunk;
	/** Deepest parenthesis nesting (default 64). */
	uint32_t max_depth;
	/** Most elements in one list or SEARCH/SORT result (default 1000000). */
	uint32_t max_list;
} correu_imap_parser_settings;

/**
 * Fill parser settings with the defaults (no flags, every limit at its
 * default, no callback).
 * @param s the settings to fill; NULL is ignored.
 */
CORREU_API void correu_imap_parser_settings_init(correu_imap_parser_settings *s);

/**
 * Make a parser, at the start of a stream (the server greeting).
 * @param settings configuration; copied.
 * @param parser_out receives the handle.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, no callback, unknown version
 *         or flag); ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_imap_parser_new(const correu_imap_parser_settings *settings,
                                                       correu_imap_parser **parser_out);

/**
 * Release a parser.
 * @param parser the handle; NULL is a no-op.
 */
CORREU_API void correu_imap_parser_free(correu_imap_parser *parser);

/**
 * Start a new stream: forget any partial response and a poisoned state;
 * keep the settings and flags.
 * @param parser the handle; NULL is ignored.
 */
CORREU_API void correu_imap_parser_reset(correu_imap_parser *parser);

/**
 * Change the parser flags, for instance set ::CORREU_IMAP_PARSER_UTF8 once
 * the server confirmed "ENABLE UTF8=ACCEPT". Takes effect from the next
 * response.
 * @param parser the handle.
 * @param flags the new `CORREU_IMAP_PARSER_*` flags.
 * @return 0; ::CORREU_ERR_ARG for a NULL handle or an unknown flag.
 */
CORREU_API CORREU_NODISCARD int correu_imap_parser_set_flags(correu_imap_parser *parser,
                                                             uint32_t flags);

/**
 * Feed bytes the server sent. Every byte is consumed; events are delivered
 * through the callback during the call. A malformed response is an
 * ::CORREU_IMAP_EV_ERROR event, not a failure of this call.
 * @param parser the handle.
 * @param in bytes; borrowed for the call. May be NULL when `len` is 0.
 * @param len their count.
 * @return 0; ::CORREU_ERR_NOMEM or a callback's negative code (fatal: the
 *         parser is poisoned); ::CORREU_ERR_POISONED after an earlier fatal
 *         error; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_imap_parser_feed(correu_imap_parser *parser,
                                                        const uint8_t *in, size_t len);

/**
 * Whether the input stopped inside a response. Non-zero when the server
 * closes the connection means its last response was cut off.
 * @param parser the handle.
 * @return 1 inside a response, 0 between responses (or for NULL).
 */
CORREU_API int correu_imap_parser_pending(const correu_imap_parser *parser);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/**
 * The name of a response kind, for logs and tests.
 * @param resp a ::correu_imap_resp value.
 * @return a static string such as "FETCH"; "?" for an unknown value.
 */
CORREU_API const char *correu_imap_resp_name(uint32_t resp);

/**
 * The name of an item kind, for logs and tests.
 * @param item a ::correu_imap_item value.
 * @return a static string such as "ENV_SUBJECT"; "?" for an unknown value.
 */
CORREU_API const char *correu_imap_item_name(uint32_t item);

/**
 * The name of a response code as the server writes it.
 * @param code a ::correu_imap_code value.
 * @return a static string such as "TRYCREATE"; "" for none, "?" for an
 *         unknown value.
 */
CORREU_API const char *correu_imap_code_name(uint32_t code);

/** correu_imap_seqset_next() returned a range. */
#define CORREU_IMAP_SEQSET_RANGE 1
/** The value correu_imap_seqset_next() gives for "*" (the largest number
 * in use, RFC 9051 §9 seq-number). */
#define CORREU_IMAP_SEQ_STAR UINT32_MAX

/**
 * Read the next range of a sequence set such as "1:4,7,9:*".
 * @param set the set; borrowed for the call.
 * @param len its length.
 * @param pos in: where to continue (0 at first); out: past the range read.
 * @param first_out receives the smaller end of the range.
 * @param last_out receives the larger end (equal to first for a single
 *        number); "*" reads as ::CORREU_IMAP_SEQ_STAR.
 * @return ::CORREU_IMAP_SEQSET_RANGE; 0 at the end of the set;
 *         ::CORREU_ERR_SYNTAX for a malformed set or a zero;
 *         ::CORREU_ERR_ARG for a NULL pointer.
 */
CORREU_API CORREU_NODISCARD int correu_imap_seqset_next(const char *set, size_t len, size_t *pos,
                                                        uint32_t *first_out, uint32_t *last_out);

/* ------------------------------------------------------------------ */
/* The client core                                                     */

/** @page imap_client_core IMAP client core
 *
 * **The core.** Make a client with correu_imap_client_new(). Feed every
 * byte the server sends to correu_imap_client_recv(); write what
 * correu_imap_client_send_buf() shows and report it with
 * correu_imap_client_send_ack(). The core reads the greeting, learns the
 * capabilities (from the greeting's code or with CAPABILITY), negotiates
 * STARTTLS according to the TLS policy, learns them again over TLS and
 * reports ::CORREU_IMAP_CLIENT_EV_READY. From then on the application logs
 * in (correu_imap_client_login(), correu_imap_client_authenticate()) and
 * queues commands with the typed calls, or builds any command with
 * correu_imap_client_begin() ... correu_imap_client_end(). Each call
 * returns the command's id (> 0); the core gives it a tag, sends it as
 * soon as the protocol allows (several commands may be in flight) and
 * matches the tagged completion back to it.
 *
 * **Strings on the wire.** Every string argument is sent as an atom, a
 * quoted string or a literal, whichever its bytes need; a literal is
 * non-synchronizing when the server offers LITERAL+ (or LITERAL- and the
 * literal is at most 4096 bytes, RFC 7888), otherwise the core waits for
 * the server's "+" before sending its bytes. Mailbox names are given in
 * UTF-8 and sent in modified UTF-7, or as UTF-8 once "ENABLE UTF8=ACCEPT"
 * succeeded. CR, LF and NUL are refused (::CORREU_ERR_ARG) wherever they
 * cannot be sent: in atoms and raw text always, NUL everywhere except a
 * literal8 of APPEND with ::CORREU_IMAP_LITERAL_BINARY.
 *
 * **Events.** Untagged responses come as ::CORREU_IMAP_CLIENT_EV_DATA
 * events that carry the parser's events unchanged (see above): solicited
 * data (LIST, SEARCH, FETCH...) and unsolicited news (EXISTS, EXPUNGE,
 * FLAGS, VANISHED, FETCH FLAGS) alike, a FETCH body in bounded chunks. A
 * tagged response is a ::CORREU_IMAP_CLIENT_EV_DONE event with the
 * command's kind and id, OK/NO/BAD in `status` and the parser's END event
 * in `data`, whose `code` carries APPENDUID, COPYUID, TRYCREATE and the
 * rest. NO and BAD are data, not library errors.
 *
 * A fatal error (a tagged response nobody asked for, bytes behind the
 * STARTTLS go-ahead, STARTTLS unavailable under the "required" policy,
 * PREAUTH in plaintext when TLS is required, a SCRAM server that did not
 * prove itself, out of memory) is reported once as
 * ::CORREU_IMAP_CLIENT_EV_ERROR, returned by the call that met it, and
 * every later call returns the same code: close the connection.
 *
 * **Time.** correu_imap_client_recv() and correu_imap_client_tick() tell
 * the core the time; correu_imap_client_next_deadline() says when the step
 * it waits for times out, or when an IDLE must be renewed (the core then
 * sends DONE and IDLE again by itself on the next tick, RFC 9051 §6.3.13).
 */

/** A sans-I/O IMAP client; opaque. */
typedef struct correu_imap_client correu_imap_client;

/** TLS policy: STARTTLS must succeed before anything else is sent (the
 * default). No STARTTLS capability, a refused STARTTLS or a PREAUTH
 * greeting on the plaintext connection end the session with
 * ::CORREU_ERR_TLS_REQUIRED. */
#define CORREU_IMAP_TLS_REQUIRED 0u
/** TLS policy: use STARTTLS when offered, otherwise go on in plaintext.
 * Open to an active attacker who strips the offer. */
#define CORREU_IMAP_TLS_OPPORTUNISTIC 1u
/** TLS policy: never use STARTTLS; plaintext only. */
#define CORREU_IMAP_TLS_NONE 2u
/** TLS policy: the transport is TLS already (port 993, RFC 8314). */
#define CORREU_IMAP_TLS_IMPLICIT 3u

/** Client flag: allow LOGIN and the SASL mechanisms that send a password
 * or token in clear (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) without TLS.
 * Insecure. */
#define CORREU_IMAP_ALLOW_PLAINTEXT_AUTH 0x1u
/** Client flag: never use non-synchronizing literals, even when the server
 * offers LITERAL+ or LITERAL-. */
#define CORREU_IMAP_NO_LITERAL_PLUS 0x2u

/** Client event: the greeting, capabilities and STARTTLS (per the policy)
 * are done; commands may be queued. `status` is ::CORREU_IMAP_RESP_PREAUTH
 * when the server logged the user in already, else ::CORREU_IMAP_RESP_OK. */
#define CORREU_IMAP_CLIENT_EV_READY 1u
/** Client event: the server said go ahead to STARTTLS. Upgrade the
 * transport now (correu_transport_starttls()), then call
 * correu_imap_client_tls_done(). No byte may be read in plaintext in
 * between. */
#define CORREU_IMAP_CLIENT_EV_STARTTLS 2u
/** Client event: one event of an untagged response, in `data`. `command`
 * and `id` name the oldest command in flight (the likely asker), 0 when
 * none is. */
#define CORREU_IMAP_CLIENT_EV_DATA 3u
/** Client event: a command completed: `command`, `id`, `status` (OK, NO
 * or BAD) and the tagged response's END event in `data` (text and code). */
#define CORREU_IMAP_CLIENT_EV_DONE 4u
/** Client event: the server accepted IDLE ("+"); news now comes as DATA
 * until correu_imap_client_idle_done(). */
#define CORREU_IMAP_CLIENT_EV_IDLING 5u
/** Client event: the session is over (BYE, then LOGOUT's completion);
 * close the connection. `data` is the BYE's END event when there was one. */
#define CORREU_IMAP_CLIENT_EV_CLOSED 6u
/** Client event: a fatal error; `error` holds the code, `text` says why. */
#define CORREU_IMAP_CLIENT_EV_ERROR 7u

/** Command kind: the greeting (never queued). */
#define CORREU_IMAP_CMD_GREETING 1u
#define CORREU_IMAP_CMD_CAPABILITY 2u    /**< Command kind: CAPABILITY */
#define CORREU_IMAP_CMD_STARTTLS 3u      /**< Command kind: STARTTLS (RFC 9051 §6.2.1) */
#define CORREU_IMAP_CMD_LOGIN 4u         /**< Command kind: LOGIN */
#define CORREU_IMAP_CMD_AUTHENTICATE 5u  /**< Command kind: AUTHENTICATE (RFC 4959 SASL-IR) */
#define CORREU_IMAP_CMD_ENABLE 6u        /**< Command kind: ENABLE (RFC 5161) */
#define CORREU_IMAP_CMD_SELECT 7u        /**< Command kind: SELECT */
#define CORREU_IMAP_CMD_EXAMINE 8u       /**< Command kind: EXAMINE */
#define CORREU_IMAP_CMD_LIST 9u          /**< Command kind: LIST (RFC 5258 extended) */
#define CORREU_IMAP_CMD_STATUS 10u       /**< Command kind: STATUS */
#define CORREU_IMAP_CMD_CREATE 11u       /**< Command kind: CREATE */
#define CORREU_IMAP_CMD_DELETE 12u       /**< Command kind: DELETE */
#define CORREU_IMAP_CMD_RENAME 13u       /**< Command kind: RENAME */
#define CORREU_IMAP_CMD_SUBSCRIBE 14u    /**< Command kind: SUBSCRIBE */
#define CORREU_IMAP_CMD_UNSUBSCRIBE 15u  /**< Command kind: UNSUBSCRIBE */
#define CORREU_IMAP_CMD_SEARCH 16u       /**< Command kind: SEARCH / UID SEARCH */
#define CORREU_IMAP_CMD_SORT 17u         /**< Command kind: SORT (RFC 5256) */
#define CORREU_IMAP_CMD_THREAD 18u       /**< Command kind: THREAD (RFC 5256) */
#define CORREU_IMAP_CMD_FETCH 19u        /**< Command kind: FETCH / UID FETCH */
#define CORREU_IMAP_CMD_STORE 20u        /**< Command kind: STORE / UID STORE */
#define CORREU_IMAP_CMD_COPY 21u         /**< Command kind: COPY / UID COPY */
#define CORREU_IMAP_CMD_MOVE 22u         /**< Command kind: MOVE (RFC 6851) */
#define CORREU_IMAP_CMD_EXPUNGE 23u      /**< Command kind: EXPUNGE / UID EXPUNGE */
#define CORREU_IMAP_CMD_APPEND 24u       /**< Command kind: APPEND (and MULTIAPPEND) */
#define CORREU_IMAP_CMD_IDLE 25u         /**< Command kind: IDLE (RFC 2177) */
#define CORREU_IMAP_CMD_NAMESPACE 26u    /**< Command kind: NAMESPACE */
#define CORREU_IMAP_CMD_ID 27u           /**< Command kind: ID (RFC 2971) */
#define CORREU_IMAP_CMD_GETQUOTA 28u     /**< Command kind: GETQUOTA (RFC 9208) */
#define CORREU_IMAP_CMD_GETQUOTAROOT 29u /**< Command kind: GETQUOTAROOT */
#define CORREU_IMAP_CMD_UNSELECT 30u     /**< Command kind: UNSELECT (RFC 3691) */
#define CORREU_IMAP_CMD_CLOSE 31u        /**< Command kind: CLOSE */
#define CORREU_IMAP_CMD_LOGOUT 32u       /**< Command kind: LOGOUT */
#define CORREU_IMAP_CMD_NOOP 33u         /**< Command kind: NOOP */
/** Command kind: built with correu_imap_client_begin() or
 * correu_imap_client_raw(). */
#define CORREU_IMAP_CMD_OTHER 34u

/** Capability: IMAP4rev1 (RFC 3501). */
#define CORREU_IMAP_CAP_IMAP4REV1 0x1u
/** Capability: IMAP4rev2 (RFC 9051). */
#define CORREU_IMAP_CAP_IMAP4REV2 0x2u
/** Capability: STARTTLS. */
#define CORREU_IMAP_CAP_STARTTLS 0x4u
/** Capability: LOGINDISABLED: LOGIN must not be used. */
#define CORREU_IMAP_CAP_LOGINDISABLED 0x8u
/** Capability: SASL-IR (RFC 4959): initial response with AUTHENTICATE. */
#define CORREU_IMAP_CAP_SASL_IR 0x10u
/** Capability: LITERAL+ (RFC 7888): any literal may be non-synchronizing. */
#define CORREU_IMAP_CAP_LITERAL_PLUS 0x20u
/** Capability: LITERAL- (RFC 7888): up to 4096 bytes non-synchronizing. */
#define CORREU_IMAP_CAP_LITERAL_MINUS 0x40u
/** Capability: IDLE (RFC 2177). */
#define CORREU_IMAP_CAP_IDLE 0x80u
/** Capability: ENABLE (RFC 5161). */
#define CORREU_IMAP_CAP_ENABLE 0x100u
/** Capability: CONDSTORE (RFC 7162). */
#define CORREU_IMAP_CAP_CONDSTORE 0x200u
/** Capability: QRESYNC (RFC 7162). */
#define CORREU_IMAP_CAP_QRESYNC 0x400u
/** Capability: UTF8=ACCEPT (RFC 6855). */
#define CORREU_IMAP_CAP_UTF8_ACCEPT 0x800u
/** Capability: LIST-EXTENDED (RFC 5258). */
#define CORREU_IMAP_CAP_LIST_EXTENDED 0x1000u
/** Capability: LIST-STATUS (RFC 5819). */
#define CORREU_IMAP_CAP_LIST_STATUS 0x2000u
/** Capability: SPECIAL-USE (RFC 6154). */
#define CORREU_IMAP_CAP_SPECIAL_USE 0x4000u
/** Capability: ESEARCH (RFC 4731). */
#define CORREU_IMAP_CAP_ESEARCH 0x8000u
/** Capability: SORT (RFC 5256). */
#define CORREU_IMAP_CAP_SORT 0x10000u
/** Capability: THREAD=anything (RFC 5256). */
#define CORREU_IMAP_CAP_THREAD 0x20000u
/** Capability: MOVE (RFC 6851). */
#define CORREU_IMAP_CAP_MOVE 0x40000u
/** Capability: UIDPLUS (RFC 4315). */
#define CORREU_IMAP_CAP_UIDPLUS 0x80000u
/** Capability: NAMESPACE (RFC 2342). */
#define CORREU_IMAP_CAP_NAMESPACE 0x100000u
/** Capability: ID (RFC 2971). */
#define CORREU_IMAP_CAP_ID 0x200000u
/** Capability: QUOTA (RFC 9208). */
#define CORREU_IMAP_CAP_QUOTA 0x400000u
/** Capability: UNSELECT (RFC 3691). */
#define CORREU_IMAP_CAP_UNSELECT 0x800000u
/** Capability: BINARY (RFC 3516). */
#define CORREU_IMAP_CAP_BINARY 0x1000000u
/** Capability: MULTIAPPEND (RFC 3502). */
#define CORREU_IMAP_CAP_MULTIAPPEND 0x2000000u
/** Capability: CHILDREN (RFC 3348). */
#define CORREU_IMAP_CAP_CHILDREN 0x4000000u

/** Version of ::correu_imap_client_event this header describes. */
#define CORREU_IMAP_CLIENT_EVENT_VERSION 1

/** What happened. Every pointer in it is borrowed for the callback only. */
typedef struct correu_imap_client_event {
	uint32_t version; /**< ::CORREU_IMAP_CLIENT_EVENT_VERSION */
	uint32_t type;    /**< a `CORREU_IMAP_CLIENT_EV_*` value */
	/** The `CORREU_IMAP_CMD_*` kind the event belongs to; 0 when none. */
	uint32_t command;
	/** The id the queueing call returned; 0 when none. */
	uint32_t id;
	/** DONE: ::CORREU_IMAP_RESP_OK, NO or BAD; READY: OK or PREAUTH. */
	uint32_t status;
	int32_t error; /**< ERROR: the `CORREU_ERR_*` code */
	/** DATA: the parser event; DONE and CLOSED: the END event of the
	 * tagged (or BYE) response; else NULL. */
	const correu_imap_event *data;
	/** ERROR: why (not NUL-terminated); else empty. */
	const char *text;
	size_t text_len; /**< bytes in `text` */
} correu_imap_client_event;

/**
 * The client's event callback.
 * @param ev the event; borrowed for the call.
 * @param userdata as given in the settings.
 * @return 0 to go on, or a negative code to make the call that delivered
 *         the event fail with it (the client is then poisoned). The
 *         callback may queue commands, but must not call
 *         correu_imap_client_recv() or free the client.
 */
typedef int (*correu_imap_client_event_fn)(const correu_imap_client_event *ev, void *userdata);

/**
 * Supplies the next bytes of a streamed literal (APPEND).
 * @param buf where to write; borrowed for the call.
 * @param len room in `buf` (> 0; never more than the bytes still due).
 * @param userdata as given.
 * @return bytes written (1..len), or a negative code to abort: the client
 *         fails with it, since a literal cannot be cut short. Returning 0
 *         fails it with ::CORREU_ERR_INCOMPLETE, and a NUL byte in a
 *         literal that is not a literal8 with ::CORREU_ERR_ARG (RFC 9051
 *         §9: literals carry no NUL).
 */
typedef correu_ssize (*correu_imap_reader_fn)(uint8_t *buf, size_t len, void *userdata);

/** Version of ::correu_imap_settings this header describes. */
#define CORREU_IMAP_SETTINGS_VERSION 1

/**
 * Configuration of a client. Fill with correu_imap_settings_init() and
 * change what you need; a zero limit or timeout means its default.
 */
typedef struct correu_imap_settings {
	uint32_t version;    /**< ::CORREU_IMAP_SETTINGS_VERSION */
	uint32_t flags;      /**< `CORREU_IMAP_*` client flags */
	uint32_t tls_policy; /**< a `CORREU_IMAP_TLS_*` policy */
	/** Allocator; NULL for libc. Borrowed for the client's life. */
	const correu_allocator *allocator;
	/** Log hook; copied; NULL for none. Credentials are never logged. */
	const correu_logger *logger;
	/** Event callback; required by correu_imap_client_new(). */
	correu_imap_client_event_fn on_event;
	/** Passed to `on_event`. */
	void *event_userdata;
	/** The response parser's limits (`max_line`, `max_chunk`...); copied;
	 * its callback, allocator and logger are ignored; NULL: defaults. */
	const correu_imap_parser_settings *parser;
	/** Most bytes waiting to be written (default 65536, at least 1024). */
	size_t max_output;
	/** Most bytes of commands queued and not yet written, literals held in
	 * memory included (default 1048576). */
	size_t max_queue;
	/** Most commands queued or in flight (default 1024). */
	uint32_t max_commands;
	/** Longest string sent quoted; a longer one goes as a literal
	 * (default 1024). */
	uint32_t max_quoted;
	/** Wait for the greeting, in ms (default 60000). */
	uint32_t timeout_greeting_ms;
	/** Wait for a response while a command is in flight, in ms (default
	 * 300000); not applied while idling. */
	uint32_t timeout_command_ms;
	/** Longest time without write progress while output is pending, in ms
	 * (default 180000). */
	uint32_t timeout_send_ms;
	/** Renew an IDLE after this many ms (default 1680000, 28 minutes:
	 * servers may log out after 30, RFC 9051 §5.4). */
	uint32_t idle_renew_ms;
} correu_imap_settings;

/**
 * Fill settings with the defaults (TLS required, every limit at its
 * default, no callback).
 * @param s the settings to fill; NULL is ignored.
 */
CORREU_API void correu_imap_settings_init(correu_imap_settings *s);

/**
 * Make a client, waiting for the server greeting.
 * @param settings configuration; copied.
 * @param client_out receives the handle.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, no callback, unknown version,
 *         flag or policy, a limit below its minimum); ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_new(const correu_imap_settings *settings,
                                                       correu_imap_client **client_out);

/**
 * Release a client; buffers that held credentials are wiped.
 * @param client the handle; NULL is a no-op.
 */
CORREU_API void correu_imap_client_free(correu_imap_client *client);

/**
 * Feed bytes the server sent. Every byte is consumed; events are delivered
 * during the call. A malformed response is a DATA event carrying the
 * parser's ::CORREU_IMAP_EV_ERROR, not a failure.
 * @param client the handle.
 * @param in bytes; borrowed for the call; may be NULL when `len` is 0,
 *        which only tells the time.
 * @param len their count.
 * @param now_ms the current time in ms on any monotonic clock.
 * @return `len`; or a fatal error: ::CORREU_ERR_PROTO (a tagged response
 *         to no command, an unexpected "+", bytes behind the STARTTLS
 *         go-ahead or after the end), ::CORREU_ERR_TLS_REQUIRED,
 *         ::CORREU_ERR_AUTH (a SCRAM server that did not prove itself),
 *         ::CORREU_ERR_REPLY (the greeting was BYE), a reader's code,
 *         ::CORREU_ERR_NOMEM, a callback's code; ::CORREU_ERR_CLOSED once
 *         the session is over; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_imap_client_recv(correu_imap_client *client,
                                                                 const uint8_t *in, size_t len,
                                                                 uint64_t now_ms);

/**
 * Tell the core the time. Call it after queueing and after writing; an
 * IDLE due for renewal is renewed here.
 * @param client the handle.
 * @param now_ms the current time in ms, same clock as for recv.
 * @return 0, ::CORREU_ERR_ARG, or the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_tick(correu_imap_client *client,
                                                        uint64_t now_ms);

/**
 * The server closed the connection. Expected after BYE; otherwise a fatal
 * error is reported.
 * @param client the handle.
 * @return 0 when expected; ::CORREU_ERR_INCOMPLETE (inside a response) or
 *         ::CORREU_ERR_EOF otherwise; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_eof(correu_imap_client *client);

/**
 * Bytes waiting to be written to the server.
 * @param client the handle.
 * @param len_out receives their count (0 when none).
 * @return a pointer to them, valid until the next call on the client other
 *         than the read-only queries; NULL when there is nothing to write.
 */
CORREU_API const uint8_t *correu_imap_client_send_buf(correu_imap_client *client, size_t *len_out);

/**
 * Report that the first `n` bytes of correu_imap_client_send_buf() were
 * written. Queued commands (and streamed literals) move into the output as
 * room frees up.
 * @param client the handle.
 * @param n bytes written; at most the length shown.
 * @return 0; ::CORREU_ERR_ARG; a reader's code; the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_send_ack(correu_imap_client *client, size_t n);

/**
 * Whether the core waits for bytes from the server.
 * @param client the handle.
 * @return 1 or 0 (idle with nothing in flight, closed, failed, or between
 *         the STARTTLS go-ahead and correu_imap_client_tls_done()).
 */
CORREU_API int correu_imap_client_want_read(const correu_imap_client *client);

/**
 * Whether there are bytes to write.
 * @param client the handle.
 * @return 1 if correu_imap_client_send_buf() has bytes, else 0.
 */
CORREU_API int correu_imap_client_want_write(const correu_imap_client *client);

/**
 * When the current step times out, or when an IDLE must be renewed.
 * @param client the handle.
 * @return the deadline in ms on the caller's clock; UINT64_MAX when none.
 */
CORREU_API uint64_t correu_imap_client_next_deadline(const correu_imap_client *client);

/**
 * Whether the client is ready with nothing queued, written or in flight.
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_imap_client_idle(const correu_imap_client *client);

/**
 * The fatal error the client stopped on.
 * @param client the handle.
 * @return the `CORREU_ERR_*` code, or 0 when none.
 */
CORREU_API int correu_imap_client_error(const correu_imap_client *client);

/**
 * The transport has been switched to TLS after
 * ::CORREU_IMAP_CLIENT_EV_STARTTLS. The core forgets the capabilities and
 * asks for them again (RFC 9051 §6.2.1).
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (no go-ahead pending, or called from the
 *         event callback); ::CORREU_ERR_NOMEM; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_tls_done(correu_imap_client *client);

/**
 * Whether the connection is protected by TLS.
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_imap_client_is_tls(const correu_imap_client *client);

/**
 * Whether the session is in the authenticated state (PREAUTH, or a login
 * that succeeded).
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_imap_client_logged_in(const correu_imap_client *client);

/**
 * The capabilities announced that correu knows.
 * @param client the handle.
 * @return a mask of `CORREU_IMAP_CAP_*`.
 */
CORREU_API uint32_t correu_imap_client_caps(const correu_imap_client *client);

/**
 * Whether the server announced a capability (compared without case).
 * @param client the handle.
 * @param name the capability, e.g. "THREAD=REFERENCES"; borrowed for the
 *        call; not NUL-terminated.
 * @param len its length.
 * @return 1 or 0.
 */
CORREU_API int correu_imap_client_has_cap(const correu_imap_client *client, const char *name,
                                          size_t len);

/**
 * The SASL mechanisms announced ("AUTH=" capabilities), separated by
 * single spaces.
 * @param client the handle.
 * @param len_out receives the length.
 * @return the names (not NUL-terminated), valid until the capabilities
 *         change; NULL with length 0 when none.
 */
CORREU_API const char *correu_imap_client_sasl_mechs(const correu_imap_client *client,
                                                     size_t *len_out);

/**
 * The extensions the server confirmed with ENABLED.
 * @param client the handle.
 * @return a mask of ::CORREU_IMAP_CAP_IMAP4REV2, ::CORREU_IMAP_CAP_CONDSTORE,
 *         ::CORREU_IMAP_CAP_QRESYNC, ::CORREU_IMAP_CAP_UTF8_ACCEPT.
 */
CORREU_API uint32_t correu_imap_client_enabled(const correu_imap_client *client);

/* ------------------------------------------------------------------ */
/* Building any command                                                */

/** Literal flag: send as literal8 ("~{n}", RFC 3516), which may hold NUL;
 * needs BINARY. */
#define CORREU_IMAP_LITERAL_BINARY 0x1u

/**
 * Start building a command: the core writes its tag and `name` (e.g.
 * "UID SEARCH", "GETMETADATA"). Add arguments with the add calls, then
 * queue it with correu_imap_client_end(). One command is built at a time.
 * @param client the handle.
 * @param name the command name and any fixed words; borrowed for the
 *        call; printable ASCII only.
 * @param len its length (> 0).
 * @return 0; ::CORREU_ERR_ARG (an empty name or a byte not allowed);
 *         ::CORREU_ERR_STATE (not ready, or a command already being built);
 *         ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_begin(correu_imap_client *client,
                                                         const char *name, size_t len);

/**
 * Add raw syntax as is, without a separating space: parentheses, search
 * keys, sequence sets, FETCH items. It must not hold CR, LF or NUL; the
 * caller answers for the rest of its syntax.
 * @param client the handle.
 * @param text the text; borrowed for the call.
 * @param len its length.
 * @return 0; ::CORREU_ERR_ARG; ::CORREU_ERR_STATE (no command begun);
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_add_raw(correu_imap_client *client,
                                                           const char *text, size_t len);

/**
 * Add a string argument (astring), after a space unless the command ends
 * in "(" or a space: an atom when it can be one, else a quoted string,
 * else a literal (for CR, LF, 8-bit bytes without UTF-8, or a string
 * longer than `max_quoted`).
 * @param client the handle.
 * @param s the string; copied; may be NULL when `len` is 0 (sent "").
 * @param len its length.
 * @return as correu_imap_client_add_raw(); ::CORREU_ERR_ARG for a NUL.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_add_string(correu_imap_client *client,
                                                              const char *s, size_t len);

/**
 * Add a mailbox name given in UTF-8, after a space as for strings:
 * modified UTF-7 (RFC 3501 §5.1.3) or, after ENABLE UTF8=ACCEPT, UTF-8.
 * @param client the handle.
 * @param name the name; copied.
 * @param len its length (> 0).
 * @return as correu_imap_client_add_string(); ::CORREU_ERR_ENCODING for a
 *         name that is not UTF-8.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_add_mailbox(correu_imap_client *client,
                                                               const char *name, size_t len);

/**
 * Add a literal whose bytes come from `fn` while it is being sent (APPEND
 * message data), after a space as for strings. Its size must be known.
 * @param client the handle.
 * @param size the literal's size in bytes.
 * @param flags ::CORREU_IMAP_LITERAL_BINARY or 0.
 * @param fn supplies the bytes; called during send_ack and recv.
 * @param userdata passed to `fn`; borrowed until the command is sent.
 * @return as correu_imap_client_add_raw(); ::CORREU_ERR_UNSUPPORTED
 *         (binary without BINARY).
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_add_literal(correu_imap_client *client,
                                                               uint64_t size, uint32_t flags,
                                                               correu_imap_reader_fn fn,
                                                               void *userdata);

/**
 * Queue the command being built.
 * @param client the handle.
 * @return its id (> 0); ::CORREU_ERR_STATE (none begun); ::CORREU_ERR_LIMIT
 *         (`max_commands`); ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_end(correu_imap_client *client);

/**
 * Drop the command being built, if any.
 * @param client the handle; NULL is ignored.
 */
CORREU_API void correu_imap_client_cancel(correu_imap_client *client);

/**
 * Queue a command written out in full, without tag and final CRLF, e.g.
 * "GETMETADATA \"\" /shared/comment". Literals in it ("{n}" or "{n+}"
 * then CRLF and exactly n bytes) are framed: a synchronizing one waits
 * for "+" (unless LITERAL+ makes it non-synchronizing). CR and LF
 * anywhere else, and NUL outside literal8, are refused.
 * @param client the handle.
 * @param text the command; copied.
 * @param len its length.
 * @return the command's id (> 0); ::CORREU_ERR_ARG (a refused byte, a
 *         literal whose count does not match); as correu_imap_client_end().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_raw(correu_imap_client *client, const char *text,
                                                       size_t len);

/* ------------------------------------------------------------------ */
/* Typed commands (after ::CORREU_IMAP_CLIENT_EV_READY)                */

/**
 * Queue CAPABILITY; the answer replaces the capabilities known.
 * @param client the handle.
 * @return the command's id; ::CORREU_ERR_STATE (not ready);
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_capability(correu_imap_client *client);

/**
 * Queue NOOP (a poll for news).
 * @param client the handle.
 * @return as correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_noop(correu_imap_client *client);

/**
 * Queue LOGOUT; ::CORREU_IMAP_CLIENT_EV_CLOSED follows its completion.
 * @param client the handle.
 * @return as correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_logout(correu_imap_client *client);

/**
 * Log in with LOGIN: only over TLS unless ::CORREU_IMAP_ALLOW_PLAINTEXT_AUTH,
 * and never when the server announces LOGINDISABLED. The capabilities are
 * asked again after success unless the OK carried them.
 * @param client the handle.
 * @param user user name; copied.
 * @param user_len its length (> 0).
 * @param pass password; copied and wiped once sent.
 * @param pass_len its length.
 * @return the command's id; ::CORREU_ERR_ARG (NUL, or CR/LF);
 *         ::CORREU_ERR_TLS_REQUIRED; ::CORREU_ERR_UNSUPPORTED
 *         (LOGINDISABLED); ::CORREU_ERR_STATE (not ready, logged in, a
 *         login under way); ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_login(correu_imap_client *client,
                                                         const char *user, size_t user_len,
                                                         const char *pass, size_t pass_len);

/**
 * Authenticate with SASL: the initial response goes with the command when
 * the server offers SASL-IR (RFC 4959), each "+" challenge is answered,
 * and an exchange the mechanism cannot go on with is cancelled with "*".
 * @param client the handle.
 * @param mech a `CORREU_SASL_*` mechanism, or 0 for the strongest offered
 *        for the credentials (correu_sasl_choose()).
 * @param cred credentials; copied.
 * @param sasl SASL limits and random source (SCRAM needs one); copied;
 *        NULL for defaults.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (not offered);
 *         ::CORREU_ERR_NOT_FOUND (no offered mechanism fits);
 *         ::CORREU_ERR_TLS_REQUIRED; ::CORREU_ERR_STATE; the SASL layer's
 *         errors.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_authenticate(correu_imap_client *client,
                                                                int mech,
                                                                const correu_sasl_credentials *cred,
                                                                const correu_sasl_settings *sasl);

/**
 * Queue ENABLE (RFC 5161) for the wanted extensions the server offers;
 * the server's ENABLED answer sets correu_imap_client_enabled() (and
 * switches mailbox names to UTF-8 for UTF8=ACCEPT). Nothing is sent
 * behind it until it completes.
 * @param client the handle.
 * @param want a mask of ::CORREU_IMAP_CAP_IMAP4REV2,
 *        ::CORREU_IMAP_CAP_CONDSTORE, ::CORREU_IMAP_CAP_QRESYNC,
 *        ::CORREU_IMAP_CAP_UTF8_ACCEPT.
 * @return the command's id; ::CORREU_ERR_NOT_FOUND (none of them offered,
 *         nothing queued); ::CORREU_ERR_UNSUPPORTED (no ENABLE);
 *         ::CORREU_ERR_ARG; as correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_enable(correu_imap_client *client,
                                                          uint32_t want);

/** Select flag: EXAMINE (read-only) instead of SELECT. */
#define CORREU_IMAP_SELECT_READ_ONLY 0x1u
/** Select flag: add the CONDSTORE parameter (RFC 7162 §3.1.8). */
#define CORREU_IMAP_SELECT_CONDSTORE 0x2u

/**
 * Queue SELECT or EXAMINE, with CONDSTORE or QRESYNC parameters (RFC 7162
 * §3.2.5: QRESYNC when `uidvalidity` is not 0; it must be enabled).
 * @param client the handle.
 * @param mailbox the name in UTF-8; copied.
 * @param len its length.
 * @param flags `CORREU_IMAP_SELECT_*`.
 * @param uidvalidity the last known UIDVALIDITY, 0 for no QRESYNC.
 * @param modseq the last known HIGHESTMODSEQ (QRESYNC).
 * @param known_uids a sequence set of known UIDs, or NULL; copied.
 * @param known_len its length.
 * @return the command's id; ::CORREU_ERR_ARG; ::CORREU_ERR_UNSUPPORTED
 *         (QRESYNC not enabled, CONDSTORE not offered); as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_select(correu_imap_client *client,
                                                          const char *mailbox, size_t len,
                                                          uint32_t flags, uint32_t uidvalidity,
                                                          uint64_t modseq, const char *known_uids,
                                                          size_t known_len);

/** List flag: only subscribed mailboxes (selection option SUBSCRIBED). */
#define CORREU_IMAP_LIST_SUBSCRIBED 0x1u
/** List flag: only special-use mailboxes (RFC 6154 SPECIAL-USE selection). */
#define CORREU_IMAP_LIST_SPECIAL_USE 0x2u
/** List flag: RETURN (SPECIAL-USE). */
#define CORREU_IMAP_LIST_RETURN_SPECIAL_USE 0x4u
/** List flag: RETURN (CHILDREN). */
#define CORREU_IMAP_LIST_RETURN_CHILDREN 0x8u
/** List flag: RETURN (SUBSCRIBED). */
#define CORREU_IMAP_LIST_RETURN_SUBSCRIBED 0x10u

/** Status item: MESSAGES. */
#define CORREU_IMAP_STATUS_MESSAGES 0x1u
/** Status item: UIDNEXT. */
#define CORREU_IMAP_STATUS_UIDNEXT 0x2u
/** Status item: UIDVALIDITY. */
#define CORREU_IMAP_STATUS_UIDVALIDITY 0x4u
/** Status item: UNSEEN. */
#define CORREU_IMAP_STATUS_UNSEEN 0x8u
/** Status item: DELETED (IMAP4rev2). */
#define CORREU_IMAP_STATUS_DELETED 0x10u
/** Status item: SIZE (IMAP4rev2). */
#define CORREU_IMAP_STATUS_SIZE 0x20u
/** Status item: HIGHESTMODSEQ (RFC 7162). */
#define CORREU_IMAP_STATUS_HIGHESTMODSEQ 0x40u
/** Status item: RECENT (IMAP4rev1 only). */
#define CORREU_IMAP_STATUS_RECENT 0x80u

/**
 * Queue LIST, extended (RFC 5258) when flags or status items ask for it.
 * @param client the handle.
 * @param ref the reference name (UTF-8); copied; "" for none.
 * @param ref_len its length.
 * @param pattern the pattern with "*" and "%" (UTF-8); copied.
 * @param pattern_len its length.
 * @param flags `CORREU_IMAP_LIST_*`.
 * @param status_items `CORREU_IMAP_STATUS_*` for RETURN (STATUS (...))
 *        (RFC 5819), 0 for none.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (an extension not
 *         offered); ::CORREU_ERR_ARG; as correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_list(correu_imap_client *client, const char *ref,
                                                        size_t ref_len, const char *pattern,
                                                        size_t pattern_len, uint32_t flags,
                                                        uint32_t status_items);

/**
 * Queue STATUS.
 * @param client the handle.
 * @param mailbox the name in UTF-8; copied.
 * @param len its length.
 * @param items `CORREU_IMAP_STATUS_*` (not 0).
 * @return the command's id; ::CORREU_ERR_ARG; as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_status(correu_imap_client *client,
                                                          const char *mailbox, size_t len,
                                                          uint32_t items);

/**
 * Queue a command whose only argument is a mailbox: CREATE, DELETE,
 * SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT.
 * @param client the handle.
 * @param command ::CORREU_IMAP_CMD_CREATE, ::CORREU_IMAP_CMD_DELETE,
 *        ::CORREU_IMAP_CMD_SUBSCRIBE, ::CORREU_IMAP_CMD_UNSUBSCRIBE or
 *        ::CORREU_IMAP_CMD_GETQUOTAROOT.
 * @param mailbox the name in UTF-8; copied.
 * @param len its length.
 * @return the command's id; ::CORREU_ERR_ARG; ::CORREU_ERR_UNSUPPORTED
 *         (GETQUOTAROOT without QUOTA); as correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_mailbox_cmd(correu_imap_client *client,
                                                               uint32_t command,
                                                               const char *mailbox, size_t len);

/**
 * Queue RENAME.
 * @param client the handle.
 * @param from the current name (UTF-8); copied.
 * @param from_len its length.
 * @param to the new name (UTF-8); copied.
 * @param to_len its length.
 * @return as correu_imap_client_mailbox_cmd().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_rename(correu_imap_client *client,
                                                          const char *from, size_t from_len,
                                                          const char *to, size_t to_len);

/** Message-set flag: the set holds UIDs (the UID form of the command). */
#define CORREU_IMAP_UID 0x1u

/** Search return option: MIN (ESEARCH, RFC 4731). */
#define CORREU_IMAP_RETURN_MIN 0x2u
/** Search return option: MAX. */
#define CORREU_IMAP_RETURN_MAX 0x4u
/** Search return option: ALL. */
#define CORREU_IMAP_RETURN_ALL 0x8u
/** Search return option: COUNT. */
#define CORREU_IMAP_RETURN_COUNT 0x10u

/**
 * Queue SEARCH, ESEARCH-style when return options are given.
 * @param client the handle.
 * @param flags ::CORREU_IMAP_UID and `CORREU_IMAP_RETURN_*`.
 * @param charset a CHARSET name, or NULL; borrowed for the call.
 * @param criteria the search keys as raw syntax (use the builder for keys
 *        with strings that need quoting or literals); copied.
 * @param len their length (> 0).
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (return options
 *         without ESEARCH or IMAP4rev2); ::CORREU_ERR_ARG; as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_search(correu_imap_client *client,
                                                          uint32_t flags, const char *charset,
                                                          const char *criteria, size_t len);

/**
 * Queue SORT or THREAD (RFC 5256): `program` is the sort criteria in
 * parentheses ("(DATE)") or the thread algorithm ("REFERENCES").
 * @param client the handle.
 * @param command ::CORREU_IMAP_CMD_SORT or ::CORREU_IMAP_CMD_THREAD.
 * @param flags ::CORREU_IMAP_UID or 0.
 * @param program sort criteria or algorithm, raw syntax; copied.
 * @param program_len its length.
 * @param charset the charset (e.g. "UTF-8"); borrowed for the call.
 * @param criteria search keys, raw syntax; copied.
 * @param criteria_len their length.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED; ::CORREU_ERR_ARG;
 *         as correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_sort(correu_imap_client *client,
                                                        uint32_t command, uint32_t flags,
                                                        const char *program, size_t program_len,
                                                        const char *charset, const char *criteria,
                                                        size_t criteria_len);

/**
 * Queue FETCH. BODY[...] and BINARY[...] values arrive as streamed literal
 * events in bounded chunks.
 * @param client the handle.
 * @param flags ::CORREU_IMAP_UID or 0.
 * @param set the sequence set ("1:*"); borrowed for the call.
 * @param items the item list, raw ("(UID FLAGS BODY.PEEK[])", "FAST");
 *        borrowed for the call.
 * @param changedsince CHANGEDSINCE modifier (RFC 7162), 0 for none.
 * @return the command's id; ::CORREU_ERR_ARG; as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_fetch(correu_imap_client *client, uint32_t flags,
                                                         const char *set, const char *items,
                                                         uint64_t changedsince);

/**
 * Queue STORE.
 * @param client the handle.
 * @param flags ::CORREU_IMAP_UID or 0.
 * @param set the sequence set; borrowed for the call.
 * @param action "FLAGS", "+FLAGS", "-FLAGS.SILENT"...; borrowed.
 * @param flag_list the flags in parentheses ("(\\Seen)"); borrowed.
 * @param unchangedsince UNCHANGEDSINCE modifier (RFC 7162), 0 for none.
 * @return as correu_imap_client_fetch().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_store(correu_imap_client *client, uint32_t flags,
                                                         const char *set, const char *action,
                                                         const char *flag_list,
                                                         uint64_t unchangedsince);

/**
 * Queue COPY or MOVE; the completion's code is COPYUID with UIDPLUS.
 * @param client the handle.
 * @param command ::CORREU_IMAP_CMD_COPY or ::CORREU_IMAP_CMD_MOVE.
 * @param flags ::CORREU_IMAP_UID or 0.
 * @param set the sequence set; borrowed for the call.
 * @param mailbox the target (UTF-8); copied.
 * @param len its length.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (MOVE not offered);
 *         as correu_imap_client_fetch().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_copy(correu_imap_client *client,
                                                        uint32_t command, uint32_t flags,
                                                        const char *set, const char *mailbox,
                                                        size_t len);

/**
 * Queue EXPUNGE, or UID EXPUNGE of a set (RFC 4315).
 * @param client the handle.
 * @param uid_set the UIDs, or NULL for a plain EXPUNGE; borrowed.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (UID EXPUNGE without
 *         UIDPLUS or IMAP4rev2); as correu_imap_client_fetch().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_expunge(correu_imap_client *client,
                                                           const char *uid_set);

/**
 * Queue APPEND of one message whose bytes come from `fn` while it is sent
 * (never held whole). The literal waits for "+" unless LITERAL+ allows
 * otherwise. For MULTIAPPEND build the command with
 * correu_imap_client_begin() and several correu_imap_client_add_literal().
 * @param client the handle.
 * @param mailbox the target (UTF-8); copied.
 * @param len its length.
 * @param flag_list flags in parentheses, or NULL; borrowed for the call.
 * @param date an INTERNALDATE ("01-Jan-2024 10:00:00 +0000"), or NULL;
 *        borrowed for the call.
 * @param size the message size in bytes.
 * @param literal_flags ::CORREU_IMAP_LITERAL_BINARY or 0.
 * @param fn supplies the bytes.
 * @param userdata passed to `fn`; borrowed until the message is sent.
 * @return the command's id; as correu_imap_client_add_literal().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_append(correu_imap_client *client,
                                                          const char *mailbox, size_t len,
                                                          const char *flag_list, const char *date,
                                                          uint64_t size, uint32_t literal_flags,
                                                          correu_imap_reader_fn fn, void *userdata);

/**
 * Queue IDLE (RFC 2177); ::CORREU_IMAP_CLIENT_EV_IDLING follows the
 * server's "+". Nothing queued behind it is sent until it ends.
 * @param client the handle.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (no IDLE); as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_idle_start(correu_imap_client *client);

/**
 * End the IDLE: send DONE; its completion follows.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (no IDLE under way); ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_idle_done(correu_imap_client *client);

/**
 * Queue a command without arguments: NAMESPACE, UNSELECT, CLOSE, or
 * ID NIL.
 * @param client the handle.
 * @param command ::CORREU_IMAP_CMD_NAMESPACE, ::CORREU_IMAP_CMD_UNSELECT,
 *        ::CORREU_IMAP_CMD_CLOSE or ::CORREU_IMAP_CMD_ID.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (not offered);
 *         ::CORREU_ERR_ARG; as correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_simple(correu_imap_client *client,
                                                          uint32_t command);

/**
 * Queue GETQUOTA (RFC 9208) of a quota root.
 * @param client the handle.
 * @param root the quota root; copied.
 * @param len its length.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED; as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_getquota(correu_imap_client *client,
                                                            const char *root, size_t len);

/* ------------------------------------------------------------------ */
/* Blocking session                                                    */

/** A blocking IMAP session over a transport; opaque. */
typedef struct correu_imap_session correu_imap_session;

/** Session TLS mode: STARTTLS, following the policy in the settings (port 143). */
#define CORREU_IMAP_SESSION_STARTTLS 0u
/** Session TLS mode: TLS from the first byte (port 993, RFC 8314). */
#define CORREU_IMAP_SESSION_IMPLICIT 1u

/**
 * Receives one number of a SEARCH result (a message number, or a UID for
 * a UID search), in the order the server sent them.
 * @param n the number.
 * @param userdata as given.
 * @return 0 to go on, or a negative code to stop (returned by the call;
 *         the rest of the answer is read and dropped).
 */
typedef int (*correu_imap_number_fn)(uint64_t n, void *userdata);

/**
 * Receives the next chunk of a fetched section.
 * @param data the bytes; borrowed for the call.
 * @param len their count (> 0).
 * @param userdata as given.
 * @return 0 to go on, or a negative code to stop (returned by the call;
 *         the rest is read and dropped so the session can go on).
 */
typedef int (*correu_imap_body_fn)(const uint8_t *data, size_t len, void *userdata);

/** Version of ::correu_imap_session_options this header describes. */
#define CORREU_IMAP_SESSION_OPTIONS_VERSION 1

/** How a session connects. Fill with correu_imap_session_options_init(). */
typedef struct correu_imap_session_options {
	uint32_t version; /**< ::CORREU_IMAP_SESSION_OPTIONS_VERSION */
	/** ::CORREU_IMAP_SESSION_STARTTLS or ::CORREU_IMAP_SESSION_IMPLICIT. */
	uint32_t tls_mode;
	/** Overall limit for the TCP connection, in ms (default 30000). */
	uint32_t connect_timeout_ms;
	/** TLS configuration; borrowed while the session lives. NULL: a
	 * default client configuration (system CAs, full verification). */
	const correu_tls_config *tls;
	/** Client settings (policy, flags, limits, timeouts); copied.
	 * `on_event` is the session's own and is ignored. NULL: defaults. */
	const correu_imap_settings *settings;
	/** Random source for SCRAM nonces; NULL: the system's (getrandom). */
	correu_sasl_random_fn random;
	/** Passed to `random`. */
	void *random_userdata;
} correu_imap_session_options;

/**
 * Fill session options with the defaults.
 * @param o the options; NULL is ignored.
 */
CORREU_API void correu_imap_session_options_init(correu_imap_session_options *o);

/**
 * Connect over TCP and get ready: the greeting, the capabilities, STARTTLS
 * as the policy says (or TLS from the start).
 * @param host server name or address; NUL-terminated; copied.
 * @param port TCP port (993 implicit TLS, 143 otherwise).
 * @param opts options; copied; NULL for defaults.
 * @param session_out receives the session.
 * @return 0; ::CORREU_ERR_REPLY (the greeting was BYE);
 *         ::CORREU_ERR_TLS_REQUIRED; ::CORREU_ERR_TIMEOUT; the transport's
 *         and core's errors.
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_open(const char *host, uint16_t port,
                                                         const correu_imap_session_options *opts,
                                                         correu_imap_session **session_out);

/**
 * Get ready over a transport the caller connected. With
 * ::CORREU_IMAP_SESSION_IMPLICIT the transport must already be TLS.
 * @param t the transport; taken over (freed with the session, also on
 *        failure).
 * @param host the server name TLS verifies; NUL-terminated; copied; may be
 *        NULL when STARTTLS will not be used.
 * @param opts options; copied; NULL for defaults.
 * @param session_out receives the session.
 * @return as correu_imap_session_open().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_start(correu_transport *t, const char *host,
                                                          const correu_imap_session_options *opts,
                                                          correu_imap_session **session_out);

/**
 * Close the connection (without LOGOUT) and free the session.
 * @param s the session; NULL is a no-op.
 */
CORREU_API void correu_imap_session_free(correu_imap_session *s);

/**
 * Log in with the strongest method offered: AUTHENTICATE with SASL
 * (SCRAM first, correu_sasl_choose()), else LOGIN (only over TLS unless
 * ::CORREU_IMAP_ALLOW_PLAINTEXT_AUTH, never with LOGINDISABLED). Then
 * ENABLE IMAP4rev2, CONDSTORE and UTF8=ACCEPT where offered. Nothing is
 * sent after a PREAUTH greeting but the ENABLE.
 * @param s the session.
 * @param user user name, NUL-terminated; copied.
 * @param password password, NUL-terminated; copied and wiped after use.
 * @return 0; ::CORREU_ERR_AUTH (refused: see the last response);
 *         ::CORREU_ERR_NOT_FOUND (no usable method);
 *         ::CORREU_ERR_TLS_REQUIRED; ::CORREU_ERR_TIMEOUT; I/O errors.
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_login(correu_imap_session *s, const char *user,
                                                          const char *password);

/**
 * LIST mailboxes: every untagged LIST (and, with `status_items`, STATUS)
 * response is handed to `fn` as parser events.
 * @param s the session.
 * @param pattern the pattern ("*", "%", "Work/%"), UTF-8, NUL-terminated.
 * @param flags `CORREU_IMAP_LIST_*`.
 * @param status_items `CORREU_IMAP_STATUS_*` for LIST-STATUS, or 0.
 * @param fn receives the events; may be NULL.
 * @param userdata passed to `fn`.
 * @return 0; ::CORREU_ERR_REPLY (NO or BAD: see the last response);
 *         `fn`'s code; ::CORREU_ERR_CLOSED (the server said BYE and closed
 *         before answering); ::CORREU_ERR_TIMEOUT; the core's and I/O
 *         errors.
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_list(correu_imap_session *s,
                                                         const char *pattern, uint32_t flags,
                                                         uint32_t status_items,
                                                         correu_imap_event_fn fn, void *userdata);

/**
 * SELECT (or EXAMINE) a mailbox.
 * @param s the session.
 * @param mailbox the name, UTF-8, NUL-terminated.
 * @param flags `CORREU_IMAP_SELECT_*`.
 * @param exists_out receives the number of messages (EXISTS); may be NULL.
 * @param uidvalidity_out receives UIDVALIDITY; may be NULL.
 * @return as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_select(correu_imap_session *s,
                                                           const char *mailbox, uint32_t flags,
                                                           uint32_t *exists_out,
                                                           uint32_t *uidvalidity_out);

/**
 * UID SEARCH: each matching UID to `fn` (ESEARCH ALL ranges are expanded
 * when the server answers that way).
 * @param s the session.
 * @param criteria search keys, raw syntax, NUL-terminated ("UNSEEN").
 * @param fn receives the UIDs; required.
 * @param userdata passed to `fn`.
 * @return as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_search(correu_imap_session *s,
                                                           const char *criteria,
                                                           correu_imap_number_fn fn,
                                                           void *userdata);

/**
 * UID FETCH any items, the answer handed to `fn` as parser events
 * (headers with "BODY.PEEK[HEADER]", the structure with "BODYSTRUCTURE";
 * streamed sections in bounded pieces).
 * @param s the session.
 * @param uid_set the UIDs ("7", "1:*"), NUL-terminated.
 * @param items the item list, raw ("(FLAGS ENVELOPE)"), NUL-terminated.
 * @param fn receives the events; required.
 * @param userdata passed to `fn`.
 * @return as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_fetch(correu_imap_session *s,
                                                          const char *uid_set, const char *items,
                                                          correu_imap_event_fn fn, void *userdata);

/**
 * Fetch one section of one message ("" for the whole message, "HEADER",
 * "1.2", ...) with BODY.PEEK (the \\Seen flag is not set), handed to `fn`
 * in chunks of at most the parser's `max_chunk` bytes; never held whole.
 * @param s the session.
 * @param uid the message's UID.
 * @param section the section, NUL-terminated.
 * @param fn receives the chunks; required.
 * @param userdata passed to `fn`.
 * @return 0; ::CORREU_ERR_NOT_FOUND (the server sent no such section);
 *         as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_fetch_section(correu_imap_session *s,
                                                                  uint32_t uid, const char *section,
                                                                  correu_imap_body_fn fn,
                                                                  void *userdata);

/**
 * The same into a file descriptor (partial writes and EINTR handled; not
 * synced, not closed).
 * @param s the session.
 * @param uid the message's UID.
 * @param section the section, NUL-terminated.
 * @param fd the descriptor; borrowed.
 * @return as correu_imap_session_fetch_section(); ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_fetch_section_fd(correu_imap_session *s,
                                                                     uint32_t uid,
                                                                     const char *section, int fd);

/**
 * UID STORE flags.
 * @param s the session.
 * @param uid_set the UIDs, NUL-terminated.
 * @param action "+FLAGS.SILENT", "-FLAGS", "FLAGS"..., NUL-terminated.
 * @param flag_list the flags in parentheses ("(\\Seen)"), NUL-terminated.
 * @return as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_store(correu_imap_session *s,
                                                          const char *uid_set, const char *action,
                                                          const char *flag_list);

/**
 * UID MOVE (RFC 6851) when offered; else UID COPY, then \\Deleted and
 * UID EXPUNGE of the set (needs UIDPLUS).
 * @param s the session.
 * @param uid_set the UIDs, NUL-terminated.
 * @param mailbox the target, UTF-8, NUL-terminated.
 * @return as correu_imap_session_list(); ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_move(correu_imap_session *s,
                                                         const char *uid_set, const char *mailbox);

/**
 * EXPUNGE the selected mailbox.
 * @param s the session.
 * @return as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_expunge(correu_imap_session *s);

/**
 * APPEND a message read from a file descriptor (streamed, never held
 * whole; the size must be known).
 * @param s the session.
 * @param mailbox the target, UTF-8, NUL-terminated.
 * @param flag_list flags in parentheses, or NULL.
 * @param fd the descriptor, read from its current offset; borrowed.
 * @param size bytes to read from it.
 * @param uid_out receives the new UID from APPENDUID (0 when the server
 *        did not say); may be NULL.
 * @return as correu_imap_session_list(); ::CORREU_ERR_IO or
 *         ::CORREU_ERR_INCOMPLETE (the file was shorter than `size`).
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_append_fd(correu_imap_session *s,
                                                              const char *mailbox,
                                                              const char *flag_list, int fd,
                                                              uint64_t size, uint32_t *uid_out);

/**
 * IDLE until the server reports news (EXISTS, EXPUNGE, FETCH, VANISHED),
 * or until `timeout_ms` passes, then end the IDLE. The news is handed to
 * `fn` as parser events.
 * @param s the session.
 * @param timeout_ms the longest wait.
 * @param fn receives the events; may be NULL.
 * @param userdata passed to `fn`.
 * @return 1 when news came, 0 on timeout; ::CORREU_ERR_UNSUPPORTED (no
 *         IDLE); as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_idle(correu_imap_session *s,
                                                         uint32_t timeout_ms,
                                                         correu_imap_event_fn fn, void *userdata);

/**
 * LOGOUT and wait for the server to close the session.
 * @param s the session.
 * @return 0; the error met. The session must still be freed.
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_logout(correu_imap_session *s);

/**
 * The last tagged response.
 * @param s the session.
 * @param text_out receives its text, NUL-terminated, valid until the next
 *        call on the session; may be NULL.
 * @param code_out receives its ::correu_imap_code; may be NULL.
 * @return the ::correu_imap_resp (OK, NO or BAD); ::CORREU_ERR_NOT_FOUND
 *         when none yet.
 */
CORREU_API int correu_imap_session_last_response(const correu_imap_session *s,
                                                 const char **text_out, uint32_t *code_out);

/**
 * The core under the session, for its capability queries and for any
 * command the session has no call for (queue it, then call
 * correu_imap_session_wait()).
 * @param s the session.
 * @return the client handle, borrowed for the session's life.
 */
CORREU_API correu_imap_client *correu_imap_session_client(correu_imap_session *s);

/**
 * Run the session's I/O until the command with this id completes, handing
 * the untagged data meanwhile to `fn`.
 * @param s the session.
 * @param id the id the core's queueing call returned.
 * @param fn receives the events; may be NULL.
 * @param userdata passed to `fn`.
 * @return as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_wait(correu_imap_session *s, int id,
                                                         correu_imap_event_fn fn, void *userdata);

#ifdef __cplusplus
}
#endif
#endif
