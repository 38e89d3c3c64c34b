/*
 * correu store layer, delivery records: what the SMTP and LMTP server
 * cores tell a backend about a mail transaction, the envelope of MAIL FROM
 * (with its DSN and BODY parameters and the session around it) and each
 * RCPT TO. Part of <correu/store.h>.
 */
#ifndef CORREU_STORE_DELIVERY_H
#define CORREU_STORE_DELIVERY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The envelope and recipient records of a delivery (SMTP RFC 5321,
 * LMTP RFC 2033, DSN RFC 3461); see @ref store_contract.
 */

/* ------------------------------------------------------------------ */
/* Delivery records                                                    */

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

#ifdef __cplusplus
}
#endif
#endif
