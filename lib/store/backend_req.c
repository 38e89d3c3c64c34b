/*
 * Request objects of the backend interface (store layer): one operation's
 * life from the core's call through the backend's answer, now or later, to
 * the core reading the result. A request the core gives up on while the
 * backend still works is kept, silently, until the backend answers.
 */
#include <string.h>

#include "backend_int.h"

int correu_store_req_new(correu_store *st, const correu_store_hooks *hooks, void *userdata,
                         correu_store_req **req_out)
{
	correu_store_req *r;

	if (!req_out)
		return CORREU_ERR_ARG;
	*req_out = NULL;
	if (!st || (hooks && (hooks->version < 1 || hooks->version > CORREU_STORE_HOOKS_VERSION)))
		return CORREU_ERR_ARG;
	r = correu__calloc(st->alloc, sizeof(*r));
	if (!r)
		return CORREU_ERR_NOMEM;
	r->st = st;
	r->hooks = hooks;
	r->ud = userdata;
	r->state = REQ_FRESH;
	correu__buf_init(&r->in, st->alloc, SIZE_MAX);
	correu__buf_init(&r->text, st->alloc, (size_t)st->set.max_text + 1);
	correu__buf_init(&r->data, st->alloc, st->set.max_chunk);
	correu__buf_init(&r->kw, st->alloc, (size_t)st->set.max_keywords + 1);
	correu__buf_init(&r->rtext, st->alloc, SIZE_MAX);
	st->live_reqs++;
	*req_out = r;
	return 0;
}

void correu__store_req_destroy(correu_store_req *r)
{
	correu_store *st = r->st;

	correu__buf_free(&r->in, r->secret);
	correu__buf_free(&r->text, false);
	correu__buf_free(&r->data, false);
	correu__buf_free(&r->kw, false);
	correu__buf_free(&r->rtext, false);
	if (r->rr)
		correu__free(st->alloc, r->rr, (size_t)r->rr_n * sizeof(*r->rr));
	correu_wipe(&r->keys, sizeof(r->keys));
	st->live_reqs--;
	correu__free(st->alloc, r, sizeof(*r));
}

void correu_store_req_free(correu_store_req *r)
{
	if (!r)
		return;
	if (r->state == REQ_PENDING) {
		/* The backend still holds the request: forget the core, tell the
		 * backend, and let its completion free the request. */
		if (r->cancelled)
			return;
		r->cancelled = true;
		r->hooks = NULL;
		/* The core may close the object next; the request must not
		 * touch it again. */
		if (r->on)
			r->on->pending--;
		r->on = NULL;
		if (r->st->be.cancel)
			(void)r->st->be.cancel(r, r->st->ud);
		return;
	}
	if (r->state == REQ_RUNNING)
		return; /* freed from its own hook: not allowed, and not honoured */
	correu__store_req_drop_made(r);
	correu__store_req_destroy(r);
}

int correu_store_req_done(const correu_store_req *r)
{
	if (!r)
		return CORREU_ERR_ARG;
	return r->state == REQ_DONE;
}

int correu_store_req_cancelled(const correu_store_req *r)
{
	if (!r)
		return CORREU_ERR_ARG;
	return r->cancelled;
}

uint32_t correu_store_req_op(const correu_store_req *r)
{
	return r ? r->op : 0;
}

int correu_store_req_result(const correu_store_req *r, correu_store_result *out)
{
	if (!r || !out || out->version < 1 || out->version > CORREU_STORE_RESULT_VERSION)
		return CORREU_ERR_ARG;
	if (r->state != REQ_DONE)
		return CORREU_ERR_STATE;
	memset(out, 0, sizeof(*out));
	out->version = CORREU_STORE_RESULT_VERSION;
	out->op = r->op;
	out->status = r->status;
	out->uidvalidity = r->uidvalidity;
	out->uid = r->uid;
	out->reply_code = r->code;
	memcpy(out->enhanced, r->enh, sizeof(out->enhanced));
	out->text = r->text.len ? (const char *)r->text.data : "";
	out->text_len = r->text.len ? r->text.len - 1 : 0;
	out->data = r->data.data;
	out->data_len = r->data.len;
	return 0;
}

/* Common checks of the result getters: done, successful, of the right kind. */
static int ready(const correu_store_req *r, bool ok)
{
	if (!r)
		return CORREU_ERR_ARG;
	if (r->state != REQ_DONE)
		return CORREU_ERR_STATE;
	if (r->status < 0)
		return r->status;
	return ok ? 0 : CORREU_ERR_STATE;
}

int correu_store_req_scram_keys(const correu_store_req *r, correu_sasl_scram_keys *keys_out)
{
	int rc;

	if (!keys_out)
		return CORREU_ERR_ARG;
	rc = ready(r, r && r->have_keys && r->op == CORREU_STORE_OP_AUTH_SCRAM_KEYS);
	if (rc < 0)
		return rc;
	*keys_out = r->keys;
	return 0;
}

int correu_store_req_status(const correu_store_req *r, correu_store_status *out)
{
	int rc;

	if (!out || out->version < 1 || out->version > CORREU_STORE_STATUS_VERSION)
		return CORREU_ERR_ARG;
	rc = ready(r, r && r->have_status);
	if (rc < 0)
		return rc;
	*out = r->mstatus;
	out->keywords = r->kw.len ? (const char *)r->kw.data : NULL;
	out->keywords_len = r->kw.len ? r->kw.len - 1 : 0;
	return 0;
}

static int take(correu_store_req *r, enum obj_kind kind, void **out)
{
	int rc;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	rc = ready(r, r && r->made && !r->made_taken && r->made->kind == kind && r->made->h);
	if (rc < 0)
		return rc;
	r->made_taken = true;
	*out = r->made;
	return 0;
}

int correu_store_req_take_session(correu_store_req *r, correu_store_session **out)
{
	return take(r, OBJ_SESSION, (void **)out);
}

int correu_store_req_take_box(correu_store_req *r, correu_store_box **out)
{
	return take(r, OBJ_BOX, (void **)out);
}

int correu_store_req_take_stream(correu_store_req *r, correu_store_stream **out)
{
	return take(r, OBJ_STREAM, (void **)out);
}

int correu_store_req_take_append(correu_store_req *r, correu_store_append **out)
{
	return take(r, OBJ_APPEND, (void **)out);
}

int correu_store_req_take_delivery(correu_store_req *r, correu_store_delivery **out)
{
	return take(r, OBJ_DELIVERY, (void **)out);
}

/* ------------------------------------------------------------------ */
/* The life of an operation                                            */

int correu__store_begin(correu_store_req *r, uint32_t op, bool supported, correu__store_obj *on)
{
	if (!r)
		return CORREU_ERR_ARG;
	if (r->state != REQ_FRESH)
		return CORREU_ERR_STATE;
	r->op = op;
	r->state = REQ_RUNNING;
	if (!supported)
		return correu__store_refuse(r, CORREU_ERR_UNSUPPORTED);
	r->on = on;
	return 0;
}

int correu__store_begin_on(correu_store_req *r, uint32_t op, bool supported, correu__store_obj *o,
                           enum obj_kind kind)
{
	int rc = correu__store_begin(r, op, supported, o);

	if (rc < 0)
		return rc;
	if (!o || o->kind != kind || !o->h)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	return 0;
}

int correu__store_refuse(correu_store_req *r, int code)
{
	r->status = code;
	r->state = REQ_DONE;
	r->on = NULL;
	return code;
}

int correu__store_finish(correu_store_req *r, int rc)
{
	if (r->state == REQ_DONE)
		return r->status; /* answered during the call */
	if (rc == CORREU_PAUSE) {
		r->state = REQ_PENDING;
		if (r->on)
			r->on->pending++;
		return CORREU_PAUSE;
	}
	/* 0 without an answer is a backend bug; positive codes are not ours. */
	(void)correu__store_settle(r, rc < 0 ? rc : CORREU_ERR_INTERNAL);
	return r->status;
}

int correu__store_answerable(correu_store_req *r)
{
	if (!r)
		return CORREU_ERR_ARG;
	if (r->state == REQ_RUNNING || r->state == REQ_PENDING)
		return 0;
	return CORREU_ERR_STATE;
}

static void report_rcpt_replies(correu_store_req *r)
{
	if (!r->hooks || !r->hooks->rcpt_reply)
		return;
	for (uint32_t i = 0; i < r->rr_n; i++) {
		const struct rcpt_reply *x = &r->rr[i];
		const char *text = x->set ? (const char *)r->rtext.data + x->text_off
		                          : (r->text.len ? (const char *)r->text.data : "");
		size_t len = x->set ? x->text_len : (r->text.len ? r->text.len - 1 : 0);
		uint32_t code = x->set ? x->code : r->code;
		const uint32_t *enh = x->set ? x->enh : r->enh;

		/* LMTP (RFC 2033 section 4.2): one reply per accepted recipient;
		 * a recipient the backend refused at RCPT gets none. */
		if (!x->accepted)
			continue;
		(void)r->hooks->rcpt_reply(r, i, code, enh, text, len, r->ud);
	}
}

int correu__store_settle(correu_store_req *r, int status)
{
	bool was_pending = r->state == REQ_PENDING;

	if (status == 0 && r->hook_err < 0)
		status = r->hook_err;
	r->status = status;
	if (r->on && status == 0 && r->op == CORREU_STORE_OP_DELIVER_RCPT)
		r->on->accepted[r->rcpt_index] = 1;
	if (was_pending && r->on)
		r->on->pending--;
	r->on = NULL;
	if (r->cancelled) {
		correu__store_req_drop_made(r);
		correu__store_req_destroy(r);
		return CORREU_ERR_CANCELLED;
	}
	r->state = REQ_DONE;
	if (r->op == CORREU_STORE_OP_DELIVER_COMMIT)
		report_rcpt_replies(r);
	/* `done` only for a paused request: a core is never re-entered from
	 * its own call (store.h, "Requests"). */
	if (was_pending && r->hooks && r->hooks->done)
		(void)r->hooks->done(r, r->ud);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Inputs                                                              */

int correu__store_copy_in(correu_store_req *r, size_t n, const char *const *p, const size_t *len,
                          const char **out)
{
	size_t total = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (!correu__add(total, len[i], &total) || !correu__add(total, 1, &total))
			return CORREU_ERR_LIMIT;
	/* One reservation, so the copies never move once made. */
	rc = correu__buf_reserve(&r->in, total);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint8_t *dst = r->in.data + r->in.len;

		if (len[i])
			memcpy(dst, p[i], len[i]);
		dst[len[i]] = '\0';
		r->in.len += len[i] + 1;
		out[i] = (const char *)dst;
	}
	return 0;
}

int correu__store_check_name(const char *p, size_t len, size_t max, bool allow_empty)
{
	if (!p && len)
		return CORREU_ERR_ARG;
	if (!len && !allow_empty)
		return CORREU_ERR_ARG;
	if (len > max)
		return CORREU_ERR_LIMIT;
	/* DESIGN.md: strings that reach the wire never carry CR, LF or NUL. */
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
			return CORREU_ERR_ARG;
	return 0;
}

int correu__store_check_ranges(const uint32_t *ranges, size_t n, size_t max)
{
	if (!ranges || n == 0)
		return CORREU_ERR_ARG;
	if (n > max)
		return CORREU_ERR_LIMIT;
	for (size_t i = 0; i < n; i++)
		if (ranges[2 * i] == 0 || ranges[2 * i] > ranges[2 * i + 1])
			return CORREU_ERR_ARG;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Objects                                                             */

correu__store_obj *correu__store_obj_new(correu_store *st, enum obj_kind kind)
{
	correu__store_obj *o = correu__calloc(st->alloc, sizeof(*o));

	if (!o)
		return NULL;
	o->st = st;
	o->kind = kind;
	st->live_objs++;
	return o;
}

void correu__store_obj_close(correu__store_obj *o)
{
	const correu_store_backend *be = &o->st->be;
	void *ud = o->st->ud;

	if (o->h) {
		switch (o->kind) {
		case OBJ_SESSION: (void)be->session_close(o->h, ud); break;
		case OBJ_BOX: (void)be->box_close(o->h, ud); break;
		case OBJ_STREAM: (void)be->stream_close(o->h, ud); break;
		case OBJ_APPEND: (void)be->append_abort(o->h, ud); break;
		case OBJ_DELIVERY: (void)be->deliver_abort(o->h, ud); break;
		}
	}
	if (o->accepted)
		correu__free(o->st->alloc, o->accepted, o->st->set.max_rcpts);
	o->st->live_objs--;
	correu__free(o->st->alloc, o, sizeof(*o));
}

void correu__store_req_drop_made(correu_store_req *r)
{
	if (r->made && !r->made_taken)
		correu__store_obj_close(r->made);
	r->made = NULL;
}
