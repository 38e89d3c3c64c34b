/*
 * Small pieces every server core needs (server layer, internal; used by
 * the SMTP and POP3 server cores): the start of a service (its allocator
 * and store), the answer to the runtime's `want`, and the log line for
 * plaintext dropped at a TLS upgrade. Nothing here touches the system.
 * Nothing here is exported.
 */
#ifndef CORREU_SERVER_CORE_UTIL_H
#define CORREU_SERVER_CORE_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "correu/server.h"
#include "correu/store.h"

/* What every server core's service starts with. */
typedef struct correu__server_svc {
	const correu_allocator *alloc; /* the service's and its sessions' */
	correu_store *store;           /* borrowed from the caller */
	uint32_t caps;                 /* the store's CORREU_STORE_CAP_* */
} correu__server_svc;

/*
 * Allocate a zeroed service of `size` bytes whose struct starts with its
 * correu__server_svc, for `store` whose capabilities `caps` (passed in, so
 * the server layer needs none of the store's code) include all of `need`.
 * `alloc` is borrowed for the service's life; NULL: libc. Returns 0,
 * CORREU_ERR_UNSUPPORTED (the store cannot serve the protocol) or
 * CORREU_ERR_NOMEM.
 */
int correu__server_svc_new(correu_store *store, uint32_t caps, uint32_t need,
                           const correu_allocator *alloc, size_t size, void **out);
/* Free a service made so; NULL is a no-op. */
void correu__server_svc_free(void *svc, size_t size);

/* CORREU_SERVER_WANT_CLOSE once the last reply is queued, else
 * CORREU_SERVER_WANT_STARTTLS once the upgrade's go-ahead is, else
 * CORREU_SERVER_WANT_READ when the session takes input now, else 0. */
int correu__server_want(bool closing, bool upgrading, bool readable);

/* Log (best effort, at warning level) that `discarded` bytes pipelined
 * behind `command` were dropped at the upgrade (RFC 3207 section 4.2,
 * RFC 2595 section 4); nothing when none were or `conn` is NULL. */
void correu__server_note_discarded(correu_server_conn *conn, uint64_t discarded,
                                   const char *command);

#endif
