/*
 * The SMTP server's requests to the store (SMTP layer, server side). A
 * session has at most one request in flight and reads no input meanwhile,
 * so a backend that answers later needs nothing special: its completion
 * continues the command where it stopped and wakes the runtime. LMTP's
 * per-recipient replies arrive through the `rcpt_reply` hook (RFC 2033
 * section 4.2). The transaction is reset here too: closing a delivery that
 * was not committed tells the backend to drop it.
 */
#include <stdio.h>

#include "smtpd_int.h"

static int on_done(correu_store_req *req, void *userdata)
{
	correu__smtpd *s = userdata;
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	if (req != s->req || correu_store_req_result(req, &r) < 0)
		return 0;
	if (correu__smtpd_settled(s, r.status) < 0) {
		/* Out of memory or a broken promise: the session cannot go on. */
		s->phase = PH_CLOSING;
	}
	correu__smtpd_after(s);
	if (s->conn && correu_server_conn_wake(s->conn) < 0)
		s->phase = PH_CLOSING;
	return 0;
}

/* LMTP: one reply per accepted recipient, in RCPT order. */
static int on_rcpt_reply(correu_store_req *req, uint32_t index, uint32_t code, const uint32_t *enh,
                         const char *text, size_t len, void *userdata)
{
	correu__smtpd *s = userdata;
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	(void)req;
	(void)index;
	/* SMTP has one reply for the message, whatever the backend set. */
	if (s->svc->set.mode != CORREU_SMTP_SERVER_LMTP)
		return 0;
	r.reply_code = code;
	r.enhanced[0] = enh[0];
	r.enhanced[1] = enh[1];
	r.enhanced[2] = enh[2];
	r.text = text;
	r.text_len = len;
	s->lmtp_replies++;
	/* A reply that does not fit the output buffer ends the session when
	 * the commit is settled (the count then falls short). */
	if (correu__smtpd_reply_store(s, &r) < 0)
		s->lmtp_replies--;
	return 0;
}

const correu_store_hooks correu__smtpd_hooks = {
	.version = CORREU_STORE_HOOKS_VERSION,
	.done = on_done,
	.rcpt_reply = on_rcpt_reply,
};

int correu__smtpd_req(correu__smtpd *s, enum smtpd_wait w, correu_store_req **out)
{
	int rc;

	if (s->req)
		return CORREU_ERR_INTERNAL;
	rc = correu_store_req_new(s->svc->base.store, &correu__smtpd_hooks, s, &s->req);
	if (rc < 0)
		return rc;
	s->wait = w;
	*out = s->req;
	return 0;
}

int correu__smtpd_settled(correu__smtpd *s, int rc)
{
	enum smtpd_wait w = s->wait;

	s->wait = W_NONE;
	switch (w) {
	case W_MAIL: return correu__smtpd_mail_done(s, rc);
	case W_RCPT: return correu__smtpd_rcpt_done(s, rc);
	case W_CHUNK:
	case W_CHUNK_END: return correu__smtpd_chunk_done(s, w == W_CHUNK_END, rc);
	case W_COMMIT: return correu__smtpd_commit_done(s, rc);
	case W_AUTH: return correu__smtpd_auth_done(s, rc);
	default: return CORREU_ERR_INTERNAL;
	}
}

void correu__smtpd_req_end(correu__smtpd *s)
{
	correu_store_req_free(s->req);
	s->req = NULL;
	s->wait = W_NONE;
}

void correu__smtpd_txn_reset(correu__smtpd *s)
{
	/* A pending request is cancelled first; then the delivery can be
	 * closed (the store forgets the request's link to it). */
	correu__smtpd_req_end(s);
	correu_store_delivery_close(s->delivery);
	s->delivery = NULL;
	s->env_flags = 0;
	s->nrcpt = 0;
	s->naccepted = 0;
	s->lmtp_replies = 0;
	s->first_rcpt_len = 0;
	s->binary = false;
	s->bdat_used = false;
	s->chunk_len = 0;
	s->body_size = 0;
	s->bdat_left = 0;
	s->bdat_last = false;
	s->body_failed = false;
}
