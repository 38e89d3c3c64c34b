/*
 * correu SMTP server core (protocol-core layer): a sans-I/O SMTP,
 * submission and LMTP server that plugs into the server runtime
 * (correu/server.h) as a ::correu_server_core and hands every message to a
 * store backend (correu/store.h). It speaks ESMTP with PIPELINING, SIZE,
 * 8BITMIME, SMTPUTF8, DSN, ENHANCEDSTATUSCODES, CHUNKING, BINARYMIME,
 * STARTTLS, AUTH and REQUIRETLS, and LMTP (RFC 2033).
 */
#ifndef CORREU_SMTP_SERVER_H
#define CORREU_SMTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "correu/server.h"
#include "correu/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The SMTP/LMTP server core.
 *
 * **Use.** Make a ::correu_smtp_service from settings and a ::correu_store,
 * then open a listener with correu_smtp_server_core() as its `core` and the
 * service as its `core_userdata`. One service serves any number of
 * connections; make one per mode (an MX port, a submission port, an LMTP
 * port). The service must outlive the listener's connections.
 *
 * **Without the runtime.** The table's functions are the whole session
 * API: call `open` with a ::correu_server_peer (and a NULL `conn`: no
 * back-off, no wake-ups; poll `want` and `send_buf` after answering the
 * backend), feed client bytes to `recv` until it consumes nothing, write
 * `send_buf` and `send_ack`, and call `event` with
 * ::CORREU_SERVER_EV_TLS_STARTED after a STARTTLS upgrade.
 *
 * **Protocol safety.** A command line ends only at CRLF and the data of
 * DATA only at CRLF "." CRLF; a bare CR or LF in a command makes it an
 * error, in a message makes the message refused (RFC 5321 section 2.3.8),
 * unless ::CORREU_SMTP_SERVER_NORMALISE turns it into CRLF (never into a
 * line end that could end the data). Bytes pipelined behind STARTTLS are
 * discarded, unseen, and the session starts over after the handshake
 * (RFC 3207 section 4.2). A client that pipelines before EHLO, or sends
 * anything behind DATA in the same packet, has that command refused with
 * 503 (RFC 2920 section 3.1).
 *
 * **Durability.** The final reply to DATA or BDAT LAST (and each LMTP
 * recipient's reply) is sent only once the backend's commit has completed;
 * a delivery that is not committed (RSET, QUIT, a lost client, a refused
 * message) is closed, which tells the backend to drop it.
 */

/** The SMTP service: settings and store shared by many sessions; opaque. */
typedef struct correu_smtp_service correu_smtp_service;

/** Mode: mail exchanger (port 25): anyone may deliver, AUTH is optional
 * and offered only over TLS. */
#define CORREU_SMTP_SERVER_MX 0u
/** Mode: message submission (RFC 6409, ports 587 and, on an implicit-TLS
 * listener, 465): AUTH is required before MAIL, and TLS before AUTH. */
#define CORREU_SMTP_SERVER_SUBMISSION 1u
/** Mode: LMTP (RFC 2033): LHLO instead of EHLO, no AUTH, and after the
 * data one reply per accepted recipient. */
#define CORREU_SMTP_SERVER_LMTP 2u

/** Flag: accept a bare CR or LF in commands and message data, as CRLF
 * (like Postfix's "normalize"), instead of refusing it. A normalised line
 * end never starts a line, so it cannot end the data (no SMTP smuggling). */
#define CORREU_SMTP_SERVER_NORMALISE 0x1u
/** Flag: offer AUTH over a connection without TLS (the passwords travel
 * in clear). Off by default. */
#define CORREU_SMTP_SERVER_PLAINTEXT_AUTH 0x2u
/** Flag: answer VRFY with 502 (not implemented) instead of the default
 * 252 "cannot verify" (RFC 5321 section 3.5.3). EXPN is always 502. */
#define CORREU_SMTP_SERVER_NO_VRFY 0x4u

/**
 * Wall-clock source for the `Received:` header's date (the core itself
 * never reads a clock).
 * @param secs_out receives the time in seconds since 1970 UTC.
 * @param userdata the settings' `clock_userdata`.
 * @return 0, or a negative code (the header then carries the epoch).
 */
typedef int (*correu_smtp_clock_fn)(int64_t *secs_out, void *userdata);

/** Version of ::correu_smtp_server_settings this header describes. */
#define CORREU_SMTP_SERVER_SETTINGS_VERSION 1

/**
 * How a service behaves. Fill with correu_smtp_server_settings_init() and
 * change what you need; a zero limit means its default.
 */
typedef struct correu_smtp_server_settings {
	uint32_t version;             /**< ::CORREU_SMTP_SERVER_SETTINGS_VERSION */
	uint32_t mode;                /**< a `CORREU_SMTP_SERVER_*` mode */
	uint32_t flags;               /**< `CORREU_SMTP_SERVER_*` flags */
	uint32_t max_line;            /**< longest command line with its CRLF
	                                 (512 .. 65536; RFC 5321 section 4.5.3.1.4
	                                 asks for at least 512); default 1024 */
	uint32_t max_auth_line;       /**< longest AUTH response line (RFC 4954
	                                 section 4: at least 12288); default 12288 */
	uint32_t max_rcpts;           /**< recipients per message (RFC 5321 section
	                                 4.5.3.1.8 asks for at least 100); default 100 */
	uint32_t max_transactions;    /**< messages per session; default 100 */
	uint32_t max_errors;          /**< error replies before the session is
	                                 closed with 421; default 10 */
	uint32_t error_delay_after;   /**< error replies before each further one is
	                                 held back `error_delay_ms`; default 3 */
	uint32_t error_delay_ms;      /**< see `error_delay_after`; default 1000 */
	uint32_t max_chunk;           /**< bytes handed to the backend at once
	                                 (at most the store's `max_chunk`); default 16384 */
	uint32_t max_body_line;       /**< longest line in DATA, CRLF excluded; 0
	                                 for no limit (the default) */
	uint32_t max_output;          /**< replies queued but not yet written; a
	                                 session over it is closed; default 1048576 */
	uint32_t reserved;            /**< zero */
	uint64_t max_message;         /**< largest message in bytes, advertised with
	                                 SIZE (RFC 1870); default 33554432 */
	const char *hostname;         /**< this server's name in the greeting and in
	                                 `Received:`; NUL-terminated; copied; NULL:
	                                 "localhost" */
	correu_sasl_random_fn random; /**< random source for SCRAM nonces; NULL:
	                                   SCRAM is not offered */
	void *random_userdata;        /**< passed to `random`; borrowed */
	correu_smtp_clock_fn clock;   /**< wall clock for `Received:`; NULL: the C
	                                 library's time() */
	void *clock_userdata;         /**< passed to `clock`; borrowed */
} correu_smtp_server_settings;

/**
 * Fill settings with the defaults documented on each member (mode
 * ::CORREU_SMTP_SERVER_MX).
 * @param s the settings; its `version` is set.
 * @return 0 or ::CORREU_ERR_ARG (NULL).
 */
CORREU_API CORREU_NODISCARD int correu_smtp_server_settings_init(correu_smtp_server_settings *s);

/**
 * Make a service.
 * @param settings the settings; copied (the host name too); NULL: the
 *        defaults.
 * @param store the store every session delivers to and authenticates
 *        against; borrowed until correu_smtp_service_free().
 * @param alloc allocator for the service and its sessions; borrowed until
 *        correu_smtp_service_free(); NULL: libc.
 * @param out receives the service.
 * @return 0; ::CORREU_ERR_ARG (NULL `store` or `out`, unknown version or
 *         mode or flag, a limit out of range, a host name that is not a
 *         domain); ::CORREU_ERR_UNSUPPORTED (the store cannot deliver
 *         mail); ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_service_new(const correu_smtp_server_settings *settings,
                                                        correu_store *store,
                                                        const correu_allocator *alloc,
                                                        correu_smtp_service **out);

/**
 * Free a service. Every session made with it must be closed first.
 * @param svc the service; NULL is a no-op.
 */
CORREU_API void correu_smtp_service_free(correu_smtp_service *svc);

/**
 * Trust a network to send XCLIENT (Postfix's extension that lets a proxy
 * or filter in front of this server pass on the real client's address,
 * HELO name, protocol and login). XCLIENT is advertised and accepted only
 * from trusted networks; from others it is an unknown command.
 * @param svc the service.
 * @param cidr NUL-terminated "192.0.2.0/24", "2001:db8::/32" or one
 *        address; copied.
 * @return 0; ::CORREU_ERR_SYNTAX (not a network); ::CORREU_ERR_LIMIT (more
 *         than 16); ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_service_trust_xclient(correu_smtp_service *svc,
                                                                  const char *cidr);

/**
 * The server-runtime operations of the SMTP core. Give the table to a
 * ::correu_server_listen_cfg with a ::correu_smtp_service as
 * `core_userdata`. `open` accepts a NULL `conn` for use without the
 * runtime (see the file documentation).
 * @return a static table; never NULL.
 */
CORREU_API const correu_server_core *correu_smtp_server_core(void);

#ifdef __cplusplus
}
#endif
#endif
