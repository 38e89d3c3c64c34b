/*
 * Editing the password file (store layer): add or replace a user with
 * freshly salted SCRAM keys (never the password), remove a user, and
 * format the lines back into text. Comments, blank lines, the order of
 * lines and each user's extra fields survive every edit.
 */
#include <string.h>

#include "passwd_int.h"

/* Salt bytes for a new line: 16, as Dovecot uses. */
#define SALT_LEN 16

/* Build "user:{SCHEME}iter,salt,stored,server" + `extra` into `out`. */
static int build_line(const char *user, size_t user_len, const correu_sasl_scram_keys *k,
                      const char *extra, size_t extra_len, correu__buf *out)
{
	const char *scheme =
		k->mech == CORREU_SASL_SCRAM_SHA_1 ? "{SCRAM-SHA-1}" : "{SCRAM-SHA-256}";
	int rc = correu__buf_append(out, user, user_len);

	if (rc == 0)
		rc = correu__buf_append(out, ":", 1);
	if (rc == 0)
		rc = correu__buf_append(out, scheme, strlen(scheme));
	if (rc == 0)
		rc = correu__passwd_scram_encode(k, out);
	if (rc == 0)
		rc = correu__buf_append(out, extra, extra_len);
	if (rc == 0)
		rc = correu__buf_append(out, "", 1);
	return rc;
}

/* Room for one more line. */
static int grow(correu_passwd *pw)
{
	size_t cap = pw->cap ? pw->cap * 2 : 16;
	struct pw_line *n;

	if (pw->nlines < pw->cap)
		return 0;
	if (cap > SIZE_MAX / sizeof(*n))
		return CORREU_ERR_NOMEM;
	n = correu__realloc(pw->alloc, pw->lines, pw->cap * sizeof(*n), cap * sizeof(*n));
	if (!n)
		return CORREU_ERR_NOMEM;
	pw->lines = n;
	pw->cap = cap;
	return 0;
}

static int make_keys(const correu_passwd *pw, uint32_t mech, const char *password,
                     size_t password_len, uint32_t iterations, correu_sasl_random_fn random,
                     void *rud, correu_sasl_scram_keys *k)
{
	uint8_t salt[SALT_LEN];
	int rc;

	if (iterations < pw->set.min_iterations || iterations > pw->set.max_iterations)
		return CORREU_ERR_LIMIT;
	rc = random(salt, sizeof(salt), rud);
	if (rc < 0)
		return rc;
	return correu_sasl_scram_derive((int)mech, password, password_len, salt, sizeof(salt),
	                                iterations, k);
}

int correu_passwd_set(correu_passwd *pw, const char *user, size_t user_len, uint32_t mech,
                      const char *password, size_t password_len, uint32_t iterations,
                      correu_sasl_random_fn random, void *random_userdata)
{
	correu_sasl_scram_keys k;
	correu__buf line;
	const char *extra = "";
	size_t extra_len = 0, at;
	struct pw_line *l;
	int rc;

	if (!pw || !random || (!password && password_len) ||
	    (mech != CORREU_SASL_SCRAM_SHA_1 && mech != CORREU_SASL_SCRAM_SHA_256) ||
	    !correu__passwd_user_ok(user, user_len, pw->set.max_user))
		return CORREU_ERR_ARG;
	at = correu__passwd_find(pw, user, user_len);
	if (at == SIZE_MAX && pw->nusers >= pw->set.max_users)
		return CORREU_ERR_LIMIT;
	if (at != SIZE_MAX && correu_passwd_extra(pw, user, user_len, &extra, &extra_len) < 0)
		return CORREU_ERR_INTERNAL;
	rc = make_keys(pw, mech, password, password_len, iterations ? iterations : 4096, random,
	               random_userdata, &k);
	if (rc < 0)
		return rc;
	correu__buf_init(&line, pw->alloc, SIZE_MAX);
	rc = build_line(user, user_len, &k, extra, extra_len, &line);
	correu_wipe(&k, sizeof(k));
	if (rc == 0 && line.len - 1 > pw->set.max_line)
		rc = CORREU_ERR_LIMIT; /* the file could not be loaded again */
	if (rc == 0 && at == SIZE_MAX)
		rc = grow(pw);
	if (rc < 0) {
		correu__buf_free(&line, false);
		return rc;
	}
	/* Hand the buffer's memory to the line, sized as the line expects. */
	if (line.cap != line.len) {
		uint8_t *p = correu__realloc(pw->alloc, line.data, line.cap, line.len);

		if (!p) {
			correu__buf_free(&line, false);
			return CORREU_ERR_NOMEM;
		}
		line.data = p;
	}
	if (at == SIZE_MAX) {
		l = &pw->lines[pw->nlines++];
	} else {
		l = &pw->lines[at];
		correu_wipe(l->text, l->len);
		correu__free(pw->alloc, l->text, l->len + 1);
	}
	l->text = (char *)line.data;
	l->len = line.len - 1;
	l->user_len = user_len;
	if (at != SIZE_MAX)
		return 0; /* same user, same place: the index still holds */
	rc = correu__passwd_reindex(pw, NULL);
	if (rc < 0) {
		/* Take the new line back out so the handle stays consistent. */
		pw->nlines--;
		correu__free(pw->alloc, l->text, l->len + 1);
		(void)correu__passwd_reindex(pw, NULL);
	}
	return rc;
}

int correu_passwd_remove(correu_passwd *pw, const char *user, size_t len)
{
	size_t at;
	struct pw_line gone;

	if (!pw || (!user && len))
		return CORREU_ERR_ARG;
	at = correu__passwd_find(pw, user, len);
	if (at == SIZE_MAX)
		return CORREU_ERR_NOT_FOUND;
	gone = pw->lines[at];
	memmove(&pw->lines[at], &pw->lines[at + 1], (pw->nlines - at - 1) * sizeof(gone));
	pw->nlines--;
	correu_wipe(gone.text, gone.len);
	correu__free(pw->alloc, gone.text, gone.len + 1);
	/* Line numbers moved; rebuilding needs memory the removal just
	 * freed part of, but may still fail: then the index is empty and
	 * lookups find nobody, which fails safe. */
	return correu__passwd_reindex(pw, NULL);
}

int correu_passwd_format(const correu_passwd *pw, uint8_t *out, size_t cap, size_t *len_out)
{
	size_t need = 0, pos = 0;

	if (!pw || !len_out || (!out && cap))
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < pw->nlines; i++)
		need += pw->lines[i].len + 1; /* bounded by memory already held */
	*len_out = need;
	if (need > cap)
		return CORREU_ERR_BUFFER;
	for (size_t i = 0; i < pw->nlines; i++) {
		memcpy(out + pos, pw->lines[i].text, pw->lines[i].len);
		pos += pw->lines[i].len;
		out[pos++] = '\n';
	}
	return 0;
}
