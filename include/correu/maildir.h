/*
 * correu store layer: the Maildir store, correu's default mail storage for
 * its SMTP/LMTP, POP3 and IMAP servers. Maildir++ folders, Dovecot-compatible
 * dovecot-uidlist (version 3), dovecot-keywords and subscriptions, so a
 * Maildir moves between Dovecot and correu with its UIDs, flags and keywords.
 * Calls are short and synchronous (they do file I/O and fsync), so an event
 * loop can call them directly.
 */
#ifndef CORREU_MAILDIR_H
#define CORREU_MAILDIR_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The Maildir store.
 *
 * A ::correu_maildir is one user's Maildir root: INBOX lives in the root
 * (`cur/`, `new/`, `tmp/`), other folders are `.Name` and `.Parent.Child`
 * directories (Maildir++, hierarchy separator "."). Folder names are UTF-8 in
 * this API and modified UTF-7 (RFC 3501 section 5.1.3) on disk, as Dovecot
 * stores them. A ::correu_maildir_box is one open folder: its messages, their
 * UIDs, flags and keywords. A ::correu_maildir_delivery streams one new
 * message into a folder and reports success only once it is on disk.
 *
 * Strings are (pointer, length) pairs and need not be NUL-terminated. Every
 * handle uses the allocator given to correu_maildir_open().
 */

/** A user's Maildir root; opaque. */
typedef struct correu_maildir correu_maildir;
/** One open folder; opaque. */
typedef struct correu_maildir_box correu_maildir_box;
/** A message being delivered; opaque. */
typedef struct correu_maildir_delivery correu_maildir_delivery;
/** A chunked reader over one message; opaque. */
typedef struct correu_maildir_reader correu_maildir_reader;

/* ------------------------------------------------------------------ */
/* Settings                                                            */

/** Version of ::correu_maildir_settings this header describes. */
#define CORREU_MAILDIR_SETTINGS_VERSION 1

/**
 * Settings of a Maildir root. Fill with correu_maildir_settings_init() and
 * change what you need. A zero field means "the default".
 */
typedef struct correu_maildir_settings {
	uint32_t version;          /**< ::CORREU_MAILDIR_SETTINGS_VERSION */
	/** Files in `tmp/` older than this many seconds are removed when a
	 * folder is opened (default 129600, 36 hours, as Dovecot). */
	uint32_t tmp_max_age_s;
	/** A `dovecot-uidlist.lock` not touched for this many seconds is
	 * stale and is overridden (default 120, as Dovecot). */
	uint32_t lock_stale_s;
	/** How long a call waits for the uidlist lock before it fails with
	 * ::CORREU_ERR_BUSY, in milliseconds (default 10000). */
	uint32_t lock_wait_ms;
	/** Most messages a folder may hold (default 10000000). */
	uint32_t max_messages;
	/** Longest line accepted in dovecot-uidlist, dovecot-keywords,
	 * subscriptions and correu-modseq, in bytes (default 8192, at least
	 * 512). */
	uint32_t max_line;
	/** Longest folder name, in bytes of its on-disk form (default 255). */
	uint32_t max_name;
	/** Largest message a delivery accepts, in bytes (default 64 MiB). */
	uint64_t max_message_size;
	/** Mode of the directories created (default 0700). */
	uint32_t dir_mode;
	/** Mode of the files created (default 0600). */
	uint32_t file_mode;
	/** Host name used in new file names and lock files, NUL-terminated;
	 * copied. NULL: the system's host name. */
	const char *hostname;
} correu_maildir_settings;

/**
 * Fill settings with the defaults.
 * @param s the settings to fill; borrowed for the call.
 * @return 0, or ::CORREU_ERR_ARG if `s` is NULL.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_settings_init(correu_maildir_settings *s);

/* ------------------------------------------------------------------ */
/* The Maildir root and its folders                                    */

/**
 * Open (and create when missing) a user's Maildir root with its INBOX.
 *
 * @param root path of the Maildir directory (for example `~/Maildir`),
 *        `root_len` bytes; copied.
 * @param root_len its length.
 * @param settings NULL for the defaults; copied.
 * @param alloc allocator table, NULL for libc; borrowed until
 *        correu_maildir_free().
 * @param logger log hook, NULL for none; borrowed until correu_maildir_free().
 * @param md_out receives the handle.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, empty or NUL-containing root,
 *         wrong settings version, max_line below 512),
 *         ::CORREU_ERR_LIMIT (path too long), ::CORREU_ERR_NOMEM,
 *         ::CORREU_ERR_IO (the directories cannot be created).
 */
CORREU_API CORREU_NODISCARD int correu_maildir_open(const char *root, size_t root_len,
                                                    const correu_maildir_settings *settings,
                                                    const correu_allocator *alloc,
                                                    const correu_logger *logger,
                                                    correu_maildir **md_out);

/**
 * Close a Maildir root. Every box opened from it must be closed first.
 * @param md the handle; NULL is a no-op.
 */
CORREU_API void correu_maildir_free(correu_maildir *md);

/**
 * Create a folder. Parents are not created (Maildir++ folders are flat
 * directories; IMAP lists a missing parent as \\NonExistent).
 *
 * @param md the root.
 * @param name UTF-8 folder name with "." as hierarchy separator, such as
 *        "Archive.2024"; borrowed for the call. "/", empty components (".."),
 *        a leading or trailing ".", control characters and invalid UTF-8
 *        are refused.
 * @param len its length.
 * @return 0; ::CORREU_ERR_ARG (invalid name, or INBOX), ::CORREU_ERR_LIMIT
 *         (name too long), ::CORREU_ERR_EXISTS, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_folder_create(correu_maildir *md,
                                                             const char *name, size_t len);

/**
 * Delete a folder and its messages. Its children stay (IMAP DELETE,
 * RFC 9051 section 6.3.5). The folder is first renamed out of sight so a
 * crash never leaves half a folder visible.
 *
 * @param md the root.
 * @param name folder name as in correu_maildir_folder_create(); borrowed.
 * @param len its length.
 * @return 0; ::CORREU_ERR_ARG (invalid name or INBOX), ::CORREU_ERR_LIMIT,
 *         ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_folder_delete(correu_maildir *md,
                                                             const char *name, size_t len);

/**
 * Rename a folder and its children (IMAP RENAME, RFC 9051 section 6.3.6).
 *
 * @param md the root.
 * @param from existing folder name; borrowed.
 * @param from_len its length.
 * @param to new folder name; borrowed.
 * @param to_len its length.
 * @return 0; ::CORREU_ERR_ARG (invalid name, INBOX, or `to` inside `from`),
 *         ::CORREU_ERR_LIMIT, ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_EXISTS,
 *         ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_folder_rename(correu_maildir *md,
                                                             const char *from, size_t from_len,
                                                             const char *to, size_t to_len);

/**
 * Receives one folder name (UTF-8, "." separated).
 * @param name the name, valid only during the call; not NUL-terminated.
 * @param len its length.
 * @param userdata as given.
 * @return 0 to go on, or a negative code to stop (returned by the caller).
 */
typedef int (*correu_maildir_name_fn)(const char *name, size_t len, void *userdata);

/**
 * List every folder, INBOX first, then the others in the byte order of
 * their directory names.
 * Directories whose name is not valid modified UTF-7 are skipped.
 *
 * @param md the root.
 * @param fn called once per folder.
 * @param userdata passed to `fn`.
 * @return 0; the negative code `fn` returned; ::CORREU_ERR_NOMEM,
 *         ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_folder_list(correu_maildir *md,
                                                           correu_maildir_name_fn fn,
                                                           void *userdata);

/**
 * Subscribe to or unsubscribe from a folder, in the `subscriptions` file
 * Dovecot uses (the folder need not exist, RFC 9051 section 6.3.7).
 *
 * @param md the root.
 * @param name folder name; borrowed.
 * @param len its length.
 * @param subscribe 1 to subscribe, 0 to unsubscribe.
 * @return 0; ::CORREU_ERR_ARG, ::CORREU_ERR_LIMIT, ::CORREU_ERR_BUSY (the
 *         file is locked by someone else), ::CORREU_ERR_SYNTAX (the file is
 *         not valid), ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_subscribe(correu_maildir *md, const char *name,
                                                         size_t len, int subscribe);

/**
 * List the subscribed folder names in file order.
 * @param md the root.
 * @param fn called once per name.
 * @param userdata passed to `fn`.
 * @return 0; the negative code `fn` returned; ::CORREU_ERR_SYNTAX,
 *         ::CORREU_ERR_LIMIT, ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_subscriptions(correu_maildir *md,
                                                             correu_maildir_name_fn fn,
                                                             void *userdata);

/* ------------------------------------------------------------------ */
/* Folders (boxes) and their messages                                  */

/** \\Seen (Maildir info letter S). */
#define CORREU_MAILDIR_FLAG_SEEN 0x01u
/** \\Answered (letter R, "replied"). */
#define CORREU_MAILDIR_FLAG_ANSWERED 0x02u
/** \\Flagged (letter F). */
#define CORREU_MAILDIR_FLAG_FLAGGED 0x04u
/** \\Deleted (letter T, "trashed"). */
#define CORREU_MAILDIR_FLAG_DELETED 0x08u
/** \\Draft (letter D). */
#define CORREU_MAILDIR_FLAG_DRAFT 0x10u
/** $Forwarded (letter P, "passed"). */
#define CORREU_MAILDIR_FLAG_FORWARDED 0x20u
/** Every system flag bit. */
#define CORREU_MAILDIR_FLAGS_ALL 0x3fu
/** Most keywords a folder can hold: one per letter a..z. */
#define CORREU_MAILDIR_MAX_KEYWORDS 26

/**
 * Open a folder: read its dovecot-uidlist and dovecot-keywords, remove old
 * `tmp/` files, scan `new/` and `cur/` and give new files their UIDs.
 *
 * @param md the root; borrowed until the box is closed.
 * @param name folder name, "INBOX" (any case) for the root; borrowed.
 * @param len its length.
 * @param box_out receives the box.
 * @return 0; ::CORREU_ERR_ARG, ::CORREU_ERR_LIMIT (name too long, or more
 *         messages than max_messages), ::CORREU_ERR_NOT_FOUND,
 *         ::CORREU_ERR_BUSY (uidlist lock timeout), ::CORREU_ERR_NOMEM,
 *         ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_open(correu_maildir *md, const char *name,
                                                        size_t len,
                                                        correu_maildir_box **box_out);

/**
 * Close a folder, writing nothing more.
 * @param box the box; NULL is a no-op.
 */
CORREU_API void correu_maildir_box_close(correu_maildir_box *box);

/**
 * Bring the box up to date with the disk: messages delivered or expunged by
 * other processes, flags changed by renames. Message indexes change.
 * @param box the box.
 * @return 0; the codes of correu_maildir_box_open().
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_sync(correu_maildir_box *box);

/**
 * Move every message of `new/` into `cur/` (what Dovecot does when an IMAP
 * or POP3 session opens the folder read-write); the messages keep their
 * UIDs and lose nothing but their "new" state.
 * @param box the box.
 * @return how many were moved (>= 0); ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_take_new(correu_maildir_box *box);

/**
 * The folder's UIDVALIDITY (RFC 9051 section 2.3.1.1).
 * @param box the box.
 * @return the value; 0 if `box` is NULL.
 */
CORREU_API uint32_t correu_maildir_box_uidvalidity(const correu_maildir_box *box);

/**
 * The UID the next message will get (UIDNEXT).
 * @param box the box.
 * @return the value; 0 if `box` is NULL.
 */
CORREU_API uint32_t correu_maildir_box_uidnext(const correu_maildir_box *box);

/**
 * The folder's HIGHESTMODSEQ (RFC 7162), kept in `correu-modseq`.
 * @param box the box.
 * @return the value; 0 if `box` is NULL.
 */
CORREU_API uint64_t correu_maildir_box_highestmodseq(const correu_maildir_box *box);

/**
 * How many messages the box holds as of the last sync.
 * @param box the box.
 * @return the count; 0 if `box` is NULL.
 */
CORREU_API size_t correu_maildir_box_count(const correu_maildir_box *box);

/** Version of ::correu_maildir_msg this header describes. */
#define CORREU_MAILDIR_MSG_VERSION 1

/** What the store knows of one message. */
typedef struct correu_maildir_msg {
	uint32_t version;   /**< set by the caller: ::CORREU_MAILDIR_MSG_VERSION */
	uint32_t uid;       /**< its UID */
	uint32_t flags;     /**< `CORREU_MAILDIR_FLAG_*` bits */
	uint32_t keywords;  /**< bit i set: keyword index i (letter 'a' + i) */
	uint32_t is_new;    /**< 1 while the file is in `new/` (IMAP \\Recent) */
	uint32_t reserved;  /**< zero */
	uint64_t size;      /**< bytes on disk (from S= or stat) */
	uint64_t vsize;     /**< size with CRLF line ends (RFC822.SIZE), from W=
	                         or the uidlist; 0 when unknown */
	int64_t internal_date; /**< file mtime, seconds since 1970 (INTERNALDATE) */
	uint64_t modseq;    /**< the message's MODSEQ (RFC 7162) */
	const char *filename; /**< file name inside `new/` or `cur/`, NUL-terminated;
	                           valid until the next call that changes the box */
} correu_maildir_msg;

/**
 * Describe the message at an index (0 .. count-1, in UID order).
 * @param box the box.
 * @param index the index.
 * @param msg_out filled in; its `version` must be set by the caller.
 * @return 0; ::CORREU_ERR_ARG (bad version or NULL), ::CORREU_ERR_NOT_FOUND
 *         (index out of range).
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_message(const correu_maildir_box *box,
                                                           size_t index,
                                                           correu_maildir_msg *msg_out);

/**
 * Find a message by UID.
 * @param box the box.
 * @param uid the UID.
 * @param index_out receives its index.
 * @return 0 or ::CORREU_ERR_NOT_FOUND.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_find(const correu_maildir_box *box,
                                                        uint32_t uid, size_t *index_out);

/**
 * The name of a keyword index (from `dovecot-keywords`).
 * @param box the box.
 * @param index 0 .. 25.
 * @param name_out receives the name, valid until the next call that changes
 *        the box; not NUL-terminated.
 * @param len_out receives its length.
 * @return 0; ::CORREU_ERR_NOT_FOUND (no keyword at that index),
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_keyword_name(const correu_maildir_box *box,
                                                                unsigned index,
                                                                const char **name_out,
                                                                size_t *len_out);

/**
 * Look up a keyword by name (case-insensitively, as IMAP compares them) and
 * optionally add it to `dovecot-keywords`.
 * @param box the box.
 * @param name keyword, an IMAP atom not starting with "\\"; borrowed.
 * @param len its length.
 * @param create 1 to add it when missing.
 * @param index_out receives its index 0 .. 25.
 * @return 0; ::CORREU_ERR_ARG (not a valid keyword), ::CORREU_ERR_NOT_FOUND
 *         (missing and `create` is 0), ::CORREU_ERR_LIMIT (26 keywords
 *         exist already, or the name is too long), ::CORREU_ERR_BUSY,
 *         ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_keyword_index(correu_maildir_box *box,
                                                                 const char *name, size_t len,
                                                                 int create,
                                                                 unsigned *index_out);

/**
 * Change a message's flags and keywords by renaming its file (the Maildir
 * info suffix ":2,<letters>"). A concurrent rename by another process is
 * handled by re-scanning. Bumps the message's MODSEQ.
 *
 * @param box the box.
 * @param uid the message.
 * @param add_flags `CORREU_MAILDIR_FLAG_*` bits to set.
 * @param remove_flags bits to clear (applied after `add_flags`).
 * @param add_keywords keyword bits to set (indexes from
 *        correu_maildir_box_keyword_index()).
 * @param remove_keywords keyword bits to clear.
 * @return 0; ::CORREU_ERR_ARG (unknown flag or keyword bit),
 *         ::CORREU_ERR_NOT_FOUND (expunged), ::CORREU_ERR_BUSY,
 *         ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_update_flags(correu_maildir_box *box,
                                                                uint32_t uid,
                                                                uint32_t add_flags,
                                                                uint32_t remove_flags,
                                                                uint32_t add_keywords,
                                                                uint32_t remove_keywords);

/**
 * Expunge a message: unlink its file. Its UID leaves dovecot-uidlist the
 * next time the file is rewritten.
 * @param box the box.
 * @param uid the message.
 * @return 0; ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_BUSY, ::CORREU_ERR_NOMEM,
 *         ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_expunge(correu_maildir_box *box,
                                                           uint32_t uid);

/**
 * Copy a message into another folder, keeping its flags, keywords (by name)
 * and internal date. A hard link is used when possible, a copy otherwise.
 * The copy gets a new UID in the destination.
 *
 * @param src the source box.
 * @param uid the message.
 * @param dst the destination box (another folder of the same root, or of
 *        another root).
 * @param uid_out receives the new UID; may be NULL.
 * @return 0; ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_LIMIT (too many keywords
 *         in the destination), ::CORREU_ERR_BUSY, ::CORREU_ERR_NOMEM,
 *         ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_copy(correu_maildir_box *src, uint32_t uid,
                                                        correu_maildir_box *dst,
                                                        uint32_t *uid_out);

/**
 * Move a message: copy it, then expunge it from `src` (RFC 6851).
 * @param src the source box.
 * @param uid the message.
 * @param dst the destination box.
 * @param uid_out receives the new UID; may be NULL.
 * @return as correu_maildir_box_copy().
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_move(correu_maildir_box *src, uint32_t uid,
                                                        correu_maildir_box *dst,
                                                        uint32_t *uid_out);

/**
 * Open a message's file for reading.
 * @param box the box.
 * @param uid the message.
 * @param fd_out receives a file descriptor the caller owns (close() it).
 * @return 0; ::CORREU_ERR_NOT_FOUND (expunged), ::CORREU_ERR_NOMEM,
 *         ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_box_open_fd(correu_maildir_box *box,
                                                           uint32_t uid, int *fd_out);

/**
 * Open a chunked reader over a message. The reader keeps the file open, so a
 * later rename or expunge by anyone does not disturb it.
 * @param box the box; borrowed until the reader is freed.
 * @param uid the message.
 * @param reader_out receives the reader.
 * @return as correu_maildir_box_open_fd().
 */
CORREU_API CORREU_NODISCARD int correu_maildir_reader_open(correu_maildir_box *box, uint32_t uid,
                                                           correu_maildir_reader **reader_out);

/**
 * Read the next chunk of the message.
 * @param r the reader.
 * @param buf where to put the bytes; borrowed for the call.
 * @param len its size.
 * @return bytes read, 0 at the end; ::CORREU_ERR_ARG, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_maildir_reader_read(correu_maildir_reader *r,
                                                                    uint8_t *buf, size_t len);

/**
 * Close a reader.
 * @param r the reader; NULL is a no-op.
 */
CORREU_API void correu_maildir_reader_free(correu_maildir_reader *r);

/* ------------------------------------------------------------------ */
/* Delivery                                                            */

/**
 * Start delivering a message into a box: a file is created in `tmp/` with a
 * unique name. The message is then written in chunks of any size.
 *
 * @param box the box; borrowed until commit or abort.
 * @param d_out receives the delivery.
 * @return 0; ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_delivery_begin(correu_maildir_box *box,
                                                              correu_maildir_delivery **d_out);

/**
 * Append bytes to the message.
 * @param d the delivery.
 * @param data bytes; borrowed for the call.
 * @param len how many.
 * @return 0; ::CORREU_ERR_LIMIT (max_message_size passed; the delivery can
 *         only be aborted), ::CORREU_ERR_IO, ::CORREU_ERR_STATE.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_delivery_write(correu_maildir_delivery *d,
                                                              const uint8_t *data, size_t len);

/**
 * Set the flags and keywords the message is stored with (IMAP APPEND). A
 * message with flags goes to `cur/`, one without to `new/`.
 * @param d the delivery.
 * @param flags `CORREU_MAILDIR_FLAG_*` bits.
 * @param keywords keyword bits of the destination box.
 * @return 0; ::CORREU_ERR_ARG (unknown bits).
 */
CORREU_API CORREU_NODISCARD int correu_maildir_delivery_set_flags(correu_maildir_delivery *d,
                                                                  uint32_t flags,
                                                                  uint32_t keywords);

/**
 * Set the internal date (file mtime) the message is stored with.
 * @param d the delivery.
 * @param unix_seconds seconds since 1970; the default is the time of commit.
 * @return 0; ::CORREU_ERR_ARG (negative).
 */
CORREU_API CORREU_NODISCARD int correu_maildir_delivery_set_date(correu_maildir_delivery *d,
                                                                 int64_t unix_seconds);

/**
 * Finish the delivery: fsync the file, take the uidlist lock, move the file
 * into `new/` (or `cur/`), fsync that directory, give the message its UID in
 * dovecot-uidlist (fsynced) and release the lock. Only a 0 return means the
 * message is safely stored. The handle is freed whatever the result; on
 * failure the temporary file is removed.
 *
 * @param d the delivery; taken over.
 * @param uid_out receives the UID; may be NULL.
 * @return 0; ::CORREU_ERR_LIMIT (too large, or the folder is full),
 *         ::CORREU_ERR_BUSY, ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_delivery_commit(correu_maildir_delivery *d,
                                                               uint32_t *uid_out);

/**
 * Give up a delivery and remove its temporary file.
 * @param d the delivery; taken over; NULL is a no-op.
 */
CORREU_API void correu_maildir_delivery_abort(correu_maildir_delivery *d);

#ifdef __cplusplus
}
#endif
#endif
