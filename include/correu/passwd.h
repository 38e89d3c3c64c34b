/*
 * correu store layer: the password file, the default user database of
 * correu's servers. Lines in Dovecot's passwd-file format keep salted SCRAM
 * keys (never a password), so PLAIN, LOGIN and SCRAM all verify against
 * them and files move between Dovecot and correu unchanged. An adapter
 * turns a loaded file into the authentication callbacks of a store backend.
 */
#ifndef CORREU_PASSWD_H
#define CORREU_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "correu/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The password file.
 *
 * **Format.** One user per line, `user:{SCHEME}data`, optionally followed
 * by more `:`-separated fields (Dovecot's `uid:gid:gecos:home:shell:extra`),
 * which are kept as they are and written back unchanged. Lines whose first
 * non-blank character is `#` are comments, blank lines are ignored; both
 * survive a rewrite. Line ends are LF or CRLF. Schemes (case-insensitive):
 *
 * - `{SCRAM-SHA-256}iterations,salt,StoredKey,ServerKey` (RFC 7677) and
 *   `{SCRAM-SHA-1}` likewise (RFC 5802), the last three in base64: exactly
 *   what Dovecot's `doveadm pw -s SCRAM-SHA-256` prints. The keys let the
 *   server verify SCRAM, PLAIN and LOGIN without ever storing the password,
 *   and a stolen file does not let anyone log in with SCRAM.
 * - `{PLAIN}password`: the password itself. **Insecure** (anyone who reads
 *   the file has every password), so it is refused unless the settings have
 *   ::CORREU_PASSWD_ALLOW_PLAIN; meant for migrations and tests.
 *
 * A file with any malformed line is refused as a whole, with the line
 * number and reason, so a typo never silently locks a user out or in.
 *
 * **Threads.** A ::correu_passwd is not locked; use it from one thread (the
 * event loop), or load a new one and swap it in.
 */

/** A loaded password file; opaque. */
typedef struct correu_passwd correu_passwd;

/** Settings flag: accept `{PLAIN}` lines (insecure: the passwords are in the file). */
#define CORREU_PASSWD_ALLOW_PLAIN 0x1u

/** Version of ::correu_passwd_settings this header describes. */
#define CORREU_PASSWD_SETTINGS_VERSION 1

/**
 * Limits of a password file. Fill with correu_passwd_settings_init(); a
 * zero field means its default.
 */
typedef struct correu_passwd_settings {
	uint32_t version;        /**< ::CORREU_PASSWD_SETTINGS_VERSION */
	uint32_t flags;          /**< ::CORREU_PASSWD_ALLOW_PLAIN or 0 */
	uint64_t max_file;       /**< largest file or buffer, bytes (default 64 MiB) */
	uint32_t max_line;       /**< longest line without its line end (default 4096) */
	uint32_t max_users;      /**< most user lines (default 1000000) */
	uint32_t max_user;       /**< longest user name, bytes (default 255) */
	uint32_t min_iterations; /**< fewest SCRAM iterations accepted (default 4096,
	                              RFC 7677 section 4) */
	uint32_t max_iterations; /**< most SCRAM iterations accepted (default 10000000),
	                              so a line cannot make every login spin */
} correu_passwd_settings;

/**
 * Fill settings with the defaults.
 * @param s the settings; its `version` is set.
 * @return 0 or ::CORREU_ERR_ARG (NULL).
 */
CORREU_API CORREU_NODISCARD int correu_passwd_settings_init(correu_passwd_settings *s);

/**
 * Make an empty password file.
 * @param settings limits and flags; copied; NULL for the defaults.
 * @param alloc allocator; borrowed until correu_passwd_free(); NULL for libc.
 * @param pw_out receives the handle.
 * @return 0, ::CORREU_ERR_ARG (NULL, unknown settings version, a minimum
 *         above the maximum), ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_new(const correu_passwd_settings *settings,
                                                  const correu_allocator *alloc,
                                                  correu_passwd **pw_out);

/**
 * Free a password file, wiping what it held.
 * @param pw the handle; NULL is a no-op.
 */
CORREU_API void correu_passwd_free(correu_passwd *pw);

/**
 * Replace the contents with the lines of a buffer. On any error the handle
 * keeps its previous contents.
 * @param pw the handle.
 * @param data the file's bytes; copied.
 * @param len their count (at most `max_file`).
 * @param line_out receives the 1-based number of the offending line on an
 *        error (0 when the error is not about one line); may be NULL.
 * @return 0; ::CORREU_ERR_SYNTAX (a malformed line: no password field, a bad
 *         user name, bad base64 or key length, a NUL byte);
 *         ::CORREU_ERR_UNSUPPORTED (unknown scheme, or `{PLAIN}` not
 *         allowed); ::CORREU_ERR_LIMIT (file, line, user name or user count
 *         over the limit, iteration count out of range); ::CORREU_ERR_EXISTS
 *         (a user on two lines); ::CORREU_ERR_NOMEM; ::CORREU_ERR_ARG.
 *         correu_passwd_error() says why in words.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_parse(correu_passwd *pw, const uint8_t *data,
                                                    size_t len, uint32_t *line_out);

/**
 * Replace the contents with a file's.
 * @param pw the handle.
 * @param path NUL-terminated path; borrowed for the call.
 * @param line_out as for correu_passwd_parse().
 * @return as correu_passwd_parse(); ::CORREU_ERR_NOT_FOUND (no such file);
 *         ::CORREU_ERR_IO (cannot be read, or not a regular file);
 *         ::CORREU_ERR_LIMIT (larger than `max_file`, checked before reading).
 */
CORREU_API CORREU_NODISCARD int correu_passwd_load(correu_passwd *pw, const char *path,
                                                   uint32_t *line_out);

/**
 * Why the last parse, load or save failed.
 * @param pw the handle.
 * @return a NUL-terminated sentence owned by the handle; "" when none.
 */
CORREU_API const char *correu_passwd_error(const correu_passwd *pw);

/**
 * How many users the file holds.
 * @param pw the handle.
 * @return the count; 0 for NULL.
 */
CORREU_API size_t correu_passwd_count(const correu_passwd *pw);

/** Scheme `{SCRAM-SHA-1}`. */
#define CORREU_PASSWD_SCRAM_SHA_1 CORREU_SASL_SCRAM_SHA_1
/** Scheme `{SCRAM-SHA-256}`. */
#define CORREU_PASSWD_SCRAM_SHA_256 CORREU_SASL_SCRAM_SHA_256
/** Scheme `{PLAIN}`. */
#define CORREU_PASSWD_PLAIN 100

/**
 * Look a user up.
 * @param pw the handle.
 * @param user the user name (compared byte for byte); borrowed.
 * @param len its length.
 * @param scheme_out receives the line's `CORREU_PASSWD_*` scheme; may be NULL.
 * @return 0 or ::CORREU_ERR_NOT_FOUND; ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_lookup(const correu_passwd *pw, const char *user,
                                                     size_t len, uint32_t *scheme_out);

/**
 * The fields after the password (Dovecot's uid, gid, home, extra fields),
 * starting with their ":" separator.
 * @param pw the handle.
 * @param user the user name; borrowed.
 * @param len its length.
 * @param out receives the bytes, valid until the handle changes; "" if none.
 * @param out_len receives their length.
 * @return 0, ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_extra(const correu_passwd *pw, const char *user,
                                                    size_t len, const char **out, size_t *out_len);

/**
 * A user's stored SCRAM keys, for a SCRAM server exchange
 * (correu_sasl_server_supply_scram_keys()).
 * @param pw the handle.
 * @param user the user name; borrowed.
 * @param len its length.
 * @param mech ::CORREU_SASL_SCRAM_SHA_1 or ::CORREU_SASL_SCRAM_SHA_256.
 * @param keys_out receives the keys (wipe them when done).
 * @return 0; ::CORREU_ERR_NOT_FOUND (no such user, or keys of another scheme);
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_scram_keys(const correu_passwd *pw, const char *user,
                                                         size_t len, uint32_t mech,
                                                         correu_sasl_scram_keys *keys_out);

/**
 * Check a user's password: against the SCRAM keys through
 * correu_sasl_scram_verify_password() (constant time), or a `{PLAIN}`
 * password with a constant-time comparison. An unknown user costs the same
 * key derivation as a known one, so timing does not tell which users exist.
 * @param pw the handle.
 * @param user the user name; borrowed.
 * @param user_len its length.
 * @param password the password (UTF-8; SASLprep applies for SCRAM); borrowed.
 * @param password_len its length.
 * @return 0 when it matches; ::CORREU_ERR_AUTH otherwise (unknown user
 *         too); ::CORREU_ERR_ARG; ::CORREU_ERR_CRYPTO;
 *         ::CORREU_ERR_UNSUPPORTED (a SCRAM line in a build without mbedTLS).
 */
CORREU_API CORREU_NODISCARD int correu_passwd_verify(const correu_passwd *pw, const char *user,
                                                     size_t user_len, const char *password,
                                                     size_t password_len);

/**
 * Add a user, or replace a user's password (keeping the line's place and
 * extra fields), storing only SCRAM keys derived with a fresh random salt.
 * @param pw the handle.
 * @param user the user name: 1 .. `max_user` bytes, no ":", no control
 *        character; copied.
 * @param user_len its length.
 * @param mech ::CORREU_SASL_SCRAM_SHA_256 (recommended) or ::CORREU_SASL_SCRAM_SHA_1.
 * @param password the password; borrowed; SASLprep applies.
 * @param password_len its length.
 * @param iterations PBKDF2 count; 0 for 4096, Dovecot's default.
 * @param random random source for the 16-byte salt (a CSPRNG).
 * @param random_userdata passed to `random`.
 * @return 0; ::CORREU_ERR_ARG (bad user name, NULL); ::CORREU_ERR_LIMIT
 *         (iterations outside the settings' range, too many users);
 *         ::CORREU_ERR_ENCODING or ::CORREU_ERR_UNSUPPORTED (SASLprep
 *         refuses the password, or no mbedTLS); the random source's error;
 *         ::CORREU_ERR_NOMEM; ::CORREU_ERR_CRYPTO.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_set(correu_passwd *pw, const char *user,
                                                  size_t user_len, uint32_t mech,
                                                  const char *password, size_t password_len,
                                                  uint32_t iterations, correu_sasl_random_fn random,
                                                  void *random_userdata);

/**
 * Remove a user's line.
 * @param pw the handle.
 * @param user the user name; borrowed.
 * @param len its length.
 * @return 0, ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_remove(correu_passwd *pw, const char *user,
                                                     size_t len);

/**
 * Write the file's text (every line, comments included, each ending in LF).
 * @param pw the handle.
 * @param out where to write; may be NULL when `cap` is 0.
 * @param cap its size.
 * @param len_out receives the length needed (also when it did not fit).
 * @return 0; ::CORREU_ERR_BUFFER (`cap` too small; nothing written);
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_format(const correu_passwd *pw, uint8_t *out,
                                                     size_t cap, size_t *len_out);

/**
 * Write the file atomically: a temporary file beside `path` with mode 0600,
 * written, fsynced, renamed over `path`, and the directory fsynced, so a
 * crash leaves the old file or the new one, never half of one.
 * @param pw the handle.
 * @param path NUL-terminated path; borrowed for the call.
 * @return 0; ::CORREU_ERR_IO (see correu_passwd_error()); ::CORREU_ERR_NOMEM;
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_passwd_save(correu_passwd *pw, const char *path);

/**
 * A backend table whose authentication callbacks (`auth_password`,
 * `auth_scram_keys`) answer from a password file, at once. Pass the
 * ::correu_passwd as the backend userdata to correu_store_new(); it must
 * outlive the store. A backend of its own that wants the file's users calls
 * these entries from its own callbacks with the ::correu_passwd as
 * userdata (docs/server-store.md shows one), or uses maildir_backend.h.
 * @return a static table; never NULL.
 */
CORREU_API const correu_store_backend *correu_passwd_backend(void);

#ifdef __cplusplus
}
#endif
#endif
