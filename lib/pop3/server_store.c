/*
 * The POP3 server's requests to the store (POP3 layer, server side). A
 * session has at most one request in flight and reads no input meanwhile,
 * so a backend that answers later needs nothing special: its completion
 * continues the command where it stopped and wakes the runtime. The
 * messages of the maildrop arrive through the `msg` hook while INBOX is
 * selected.
 */
#include "pop3d_int.h"

static int on_done(correu_store_req *req, void *userdata)
{
	correu__pop3d *s = userdata;
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	if (req != s->req || correu_store_req_result(req, &r) < 0)
		return 0;
	if (correu__pop3d_settled(s, r.status) < 0) {
		/* Out of memory or a broken promise: the session cannot go on. */
		s->state = PS_CLOSING;
	}
	correu__pop3d_after(s);
	if (s->conn && correu_server_conn_wake(s->conn) < 0)
		s->state = PS_CLOSING;
	return 0;
}

static int on_msg(correu_store_req *req, const correu_store_msg *m, void *userdata)
{
	correu__pop3d *s = userdata;

	/* Only the select lists the maildrop; QUIT's flag change echoes the
	 * messages it touched, which we do not need. */
	if (req != s->req || s->wait != W_SELECT)
		return 0;
	return correu__pop3d_msg_hook(s, m);
}

const correu_store_hooks correu__pop3d_hooks = {
	.version = CORREU_STORE_HOOKS_VERSION,
	.done = on_done,
	.msg = on_msg,
};

int correu__pop3d_req(correu__pop3d *s, enum pop3d_wait w, correu_store_req **out)
{
	int rc;

	/* A settled request is kept until the next one (its result may
	 * still be read); one in flight is a bug. */
	if (s->req_pending)
		return CORREU_ERR_INTERNAL;
	correu__pop3d_req_end(s);
	rc = correu_store_req_new(s->svc->base.store, &correu__pop3d_hooks, s, &s->req);
	if (rc < 0)
		return rc;
	s->wait = w;
	*out = s->req;
	return 0;
}

int correu__pop3d_started(correu__pop3d *s, int rc)
{
	if (rc == CORREU_PAUSE) {
		s->req_pending = true;
		return 0;
	}
	return correu__pop3d_settled(s, rc);
}

int correu__pop3d_settled(correu__pop3d *s, int rc)
{
	enum pop3d_wait w = s->wait;

	s->wait = W_NONE;
	s->req_pending = false;
	switch (w) {
	case W_PASS:
		return correu__pop3d_pass_done(s, rc);
	case W_SASL:
		return correu__pop3d_sasl_done(s, rc);
	case W_SESSION:
		return correu__pop3d_session_done(s, rc);
	case W_SELECT:
		return correu__pop3d_select_done(s, rc);
	case W_OPEN:
		return correu__pop3d_open_done(s, rc);
	case W_READ:
		return correu__pop3d_read_done(s, rc);
	case W_FLAGS:
	case W_EXPUNGE:
		return correu__pop3d_quit_done(s, w, rc);
	default:
		return CORREU_ERR_INTERNAL;
	}
}

void correu__pop3d_req_end(correu__pop3d *s)
{
	correu_store_req_free(s->req);
	s->req = NULL;
	s->req_pending = false;
	s->wait = W_NONE;
}
