/*
 * The core's side of the backend interface for writing mail (store layer):
 * IMAP APPEND and SMTP/LMTP delivery, both streamed in bounded chunks that
 * the request copies, so a backend that pauses keeps valid data and a core
 * never holds a whole message.
 */
#include <stddef.h>
#include <string.h>

#include "backend_int.h"

/* Begin a chunk or commit on an append or delivery with no request
 * pending: a message goes to the backend one step at a time. */
static int on_idle_obj(correu_store_req *r, uint32_t op, correu__store_obj *o, enum obj_kind kind)
{
	int rc = correu__store_begin_on(r, op, true, o, kind);

	if (rc < 0)
		return rc;
	if (o->pending)
		return correu__store_refuse(r, CORREU_ERR_STATE);
	return 0;
}

/* Begin a chunk (append_write, deliver_data): check it and copy it into
 * the request; *out is the copy the backend gets. */
static int chunk_op(correu_store_req *r, uint32_t op, correu__store_obj *o, enum obj_kind kind,
                    const uint8_t *data, size_t len, const uint8_t **out)
{
	int rc = on_idle_obj(r, op, o, kind);

	if (rc < 0)
		return rc;
	if (!data || len == 0)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	if (len > SET(r)->max_chunk)
		return correu__store_refuse(r, CORREU_ERR_LIMIT);
	rc = correu__buf_append(&r->in, data, len);
	*out = r->in.data;
	return rc < 0 ? correu__store_refuse(r, rc) : 0;
}

int correu_store_append_begin(correu_store_req *r, correu_store_session *s, const char *name,
                              size_t name_len, uint32_t flags, const char *keywords,
                              size_t keywords_len, int64_t internal_date, uint64_t size)
{
	const char *p[2] = { name, keywords }, *c[2];
	size_t l[2] = { name_len, keywords_len };
	int rc = correu__store_begin_on(r, CORREU_STORE_OP_APPEND_BEGIN, r && BE(r)->append_begin,
	                                s ? &s->o : NULL, OBJ_SESSION);

	if (rc < 0)
		return rc;
	if ((flags & ~CORREU_STORE_FLAGS_SETTABLE) || internal_date < 0)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	rc = correu__store_check_name(name, name_len, SET(r)->max_name, false);
	if (rc == 0)
		rc = correu__store_check_name(keywords, keywords_len, SET(r)->max_keywords, true);
	if (rc == 0)
		rc = correu__store_copy_in(r, 2, p, l, c);
	if (rc == 0)
		rc = (r->made = correu__store_obj_new(r->st, OBJ_APPEND)) ? 0 : CORREU_ERR_NOMEM;
	if (rc < 0)
		return correu__store_refuse(r, rc);
	return correu__store_finish(r,
	                            BE(r)->append_begin(r, s->o.h, c[0], name_len, flags, c[1],
	                                                keywords_len, internal_date, size, UD(r)));
}

int correu_store_append_write(correu_store_req *r, correu_store_append *a, const uint8_t *data,
                              size_t len)
{
	const uint8_t *c;
	int rc = chunk_op(r, CORREU_STORE_OP_APPEND_WRITE, a ? &a->o : NULL, OBJ_APPEND, data, len,
	                  &c);

	if (rc < 0)
		return rc;
	return correu__store_finish(r, BE(r)->append_write(r, a->o.h, c, len, UD(r)));
}

int correu_store_append_commit(correu_store_req *r, correu_store_append *a)
{
	void *h;
	int rc = on_idle_obj(r, CORREU_STORE_OP_APPEND_COMMIT, a ? &a->o : NULL, OBJ_APPEND);

	if (rc < 0)
		return rc;
	/* The commit closes the backend's append whatever it answers, so the
	 * store's object goes now; the request does not refer to it. */
	h = a->o.h;
	a->o.h = NULL;
	correu__store_obj_close(&a->o);
	r->on = NULL;
	return correu__store_finish(r, BE(r)->append_commit(r, h, UD(r)));
}

void correu_store_append_abort(correu_store_append *a)
{
	if (a)
		correu__store_obj_close(&a->o);
}

/* ------------------------------------------------------------------ */
/* Delivery                                                            */

int correu_store_deliver_begin(correu_store_req *r, const correu_store_envelope *env)
{
	correu_store_envelope *e;
	const char *p[5], *c[5];
	size_t l[5];
	int rc = correu__store_begin(r, CORREU_STORE_OP_DELIVER_BEGIN, r && BE(r)->deliver_begin,
	                             NULL);

	if (rc < 0)
		return rc;
	if (!env || env->version < 1 || env->version > CORREU_STORE_ENVELOPE_VERSION ||
	    env->ret > CORREU_STORE_RET_HDRS || (env->version >= 2 && env->requiretls > 1))
		return correu__store_refuse(r, CORREU_ERR_ARG);
	p[0] = env->mail_from, l[0] = env->mail_from_len;
	p[1] = env->envid, l[1] = env->envid_len;
	p[2] = env->helo, l[2] = env->helo_len;
	p[3] = env->client_addr, l[3] = env->client_addr_len;
	p[4] = env->auth_user, l[4] = env->auth_user_len;
	for (int i = 0; i < 5 && rc == 0; i++)
		rc = correu__store_check_name(p[i], l[i], SET(r)->max_name, true);
	/* The envelope itself is copied too, ahead of its strings. */
	if (rc == 0)
		rc = correu__buf_reserve(&r->in, sizeof(*e) + 5 + l[0] + l[1] + l[2] + l[3] + l[4]);
	if (rc < 0)
		return correu__store_refuse(r, rc);
	e = (correu_store_envelope *)(void *)r->in.data;
	/* A version 1 caller's struct ends before `requiretls`: read no
	 * further than it goes, and give the backend zero for the rest. */
	memset(e, 0, sizeof(*e));
	memcpy(e, env, env->version >= 2 ? sizeof(*e) : offsetof(correu_store_envelope, requiretls));
	e->version = CORREU_STORE_ENVELOPE_VERSION;
	r->in.len = sizeof(*e);
	rc = correu__store_copy_in(r, 5, p, l, c);
	if (rc < 0)
		return correu__store_refuse(r, rc);
	e->mail_from = c[0];
	e->envid = env->envid ? c[1] : NULL;
	e->helo = c[2];
	e->client_addr = c[3];
	e->auth_user = env->auth_user ? c[4] : NULL;
	rc = (r->made = correu__store_obj_new(r->st, OBJ_DELIVERY)) ? 0 : CORREU_ERR_NOMEM;
	if (rc < 0)
		return correu__store_refuse(r, rc);
	return correu__store_finish(r, BE(r)->deliver_begin(r, e, UD(r)));
}

int correu_store_deliver_rcpt(correu_store_req *r, correu_store_delivery *d,
                              const correu_store_rcpt *rcpt)
{
	correu_store_rcpt *x;
	const char *p[2], *c[2];
	size_t l[2];
	int rc = correu__store_begin_on(r, CORREU_STORE_OP_DELIVER_RCPT, true, d ? &d->o : NULL,
	                                OBJ_DELIVERY);

	if (rc < 0)
		return rc;
	if (!rcpt || rcpt->version < 1 || rcpt->version > CORREU_STORE_RCPT_VERSION ||
	    (rcpt->notify & ~0xfu))
		return correu__store_refuse(r, CORREU_ERR_ARG);
	if (d->o.rcpts >= SET(r)->max_rcpts)
		return correu__store_refuse(r, CORREU_ERR_LIMIT);
	p[0] = rcpt->address, l[0] = rcpt->address_len;
	p[1] = rcpt->orcpt, l[1] = rcpt->orcpt_len;
	rc = correu__store_check_name(p[0], l[0], SET(r)->max_name, false);
	if (rc == 0)
		rc = correu__store_check_name(p[1], l[1], SET(r)->max_name, true);
	if (rc == 0)
		rc = correu__buf_reserve(&r->in, sizeof(*x) + 2 + l[0] + l[1]);
	if (rc == 0 && !d->o.accepted) {
		d->o.accepted = correu__calloc(r->st->alloc, SET(r)->max_rcpts);
		rc = d->o.accepted ? 0 : CORREU_ERR_NOMEM;
	}
	if (rc < 0)
		return correu__store_refuse(r, rc);
	x = (correu_store_rcpt *)(void *)r->in.data;
	*x = *rcpt;
	x->version = CORREU_STORE_RCPT_VERSION;
	x->index = d->o.rcpts++;
	r->rcpt_index = x->index;
	r->in.len = sizeof(*x);
	rc = correu__store_copy_in(r, 2, p, l, c);
	if (rc < 0)
		return correu__store_refuse(r, rc);
	x->address = c[0];
	x->orcpt = rcpt->orcpt ? c[1] : NULL;
	return correu__store_finish(r, BE(r)->deliver_rcpt(r, d->o.h, x, UD(r)));
}

int correu_store_deliver_data(correu_store_req *r, correu_store_delivery *d, const uint8_t *data,
                              size_t len)
{
	const uint8_t *c;
	int rc = chunk_op(r, CORREU_STORE_OP_DELIVER_DATA, d ? &d->o : NULL, OBJ_DELIVERY, data,
	                  len, &c);

	if (rc < 0)
		return rc;
	return correu__store_finish(r, BE(r)->deliver_data(r, d->o.h, c, len, UD(r)));
}

int correu_store_deliver_commit(correu_store_req *r, correu_store_delivery *d)
{
	int rc = on_idle_obj(r, CORREU_STORE_OP_DELIVER_COMMIT, d ? &d->o : NULL, OBJ_DELIVERY);

	if (rc < 0)
		return rc;
	if (d->o.rcpts) {
		/* Room for every recipient's own reply (LMTP), made now so the
		 * backend's answers need no memory the store might not get. */
		r->rr = correu__calloc(r->st->alloc, (size_t)d->o.rcpts * sizeof(*r->rr));
		if (!r->rr)
			return correu__store_refuse(r, CORREU_ERR_NOMEM);
		r->rr_n = d->o.rcpts;
		for (uint32_t i = 0; i < r->rr_n; i++)
			r->rr[i].accepted = d->o.accepted[i] != 0;
	}
	return correu__store_finish(r, BE(r)->deliver_commit(r, d->o.h, UD(r)));
}

void correu_store_delivery_close(correu_store_delivery *d)
{
	if (d)
		correu__store_obj_close(&d->o);
}
