/*
 * correu SASL layer: the authentication mechanisms shared by SMTP AUTH
 * (RFC 4954), POP3 AUTH (RFC 5034) and IMAP AUTHENTICATE (RFC 9051), client
 * and server side, sans-I/O. Payloads in and out are raw bytes: the protocol
 * layers do the base64 framing. Randomness comes from a caller callback.
 */
#ifndef CORREU_SASL_H
#define CORREU_SASL_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * SASL mechanisms (RFC 4422) as step functions.
 *
 * A **client** handle is made for one mechanism with the credentials it
 * needs. correu_sasl_client_start() gives the initial response if the
 * mechanism has one; correu_sasl_client_step() turns each server challenge
 * into a response; correu_sasl_client_finish() is called when the server
 * reports success (SCRAM then checks that the server proved it knows the
 * password).
 *
 * A **server** handle consumes client responses with
 * correu_sasl_server_step() and answers with a status: a challenge to send,
 * success, or ::CORREU_SASL_NEED_CREDENTIALS, where the caller looks up the
 * user (at once or later, from an asynchronous backend) and answers with one
 * of the `correu_sasl_server_supply_*` calls. Any negative return ends the
 * exchange: ::CORREU_ERR_AUTH for wrong credentials, ::CORREU_ERR_SYNTAX or
 * ::CORREU_ERR_PROTO for malformed input, with a reason kept by the handle.
 *
 * Mechanisms that need a hash (CRAM-MD5, SCRAM-*) exist only when correu is
 * built with mbedTLS; correu_sasl_mech_available() tells.
 */

/* ------------------------------------------------------------------ */
/* Mechanisms                                                          */

/** PLAIN (RFC 4616): authzid, user name and password in one message. */
#define CORREU_SASL_PLAIN 1
/** LOGIN (draft-murchison-sasl-login): user name and password, prompted. */
#define CORREU_SASL_LOGIN 2
/** CRAM-MD5 (RFC 2195): HMAC-MD5 of a server challenge; needs mbedTLS. */
#define CORREU_SASL_CRAM_MD5 3
/** XOAUTH2 (Google and Microsoft): an OAuth 2.0 bearer token. */
#define CORREU_SASL_XOAUTH2 4
/** OAUTHBEARER (RFC 7628): an OAuth 2.0 bearer token. */
#define CORREU_SASL_OAUTHBEARER 5
/** EXTERNAL (RFC 4422 Appendix A): identity from outside SASL (TLS certificate). */
#define CORREU_SASL_EXTERNAL 6
/** SCRAM-SHA-1 (RFC 5802); needs mbedTLS. */
#define CORREU_SASL_SCRAM_SHA_1 7
/** SCRAM-SHA-256 (RFC 7677); needs mbedTLS. */
#define CORREU_SASL_SCRAM_SHA_256 8

/**
 * The IANA name of a mechanism, such as "SCRAM-SHA-256".
 * @param mech a `CORREU_SASL_*` mechanism number.
 * @return a static NUL-terminated string, or NULL for an unknown number.
 */
CORREU_API const char *correu_sasl_mech_name(int mech);

/**
 * The mechanism with a given name (compared without regard to case).
 * @param name the name; borrowed for the call, need not be NUL-terminated.
 * @param len its length in bytes.
 * @return the `CORREU_SASL_*` number (> 0), or ::CORREU_ERR_NOT_FOUND.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_mech_from_name(const char *name, size_t len);

/**
 * Whether this build implements a mechanism.
 * @param mech a `CORREU_SASL_*` number.
 * @return 1 if built in, 0 if not (unknown, or needs mbedTLS that is absent).
 */
CORREU_API int correu_sasl_mech_available(int mech);

/**
 * Whether a mechanism sends a reusable secret (password or bearer token)
 * that an eavesdropper could replay: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER.
 * Such mechanisms belong only on a TLS-protected connection.
 * @param mech a `CORREU_SASL_*` number.
 * @return 1 for those, 0 otherwise.
 */
CORREU_API int correu_sasl_mech_is_plaintext(int mech);

/**
 * Whether the client speaks first, so an initial response (RFC 4422
 * Section 3.3, SMTP `AUTH X ir`, IMAP SASL-IR) can carry its first message.
 * @param mech a `CORREU_SASL_*` number.
 * @return 1 for PLAIN, XOAUTH2, OAUTHBEARER, EXTERNAL and SCRAM-*, 0 otherwise.
 */
CORREU_API int correu_sasl_mech_has_initial_response(int mech);

/** correu_sasl_choose(): the client has a user name and password. */
#define CORREU_SASL_HAVE_PASSWORD 0x1u
/** correu_sasl_choose(): the client has an OAuth 2.0 bearer token. */
#define CORREU_SASL_HAVE_TOKEN 0x2u
/** correu_sasl_choose(): the client presented a TLS client certificate. */
#define CORREU_SASL_HAVE_CERT 0x4u
/**
 * correu_sasl_choose(): the channel is protected (TLS), so mechanisms that
 * send a password or token (correu_sasl_mech_is_plaintext()) may be used.
 * Without this flag they are forbidden: the secure default.
 */
#define CORREU_SASL_ALLOW_PLAINTEXT 0x8u

/**
 * Pick the strongest mechanism a server offers for the credentials at hand.
 *
 * Order: with a certificate, EXTERNAL; with a token, OAUTHBEARER then
 * XOAUTH2 (plaintext: need ::CORREU_SASL_ALLOW_PLAINTEXT); with a password,
 * SCRAM-SHA-256, SCRAM-SHA-1, then PLAIN and LOGIN when plaintext is
 * allowed, and CRAM-MD5 last. SCRAM never reveals the password and proves
 * the server knows it; PLAIN over TLS ranks above CRAM-MD5 because CRAM-MD5
 * makes the server keep the password in plaintext-equivalent form and rests
 * on MD5; CRAM-MD5 remains the fallback when plaintext is forbidden.
 *
 * @param offered mechanism names separated by spaces (as in the SMTP EHLO
 *        AUTH line); borrowed for the call. Unknown names are skipped.
 * @param len length of `offered`.
 * @param flags `CORREU_SASL_HAVE_*` and ::CORREU_SASL_ALLOW_PLAINTEXT.
 * @param mech_out receives the chosen `CORREU_SASL_*` number.
 * @return 0, ::CORREU_ERR_ARG (NULL pointer), or ::CORREU_ERR_NOT_FOUND when
 *         no offered mechanism fits.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_choose(const char *offered, size_t len,
                                                   uint32_t flags, int *mech_out);

/* ------------------------------------------------------------------ */
/* Settings                                                            */

/**
 * The random source: fill `buf` with `len` unpredictable bytes (a CSPRNG,
 * such as mbedtls_ctr_drbg_random or getrandom()).
 * @param buf where to write; valid for the call.
 * @param len how many bytes.
 * @param userdata as given in the settings.
 * @return 0, or a negative `CORREU_ERR_*` code that is passed on.
 */
typedef int (*correu_sasl_random_fn)(uint8_t *buf, size_t len, void *userdata);

/** Version of ::correu_sasl_settings this header describes. */
#define CORREU_SASL_SETTINGS_VERSION 1

/** Server flag: SCRAM's final message goes with success (see settings). */
#define CORREU_SASL_SUCCESS_DATA 0x1u

/**
 * Limits and hooks of a client or server handle. Fill with
 * correu_sasl_settings_init(); a zero field means its default.
 */
typedef struct correu_sasl_settings {
	uint32_t version; /**< ::CORREU_SASL_SETTINGS_VERSION */
	/** Allocator for the handle; NULL for libc. Borrowed for the handle's life. */
	const correu_allocator *allocator;
	/** Random source for nonces and challenges. Needed by SCRAM (both
	 * sides) and a CRAM-MD5 server; other mechanisms never call it. */
	correu_sasl_random_fn random;
	/** Passed to `random`. */
	void *random_userdata;
	/** Longest message accepted from the peer, in raw bytes (default 8192). */
	size_t max_message;
	/** Longest user name or authorization identity (default 255). */
	size_t max_username;
	/** SCRAM: fewest PBKDF2 iterations accepted from a server or in supplied
	 * keys (default 4096, RFC 7677 Section 4). */
	uint32_t min_iterations;
	/** SCRAM: most PBKDF2 iterations accepted (default 600000); a hostile
	 * server could otherwise make the client spin for hours. */
	uint32_t max_iterations;
	/** SCRAM server: iteration count announced for an unknown user, whose
	 * exchange runs on with a fake salt (default 4096). */
	uint32_t server_iterations;
	/** Characters of nonce this side adds (SCRAM), default 24, at most 256. */
	uint32_t nonce_len;
	/** Server: ::CORREU_SASL_SUCCESS_DATA if the protocol can carry data with
	 * its success reply; otherwise SCRAM's final message is a challenge
	 * answered by an empty response. */
	uint32_t flags;
	/** CRAM-MD5 server: host name in the challenge; NUL-terminated,
	 * borrowed for the handle's life; NULL for "localhost". */
	const char *hostname;
} correu_sasl_settings;

/**
 * Fill settings with the defaults.
 * @param s settings to fill.
 */
CORREU_API void correu_sasl_settings_init(correu_sasl_settings *s);

/* ------------------------------------------------------------------ */
/* Client                                                              */

/** A client exchange for one mechanism. */
typedef struct correu_sasl_client correu_sasl_client;

/** Version of ::correu_sasl_credentials this header describes. */
#define CORREU_SASL_CREDENTIALS_VERSION 1

/**
 * What a client authenticates with; fill the fields its mechanism uses and
 * leave the rest NULL/0. Strings are UTF-8 (ptr, len) pairs, not
 * NUL-terminated, and must not contain NUL. All are copied by
 * correu_sasl_client_new(); the copies of secrets are wiped on free.
 */
typedef struct correu_sasl_credentials {
	uint32_t version;        /**< ::CORREU_SASL_CREDENTIALS_VERSION */
	const char *username;    /**< authentication identity (authcid) */
	size_t username_len;     /**< bytes in `username` */
	const char *authzid;     /**< identity to act as; NULL/empty for the same */
	size_t authzid_len;      /**< bytes in `authzid` */
	const char *password;    /**< PLAIN, LOGIN, CRAM-MD5 (shared secret), SCRAM */
	size_t password_len;     /**< bytes in `password` */
	const char *token;       /**< XOAUTH2, OAUTHBEARER: the bearer token */
	size_t token_len;        /**< bytes in `token` */
	const char *host;        /**< OAUTHBEARER: server host name, optional */
	size_t host_len;         /**< bytes in `host` */
	uint32_t port;           /**< OAUTHBEARER: server port, 0 to omit */
} correu_sasl_credentials;

/**
 * Make a client handle.
 * @param settings limits and random source; copied (NULL for defaults, which
 *        leaves SCRAM without a random source).
 * @param mech the `CORREU_SASL_*` mechanism.
 * @param cred credentials; copied.
 * @param client_out receives the handle.
 * @return 0; ::CORREU_ERR_ARG for a NULL pointer, a missing credential, a
 *         NUL (or, in tokens, a character RFC 6750 forbids) in one, or a
 *         missing random source; ::CORREU_ERR_LIMIT for a user name longer
 *         than `max_username`; ::CORREU_ERR_UNSUPPORTED for a mechanism not
 *         built in; ::CORREU_ERR_ENCODING or ::CORREU_ERR_UNSUPPORTED when
 *         SCRAM's SASLprep refuses the user name or password;
 *         ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_client_new(const correu_sasl_settings *settings,
                                                       int mech,
                                                       const correu_sasl_credentials *cred,
                                                       correu_sasl_client **client_out);

/**
 * Release a client handle, wiping every secret. NULL is a no-op.
 * @param client the handle.
 */
CORREU_API void correu_sasl_client_free(correu_sasl_client *client);

/**
 * The initial response, for protocols that send one with the command.
 * Call at most once, before any step; skip it to wait for a challenge (the
 * first step then answers the server's empty challenge).
 * @param client the handle.
 * @param out receives the response (raw bytes, possibly empty); borrowed
 *        until the next call on the handle, then wiped.
 * @param out_len receives its length.
 * @return 1 if there is an initial response, 0 if the mechanism waits for a
 *         challenge (LOGIN, CRAM-MD5; nothing is produced); ::CORREU_ERR_STATE
 *         after a step; ::CORREU_ERR_ARG; ::CORREU_ERR_NOMEM; an error of the
 *         random source.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_client_start(correu_sasl_client *client,
                                                         const uint8_t **out, size_t *out_len);

/**
 * Answer one server challenge (already base64-decoded).
 * @param client the handle.
 * @param in the challenge; borrowed for the call.
 * @param in_len its length.
 * @param out receives the response to send (possibly empty); borrowed until
 *        the next call on the handle, then wiped.
 * @param out_len receives its length.
 * @return 0 with a response to send; ::CORREU_ERR_AUTH when the server
 *         reported an error (SCRAM "e=", see correu_sasl_client_reason()) or
 *         failed to prove it knows the password; ::CORREU_ERR_PROTO or
 *         ::CORREU_ERR_SYNTAX for a challenge that breaks the mechanism;
 *         ::CORREU_ERR_LIMIT for one longer than `max_message` or a SCRAM
 *         iteration count out of range; ::CORREU_ERR_STATE after the end;
 *         ::CORREU_ERR_NOMEM; ::CORREU_ERR_CRYPTO. A negative return is sticky:
 *         cancel the exchange (send "*").
 */
CORREU_API CORREU_NODISCARD int correu_sasl_client_step(correu_sasl_client *client,
                                                        const uint8_t *in, size_t in_len,
                                                        const uint8_t **out, size_t *out_len);

/**
 * The server reported success. For SCRAM, the server's signature must have
 * been verified: in a step, or here from the success's additional data.
 * @param client the handle.
 * @param data additional data with success (raw), or NULL when none.
 * @param len its length.
 * @return 0 when the exchange is complete and trustworthy; ::CORREU_ERR_AUTH
 *         when the server did not prove itself (then treat the session as
 *         unauthenticated and close it); ::CORREU_ERR_PROTO for data a
 *         mechanism does not expect; an earlier sticky error.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_client_finish(correu_sasl_client *client,
                                                          const uint8_t *data, size_t len);

/**
 * Why the exchange failed, or what error the server sent (SCRAM "e=",
 * the XOAUTH2/OAUTHBEARER JSON status), in printable ASCII.
 * @param client the handle.
 * @return a NUL-terminated string owned by the handle; "" when none.
 */
CORREU_API const char *correu_sasl_client_reason(const correu_sasl_client *client);

/* ------------------------------------------------------------------ */
/* Server                                                              */

/** A server exchange for one mechanism. */
typedef struct correu_sasl_server correu_sasl_server;

/** Server status: send the output as a challenge and step with the reply. */
#define CORREU_SASL_CHALLENGE 1
/** Server status: look up the user, then call a `correu_sasl_server_supply_*`
 * function (see correu_sasl_server_need()). */
#define CORREU_SASL_NEED_CREDENTIALS 2
/** Server status: authenticated. Output, if any, is additional success data
 * (only with ::CORREU_SASL_SUCCESS_DATA). */
#define CORREU_SASL_SUCCESS 3

/** correu_sasl_server_need(): check the password (PLAIN, LOGIN) with
 * correu_sasl_server_supply_result() or correu_sasl_server_supply_scram_keys(). */
#define CORREU_SASL_NEED_PASSWORD_CHECK 1
/** correu_sasl_server_need(): give the shared secret (CRAM-MD5). */
#define CORREU_SASL_NEED_SECRET 2
/** correu_sasl_server_need(): give the stored SCRAM keys (SCRAM-*). */
#define CORREU_SASL_NEED_SCRAM_KEYS 3
/** correu_sasl_server_need(): check the bearer token (XOAUTH2, OAUTHBEARER). */
#define CORREU_SASL_NEED_TOKEN_CHECK 4
/** correu_sasl_server_need(): decide whether the external identity (such as
 * the TLS client certificate) may act as the requested authzid (EXTERNAL). */
#define CORREU_SASL_NEED_EXTERNAL_CHECK 5

/** correu_sasl_server_field(): the authentication identity (user name). */
#define CORREU_SASL_FIELD_USERNAME 1
/** correu_sasl_server_field(): the authorization identity, empty if none. */
#define CORREU_SASL_FIELD_AUTHZID 2
/** correu_sasl_server_field(): the password (PLAIN, LOGIN). */
#define CORREU_SASL_FIELD_PASSWORD 3
/** correu_sasl_server_field(): the bearer token (XOAUTH2, OAUTHBEARER). */
#define CORREU_SASL_FIELD_TOKEN 4

/**
 * Make a server handle.
 * @param settings limits, random source, flags; copied (NULL for defaults).
 * @param mech the `CORREU_SASL_*` mechanism.
 * @param server_out receives the handle.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, or no random source for SCRAM
 *         or CRAM-MD5); ::CORREU_ERR_UNSUPPORTED for a mechanism not built
 *         in; ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_new(const correu_sasl_settings *settings,
                                                       int mech,
                                                       correu_sasl_server **server_out);

/**
 * Release a server handle, wiping every secret. NULL is a no-op.
 * @param server the handle.
 */
CORREU_API void correu_sasl_server_free(correu_sasl_server *server);

/**
 * Begin when the client sent no initial response: gives the first
 * challenge (empty for mechanisms where the client speaks first).
 * Skip this and call correu_sasl_server_step() with the initial response
 * when there is one.
 * @param server the handle.
 * @param out receives the challenge; borrowed until the next call.
 * @param out_len receives its length.
 * @return ::CORREU_SASL_CHALLENGE; ::CORREU_ERR_STATE if already begun;
 *         ::CORREU_ERR_ARG; ::CORREU_ERR_NOMEM; an error of the random source.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_start(correu_sasl_server *server,
                                                         const uint8_t **out, size_t *out_len);

/**
 * Consume one client response (already base64-decoded).
 * @param server the handle.
 * @param in the response; borrowed for the call.
 * @param in_len its length.
 * @param out receives a challenge or success data; borrowed until the next
 *        call on the handle.
 * @param out_len receives its length (0 when there is nothing to send).
 * @return ::CORREU_SASL_CHALLENGE, ::CORREU_SASL_NEED_CREDENTIALS or
 *         ::CORREU_SASL_SUCCESS; ::CORREU_ERR_AUTH (wrong credentials);
 *         ::CORREU_ERR_SYNTAX (malformed); ::CORREU_ERR_PROTO (well formed
 *         but not allowed here, such as a channel binding request or a
 *         changed nonce); ::CORREU_ERR_LIMIT (longer than `max_message` or
 *         `max_username`); ::CORREU_ERR_UNSUPPORTED (a mandatory extension);
 *         ::CORREU_ERR_STATE (wrong time); ::CORREU_ERR_NOMEM;
 *         ::CORREU_ERR_CRYPTO. Negative returns are sticky and leave a
 *         reason in correu_sasl_server_reason().
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_step(correu_sasl_server *server,
                                                        const uint8_t *in, size_t in_len,
                                                        const uint8_t **out, size_t *out_len);

/**
 * What the server waits for after ::CORREU_SASL_NEED_CREDENTIALS.
 * @param server the handle.
 * @return a `CORREU_SASL_NEED_*` value, or 0 when not waiting.
 */
CORREU_API int correu_sasl_server_need(const correu_sasl_server *server);

/**
 * A field the client sent, for the credential lookup.
 * @param server the handle.
 * @param field a `CORREU_SASL_FIELD_*` value.
 * @param out receives the bytes (UTF-8, no NUL inside, NUL-terminated for
 *        convenience); borrowed until the next call that changes the state.
 *        A password or token is wiped once the credentials are supplied.
 * @param out_len receives the length.
 * @return 0, ::CORREU_ERR_NOT_FOUND (the mechanism has no such field or it
 *         was not received yet), ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_field(const correu_sasl_server *server,
                                                         int field, const char **out,
                                                         size_t *out_len);

/**
 * Answer a credential request with a verdict the caller reached itself:
 * the password or token checked, the external identity accepted, or the
 * user unknown (ok = 0 works for every mechanism; SCRAM then runs on with a
 * fake salt so an unknown user looks like a wrong password).
 * @param server the handle.
 * @param ok 1 to accept, 0 to refuse.
 * @param out receives a challenge or success data; borrowed.
 * @param out_len receives its length.
 * @return as correu_sasl_server_step(); ::CORREU_ERR_STATE when no credentials
 *         were asked for, or ok = 1 for CRAM-MD5 or SCRAM (which verify only
 *         through a secret or keys).
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_supply_result(correu_sasl_server *server,
                                                                 int ok, const uint8_t **out,
                                                                 size_t *out_len);

/**
 * Answer CRAM-MD5's credential request with the user's shared secret.
 * @param server the handle.
 * @param secret the secret (password); borrowed for the call.
 * @param len its length.
 * @param out receives success data (none); borrowed.
 * @param out_len receives its length.
 * @return ::CORREU_SASL_SUCCESS; ::CORREU_ERR_AUTH for a wrong digest;
 *         ::CORREU_ERR_STATE; ::CORREU_ERR_CRYPTO.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_supply_secret(correu_sasl_server *server,
                                                                 const char *secret, size_t len,
                                                                 const uint8_t **out,
                                                                 size_t *out_len);

/** Version of ::correu_sasl_scram_keys this header describes. */
#define CORREU_SASL_SCRAM_KEYS_VERSION 1
/** Largest SCRAM salt kept in ::correu_sasl_scram_keys. */
#define CORREU_SASL_SCRAM_MAX_SALT 64
/** Largest SCRAM key (a SHA-256 digest). */
#define CORREU_SASL_SCRAM_MAX_KEY 32

/**
 * What a server stores for SCRAM instead of the password (RFC 5802
 * Section 3): enough to verify a client, not enough to impersonate one.
 */
typedef struct correu_sasl_scram_keys {
	uint32_t version;    /**< ::CORREU_SASL_SCRAM_KEYS_VERSION */
	uint32_t mech;       /**< ::CORREU_SASL_SCRAM_SHA_1 or ::CORREU_SASL_SCRAM_SHA_256 */
	uint32_t iterations; /**< PBKDF2 iteration count */
	uint32_t salt_len;   /**< bytes used in `salt` (1 .. ::CORREU_SASL_SCRAM_MAX_SALT) */
	uint8_t salt[CORREU_SASL_SCRAM_MAX_SALT];           /**< the salt */
	uint32_t key_len;    /**< digest size: 20 (SHA-1) or 32 (SHA-256) */
	uint8_t stored_key[CORREU_SASL_SCRAM_MAX_KEY];      /**< H(ClientKey) */
	uint8_t server_key[CORREU_SASL_SCRAM_MAX_KEY];      /**< HMAC(SaltedPassword, "Server Key") */
} correu_sasl_scram_keys;

/**
 * Answer a credential request with stored SCRAM keys: for SCRAM-* (their
 * hash must match the mechanism), and for PLAIN and LOGIN, whose password
 * is then checked against them (correu_sasl_scram_verify_password()).
 * @param server the handle.
 * @param keys the keys; copied (the copy is wiped on free).
 * @param out receives a challenge (SCRAM's server-first message) or nothing.
 * @param out_len receives its length.
 * @return as correu_sasl_server_step(); ::CORREU_ERR_ARG for keys of the
 *         wrong hash or malformed; ::CORREU_ERR_LIMIT for an iteration count
 *         outside the settings' range; ::CORREU_ERR_STATE.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_supply_scram_keys(
	correu_sasl_server *server, const correu_sasl_scram_keys *keys, const uint8_t **out,
	size_t *out_len);

/**
 * The JSON error a refused XOAUTH2 or OAUTHBEARER token is answered with
 * (RFC 7628 Section 3.2.2), in place of the default
 * `{"status":"invalid_token"}` (XOAUTH2: `{"status":"401","schemes":"bearer"}`).
 * Call before correu_sasl_server_supply_result().
 * @param server the handle.
 * @param json the JSON; copied.
 * @param len its length (at most `max_message`).
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_LIMIT, ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_server_set_oauth_error(correu_sasl_server *server,
                                                                   const char *json,
                                                                   size_t len);

/**
 * Why the exchange failed, in printable ASCII.
 * @param server the handle.
 * @return a NUL-terminated string owned by the handle; "" when none.
 */
CORREU_API const char *correu_sasl_server_reason(const correu_sasl_server *server);

/* ------------------------------------------------------------------ */
/* SCRAM keys and SASLprep                                             */

/**
 * Derive stored SCRAM keys from a password (for a password file).
 * @param mech ::CORREU_SASL_SCRAM_SHA_1 or ::CORREU_SASL_SCRAM_SHA_256.
 * @param password UTF-8 password; borrowed; SASLprep is applied.
 * @param password_len its length (at most 1024 bytes: the prepared copy
 *        lives on the stack, as no allocator is passed).
 * @param salt a random salt (16 bytes or more recommended); copied.
 * @param salt_len 1 .. ::CORREU_SASL_SCRAM_MAX_SALT.
 * @param iterations PBKDF2 count (RFC 7677 asks for at least 4096).
 * @param keys_out receives the keys (wipe them when done with them).
 * @return 0; ::CORREU_ERR_ARG; ::CORREU_ERR_LIMIT (password too long);
 *         ::CORREU_ERR_ENCODING or ::CORREU_ERR_UNSUPPORTED (SASLprep);
 *         ::CORREU_ERR_UNSUPPORTED without mbedTLS; ::CORREU_ERR_CRYPTO.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_scram_derive(int mech, const char *password,
                                                         size_t password_len,
                                                         const uint8_t *salt, size_t salt_len,
                                                         uint32_t iterations,
                                                         correu_sasl_scram_keys *keys_out);

/**
 * Check a plaintext password against stored SCRAM keys, in constant time.
 * @param keys the keys; borrowed.
 * @param password UTF-8 password; borrowed; SASLprep is applied.
 * @param password_len its length.
 * @return 0 when it matches; ::CORREU_ERR_AUTH when not (also when SASLprep
 *         refuses it or it is longer than 1024 bytes); ::CORREU_ERR_ARG; ::CORREU_ERR_UNSUPPORTED without
 *         mbedTLS; ::CORREU_ERR_CRYPTO.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_scram_verify_password(
	const correu_sasl_scram_keys *keys, const char *password, size_t password_len);

/**
 * SASLprep (RFC 4013) as SCRAM uses it (query strings: unassigned code
 * points allowed). Maps non-ASCII spaces to SPACE and removes the
 * "commonly mapped to nothing" characters, refuses prohibited output and
 * bidi violations. NFKC is implemented only as far as docs/sasl.md says:
 * characters it could change are refused, never passed through unchanged.
 * @param in UTF-8 input; borrowed.
 * @param in_len its length.
 * @param out output buffer; never needs more than `in_len` bytes.
 * @param out_cap its size.
 * @param out_len receives the output length.
 * @return 0; ::CORREU_ERR_ENCODING (invalid UTF-8, prohibited character,
 *         bidi rule broken); ::CORREU_ERR_UNSUPPORTED (a character whose
 *         normalisation is not implemented); ::CORREU_ERR_BUFFER;
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_sasl_saslprep(const char *in, size_t in_len, char *out,
                                                     size_t out_cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
