/*
 * correu IMAP layer, response parser: the sans-I/O parser
 * (correu_imap_parser_*) that turns the bytes an IMAP server sends into
 * typed events, streams message literals in bounded chunks and survives
 * malformed responses, with the response, item and code constants it
 * reports and the sequence-set helper. Part of <correu/imap.h>.
 */
#ifndef CORREU_IMAP_PARSE_H
#define CORREU_IMAP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"

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

#ifdef __cplusplus
}
#endif
#endif
