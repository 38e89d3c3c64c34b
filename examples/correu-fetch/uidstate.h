/*
 * correu-fetch's memory of what it has already stored: the unique ids
 * (UIDL, RFC 1939 §7) of the messages it fetched, kept in a small text
 * file that is only ever replaced whole (written to a temporary file,
 * fsynced, renamed over the old one, directory fsynced), so a crash leaves
 * either the old list or the new one, never a torn file.
 */
#ifndef CORREU_FETCH_UIDSTATE_H
#define CORREU_FETCH_UIDSTATE_H

#include <stdbool.h>
#include <stddef.h>

struct uidstate {
	char *path;
	char **uids; /* sorted, each NUL-terminated */
	size_t n, cap;
};

/* Read the file (a missing file is an empty list). 0 or -1 with errno. */
int uidstate_load(struct uidstate *st, const char *path);
void uidstate_free(struct uidstate *st);
bool uidstate_has(const struct uidstate *st, const char *uid, size_t len);
/* Add or remove in memory; 0 or -1 (out of memory). */
int uidstate_add(struct uidstate *st, const char *uid, size_t len);
void uidstate_remove(struct uidstate *st, const char *uid, size_t len);
/* Replace the file with the list, durably. 0 or -1 with errno. */
int uidstate_save(const struct uidstate *st);

#endif
