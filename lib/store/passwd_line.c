/*
 * One line of the password file (store layer): `user:{SCHEME}data[:extra]`
 * in Dovecot's passwd-file layout, and the SCRAM data Dovecot's
 * `doveadm pw -s SCRAM-SHA-256` writes: "iterations,salt,StoredKey,ServerKey"
 * with the last three in base64 (RFC 5802 section 3 names the keys).
 */
#include <string.h>

#include "correu/codec.h"
#include "passwd_int.h"

bool correu__passwd_user_ok(const char *p, size_t len, size_t max)
{
	if (!p || len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		/* ':' ends the field; control bytes have no place in a login
		 * name and would corrupt the file or a log line. */
		if (c == ':' || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static bool name_is(const char *p, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != name[i])
			return false;
	}
	return true;
}

/* Decode strict base64 of exactly `want` bytes (or 1..want when `upto`). */
static int b64_field(const char *p, size_t len, uint8_t *out, size_t want, bool upto, size_t *got)
{
	correu_ssize n;

	if (len == 0)
		return CORREU_ERR_SYNTAX;
	/* The decoder checks the room before it writes anything. */
	n = correu_base64_decode(p, len, out, want);
	if (n < 0 || (upto ? n == 0 : (size_t)n != want))
		return CORREU_ERR_SYNTAX;
	*got = (size_t)n;
	return 0;
}

int correu__passwd_scram_decode(const correu_passwd_settings *set, uint32_t mech, const char *p,
                                size_t len, correu_sasl_scram_keys *k, const char **why)
{
	const char *f[4];
	size_t fl[4], nf = 0, start = 0, got;
	uint64_t iter = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] != ',')
			continue;
		if (nf == 4)
			return *why = "SCRAM data has more than four fields", CORREU_ERR_SYNTAX;
		f[nf] = p + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 4)
		return *why = "SCRAM data needs iterations,salt,StoredKey,ServerKey",
		       CORREU_ERR_SYNTAX;
	if (fl[0] == 0 || fl[0] > 10 || (fl[0] > 1 && f[0][0] == '0'))
		return *why = "bad SCRAM iteration count", CORREU_ERR_SYNTAX;
	for (size_t i = 0; i < fl[0]; i++) {
		if (f[0][i] < '0' || f[0][i] > '9')
			return *why = "bad SCRAM iteration count", CORREU_ERR_SYNTAX;
		iter = iter * 10 + (uint64_t)(f[0][i] - '0'); /* 10 digits fit */
	}
	if (iter < set->min_iterations || iter > set->max_iterations)
		return *why = "SCRAM iteration count outside the allowed range", CORREU_ERR_LIMIT;
	memset(k, 0, sizeof(*k));
	k->version = CORREU_SASL_SCRAM_KEYS_VERSION;
	k->mech = mech;
	k->iterations = (uint32_t)iter;
	k->key_len = mech == CORREU_SASL_SCRAM_SHA_1 ? 20 : 32;
	if (b64_field(f[1], fl[1], k->salt, sizeof(k->salt), true, &got) < 0)
		return *why = "bad SCRAM salt (base64, 1 to 64 bytes)", CORREU_ERR_SYNTAX;
	k->salt_len = (uint32_t)got;
	if (b64_field(f[2], fl[2], k->stored_key, k->key_len, false, &got) < 0 ||
	    b64_field(f[3], fl[3], k->server_key, k->key_len, false, &got) < 0) {
		correu_wipe(k, sizeof(*k));
		return *why = "bad SCRAM key (base64 of the hash's length)", CORREU_ERR_SYNTAX;
	}
	return 0;
}

static int b64_append(correu__buf *out, const uint8_t *p, size_t n)
{
	size_t need = correu_base64_encoded_len(n);
	correu_ssize w;
	int rc = correu__buf_reserve(out, need);

	if (rc < 0)
		return rc;
	w = correu_base64_encode(p, n, (char *)out->data + out->len, need);
	if (w < 0)
		return (int)w;
	out->len += (size_t)w;
	return 0;
}

int correu__passwd_scram_encode(const correu_sasl_scram_keys *k, correu__buf *out)
{
	char num[16];
	size_t n = 0;
	uint32_t v = k->iterations;
	int rc;

	do {
		num[sizeof(num) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	rc = correu__buf_append(out, num + sizeof(num) - n, n);
	if (rc == 0)
		rc = correu__buf_append(out, ",", 1);
	if (rc == 0)
		rc = b64_append(out, k->salt, k->salt_len);
	if (rc == 0)
		rc = correu__buf_append(out, ",", 1);
	if (rc == 0)
		rc = b64_append(out, k->stored_key, k->key_len);
	if (rc == 0)
		rc = correu__buf_append(out, ",", 1);
	if (rc == 0)
		rc = b64_append(out, k->server_key, k->key_len);
	return rc;
}

static int parse_scheme(const correu_passwd_settings *set, struct pw_entry *e, const char *p,
                        size_t len, const char **why)
{
	const char *end = len ? memchr(p, '}', len) : NULL;
	size_t nlen;
	correu_sasl_scram_keys k;
	int rc;

	if (len == 0 || p[0] != '{' || !end)
		return *why = "password field does not start with {SCHEME}", CORREU_ERR_SYNTAX;
	nlen = (size_t)(end - p) - 1;
	e->data = end + 1;
	e->data_len = len - nlen - 2;
	if (name_is(p + 1, nlen, "SCRAM-SHA-256"))
		e->scheme = CORREU_PASSWD_SCRAM_SHA_256;
	else if (name_is(p + 1, nlen, "SCRAM-SHA-1"))
		e->scheme = CORREU_PASSWD_SCRAM_SHA_1;
	else if (name_is(p + 1, nlen, "PLAIN"))
		e->scheme = CORREU_PASSWD_PLAIN;
	else
		return *why = "unknown password scheme", CORREU_ERR_UNSUPPORTED;
	if (e->scheme == CORREU_PASSWD_PLAIN)
		return (set->flags & CORREU_PASSWD_ALLOW_PLAIN)
		               ? 0
		               : (*why = "{PLAIN} passwords are not allowed",
		                  CORREU_ERR_UNSUPPORTED);
	rc = correu__passwd_scram_decode(set, e->scheme, e->data, e->data_len, &k, why);
	correu_wipe(&k, sizeof(k));
	return rc;
}

int correu__passwd_parse_line(const correu_passwd_settings *set, const char *p, size_t len,
                              struct pw_entry *e, const char **why)
{
	const char *colon, *pass, *extra;
	size_t i = 0;
	int rc;

	/* Checked before comments too: a bare CR would turn into a line end
	 * when the file is written back, a NUL would end it early. */
	if (memchr(p, '\0', len))
		return *why = "NUL byte in the line", CORREU_ERR_SYNTAX;
	if (memchr(p, '\r', len))
		return *why = "CR that does not end the line", CORREU_ERR_SYNTAX;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == len || p[i] == '#')
		return 0;
	colon = memchr(p, ':', len);
	if (!colon)
		return *why = "no ':' after the user name", CORREU_ERR_SYNTAX;
	e->user = p;
	e->user_len = (size_t)(colon - p);
	if (e->user_len > set->max_user)
		return *why = "user name too long", CORREU_ERR_LIMIT;
	if (!correu__passwd_user_ok(p, e->user_len, set->max_user))
		return *why = "bad user name", CORREU_ERR_SYNTAX;
	pass = colon + 1;
	extra = memchr(pass, ':', len - (size_t)(pass - p));
	if (!extra)
		extra = p + len;
	e->extra = extra;
	e->extra_len = len - (size_t)(extra - p);
	rc = parse_scheme(set, e, pass, (size_t)(extra - pass), why);
	return rc < 0 ? rc : 1;
}
