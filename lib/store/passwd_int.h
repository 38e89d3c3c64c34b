/*
 * Internals of the password file (store layer): the lines kept as text,
 * the sorted index of user lines, and the per-line parser shared by
 * loading, lookup and rewriting. Shared by lib/store/passwd*.c only.
 */
#ifndef CORREU_STORE_PASSWD_INT_H
#define CORREU_STORE_PASSWD_INT_H

#include <stdbool.h>

#include "correu/passwd.h"
#include "internal.h"

/* One line of the file, without its line end. */
struct pw_line {
	char *text; /* owned, NUL-terminated */
	size_t len;
	size_t user_len; /* 0 for a comment or blank line */
};

struct correu_passwd {
	correu_passwd_settings set;
	const correu_allocator *alloc;
	struct pw_line *lines;
	size_t nlines, cap;
	size_t *index; /* line numbers of user lines, sorted by user name */
	size_t nusers;
	char error[160];
};

/* What a user line says. Pointers are into the line's text. */
struct pw_entry {
	const char *user;
	size_t user_len;
	uint32_t scheme;  /* CORREU_PASSWD_* */
	const char *data; /* after "{SCHEME}", up to the extra fields */
	size_t data_len;
	const char *extra; /* from the ":" after the password, or "" */
	size_t extra_len;
};

/*
 * Parse one line. Returns 1 for a user line (entry filled in), 0 for a
 * comment or blank line, or a negative code with a reason in `why`.
 * SCRAM data is checked in full (base64, key lengths, iteration range).
 */
int correu__passwd_parse_line(const correu_passwd_settings *set, const char *p, size_t len,
                              struct pw_entry *e, const char **why);
/* Decode SCRAM data "iter,salt,stored,server" into keys for `mech`. */
int correu__passwd_scram_decode(const correu_passwd_settings *set, uint32_t mech, const char *p,
                                size_t len, correu_sasl_scram_keys *k, const char **why);
/* Encode keys as the SCRAM data Dovecot writes. */
int correu__passwd_scram_encode(const correu_sasl_scram_keys *k, correu__buf *out);
/* A valid user name: 1..max bytes, no ':' or control character. */
bool correu__passwd_user_ok(const char *p, size_t len, size_t max);

/* The line index of a user, or SIZE_MAX. */
size_t correu__passwd_find(const correu_passwd *pw, const char *user, size_t len);
/* Rebuild the sorted index; CORREU_ERR_EXISTS names a duplicate's line in
 * *line_out (1-based). */
int correu__passwd_reindex(correu_passwd *pw, uint32_t *line_out);
/* Free the lines and index of a set of lines. */
void correu__passwd_free_lines(const correu_allocator *a, struct pw_line *lines, size_t n,
                               size_t cap);
/* Record a reason for correu_passwd_error(). */
void correu__passwd_why(correu_passwd *pw, const char *msg, uint32_t line);

#endif
