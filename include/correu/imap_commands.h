/*
 * correu IMAP layer, typed commands: one call per IMAP command the
 * client core queues (LOGIN, AUTHENTICATE, ENABLE, SELECT, LIST, SEARCH,
 * FETCH, STORE, APPEND...), each checking the capability it needs and
 * encoding its strings and mailbox names through the builder. Part of
 * <correu/imap.h>.
 */
#ifndef CORREU_IMAP_COMMANDS_H
#define CORREU_IMAP_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/imap_client.h"
#include "correu/sasl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * Typed IMAP commands for the client core, usable after
 * ::CORREU_IMAP_CLIENT_EV_READY.
 */

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
/* Extensions: RETURN options, METADATA, COMPRESS                      */

/** Search return option: PARTIAL, one window of the result (RFC 9394;
 * RFC 5267 §4.4 for SORT); needs PARTIAL, or CONTEXT=SEARCH /
 * CONTEXT=SORT. */
#define CORREU_IMAP_RETURN_PARTIAL 0x20u

/**
 * Queue SEARCH with return options, PARTIAL included (RFC 4731, RFC 9394).
 * The answer is one ESEARCH response; a PARTIAL result arrives as a
 * ::CORREU_IMAP_ITEM_OTHER item named "PARTIAL" whose value is
 * "(range set)".
 * @param client the handle.
 * @param flags ::CORREU_IMAP_UID and `CORREU_IMAP_RETURN_*` (at least one
 *        return option).
 * @param partial_first with ::CORREU_IMAP_RETURN_PARTIAL, the first
 *        position of the window: 1 for the first result, -1 for the last
 *        (counting from the end); else 0.
 * @param partial_last the other end of the window, of the same sign as
 *        `partial_first` and not nearer to zero.
 * @param charset a CHARSET name, or NULL; borrowed for the call.
 * @param criteria the search keys, raw syntax; copied.
 * @param len their length (> 0).
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (ESEARCH, or a
 *         PARTIAL extension, not offered); ::CORREU_ERR_ARG (no return
 *         option, a window that is not one); as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_search_return(correu_imap_client *client,
                                                                 uint32_t flags,
                                                                 int32_t partial_first,
                                                                 int32_t partial_last,
                                                                 const char *charset,
                                                                 const char *criteria, size_t len);

/**
 * Queue SORT with return options (ESORT, RFC 5267 §3): the answer is one
 * ESEARCH response (MIN, MAX, COUNT, ALL in sorted order, PARTIAL)
 * instead of a SORT response.
 * @param client the handle.
 * @param flags ::CORREU_IMAP_UID and `CORREU_IMAP_RETURN_*` (at least one
 *        return option).
 * @param partial_first as for correu_imap_client_search_return().
 * @param partial_last as for correu_imap_client_search_return().
 * @param program the sort criteria in parentheses ("(DATE)"), raw
 *        syntax; copied.
 * @param program_len its length.
 * @param charset the charset (e.g. "UTF-8"); borrowed for the call.
 * @param criteria search keys, raw syntax; copied.
 * @param criteria_len their length.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (ESORT, or
 *         CONTEXT=SORT for PARTIAL, not offered); ::CORREU_ERR_ARG; as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_sort_return(
	correu_imap_client *client, uint32_t flags, int32_t partial_first, int32_t partial_last,
	const char *program, size_t program_len, const char *charset, const char *criteria,
	size_t criteria_len);

/** METADATA depth: only the entries named (RFC 5464 §4.2.2). */
#define CORREU_IMAP_DEPTH_0 0u
/** METADATA depth: the entries named and their children. */
#define CORREU_IMAP_DEPTH_1 1u
/** METADATA depth: the entries named and everything below them. */
#define CORREU_IMAP_DEPTH_INFINITY UINT32_MAX

/**
 * Queue GETMETADATA (RFC 5464 §4.2). Each value comes back in a METADATA
 * response as a ::CORREU_IMAP_ITEM_METADATA_ENTRY item; a value too long
 * for `maxsize` is left out and counted in a METADATA LONGENTRIES code on
 * the completion.
 * @param client the handle.
 * @param mailbox the mailbox (UTF-8); copied; "" (length 0) for the
 *        server's own entries (METADATA-SERVER).
 * @param mailbox_len its length.
 * @param entries the entry names ("/shared/comment"); each copied.
 *        A name starts with "/shared" or "/private", holds no "*", "%"
 *        or "//" and does not end in "/".
 * @param entry_lens their lengths.
 * @param count how many entries (> 0).
 * @param maxsize the MAXSIZE option: the longest value wanted, in bytes;
 *        0 for no MAXSIZE.
 * @param depth the DEPTH option: ::CORREU_IMAP_DEPTH_0 (not sent),
 *        ::CORREU_IMAP_DEPTH_1 or ::CORREU_IMAP_DEPTH_INFINITY.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (METADATA, or
 *         METADATA-SERVER for "", not offered); ::CORREU_ERR_ARG (a NULL
 *         array, no entry, a malformed entry name, an unknown depth); as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_getmetadata(correu_imap_client *client,
                                                               const char *mailbox,
                                                               size_t mailbox_len,
                                                               const char *const *entries,
                                                               const size_t *entry_lens,
                                                               size_t count, uint32_t maxsize,
                                                               uint32_t depth);

/**
 * Queue SETMETADATA (RFC 5464 §4.3): set each entry to its value, or
 * remove it when the value is NULL (sent as NIL). The server may refuse
 * with a METADATA MAXSIZE, TOOMANY or NOPRIVATE code on the completion.
 * @param client the handle.
 * @param mailbox as for correu_imap_client_getmetadata().
 * @param mailbox_len its length.
 * @param entries the entry names, as for correu_imap_client_getmetadata().
 * @param entry_lens their lengths.
 * @param values the values; each copied; a NULL value removes its entry.
 *        Values go quoted or as literals as their bytes need; NUL is
 *        refused.
 * @param value_lens their lengths.
 * @param count how many entries (> 0).
 * @return as correu_imap_client_getmetadata().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_setmetadata(correu_imap_client *client,
                                                               const char *mailbox,
                                                               size_t mailbox_len,
                                                               const char *const *entries,
                                                               const size_t *entry_lens,
                                                               const char *const *values,
                                                               const size_t *value_lens,
                                                               size_t count);

/**
 * Queue COMPRESS DEFLATE (RFC 4978). Nothing is sent behind it until it
 * completes; on OK the core reports ::CORREU_IMAP_CLIENT_EV_COMPRESS and
 * waits for correu_imap_client_compress_done().
 * @param client the handle.
 * The core needs no zlib; the driver's filter does, so a driver checks
 * correu_compress_available() before asking.
 * @return the command's id; ::CORREU_ERR_UNSUPPORTED (COMPRESS=DEFLATE not
 *         offered); ::CORREU_ERR_STATE
 *         (compression already on or asked for); as
 *         correu_imap_client_capability().
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_compress(correu_imap_client *client);

/**
 * The transport now compresses and decompresses (after
 * ::CORREU_IMAP_CLIENT_EV_COMPRESS); the core goes on.
 * @param client the handle.
 * @return 0; ::CORREU_ERR_STATE (no COMPRESS accepted and pending, or
 *         called from the event callback); ::CORREU_ERR_ARG; the fatal
 *         error.
 */
CORREU_API CORREU_NODISCARD int correu_imap_client_compress_done(correu_imap_client *client);

/**
 * Whether the connection is compressed (COMPRESS accepted and
 * correu_imap_client_compress_done() called).
 * @param client the handle.
 * @return 1 or 0.
 */
CORREU_API int correu_imap_client_is_compressed(const correu_imap_client *client);

#ifdef __cplusplus
}
#endif
#endif
