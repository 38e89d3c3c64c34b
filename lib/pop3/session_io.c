/*
 * The blocking POP3 session's events and waits (POP3 layer, driver): the
 * core's events turned into the session's state, and the wait for a job's
 * command to be answered in full, one round of the proto layer's I/O loop
 * at a time (which also upgrades to TLS when the core says so, RFC 2595
 * §4).
 */
#include <string.h>

#include "session_int.h"

static void keep_reply(correu_pop3_session *s, const correu_pop3_event *ev)
{
	s->base.have_reply = true;
	s->last_ok = ev->ok;
	s->base.last_code = ev->resp_code;
	correu__proto_keep_text(&s->base.last_text, ev->text, ev->text_len);
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
	if (ev->command == s->base.await || (s->base.await == CORREU_POP3_CMD_PASS &&
	                                     ev->command == CORREU_POP3_CMD_USER && !ev->ok)) {
		/* A multi-line +OK is done at its end; the jobs here ask LIST
		 * and UIDL for every message, so they are multi-line too. */
		if (!ev->ok || !multi)
			s->base.done = true;
	}
}

static void consume(correu_pop3_session *s, const correu_pop3_event *ev)
{
	int rc = 0;

	if (s->base.fn_error)
		return;
	if (ev->type == CORREU_POP3_EV_BODY && s->fn.body)
		rc = s->fn.body(ev->data, ev->data_len, s->fn.userdata);
	else if (ev->command == CORREU_POP3_CMD_LIST && s->fn.list)
		rc = s->fn.list(ev->msg, ev->size, s->fn.userdata);
	else if (ev->command == CORREU_POP3_CMD_UIDL && s->fn.uidl)
		rc = s->fn.uidl(ev->msg, ev->text, ev->text_len, s->fn.userdata);
	if (rc < 0)
		s->base.fn_error = rc;
}

int correu__pop3_session_event(const correu_pop3_event *ev, void *userdata)
{
	correu_pop3_session *s = userdata;

	switch (ev->type) {
	case CORREU_POP3_EV_REPLY: on_reply(s, ev); break;
	case CORREU_POP3_EV_ITEM:
	case CORREU_POP3_EV_BODY: consume(s, ev); break;
	case CORREU_POP3_EV_END:
		if (ev->command == s->base.await)
			s->base.done = true;
		break;
	default: /* READY, STARTTLS, CLOSED, ERROR: what every core reports */
		correu__proto_session_event(&s->base, ev->type, ev->error);
		break;
	}
	return 0;
}

int correu__pop3_session_job(correu_pop3_session *s, uint32_t cmd, int queued)
{
	int rc = correu__proto_session_job(&s->base, cmd, queued);

	memset(&s->fn, 0, sizeof(s->fn));
	if (rc < 0)
		return rc;
	return s->last_ok ? 0 : CORREU_ERR_REPLY;
}
