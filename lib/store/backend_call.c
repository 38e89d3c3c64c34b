/*
 * The core's side of the backend interface for authentication, sessions
 * and mailbox management (store layer): each call checks its arguments
 * against the store's limits, copies them into the request so a paused
 * request keeps them, and hands the request to the backend's callback.
 */
#include <string.h>

#include "backend_int.h"

/* Refuse with a check's code when it failed. */
#define CHECK(r, expr)                                               \
	do {                                                         \
		int check_rc_ = (expr);                              \
		if (check_rc_ < 0)                                   \
			return correu__store_refuse((r), check_rc_); \
	} while (0)

int correu_store_auth_password(correu_store_req *r, const char *user, size_t user_len,
                               const char *password, size_t password_len)
{
	const char *p[2] = { user, password }, *c[2];
	size_t l[2] = { user_len, password_len };
	int rc;

	rc = correu__store_begin(r, CORREU_STORE_OP_AUTH_PASSWORD,
	                         r && (BE(r)->auth_password || BE(r)->auth_scram_keys), NULL);
	if (rc < 0)
		return rc;
	CHECK(r, correu__store_check_name(user, user_len, SET(r)->max_user, false));
	CHECK(r, correu__store_check_name(password, password_len, SET(r)->max_secret, true));
	r->secret = true;
	CHECK(r, correu__store_copy_in(r, 2, p, l, c));
	if (BE(r)->auth_password)
		return correu__store_finish(
			r, BE(r)->auth_password(r, c[0], user_len, c[1], password_len, UD(r)));
	/* No password check of its own: verify against the SCRAM-SHA-256
	 * keys, so a store of keys serves PLAIN and LOGIN too. */
	r->via_keys = true;
	r->pw = c[1];
	r->pw_len = password_len;
	return correu__store_finish(
		r, BE(r)->auth_scram_keys(r, CORREU_SASL_SCRAM_SHA_256, c[0], user_len, UD(r)));
}

int correu_store_auth_scram_keys(correu_store_req *r, uint32_t mech, const char *user,
                                 size_t user_len)
{
	const char *c;
	int rc;

	rc = correu__store_begin(r, CORREU_STORE_OP_AUTH_SCRAM_KEYS, r && BE(r)->auth_scram_keys,
	                         NULL);
	if (rc < 0)
		return rc;
	if (mech != CORREU_SASL_SCRAM_SHA_1 && mech != CORREU_SASL_SCRAM_SHA_256)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	CHECK(r, correu__store_check_name(user, user_len, SET(r)->max_user, false));
	CHECK(r, correu__store_copy_in(r, 1, &user, &user_len, &c));
	r->keys.mech = mech; /* what the completion must match */
	return correu__store_finish(r, BE(r)->auth_scram_keys(r, mech, c, user_len, UD(r)));
}

int correu_store_auth_token(correu_store_req *r, uint32_t mech, const char *user, size_t user_len,
                            const char *token, size_t token_len)
{
	const char *p[2] = { user, token }, *c[2];
	size_t l[2] = { user_len, token_len };
	int rc;

	rc = correu__store_begin(r, CORREU_STORE_OP_AUTH_TOKEN, r && BE(r)->auth_token, NULL);
	if (rc < 0)
		return rc;
	if (mech != CORREU_SASL_XOAUTH2 && mech != CORREU_SASL_OAUTHBEARER)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	CHECK(r, correu__store_check_name(user, user_len, SET(r)->max_user, true));
	CHECK(r, correu__store_check_name(token, token_len, SET(r)->max_secret, false));
	r->secret = true;
	CHECK(r, correu__store_copy_in(r, 2, p, l, c));
	return correu__store_finish(
		r, BE(r)->auth_token(r, mech, c[0], user_len, c[1], token_len, UD(r)));
}

/* Make the object an opening operation will fill, before the backend can
 * answer: completion must not need memory it might not get. */
static int prepare_made(correu_store_req *r, enum obj_kind kind)
{
	r->made = correu__store_obj_new(r->st, kind);
	return r->made ? 0 : CORREU_ERR_NOMEM;
}

int correu_store_session_open(correu_store_req *r, const char *user, size_t user_len)
{
	const char *c;
	int rc;

	rc = correu__store_begin(r, CORREU_STORE_OP_SESSION_OPEN, r && BE(r)->session_open, NULL);
	if (rc < 0)
		return rc;
	CHECK(r, correu__store_check_name(user, user_len, SET(r)->max_user, false));
	CHECK(r, correu__store_copy_in(r, 1, &user, &user_len, &c));
	CHECK(r, prepare_made(r, OBJ_SESSION));
	return correu__store_finish(r, BE(r)->session_open(r, c, user_len, UD(r)));
}

void correu_store_session_close(correu_store_session *s)
{
	if (s)
		correu__store_obj_close(&s->o);
}

/* Begin an operation on an open session. */
static int on_session(correu_store_req *r, uint32_t op, bool supported, correu_store_session *s)
{
	int rc = correu__store_begin(r, op, supported, s ? &s->o : NULL);

	if (rc < 0)
		return rc;
	if (!s || !s->o.h)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	return 0;
}

/* The checks every operation on one mailbox name shares. */
static int named(correu_store_req *r, uint32_t op, bool supported, correu_store_session *s,
                 const char *name, size_t len, bool allow_empty, const char **copy)
{
	int rc = on_session(r, op, supported, s);

	if (rc < 0)
		return rc;
	rc = correu__store_check_name(name, len, SET(r)->max_name, allow_empty);
	if (rc == 0)
		rc = correu__store_copy_in(r, 1, &name, &len, copy);
	return rc < 0 ? correu__store_refuse(r, rc) : 0;
}

int correu_store_list(correu_store_req *r, correu_store_session *s, const char *pattern,
                      size_t pattern_len, uint32_t flags)
{
	const char *c;
	int rc =
		named(r, CORREU_STORE_OP_LIST, r && BE(r)->list, s, pattern, pattern_len, true, &c);

	if (rc < 0)
		return rc;
	return correu__store_finish(r, BE(r)->list(r, s->o.h, c, pattern_len, flags, UD(r)));
}

int correu_store_create(correu_store_req *r, correu_store_session *s, const char *name,
                        size_t name_len, uint32_t special_use)
{
	const char *c;
	int rc = named(r, CORREU_STORE_OP_CREATE, r && BE(r)->create, s, name, name_len, false, &c);

	if (rc < 0)
		return rc;
	if (special_use & ~CORREU_STORE_USE_MASK)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	return correu__store_finish(r, BE(r)->create(r, s->o.h, c, name_len, special_use, UD(r)));
}

int correu_store_delete(correu_store_req *r, correu_store_session *s, const char *name,
                        size_t name_len)
{
	const char *c;
	int rc = named(r, CORREU_STORE_OP_DELETE, r && BE(r)->delete_mailbox, s, name, name_len,
	               false, &c);

	if (rc < 0)
		return rc;
	return correu__store_finish(r, BE(r)->delete_mailbox(r, s->o.h, c, name_len, UD(r)));
}

int correu_store_rename(correu_store_req *r, correu_store_session *s, const char *from,
                        size_t from_len, const char *to, size_t to_len)
{
	const char *p[2] = { from, to }, *c[2];
	size_t l[2] = { from_len, to_len };
	int rc = on_session(r, CORREU_STORE_OP_RENAME, r && BE(r)->rename, s);

	if (rc < 0)
		return rc;
	CHECK(r, correu__store_check_name(from, from_len, SET(r)->max_name, false));
	CHECK(r, correu__store_check_name(to, to_len, SET(r)->max_name, false));
	/* Both in one copy: a second one could move the first. */
	CHECK(r, correu__store_copy_in(r, 2, p, l, c));
	return correu__store_finish(r,
	                            BE(r)->rename(r, s->o.h, c[0], from_len, c[1], to_len, UD(r)));
}

int correu_store_subscribe(correu_store_req *r, correu_store_session *s, const char *name,
                           size_t name_len, uint32_t subscribe)
{
	const char *c;
	int rc = named(r, CORREU_STORE_OP_SUBSCRIBE, r && BE(r)->subscribe, s, name, name_len,
	               false, &c);

	if (rc < 0)
		return rc;
	if (subscribe > 1)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	return correu__store_finish(r, BE(r)->subscribe(r, s->o.h, c, name_len, subscribe, UD(r)));
}

int correu_store_mailbox_status(correu_store_req *r, correu_store_session *s, const char *name,
                                size_t name_len, uint32_t items)
{
	const char *c;
	int rc = named(r, CORREU_STORE_OP_STATUS, r && BE(r)->status, s, name, name_len, false, &c);

	if (rc < 0)
		return rc;
	if (items == 0 || (items & ~CORREU_STORE_STATUS_ALL))
		return correu__store_refuse(r, CORREU_ERR_ARG);
	return correu__store_finish(r, BE(r)->status(r, s->o.h, c, name_len, items, UD(r)));
}

int correu_store_select(correu_store_req *r, correu_store_session *s, const char *name,
                        size_t name_len, uint32_t flags)
{
	const char *c;
	int rc = named(r, CORREU_STORE_OP_SELECT, r && BE(r)->select, s, name, name_len, false, &c);

	if (rc < 0)
		return rc;
	if (flags & ~(uint32_t)(CORREU_STORE_SELECT_READ_ONLY | CORREU_STORE_SELECT_CONDSTORE |
	                        CORREU_STORE_SELECT_POP3))
		return correu__store_refuse(r, CORREU_ERR_ARG);
	CHECK(r, prepare_made(r, OBJ_BOX));
	return correu__store_finish(r, BE(r)->select(r, s->o.h, c, name_len, flags,
	                                             (correu_store_box *)r->made, UD(r)));
}

void correu_store_box_close(correu_store_box *box)
{
	if (box)
		correu__store_obj_close(&box->o);
}
