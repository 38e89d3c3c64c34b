/*
 * The blocking IMAP session's I/O loop (IMAP layer, driver): the core's
 * events turned into the session's state and handed to the job's
 * consumers, one round of I/O at a time by the core's wishes (write, read,
 * or wait until its deadline), the TLS upgrade when the core says so (RFC
 * 9051 §6.2.1), and the wait for a job's command to complete.
 */
#include <string.h>
#include <time.h>

#include "session_int.h"

#define HANDSHAKE_TIMEOUT 60000u

uint64_t correu__imaps_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void keep_response(correu_imap_session *s, const correu_imap_client_event *ev)
{
	const correu_imap_event *end = ev->data;
	size_t n = end->str_len[0] < s->last_text.max - 1 ? end->str_len[0] : s->last_text.max - 1;

	s->have_response = true;
	s->last_status = ev->status;
	s->last_code = end->code;
	/* Kept in room made at the start; the text is for people. */
	if (n)
		memcpy(s->last_text.data, end->str[0], n);
	s->last_text.data[n] = '\0';
	s->last_text.len = n + 1;
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
	case CORREU_IMAP_CLIENT_EV_STARTTLS: s->starttls = true; break;
	case CORREU_IMAP_CLIENT_EV_CLOSED:
		s->closed = true;
		s->done = true;
		break;
	case CORREU_IMAP_CLIENT_EV_ERROR: s->error = ev->error; break;
	default: break;
	}
	return 0;
}

/* Wait for the transport until the deadline. */
static int wait_for(correu_imap_session *s, uint32_t events, uint64_t deadline)
{
	uint64_t now = correu__imaps_now_ms();
	int32_t ms = -1;
	int rc;

	if (deadline != UINT64_MAX) {
		if (now >= deadline)
			return CORREU_ERR_TIMEOUT;
		ms = deadline - now > INT32_MAX ? INT32_MAX : (int32_t)(deadline - now);
	}
	rc = correu_transport_wait(s->t, events, ms);
	return rc < 0 ? rc : 0;
}

static int tls_config(correu_imap_session *s, const correu_tls_config **cfg)
{
	int rc;

	if (s->opts.tls) {
		*cfg = s->opts.tls;
		return 0;
	}
	if (!s->own_tls) {
		rc = correu_tls_config_new(CORREU_TLS_CLIENT, s->alloc, &s->own_tls);
		if (rc < 0)
			return rc;
	}
	*cfg = s->own_tls;
	return 0;
}

/* Start TLS on the transport and finish the handshake in time. */
static int handshake(correu_imap_session *s)
{
	const correu_tls_config *cfg;
	uint64_t deadline = correu__imaps_now_ms() + HANDSHAKE_TIMEOUT;
	int rc = tls_config(s, &cfg);

	if (rc == 0)
		rc = correu_transport_starttls(s->t, cfg, s->host);
	while (rc == 0) {
		rc = correu_transport_handshake(s->t);
		if (rc != CORREU_ERR_WANT_READ && rc != CORREU_ERR_WANT_WRITE)
			return rc;
		rc = wait_for(s, rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
		              deadline);
	}
	return rc;
}

/* The core's deadline, or the caller's wake-up time when sooner; passing
 * the latter is not a timeout. */
static int wait_io(correu_imap_session *s, correu_ssize why, uint64_t wake)
{
	uint32_t ev = why == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE;
	uint64_t deadline = correu_imap_client_next_deadline(s->c);

	if (wake < deadline) {
		int rc = wait_for(s, ev, wake);

		return rc == CORREU_ERR_TIMEOUT ? 0 : rc;
	}
	return wait_for(s, ev, deadline);
}

int correu__imaps_io(correu_imap_session *s, uint64_t wake)
{
	correu_ssize n;
	size_t len;
	const uint8_t *out;
	/* A tick renews an IDLE that is due, before anything else. */
	int rc = correu_imap_client_tick(s->c, correu__imaps_now_ms());

	if (rc < 0)
		return rc;
	if (s->starttls) {
		/* The core read nothing past the go-ahead (it refuses any such
		 * bytes), so the transport holds no stale plaintext. */
		s->starttls = false;
		rc = handshake(s);
		return rc < 0 ? rc : correu_imap_client_tls_done(s->c);
	}
	out = correu_imap_client_send_buf(s->c, &len);
	if (out) {
		n = correu_transport_send(s->t, out, len);
		if (n > 0)
			return correu_imap_client_send_ack(s->c, (size_t)n);
		if (n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ)
			return n == 0 ? CORREU_ERR_IO : (int)n;
		return wait_io(s, n, wake);
	}
	if (!correu_imap_client_want_read(s->c))
		return CORREU_ERR_STATE; /* nothing to do: the wait could never end */
	n = correu_transport_recv(s->t, s->rbuf, sizeof(s->rbuf));
	if (n > 0) {
		n = correu_imap_client_recv(s->c, s->rbuf, (size_t)n, correu__imaps_now_ms());
		return n < 0 ? (int)n : 0;
	}
	if (n == CORREU_ERR_EOF)
		return correu_imap_client_eof(s->c) < 0 ? CORREU_ERR_EOF : 0;
	if (n != CORREU_ERR_WANT_READ && n != CORREU_ERR_WANT_WRITE)
		return n == 0 ? CORREU_ERR_IO : (int)n;
	return wait_io(s, n, wake);
}

int correu__imaps_job(correu_imap_session *s, int queued)
{
	int rc = queued < 0 ? queued : 0;

	/* No event comes while a command is queued, so the wait starts
	 * here, after it. */
	s->await_id = queued > 0 ? (uint32_t)queued : 0;
	s->done = false;
	s->answered = false;
	while (rc == 0 && !s->done) {
		if (s->error) {
			rc = s->error;
			break;
		}
		rc = correu__imaps_io(s, UINT64_MAX);
		if (rc < 0 && !s->error)
			s->error = rc;
	}
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

/*
 * Write what the core left for a failing session, briefly and without
 * caring about errors: the session ends either way.
 */
void correu__imaps_flush(correu_imap_session *s)
{
	uint64_t deadline = correu__imaps_now_ms() + 1000;
	const uint8_t *out;
	size_t len;

	while ((out = correu_imap_client_send_buf(s->c, &len)) != NULL) {
		correu_ssize n = correu_transport_send(s->t, out, len);

		if (n > 0) {
			if (correu_imap_client_send_ack(s->c, (size_t)n) < 0)
				return;
		} else if ((n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ) ||
		           wait_for(s, CORREU_WAIT_WRITE, deadline) < 0)
			return;
	}
}
