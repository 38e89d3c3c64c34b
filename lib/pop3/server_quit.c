/*
 * QUIT and the UPDATE state (POP3 layer, server side; RFC 1939 section 6).
 * In the AUTHORIZATION state QUIT only says goodbye. In the TRANSACTION
 * state the messages marked with DELE are flagged \Deleted and expunged,
 * by UID ranges so that nothing else is touched (a message another client
 * flagged \Deleted stays), in batches the store accepts, and "+OK" is sent
 * only once the last expunge has completed, so a client that saw "+OK"
 * knows the messages are gone for good. A failure answers "-ERR some
 * deleted messages not removed" (RFC 1939 section 6). Either way the
 * session then ends and the maildrop lock is released.
 */
#include "pop3d_int.h"

/* The DELE'd messages as UID ranges: runs of consecutive marked entries
 * of the table (UIDs in between are gone, so a run covers no survivor). */
static int build_ranges(correu__pop3d *s)
{
	size_t n = 0;

	for (uint32_t i = 0; i < s->nmsgs; i++)
		if (s->msgs[i].deleted && (i == 0 || !s->msgs[i - 1].deleted))
			n++;
	if (n == 0)
		return 0;
	if (n > SIZE_MAX / (2 * sizeof(uint32_t)))
		return CORREU_ERR_LIMIT;
	s->ranges = correu__alloc(s->alloc, n * 2 * sizeof(uint32_t));
	if (!s->ranges)
		return CORREU_ERR_NOMEM;
	s->range_cap = n;
	n = 0;
	for (uint32_t i = 0; i < s->nmsgs; i++) {
		if (!s->msgs[i].deleted)
			continue;
		if (i == 0 || !s->msgs[i - 1].deleted)
			s->ranges[2 * n++] = s->msgs[i].uid;
		s->ranges[2 * n - 1] = s->msgs[i].uid;
	}
	s->nranges = n;
	s->range_pos = 0;
	return 0;
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

/* Flag the next batch \Deleted; its expunge follows in quit_done. */
static int next_batch(correu__pop3d *s)
{
	correu_store_req *req;
	size_t left = s->nranges - s->range_pos;
	int rc;

	if (left == 0)
		return bye(s, true);
	s->batch = left < POP3D_RANGE_BATCH ? left : POP3D_RANGE_BATCH;
	rc = correu__pop3d_req(s, W_FLAGS, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(
		s, correu_store_set_flags(req, s->box, s->ranges + 2 * s->range_pos, s->batch,
		                          CORREU_STORE_FLAGS_ADD, CORREU_STORE_FLAG_DELETED, NULL, 0, 0));
}

int correu__pop3d_quit_done(correu__pop3d *s, enum pop3d_wait w, int rc)
{
	correu_store_req *req;

	if (rc < 0) {
		correu__pop3d_log(s, CORREU_LOG_ERROR, "QUIT: removing deleted messages failed");
		return bye(s, false);
	}
	if (w == W_EXPUNGE) {
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
	rc = build_ranges(s);
	if (rc == CORREU_ERR_NOMEM)
		return rc;
	if (rc < 0)
		return bye(s, false);
	/* Without expunge in the store nothing can be deleted. */
	if (s->nranges && (!(s->svc->caps & CORREU_STORE_CAP_EXPUNGE) ||
	                    !(s->svc->caps & CORREU_STORE_CAP_STORE)))
		return bye(s, false);
	return next_batch(s);
}
