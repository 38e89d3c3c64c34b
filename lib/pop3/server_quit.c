/*
 * QUIT and the UPDATE state (POP3 layer, server side; RFC 1939 section 6).
 * In the AUTHORIZATION state QUIT only says goodbye. In the TRANSACTION
 * state the messages RETR sent get \Seen first (Dovecot does the same;
 * a failure there is logged and does not stop the deletions), then the
 * messages marked with DELE are flagged \Deleted and expunged,
 * by UID ranges so that nothing else is touched (a message another client
 * flagged \Deleted stays), in batches the store accepts, and "+OK" is sent
 * only once the last expunge has completed, so a client that saw "+OK"
 * knows the messages are gone for good. A failure answers "-ERR some
 * deleted messages not removed" (RFC 1939 section 6). Either way the
 * session then ends and the maildrop lock is released.
 */
#include "pop3d_int.h"

/* Whether the pass changes message i: the \Seen pass takes what RETR
 * sent that had no \Seen and stays, the deletion pass the DELE'd ones. */
static bool in_pass(const correu__pop3d *s, bool seen_pass, uint32_t i)
{
	const correu__pop3d_msg *m = &s->msgs[i];

	return seen_pass ? m->retr && !m->seen && !m->deleted : m->deleted;
}

/* Ranges a pass needs: runs of consecutive entries of the table that it
 * changes (UIDs in between are gone, so a run covers no other message). */
static size_t count_runs(const correu__pop3d *s, bool seen_pass)
{
	size_t n = 0;

	for (uint32_t i = 0; i < s->nmsgs; i++)
		if (in_pass(s, seen_pass, i) && (i == 0 || !in_pass(s, seen_pass, i - 1)))
			n++;
	return n;
}

/* One array serves both passes: sized for the larger. */
static int alloc_ranges(correu__pop3d *s)
{
	size_t seen = count_runs(s, true), del = count_runs(s, false);
	size_t n = seen > del ? seen : del;

	if (n == 0)
		return 0;
	if (n > SIZE_MAX / (2 * sizeof(uint32_t)))
		return CORREU_ERR_LIMIT;
	s->ranges = correu__alloc(s->alloc, n * 2 * sizeof(uint32_t));
	if (!s->ranges)
		return CORREU_ERR_NOMEM;
	s->range_cap = n;
	return 0;
}

/* The current pass's messages as UID ranges. */
static void fill_ranges(correu__pop3d *s)
{
	bool seen_pass = !s->seen_done;
	size_t n = 0;

	for (uint32_t i = 0; i < s->nmsgs; i++) {
		if (!in_pass(s, seen_pass, i))
			continue;
		if (i == 0 || !in_pass(s, seen_pass, i - 1))
			s->ranges[2 * n++] = s->msgs[i].uid;
		s->ranges[2 * n - 1] = s->msgs[i].uid;
	}
	s->nranges = n;
	s->range_pos = 0;
}

static int bye(correu__pop3d *s, bool ok)
{
	int rc;

	correu__pop3d_maildrop_free(s);
	if (ok)
		rc = correu__pop3d_ok(s, "Logging out");
	else
		rc = correu__pop3d_close_err(s, "SYS/TEMP", "Some deleted messages not removed");
	s->state = PS_CLOSING;
	return rc;
}

static int next_batch(correu__pop3d *s);

static int start_pass(correu__pop3d *s)
{
	fill_ranges(s);
	/* Without expunge in the store nothing can be deleted. */
	if (s->seen_done && s->nranges &&
	    (!(s->svc->base.caps & CORREU_STORE_CAP_EXPUNGE) ||
	     !(s->svc->base.caps & CORREU_STORE_CAP_STORE)))
		return bye(s, false);
	return next_batch(s);
}

/* Flag the next batch \Seen, or \Deleted with its expunge following in
 * quit_done. */
static int next_batch(correu__pop3d *s)
{
	correu_store_req *req;
	size_t left = s->nranges - s->range_pos;
	uint32_t flag = s->seen_done ? CORREU_STORE_FLAG_DELETED : CORREU_STORE_FLAG_SEEN;
	int rc;

	if (left == 0 && !s->seen_done) {
		s->seen_done = true;
		return start_pass(s);
	}
	if (left == 0)
		return bye(s, true);
	s->batch = left < POP3D_RANGE_BATCH ? left : POP3D_RANGE_BATCH;
	rc = correu__pop3d_req(s, W_FLAGS, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(
		s, correu_store_set_flags(req, s->box, s->ranges + 2 * s->range_pos, s->batch,
		                          CORREU_STORE_FLAGS_ADD, flag, NULL, 0, 0));
}

int correu__pop3d_quit_done(correu__pop3d *s, enum pop3d_wait w, int rc)
{
	correu_store_req *req;

	if (rc < 0 && rc != CORREU_ERR_NOMEM && !s->seen_done) {
		/* Only read marks are lost; the deletions still matter. Out
		 * of memory, though, stops the update like any other step. */
		correu__pop3d_log(s, CORREU_LOG_WARN, "QUIT: setting \\Seen failed");
		s->seen_done = true;
		return start_pass(s);
	}
	if (rc < 0) {
		correu__pop3d_log(s, CORREU_LOG_ERROR, "QUIT: removing deleted messages failed");
		return bye(s, false);
	}
	if (w == W_EXPUNGE || !s->seen_done) {
		s->range_pos += s->batch;
		return next_batch(s);
	}
	rc = correu__pop3d_req(s, W_EXPUNGE, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(
		s, correu_store_expunge(req, s->box, s->ranges + 2 * s->range_pos, s->batch));
}

int correu__pop3d_quit(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	int rc;

	if (c->arg_len)
		return correu__pop3d_err(s, NULL, "QUIT takes no argument");
	if (s->state != PS_TRANS) {
		s->state = PS_CLOSING;
		return correu__pop3d_ok(s, "Logging out");
	}
	rc = alloc_ranges(s);
	if (rc == CORREU_ERR_NOMEM)
		return rc;
	if (rc < 0)
		return bye(s, false);
	/* A store without flag changes cannot keep read marks. */
	s->seen_done = !(s->svc->base.caps & CORREU_STORE_CAP_STORE);
	return start_pass(s);
}
