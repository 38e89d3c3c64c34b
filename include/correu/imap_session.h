/*
 * correu IMAP layer, blocking session: the driver
 * (correu_imap_session_*) that runs the client core over a transport and
 * does one job per call: connect, log in, list, select, search, fetch,
 * store, move, append, idle. Part of <correu/imap.h>.
 */
#ifndef CORREU_IMAP_SESSION_H
#define CORREU_IMAP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/imap_commands.h"
#include "correu/sasl.h"
#include "correu/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The blocking IMAP session: one call per job, with timeouts.
 */

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

/* ------------------------------------------------------------------ */
/* Resynchronisation (QRESYNC) and compression                         */

/** Version of ::correu_imap_sync_state this header describes. */
#define CORREU_IMAP_SYNC_STATE_VERSION 1

/**
 * What a client knows of a mailbox between sessions (RFC 7162 §3.2.5),
 * given to correu_imap_session_select_sync() and updated by it.
 */
typedef struct correu_imap_sync_state {
	uint32_t version; /**< ::CORREU_IMAP_SYNC_STATE_VERSION */
	/** In: the UIDVALIDITY known, 0 when none (a first visit). Out: the
	 * server's. When it changed, every UID known is void: forget them. */
	uint32_t uidvalidity;
	/** In: the HIGHESTMODSEQ known. Out: the server's; 0 when the
	 * mailbox has no mod-sequences (NOMODSEQ). */
	uint64_t highestmodseq;
	/** Out: the number of messages (EXISTS). */
	uint32_t exists;
	/** Out: the next UID (UIDNEXT); 0 when the server did not say. */
	uint32_t uidnext;
} correu_imap_sync_state;

/**
 * ENABLE QRESYNC and CONDSTORE (RFC 7162 §3.2.3) where offered. After it
 * expunges are reported as VANISHED, not EXPUNGE, to every call that
 * hands events to a callback. Call it after correu_imap_session_login()
 * and before selecting a mailbox; correu_imap_session_select_sync() calls
 * it when needed.
 * @param s the session.
 * @return 0 (also when enabled already); ::CORREU_ERR_UNSUPPORTED (QRESYNC
 *         not offered, or the server refused); as
 *         correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_enable_qresync(correu_imap_session *s);

/**
 * SELECT (or EXAMINE) a mailbox resynchronising with what the caller knew
 * (QRESYNC, RFC 7162 §3.2.5): the server reports only what changed since
 * `state->highestmodseq`: the UIDs expunged meanwhile as one VANISHED
 * (EARLIER) response (::CORREU_IMAP_EVF_EARLIER) and the messages whose
 * flags changed as FETCH responses with UID, FLAGS and MODSEQ, all handed
 * to `fn`. With `state->uidvalidity` 0 it is a plain SELECT that learns
 * the state for next time. Enables QRESYNC first when needed.
 * @param s the session.
 * @param mailbox the name, UTF-8, NUL-terminated.
 * @param flags `CORREU_IMAP_SELECT_*`.
 * @param known_uids the UIDs the caller holds, a sequence set
 *        ("1:200,305"), NUL-terminated; NULL for all.
 * @param state in: what is known; out: the mailbox's state now.
 * @param fn receives the VANISHED and FETCH events; may be NULL.
 * @param userdata passed to `fn`.
 * @return 0; ::CORREU_ERR_UNSUPPORTED (QRESYNC not offered); ::CORREU_ERR_ARG
 *         (NULL pointer, unknown state version); as
 *         correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_select_sync(correu_imap_session *s,
                                                                const char *mailbox,
                                                                uint32_t flags,
                                                                const char *known_uids,
                                                                correu_imap_sync_state *state,
                                                                correu_imap_event_fn fn,
                                                                void *userdata);

/**
 * Switch the connection to COMPRESS=DEFLATE (RFC 4978) when the server
 * offers it: every byte from then on is compressed both ways through the
 * deflate filter (compress.h). Worth it on slow links; call it after
 * login (the server may refuse before).
 * @param s the session.
 * @return 0; ::CORREU_ERR_UNSUPPORTED (not offered, or built without
 *         zlib); ::CORREU_ERR_REPLY (the server refused); ::CORREU_ERR_STATE
 *         (on already); ::CORREU_ERR_NOMEM; as correu_imap_session_list().
 */
CORREU_API CORREU_NODISCARD int correu_imap_session_compress(correu_imap_session *s);

#ifdef __cplusplus
}
#endif
#endif
