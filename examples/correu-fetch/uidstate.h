/*
 * correu-fetch's memory of what it has already stored: the unique ids
 * (UIDL, RFC 1939 §7) of the messages it fetched, kept in a small text
 * file that is only ever replaced whole (written to a temporary file,
 * fsynced, renamed over the old one, directory fsynced), so a crash leaves
 * either the old list or the new one, never a torn file. It also names the
 * message being stored when it was last saved, so a run after a crash can
 * tell whether that message reached the Maildir (recover.h).
 */
#ifndef CORREU_FETCH_UIDSTATE_H
#define CORREU_FETCH_UIDSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UIDSTATE_MAX_UID 70 /* RFC 1939 §7 */

/* The message whose storing began after the last save: any copy of it in
 * the Maildir has a UID of at least `uidnext` in folder `uidvalidity`. */
struct uidpending {
	char uid[UIDSTATE_MAX_UID + 1]; /* "" when none */
	uint32_t uidvalidity, uidnext;
};

struct uidstate {
	char *path;
	char **uids; /* sorted, each NUL-terminated */
	size_t n, cap;
	struct uidpending pending;
};

/* Read the file (a missing file is an empty list). 0 or -1 with errno. */
int uidstate_load(struct uidstate *st, const char *path);
void uidstate_free(struct uidstate *st);
bool uidstate_has(const struct uidstate *st, const char *uid, size_t len);
/* Add or remove in memory; 0 or -1 (out of memory). */
int uidstate_add(struct uidstate *st, const char *uid, size_t len);
void uidstate_remove(struct uidstate *st, const char *uid, size_t len);
/* Name the message about to be stored (uid "" for none), in memory. */
void uidstate_set_pending(struct uidstate *st, const char *uid, uint32_t uidvalidity,
                          uint32_t uidnext);
/* Replace the file with the list, durably. 0 or -1 with errno. */
int uidstate_save(const struct uidstate *st);

#endif
