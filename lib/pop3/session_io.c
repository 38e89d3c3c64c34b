/*
 * The blocking POP3 session's I/O loop (POP3 layer, driver): the core's
 * events turned into the session's state, one round of I/O at a time by
 * the core's wishes (write, read, or wait until its deadline), the TLS
 * upgrade when the core says so (RFC 2595 §4), and the wait for a job's
 * command to be answered in full.
 */
#include <string.h>
#include <time.h>

#include "session_int.h"

#define HANDSHAKE_TIMEOUT 60000u

uint64_t correu__pop3_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void keep_reply(correu_pop3_session *s, const correu_pop3_event *ev)
{
	size_t n = ev->text_len < s->last_text.max - 1 ? ev->text_len : s->last_text.max - 1;

	s->have_reply = true;
	s->last_ok = ev->ok;
	s->last_code = ev->resp_code;
	/* Keep what fits in the room made at the start; the text is for
	 * people, never parsed. */
	memcpy(s->last_text.data, ev->text, n);
	s->last_text.data[n] = '\0';
	s->last_text.len = n + 1;
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
	case CORREU_POP3_EV_STARTTLS: s->starttls = true; break;
	case CORREU_POP3_EV_CLOSED:
		s->closed = true;
		s->done = true;
		break;
	case CORREU_POP3_EV_ERROR: s->error = ev->error; break;
	default: break;
	}
	return 0;
}

/* Wait for the transport until the core's deadline. */
static int wait_for(correu_pop3_session *s, uint32_t events, uint64_t deadline)
{
	uint64_t now = correu__pop3_now_ms();
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

static int tls_config(correu_pop3_session *s, const correu_tls_config **cfg)
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
static int handshake(correu_pop3_session *s)
{
	const correu_tls_config *cfg;
	uint64_t deadline = correu__pop3_now_ms() + HANDSHAKE_TIMEOUT;
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

int correu__pop3_session_io(correu_pop3_session *s)
{
	uint64_t now = correu__pop3_now_ms();
	correu_ssize n;
	size_t len;
	const uint8_t *out;
	int rc = correu_pop3_client_tick(s->c, now);

	if (rc < 0)
		return rc;
	if (s->starttls) {
		/* The core read nothing past the go-ahead (it refuses any such
		 * bytes), so the transport holds no stale plaintext. */
		s->starttls = false;
		rc = handshake(s);
		return rc < 0 ? rc : correu_pop3_client_tls_done(s->c);
	}
	out = correu_pop3_client_send_buf(s->c, &len);
	if (out) {
		n = correu_transport_send(s->t, out, len);
		if (n > 0)
			return correu_pop3_client_send_ack(s->c, (size_t)n);
		if (n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ)
			return n == 0 ? CORREU_ERR_IO : (int)n;
		return wait_for(s, n == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
		                correu_pop3_client_next_deadline(s->c));
	}
	if (!correu_pop3_client_want_read(s->c))
		return CORREU_ERR_STATE; /* nothing to do: the wait could never end */
	n = correu_transport_recv(s->t, s->rbuf, sizeof(s->rbuf));
	if (n > 0) {
		n = correu_pop3_client_recv(s->c, s->rbuf, (size_t)n, correu__pop3_now_ms());
		return n < 0 ? (int)n : 0;
	}
	if (n == CORREU_ERR_EOF)
		return correu_pop3_client_eof(s->c) < 0 ? CORREU_ERR_EOF : 0;
	if (n != CORREU_ERR_WANT_READ && n != CORREU_ERR_WANT_WRITE)
		return n == 0 ? CORREU_ERR_IO : (int)n;
	return wait_for(s, n == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
	                correu_pop3_client_next_deadline(s->c));
}

static int until(correu_pop3_session *s, const bool *flag)
{
	int rc;

	while (!*flag) {
		if (s->error)
			return s->error;
		rc = correu__pop3_session_io(s);
		if (rc < 0) {
			if (!s->error)
				s->error = rc;
			return rc;
		}
	}
	return 0;
}

int correu__pop3_session_wait(correu_pop3_session *s)
{
	return until(s, &s->done);
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

/*
 * Write what the core left for a failing session (the QUIT after
 * TLS_REQUIRED or a refused greeting), briefly and without caring about
 * errors: the session ends either way, politely when the server lets it.
 */
void correu__pop3_session_flush(correu_pop3_session *s)
{
	uint64_t deadline = correu__pop3_now_ms() + 1000;
	const uint8_t *out;
	size_t len;

	while ((out = correu_pop3_client_send_buf(s->c, &len)) != NULL) {
		correu_ssize n = correu_transport_send(s->t, out, len);

		if (n > 0) {
			if (correu_pop3_client_send_ack(s->c, (size_t)n) < 0)
				return;
		} else if ((n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ) ||
		           wait_for(s, CORREU_WAIT_WRITE, deadline) < 0)
			return;
	}
}
