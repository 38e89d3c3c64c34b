/*
 * correu IMAP layer, client core: the sans-I/O IMAP client
 * (correu_imap_client_*) that tracks tags, capabilities, STARTTLS, SASL
 * and IDLE on top of the response parser, with its settings, events and
 * the builder for any command. The typed commands are in
 * <correu/imap_commands.h>. Part of <correu/imap.h>.
 */
#ifndef CORREU_IMAP_CLIENT_H
#define CORREU_IMAP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/imap_parse.h"
#include "correu/sasl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The sans-I/O IMAP client core and its command builder; see
 * @ref imap_client_core.
 */

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
/** Client event: the server accepted COMPRESS DEFLATE (RFC 4978 §3).
 * Every byte from now on, both ways, is compressed: put a deflate filter
 * under the core (correu_transport_deflate_new()), then call
 * correu_imap_client_compress_done(). Until then the core reads and
 * writes nothing, and bytes the server sent behind the OK in the same
 * read are a fatal ::CORREU_ERR_PROTO. */
#define CORREU_IMAP_CLIENT_EV_COMPRESS 8u

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
#define CORREU_IMAP_CMD_GETMETADATA 35u /**< Command kind: GETMETADATA (RFC 5464) */
#define CORREU_IMAP_CMD_SETMETADATA 36u /**< Command kind: SETMETADATA (RFC 5464) */
#define CORREU_IMAP_CMD_COMPRESS 37u    /**< Command kind: COMPRESS (RFC 4978) */

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

#ifdef __cplusplus
}
#endif
#endif
