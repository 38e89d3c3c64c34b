/*
 * The backend's side of a request (store layer): the completion calls that
 * answer it, now or later, and the emit calls that stream items (mailboxes,
 * messages, UID events) to the core before the answer. Every completion
 * finishes the request even when its data is refused, so a backend
 * mistake never leaves a core waiting forever.
 */
#include <string.h>

#include "backend_int.h"

/* Refuse an answer that does not fit, yet complete the request with the
 * code so the core is not left waiting; the caller gets the code too. */
static int bad_answer(correu_store_req *r, int code)
{
	int rc = correu__store_settle(r, code);

	return rc == CORREU_ERR_CANCELLED ? rc : code;
}

int correu_store_complete(correu_store_req *r, int status)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (status > 0)
		return bad_answer(r, CORREU_ERR_ARG);
	if (status == 0 && r->made)
		return bad_answer(r, CORREU_ERR_ARG); /* an open needs its handle */
	if (status == 0 && (r->op == CORREU_STORE_OP_AUTH_SCRAM_KEYS || r->via_keys))
		return bad_answer(r, CORREU_ERR_ARG); /* a lookup needs its keys */
	if (status == 0 &&
	    (r->op == CORREU_STORE_OP_DELIVER_RCPT || r->op == CORREU_STORE_OP_DELIVER_COMMIT))
		return bad_answer(r, CORREU_ERR_ARG); /* the core needs a reply */
	if (status == 0 && r->op == CORREU_STORE_OP_STREAM_READ)
		r->data.len = 0; /* the end of the message */
	return correu__store_settle(r, status);
}

static bool is_auth(uint32_t op)
{
	return op == CORREU_STORE_OP_AUTH_PASSWORD || op == CORREU_STORE_OP_AUTH_TOKEN ||
	       (op == CORREU_STORE_OP_AUTH_SCRAM_KEYS);
}

static int set_text(correu_store_req *r, const char *p, size_t len, size_t max)
{
	int rc;

	if (len > max)
		return CORREU_ERR_LIMIT;
	rc = correu__store_check_name(p, len, max, true);
	if (rc < 0)
		return rc;
	r->text.len = 0;
	r->text.max = max + 1;
	rc = correu__buf_append(&r->text, p, len);
	if (rc == 0)
		rc = correu__buf_append(&r->text, "", 1);
	return rc;
}

int correu_store_complete_user(correu_store_req *r, const char *user, size_t user_len)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	/* A password checked through keys is verified here, never vouched for. */
	if ((r->op != CORREU_STORE_OP_AUTH_PASSWORD && r->op != CORREU_STORE_OP_AUTH_TOKEN) ||
	    r->via_keys)
		return bad_answer(r, CORREU_ERR_ARG);
	if (user) {
		rc = set_text(r, user, user_len, r->st->set.max_user);
		if (rc == 0 && user_len == 0)
			rc = CORREU_ERR_ARG;
		if (rc < 0)
			return bad_answer(r, rc);
	}
	return correu__store_settle(r, 0);
}

static int check_keys(const correu_sasl_scram_keys *k, uint32_t mech)
{
	size_t want = mech == CORREU_SASL_SCRAM_SHA_1 ? 20 : 32;

	if (k->version < 1 || k->mech != mech || k->key_len != want || k->salt_len == 0 ||
	    k->salt_len > CORREU_SASL_SCRAM_MAX_SALT || k->iterations == 0)
		return CORREU_ERR_ARG;
	return 0;
}

int correu_store_complete_scram_keys(correu_store_req *r, const correu_sasl_scram_keys *keys)
{
	int rc = correu__store_answerable(r);
	uint32_t mech;

	if (rc < 0)
		return rc;
	if (!keys || !is_auth(r->op) || r->op == CORREU_STORE_OP_AUTH_TOKEN)
		return bad_answer(r, CORREU_ERR_ARG);
	mech = r->via_keys ? CORREU_SASL_SCRAM_SHA_256 : r->keys.mech;
	if (check_keys(keys, mech) < 0)
		return bad_answer(r, CORREU_ERR_ARG);
	if (r->via_keys) {
		/* auth_password answered through the keys: check it here,
		 * in constant time, through the SASL layer. */
		rc = correu_sasl_scram_verify_password(keys, r->pw, r->pw_len);
		return correu__store_settle(r, rc == 0 ? 0 : CORREU_ERR_AUTH);
	}
	r->keys = *keys;
	r->have_keys = true;
	return correu__store_settle(r, 0);
}

static bool opens(uint32_t op)
{
	return op == CORREU_STORE_OP_SESSION_OPEN || op == CORREU_STORE_OP_MESSAGE_OPEN ||
	       op == CORREU_STORE_OP_APPEND_BEGIN || op == CORREU_STORE_OP_DELIVER_BEGIN;
}

int correu_store_complete_handle(correu_store_req *r, void *handle)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (!handle || !opens(r->op) || !r->made)
		return bad_answer(r, CORREU_ERR_ARG);
	r->made->h = handle;
	return correu__store_settle(r, 0);
}

static int set_status(correu_store_req *r, const correu_store_status *s)
{
	int rc;

	if (!s || s->version < 1 || s->version > CORREU_STORE_STATUS_VERSION)
		return CORREU_ERR_ARG;
	if (s->keywords_len) {
		rc = correu__store_check_name(s->keywords, s->keywords_len, r->st->set.max_keywords,
		                              false);
		if (rc == 0)
			rc = correu__buf_append(&r->kw, s->keywords, s->keywords_len);
		if (rc == 0)
			rc = correu__buf_append(&r->kw, "", 1);
		if (rc < 0)
			return rc;
	}
	r->mstatus = *s;
	r->mstatus.version = CORREU_STORE_STATUS_VERSION;
	r->mstatus.keywords = NULL;
	r->mstatus.keywords_len = 0;
	r->have_status = true;
	return 0;
}

int correu_store_complete_box(correu_store_req *r, void *handle, const correu_store_status *s)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (!handle || r->op != CORREU_STORE_OP_SELECT || !r->made)
		return bad_answer(r, CORREU_ERR_ARG);
	/* The handle first: even a refused status must not leak the box. */
	r->made->h = handle;
	rc = set_status(r, s);
	if (rc < 0)
		return bad_answer(r, rc);
	return correu__store_settle(r, 0);
}

int correu_store_complete_status(correu_store_req *r, const correu_store_status *s)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (r->op != CORREU_STORE_OP_STATUS && r->op != CORREU_STORE_OP_SYNC)
		return bad_answer(r, CORREU_ERR_ARG);
	rc = set_status(r, s);
	if (rc < 0)
		return bad_answer(r, rc);
	return correu__store_settle(r, 0);
}

int correu_store_complete_data(correu_store_req *r, const uint8_t *data, size_t len)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (r->op != CORREU_STORE_OP_STREAM_READ || (!data && len))
		return bad_answer(r, CORREU_ERR_ARG);
	if (len > r->max_read)
		return bad_answer(r, CORREU_ERR_LIMIT);
	r->data.len = 0;
	rc = correu__buf_append(&r->data, data, len);
	if (rc < 0)
		return bad_answer(r, rc);
	return correu__store_settle(r, 0);
}

int correu_store_complete_uid(correu_store_req *r, uint32_t uidvalidity, uint32_t uid)
{
	int rc = correu__store_answerable(r);
	bool commit;

	if (rc < 0)
		return rc;
	commit = r->op == CORREU_STORE_OP_APPEND_COMMIT;
	if (!commit && r->op != CORREU_STORE_OP_COPY && r->op != CORREU_STORE_OP_MOVE)
		return bad_answer(r, CORREU_ERR_ARG);
	if (uidvalidity == 0 || (commit && uid == 0) || (!commit && uid != 0))
		return bad_answer(r, CORREU_ERR_ARG);
	r->uidvalidity = uidvalidity;
	r->uid = uid;
	return correu__store_settle(r, 0);
}

static bool delivers(uint32_t op)
{
	return op >= CORREU_STORE_OP_DELIVER_BEGIN && op <= CORREU_STORE_OP_DELIVER_COMMIT;
}

/* RFC 5321 section 4.2 reply codes; RFC 3463 section 3.1 enhanced codes,
 * whose class must agree with the reply's first digit. */
static int check_reply(uint32_t code, uint32_t cls, uint32_t subj, uint32_t det)
{
	if (code < 200 || code > 599)
		return CORREU_ERR_ARG;
	if (cls == 0)
		return subj || det ? CORREU_ERR_ARG : 0;
	if (cls != code / 100 || cls == 3 || subj > 999 || det > 999)
		return CORREU_ERR_ARG;
	return 0;
}

int correu_store_complete_reply(correu_store_req *r, uint32_t code, uint32_t cls, uint32_t subj,
                                uint32_t det, const char *text, size_t len)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (!delivers(r->op) || check_reply(code, cls, subj, det) < 0)
		return bad_answer(r, CORREU_ERR_ARG);
	/* A 2xx for deliver_begin needs the transaction's handle. */
	if (code < 400 && r->op == CORREU_STORE_OP_DELIVER_BEGIN)
		return bad_answer(r, CORREU_ERR_ARG);
	rc = set_text(r, text, len, r->st->set.max_text);
	if (rc < 0)
		return bad_answer(r, rc);
	r->code = code;
	r->enh[0] = cls;
	r->enh[1] = subj;
	r->enh[2] = det;
	return correu__store_settle(r, code < 400 ? 0 : CORREU_ERR_REPLY);
}

int correu_store_set_rcpt_reply(correu_store_req *r, uint32_t index, uint32_t code, uint32_t cls,
                                uint32_t subj, uint32_t det, const char *text, size_t len)
{
	struct rcpt_reply *x;
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (r->cancelled)
		return CORREU_ERR_CANCELLED;
	if (r->op != CORREU_STORE_OP_DELIVER_COMMIT || index >= r->rr_n ||
	    check_reply(code, cls, subj, det) < 0)
		return CORREU_ERR_ARG;
	rc = correu__store_check_name(text, len, r->st->set.max_text, true);
	if (rc < 0)
		return rc;
	x = &r->rr[index];
	x->text_off = r->rtext.len;
	rc = correu__buf_append(&r->rtext, text, len);
	if (rc < 0)
		return rc;
	x->text_len = len;
	x->code = code;
	x->enh[0] = cls;
	x->enh[1] = subj;
	x->enh[2] = det;
	x->set = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Items                                                               */

static int can_emit(correu_store_req *r)
{
	int rc = correu__store_answerable(r);

	if (rc < 0)
		return rc;
	if (r->cancelled)
		return CORREU_ERR_CANCELLED;
	if (r->hook_err < 0)
		return r->hook_err; /* the core asked to stop */
	return 0;
}

/* Keep a hook's refusal: the backend is told now and the status later. */
static int hook_said(correu_store_req *r, int rc)
{
	if (rc < 0) {
		r->hook_err = rc;
		return rc;
	}
	return 0;
}

int correu_store_emit_mailbox(correu_store_req *r, const correu_store_mailbox *m)
{
	int rc = can_emit(r);

	if (rc < 0)
		return rc;
	if (r->op != CORREU_STORE_OP_LIST || !m || m->version < 1 ||
	    m->version > CORREU_STORE_MAILBOX_VERSION || m->delimiter > 0x7f)
		return CORREU_ERR_ARG;
	rc = correu__store_check_name(m->name, m->name_len, r->st->set.max_name, false);
	if (rc < 0)
		return rc;
	if (!r->hooks || !r->hooks->mailbox)
		return 0;
	return hook_said(r, r->hooks->mailbox(r, m, r->ud));
}

int correu_store_emit_msg(correu_store_req *r, const correu_store_msg *m)
{
	int rc = can_emit(r);

	if (rc < 0)
		return rc;
	if (r->op != CORREU_STORE_OP_SELECT && r->op != CORREU_STORE_OP_SYNC &&
	    r->op != CORREU_STORE_OP_SET_FLAGS)
		return CORREU_ERR_ARG;
	if (!m || m->version < 1 || m->version > CORREU_STORE_MSG_VERSION || m->uid == 0 ||
	    (m->flags & ~(CORREU_STORE_FLAGS_SETTABLE | CORREU_STORE_FLAG_RECENT)))
		return CORREU_ERR_ARG;
	rc = correu__store_check_name(m->keywords, m->keywords_len, r->st->set.max_keywords, true);
	if (rc < 0)
		return rc;
	if (!r->hooks || !r->hooks->msg)
		return 0;
	return hook_said(r, r->hooks->msg(r, m, r->ud));
}

/* Which UID events each operation may produce. */
static bool uid_kind_ok(uint32_t op, uint32_t kind)
{
	switch (kind) {
	case CORREU_STORE_UID_EXPUNGED:
		return op == CORREU_STORE_OP_SYNC || op == CORREU_STORE_OP_EXPUNGE ||
		       op == CORREU_STORE_OP_MOVE;
	case CORREU_STORE_UID_MODIFIED: return op == CORREU_STORE_OP_SET_FLAGS;
	case CORREU_STORE_UID_COPIED:
		return op == CORREU_STORE_OP_COPY || op == CORREU_STORE_OP_MOVE;
	default: return false;
	}
}

int correu_store_emit_uid(correu_store_req *r, uint32_t kind, uint32_t uid, uint32_t uid2)
{
	int rc = can_emit(r);

	if (rc < 0)
		return rc;
	if (!uid_kind_ok(r->op, kind) || uid == 0 ||
	    (kind == CORREU_STORE_UID_COPIED) != (uid2 != 0))
		return CORREU_ERR_ARG;
	if (!r->hooks || !r->hooks->uid)
		return 0;
	return hook_said(r, r->hooks->uid(r, kind, uid, uid2, r->ud));
}

int correu_store_box_notify(correu_store_box *box)
{
	if (!box)
		return CORREU_ERR_ARG;
	if (box->o.watch)
		(void)box->o.watch(box, box->o.watch_ud);
	return 0;
}

int correu_store_box_set_watch(correu_store_box *box, correu_store_watch_fn fn, void *userdata)
{
	if (!box)
		return CORREU_ERR_ARG;
	box->o.watch = fn;
	box->o.watch_ud = userdata;
	return 0;
}
