/*
 * The blocking IMAP session's events and waits (IMAP layer, driver): the
 * core's events turned into the session's state and handed to the job's
 * consumers, and the wait for a job's command to complete, one round of
 * the proto layer's I/O loop at a time (which also upgrades to TLS when
 * the core says so, RFC 9051 §6.2.1).
 */
#include "session_int.h"

static void keep_response(correu_imap_session *s, const correu_imap_client_event *ev)
{
	const correu_imap_event *end = ev->data;

	s->have_response = true;
	s->last_status = ev->status;
	s->last_code = end->code;
	correu__proto_keep_text(&s->last_text, end->str[0], end->str_len[0]);
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
		rc = s->num_fn(ev->num, s->fn_userdata);
	else if (ev->item == CORREU_IMAP_ITEM_SEQSET && ev->resp == CORREU_IMAP_RESP_ESEARCH) {
		uint32_t first, last;
		size_t pos = 0;

		/* RFC 4731 §3.1: ALL is a sequence set; expand it. */
		while (rc == 0 &&
		       correu_imap_seqset_next(ev->str[0], ev->str_len[0], &pos, &first, &last) > 0)
			for (uint64_t n = first; rc == 0 && n <= last; n++)
				rc = s->num_fn(n, s->fn_userdata);
	}
	if (rc < 0)
		s->fn_error = rc;
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
	if (s->fn_error)
		return;
	if (s->num_fn)
		numbers(s, ev);
	if (s->body_fn && ev->item == CORREU_IMAP_ITEM_BODY_SECTION) {
		if (ev->type == CORREU_IMAP_EV_LITERAL_BEGIN)
			s->section_seen = true;
		if (ev->type == CORREU_IMAP_EV_LITERAL_DATA)
			rc = s->body_fn(ev->data, ev->data_len, s->fn_userdata);
	}
	if (rc == 0 && s->data_fn)
		rc = s->data_fn(ev, s->fn_userdata);
	if (rc < 0 && !s->fn_error)
		s->fn_error = rc;
}

int correu__imaps_event(const correu_imap_client_event *ev, void *userdata)
{
	correu_imap_session *s = userdata;

	switch (ev->type) {
	case CORREU_IMAP_CLIENT_EV_DATA: on_data(s, ev->data); break;
	case CORREU_IMAP_CLIENT_EV_DONE:
		if (ev->id == s->await_id) {
			keep_response(s, ev);
			s->done = true;
			s->answered = true;
		}
		break;
	case CORREU_IMAP_CLIENT_EV_IDLING: s->idling = true; break;
	case CORREU_IMAP_CLIENT_EV_READY: s->ready = true; break;
	case CORREU_IMAP_CLIENT_EV_STARTTLS: s->io.starttls = true; break;
	case CORREU_IMAP_CLIENT_EV_CLOSED:
		s->closed = true;
		s->done = true;
		break;
	case CORREU_IMAP_CLIENT_EV_ERROR: s->error = ev->error; break;
	default: break;
	}
	return 0;
}

int correu__imaps_job(correu_imap_session *s, int queued)
{
	int rc = queued < 0 ? queued : 0;

	/* No event comes while a command is queued, so the wait starts
	 * here, after it. */
	s->await_id = queued > 0 ? (uint32_t)queued : 0;
	s->done = false;
	s->answered = false;
	while (rc == 0 && !s->done)
		rc = correu__proto_io_step(&s->io, &s->error, UINT64_MAX);
	s->await_id = 0;
	s->data_fn = NULL;
	s->num_fn = NULL;
	s->body_fn = NULL;
	if (rc < 0)
		return rc;
	if (s->fn_error) {
		rc = s->fn_error;
		s->fn_error = 0;
		return rc;
	}
	/* The server said BYE and closed before answering. */
	if (!s->answered)
		return CORREU_ERR_CLOSED;
	return s->last_status == CORREU_IMAP_RESP_OK ? 0 : CORREU_ERR_REPLY;
}
