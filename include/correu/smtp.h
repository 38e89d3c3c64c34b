/*
 * correu SMTP layer: the SMTP and LMTP client. A sans-I/O core
 * (correu_smtp_client_*) that turns typed commands into wire bytes and
 * server replies into events, and a blocking session driver
 * (correu_smtp_session_*) that runs the core over a transport. The core
 * never touches a socket, a clock or a file.
 */
#ifndef CORREU_SMTP_H
#define CORREU_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "correu/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * SMTP (RFC 5321) and LMTP (RFC 2033) client.
 *
 * **The core.** Make a client with correu_smtp_client_new(). Feed every
 * byte the server sends to correu_smtp_client_recv(); write what
 * correu_smtp_client_send_buf() shows and report it with
 * correu_smtp_client_send_ack(). The core greets the server by itself
 * (EHLO, or HELO when EHLO is refused; LHLO for LMTP), negotiates STARTTLS
 * according to the TLS policy and then reports ::CORREU_SMTP_EV_READY.
 * From then on the application queues commands (correu_smtp_client_auth(),
 * correu_smtp_client_mail(), correu_smtp_client_rcpt(),
 * correu_smtp_client_data(), ...); the core sends them as soon as the
 * protocol allows, pipelined (RFC 2920) when the server offers it, and
 * matches each reply to its command.
 *
 * Replies come back as events through the callback in the settings. A 4xx
 * or 5xx reply is data, not a library error. A fatal error (a malformed
 * reply, a limit, STARTTLS unavailable under the "required" policy, out of
 * memory) is reported once as ::CORREU_SMTP_EV_ERROR, returned by the call
 * that met it, and makes every later call return ::CORREU_ERR_POISONED or
 * the same code: close the connection.
 *
 * **Time.** The core keeps no clock: correu_smtp_client_recv() and
 * correu_smtp_client_tick() tell it the time, and
 * correu_smtp_client_next_deadline() says when the step it waits for
 * times out (RFC 5321 §4.5.3.2). The driver enforces it.
 *
 * **The session.** correu_smtp_session_open() connects, greets,
 * negotiates TLS and optionally logs in; correu_smtp_session_send() sends
 * one message streamed from a buffer, a file descriptor or a reader
 * callback, with a timeout on every step.
 */

/* ------------------------------------------------------------------ */
/* Settings                                                            */

/** A sans-I/O SMTP or LMTP client; opaque. */
typedef struct correu_smtp_client correu_smtp_client;

/** TLS policy: STARTTLS must succeed before anything else is sent (the
 * default). A server that does not offer it, or refuses it, ends the
 * session with ::CORREU_ERR_TLS_REQUIRED; there is no plaintext fallback. */
#define CORREU_SMTP_TLS_REQUIRED 0u
/** TLS policy: use STARTTLS when the server offers it, otherwise go on in
 * plaintext. Open to an active attacker who strips the offer. */
#define CORREU_SMTP_TLS_OPPORTUNISTIC 1u
/** TLS policy: never use STARTTLS; plaintext only. */
#define CORREU_SMTP_TLS_NONE 2u
/** TLS policy: the transport is TLS already (implicit TLS, port 465,
 * RFC 8314); STARTTLS is never sent. */
#define CORREU_SMTP_TLS_IMPLICIT 3u

/** Client flag: speak LMTP (RFC 2033): LHLO, and one reply per accepted
 * recipient after the message. */
#define CORREU_SMTP_LMTP 0x1u
/** Client flag: do not pipeline even when the server offers PIPELINING. */
#define CORREU_SMTP_NO_PIPELINING 0x2u
/** Client flag: send the body with BDAT (RFC 3030) when the server offers
 * CHUNKING. BODY=BINARYMIME always uses BDAT. */
#define CORREU_SMTP_PREFER_CHUNKING 0x4u
/** Client flag: in a DATA body, send a bare LF or CR as CRLF instead of
 * failing with ::CORREU_ERR_BARE_EOL (for messages kept with Unix line
 * ends). BDAT bodies are always sent as they are. */
#define CORREU_SMTP_BODY_NORMALISE 0x8u
/** Client flag: allow mechanisms that send a password or token in clear
 * (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) without TLS. Insecure. */
#define CORREU_SMTP_ALLOW_PLAINTEXT_AUTH 0x10u

/** Event: a reply to a command (see ::correu_smtp_event). */
#define CORREU_SMTP_EV_REPLY 1u
/** Event: the greeting and EHLO (and STARTTLS) are done; the capabilities
 * are known and commands may be queued. Comes again after STARTTLS. */
#define CORREU_SMTP_EV_READY 2u
/** Event: the server said go ahead to STARTTLS. Once
 * correu_smtp_client_recv() has returned, upgrade the transport
 * (correu_transport_starttls()), then call correu_smtp_client_tls_done().
 * No byte may be read in plaintext in between. */
#define CORREU_SMTP_EV_STARTTLS 3u
/** Event: the server waits for the message body: feed it with
 * correu_smtp_client_body() and end it with correu_smtp_client_body_end(). */
#define CORREU_SMTP_EV_BODY 4u
/** Event: the session is over (the reply to QUIT, or a 421 from the
 * server); close the connection. */
#define CORREU_SMTP_EV_CLOSED 5u
/** Event: a fatal error; `error` holds the code and `text` says why. */
#define CORREU_SMTP_EV_ERROR 6u

/** Command: the server greeting, which answers the connection. */
#define CORREU_SMTP_CMD_GREETING 1u
/** Command: EHLO. */
#define CORREU_SMTP_CMD_EHLO 2u
/** Command: HELO, sent when EHLO is refused with a 5xx reply. */
#define CORREU_SMTP_CMD_HELO 3u
/** Command: LHLO (LMTP). */
#define CORREU_SMTP_CMD_LHLO 4u
/** Command: STARTTLS (RFC 3207). */
#define CORREU_SMTP_CMD_STARTTLS 5u
/** Command: AUTH (RFC 4954); only its final reply is reported. */
#define CORREU_SMTP_CMD_AUTH 6u
/** Command: MAIL FROM. */
#define CORREU_SMTP_CMD_MAIL 7u
/** Command: RCPT TO; `index` is the recipient's number in the transaction. */
#define CORREU_SMTP_CMD_RCPT 8u
/** Command: DATA; 354 means the body may follow. */
#define CORREU_SMTP_CMD_DATA 9u
/** Command: a BDAT chunk other than the last (RFC 3030). */
#define CORREU_SMTP_CMD_BDAT 10u
/** Command: the end of the message (the final "." or BDAT LAST): the
 * transaction's result. In LMTP one such reply comes per accepted
 * recipient, `index` naming it. */
#define CORREU_SMTP_CMD_DATA_END 11u
/** Command: RSET. */
#define CORREU_SMTP_CMD_RSET 12u
/** Command: NOOP. */
#define CORREU_SMTP_CMD_NOOP 13u
/** Command: QUIT. */
#define CORREU_SMTP_CMD_QUIT 14u

/** Version of ::correu_smtp_event this header describes (2 added
 * `transaction`). */
#define CORREU_SMTP_EVENT_VERSION 2

/**
 * What happened. Every pointer in it is borrowed for the callback only.
 */
typedef struct correu_smtp_event {
	uint32_t version; /**< ::CORREU_SMTP_EVENT_VERSION */
	uint32_t type;    /**< a `CORREU_SMTP_EV_*` value */
	uint32_t command; /**< for replies: the `CORREU_SMTP_CMD_*` answered; else 0 */
	uint32_t code;    /**< for replies: the three-digit reply code; else 0 */
	/** Enhanced status code class (2, 4 or 5; RFC 3463), 0 when the reply
	 * has none or the server did not announce ENHANCEDSTATUSCODES. */
	uint32_t status_class;
	uint32_t status_subject; /**< enhanced status code subject */
	uint32_t status_detail;  /**< enhanced status code detail */
	/** For RCPT and LMTP end-of-data replies: the recipient's number in its
	 * transaction (0 for the first correu_smtp_client_rcpt()); else 0. */
	uint32_t index;
	int32_t error; /**< for ::CORREU_SMTP_EV_ERROR: the `CORREU_ERR_*` code */
	/** Reply text without the reply codes, lines joined by "\n" (not
	 * NUL-terminated), with the enhanced status code removed from every
	 * line that starts with one (RFC 2034 §3) when the first line does;
	 * or the error message. May be empty. */
	const char *text;
	size_t text_len; /**< bytes in `text` */
	/** Since version 2: for replies to MAIL, RCPT, DATA, BDAT and the end
	 * of the data, and for ::CORREU_SMTP_EV_BODY, the transaction they
	 * belong to, as correu_smtp_client_transaction() named it after its
	 * MAIL; else 0. With PIPELINING the next transaction's MAIL may be
	 * sent before the previous one's result is known (RFC 2920 §3.1), so
	 * the result of one and the replies of the next interleave. */
	uint32_t transaction;
} correu_smtp_event;

/**
 * The event callback.
 * @param ev the event; borrowed for the call.
 * @param userdata as given in the settings.
 * @return 0 to go on, or a negative code to make the call that delivered
 *         the event fail with it (the client is then poisoned). The
 *         callback may queue commands, but must not call
 *         correu_smtp_client_recv() or free the client.
 */
typedef int (*correu_smtp_event_fn)(const correu_smtp_event *ev, void *userdata);

/** Version of ::correu_smtp_settings this header describes. */
#define CORREU_SMTP_SETTINGS_VERSION 1

/**
 * Configuration of a client. Fill with correu_smtp_settings_init() and
 * change what you need; a zero limit or timeout means its default.
 */
typedef struct correu_smtp_settings {
	uint32_t version;    /**< ::CORREU_SMTP_SETTINGS_VERSION */
	uint32_t flags;      /**< `CORREU_SMTP_*` client flags */
	uint32_t tls_policy; /**< a `CORREU_SMTP_TLS_*` policy */
	/** Allocator; NULL for libc. Borrowed for the client's life. */
	const correu_allocator *allocator;
	/** Log hook; copied; NULL for none. Credentials are never logged. */
	const correu_logger *logger;
	/** Event callback; required by correu_smtp_client_new(). */
	correu_smtp_event_fn on_event;
	/** Passed to `on_event`. */
	void *event_userdata;
	/** The name given in EHLO: a domain, or an address literal such as
	 * "[192.0.2.1]"; NUL-terminated; copied. NULL: "localhost". */
	const char *ehlo_name;
	/** Longest reply line accepted, without CRLF (default 4096; RFC 5321
	 * §4.5.3.1.5 asks for at least 512). */
	size_t max_line;
	/** Most text one reply may carry, all lines together (default 65536). */
	size_t max_reply;
	/** Most bytes waiting to be written (default 32768, so a blocking
	 * session sends any message in under 64 KiB of heap); body feeding
	 * stops when it is full, which is the back-pressure. */
	size_t max_output;
	/** Most bytes of commands queued and not yet written (default 262144). */
	size_t max_queue;
	/** Most commands queued or awaiting replies (default 4096). */
	uint32_t max_commands;
	/** Wait for the greeting, in ms (default 300000, RFC 5321 §4.5.3.2.1). */
	uint32_t timeout_greeting_ms;
	/** Wait for a command's reply, in ms (default 300000). */
	uint32_t timeout_command_ms;
	/** Wait for the reply to the end of the data, in ms (default 600000,
	 * RFC 5321 §4.5.3.2.6). */
	uint32_t timeout_data_end_ms;
	/** Longest time without write progress while output is pending, in ms
	 * (default 180000, RFC 5321 §4.5.3.2.5). */
	uint32_t timeout_send_ms;
} correu_smtp_settings;

/**
 * Fill settings with the defaults (TLS required, SMTP, every limit at its
 * default, no callback).
 * @param s the settings to fill; NULL is ignored.
 */
CORREU_API void correu_smtp_settings_init(correu_smtp_settings *s);

/* ------------------------------------------------------------------ */
/* Lifecycle and I/O                                                   */

/**
 * Make a client, waiting for the server greeting.
 * @param settings configuration; copied (strings too).
 * @param client_out receives the handle.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, no callback, unknown version,
 *         flag or policy, an EHLO name that is not a domain or address
 *         literal); ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_new(const correu_smtp_settings *settings,
                                                       correu_smtp_client **client_out);

/**
 * Release a client; buffers that held credentials are wiped.
 * @param client the handle; NULL is a no-op.
 */
CORREU_API void correu_smtp_client_free(correu_smtp_client *client);

/**
 * Feed bytes the server sent. Every byte is consumed; events are delivered
 * through the callback during the call.
 * @param client the handle.
 * @param in bytes; borrowed for the call. May be NULL when `len` is 0,
 *        which only tells the time (as correu_smtp_client_tick()).
 * @param len their count.
 * @param now_ms the current time in ms on any monotonic clock.
 * @return `len`; or a fatal error: ::CORREU_ERR_LIMIT (reply line or reply
 *         too long), ::CORREU_ERR_BARE_EOL, ::CORREU_ERR_SYNTAX (malformed
 *         reply), ::CORREU_ERR_PROTO (code mismatch in a multi-line reply, a
 *         reply nobody asked for, bytes behind the STARTTLS go-ahead, a bad
 *         AUTH challenge), ::CORREU_ERR_TLS_REQUIRED, ::CORREU_ERR_AUTH (the
 *         server did not prove itself in SCRAM), ::CORREU_ERR_NOMEM, a
 *         callback's code; ::CORREU_ERR_POISONED after an earlier one;
 *         ::CORREU_ERR_CLOSED once the session is over; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_smtp_client_recv(correu_smtp_client *client,
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
CORREU_API CORREU_NODISCARD int correu_smtp_client_tick(correu_smtp_client *client,
                                                        uint64_t now_ms);

/**
 * The server closed the connection. Expected after the reply to QUIT or a
 * 421, and accepted in place of the reply to QUIT; otherwise a fatal error
 * is reported.
 * @param client the handle.
 * @return 0 when the close was expected; ::CORREU_ERR_INCOMPLETE (a reply
 *         was cut off mid-line) or ::CORREU_ERR_EOF otherwise;
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_eof(correu_smtp_client *client);

/**
 * Bytes waiting to be written to the server.
 * @param client the handle.
 * @param len_out receives their count (0 when none).
 * @return a pointer to them, valid until the next call on the client other
 *         than the read-only queries; NULL when there is nothing to write.
 */
CORREU_API const uint8_t *correu_smtp_client_send_buf(correu_smtp_client *client,
                                                      size_t *len_out);

/**
 * Report that the first `n` bytes of correu_smtp_client_send_buf() were
 * written. Queued commands may move into the output as room frees up.
 * @param client the handle.
 * @param n bytes written; at most the length shown.
 * @return 0; ::CORREU_ERR_ARG (`n` too large); the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_send_ack(correu_smtp_client *client,
                                                            size_t n);

/**
 * Whether the core waits for bytes from the server.
 * @param client the handle.
 * @return 1 if a reply is awaited, 0 if not (idle, closed, failed, or
 *         between the STARTTLS go-ahead and correu_smtp_client_tls_done()).
 */
CORREU_API int correu_smtp_client_want_read(const correu_smtp_client *client);

/**
 * Whether there are bytes to write.
 * @param client the handle.
 * @return 1 if correu_smtp_client_send_buf() has bytes, else 0.
 */
CORREU_API int correu_smtp_client_want_write(const correu_smtp_client *client);

/**
 * When the current step times out: the time of the last clock update
 * (recv or tick) after progress, plus the timeout of what the core waits
 * for.
 * @param client the handle.
 * @return the deadline in ms on the caller's clock; UINT64_MAX when the
 *         core waits for nothing.
 */
CORREU_API uint64_t correu_smtp_client_next_deadline(const correu_smtp_client *client);

/**
 * Whether the client is idle: ready, nothing queued, written or awaited.
 * @param client the handle.
 * @return 1 if idle and ready for commands, 0 otherwise.
 */
CORREU_API int correu_smtp_client_idle(const correu_smtp_client *client);

/**
 * The fatal error the client stopped on.
 * @param client the handle.
 * @return the `CORREU_ERR_*` code, or 0 when none.
 */
CORREU_API int correu_smtp_client_error(const correu_smtp_client *client);

/**
 * The transport has been switched to TLS after ::CORREU_SMTP_EV_STARTTLS
 * (the handshake may still be under way). The core forgets the
 * capabilities and sends EHLO again (RFC 3207 §4.2).
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE when no STARTTLS go-ahead is pending, or
 *         when called from the event callback (the rest of that recv's
 *         input must still be refused as plaintext); ::CORREU_ERR_NOMEM;
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_tls_done(correu_smtp_client *client);

/* ------------------------------------------------------------------ */
/* Capabilities (RFC 5321 §4.1.1.1, valid after ::CORREU_SMTP_EV_READY) */

/** Capability: SIZE (RFC 1870). */
#define CORREU_SMTP_CAP_SIZE 0x1u
/** Capability: 8BITMIME (RFC 6152). */
#define CORREU_SMTP_CAP_8BITMIME 0x2u
/** Capability: SMTPUTF8 (RFC 6531). */
#define CORREU_SMTP_CAP_SMTPUTF8 0x4u
/** Capability: PIPELINING (RFC 2920). */
#define CORREU_SMTP_CAP_PIPELINING 0x8u
/** Capability: CHUNKING (RFC 3030). */
#define CORREU_SMTP_CAP_CHUNKING 0x10u
/** Capability: BINARYMIME (RFC 3030). */
#define CORREU_SMTP_CAP_BINARYMIME 0x20u
/** Capability: DSN (RFC 3461). */
#define CORREU_SMTP_CAP_DSN 0x40u
/** Capability: ENHANCEDSTATUSCODES (RFC 2034). */
#define CORREU_SMTP_CAP_ENHANCEDSTATUSCODES 0x80u
/** Capability: STARTTLS (RFC 3207). */
#define CORREU_SMTP_CAP_STARTTLS 0x100u
/** Capability: REQUIRETLS (RFC 8689). */
#define CORREU_SMTP_CAP_REQUIRETLS 0x200u
/** Capability: AUTH (RFC 4954); see correu_smtp_client_auth_mechs(). */
#define CORREU_SMTP_CAP_AUTH 0x400u

/**
 * The capabilities the server announced that correu knows.
 * @param client the handle.
 * @return a mask of `CORREU_SMTP_CAP_*`; 0 before EHLO or after HELO.
 */
CORREU_API uint32_t correu_smtp_client_caps(const correu_smtp_client *client);

/**
 * The SIZE the server announced.
 * @param client the handle.
 * @return the largest message size it accepts in bytes; 0 when it gave
 *         no number (or no SIZE).
 */
CORREU_API uint64_t correu_smtp_client_max_size(const correu_smtp_client *client);

/**
 * The SASL mechanisms after AUTH, separated by single spaces.
 * @param client the handle.
 * @param len_out receives the length.
 * @return the names (not NUL-terminated), valid until the next EHLO;
 *         NULL with length 0 when there are none.
 */
CORREU_API const char *correu_smtp_client_auth_mechs(const correu_smtp_client *client,
                                                     size_t *len_out);

/**
 * Number of EHLO keyword lines, unknown ones included.
 * @param client the handle.
 * @return the count.
 */
CORREU_API size_t correu_smtp_client_cap_count(const correu_smtp_client *client);

/**
 * One EHLO keyword line, as the server sent it (keyword case kept).
 * @param client the handle.
 * @param i 0 .. correu_smtp_client_cap_count() - 1.
 * @param keyword_out receives the keyword; valid until the next EHLO.
 * @param keyword_len_out receives its length.
 * @param params_out receives the parameters after the keyword (space
 *        separated, possibly empty); valid until the next EHLO.
 * @param params_len_out receives their length.
 * @return 0, ::CORREU_ERR_NOT_FOUND (no such line), ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_cap_at(const correu_smtp_client *client,
                                                          size_t i, const char **keyword_out,
                                                          size_t *keyword_len_out,
                                                          const char **params_out,
                                                          size_t *params_len_out);

/**
 * Look a keyword up (compared without regard to case).
 * @param client the handle.
 * @param keyword the keyword; borrowed for the call; not NUL-terminated.
 * @param len its length.
 * @param params_out receives the parameters (see correu_smtp_client_cap_at()).
 * @param params_len_out receives their length.
 * @return 0, ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_cap_find(const correu_smtp_client *client,
                                                            const char *keyword, size_t len,
                                                            const char **params_out,
                                                            size_t *params_len_out);

/**
 * Whether the connection is protected by TLS (implicit, or after STARTTLS).
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_smtp_client_is_tls(const correu_smtp_client *client);

/* ------------------------------------------------------------------ */
/* Commands (after ::CORREU_SMTP_EV_READY)                             */

/**
 * Authenticate (RFC 4954) through the SASL layer: an initial response
 * when the mechanism has one and the command stays within 512 bytes,
 * 334 challenges answered, the exchange cancelled with "*" when the
 * mechanism cannot go on. The final reply comes as a
 * ::CORREU_SMTP_CMD_AUTH event (235 on success).
 * @param client the handle.
 * @param mech a `CORREU_SASL_*` mechanism, or 0 to pick the strongest the
 *        server offers for the credentials (correu_sasl_choose()).
 * @param cred credentials; copied.
 * @param sasl limits and random source (SCRAM needs one); copied; NULL for
 *        defaults.
 * @return the mechanism used (> 0); ::CORREU_ERR_UNSUPPORTED (no AUTH, or
 *         the mechanism not offered); ::CORREU_ERR_NOT_FOUND (no offered
 *         mechanism fits); ::CORREU_ERR_TLS_REQUIRED (a plaintext
 *         mechanism without TLS); ::CORREU_ERR_STATE (not ready, or an
 *         exchange under way); ::CORREU_ERR_LIMIT; the SASL layer's errors.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_auth(correu_smtp_client *client, int mech,
                                                        const correu_sasl_credentials *cred,
                                                        const correu_sasl_settings *sasl);

/** MAIL body type: none given. */
#define CORREU_SMTP_BODY_NONE 0u
/** MAIL body type: BODY=7BIT. */
#define CORREU_SMTP_BODY_7BIT 1u
/** MAIL body type: BODY=8BITMIME (needs 8BITMIME). */
#define CORREU_SMTP_BODY_8BITMIME 2u
/** MAIL body type: BODY=BINARYMIME (needs BINARYMIME and CHUNKING; the body
 * goes with BDAT). */
#define CORREU_SMTP_BODY_BINARYMIME 3u

/** MAIL flag: SMTPUTF8 (RFC 6531): addresses may hold UTF-8. */
#define CORREU_SMTP_MAIL_SMTPUTF8 0x1u
/** MAIL flag: REQUIRETLS (RFC 8689); needs TLS and the extension. */
#define CORREU_SMTP_MAIL_REQUIRETLS 0x2u

/** DSN RET: not given. */
#define CORREU_SMTP_RET_NONE 0u
/** DSN RET=FULL: return the whole message in a failure report. */
#define CORREU_SMTP_RET_FULL 1u
/** DSN RET=HDRS: return only the headers. */
#define CORREU_SMTP_RET_HDRS 2u

/** Version of ::correu_smtp_mail_params this header describes. */
#define CORREU_SMTP_MAIL_PARAMS_VERSION 1

/**
 * MAIL FROM parameters. Zero means "not given" everywhere. A parameter
 * whose extension the server did not announce is refused with
 * ::CORREU_ERR_UNSUPPORTED, except SIZE and AUTH=, which are only advice
 * and are then left out.
 */
typedef struct correu_smtp_mail_params {
	uint32_t version; /**< ::CORREU_SMTP_MAIL_PARAMS_VERSION */
	uint32_t body;    /**< a `CORREU_SMTP_BODY_*` value */
	uint32_t flags;   /**< `CORREU_SMTP_MAIL_*` flags */
	uint32_t ret;     /**< a `CORREU_SMTP_RET_*` value (DSN) */
	uint64_t size;    /**< SIZE= (RFC 1870): the message size; 0 to omit */
	/** ENVID= (DSN): the envelope identifier, printable ASCII, at most 100
	 * bytes; sent xtext-encoded. NULL to omit. Borrowed for the call. */
	const char *envid;
	size_t envid_len; /**< bytes in `envid` */
	/** AUTH= (RFC 4954 §5): the submitter's mailbox, or "<>"; sent
	 * xtext-encoded. NULL to omit. Borrowed for the call. */
	const char *auth;
	size_t auth_len; /**< bytes in `auth` */
} correu_smtp_mail_params;

/** RCPT NOTIFY=NEVER (DSN). */
#define CORREU_SMTP_NOTIFY_NEVER 0x1u
/** RCPT NOTIFY=SUCCESS (DSN). */
#define CORREU_SMTP_NOTIFY_SUCCESS 0x2u
/** RCPT NOTIFY=FAILURE (DSN). */
#define CORREU_SMTP_NOTIFY_FAILURE 0x4u
/** RCPT NOTIFY=DELAY (DSN). */
#define CORREU_SMTP_NOTIFY_DELAY 0x8u

/** Version of ::correu_smtp_rcpt_params this header describes. */
#define CORREU_SMTP_RCPT_PARAMS_VERSION 1

/** RCPT TO parameters (DSN, RFC 3461); they need the DSN extension. */
typedef struct correu_smtp_rcpt_params {
	uint32_t version; /**< ::CORREU_SMTP_RCPT_PARAMS_VERSION */
	/** `CORREU_SMTP_NOTIFY_*` flags; NEVER stands alone; 0 to omit. */
	uint32_t notify;
	/** ORCPT= address (the "rfc822;" type is added and the address
	 * xtext-encoded; in an SMTPUTF8 transaction an address beyond ASCII
	 * goes as "utf-8;" in the 7-bit utf-8-addr-xtext form of RFC 6533
	 * §3, "\\x{E9}" for U+00E9, and must be valid UTF-8); NULL to omit.
	 * Borrowed for the call. */
	const char *orcpt;
	size_t orcpt_len; /**< bytes in `orcpt` */
} correu_smtp_rcpt_params;

/**
 * Begin a transaction: MAIL FROM:\<from\>. If the previous transaction was
 * refused after its MAIL was accepted, RSET is sent first. Once the
 * previous message has ended (correu_smtp_client_body_end()) the next MAIL
 * may be queued at once, without waiting for its result: with PIPELINING
 * it goes out in the same write as the end of the data (RFC 2920 §3.1),
 * otherwise it waits in the queue for that reply. Events carry the
 * `transaction` they belong to.
 * @param client the handle.
 * @param from the reverse path without angle brackets (empty for the null
 *        path "<>"); borrowed for the call. CR, LF, NUL, other control
 *        characters, "<", ">" and unquoted spaces are refused, and bytes
 *        over 127 unless ::CORREU_SMTP_MAIL_SMTPUTF8 is set.
 * @param len its length.
 * @param params parameters; borrowed for the call; NULL for none.
 * @return 0; ::CORREU_ERR_ARG (a refused byte or parameter);
 *         ::CORREU_ERR_UNSUPPORTED (an extension the server lacks);
 *         ::CORREU_ERR_LIMIT (SIZE over the server's, a queue limit);
 *         ::CORREU_ERR_STATE (not ready, or a transaction is open and
 *         its data not ended);
 *         ::CORREU_ERR_NOMEM; the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_mail(correu_smtp_client *client,
                                                        const char *from, size_t len,
                                                        const correu_smtp_mail_params *params);

/**
 * The transaction the last successful correu_smtp_client_mail() began.
 * @param client the handle.
 * @return its number (> 0; numbers grow and are never reused within a
 *         client, though not always by one), or 0 before the first MAIL.
 */
CORREU_API uint32_t correu_smtp_client_transaction(const correu_smtp_client *client);

/**
 * Add a recipient: RCPT TO:\<to\>. Its reply comes as a
 * ::CORREU_SMTP_CMD_RCPT event with the returned index.
 * @param client the handle.
 * @param to the forward path without angle brackets; borrowed for the call;
 *        checked as `from` in correu_smtp_client_mail(); not empty.
 * @param len its length.
 * @param params DSN parameters; borrowed for the call; NULL for none.
 * @return the recipient's index in the transaction (>= 0); the errors of
 *         correu_smtp_client_mail() (::CORREU_ERR_STATE when no MAIL is
 *         queued or the data has begun).
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_rcpt(correu_smtp_client *client,
                                                        const char *to, size_t len,
                                                        const correu_smtp_rcpt_params *params);

/**
 * Ask to send the message: DATA, or BDAT chunks (BINARYMIME, or
 * ::CORREU_SMTP_PREFER_CHUNKING with CHUNKING offered). Wait for
 * ::CORREU_SMTP_EV_BODY, then feed the body.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (no recipient queued, or already asked);
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the client's fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_data(correu_smtp_client *client);

/**
 * Whether the body may be fed now.
 * @param client the handle.
 * @return 1 after ::CORREU_SMTP_EV_BODY until correu_smtp_client_body_end(),
 *         else 0.
 */
CORREU_API int correu_smtp_client_body_ready(const correu_smtp_client *client);

/**
 * Feed the next bytes of the message (RFC 5322 text with CRLF line ends;
 * a DATA body is dot-stuffed here, RFC 5321 §4.5.2). Only what fits in
 * the output is taken: write, acknowledge and feed the rest.
 * @param client the handle.
 * @param data message bytes; borrowed for the call.
 * @param len their count.
 * @return bytes taken (0 when the output is full: write first);
 *         ::CORREU_ERR_WANT_READ (the server has not said go ahead yet, or a
 *         BDAT reply is awaited without pipelining); ::CORREU_ERR_REPLY (the
 *         server refused the transaction); ::CORREU_ERR_BARE_EOL (a bare CR
 *         or LF in a DATA body without ::CORREU_SMTP_BODY_NORMALISE: fatal,
 *         the message cannot be ended correctly); ::CORREU_ERR_STATE;
 *         ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_smtp_client_body(correu_smtp_client *client,
                                                                 const uint8_t *data,
                                                                 size_t len);

/**
 * End the message: CRLF "." CRLF (adding the CRLF only when the body did
 * not end with one), or "BDAT 0 LAST". The transaction's result then
 * comes as ::CORREU_SMTP_CMD_DATA_END events.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_WANT_WRITE (no room: write, then call again);
 *         ::CORREU_ERR_WANT_READ, ::CORREU_ERR_REPLY, ::CORREU_ERR_STATE and
 *         ::CORREU_ERR_BARE_EOL as correu_smtp_client_body().
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_body_end(correu_smtp_client *client);

/**
 * Abandon the transaction: RSET.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (not ready, or the body is being sent);
 *         ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_rset(correu_smtp_client *client);

/**
 * Queue NOOP.
 * @param client the handle.
 * @return as correu_smtp_client_rset().
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_noop(correu_smtp_client *client);

/**
 * End the session: QUIT. ::CORREU_SMTP_EV_CLOSED follows its reply.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (already quitting, the body is being
 *         sent); ::CORREU_ERR_LIMIT; ::CORREU_ERR_NOMEM; the fatal error.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_client_quit(correu_smtp_client *client);

/* ------------------------------------------------------------------ */
/* Blocking session                                                    */

/** A blocking SMTP/LMTP session over a transport; opaque. */
typedef struct correu_smtp_session correu_smtp_session;

/** Session TLS mode: STARTTLS, following the policy in the settings. */
#define CORREU_SMTP_SESSION_STARTTLS 0u
/** Session TLS mode: TLS from the first byte (port 465, RFC 8314). */
#define CORREU_SMTP_SESSION_IMPLICIT 1u

/**
 * Progress of a message being sent.
 * @param sent body bytes accepted so far.
 * @param total the size if known, else 0.
 * @param userdata as given.
 * @return 0 to go on, or a negative code to abandon the message.
 */
typedef int (*correu_smtp_progress_fn)(uint64_t sent, uint64_t total, void *userdata);

/**
 * A source of message bytes.
 * @param buf where to put them; borrowed for the call.
 * @param cap its size.
 * @param userdata as given.
 * @return bytes read (> 0), 0 at the end, or a negative code.
 */
typedef correu_ssize (*correu_smtp_reader_fn)(uint8_t *buf, size_t cap, void *userdata);

/** Version of ::correu_smtp_session_options this header describes. */
#define CORREU_SMTP_SESSION_OPTIONS_VERSION 1

/** How a session connects. Fill with correu_smtp_session_options_init(). */
typedef struct correu_smtp_session_options {
	uint32_t version; /**< ::CORREU_SMTP_SESSION_OPTIONS_VERSION */
	/** ::CORREU_SMTP_SESSION_STARTTLS or ::CORREU_SMTP_SESSION_IMPLICIT. */
	uint32_t tls_mode;
	/** Overall limit for the TCP connection, in ms (default 30000). */
	uint32_t connect_timeout_ms;
	/** TLS configuration; borrowed while the session lives. NULL: a
	 * default client configuration is made (system CAs, full
	 * verification). */
	const correu_tls_config *tls;
	/** Client settings (policy, flags, limits, EHLO name, timeouts); copied.
	 * `on_event` is the session's own and is ignored. NULL: defaults. */
	const correu_smtp_settings *settings;
	/** Called as the body is sent; NULL for none. */
	correu_smtp_progress_fn progress;
	/** Passed to `progress`. */
	void *progress_userdata;
} correu_smtp_session_options;

/**
 * Fill session options with the defaults.
 * @param o the options; NULL is ignored.
 */
CORREU_API void correu_smtp_session_options_init(correu_smtp_session_options *o);

/**
 * Connect over TCP and greet: the greeting, EHLO, STARTTLS as the policy
 * says (or TLS from the start).
 * @param host server name or address; NUL-terminated; copied.
 * @param port TCP port (465 implicit TLS, 587 submission, 25 relay).
 * @param opts options; copied; NULL for defaults.
 * @param session_out receives the session.
 * @return 0; ::CORREU_ERR_REPLY (the greeting or EHLO was refused; see
 *         correu_smtp_session_last_reply()); ::CORREU_ERR_TLS_REQUIRED;
 *         ::CORREU_ERR_TIMEOUT; the transport's and core's errors.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_open(const char *host, uint16_t port,
                                                         const correu_smtp_session_options *opts,
                                                         correu_smtp_session **session_out);

/**
 * Greet over a transport the caller connected (a user-supplied transport,
 * an in-memory pair). With ::CORREU_SMTP_SESSION_IMPLICIT the transport
 * must already be TLS.
 * @param t the transport; taken over (freed with the session, also on
 *        failure).
 * @param host the server name TLS verifies; NUL-terminated; copied; may be
 *        NULL when STARTTLS will not be used.
 * @param opts options; copied; NULL for defaults.
 * @param session_out receives the session.
 * @return as correu_smtp_session_open(); ::CORREU_ERR_TLS_REQUIRED also when
 *         implicit TLS (::CORREU_SMTP_SESSION_IMPLICIT, or the settings'
 *         ::CORREU_SMTP_TLS_IMPLICIT policy) is asked of a transport
 *         without TLS.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_start(correu_transport *t, const char *host,
                                                          const correu_smtp_session_options *opts,
                                                          correu_smtp_session **session_out);

/**
 * Close the connection (without QUIT; call correu_smtp_session_quit()
 * first for a polite end) and free the session.
 * @param s the session; NULL is a no-op.
 */
CORREU_API void correu_smtp_session_free(correu_smtp_session *s);

/**
 * Log in with the strongest mechanism the server offers for a user name
 * and password.
 * @param s the session.
 * @param user user name, NUL-terminated; copied.
 * @param password password, NUL-terminated; copied and wiped after use.
 * @return 0; ::CORREU_ERR_AUTH (refused: see the last reply);
 *         ::CORREU_ERR_UNSUPPORTED / ::CORREU_ERR_NOT_FOUND (no usable
 *         mechanism); ::CORREU_ERR_TLS_REQUIRED; ::CORREU_ERR_TIMEOUT; I/O errors.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_login(correu_smtp_session *s,
                                                          const char *user,
                                                          const char *password);

/** Version of ::correu_smtp_envelope this header describes. */
#define CORREU_SMTP_ENVELOPE_VERSION 1

/** The envelope of one message. */
typedef struct correu_smtp_envelope {
	uint32_t version; /**< ::CORREU_SMTP_ENVELOPE_VERSION */
	/** Reverse path, NUL-terminated ("" for "<>"); borrowed for the call. */
	const char *from;
	/** Recipients, each NUL-terminated; borrowed for the call. */
	const char *const *to;
	/** Number of recipients (>= 1). */
	size_t to_count;
	/** MAIL parameters; borrowed for the call; NULL for none. */
	const correu_smtp_mail_params *mail;
	/** RCPT parameters used for every recipient; NULL for none. */
	const correu_smtp_rcpt_params *rcpt;
} correu_smtp_envelope;

/**
 * Send one message, read from `reader` in bounded chunks (never held
 * whole). Recipients the server refuses are skipped as long as one is
 * accepted.
 * @param s the session.
 * @param env the envelope; borrowed for the call.
 * @param reader the message source.
 * @param userdata passed to `reader`.
 * @param size_hint the message size for SIZE= and progress, 0 if unknown.
 * @return the number of accepted recipients (> 0; for LMTP those whose
 *         delivery succeeded); ::CORREU_ERR_REPLY (MAIL, every RCPT, DATA or
 *         the message refused: see correu_smtp_session_last_reply() and
 *         correu_smtp_session_rcpt_code()); the reader's or progress
 *         callback's code; ::CORREU_ERR_TIMEOUT; I/O and core errors.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_send(correu_smtp_session *s,
                                                         const correu_smtp_envelope *env,
                                                         correu_smtp_reader_fn reader,
                                                         void *userdata, uint64_t size_hint);

/**
 * Send one message held in a buffer.
 * @param s the session.
 * @param env the envelope; borrowed for the call.
 * @param msg the message; borrowed for the call.
 * @param len its length.
 * @return as correu_smtp_session_send().
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_send_buf(correu_smtp_session *s,
                                                             const correu_smtp_envelope *env,
                                                             const uint8_t *msg, size_t len);

/**
 * Send one message read from a file descriptor until end of file.
 * @param s the session.
 * @param env the envelope; borrowed for the call.
 * @param fd the descriptor; borrowed (not closed).
 * @return as correu_smtp_session_send(); ::CORREU_ERR_IO for a read error.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_send_fd(correu_smtp_session *s,
                                                            const correu_smtp_envelope *env,
                                                            int fd);

/**
 * The reply to a recipient of the last message.
 * @param s the session.
 * @param i the recipient's position in the envelope.
 * @return its RCPT reply code (or, in LMTP, its delivery reply code when
 *         RCPT was accepted); 0 when unknown.
 */
CORREU_API uint32_t correu_smtp_session_rcpt_code(const correu_smtp_session *s, size_t i);

/** Version of ::correu_smtp_batch_item this header describes. */
#define CORREU_SMTP_BATCH_ITEM_VERSION 1

/**
 * One message of a batch (correu_smtp_session_send_many()): what to send,
 * and, once the call returns, what became of it.
 */
typedef struct correu_smtp_batch_item {
	uint32_t version; /**< ::CORREU_SMTP_BATCH_ITEM_VERSION */
	/** Set by the call: as correu_smtp_session_send() would return for
	 * this message alone (accepted recipients, > 0, or a negative code:
	 * ::CORREU_ERR_REPLY when the server refused it; the batch's fatal
	 * error for a message it did not finish). */
	int32_t result;
	/** The envelope; borrowed for the call. */
	const correu_smtp_envelope *env;
	/** The message, when `reader` is NULL; borrowed for the call. */
	const uint8_t *msg;
	size_t msg_len; /**< bytes in `msg` */
	/** A source of the message instead of `msg`; NULL to send `msg`. */
	correu_smtp_reader_fn reader;
	void *reader_userdata; /**< passed to `reader` */
	/** With `reader`: the size for SIZE= and progress, 0 if unknown. */
	uint64_t size_hint;
	/** Set by the call: the reply that decided the result (the reply to
	 * the end of the data, or the refusal of MAIL, DATA or a chunk); 0
	 * when none came. In LMTP, the last end-of-data reply. */
	uint32_t code;
	/** Where the call puts each recipient's reply code (as
	 * correu_smtp_session_rcpt_code() says), `env->to_count` entries;
	 * borrowed for the call; NULL when not wanted. */
	uint32_t *rcpt_codes;
} correu_smtp_batch_item;

/**
 * Send several messages over the connection, keeping the pipe full: with
 * PIPELINING the next message's MAIL, RCPT and DATA go out in the same
 * write as the previous message's end, before its result is known
 * (RFC 2920 §3.1), so each message costs one round trip instead of two.
 * Every reply is matched to its message; a message the server refuses
 * does not stop the others. Without PIPELINING the messages go one after
 * the other, as with correu_smtp_session_send().
 * @param s the session.
 * @param items the messages, in order; borrowed for the call; `result`,
 *        `code` and `rcpt_codes` are written. All carry the same
 *        `version`: the array is stepped through by the size of that
 *        version's struct, so a program built against this header keeps
 *        working when a later one makes the struct longer.
 * @param count their number.
 * @return the number of messages the server accepted (>= 0; see each
 *         item's `result`); or a fatal error that ended the session
 *         (::CORREU_ERR_TIMEOUT, I/O and core errors, a reader's or the
 *         progress callback's code: a message cut short is never ended,
 *         so the connection is given up), the items not finished then
 *         holding that code; ::CORREU_ERR_ARG (a NULL pointer, an item's
 *         version or envelope invalid: nothing is sent);
 *         ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_send_many(correu_smtp_session *s,
                                                              correu_smtp_batch_item *items,
                                                              size_t count);

/**
 * Send QUIT and wait for its reply (errors are ignored: the session is
 * over either way).
 * @param s the session.
 * @return 0, or the error met; the session must still be freed.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_quit(correu_smtp_session *s);

/**
 * The last reply the server gave.
 * @param s the session.
 * @param text_out receives its text (lines joined by "\n"), NUL-terminated,
 *        valid until the next call on the session; may be NULL.
 * @return the reply code, 0 when none.
 */
CORREU_API uint32_t correu_smtp_session_last_reply(const correu_smtp_session *s,
                                                   const char **text_out);

/**
 * The core under the session, for its capability queries.
 * @param s the session.
 * @return the client handle, borrowed for the session's life.
 */
CORREU_API correu_smtp_client *correu_smtp_session_client(correu_smtp_session *s);

/**
 * Log in with an OAuth 2.0 bearer token: OAUTHBEARER (RFC 7628) when the
 * server offers it, else XOAUTH2. Both send the token as it is, so they
 * need TLS unless the settings have ::CORREU_SMTP_ALLOW_PLAINTEXT_AUTH.
 * @param s the session.
 * @param user the user name the token was issued for, NUL-terminated;
 *        copied.
 * @param token the bearer token, NUL-terminated; copied and wiped after use.
 * @return as correu_smtp_session_login(); ::CORREU_ERR_NOT_FOUND when the
 *         server offers neither mechanism.
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_login_token(correu_smtp_session *s,
                                                                const char *user,
                                                                const char *token);

/**
 * Log in with credentials and a mechanism of the caller's choice (see
 * correu_smtp_client_auth()): for instance SCRAM-SHA-256 only, never a
 * weaker fallback, or OAUTHBEARER with its host and port, or an
 * authorization identity. SCRAM's nonces come from the operating system.
 * @param s the session.
 * @param mech a `CORREU_SASL_*` mechanism, which the server must offer; or
 *        0 for the strongest it offers that the credentials allow.
 * @param cred the credentials; copied (secrets wiped after use).
 * @return as correu_smtp_session_login(); ::CORREU_ERR_UNSUPPORTED when the
 *         server does not offer `mech`; ::CORREU_ERR_ARG (NULL pointer,
 *         negative mechanism, credentials the mechanism cannot use).
 */
CORREU_API CORREU_NODISCARD int correu_smtp_session_auth(correu_smtp_session *s, int mech,
                                                         const correu_sasl_credentials *cred);

#ifdef __cplusplus
}
#endif
#endif
