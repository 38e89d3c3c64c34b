/*
 * correu POP3 layer: the POP3 client. A sans-I/O core (correu_pop3_client_*)
 * that turns typed commands into wire bytes and server responses into
 * events, and a blocking session driver (correu_pop3_session_*) that runs
 * the core over a transport. The core never touches a socket, a clock or a
 * file. It follows the SMTP client's shape (smtp.h) call for call.
 */
#ifndef CORREU_POP3_H
#define CORREU_POP3_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "correu/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * POP3 (RFC 1939) client with CAPA (RFC 2449), STLS (RFC 2595), SASL
 * (RFC 5034), response codes (RFC 2449 §8, RFC 3206) and UTF8 (RFC 6856).
 *
 * **The core.** Make a client with correu_pop3_client_new(). Feed every
 * byte the server sends to correu_pop3_client_recv(); write what
 * correu_pop3_client_send_buf() shows and report it with
 * correu_pop3_client_send_ack(). The core reads the greeting (keeping the
 * APOP timestamp), asks for the capabilities (CAPA), negotiates STLS
 * according to the TLS policy, asks again over TLS, and then reports
 * ::CORREU_POP3_EV_READY. From then on the application logs in
 * (correu_pop3_client_auth(), correu_pop3_client_apop(),
 * correu_pop3_client_user()) and queues transaction commands
 * (correu_pop3_client_stat(), correu_pop3_client_list(),
 * correu_pop3_client_retr(), correu_pop3_client_dele(), ...). The core
 * sends them as soon as the protocol allows, several at once when the
 * server offers PIPELINING (RFC 2449 §6.6), and matches each response to
 * its command in order.
 *
 * **Events.** Each response comes as a ::CORREU_POP3_EV_REPLY event (+OK
 * or -ERR). A -ERR is data, not a library error. A multi-line response
 * (CAPA, LIST and UIDL without a message number, RETR, TOP) continues with
 * ::CORREU_POP3_EV_ITEM events (one per LIST/UIDL line) or
 * ::CORREU_POP3_EV_BODY events (the message, dot-unstuffed, in chunks of at
 * most `max_chunk` bytes: the message is never held whole), and ends with
 * ::CORREU_POP3_EV_END. LIST and UIDL with a message number give one
 * ::CORREU_POP3_EV_ITEM after their reply too, so both forms are read the
 * same way.
 *
 * A fatal error (a malformed response, a limit, STLS unavailable under the
 * "required" policy, out of memory) is reported once as
 * ::CORREU_POP3_EV_ERROR, returned by the call that met it, and makes every
 * later call return the same code: close the connection. The server marks
 * messages deleted only at a successful QUIT (RFC 1939 §6); a connection
 * that ends otherwise deletes nothing.
 *
 * **Time.** The core keeps no clock: correu_pop3_client_recv() and
 * correu_pop3_client_tick() tell it the time and
 * correu_pop3_client_next_deadline() says when the step it waits for times
 * out. The driver enforces it.
 *
 * **The session.** correu_pop3_session_open() connects, reads the
 * greeting, negotiates TLS; correu_pop3_session_login() logs in with the
 * strongest method offered; then one call per job (stat, list, uidl,
 * retrieve to a callback or a file descriptor, delete, quit), each with a
 * timeout.
 */

/* ------------------------------------------------------------------ */
/* Settings                                                            */

/** A sans-I/O POP3 client; opaque. */
typedef struct correu_pop3_client correu_pop3_client;

/** TLS policy: STLS must succeed before anything else is sent (the
 * default). A server that does not offer it, or refuses it, ends the
 * session with ::CORREU_ERR_TLS_REQUIRED; there is no plaintext fallback. */
#define CORREU_POP3_TLS_REQUIRED 0u
/** TLS policy: use STLS when the server offers it, otherwise go on in
 * plaintext. Open to an active attacker who strips the offer. */
#define CORREU_POP3_TLS_OPPORTUNISTIC 1u
/** TLS policy: never use STLS; plaintext only. */
#define CORREU_POP3_TLS_NONE 2u
/** TLS policy: the transport is TLS already (port 995, RFC 8314); STLS is
 * never sent. */
#define CORREU_POP3_TLS_IMPLICIT 3u

/** Client flag: do not pipeline even when the server offers PIPELINING. */
#define CORREU_POP3_NO_PIPELINING 0x1u
/** Client flag: allow USER/PASS and the SASL mechanisms that send a
 * password or token in clear (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) without
 * TLS. Insecure. */
#define CORREU_POP3_ALLOW_PLAINTEXT_AUTH 0x2u
/** Client flag: in a RETR or TOP body, deliver a bare LF or CR as CRLF
 * instead of failing with ::CORREU_ERR_BARE_EOL. The end of the message is
 * still only CRLF "." CRLF. */
#define CORREU_POP3_BODY_NORMALISE 0x4u

/** Event: a response to a command (see ::correu_pop3_event). */
#define CORREU_POP3_EV_REPLY 1u
/** Event: the greeting, CAPA and (per the policy) STLS are done; the
 * capabilities are known and commands may be queued. */
#define CORREU_POP3_EV_READY 2u
/** Event: the server said go ahead to STLS. Upgrade the transport now
 * (correu_transport_starttls()), then call correu_pop3_client_tls_done().
 * No byte may be read in plaintext in between. */
#define CORREU_POP3_EV_STARTTLS 3u
/** Event: one entry of a LIST or UIDL response: `msg` with `size` (LIST) or
 * with the unique id in `text` (UIDL). */
#define CORREU_POP3_EV_ITEM 4u
/** Event: the next chunk of a RETR or TOP message, dot-unstuffed, in
 * `data`; the chunks concatenated are the message. */
#define CORREU_POP3_EV_BODY 5u
/** Event: a multi-line response ended (CAPA, LIST, UIDL, RETR, TOP). */
#define CORREU_POP3_EV_END 6u
/** Event: the session is over (the response to QUIT); close the
 * connection. */
#define CORREU_POP3_EV_CLOSED 7u
/** Event: a fatal error; `error` holds the code and `text` says why. */
#define CORREU_POP3_EV_ERROR 8u

/** Command: the server greeting, which answers the connection. */
#define CORREU_POP3_CMD_GREETING 1u
/** Command: CAPA (RFC 2449 §5). */
#define CORREU_POP3_CMD_CAPA 2u
/** Command: STLS (RFC 2595 §4). */
#define CORREU_POP3_CMD_STLS 3u
/** Command: USER. */
#define CORREU_POP3_CMD_USER 4u
/** Command: PASS. */
#define CORREU_POP3_CMD_PASS 5u
/** Command: APOP (RFC 1939 §7). */
#define CORREU_POP3_CMD_APOP 6u
/** Command: AUTH (RFC 5034); only its final response is reported. */
#define CORREU_POP3_CMD_AUTH 7u
/** Command: STAT; the reply carries `count` and `size`. */
#define CORREU_POP3_CMD_STAT 8u
/** Command: LIST. */
#define CORREU_POP3_CMD_LIST 9u
/** Command: UIDL. */
#define CORREU_POP3_CMD_UIDL 10u
/** Command: RETR. */
#define CORREU_POP3_CMD_RETR 11u
/** Command: TOP. */
#define CORREU_POP3_CMD_TOP 12u
/** Command: DELE. */
#define CORREU_POP3_CMD_DELE 13u
/** Command: RSET. */
#define CORREU_POP3_CMD_RSET 14u
/** Command: NOOP. */
#define CORREU_POP3_CMD_NOOP 15u
/** Command: QUIT. */
#define CORREU_POP3_CMD_QUIT 16u
/** Command: UTF8 (RFC 6856 §2). */
#define CORREU_POP3_CMD_UTF8 17u

/** Response code: none, or the server did not announce RESP-CODES. */
#define CORREU_POP3_RESP_NONE 0u
/** Response code [IN-USE]: the mailbox is locked by another session
 * (RFC 2449 §8.1.1); try later. */
#define CORREU_POP3_RESP_IN_USE 1u
/** Response code [LOGIN-DELAY]: logged in too soon after the last time
 * (RFC 2449 §8.1.2). */
#define CORREU_POP3_RESP_LOGIN_DELAY 2u
/** Response code [SYS/TEMP]: a temporary system problem (RFC 3206 §4). */
#define CORREU_POP3_RESP_SYS_TEMP 3u
/** Response code [SYS/PERM]: a permanent system problem (RFC 3206 §4). */
#define CORREU_POP3_RESP_SYS_PERM 4u
/** Response code [AUTH]: the credentials were wrong (RFC 3206 §5). */
#define CORREU_POP3_RESP_AUTH 5u
/** Response code [UTF8]: the mailbox needs UTF-8 mode (RFC 6856 §2). */
#define CORREU_POP3_RESP_UTF8 6u
/** Response code: one correu does not know; see `code_text`. */
#define CORREU_POP3_RESP_OTHER 7u

/** Version of ::correu_pop3_event this header describes. */
#define CORREU_POP3_EVENT_VERSION 1

/**
 * What happened. Every pointer in it is borrowed for the callback only.
 */
typedef struct correu_pop3_event {
	uint32_t version; /**< ::CORREU_POP3_EVENT_VERSION */
	uint32_t type;    /**< a `CORREU_POP3_EV_*` value */
	/** The `CORREU_POP3_CMD_*` the event belongs to (REPLY, ITEM, BODY,
	 * END); else 0. */
	uint32_t command;
	/** For replies: 1 for +OK, 0 for -ERR. */
	uint32_t ok;
	/** For replies: a `CORREU_POP3_RESP_*` code from the "[...]" at the
	 * start of the text, when the server announced RESP-CODES (or
	 * AUTH-RESP-CODE, for the login commands). */
	uint32_t resp_code;
	/** The message number (LIST, UIDL, RETR, TOP, DELE, and items); for a
	 * STAT reply the number of messages; else 0. */
	uint32_t msg;
	/** The size in octets (STAT reply, LIST item); else 0. */
	uint64_t size;
	int32_t error; /**< for ::CORREU_POP3_EV_ERROR: the `CORREU_ERR_*` code */
	/** Reply text after the status indicator and the response code (not
	 * NUL-terminated); the unique id of a UIDL item; the error message;
	 * may be empty. */
	const char *text;
	size_t text_len; /**< bytes in `text` */
	/** The response code as sent, without brackets (e.g. "SYS/TEMP");
	 * empty when none. */
	const char *code_text;
	size_t code_text_len; /**< bytes in `code_text` */
	/** For ::CORREU_POP3_EV_BODY: the chunk; else NULL. */
	const uint8_t *data;
	size_t data_len; /**< bytes in `data` */
} correu_pop3_event;

/**
 * The event callback.
 * @param ev the event; borrowed for the call.
 * @param userdata as given in the settings.
 * @return 0 to go on, or a negative code to make the call that delivered
 *         the event fail with it (the client is then poisoned). The
 *         callback may queue commands, but must not call
 *         correu_pop3_client_recv() or free the client.
 */
typedef int (*correu_pop3_event_fn)(const correu_pop3_event *ev, void *userdata);

/** Version of ::correu_pop3_settings this header describes. */
#define CORREU_POP3_SETTINGS_VERSION 1

/**
 * Configuration of a client. Fill with correu_pop3_settings_init() and
 * change what you need; a zero limit or timeout means its default.
 */
typedef struct correu_pop3_settings {
	uint32_t version;    /**< ::CORREU_POP3_SETTINGS_VERSION */
	uint32_t flags;      /**< `CORREU_POP3_*` client flags */
	uint32_t tls_policy; /**< a `CORREU_POP3_TLS_*` policy */
	/** Allocator; NULL for libc. Borrowed for the client's life. */
	const correu_allocator *allocator;
	/** Log hook; copied; NULL for none. Credentials are never logged. */
	const correu_logger *logger;
	/** Event callback; required by correu_pop3_client_new(). */
	correu_pop3_event_fn on_event;
	/** Passed to `on_event`. */
	void *event_userdata;
	/** Longest response line accepted (status lines, CAPA, LIST and UIDL
	 * lines, SASL challenges), without CRLF (default 4096, at least 512:
	 * RFC 2449 §4 allows 512 octets). */
	size_t max_line;
	/** Longest line of a RETR or TOP message, without CRLF (default
	 * 1048576); a longer one is a fatal ::CORREU_ERR_LIMIT. */
	size_t max_body_line;
	/** Most bytes of one RETR or TOP message (default 1 GiB); more is a
	 * fatal ::CORREU_ERR_LIMIT. */
	uint64_t max_message;
	/** Most bytes one ::CORREU_POP3_EV_BODY carries (default 16384). */
	size_t max_chunk;
	/** Most bytes of CAPA response kept (default 16384). */
	size_t max_capa;
	/** Most bytes waiting to be written (default 65536). */
	size_t max_output;
	/** Most bytes of commands queued and not yet written (default 262144). */
	size_t max_queue;
	/** Most commands queued or awaiting responses (default 4096). */
	uint32_t max_commands;
	/** Longest command line, CRLF included (default 255, RFC 2449 §4);
	 * SASL responses are not commands and are not limited by it. */
	uint32_t max_command;
	/** Wait for the greeting, in ms (default 60000). */
	uint32_t timeout_greeting_ms;
	/** Wait for a response, and between the bytes of a multi-line one, in
	 * ms (default 300000). */
	uint32_t timeout_command_ms;
	/** Longest time without write progress while output is pending, in ms
	 * (default 180000). */
	uint32_t timeout_send_ms;
} correu_pop3_settings;

/**
 * Fill settings with the defaults (TLS required, every limit at its
 * default, no callback).
 * @param s the settings to fill; NULL is ignored.
 */
CORREU_API void correu_pop3_settings_init(correu_pop3_settings *s);

/* ------------------------------------------------------------------ */
/* Lifecycle and I/O                                                   */

/**
 * Make a client, waiting for the server greeting.
 * @param settings configuration; copied.
 * @param client_out receives the handle.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, no callback, unknown version,
 *         flag or policy, a limit below its minimum); ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_new(const correu_pop3_settings *settings,
                                                       correu_pop3_client **client_out);

/**
 * Release a client; buffers that held credentials are wiped.
 * @param client the handle; NULL is a no-op.
 */
CORREU_API void correu_pop3_client_free(correu_pop3_client *client);

/**
 * Feed bytes the server sent. Every byte is consumed; events are delivered
 * through the callback during the call.
 * @param client the handle.
 * @param in bytes; borrowed for the call. May be NULL when `len` is 0,
 *        which only tells the time (as correu_pop3_client_tick()).
 * @param len their count.
 * @param now_ms the current time in ms on any monotonic clock.
 * @return `len`; or a fatal error: ::CORREU_ERR_LIMIT (a line, the CAPA
 *         response or a message too long), ::CORREU_ERR_BARE_EOL,
 *         ::CORREU_ERR_SYNTAX (not a POP3 response), ::CORREU_ERR_PROTO (a
 *         response nobody asked for, bytes behind the STLS go-ahead, a
 *         malformed STAT, LIST or UIDL answer, a bad AUTH challenge),
 *         ::CORREU_ERR_TLS_REQUIRED, ::CORREU_ERR_AUTH (the server did not
 *         prove itself in SCRAM), ::CORREU_ERR_NOMEM, a callback's code;
 *         ::CORREU_ERR_PROTO also for bytes after the session ended;
 *         ::CORREU_ERR_CLOSED for a call without bytes once it is over;
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_pop3_client_recv(correu_pop3_client *client,
                                                                 const uint8_t *in, size_t len,
                                                                 uint64_t now_ms);

/**
 * Tell the core the time. Call it after queueing commands and after
 * writing, before computing how long to wait, so that the deadline of the
 * step just begun counts from now.
 * @param client the handle.
 * @param now_ms the current time in ms, same clock as for recv.
 * @return 0, ::CORREU_ERR_ARG, or the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_tick(correu_pop3_client *client,
                                                        uint64_t now_ms);

/**
 * The server closed the connection. Expected after the response to QUIT;
 * otherwise a fatal error is reported (and nothing was deleted).
 * @param client the handle.
 * @return 0 when the close was expected; ::CORREU_ERR_INCOMPLETE (a
 *         response was cut off) or ::CORREU_ERR_EOF otherwise;
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_eof(correu_pop3_client *client);

/**
 * Bytes waiting to be written to the server.
 * @param client the handle.
 * @param len_out receives their count (0 when none).
 * @return a pointer to them, valid until the next call on the client other
 *         than the read-only queries; NULL when there is nothing to write.
 */
CORREU_API const uint8_t *correu_pop3_client_send_buf(correu_pop3_client *client, size_t *len_out);

/**
 * Report that the first `n` bytes of correu_pop3_client_send_buf() were
 * written. Queued commands may move into the output as room frees up.
 * @param client the handle.
 * @param n bytes written; at most the length shown.
 * @return 0; ::CORREU_ERR_ARG (`n` too large); the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_send_ack(correu_pop3_client *client, size_t n);

/**
 * Whether the core waits for bytes from the server.
 * @param client the handle.
 * @return 1 if a response is awaited, 0 if not (idle, closed, failed, or
 *         between the STLS go-ahead and correu_pop3_client_tls_done()).
 */
CORREU_API int correu_pop3_client_want_read(const correu_pop3_client *client);

/**
 * Whether there are bytes to write.
 * @param client the handle.
 * @return 1 if correu_pop3_client_send_buf() has bytes, else 0.
 */
CORREU_API int correu_pop3_client_want_write(const correu_pop3_client *client);

/**
 * When the current step times out: the time of the last clock update
 * (recv or tick) after progress, plus the timeout of what the core waits
 * for.
 * @param client the handle.
 * @return the deadline in ms on the caller's clock; UINT64_MAX when the
 *         core waits for nothing.
 */
CORREU_API uint64_t correu_pop3_client_next_deadline(const correu_pop3_client *client);

/**
 * Whether the client is idle: ready, nothing queued, written or awaited.
 * @param client the handle.
 * @return 1 if idle and ready for commands, 0 otherwise.
 */
CORREU_API int correu_pop3_client_idle(const correu_pop3_client *client);

/**
 * The fatal error the client stopped on.
 * @param client the handle.
 * @return the `CORREU_ERR_*` code, or 0 when none.
 */
CORREU_API int correu_pop3_client_error(const correu_pop3_client *client);

/**
 * The transport has been switched to TLS after ::CORREU_POP3_EV_STARTTLS
 * (the handshake may still be under way). The core forgets the
 * capabilities and asks for them again (RFC 2595 §4).
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE when no STLS go-ahead is pending, or
 *         when called from the event callback (upgrade after
 *         correu_pop3_client_recv() has returned); ::CORREU_ERR_NOMEM;
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_tls_done(correu_pop3_client *client);

/**
 * Whether the connection is protected by TLS (implicit, or after STLS).
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_pop3_client_is_tls(const correu_pop3_client *client);

/* ------------------------------------------------------------------ */
/* Greeting and capabilities (valid after ::CORREU_POP3_EV_READY)      */

/** Capability: TOP. */
#define CORREU_POP3_CAP_TOP 0x1u
/** Capability: UIDL. */
#define CORREU_POP3_CAP_UIDL 0x2u
/** Capability: USER (USER/PASS accepted). */
#define CORREU_POP3_CAP_USER 0x4u
/** Capability: SASL (RFC 5034); see correu_pop3_client_sasl_mechs(). */
#define CORREU_POP3_CAP_SASL 0x8u
/** Capability: STLS (RFC 2595). */
#define CORREU_POP3_CAP_STLS 0x10u
/** Capability: PIPELINING. */
#define CORREU_POP3_CAP_PIPELINING 0x20u
/** Capability: UTF8 (RFC 6856). */
#define CORREU_POP3_CAP_UTF8 0x40u
/** Capability: UTF8 with the USER argument: user names may be UTF-8. */
#define CORREU_POP3_CAP_UTF8_USER 0x80u
/** Capability: RESP-CODES. */
#define CORREU_POP3_CAP_RESP_CODES 0x100u
/** Capability: AUTH-RESP-CODE (RFC 3206). */
#define CORREU_POP3_CAP_AUTH_RESP_CODE 0x200u
/** Capability: EXPIRE; see correu_pop3_client_expire(). */
#define CORREU_POP3_CAP_EXPIRE 0x400u
/** Capability: LOGIN-DELAY; see correu_pop3_client_login_delay(). */
#define CORREU_POP3_CAP_LOGIN_DELAY 0x800u
/** Capability: IMPLEMENTATION (see correu_pop3_client_cap_find()). */
#define CORREU_POP3_CAP_IMPLEMENTATION 0x1000u

/** correu_pop3_client_expire(): the server never deletes mail by itself. */
#define CORREU_POP3_EXPIRE_NEVER UINT32_MAX

/**
 * The capabilities the server announced that correu knows.
 * @param client the handle.
 * @return a mask of `CORREU_POP3_CAP_*`; 0 before CAPA or when the server
 *         refused it (an RFC 1939-only server).
 */
CORREU_API uint32_t correu_pop3_client_caps(const correu_pop3_client *client);

/**
 * Whether the server answered CAPA at all. A server that did not may still
 * know TOP, UIDL and USER (RFC 1939 lists them as optional commands).
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_pop3_client_has_capa(const correu_pop3_client *client);

/**
 * The SASL mechanisms the server offers, separated by single spaces.
 * @param client the handle.
 * @param len_out receives the length.
 * @return the names (not NUL-terminated), valid until the next CAPA;
 *         NULL with length 0 when there are none.
 */
CORREU_API const char *correu_pop3_client_sasl_mechs(const correu_pop3_client *client,
                                                     size_t *len_out);

/**
 * The EXPIRE policy (RFC 2449 §6.7): days a message stays on the server
 * after it was retrieved.
 * @param client the handle.
 * @param days_out receives the days, 0 (retrieved mail is deleted at once)
 *        or ::CORREU_POP3_EXPIRE_NEVER.
 * @param per_user_out receives 1 when the server said "USER" (the value
 *        may differ per user and comes again after login); may be NULL.
 * @return 0, ::CORREU_ERR_NOT_FOUND (not announced, or not a number),
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_expire(const correu_pop3_client *client,
                                                          uint32_t *days_out,
                                                          uint32_t *per_user_out);

/**
 * The LOGIN-DELAY (RFC 2449 §6.8): the fewest seconds between logins.
 * @param client the handle.
 * @param seconds_out receives it.
 * @param per_user_out receives 1 when the server said "USER"; may be NULL.
 * @return 0, ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_login_delay(const correu_pop3_client *client,
                                                               uint32_t *seconds_out,
                                                               uint32_t *per_user_out);

/**
 * Number of CAPA lines, unknown ones included.
 * @param client the handle.
 * @return the count.
 */
CORREU_API size_t correu_pop3_client_cap_count(const correu_pop3_client *client);

/**
 * One CAPA line, as the server sent it (keyword case kept).
 * @param client the handle.
 * @param i 0 .. correu_pop3_client_cap_count() - 1.
 * @param keyword_out receives the keyword; valid until the next CAPA.
 * @param keyword_len_out receives its length.
 * @param params_out receives the parameters after the keyword (space
 *        separated, possibly empty); valid until the next CAPA.
 * @param params_len_out receives their length.
 * @return 0, ::CORREU_ERR_NOT_FOUND (no such line), ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int
correu_pop3_client_cap_at(const correu_pop3_client *client, size_t i, const char **keyword_out,
                          size_t *keyword_len_out, const char **params_out, size_t *params_len_out);

/**
 * Look a CAPA keyword up (compared without regard to case).
 * @param client the handle.
 * @param keyword the keyword; borrowed for the call; not NUL-terminated.
 * @param len its length.
 * @param params_out receives the parameters (see correu_pop3_client_cap_at()).
 * @param params_len_out receives their length.
 * @return 0, ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_cap_find(const correu_pop3_client *client,
                                                            const char *keyword, size_t len,
                                                            const char **params_out,
                                                            size_t *params_len_out);

/**
 * The APOP timestamp of the greeting (RFC 1939 §7), angle brackets
 * included, e.g. "<1896.697170952@dbc.mtview.ca.us>".
 * @param client the handle.
 * @param len_out receives its length (0 when none).
 * @return the timestamp (not NUL-terminated), valid for the client's life;
 *         NULL when the greeting had none.
 */
CORREU_API const char *correu_pop3_client_apop_timestamp(const correu_pop3_client *client,
                                                         size_t *len_out);

/**
 * Whether a login succeeded (the TRANSACTION state of RFC 1939 §5).
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_pop3_client_logged_in(const correu_pop3_client *client);

/* ------------------------------------------------------------------ */
/* Commands (after ::CORREU_POP3_EV_READY)                             */

/**
 * Ask for the capabilities again (RFC 2449 §5: they may change after
 * login). The lines replace the ones known when the response ends.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (not ready); ::CORREU_ERR_LIMIT;
 *         ::CORREU_ERR_NOMEM; the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_capa(correu_pop3_client *client);

/**
 * Log in with USER and PASS (RFC 1939 §7). PASS is sent only after USER
 * is accepted; a refused USER is the result (no PASS reply follows).
 * @param client the handle.
 * @param user the user name; borrowed for the call; CR, LF and NUL refused.
 * @param user_len its length (> 0).
 * @param pass the password; copied, and wiped once sent; CR, LF and NUL
 *        refused.
 * @param pass_len its length.
 * @return 0; ::CORREU_ERR_ARG (a refused byte, an empty user, a command
 *         longer than `max_command`); ::CORREU_ERR_TLS_REQUIRED (no TLS,
 *         and ::CORREU_POP3_ALLOW_PLAINTEXT_AUTH not set);
 *         ::CORREU_ERR_UNSUPPORTED (CAPA answered without USER);
 *         ::CORREU_ERR_STATE (not ready, a login under way or done);
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_user(correu_pop3_client *client,
                                                        const char *user, size_t user_len,
                                                        const char *pass, size_t pass_len);

/**
 * Log in with APOP (RFC 1939 §7): the MD5 digest of the greeting's
 * timestamp and the password, so the password never crosses the wire. MD5
 * is weak: prefer SASL (SCRAM) or TLS.
 * @param client the handle.
 * @param user the user name; borrowed for the call; CR, LF, NUL and space
 *        refused.
 * @param user_len its length (> 0).
 * @param pass the password; borrowed for the call; never kept.
 * @param pass_len its length.
 * @return 0; ::CORREU_ERR_UNSUPPORTED (no timestamp in the greeting, or a
 *         build without mbedTLS); ::CORREU_ERR_ARG; ::CORREU_ERR_STATE;
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_apop(correu_pop3_client *client,
                                                        const char *user, size_t user_len,
                                                        const char *pass, size_t pass_len);

/**
 * Authenticate with SASL (RFC 5034): an initial response when the
 * mechanism has one and the command stays within 255 octets (§4), each
 * "+" challenge answered, the exchange cancelled with "*" when the
 * mechanism cannot go on. The final response comes as a
 * ::CORREU_POP3_CMD_AUTH event.
 * @param client the handle.
 * @param mech a `CORREU_SASL_*` mechanism, or 0 to pick the strongest the
 *        server offers for the credentials (correu_sasl_choose()).
 * @param cred credentials; copied.
 * @param sasl limits and random source (SCRAM needs one); copied; NULL for
 *        defaults.
 * @return the mechanism used (> 0); ::CORREU_ERR_UNSUPPORTED (no SASL, or
 *         the mechanism not offered); ::CORREU_ERR_NOT_FOUND (no offered
 *         mechanism fits); ::CORREU_ERR_TLS_REQUIRED (a plaintext
 *         mechanism without TLS); ::CORREU_ERR_STATE (not ready, a login
 *         under way or done); ::CORREU_ERR_LIMIT; the SASL layer's errors.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_auth(correu_pop3_client *client, int mech,
                                                        const correu_sasl_credentials *cred,
                                                        const correu_sasl_settings *sasl);

/**
 * Switch to UTF-8 mode (RFC 6856 §2): before login, when the server
 * offers UTF8. Message headers and user names may then be UTF-8.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_UNSUPPORTED (not offered); ::CORREU_ERR_STATE
 *         (not ready, or a login under way or done); ::CORREU_ERR_LIMIT;
 *         ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_utf8(correu_pop3_client *client);

/**
 * Queue STAT: the reply's `msg` is the number of messages and `size`
 * their total size.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (not ready, no login queued, or QUIT
 *         queued); ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_stat(correu_pop3_client *client);

/**
 * Queue LIST: the size of one message, or of every message.
 * @param client the handle.
 * @param msg the message number, or 0 for all (a multi-line response).
 * @return as correu_pop3_client_stat().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_list(correu_pop3_client *client, uint32_t msg);

/**
 * Queue UIDL: the unique id of one message, or of every message.
 * @param client the handle.
 * @param msg the message number, or 0 for all (a multi-line response).
 * @return as correu_pop3_client_stat(); ::CORREU_ERR_UNSUPPORTED (CAPA
 *         answered without UIDL).
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_uidl(correu_pop3_client *client, uint32_t msg);

/**
 * Queue RETR: the message comes in ::CORREU_POP3_EV_BODY chunks.
 * @param client the handle.
 * @param msg the message number (>= 1).
 * @return as correu_pop3_client_stat(); ::CORREU_ERR_ARG for message 0.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_retr(correu_pop3_client *client, uint32_t msg);

/**
 * Queue TOP: the header and the first `lines` lines of the body.
 * @param client the handle.
 * @param msg the message number (>= 1).
 * @param lines body lines wanted (0: the header only).
 * @return as correu_pop3_client_retr(); ::CORREU_ERR_UNSUPPORTED (CAPA
 *         answered without TOP).
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_top(correu_pop3_client *client, uint32_t msg,
                                                       uint32_t lines);

/**
 * Queue DELE: mark a message deleted; the server removes it at QUIT.
 * @param client the handle.
 * @param msg the message number (>= 1).
 * @return as correu_pop3_client_retr().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_dele(correu_pop3_client *client, uint32_t msg);

/**
 * Queue RSET: unmark every message marked deleted.
 * @param client the handle.
 * @return as correu_pop3_client_stat().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_rset(correu_pop3_client *client);

/**
 * Queue NOOP.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (not ready, QUIT queued);
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_noop(correu_pop3_client *client);

/**
 * End the session: QUIT. After a login the server now removes the
 * messages marked deleted (RFC 1939 §6); a -ERR reply says that failed.
 * ::CORREU_POP3_EV_CLOSED follows the reply.
 * @param client the handle.
 * @return as correu_pop3_client_noop().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_client_quit(correu_pop3_client *client);

/* ------------------------------------------------------------------ */
/* Blocking session                                                    */

/** A blocking POP3 session over a transport; opaque. */
typedef struct correu_pop3_session correu_pop3_session;

/** Session TLS mode: STLS, following the policy in the settings (port 110). */
#define CORREU_POP3_SESSION_STLS 0u
/** Session TLS mode: TLS from the first byte (port 995, RFC 8314). */
#define CORREU_POP3_SESSION_IMPLICIT 1u

/**
 * Receives one LIST entry.
 * @param msg the message number.
 * @param size its size in octets.
 * @param userdata as given.
 * @return 0 to go on, or a negative code to stop (returned by the call).
 */
typedef int (*correu_pop3_list_fn)(uint32_t msg, uint64_t size, void *userdata);

/**
 * Receives one UIDL entry.
 * @param msg the message number.
 * @param uid the unique id; borrowed for the call; not NUL-terminated.
 * @param uid_len its length (1..70).
 * @param userdata as given.
 * @return 0 to go on, or a negative code to stop (returned by the call).
 */
typedef int (*correu_pop3_uidl_fn)(uint32_t msg, const char *uid, size_t uid_len, void *userdata);

/**
 * Receives the next chunk of a message.
 * @param data the bytes; borrowed for the call.
 * @param len their count (> 0).
 * @param userdata as given.
 * @return 0 to go on, or a negative code to stop (returned by the call;
 *         the rest of the message is read and dropped so the session can
 *         go on).
 */
typedef int (*correu_pop3_body_fn)(const uint8_t *data, size_t len, void *userdata);

/** Version of ::correu_pop3_session_options this header describes. */
#define CORREU_POP3_SESSION_OPTIONS_VERSION 1

/** How a session connects. Fill with correu_pop3_session_options_init(). */
typedef struct correu_pop3_session_options {
	uint32_t version; /**< ::CORREU_POP3_SESSION_OPTIONS_VERSION */
	/** ::CORREU_POP3_SESSION_STLS or ::CORREU_POP3_SESSION_IMPLICIT. */
	uint32_t tls_mode;
	/** Overall limit for the TCP connection, in ms (default 30000). */
	uint32_t connect_timeout_ms;
	/** TLS configuration; borrowed while the session lives. NULL: a
	 * default client configuration is made (system CAs, full
	 * verification). */
	const correu_tls_config *tls;
	/** Client settings (policy, flags, limits, timeouts); copied.
	 * `on_event` is the session's own and is ignored. NULL: defaults. */
	const correu_pop3_settings *settings;
	/** Random source for SCRAM nonces; NULL: the system's (getrandom). */
	correu_sasl_random_fn random;
	/** Passed to `random`. */
	void *random_userdata;
} correu_pop3_session_options;

/**
 * Fill session options with the defaults.
 * @param o the options; NULL is ignored.
 */
CORREU_API void correu_pop3_session_options_init(correu_pop3_session_options *o);

/**
 * Connect over TCP and get ready: the greeting, CAPA, STLS as the policy
 * says (or TLS from the start).
 * @param host server name or address; NUL-terminated; copied.
 * @param port TCP port (995 implicit TLS, 110 otherwise).
 * @param opts options; copied; NULL for defaults.
 * @param session_out receives the session.
 * @return 0; ::CORREU_ERR_REPLY (the greeting was -ERR; see
 *         correu_pop3_session_last_reply()); ::CORREU_ERR_TLS_REQUIRED;
 *         ::CORREU_ERR_TIMEOUT; the transport's and core's errors.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_open(const char *host, uint16_t port,
                                                         const correu_pop3_session_options *opts,
                                                         correu_pop3_session **session_out);

/**
 * Get ready over a transport the caller connected (a user-supplied
 * transport, an in-memory pair). With ::CORREU_POP3_SESSION_IMPLICIT the
 * transport must already be TLS.
 * @param t the transport; taken over (freed with the session, also on
 *        failure).
 * @param host the server name TLS verifies; NUL-terminated; copied; may be
 *        NULL when STLS will not be used.
 * @param opts options; copied; NULL for defaults.
 * @param session_out receives the session.
 * @return as correu_pop3_session_open(); ::CORREU_ERR_ARG also when the
 *         implicit mode or policy is asked of a transport without TLS.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_start(correu_transport *t, const char *host,
                                                          const correu_pop3_session_options *opts,
                                                          correu_pop3_session **session_out);

/**
 * Close the connection (without QUIT, so nothing is deleted; call
 * correu_pop3_session_quit() first to commit deletions) and free the
 * session.
 * @param s the session; NULL is a no-op.
 */
CORREU_API void correu_pop3_session_free(correu_pop3_session *s);

/**
 * Log in with the strongest method the server offers: SASL (SCRAM first,
 * correu_sasl_choose()), then APOP, then USER/PASS (only over TLS unless
 * ::CORREU_POP3_ALLOW_PLAINTEXT_AUTH is set).
 * @param s the session.
 * @param user user name, NUL-terminated; copied.
 * @param password password, NUL-terminated; copied and wiped after use.
 * @return 0; ::CORREU_ERR_AUTH (refused: see the last reply and its
 *         response code); ::CORREU_ERR_NOT_FOUND (no usable method);
 *         ::CORREU_ERR_TLS_REQUIRED; ::CORREU_ERR_TIMEOUT; I/O errors.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_login(correu_pop3_session *s, const char *user,
                                                          const char *password);

/**
 * STAT: the number of messages and their total size.
 * @param s the session.
 * @param count_out receives the count; may be NULL.
 * @param size_out receives the size in octets; may be NULL.
 * @return 0; ::CORREU_ERR_REPLY (-ERR); ::CORREU_ERR_TIMEOUT; I/O and core
 *         errors.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_stat(correu_pop3_session *s,
                                                         uint32_t *count_out, uint64_t *size_out);

/**
 * LIST every message.
 * @param s the session.
 * @param fn called once per message; required.
 * @param userdata passed to `fn`.
 * @return 0; `fn`'s code; as correu_pop3_session_stat().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_list(correu_pop3_session *s,
                                                         correu_pop3_list_fn fn, void *userdata);

/**
 * UIDL every message.
 * @param s the session.
 * @param fn called once per message; required.
 * @param userdata passed to `fn`.
 * @return 0; ::CORREU_ERR_UNSUPPORTED; `fn`'s code; as
 *         correu_pop3_session_stat().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_uidl(correu_pop3_session *s,
                                                         correu_pop3_uidl_fn fn, void *userdata);

/**
 * RETR one message, handed to `fn` in chunks of at most `max_chunk` bytes
 * (never held whole).
 * @param s the session.
 * @param msg the message number.
 * @param fn receives the chunks; required.
 * @param userdata passed to `fn`.
 * @return 0; `fn`'s first negative code (the session stays usable);
 *         ::CORREU_ERR_REPLY; as correu_pop3_session_stat().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_retrieve(correu_pop3_session *s, uint32_t msg,
                                                             correu_pop3_body_fn fn,
                                                             void *userdata);

/**
 * RETR one message into a file descriptor (written in chunks; partial
 * writes and EINTR are handled; not synced, not closed).
 * @param s the session.
 * @param msg the message number.
 * @param fd the descriptor; borrowed.
 * @return 0; ::CORREU_ERR_IO for a write error; as
 *         correu_pop3_session_retrieve().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_retrieve_fd(correu_pop3_session *s,
                                                                uint32_t msg, int fd);

/**
 * TOP: the header and the first lines of a message's body.
 * @param s the session.
 * @param msg the message number.
 * @param lines body lines wanted.
 * @param fn receives the chunks; required.
 * @param userdata passed to `fn`.
 * @return as correu_pop3_session_retrieve(); ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_top(correu_pop3_session *s, uint32_t msg,
                                                        uint32_t lines, correu_pop3_body_fn fn,
                                                        void *userdata);

/**
 * DELE: mark a message deleted (removed at a successful QUIT).
 * @param s the session.
 * @param msg the message number.
 * @return 0; as correu_pop3_session_stat().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_delete(correu_pop3_session *s, uint32_t msg);

/**
 * RSET: unmark the messages marked deleted.
 * @param s the session.
 * @return 0; as correu_pop3_session_stat().
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_reset(correu_pop3_session *s);

/**
 * QUIT and wait for the response: the server commits the deletions now.
 * @param s the session.
 * @return 0 when the server confirmed; ::CORREU_ERR_REPLY (-ERR: some
 *         deletions failed); the error met. The session must still be
 *         freed.
 */
CORREU_API CORREU_NODISCARD int correu_pop3_session_quit(correu_pop3_session *s);

/**
 * The last response the server gave.
 * @param s the session.
 * @param text_out receives its text, NUL-terminated, valid until the next
 *        call on the session; may be NULL.
 * @param resp_code_out receives its `CORREU_POP3_RESP_*` code; may be NULL.
 * @return 1 for +OK, 0 for -ERR, ::CORREU_ERR_NOT_FOUND when none yet.
 */
CORREU_API int correu_pop3_session_last_reply(const correu_pop3_session *s, const char **text_out,
                                              uint32_t *resp_code_out);

/**
 * The core under the session, for its capability queries.
 * @param s the session.
 * @return the client handle, borrowed for the session's life.
 */
CORREU_API correu_pop3_client *correu_pop3_session_client(correu_pop3_session *s);

#ifdef __cplusplus
}
#endif
#endif
