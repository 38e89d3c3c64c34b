/*
 * Writing mail through the default backend (store layer): IMAP APPEND
 * into a folder, and SMTP/LMTP delivery into each recipient's INBOX. A
 * delivery streams every chunk into one Maildir delivery per recipient and
 * answers the commit only after each of them is fsynced and renamed into
 * place, so a 250 never covers a message that could still be lost. With
 * commit workers (mdbe_pool.c) that work runs off the loop and the answer
 * comes later; without, it runs in the commit call.
 */
#include <string.h>

#include "maildir_internal.h"
#include "mdbe_int.h"

struct mdbe_append {
	correu_maildir_box *box;
	correu_maildir_delivery *d;
};

int correu__mdbe_append_begin(correu_store_req *req, void *session, const char *name, size_t len,
                              uint32_t flags, const char *kw, size_t kwlen, int64_t date,
                              uint64_t size, void *ud)
{
	struct mdbe_session *s = session;
	struct mdbe_append *a = correu__calloc(MB(ud)->alloc, sizeof(*a));
	uint32_t f, k;
	int rc;

	(void)size; /* the Maildir store checks its own size limit as bytes come */
	if (!a)
		return correu_store_complete(req, CORREU_ERR_NOMEM);
	rc = correu_maildir_box_open(s->md, name, len, &a->box);
	if (rc == 0)
		rc = correu__mdbe_flags_in(a->box, flags, kw, kwlen, true, &f, &k);
	if (rc == 0)
		rc = correu_maildir_delivery_begin(a->box, &a->d);
	if (rc == 0)
		rc = correu_maildir_delivery_set_flags(a->d, f, k);
	if (rc == 0 && date > 0)
		rc = correu_maildir_delivery_set_date(a->d, date);
	if (rc < 0) {
		(void)correu__mdbe_append_abort(a, ud);
		return correu_store_complete(req, rc);
	}
	return correu_store_complete_handle(req, a);
}

int correu__mdbe_append_write(correu_store_req *req, void *h, const uint8_t *data, size_t len,
                              void *ud)
{
	struct mdbe_append *a = h;

	(void)ud;
	return correu_store_complete(req, correu_maildir_delivery_write(a->d, data, len));
}

int correu__mdbe_append_commit(correu_store_req *req, void *h, void *ud)
{
	struct mdbe_append *a = h;
	uint32_t uid = 0, validity = correu_maildir_box_uidvalidity(a->box);
	int rc = correu_maildir_delivery_commit(a->d, &uid);

	a->d = NULL; /* the commit freed it, whatever the result */
	(void)correu__mdbe_append_abort(a, ud);
	if (rc < 0)
		return correu_store_complete(req, rc);
	return correu_store_complete_uid(req, validity, uid);
}

int correu__mdbe_append_abort(void *h, void *ud)
{
	struct mdbe_append *a = h;

	correu_maildir_delivery_abort(a->d);
	correu_maildir_box_close(a->box);
	correu__free(MB(ud)->alloc, a, sizeof(*a));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                            */

/* One accepted recipient: its INBOX and the copy being written there. */
struct mdbe_rcpt {
	correu_maildir *md;
	correu_maildir_box *box;
	correu_maildir_delivery *d;
	int err; /* a write failed: the code */
};

struct mdbe_txn {
	struct mdbe_job job; /* first: the job is the transaction */
	correu_maildir_backend *mb;
	correu_store_req *req; /* the commit being answered */
	struct mdbe_rcpt *r;   /* max_rcpts entries, by RCPT index */
	uint32_t n;
	bool in_flight; /* with the workers: closing must wait for them */
	bool orphaned;  /* closed meanwhile: free it once they are done */
};

static void txn_free(struct mdbe_txn *t);

static void drop_rcpt(struct mdbe_rcpt *r)
{
	correu_maildir_delivery_abort(r->d);
	correu_maildir_box_close(r->box);
	correu_maildir_free(r->md);
	memset(r, 0, sizeof(*r));
}

int correu__mdbe_deliver_begin(correu_store_req *req, const correu_store_envelope *env, void *ud)
{
	correu_maildir_backend *mb = ud;
	struct mdbe_txn *t = correu__calloc(mb->alloc, sizeof(*t));

	/* This backend delivers finally and answers every failure to the
	 * client itself: the DSN parameters (RET, ENVID) would only shape a
	 * bounce it never sends, and REQUIRETLS (RFC 8689 section 4) binds
	 * only the hops after this one, so none of them is kept. */
	(void)env;
	if (t && !(t->r = correu__calloc(mb->alloc, mb->max_rcpts * sizeof(*t->r)))) {
		correu__free(mb->alloc, t, sizeof(*t));
		t = NULL;
	}
	if (!t)
		return correu_store_complete_reply(req, 451, 4, 3, 0, TXT("Out of memory"));
	t->mb = mb;
	return correu_store_complete_handle(req, t);
}

/* The user a recipient address belongs to: the whole address when the
 * password file knows it, else its local part. */
static int rcpt_user(const correu_maildir_backend *mb, const correu_store_rcpt *r, size_t *len_out)
{
	const char *at = memchr(r->address, '@', r->address_len);

	if (mb->users && correu_passwd_lookup(mb->users, r->address, r->address_len, NULL) == 0) {
		*len_out = r->address_len;
		return 0;
	}
	*len_out = at ? (size_t)(at - r->address) : r->address_len;
	if (mb->users && correu_passwd_lookup(mb->users, r->address, *len_out, NULL) < 0)
		return CORREU_ERR_NOT_FOUND;
	return 0;
}

int correu__mdbe_deliver_rcpt(correu_store_req *req, void *h, const correu_store_rcpt *rcpt,
                              void *ud)
{
	correu_maildir_backend *mb = ud;
	struct mdbe_txn *t = h;
	struct mdbe_rcpt *r;
	size_t ulen;
	int rc;

	if (rcpt->index >= mb->max_rcpts)
		return correu_store_complete_reply(req, 452, 4, 5, 3, TXT("Too many recipients"));
	if (rcpt_user(mb, rcpt, &ulen) < 0)
		return correu_store_complete_reply(req, 550, 5, 1, 1, TXT("No such user"));
	r = &t->r[rcpt->index];
	rc = correu__mdbe_open_user(mb, rcpt->address, ulen, &r->md);
	if (rc == CORREU_ERR_ARG)
		return correu_store_complete_reply(req, 550, 5, 1, 1, TXT("No such user"));
	/* Only the path: a delivery gets its UID from the next reader
	 * (deliver.c), so nothing of the folder needs reading. */
	if (rc == 0)
		rc = correu__md_box_open_inbox_bare(r->md, &r->box);
	if (rc == 0)
		rc = correu_maildir_delivery_begin(r->box, &r->d);
	if (rc < 0) {
		drop_rcpt(r);
		return correu_store_complete_reply(req, 451, 4, 3, 0, TXT("Mailbox unavailable"));
	}
	t->n = rcpt->index + 1;
	return correu_store_complete_reply(req, 250, 2, 1, 5, TXT("OK"));
}

int correu__mdbe_deliver_data(correu_store_req *req, void *h, const uint8_t *data, size_t len,
                              void *ud)
{
	struct mdbe_txn *t = h;

	(void)ud;
	/* One recipient's trouble (its size limit, its disk) is its own: the
	 * others go on, and the commit reports each. */
	for (uint32_t i = 0; i < t->n; i++)
		if (t->r[i].d && !t->r[i].err)
			t->r[i].err = correu_maildir_delivery_write(t->r[i].d, data, len);
	return correu_store_complete(req, 0);
}

/* Worker (or inline): make each copy durable but for its directory. */
static void txn_work(struct mdbe_job *j)
{
	struct mdbe_txn *t = (struct mdbe_txn *)j;

	for (uint32_t i = 0; i < t->n; i++) {
		struct mdbe_rcpt *r = &t->r[i];

		if (r->d && !r->err)
			r->err = correu__md_delivery_flush(r->d);
		if (r->d && !r->err)
			r->err = correu__md_delivery_place(r->d);
	}
}

/* Worker (or inline): fsync new/ of each placed copy, once per group. */
static void txn_sync(struct mdbe_job *j, struct mdbe_group *g)
{
	struct mdbe_txn *t = (struct mdbe_txn *)j;

	for (uint32_t i = 0; i < t->n; i++) {
		struct mdbe_rcpt *r = &t->r[i];

		if (!r->d || r->err)
			continue;
		r->err = correu__mdbe_group_fsync(g, r->box->path);
		if (r->err)
			correu__md_delivery_unplace(r->d);
	}
}

/* Loop thread: one reply per recipient (LMTP, RFC 2033 section 4.2), and
 * one for the whole message (SMTP). */
static int txn_done(struct mdbe_job *j)
{
	struct mdbe_txn *t = (struct mdbe_txn *)j;
	correu_store_req *req = t->req;
	uint32_t ok = 0, failed = 0;
	int rc = 0;

	t->in_flight = false;
	if (t->orphaned) {
		/* The client went away: the request was cancelled and its
		 * delivery closed while the workers held it. */
		rc = correu_store_complete(req, CORREU_ERR_CANCELLED);
		txn_free(t);
		return rc;
	}
	for (uint32_t i = 0; rc == 0 && i < t->n; i++) {
		struct mdbe_rcpt *r = &t->r[i];
		int err = r->err;

		if (!r->d)
			continue; /* refused at RCPT */
		correu_maildir_delivery_abort(r->d); /* frees; keeps a placed file */
		r->d = NULL;
		if (err == 0) {
			ok++;
			rc = correu_store_set_rcpt_reply(req, i, 250, 2, 0, 0, TXT("Saved"));
		} else if (err == CORREU_ERR_LIMIT) {
			failed++;
			rc = correu_store_set_rcpt_reply(req, i, 552, 5, 2, 2,
			                                 TXT("Mailbox full or message too large"));
		} else {
			failed++;
			rc = correu_store_set_rcpt_reply(req, i, 451, 4, 3, 0,
			                                 TXT("Not saved, try again"));
		}
	}
	/* The answer may close the delivery, so t is not touched after it. */
	if (rc < 0)
		return correu_store_complete(req, rc);
	/* One SMTP reply covers every recipient: if any copy failed, the
	 * client must retry (a duplicate beats a silent loss). */
	if (failed || !ok)
		return correu_store_complete_reply(req, 451, 4, 3, 0,
		                                   TXT("Not saved for every recipient"));
	return correu_store_complete_reply(req, 250, 2, 0, 0, TXT("Saved"));
}

int correu__mdbe_deliver_commit(correu_store_req *req, void *h, void *ud)
{
	correu_maildir_backend *mb = ud;
	struct mdbe_txn *t = h;

	t->req = req;
	t->job.work = txn_work;
	t->job.sync = txn_sync;
	t->job.done = txn_done;
	if (mb->pool) {
		t->in_flight = true;
		correu__mdbe_pool_submit(mb->pool, &t->job);
		return CORREU_PAUSE;
	}
	return correu__mdbe_job_run_here(&t->job);
}

int correu__mdbe_deliver_abort(void *h, void *ud)
{
	struct mdbe_txn *t = h;

	(void)ud;
	if (t->in_flight)
		t->orphaned = true; /* txn_done frees it */
	else
		txn_free(t);
	return 0;
}

static void txn_free(struct mdbe_txn *t)
{
	correu_maildir_backend *mb = t->mb;

	for (uint32_t i = 0; i < mb->max_rcpts; i++)
		if (t->r[i].md)
			drop_rcpt(&t->r[i]);
	correu__free(mb->alloc, t->r, mb->max_rcpts * sizeof(*t->r));
	correu__free(mb->alloc, t, sizeof(*t));
}
