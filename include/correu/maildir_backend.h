/*
 * correu store layer: the default backend of correu's servers, a store
 * backend table (store.h) over the Maildir store (maildir.h) with users
 * from a password file (passwd.h). One Maildir per user, found from a path
 * template; every callback answers at once, but a delivery commit given to
 * the optional commit workers.
 */
#ifndef CORREU_MAILDIR_BACKEND_H
#define CORREU_MAILDIR_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/maildir.h"
#include "correu/passwd.h"
#include "correu/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The default backend: Maildir for mail, a password file for users.
 *
 * It supports every capability of ::correu_store_backend but OAuth tokens:
 * PLAIN, LOGIN and SCRAM from the password file; POP3 and IMAP mailboxes
 * with LIST (Maildir++ folders, "." as separator, special use by the
 * usual folder names), CREATE, DELETE, RENAME, SUBSCRIBE, STATUS, APPEND,
 * STORE with CONDSTORE, EXPUNGE, COPY, MOVE, UIDPLUS and IDLE by polling;
 * and SMTP/LMTP delivery into each recipient's INBOX, answered only once
 * the message is fsynced in every recipient's Maildir. Messages are read
 * with CRLF line ends whatever the file holds (RFC 9051 section 2.3.4).
 *
 * Calls do file I/O and fsync on the caller's thread: fine for one event
 * loop serving a modest number of users; a large site runs several loops
 * or its own asynchronous backend. The exception is optional: with
 * `commit_threads` set, SMTP/LMTP delivery commits run on a pool of
 * worker threads, which overlap the fsyncs of concurrent deliveries and
 * share one directory fsync among those that finish together; their
 * answers reach the store on the loop thread, through
 * correu_maildir_backend_dispatch() (see its documentation).
 *
 * Delivered messages get their UIDs from the next reader of the folder
 * (correu's or Dovecot's, under the dovecot-uidlist lock), as with any
 * Maildir delivery agent; an IMAP APPEND gets its UID at once.
 */

/** The default backend's state: configuration and open handles; opaque. */
typedef struct correu_maildir_backend correu_maildir_backend;

/** Version of ::correu_maildir_backend_config this header describes. */
#define CORREU_MAILDIR_BACKEND_CONFIG_VERSION 2

/** Where mail lives and who may use it. */
typedef struct correu_maildir_backend_config {
	uint32_t version;   /**< ::CORREU_MAILDIR_BACKEND_CONFIG_VERSION */
	uint32_t max_rcpts; /**< recipients one delivery may have (each holds an
	                         open file until commit); 0: 100 */
	/** Path of a user's Maildir, NUL-terminated, with "%u" standing for
	 * the user name (for example "/var/mail/%u/Maildir"); copied. User
	 * names with "/", a leading "." or control characters are refused, so
	 * a name cannot leave its directory. */
	const char *root;
	/** Settings of every Maildir opened; copied; NULL for the defaults. */
	const correu_maildir_settings *maildir;
	/** The users and their passwords; borrowed for the backend's life.
	 * NULL: no authentication entries, and any acceptable user name (or
	 * the local part of a recipient address) names a mailbox. */
	const correu_passwd *users;
	/* Version 2: */
	/** Worker threads for delivery commits; 0 (and version 1): none, a
	 * commit is done in the call. At most 64. */
	uint32_t commit_threads;
	uint32_t reserved; /**< 0 */
	/** With commit_threads: called from a worker thread when answers are
	 * ready; it must make the loop thread call
	 * correu_maildir_backend_dispatch() soon, and return 0 (its result is
	 * ignored). With correu's server runtime: correu_server_notify(). */
	int (*wake)(void *userdata);
	void *wake_userdata; /**< passed to `wake`; borrowed */
} correu_maildir_backend_config;

/**
 * Make the default backend.
 * @param config where mail lives; copied (but `users` is borrowed).
 * @param alloc allocator; borrowed until correu_maildir_backend_free();
 *        NULL for libc.
 * @param logger log hook for the Maildirs opened; borrowed likewise; may be NULL.
 * @param out receives the backend.
 * @return 0; ::CORREU_ERR_ARG (NULL, wrong version, a root without "%u");
 *         ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int
correu_maildir_backend_new(const correu_maildir_backend_config *config,
                           const correu_allocator *alloc, const correu_logger *logger,
                           correu_maildir_backend **out);

/**
 * Free the backend. Free the store that uses it first. Waits for the
 * commit workers to finish what they hold.
 * @param mb the backend; NULL is a no-op.
 */
CORREU_API void correu_maildir_backend_free(correu_maildir_backend *mb);

/**
 * The backend table: pass it to correu_store_new() with `mb` as the
 * userdata. Without `users` the authentication entries are NULL.
 * @param mb the backend.
 * @param table_out filled in.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_backend_table(const correu_maildir_backend *mb,
                                                             correu_store_backend *table_out);

/**
 * Answer the deliveries the commit workers finished (on the store's
 * event-loop thread, after `wake`). Does nothing without workers.
 * @param mb the backend.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_maildir_backend_dispatch(correu_maildir_backend *mb);

/**
 * correu_maildir_backend_dispatch() as a hook that takes the backend as
 * `void *`: for correu_server_set_notify().
 * @param mb the backend.
 * @return as correu_maildir_backend_dispatch().
 */
CORREU_API int correu_maildir_backend_dispatch_hook(void *mb);

#ifdef __cplusplus
}
#endif
#endif
