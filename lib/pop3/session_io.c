/*
 * The blocking POP3 session's events and waits (POP3 layer, driver): the
 * core's events turned into the session's state, and the wait for a job's
 * command to be answered in full, one round of the proto layer's I/O loop
 * at a time (which also upgrades to TLS when the core says so, RFC 2595
 * §4).
 */
#include "session_int.h"

static void keep_reply(correu_pop3_session *s, const correu_pop3_event *ev)
{
	s->have_reply = true;
	s->last_ok = ev->ok;
	s->last_code = ev->resp_code;
	correu__proto_keep_text(&s->last_text, ev->text, ev->text_len);
}

static void on_reply(correu_pop3_session *s, const correu_pop3_event *ev)
{
	bool multi = ev->command == CORREU_POP3_CMD_RETR || ev->command == CORREU_POP3_CMD_TOP ||
	             ev->command == CORREU_POP3_CMD_LIST || ev->command == CORREU_POP3_CMD_UIDL;

	keep_reply(s, ev);
	if (ev->command == CORREU_POP3_CMD_STAT) {
		s->stat_count = ev->msg;
		s->stat_size = ev->size;
	}
	/* A refused USER ends the login without a PASS reply. */
	if (ev->command == s->await ||
	    (s->await == CORREU_POP3_CMD_PASS && ev->command == CORREU_POP3_CMD_USER && !ev->ok)) {
		/* A multi-line +OK is done at its end; the jobs here ask LIST
		 * and UIDL for every message, so they are multi-line too. */
		if (!ev->ok || !multi)
			s->done = true;
	}
}

static void consume(correu_pop3_session *s, const correu_pop3_event *ev)
{
	int rc = 0;

	if (s->fn_error)
		return;
	if (ev->type == CORREU_POP3_EV_BODY && s->body_fn)
		rc = s->body_fn(ev->data, ev->data_len, s->fn_userdata);
	else if (ev->command == CORREU_POP3_CMD_LIST && s->list_fn)
		rc = s->list_fn(ev->msg, ev->size, s->fn_userdata);
	else if (ev->command == CORREU_POP3_CMD_UIDL && s->uidl_fn)
		rc = s->uidl_fn(ev->msg, ev->text, ev->text_len, s->fn_userdata);
	if (rc < 0)
		s->fn_error = rc;
}

int correu__pop3_session_event(const correu_pop3_event *ev, void *userdata)
{
	correu_pop3_session *s = userdata;

	switch (ev->type) {
	case CORREU_POP3_EV_REPLY: on_reply(s, ev); break;
	case CORREU_POP3_EV_ITEM:
	case CORREU_POP3_EV_BODY: consume(s, ev); break;
	case CORREU_POP3_EV_END:
		if (ev->command == s->await)
			s->done = true;
		break;
	case CORREU_POP3_EV_READY: s->ready = true; break;
	case CORREU_POP3_EV_STARTTLS: s->io.starttls = true; break;
	case CORREU_POP3_EV_CLOSED:
		s->closed = true;
		s->done = true;
		break;
	case CORREU_POP3_EV_ERROR: s->error = ev->error; break;
	default: break;
	}
	return 0;
}

int correu__pop3_session_wait(correu_pop3_session *s)
{
	int rc;

	while (!s->done) {
		rc = correu__proto_io_step(&s->io, &s->error, UINT64_MAX);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int correu__pop3_session_job(correu_pop3_session *s, uint32_t cmd, int queued)
{
	int rc;

	/* No event comes while a command is queued, so the wait starts
	 * here, after it. */
	s->await = cmd;
	s->done = false;
	rc = queued < 0 ? queued : correu__pop3_session_wait(s);
	s->await = 0;
	s->list_fn = NULL;
	s->uidl_fn = NULL;
	s->body_fn = NULL;
	if (rc < 0)
		return rc;
	if (s->fn_error) {
		rc = s->fn_error;
		s->fn_error = 0;
		return rc;
	}
	return s->last_ok ? 0 : CORREU_ERR_REPLY;
}
