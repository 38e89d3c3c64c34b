/*
 * correu POP3 server core (protocol-core layer): a sans-I/O POP3 server
 * (RFC 1939) that plugs into the server runtime (correu/server.h) as a
 * ::correu_server_core and reads mail only through a store backend
 * (correu/store.h). It speaks CAPA (RFC 2449) with TOP, UIDL, USER,
 * SASL (RFC 5034), STLS (RFC 2595), PIPELINING, UTF8 (RFC 6856),
 * RESP-CODES, AUTH-RESP-CODE (RFC 3206), EXPIRE, LOGIN-DELAY and
 * IMPLEMENTATION, and APOP where the application can give the secret.
 */
#ifndef CORREU_POP3_SERVER_H
#define CORREU_POP3_SERVER_H

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
 * The POP3 server core.
 *
 * **Use.** Make a ::correu_pop3_service from settings and a ::correu_store
 * whose backend has ::CORREU_STORE_CAP_MAILBOX, then open a listener with
 * correu_pop3_server_core() as its `core` and the service as its
 * `core_userdata`. The service must outlive the listener's connections,
 * and belongs to the thread of one event loop (it holds the mailbox lock
 * table); give each loop its own.
 *
 * **Without the runtime.** As for the SMTP core: call `open` with a NULL
 * `conn` (no back-off, no wake-ups), feed client bytes to `recv`, write
 * `send_buf` and report it with `send_ack` (which may queue the next part
 * of a message), and call `event` with ::CORREU_SERVER_EV_TLS_STARTED
 * after an STLS upgrade.
 *
 * **Deletion.** DELE only marks a message in the session. The marked
 * messages are removed at QUIT (RFC 1939 section 6, the UPDATE state),
 * and "+OK" is sent only once the backend's expunge has completed; a
 * connection that ends any other way removes nothing.
 *
 * **Locking.** A user's maildrop is opened by one POP3 session at a time
 * (RFC 1939 section 8): a second login gets "-ERR [IN-USE]" (RFC 2449
 * section 8.1.2). The lock table is the service's, so it covers the
 * sessions of one service; across processes the backend decides (it
 * receives ::CORREU_STORE_SELECT_POP3 and may answer ::CORREU_ERR_BUSY,
 * which is also answered with [IN-USE]).
 *
 * **UIDL.** A message's unique id is its UID and the mailbox's
 * UIDVALIDITY as 16 lower-case hex digits ("%08x%08x"): what Dovecot's
 * default `pop3_uidl_format` (%08Xu%08Xv) gives, whose "X" writes lower
 * case (checked against Dovecot 2.3 by the interop tests), so clients see
 * the same ids when a Maildir moves between the two servers.
 */

/** The POP3 service: settings, store and lock table shared by the sessions
 * of one event loop; opaque. */
typedef struct correu_pop3_service correu_pop3_service;

/** Flag: allow USER/PASS, AUTH PLAIN/LOGIN and APOP on a connection
 * without TLS (the passwords travel in clear). Off by default: before TLS
 * they are refused with "-ERR [AUTH]" and not advertised. */
#define CORREU_POP3_SERVER_PLAINTEXT_AUTH 0x1u
/** Flag: do not offer USER/PASS at all (only SASL and APOP). */
#define CORREU_POP3_SERVER_NO_USER 0x2u
/** Flag: advertise EXPIRE with `expire_days` (RFC 2449 section 6.7). */
#define CORREU_POP3_SERVER_EXPIRE 0x4u

/** `expire_days` value that advertises "EXPIRE NEVER". */
#define CORREU_POP3_EXPIRE_NEVER UINT32_MAX

/**
 * Gives the plaintext shared secret of a user for APOP (RFC 1939 section
 * 7), which needs it to compute the digest. Stores that keep only hashes
 * cannot, so APOP is offered only when this is set.
 * @param user the user name; borrowed for the call; not NUL-terminated.
 * @param user_len its length.
 * @param buf where the secret goes; wiped by the core after use.
 * @param cap its size.
 * @param len_out receives the secret's length (at most `cap`).
 * @param userdata the settings' `apop_userdata`.
 * @return 0; ::CORREU_ERR_NOT_FOUND (unknown user or no secret: the same
 *         answer as a wrong digest); another negative code for a temporary
 *         failure.
 */
typedef int (*correu_pop3_apop_secret_fn)(const char *user, size_t user_len, char *buf,
                                          size_t cap, size_t *len_out, void *userdata);

/** Version of ::correu_pop3_server_settings this header describes. */
#define CORREU_POP3_SERVER_SETTINGS_VERSION 1

/**
 * How a service behaves. Fill with correu_pop3_server_settings_init() and
 * change what you need; a zero limit means its default.
 */
typedef struct correu_pop3_server_settings {
	uint32_t version;         /**< ::CORREU_POP3_SERVER_SETTINGS_VERSION */
	uint32_t flags;           /**< `CORREU_POP3_SERVER_*` flags */
	uint32_t max_line;        /**< longest command line with its CRLF
	                               (RFC 2449 section 4 allows 255 octets of
	                               command; 64 .. 65536); default 512 */
	uint32_t max_auth_line;   /**< longest AUTH response line with its CRLF
	                               (RFC 5034 section 4 sets no limit;
	                               64 .. 65536); default 12288 */
	uint32_t max_errors;      /**< refused commands before the session is
	                               closed; default 10 */
	uint32_t max_messages;    /**< messages a maildrop may show; a larger
	                               one is refused at login; default 1000000 */
	uint32_t max_chunk;       /**< bytes read from a message at once (at most
	                               the store's `max_chunk`; 512 .. 1048576);
	                               default 16384 */
	uint32_t max_output;      /**< output queued but not yet written; at
	                               least 4 times `max_chunk`; default 262144 */
	uint32_t login_delay_s;   /**< advertised LOGIN-DELAY in seconds (RFC 2449
	                               section 6.5); 0: not advertised. Advisory:
	                               a backend enforces it by refusing
	                               `session_open` with ::CORREU_ERR_BUSY */
	uint32_t expire_days;     /**< EXPIRE value with ::CORREU_POP3_SERVER_EXPIRE,
	                               or ::CORREU_POP3_EXPIRE_NEVER */
	const char *hostname;     /**< this server's name in the greeting and the
	                               APOP timestamp; NUL-terminated; copied;
	                               NULL: "localhost" */
	const char *implementation; /**< IMPLEMENTATION text (printable ASCII);
	                               NUL-terminated; copied; NULL: not advertised */
	correu_sasl_random_fn random; /**< random source for SCRAM nonces and the
	                                   APOP timestamp; NULL: neither is offered */
	void *random_userdata;    /**< passed to `random`; borrowed */
	correu_pop3_apop_secret_fn apop_secret; /**< APOP secrets; NULL: no APOP */
	void *apop_userdata;      /**< passed to `apop_secret`; borrowed */
} correu_pop3_server_settings;

/**
 * Fill settings with the defaults documented on each member.
 * @param s the settings; its `version` is set.
 * @return 0 or ::CORREU_ERR_ARG (NULL).
 */
CORREU_API CORREU_NODISCARD int
correu_pop3_server_settings_init(correu_pop3_server_settings *s);

/**
 * Make a service.
 * @param settings the settings; copied (the strings too); NULL: the defaults.
 * @param store the store every session authenticates against and reads;
 *        borrowed until correu_pop3_service_free().
 * @param alloc allocator for the service and its sessions; borrowed until
 *        correu_pop3_service_free(); NULL: libc.
 * @param out receives the service.
 * @return 0; ::CORREU_ERR_ARG (NULL `store` or `out`, unknown version or
 *         flag, a limit out of range, a host name or implementation text
 *         with characters that cannot go on the wire);
 *         ::CORREU_ERR_UNSUPPORTED (the store has no mailboxes);
 *         ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_service_new(const correu_pop3_server_settings *settings,
                                                        correu_store *store,
                                                        const correu_allocator *alloc,
                                                        correu_pop3_service **out);

/**
 * Free a service. Every session made with it must be closed first.
 * @param svc the service; NULL is a no-op.
 */
CORREU_API void correu_pop3_service_free(correu_pop3_service *svc);

/**
 * The server-runtime operations of the POP3 core. Give the table to a
 * ::correu_server_listen_cfg with a ::correu_pop3_service as
 * `core_userdata`. `open` accepts a NULL `conn` for use without the
 * runtime (see the file documentation).
 * @return a static table; never NULL.
 */
CORREU_API const correu_server_core *correu_pop3_server_core(void);

#ifdef __cplusplus
}
#endif
#endif
