/*
 * What the SASL layer's files share and never export: the client and server
 * handles, the per-mechanism operations table, and helpers for strings,
 * failure reasons, UTF-8, GS2 headers and (with mbedTLS) hashing. Each
 * mechanism lives in its own file and fills one correu__sasl_mech.
 */
#ifndef CORREU_SASL_INTERNAL_H
#define CORREU_SASL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correu/sasl.h"
#include "internal.h"

#define CORREU__SASL_REASON_MAX 160

/* A heap copy of caller or peer bytes, NUL-terminated; wiped when freed. */
typedef struct correu__sasl_str {
	char *p;
	size_t len;
} correu__sasl_str;

/* What a `correu_sasl_server_supply_*` call hands to the mechanism. */
#define CORREU__SUPPLY_RESULT 1
#define CORREU__SUPPLY_SECRET 2
#define CORREU__SUPPLY_KEYS 3
typedef struct correu__sasl_supply {
	int kind;
	int ok;
	const char *secret;
	size_t secret_len;
	const correu_sasl_scram_keys *keys;
} correu__sasl_supply;

struct correu__scram_client;
struct correu__scram_server;
struct correu__oauth_flavour;

struct correu_sasl_client {
	const struct correu__sasl_mech *mech;
	correu_sasl_settings set;
	int state;  /* mechanism-defined step counter; 0 = nothing sent */
	int error;  /* sticky failure, 0 while fine */
	bool done;  /* the mechanism expects no more challenges */
	correu__buf out;
	correu__sasl_str user, authzid, password, token, host;
	uint32_t port;
	struct correu__scram_client *scram;
	char reason[CORREU__SASL_REASON_MAX];
};

struct correu_sasl_server {
	const struct correu__sasl_mech *mech;
	correu_sasl_settings set;
	int state;  /* mechanism-defined */
	int error;  /* sticky failure */
	int need;   /* CORREU_SASL_NEED_* while waiting, else 0 */
	bool begun;
	bool done;
	correu__buf out;
	correu__sasl_str user, authzid, secret, oauth_error;
	struct correu__scram_server *scram;
	correu__sasl_str challenge;  /* CRAM-MD5's challenge */
	char reason[CORREU__SASL_REASON_MAX];
};

/*
 * One mechanism. Client: `client_initial` makes the first message of a
 * client-first mechanism, `client_step` answers a challenge, `client_finish`
 * checks a success (NULL: nothing to check). Server: `server_start` makes
 * the first challenge (NULL: an empty one), `server_step` reads a response,
 * `server_supply` takes the caller's credentials. Steps return 0 / a status
 * or a negative code after setting the reason.
 */
typedef struct correu__sasl_mech {
	int id;
	const char *name;
	bool plaintext;
	bool initial;
	bool server_random; /* the server side needs the random source */
	const struct correu__oauth_flavour *oauth; /* XOAUTH2, OAUTHBEARER: what sets them apart */
	int (*client_initial)(correu_sasl_client *c);
	int (*client_step)(correu_sasl_client *c, const uint8_t *in, size_t len);
	int (*client_finish)(correu_sasl_client *c, const uint8_t *in, size_t len);
	int (*client_check)(correu_sasl_client *c); /* at _new: credentials complete? */
	void (*client_free)(correu_sasl_client *c);
	int (*server_start)(correu_sasl_server *s);
	int (*server_step)(correu_sasl_server *s, const uint8_t *in, size_t len);
	int (*server_supply)(correu_sasl_server *s, const correu__sasl_supply *sup);
	void (*server_free)(correu_sasl_server *s);
} correu__sasl_mech;

extern const correu__sasl_mech correu__sasl_plain;
extern const correu__sasl_mech correu__sasl_login;
extern const correu__sasl_mech correu__sasl_xoauth2;
extern const correu__sasl_mech correu__sasl_oauthbearer;
extern const correu__sasl_mech correu__sasl_external;
#ifdef CORREU__SASL_CRYPTO
extern const correu__sasl_mech correu__sasl_cram_md5;
extern const correu__sasl_mech correu__sasl_scram_sha1;
extern const correu__sasl_mech correu__sasl_scram_sha256;
#endif

/* The table entry for a mechanism number, or NULL if not built. */
const correu__sasl_mech *correu__sasl_mech_get(int mech);

/* Settings with every zero field replaced by its default. */
void correu__sasl_settings_apply(correu_sasl_settings *dst, const correu_sasl_settings *src);

/* Strings. */
int correu__sasl_str_set(const correu_allocator *a, correu__sasl_str *s, const void *p,
                         size_t len);
void correu__sasl_str_free(const correu_allocator *a, correu__sasl_str *s);

/* Record a failure: code is returned, msg copied as the reason. */
int correu__sasl_fail(char *reason, int code, const char *msg);
/* Same, with peer-supplied text appended (non-printables become '?'). */
int correu__sasl_fail_peer(char *reason, int code, const char *msg, const uint8_t *peer,
                           size_t len);
static inline int correu__sasl_cfail(correu_sasl_client *c, int code, const char *msg)
{
	return correu__sasl_fail(c->reason, code, msg);
}
static inline int correu__sasl_sfail(correu_sasl_server *s, int code, const char *msg)
{
	return correu__sasl_fail(s->reason, code, msg);
}

/* Constant-time equality of two n-byte blocks: true when equal. */
bool correu__sasl_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* Well-formed UTF-8 (correu_utf8_decode's strict rules) without NUL. */
bool correu__sasl_utf8_ok(const uint8_t *p, size_t n);
/* memchr for a byte; true when found. */
bool correu__sasl_has_byte(const void *p, size_t n, uint8_t byte);

/* GS2 (RFC 5801 Section 4): saslname escaping ("," as =2C, "=" as =3D). */
int correu__sasl_saslname_append(correu__buf *b, const char *p, size_t n);
/* Unescape a saslname into a string; CORREU_ERR_SYNTAX for a bad "=". */
int correu__sasl_saslname_parse(const correu_allocator *a, const uint8_t *p, size_t n,
                                correu__sasl_str *out);
/*
 * Parse the GS2 header at the start of `in`: "n," / "y," / "p=...," then
 * "[a=authzid]," . Sets *hdr_len to its length and the authzid (empty if
 * none). CORREU_ERR_PROTO for a channel binding request ("p="), which no
 * mechanism here offers.
 */
int correu__sasl_gs2_parse(correu_sasl_server *s, const uint8_t *in, size_t len,
                           size_t *hdr_len);
/* Append "n," [ "a=" saslname ] "," to b. */
int correu__sasl_gs2_append(correu__buf *b, const correu__sasl_str *authzid);

/* PLAIN and LOGIN servers: the verdict from a result or stored SCRAM keys. */
int correu__sasl_password_supply(correu_sasl_server *s, const correu__sasl_supply *sup);

/* OAuth 2.0 bearer mechanisms (oauth.c). States of the client (1, 2) and
 * of the server (0, 1, 2). */
enum {
	CORREU__OAUTH_START = 0,  /* server: waiting for the message */
	CORREU__OAUTH_SENT = 1,   /* client: message sent; server: verdict owed */
	CORREU__OAUTH_ERROR = 2,  /* the JSON error challenge went out */
};
/* RFC 6750 Section 2.1 b64token: 1*(ALPHA / DIGIT / "-._~+/") *"=". */
bool correu__oauth_token_ok(const char *p, size_t n);
/* Client: append "auth=Bearer <token>" SOH SOH (RFC 7628 Section 3.1). */
int correu__oauth_append_auth(correu_sasl_client *c);
/*
 * Server: parse key=value SOH pairs ending in an empty pair, at the very
 * end of the input. Takes the "auth" value's bearer token into s->secret;
 * `user` (may be NULL) receives the value of key "user" if present.
 */
int correu__oauth_kv_parse(correu_sasl_server *s, const uint8_t *in, size_t len,
                           correu__sasl_str *user);

/*
 * What tells the two bearer token mechanisms apart once their first
 * message is made; oauth.c runs the rest of both exchanges from it.
 */
typedef struct correu__oauth_flavour {
	const char *ack;              /* the client's answer to the error challenge */
	size_t ack_len;
	const char *error_json;       /* the error challenge when the caller gave none */
	const char *second_challenge; /* the client's reason for refusing one more */
	/* Server: read the one message, leaving the user and token in `s`. */
	int (*server_parse)(correu_sasl_server *s, const uint8_t *in, size_t len);
} correu__oauth_flavour;

/* The `client_step`, `server_step` and `server_supply` of both mechanisms. */
int correu__oauth_client_step(correu_sasl_client *c, const uint8_t *in, size_t len);
int correu__oauth_server_step(correu_sasl_server *s, const uint8_t *in, size_t len);
int correu__oauth_server_supply(correu_sasl_server *s, const correu__sasl_supply *sup);
/* The table entry of a bearer token mechanism: its first message and its
 * credential check are its own, the steps after them are oauth.c's. */
#define CORREU__OAUTH_MECH(id_, name_, flavour_, initial_, check_)                     \
	{ .id = (id_), .name = (name_), .plaintext = true, .initial = true,              \
	  .oauth = (flavour_), .client_initial = (initial_),                             \
	  .client_step = correu__oauth_client_step, .client_check = (check_),            \
	  .server_step = correu__oauth_server_step,                                      \
	  .server_supply = correu__oauth_server_supply }

/* Bytes from the caller's random source, as printable nonce characters
 * (RFC 5802 Section 7: %x21-7E except ","). */
int correu__sasl_nonce(const correu_sasl_settings *set, char *out, size_t n);

#ifdef CORREU__SASL_CRYPTO
/* mbedTLS wrappers (crypto.c); mech is CORREU_SASL_SCRAM_SHA_1 / _256 or
 * CORREU_SASL_CRAM_MD5 (for MD5). Return 0 or CORREU_ERR_CRYPTO. */
size_t correu__sasl_digest_len(int mech);
int correu__sasl_hash(int mech, const uint8_t *in, size_t len, uint8_t *out);
int correu__sasl_hmac(int mech, const uint8_t *key, size_t klen, const uint8_t *in,
                      size_t len, uint8_t *out);
int correu__sasl_pbkdf2(int mech, const uint8_t *pw, size_t pwlen, const uint8_t *salt,
                        size_t slen, uint32_t iterations, uint8_t *out);
/* Append base64 of p to b. */
int correu__sasl_b64_append(correu__buf *b, const uint8_t *p, size_t n);
/* Strict base64 (RFC 4648, padded, no whitespace) into out (cap bytes). */
int correu__sasl_b64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                            size_t *out_len);

/* SCRAM pieces shared by both sides (scram.c). */
int correu__scram_prep(const correu_allocator *a, const char *in, size_t len,
                       correu__sasl_str *out);
/* SaltedPassword -> ClientKey, StoredKey, ServerKey (RFC 5802 Section 3). */
int correu__scram_keys_from_salted(int mech, const uint8_t *salted, uint8_t *client_key,
                                   uint8_t *stored_key, uint8_t *server_key);
/* Find "x=" attribute `name` at the start of the comma list at *pos; on
 * success sets the value span and moves *pos past it (and its comma). */
bool correu__scram_attr(const uint8_t *in, size_t len, size_t *pos, char name,
                        const uint8_t **val, size_t *vlen);
/* Supplied keys are well formed (mechanism, sizes, count >= 1). */
bool correu__scram_keys_ok(const correu_sasl_scram_keys *k);
/* Nonce characters: printable ASCII except "," (RFC 5802 Section 7). */
bool correu__scram_nonce_ok(const uint8_t *p, size_t n);
/* The two sides (scram_client.c, scram_server.c), wired up in scram.c. */
int correu__scram_client_check(correu_sasl_client *c);
int correu__scram_client_initial(correu_sasl_client *c);
int correu__scram_client_step(correu_sasl_client *c, const uint8_t *in, size_t len);
int correu__scram_client_finish(correu_sasl_client *c, const uint8_t *in, size_t len);
void correu__scram_client_free(correu_sasl_client *c);
int correu__scram_server_step(correu_sasl_server *s, const uint8_t *in, size_t len);
int correu__scram_server_supply(correu_sasl_server *s, const correu__sasl_supply *sup);
void correu__scram_server_free(correu_sasl_server *s);
#endif

#endif
