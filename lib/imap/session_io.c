/*
 * The blocking IMAP session's events and waits (IMAP layer, driver): the
 * core's events turned into the session's state and handed to the job's
 * consumers, and the wait for a job's command to complete, one round of
 * the proto layer's I/O loop at a time (which also upgrades to TLS when
 * the core says so, RFC 9051 §6.2.1).
 */
#include <string.h>

#include "session_int.h"

static void keep_response(correu_imap_session *s, const correu_imap_client_event *ev)
{
	const correu_imap_event *end = ev->data;

	s->base.have_reply = true;
	s->last_status = ev->status;
	s->base.last_code = end->code;
	correu__proto_keep_text(&s->base.last_text, end->str[0], end->str_len[0]);
	/* RFC 4315 §3: APPENDUID uidvalidity uid (one message: one UID). */
	if (end->code == CORREU_IMAP_CODE_APPENDUID && end->str[2]) {
		uint32_t first, last;
		size_t pos = 0;

		if (correu_imap_seqset_next(end->str[2], end->str_len[2], &pos, &first, &last) > 0)
			s->append_uid = last;
	}
}

static void numbers(correu_imap_session *s, const correu_imap_event *ev)
{
	int rc = 0;

	if (ev->type != CORREU_IMAP_EV_ITEM)
		return;
	if (ev->item == CORREU_IMAP_ITEM_NUMBER && ev->resp == CORREU_IMAP_RESP_SEARCH)
		rc = s->fn.num(ev->num, s->fn.userdata);
	else if (ev->item == CORREU_IMAP_ITEM_SEQSET && ev->resp == CORREU_IMAP_RESP_ESEARCH) {
		uint32_t first, last;
		size_t pos = 0;

		/* RFC 4731 §3.1: ALL is a sequence set; expand it. */
		while (rc == 0 &&
		       correu_imap_seqset_next(ev->str[0], ev->str_len[0], &pos, &first, &last) > 0)
			for (uint64_t n = first; rc == 0 && n <= last; n++)
				rc = s->fn.num(n, s->fn.userdata);
	}
	if (rc < 0)
		s->base.fn_error = rc;
}

static void on_data(correu_imap_session *s, const correu_imap_event *ev)
{
	int rc = 0;

	if (ev->type == CORREU_IMAP_EV_BEGIN) {
		if (ev->resp == CORREU_IMAP_RESP_EXISTS)
			s->exists = (uint32_t)ev->num;
		if (s->idling &&
		    (ev->resp == CORREU_IMAP_RESP_EXISTS || ev->resp == CORREU_IMAP_RESP_EXPUNGE ||
		     ev->resp == CORREU_IMAP_RESP_FETCH || ev->resp == CORREU_IMAP_RESP_VANISHED))
			s->news = true;
	}
	if (ev->type == CORREU_IMAP_EV_END && ev->code == CORREU_IMAP_CODE_UIDVALIDITY)
		s->uidvalidity = (uint32_t)ev->num;
	if (s->base.fn_error)
		return;
	if (s->fn.num)
		numbers(s, ev);
	if (s->fn.body && ev->item == CORREU_IMAP_ITEM_BODY_SECTION) {
		if (ev->type == CORREU_IMAP_EV_LITERAL_BEGIN)
			s->section_seen = true;
		if (ev->type == CORREU_IMAP_EV_LITERAL_DATA)
			rc = s->fn.body(ev->data, ev->data_len, s->fn.userdata);
	}
	if (rc == 0 && s->fn.data)
		rc = s->fn.data(ev, s->fn.userdata);
	if (rc < 0 && !s->base.fn_error)
		s->base.fn_error = rc;
}

int correu__imaps_event(const correu_imap_client_event *ev, void *userdata)
{
	correu_imap_session *s = userdata;

	switch (ev->type) {
	case CORREU_IMAP_CLIENT_EV_DATA: on_data(s, ev->data); break;
	case CORREU_IMAP_CLIENT_EV_DONE:
		if (ev->id == s->base.await) {
			keep_response(s, ev);
			s->base.done = true;
			s->answered = true;
		}
		break;
	case CORREU_IMAP_CLIENT_EV_IDLING: s->idling = true; break;
	default: /* READY, STARTTLS, CLOSED, ERROR: what every core reports */
		correu__proto_session_event(&s->base, ev->type, ev->error);
		break;
	}
	return 0;
}

int correu__imaps_job(correu_imap_session *s, int queued)
{
	int rc;

	s->answered = false;
	rc = correu__proto_session_job(&s->base, queued > 0 ? (uint32_t)queued : 0, queued);
	memset(&s->fn, 0, sizeof(s->fn));
	if (rc < 0)
		return rc;
	/* The server said BYE and closed before answering. */
	if (!s->answered)
		return CORREU_ERR_CLOSED;
	return s->last_status == CORREU_IMAP_RESP_OK ? 0 : CORREU_ERR_REPLY;
}
